"""The report as Markdown (GitHub-flavoured tables), with the figures as PNG files beside it."""

from domains.report.document import format_value


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table):
    frame = table.frame
    show_index = frame.index.name is not None
    columns = ([frame.index.name] if show_index else []) + [str(c) for c in frame.columns]
    lines = [f"**{table.caption}**", "", "| " + " | ".join(_cell(c) for c in columns) + " |",
             "|" + "---|" * len(columns)]
    for index, *row in frame.itertuples(name=None):
        cells = ([str(index)] if show_index else []) + [format_value(value, table.digits) for value in row]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def render_markdown(title, meta, sections, figure_paths):
    """The report as a Markdown string.

    Args:
        title, meta, sections: as :func:`domains.report.html.render_html`.
        figure_paths: figure name -> path of its PNG relative to the Markdown file.
    """
    parts = [f"# {title}", "", meta, ""]
    parts += [f"- [{s.title}](#{s.key})" for s in sections]
    for section in sections:
        parts += ["", f'<a id="{section.key}"></a>', "", f"## {section.title}", "", f"*{section.model}*", ""]
        for paragraph in section.paragraphs:
            parts += [paragraph, ""]
        for table in section.tables:
            parts += [_table(table), ""]
        for figure in section.figures:
            parts += [f"![{figure.caption}]({figure_paths[figure.name]})", "", f"*{figure.caption}*", ""]
        if section.notes:
            parts += ["Notes:", ""] + [f"- {note}" for note in section.notes] + [""]
        parts += [f"Computed in {section.seconds:.0f} s.", ""]
    return "\n".join(parts)
