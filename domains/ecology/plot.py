"""Fan chart: a series' history and its forecast with 80 % and 95 % prediction intervals."""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backend_bases import FigureCanvasBase  # noqa: E402

from shared.atomic import atomic_path  # noqa: E402
from shared.cli import InputError  # noqa: E402


def image_format(path):
    """The image format that ``path``'s suffix names (``"png"``, ``"pdf"``, ``"svg"``, ...); raises
    :class:`InputError` for a suffix matplotlib cannot write."""
    suffix = os.path.splitext(str(path))[1].lower().lstrip(".")
    supported = FigureCanvasBase.get_supported_filetypes()
    if suffix not in supported:
        raise InputError(f"{path}: the fan chart's file name must end in one of "
                         f"{', '.join('.' + name for name in sorted(supported))} (it names the image format)")
    return suffix


def fan_chart(history_time, history_value, table, path, title="", force=False):
    """Draws the history and the forecast ``table`` (columns ``time, median, lower95, lower80, upper80,
    upper95`` in the original units, as :func:`domains.ecology.__main__` writes it) to ``path``, in the
    format its suffix names (:func:`image_format`)."""
    image = image_format(path)
    figure, axis = plt.subplots(figsize=(8, 4))
    axis.plot(history_time, history_value, color="black", lw=1.2, label="observed")
    axis.fill_between(table["time"], table["lower95"], table["upper95"], color="tab:blue", alpha=0.2, label="95 %")
    axis.fill_between(table["time"], table["lower80"], table["upper80"], color="tab:blue", alpha=0.4, label="80 %")
    axis.plot(table["time"], table["median"], color="tab:blue", lw=1.5, label="forecast (median)")
    axis.set_yscale("log")
    axis.set_xlabel("time")
    axis.set_ylabel("abundance (log axis)")
    axis.set_title(title)
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    with atomic_path(str(path), force=force) as tmp:
        figure.savefig(tmp, dpi=100, format=image)
    plt.close(figure)
