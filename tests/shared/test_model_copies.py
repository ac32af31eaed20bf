"""inference_copy: a trained model's weights without its training configuration, to nest in an ensemble."""

import random

import keras
import numpy as np
import tensorflow as tf

from shared.layers import GatedLSTM
from shared.model_copies import inference_copy


def _trained(name="member"):
    inputs = keras.Input((6, 3))
    h = GatedLSTM(4, forget_bias=1.0)(inputs)
    h = keras.layers.Dropout(0.3)(h)  # no seed: rebuilding it draws one from Python's random
    frozen = keras.layers.Dense(2, name="frozen")
    model = keras.Model(inputs, frozen(keras.layers.Dense(5, name="hidden")(h)), name=name)
    frozen.trainable = False
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(8, 6, 3)).astype("float32")
    model.fit(x, np.ones((8, 2), "float32"), epochs=1, verbose=0)
    return model, x


def test_copy_predicts_alike_with_every_weight_and_no_compile_state():
    model, x = _trained()
    model.get_layer("frozen").set_weights([np.full((5, 2), 0.25, "float32"), np.array([1.0, -1.0], "float32")])
    copy = inference_copy(model)
    assert copy is not model and not copy.compiled and model.compiled
    assert copy.name == model.name and [layer.name for layer in copy.layers] == [layer.name for layer in model.layers]
    assert not copy.get_layer("frozen").trainable
    np.testing.assert_array_equal(copy.get_layer("frozen").get_weights()[1], [1.0, -1.0])
    for mine, theirs in zip(copy.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_copy_draws_nothing_from_pythons_random():
    model, _ = _trained()
    state = random.getstate()
    inference_copy(model)
    assert random.getstate() == state
    # the same rebuild without putting the state back does draw (the check above is not vacuous)
    model.__class__.from_config(model.get_config())
    assert random.getstate() != state


def test_an_ensemble_of_copies_saves_no_nested_compile_config(tmp_path):
    members = [_trained(f"member_{i}")[0] for i in range(2)]
    inputs = keras.Input((6, 3))
    outer = keras.Model(inputs, keras.layers.Average()([inference_copy(m)(inputs) for m in members]))
    nested = [layer for layer in keras.saving.serialize_keras_object(outer)["config"]["layers"]
              if layer["class_name"] == "Functional"]
    assert len(nested) == 2 and not any(layer.get("compile_config") for layer in nested)
    # nesting the compiled members themselves would carry their optimizer and loss into the file
    raw = keras.Model(inputs, keras.layers.Average()([m(inputs) for m in members]))
    assert all(layer.get("compile_config") for layer in keras.saving.serialize_keras_object(raw)["config"]["layers"]
               if layer["class_name"] == "Functional")
    outer.save(tmp_path / "ensemble.keras")
    loaded = keras.saving.load_model(tmp_path / "ensemble.keras", safe_mode=True, compile=False)
    assert not any(layer.compiled for layer in loaded.layers if isinstance(layer, keras.Model))
    x = np.random.default_rng(1).normal(size=(4, 6, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), outer.predict(x, verbose=0), atol=1e-6)


def test_copy_made_in_a_strategy_scope_has_its_variables_there():
    model, x = _trained()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        copy = inference_copy(model)
    assert all(isinstance(weight.value, tf.distribute.DistributedValues) for weight in copy.weights)
    np.testing.assert_allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
