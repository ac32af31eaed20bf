"""Fan chart: a series' history and its forecast with 80 % and 95 % prediction intervals."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from shared.atomic import atomic_path  # noqa: E402


def fan_chart(history_time, history_value, table, path, title="", force=False):
    """Draws the history and the forecast ``table`` (columns ``time, median, lower95, lower80, upper80,
    upper95`` in the original units, as :func:`domains.ecology.__main__` writes it) to ``path`` (PNG)."""
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
        figure.savefig(tmp, dpi=100, format="png")
    plt.close(figure)
