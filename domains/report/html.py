"""The report as one self-contained HTML page: CSS inline, figures embedded as base64 PNG, no scripts, no
network access (nothing is fetched when the page opens)."""

import base64
import html
import numbers

import numpy as np

from domains.report.document import format_value, inline_code

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 64rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.5rem; }
.meta, .model { color: #555; }
table { border-collapse: collapse; margin: 0.5rem 0 1.2rem; font-size: 0.9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; }
th { background: #f2f2f2; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 1.5rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #444; }
.notes { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4rem 1rem; }
code { background: #f4f4f4; padding: 0 0.2rem; }
"""


def _text(text):
    return inline_code(html.escape(text), "<code>", "</code>")


def _table(table):
    frame = table.frame
    show_index = frame.index.name is not None
    columns = ([frame.index.name] if show_index else []) + [str(c) for c in frame.columns]
    lines = [f"<table><caption>{_text(table.caption)}</caption>",
             "<thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr></thead><tbody>"]
    for index, *row in frame.itertuples(name=None):
        cells = ([f"<th>{html.escape(str(index))}</th>"] if show_index else [])
        for value in row:
            number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and value == value
            opening = '<td class="number">' if number else "<td>"
            cells.append(f"{opening}{html.escape(format_value(value, table.digits))}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return "\n".join(lines)


def _figure(figure):
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<figure id="fig-{figure.name}"><img alt="{html.escape(figure.caption)}" '
            f'src="data:image/png;base64,{data}">'
            f"<figcaption>{_text(figure.caption)}</figcaption></figure>")


def _section(section):
    parts = [f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>',
             f'<p class="model">{_text(section.model)}</p>']
    parts += [f"<p>{_text(paragraph)}</p>" for paragraph in section.paragraphs]
    parts += [_table(table) for table in section.tables]
    parts += [_figure(figure) for figure in section.figures]
    if section.notes:
        parts.append('<div class="notes"><ul>' + "".join(f"<li>{_text(n)}</li>" for n in section.notes) + "</ul></div>")
    parts.append(f'<p class="meta">computed in {section.seconds:.0f} s</p></section>')
    return "\n".join(parts)


def render_html(title, meta, sections):
    """The page as a string.

    Args:
        title: the page title. meta: one line under it (settings, date, versions).
        sections: :class:`~domains.report.document.Section` list, in order.
    """
    contents = "".join(f'<li><a href="#{s.key}">{html.escape(s.title)}</a></li>' for s in sections)
    body = "\n".join(_section(section) for section in sections)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{CSS}</style></head>
<body><h1>{html.escape(title)}</h1>
<p class="meta">{_text(meta)}</p>
<nav><ul>{contents}</ul></nav>
{body}
</body></html>
"""
