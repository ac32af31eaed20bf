"""Tests of the public layer-test harness: it passes sound layers and fails broken ones with clear messages."""

import keras
import numpy as np
import pytest
from keras import ops

from shared.testing import assert_allclose_nested, check_layer


@keras.saving.register_keras_serializable(package="test_testing")
class ScaleWithGate(keras.layers.Layer):
    """Returns ``(x * w, {"gate": sigmoid(w)})``: a nested output, a mask that passes through."""

    def __init__(self, scale_init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale_init = scale_init
        self.supports_masking = True

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.scale_init), name="w"
        )

    def call(self, inputs, mask=None):
        return inputs * self.w, {"gate": ops.broadcast_to(ops.sigmoid(self.w), ops.shape(inputs))}

    def compute_output_shape(self, input_shape):
        return input_shape, {"gate": input_shape}

    def compute_mask(self, inputs, mask=None):
        return mask, {"gate": None}

    def get_config(self):
        return {**super().get_config(), "scale_init": self.scale_init}


@keras.saving.register_keras_serializable(package="test_testing")
class ForgetfulConfig(keras.layers.Layer):
    """Broken: ``get_config`` keeps ``shift`` but forgets ``scale``."""

    def __init__(self, scale=1.0, shift=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.shift = shift

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return inputs * self.w * self.scale + self.shift

    def get_config(self):
        return {**super().get_config(), "shift": self.shift}


@keras.saving.register_keras_serializable(package="test_testing")
class StaleConfig(ForgetfulConfig):
    """Broken: ``get_config`` names ``scale`` but reports its default rather than its value."""

    def get_config(self):
        return {**super().get_config(), "scale": 1.0}


@keras.saving.register_keras_serializable(package="test_testing")
class FrozenWeights(keras.layers.Layer):
    """Broken for training: its only weight is non-trainable."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=False, name="w")

    def call(self, inputs):
        return inputs * self.w


@keras.saving.register_keras_serializable(package="test_testing")
class BlockedGradient(keras.layers.Layer):
    """Broken for training: ``stop_gradient`` keeps every gradient away from its weight."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return inputs * ops.stop_gradient(self.w)


@keras.saving.register_keras_serializable(package="test_testing")
class Float32Always(keras.layers.Layer):
    """Broken for mixed precision: computes in float32 whatever the dtype policy says."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return ops.cast(inputs, "float32") * ops.cast(self.w, "float32")


@keras.saving.register_keras_serializable(package="test_testing")
class HalfPrecisionOverflow(keras.layers.Layer):
    """Broken for mixed precision: an intermediate of 1e5 overflows float16 (largest finite value 65504)."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return (inputs * self.w * 1e5) / 1e5


class Unregistered(keras.layers.Layer):
    """Broken for saving: not registered, so ``load_model(safe_mode=True)`` cannot find it."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

    def call(self, inputs):
        return inputs * self.w


@pytest.fixture
def x():
    return np.random.default_rng(0).standard_normal((4, 5, 3)).astype("float32")


def test_passes_on_keras_dense_and_reports_training(x):
    report = check_layer(
        keras.layers.Dense, {"units": 2}, x, expected_output_shape=(None, 5, 2), complete_config=False
    )
    assert report["output_shapes"] == [(4, 5, 2)]
    assert report["config_max_abs_diff"] == 0.0
    assert report["saved_max_abs_diff"] == 0.0
    assert report["loss_after"] < 0.9 * report["loss_before"]
    assert report["trainable_weights"] == 2
    assert 0.0 < report["mixed_max_abs_diff"] < 1e-2


def test_nested_outputs_and_masks(x):
    mask = np.array([[True] * 5, [True] * 3 + [False] * 2, [True] * 5, [True] + [False] * 4])
    report = check_layer(
        ScaleWithGate,
        {"scale_init": 0.5},
        x,
        input_mask=mask,
        expected_output_shape=((4, 5, 3), {"gate": (4, 5, 3)}),
        expected_output_mask=(mask, {"gate": None}),
    )
    assert report["output_shapes"] == [(4, 5, 3), (4, 5, 3)]


def test_fails_on_wrong_shape(x):
    with pytest.raises(AssertionError, match="shapes"):
        check_layer(ScaleWithGate, {}, x, expected_output_shape=((4, 5, 2), {"gate": (4, 5, 3)}), trains=False)


def test_fails_on_wrong_mask(x):
    mask = np.ones((4, 5), dtype=bool)
    with pytest.raises(AssertionError, match="output mask"):
        check_layer(ScaleWithGate, {}, x, input_mask=mask, expected_output_mask=(None, {"gate": None}), trains=False)


def test_fails_when_get_config_forgets_an_argument(x):
    with pytest.raises(AssertionError, match=r"missing constructor arguments: \['scale'\]"):
        check_layer(ForgetfulConfig, {"scale": 2.0}, x, trains=False)


def test_fails_when_get_config_reports_a_stale_value(x):
    # The config is complete and stable, but the rebuilt layer computes something else.
    with pytest.raises(AssertionError, match="config round trip"):
        check_layer(StaleConfig, {"scale": 2.0}, x, trains=False)


def test_fails_on_layer_without_trainable_weights(x):
    with pytest.raises(AssertionError, match="no trainable weights"):
        check_layer(FrozenWeights, {}, x)
    check_layer(FrozenWeights, {}, x, trains=False)


@pytest.mark.filterwarnings("ignore:Gradients do not exist")
def test_fails_when_no_gradient_reaches_the_weights(x):
    with pytest.raises(AssertionError, match="unchanged by training"):
        check_layer(BlockedGradient, {}, x, train_steps=5, min_loss_drop=0.0)


def test_fails_when_the_loss_does_not_fall(x):
    with pytest.raises(AssertionError, match="loss did not fall"):
        check_layer(ScaleWithGate, {}, x, train_steps=1, min_loss_drop=0.99)


def test_fails_when_the_layer_ignores_the_mixed_precision_policy(x):
    with pytest.raises(AssertionError, match="output leaf 0 is float32, not float16"):
        check_layer(Float32Always, {}, x, trains=False)
    check_layer(Float32Always, {}, x, trains=False, mixed_precision=False)


def test_fails_when_float16_outputs_drift_from_float32(x):
    with pytest.raises(AssertionError, match="under mixed_float16 vs float32"):
        check_layer(HalfPrecisionOverflow, {}, x, trains=False)


def test_fails_on_unregistered_layer(x):
    with pytest.raises(AssertionError, match=r"\.keras file failed"):
        check_layer(Unregistered, {}, x, trains=False)


def test_assert_allclose_nested():
    a = (np.zeros((2, 3)), {"g": np.ones(2)})
    assert_allclose_nested(a, [np.zeros((2, 3)), {"g": np.ones(2) + 1e-8}], atol=1e-6)
    with pytest.raises(AssertionError, match="leaf 1 differs"):
        assert_allclose_nested(a, (np.zeros((2, 3)), {"g": np.ones(2) + 1e-3}), atol=1e-6)
    with pytest.raises(AssertionError, match="structures differ"):
        assert_allclose_nested(a, (np.zeros((2, 3)),))
    with pytest.raises(AssertionError, match="shape"):
        assert_allclose_nested(a, (np.zeros((3, 2)), {"g": np.ones(2)}))
    with pytest.raises(AssertionError, match="NaN"):
        assert_allclose_nested(np.array([np.nan]), np.array([0.0]))
