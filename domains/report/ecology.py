"""Report section: lynx forecasts, the GatedForecaster beside the ecological and statistical baselines.

The Zhang (2003) protocol on the bundled Canadian lynx series (:func:`domains.ecology.evaluate.zhang2003`):
log10 counts, every model fitted once on 1821-1920, one-step-ahead forecasts of 1921-1934. The fan charts
show the same fitted models forecasting 1921-1930 from 1920 alone (ten steps, no later data).
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from domains.ecology import __main__ as cli
from domains.ecology import evaluate as protocols
from domains.ecology.baselines import BASELINES, SETARForecaster
from domains.ecology.data import load_lynx
from domains.ecology.forecaster import PER_SERIES, GatedForecaster
from domains.report.document import Figure, Section, Table, figure_png

SHIPPED = Path(cli.__file__).resolve().parent / "weights" / cli.SHIPPED["lynx"]
TRAIN_END = 1920
HORIZON = 10
SHOWN_FROM = 1880  # first year drawn in the fan charts
#: The baselines scored: every default one and Tong's SETAR(2; 7, 2), the lynx's strongest classical anchor (as
#: ``benchmarks/ecology_backtest.py`` and the model card score it; leaving it out would flatter the gated model).
REPORTED = {**BASELINES, "setar": SETARForecaster}


def _shipped_description():
    """One line on the shipped lynx model, from its card when there is one."""
    card_path = SHIPPED.with_suffix(".json")
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    return (f"Shipped GatedForecaster `{SHIPPED.name}`" + (f" ({card['model']})" if card.get("model") else "")
            + f", trained on {card.get('training_data', f'log10 lynx 1821-{TRAIN_END}')}; scored with its parameters "
            "fixed.")


def fan_charts(series, forecasts):
    """One panel per model: history, the ``HORIZON``-step forecast from ``TRAIN_END`` with 80 % and 95 %
    intervals, and the held-out observations.

    Args:
        series: the lynx :class:`~domains.ecology.data.PopulationSeries`.
        forecasts: model name -> :class:`~domains.ecology.distributions.GaussianForecast` on the log10 scale.
    """
    offset = series.offset
    train = series.time <= TRAIN_END
    shown = series.time >= SHOWN_FROM
    future = TRAIN_END + np.arange(1, HORIZON + 1)
    figure, axes = plt.subplots(1, len(forecasts), figsize=(5 * len(forecasts), 3.6), sharey=True, squeeze=False)
    for axis, (name, forecast) in zip(axes[0], forecasts.items()):
        counts = lambda z: np.maximum(10.0 ** np.asarray(z) - offset, 1e-3)  # noqa: E731
        for level, alpha in ((0.95, 0.2), (0.8, 0.4)):
            low, high = forecast.interval(level)
            axis.fill_between(future, counts(low), counts(high), color="tab:blue", alpha=alpha,
                              label=f"{round(100 * level)} % interval")
        axis.plot(future, counts(forecast.mean), color="tab:blue", lw=1.5, label="forecast (median)")
        axis.plot(series.time[train & shown], series.value[train & shown], color="black", lw=1.2, label="fitted on")
        axis.plot(series.time[~train], series.value[~train], "o", color="tab:red", ms=3.5, label="held out")
        axis.set_yscale("log")
        axis.set_title(f"{name}: {HORIZON} years from {TRAIN_END}")
        axis.set_xlabel("year")
    axes[0][0].set_ylabel("lynx trapped (log axis)")
    axes[0][0].legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    return figure_png(figure)


def section(settings):
    """The ecology :class:`~domains.report.document.Section`.

    Args:
        settings: dict with ``ecology_epochs`` (None: the per-series default, else at most so many) and ``seed``.
    """
    lynx = load_lynx()
    if SHIPPED.is_file():
        gated, fit, model = GatedForecaster.load(SHIPPED), False, _shipped_description()
    else:
        options = dict(PER_SERIES)
        if settings["ecology_epochs"] is not None:
            options["epochs"] = min(options["epochs"], settings["ecology_epochs"])
        gated, fit = GatedForecaster(horizon=HORIZON, seed=settings["seed"], **options), True
        model = (f"No shipped model (`domains/ecology/weights/{SHIPPED.name}` is absent): a GatedForecaster with the "
                 f"per-series settings is fitted here on 1821-{TRAIN_END} (seed {settings['seed']}"
                 + ("" if settings["ecology_epochs"] is None else f", at most {options['epochs']} epochs: quick run")
                 + "), as `python -m domains.ecology evaluate --protocol zhang2003` does.")
    # fitting: on 1821-1920 (log10)
    scores = protocols.zhang2003(lynx, TRAIN_END, gated=gated, baselines=REPORTED, fit_gated=fit)
    scores = {"gated": scores.pop("gated"), **scores}
    table = pd.DataFrame(scores).T[["mse", "mae", "mase", "crps", "coverage80", "coverage95"]]
    table = table.rename(columns={"mse": "MSE", "mae": "MAE", "mase": "MASE", "crps": "CRPS",
                                  "coverage80": "80 % coverage", "coverage95": "95 % coverage"})
    table.index.name = "model"
    z = np.log10(lynx.value + lynx.offset)
    history = z[lynx.time <= TRAIN_END]
    best = min((name for name in scores if name != "gated"), key=lambda name: scores[name]["mse"])
    forecasts = {"gated": gated.predict(HORIZON, history=history),
                 best: REPORTED[best]().fit(history).predict(HORIZON)}
    return Section(
        key="ecology", title="Population forecasting: Canadian lynx 1821-1934", shipped=not fit,
        model=model,
        paragraphs=["Zhang (2003) protocol on the bundled `lynx.csv`: log10 counts, parameters fitted once on "
                    f"1821-{TRAIN_END}, one-step-ahead forecasts of each year 1921-1934 from the actual values "
                    "before it. MSE and MAE on the log10 scale, MASE against the naive one-step error on the "
                    "training years, CRPS of the predictive distribution, and the share of the 14 years inside the "
                    "80 % and 95 % prediction intervals. `setar` is Tong's SETAR(2; 7, 2) threshold model, the "
                    "lynx's strongest classical baseline."],
        tables=[Table(f"One-step-ahead scores, 1921-1934 (log10 scale), models fitted on 1821-{TRAIN_END}", table)],
        figures=[Figure("lynx_fan", f"Fan charts: {HORIZON}-year forecasts from {TRAIN_END} alone, the gated "
                                    f"model and the baseline with the lowest one-step MSE ({best}); red dots are "
                                    "the held-out years", fan_charts(lynx, forecasts))],
        notes=["Fourteen test years only: small differences in MSE between models are weak evidence either way."],
    )
