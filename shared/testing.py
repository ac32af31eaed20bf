"""A public, pytest-free harness that checks a Keras layer class end to end.

``check_layer`` builds a layer, calls it, round-trips it through ``get_config``/``from_config`` and through a
``.keras`` file loaded with ``safe_mode=True``, checks its masks and trains it briefly inside a tiny model.
Every failed check raises ``AssertionError`` with a message that names the check, so the harness works under
pytest, unittest or a plain script.
"""

import inspect
import json
import math
import os
import tempfile

import keras
import numpy as np

__all__ = ["assert_allclose_nested", "check_layer"]

_UNCHECKED = object()


def assert_allclose_nested(actual, desired, atol=1e-6, rtol=0.0, msg=""):
    """Asserts that two (possibly nested) structures of arrays are element-wise close.

    The structures are flattened with ``keras.tree.flatten`` (dicts in sorted-key order), so a tuple and a
    list with the same leaves compare equal; the number of leaves, each leaf's shape and each value must match.

    Args:
        actual: an array, tensor, or nested tuple/list/dict of them.
        desired: the same structure as ``actual``.
        atol: absolute tolerance.
        rtol: relative tolerance.
        msg: text prefixed to the failure message.

    Raises:
        AssertionError: naming the first leaf that differs and its largest absolute difference.
    """
    prefix = f"{msg}: " if msg else ""
    flat_actual = keras.tree.flatten(actual)
    flat_desired = keras.tree.flatten(desired)
    if len(flat_actual) != len(flat_desired):
        raise AssertionError(
            f"{prefix}structures differ: {len(flat_actual)} leaves vs {len(flat_desired)} leaves"
        )
    for index, (a, d) in enumerate(zip(flat_actual, flat_desired)):
        a = keras.ops.convert_to_numpy(a)
        d = keras.ops.convert_to_numpy(d)
        if a.shape != d.shape:
            raise AssertionError(f"{prefix}leaf {index}: shape {a.shape} vs {d.shape}")
        if not np.allclose(a, d, atol=atol, rtol=rtol, equal_nan=False):
            diff = np.abs(a.astype(np.float64) - d.astype(np.float64))
            diff = diff[~np.isnan(diff)]
            largest = diff.max() if diff.size else np.nan
            raise AssertionError(
                f"{prefix}leaf {index} differs: max |diff| = {largest:.3g} "
                f"(atol={atol}, rtol={rtol}, NaNs: {int(np.isnan(a).sum())} vs {int(np.isnan(d).sum())})"
            )


def check_layer(
    layer_cls,
    init_kwargs,
    input_data,
    *,
    expected_output_shape=None,
    input_mask=None,
    expected_output_mask=_UNCHECKED,
    output_index=0,
    trains=True,
    train_target=None,
    train_steps=30,
    min_loss_drop=0.1,
    call_kwargs=None,
    custom_objects=None,
    complete_config=True,
    atol=1e-6,
    mixed_precision=True,
    mixed_atol=1e-2,
):
    """Checks one layer class: call and shapes, config and ``.keras`` round trips, masking and training.

    The checks, in order:

    1. **Call.** ``layer_cls(**init_kwargs)`` is called eagerly on ``input_data`` (with ``mask=input_mask``
       when given); each output's shape must match ``expected_output_shape`` (``None`` dims match anything)
       and the symbolic output shapes of a functional model must agree with the eager ones.
    2. **Config.** ``get_config()`` must be JSON-serialisable and name every key of ``init_kwargs`` (and, with
       ``complete_config=True``, every named argument of ``layer_cls.__init__``); ``from_config`` must give an
       equal config and, once the weights are copied with ``set_weights``, the same outputs.
    3. **Saving.** The layer, wrapped in a functional ``keras.Model``, is saved to a ``.keras`` file and loaded
       back with ``keras.saving.load_model(..., safe_mode=True)``; outputs must agree to ``atol``.
    4. **Masking.** With ``expected_output_mask`` given, ``layer.compute_mask(input_data, input_mask)`` must
       equal it (``None`` asserts that the layer consumes the mask).
    5. **Training.** A fresh layer, followed by a head that flattens the chosen output and maps it with a
       ``Dense`` layer to a regression target, trains with Adam on one full batch for ``train_steps`` steps;
       the mean squared error (in inference mode, without regularisation terms) must fall by at least
       ``min_loss_drop`` (a fraction) and every trainable weight of the layer must change.
    6. **Mixed precision.** With ``mixed_precision=True``, the layer rebuilt from its config under the
       ``"mixed_float16"`` dtype policy and given the same weights keeps float32 variables, returns float16 (the
       policy's compute dtype) in every floating-point output and agrees with the float32 outputs to
       ``mixed_atol``, as Keras' own layer tests check (``run_mixed_precision_check``).

    Stateful layers (``stateful=True``) have their states reset before every comparison call.

    Args:
        layer_cls: the layer class to check.
        init_kwargs: dict of constructor arguments.
        input_data: numpy array (or nested structure of arrays) the layer is called on.
        expected_output_shape: a shape tuple, or a nested structure of them matching the outputs;
            ``None`` skips the check.
        input_mask: optional boolean numpy array passed as ``mask=``.
        expected_output_mask: the expected ``compute_mask`` result (array or ``None``); left out, the output
            mask is not checked.
        output_index: which leaf of ``keras.tree.flatten(outputs)`` feeds the training head. Defaults to 0.
        trains: whether to run the training check. Defaults to `True`.
        train_target: regression target array with batch dimension first; defaults to fixed standard-normal
            values of shape ``(batch, 1)``.
        train_steps: number of full-batch Adam steps. Defaults to 30.
        min_loss_drop: the fraction by which the loss must fall. Defaults to 0.1.
        call_kwargs: extra keyword arguments for every call of the layer (e.g. ``{"training": False}``).
        custom_objects: passed to ``from_config`` scopes and ``load_model``.
        complete_config: require every named ``__init__`` argument in the config, as this project's layers
            do; Keras' own layers leave some defaults out. Defaults to `True`.
        atol: absolute tolerance of the output comparisons. Defaults to 1e-6.
        mixed_precision: run the mixed-precision check. Defaults to `True`.
        mixed_atol: absolute tolerance of the float16 outputs against the float32 ones. Defaults to 1e-2.

    Returns:
        A dict with ``output_shapes``, ``config_max_abs_diff``, ``saved_max_abs_diff``, when training ran
        ``loss_before``, ``loss_after`` and ``trainable_weights``, and with the mixed-precision check
        ``mixed_max_abs_diff``.

    Raises:
        AssertionError: when a check fails.

    Example:

    >>> report = check_layer(keras.layers.Dense, {"units": 3}, np.ones((4, 5), "float32"),
    ...                      expected_output_shape=(4, 3), complete_config=False)
    >>> report["output_shapes"]
    [(4, 3)]
    """
    call_kwargs = dict(call_kwargs or {})
    if input_mask is not None:
        call_kwargs["mask"] = input_mask
    report = {}

    # 1. Eager call and output shapes.
    layer = layer_cls(**init_kwargs)
    outputs = _call(layer, input_data, call_kwargs)
    flat_outputs = keras.tree.flatten(outputs)
    shapes = [tuple(keras.ops.shape(x)) for x in flat_outputs]
    report["output_shapes"] = shapes
    if expected_output_shape is not None:
        _check_shapes(shapes, expected_output_shape, f"{layer_cls.__name__} eager output")
    for index, x in enumerate(flat_outputs):
        if not np.all(np.isfinite(keras.ops.convert_to_numpy(x))):
            raise AssertionError(f"{layer_cls.__name__}: output leaf {index} holds NaN or inf")

    # 2. Config round trip.
    config = layer.get_config()
    _check_config_complete(layer_cls, init_kwargs, config, complete_config)
    try:
        with keras.saving.custom_object_scope(custom_objects or {}):
            revived = layer_cls.from_config(config)
    except Exception as error:
        raise AssertionError(f"{layer_cls.__name__}.from_config(get_config()) failed: {error!r}") from error
    revived_config = revived.get_config()
    if _to_json(revived_config) != _to_json(config):
        raise AssertionError(
            f"{layer_cls.__name__}: from_config(get_config()) changed the config:\n"
            f"  before: {_to_json(config)}\n  after:  {_to_json(revived_config)}"
        )
    _call(revived, input_data, call_kwargs)
    revived.set_weights(layer.get_weights())
    revived_outputs = _call(revived, input_data, call_kwargs)
    outputs = _call(layer, input_data, call_kwargs)
    assert_allclose_nested(
        revived_outputs, outputs, atol=atol, msg=f"{layer_cls.__name__} config round trip (same weights)"
    )
    report["config_max_abs_diff"] = _max_abs_diff(revived_outputs, outputs)

    # 3. `.keras` round trip of a functional model around the built layer.
    model_inputs, model_data = _model_inputs(input_data, input_mask)
    extra = {k: v for k, v in call_kwargs.items() if k != "mask"}
    if input_mask is not None:
        symbolic = layer(model_inputs[0], mask=model_inputs[1], **extra)
    else:
        symbolic = layer(model_inputs, **extra)
    model = keras.Model(model_inputs, symbolic)
    symbolic_shapes = [tuple(x.shape) for x in keras.tree.flatten(symbolic)]
    _check_shapes(shapes, symbolic_shapes, f"{layer_cls.__name__} eager vs symbolic output")
    model_outputs = _call_model(model, model_data)
    assert_allclose_nested(
        model_outputs, outputs, atol=atol, msg=f"{layer_cls.__name__} functional model vs eager call"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.keras")
        try:
            model.save(path)
            loaded = keras.saving.load_model(path, custom_objects=custom_objects, safe_mode=True)
        except Exception as error:
            raise AssertionError(
                f"{layer_cls.__name__}: saving to or loading from a .keras file failed "
                f"(is the class registered with keras.saving.register_keras_serializable?): {error!r}"
            ) from error
    loaded_outputs = _call_model(loaded, model_data)
    assert_allclose_nested(loaded_outputs, model_outputs, atol=atol, msg=f"{layer_cls.__name__} .keras round trip")
    report["saved_max_abs_diff"] = _max_abs_diff(loaded_outputs, model_outputs)

    # 4. Output mask.
    if expected_output_mask is not _UNCHECKED:
        mask = layer.compute_mask(input_data, input_mask)
        _check_mask(mask, expected_output_mask, layer_cls.__name__)

    # 5. Training.
    if trains:
        report.update(
            _check_training(
                layer_cls, init_kwargs, input_data, input_mask, extra, output_index, train_target, train_steps,
                min_loss_drop,
            )
        )

    # 6. Mixed precision.
    if mixed_precision:
        report["mixed_max_abs_diff"] = _check_mixed_precision(layer, config, input_data, call_kwargs, outputs,
                                                              custom_objects, mixed_atol)
    return report


def _check_mixed_precision(layer, config, input_data, call_kwargs, outputs, custom_objects, atol):
    """Step 6 of :func:`check_layer`: the largest absolute difference of the float16 outputs from ``outputs``."""
    name = type(layer).__name__
    with keras.saving.custom_object_scope(custom_objects or {}):
        mixed = type(layer).from_config({**config, "dtype": "mixed_float16"})
    _call(mixed, input_data, call_kwargs)
    mixed.set_weights(layer.get_weights())
    stored = {keras.backend.standardize_dtype(v.dtype) for v in mixed.weights}
    if stored - {"float32"}:
        raise AssertionError(f"{name} under mixed_float16: variables stored as {sorted(stored)}, not float32")
    mixed_outputs = _call(mixed, input_data, call_kwargs)
    for index, x in enumerate(keras.tree.flatten(mixed_outputs)):
        dtype = keras.backend.standardize_dtype(x.dtype)
        if "float" in dtype and dtype != "float16":
            raise AssertionError(f"{name} under mixed_float16: output leaf {index} is {dtype}, not float16")
    as_float32 = keras.tree.map_structure(lambda x: keras.ops.cast(x, "float32"), mixed_outputs)
    assert_allclose_nested(as_float32, outputs, atol=atol, msg=f"{name} under mixed_float16 vs float32")
    return _max_abs_diff(as_float32, outputs)


def _call(layer, input_data, call_kwargs):
    _reset_states(layer)
    return layer(input_data, **call_kwargs)


def _call_model(model, data):
    for sublayer in model.layers:
        _reset_states(sublayer)
    return model(data, training=False)


def _reset_states(layer):
    if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
        layer.reset_states()


def _model_inputs(input_data, input_mask):
    """Functional inputs with the data's full (batch-inclusive) shapes, so stateful layers can be wrapped."""
    inputs = keras.tree.map_structure(
        lambda a: keras.Input(batch_shape=np.shape(a), dtype=str(np.asarray(a).dtype)), input_data
    )
    if input_mask is None:
        return inputs, input_data
    mask_input = keras.Input(batch_shape=np.shape(input_mask), dtype="bool")
    return [inputs, mask_input], [input_data, np.asarray(input_mask, dtype=bool)]


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in value)


def _flatten_shapes(structure):
    if _is_shape(structure):
        return [tuple(structure)]
    if isinstance(structure, dict):
        return [s for key in sorted(structure) for s in _flatten_shapes(structure[key])]
    return [s for item in structure for s in _flatten_shapes(item)]


def _check_shapes(actual, expected, what):
    expected = _flatten_shapes(expected)
    ok = len(actual) == len(expected) and all(
        len(a) == len(e) and all(ed is None or ad is None or ad == ed for ad, ed in zip(a, e))
        for a, e in zip(actual, expected)
    )
    if not ok:
        raise AssertionError(f"{what} shapes: expected {expected}, got {actual}")


def _check_config_complete(layer_cls, init_kwargs, config, complete_config):
    required = set(init_kwargs)
    if complete_config:
        parameters = inspect.signature(layer_cls.__init__).parameters.values()
        required |= {
            p.name for p in parameters if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        }
    missing = sorted(required - set(config))
    if missing:
        raise AssertionError(f"{layer_cls.__name__}.get_config() is missing constructor arguments: {missing}")
    try:
        _to_json(config)
    except TypeError as error:
        raise AssertionError(f"{layer_cls.__name__}.get_config() is not JSON-serialisable: {error}") from None


def _to_json(config):
    def default(value):
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
        raise TypeError(f"{type(value).__name__} {value!r}")

    return json.dumps(config, sort_keys=True, default=default)


def _max_abs_diff(a, b):
    diffs = [
        float(np.max(np.abs(keras.ops.convert_to_numpy(x) - keras.ops.convert_to_numpy(y)), initial=0.0))
        for x, y in zip(keras.tree.flatten(a), keras.tree.flatten(b))
    ]
    return max(diffs, default=0.0)


def _check_mask(mask, expected, name):
    flat_mask = keras.tree.flatten(mask)
    flat_expected = keras.tree.flatten(expected)
    if all(m is None for m in flat_mask) and all(e is None for e in flat_expected):
        return
    if len(flat_mask) != len(flat_expected):
        raise AssertionError(f"{name}: output mask {mask!r}, expected {expected!r}")
    for index, (m, e) in enumerate(zip(flat_mask, flat_expected)):
        if (m is None) != (e is None):
            raise AssertionError(f"{name}: output mask leaf {index} is {m!r}, expected {e!r}")
        if m is not None and not np.array_equal(keras.ops.convert_to_numpy(m), np.asarray(e)):
            raise AssertionError(
                f"{name}: output mask leaf {index} differs:\n  got      {keras.ops.convert_to_numpy(m)}\n"
                f"  expected {np.asarray(e)}"
            )


class _RegressionHead(keras.layers.Layer):
    """Flattens all but the batch axis and maps to the target width; consumes any mask (not serialised)."""

    def __init__(self, width, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.dense = keras.layers.Dense(width)

    def build(self, input_shape):
        self.dense.build((input_shape[0], math.prod(input_shape[1:])))

    def call(self, inputs, mask=None):
        return self.dense(keras.ops.reshape(inputs, (keras.ops.shape(inputs)[0], -1)))

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dense.units)


def _inference_mse(model, data, target):
    for sublayer in model.layers:
        _reset_states(sublayer)
    prediction = keras.ops.convert_to_numpy(model(data, training=False))
    return float(np.mean((prediction - target) ** 2))


def _check_training(
    layer_cls, init_kwargs, input_data, input_mask, call_kwargs, output_index, train_target, steps, min_drop
):
    name = layer_cls.__name__
    batch = keras.tree.flatten(input_data)[0].shape[0]
    if train_target is None:
        train_target = np.random.default_rng(0).standard_normal((batch, 1)).astype("float32")
    target = np.asarray(train_target, dtype="float32").reshape(batch, -1)

    layer = layer_cls(**init_kwargs)
    inputs, data = _model_inputs(input_data, input_mask)
    if input_mask is not None:
        outputs = layer(inputs[0], mask=inputs[1], **call_kwargs)
    else:
        outputs = layer(inputs, **call_kwargs)
    flat = keras.tree.flatten(outputs)
    if not -len(flat) <= output_index < len(flat):
        raise AssertionError(f"{name}: output_index {output_index} out of range for {len(flat)} outputs")
    prediction = _RegressionHead(target.shape[1])(flat[output_index])
    model = keras.Model(inputs, prediction)

    if not layer.trainable_weights:
        raise AssertionError(f"{name}: the layer has no trainable weights (pass trains=False if intended)")
    before = [keras.ops.convert_to_numpy(w).copy() for w in layer.trainable_weights]

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2), loss="mse", jit_compile=False)
    loss_before = _inference_mse(model, data, target)
    # One epoch of `steps` identical full batches: the same steps as `steps` epochs, without per-epoch overhead.
    def repeat(array):
        return np.concatenate([np.asarray(array)] * steps)

    model.fit(
        keras.tree.map_structure(repeat, data), repeat(target), batch_size=batch, epochs=1, shuffle=False, verbose=0
    )
    loss_after = _inference_mse(model, data, target)

    if not np.isfinite(loss_after) or loss_after > (1.0 - min_drop) * loss_before:
        raise AssertionError(
            f"{name}: loss did not fall by {min_drop:.0%} in {steps} Adam steps: {loss_before:.4g} -> {loss_after:.4g}"
        )
    unchanged = [
        w.path
        for w, old in zip(layer.trainable_weights, before)
        if np.array_equal(keras.ops.convert_to_numpy(w), old)
    ]
    if unchanged:
        raise AssertionError(f"{name}: trainable weights unchanged by training (no gradient reaches them): {unchanged}")
    return {"loss_before": loss_before, "loss_after": loss_after, "trainable_weights": len(layer.trainable_weights)}
