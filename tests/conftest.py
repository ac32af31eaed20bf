"""Test-wide settings: the TensorFlow backend, quiet logs, and a printed seed so any failure can be replayed."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

SEED = int(os.environ.get("GATED_TEST_SEED", "1234"))


def pytest_report_header(config):
    return f"gated-domains test seed: {SEED} (set GATED_TEST_SEED to replay another)"


@pytest.fixture(autouse=True)
def _seed_everything():
    """Seeds numpy, Python and Keras before every test so results do not depend on test order."""
    import keras

    keras.utils.set_random_seed(SEED)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(SEED)
