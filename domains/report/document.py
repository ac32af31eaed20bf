"""What a report is made of, independent of how it is written: sections holding text, tables and figures.

Each domain's section module (:mod:`domains.report.genomics`, ...) returns a :class:`Section`; the writers
(:mod:`domains.report.html`, :mod:`domains.report.markdown`) turn the list of sections into a page. Figures
are kept as PNG bytes, so the HTML can embed them and the Markdown can point to files.

Importing the report leaves the matplotlib backend alone (a notebook keeps its inline plots); each figure is
closed once its PNG is taken. The command line (``python -m domains report``) selects ``Agg`` itself.
"""

import io
import numbers
import re
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


@dataclass
class Table:
    """A table with a caption. ``frame``: a DataFrame, written with its index when the index is named."""

    caption: str
    frame: pd.DataFrame
    digits: int = 4


@dataclass
class Figure:
    """A figure with a caption. ``png``: the image as PNG bytes; ``name``: a file-name stem (letters, digits, _)."""

    name: str
    caption: str
    png: bytes


@dataclass
class Section:
    """One domain's part of the report.

    Attributes:
        key: short identifier (``"genomics"``), used for anchors and figure file names.
        title: the heading.
        model: one line on the model that was evaluated, or that none is shipped.
        shipped: whether the domain's shipped weights were found and evaluated.
        paragraphs: explanatory text (plain text; ``code`` spans in backquotes are kept as code).
        tables, figures: the results, in reading order.
        notes: caveats the reader needs to judge the figures (data overlap, in-sample scores, ...).
        seconds: wall time the section took to compute.
    """

    key: str
    title: str
    model: str
    shipped: bool = False
    paragraphs: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0


def figure_png(figure, dpi=100):
    """PNG bytes of a matplotlib figure, which is closed afterwards."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    plt.close(figure)
    return buffer.getvalue()


def format_value(value, digits=4):
    """A table cell as text: floats rounded to ``digits`` decimals, missing values as an en dash."""
    if value is None or (isinstance(value, numbers.Real) and value != value):
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{value:.{digits}f}"
    return str(value)


def inline_code(text, opening, closing):
    """``text`` with each backquoted span wrapped in ``opening``/``closing`` (e.g. ``<code>``/``</code>``)."""
    return re.sub(r"`([^`]+)`", lambda match: f"{opening}{match.group(1)}{closing}", text)
