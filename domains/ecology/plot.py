"""Fan chart: a series' history and its forecast with 80 % and 95 % prediction intervals."""

import matplotlib.pyplot as plt

from shared.atomic import atomic_path
from shared.cli import image_format


def fan_chart(history_time, history_value, table, path=None, title="", force=False, ax=None, log_axis=True):
    """Draws the history and the forecast ``table`` (columns ``time, median, lower95, lower80, upper80,
    upper95`` in the original units, as :func:`domains.ecology.__main__` writes it) on ``ax`` (a new 8 x 4 inch
    figure if ``None``) and returns the ``Axes``: abundance on a log axis, or with ``log_axis`` False (a series
    held on its own scale, with negative values) values on a linear one. With ``path`` the figure is also written
    there, atomically and over an existing file only with ``force``, in the format its suffix names
    (:func:`shared.cli.image_format`); a figure made here is then closed."""
    image = None if path is None else image_format(path, "fan chart")
    made = ax is None
    figure, ax = plt.subplots(figsize=(8, 4)) if made else (ax.figure, ax)
    ax.plot(history_time, history_value, color="black", lw=1.2, label="observed")
    ax.fill_between(table["time"], table["lower95"], table["upper95"], color="tab:blue", alpha=0.2, label="95 %")
    ax.fill_between(table["time"], table["lower80"], table["upper80"], color="tab:blue", alpha=0.4, label="80 %")
    ax.plot(table["time"], table["median"], color="tab:blue", lw=1.5, label="forecast (median)")
    if log_axis:
        ax.set_yscale("log")
    ax.set_xlabel("time")
    ax.set_ylabel("abundance (log axis)" if log_axis else "value")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    if path is not None:
        figure.tight_layout()
        with atomic_path(str(path), force=force) as tmp:
            figure.savefig(tmp, dpi=100, format=image)
        if made:
            plt.close(figure)
    return ax
