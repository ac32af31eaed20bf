"""The shipped weights (``domains/ecology/weights/``) reproduce the figures on their cards, on cheap subsets:
lynx' 14 one-step forecasts of 1921-1934, and the GPDD global model on the card's first 20 benchmark series."""

import hashlib
import json
from pathlib import Path

import pytest

import domains.ecology
from domains.ecology.baselines import NaiveForecaster
from domains.ecology.data import load_lynx, load_series
from domains.ecology.evaluate import rolling_origin, zhang2003
from domains.ecology.forecaster import GatedForecaster
from shared.data_paths import bundled, shared_data

WEIGHTS = Path(domains.ecology.__file__).parent / "weights"
ROOT = Path(__file__).resolve().parents[3]


def _card(name):
    return json.loads((WEIGHTS / f"{name}.json").read_text())


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_lynx_weights_reproduce_the_zhang2003_figures():
    card = _card("lynx_1821_1920")
    assert card["data"][0]["sha256"] == _sha256(bundled("ecology", "lynx.csv"))
    model = GatedForecaster.load(WEIGHTS / "lynx_1821_1920.keras")
    results = zhang2003(load_lynx(), 1920, gated=model, baselines={}, fit_gated=False)
    expected = card["metrics"]["zhang2003_1921_1934"]["gated"]
    for key in ("mse", "mae", "coverage80"):
        assert results["gated"][key] == pytest.approx(expected[key], rel=1e-4, abs=1e-7)


def test_gpdd_weights_reproduce_the_card_on_its_check_series():
    folder = shared_data("ecology")
    if folder is None:
        pytest.skip("../shared/data/ecology is absent (the GPDD series are not bundled)")
    card = _card("gpdd_global")
    for entry in card["data"]:
        assert _sha256(folder / "gpdd" / Path(entry["file"]).name) == entry["sha256"], entry["file"]
    series = load_series(folder / "gpdd" / "gpdd_annual_long.csv", series=card["check"]["series"])
    model = GatedForecaster.load(WEIGHTS / "gpdd_global.keras")
    summary, _ = rolling_origin(series, gated=model, baselines={"naive": NaiveForecaster}, fit_gated=False)
    for key, value in card["check"]["gated"].items():
        assert summary["gated"][key] == pytest.approx(value, rel=1e-4)
