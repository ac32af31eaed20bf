"""How far back a loss reaches: the norm of dL/dh_t at every step of a recurrent layer.

Keras runs a recurrent layer as one fused loop, so its per-step hidden states h_t are not tensors one can
differentiate with respect to. :func:`unroll` re-runs a model with the chosen recurrent layer unrolled step
by step in eager mode: the layers before it give its input sequence, its ``cell`` is called once per step
(with Keras' masking, ``go_backwards`` and ``zero_output_for_mask`` rules), and the layers after it take its
output. :func:`gradient_flow` adds a zero perturbation ``eps_t`` to every h_t and differentiates the loss with
respect to them with the backend's own automatic differentiation (``tf.GradientTape``, ``jax.grad`` or
``torch.autograd.grad``); the gradient with respect to ``eps_t`` is the *total* derivative dL/dh_t, through every
later step and every later output. Its norm against t is the classic vanishing-gradient plot
(:func:`plot_gradient_flow`).

Supported: ``keras.Sequential`` models and functional models that are a single chain of layers (one input,
one output, each layer fed by the one before), holding a top-level ``keras.layers.RNN`` subclass whose
cell's output is its hidden state and whose state's first element is that hidden state, read by the next step:
``SimpleRNN``, ``LSTM``, ``GRU`` and ``shared.layers.GatedLSTM``/``GatedGRU`` (with ``return_gates=False``);
``shared.layers.LeakyIntegrator``, whose recurrence reads its pre-activation instead, is refused. Every re-run
is checked against ``model(x)`` before a gradient is taken.

Runs on the TensorFlow, JAX and PyTorch backends.
"""

import contextlib
import inspect

import keras
import numpy as np
from keras.src.backend import get_keras_mask, set_keras_mask  # how Keras' own calls attach a mask (no public API)


def unroll(model, x, layer=None):
    """Runs ``model`` on ``x`` with one recurrent layer unrolled step by step and returns its hidden states.

    Args:
        model: a ``keras.Sequential`` or a chain-like functional ``keras.Model`` (see the module docstring).
        x: the model's input, a batch, e.g. ``(n, T, features)`` floats or ``(n, T)`` token ids.
        layer: the recurrent layer, by name or instance; default: the model's first ``keras.layers.RNN``.

    Returns:
        ``(output, states)``: ``output``, ``np.ndarray`` equal to ``model(x)`` (inference mode), and
        ``states``, ``np.ndarray`` ``(n, T, units)``, the layer's hidden state h_t after every step t in
        processing order (with ``go_backwards``, step t consumed input position ``T - 1 - t``). At masked
        steps the state is carried: h_t = h_{t-1}.

    Raises:
        TypeError: ``model`` is not a ``keras.Model``.
        ValueError: the model or layer is not supported (see :func:`gradient_flow`), ``x`` has no samples (or
            another empty axis), does not have the model's input shape or holds NaN or infinite values, or the
            unrolled output differs from ``model(x)``.

    Example:

    >>> keras.utils.set_random_seed(0)
    >>> model = keras.Sequential([keras.Input((20, 3)), keras.layers.GRU(8), keras.layers.Dense(1)])
    >>> output, states = unroll(model, np.random.rand(4, 20, 3).astype("float32"))
    >>> output.shape, states.shape
    ((4, 1), (4, 20, 8))
    """
    x = _checked_input(model, x)
    layers, index = _chain_and_index(model, layer)
    y_pred, states = _forward(layers, index, x, perturb=None)
    _check_matches_model(model, x, y_pred)
    return keras.ops.convert_to_numpy(y_pred), np.stack([keras.ops.convert_to_numpy(h) for h in states], axis=1)


def gradient_flow(model, x, y, layer=None, loss=None):
    """Norm of the gradient of the loss with respect to a recurrent layer's hidden state, step by step.

    Args:
        model: a ``keras.Sequential`` or a chain-like functional ``keras.Model`` (see the module docstring).
        x: a batch of inputs, e.g. ``(n, T, features)``.
        y: the targets for ``x``, shaped as the model's output expects.
        layer: the recurrent layer, by name or instance; default: the model's first ``keras.layers.RNN``.
        loss: a Keras loss (name, function or ``keras.losses.Loss``); default: the compiled loss
            (``model.compute_loss``, which also adds regularisation losses, which do not depend on h_t).
            A per-sample loss is averaged over the batch. Where the model's output carries a mask (padded
            steps of a sequence-to-sequence model), the masked outputs are left out of the loss, as Keras'
            ``fit`` and ``evaluate`` leave them out: a loss function's values are averaged over the unmasked
            ones, a ``keras.losses.Loss`` and the compiled loss read the mask as Keras' own calls do.

    Returns:
        ``np.ndarray`` of shape ``(T,)``, float64: entry t is the Euclidean (Frobenius) norm over the batch
        and units of dL/dh_t, the total derivative of the batch loss L with respect to the hidden state after
        step t (through all later steps and outputs), in processing order (reversed input positions with
        ``go_backwards``). At a masked step the state is carried unchanged and its entry is the gradient
        through that carried state.

        Under a mixed-precision policy (``"mixed_float16"``, ``"mixed_bfloat16"``: float32 variables) the probe
        runs every layer of the model in float32 and then restores their policies, so the profile is that of the
        model's weights computed in float32: in float16, without loss scaling, the per-element gradients of
        early steps fall below float16's normal range and read several times too large (SimpleRNN, T=100:
        6.8e-7 instead of 8.3e-8 at step 0). A model whose variables are themselves float16 or bfloat16 (a
        ``"float16"`` policy) is probed in that dtype.

    Raises:
        NotImplementedError: Keras runs on a backend without automatic differentiation (``numpy``,
            ``openvino``).
        TypeError: ``model`` is not a ``keras.Model``, or ``layer`` is neither a name nor a layer.
        ValueError: ``x`` has no samples (or another empty axis) or not the model's input shape, ``y`` has
            another number of samples than ``x``, is not numeric, or has the output's rank but an axis that is
            neither the output's nor 1, either holds NaN or infinite values; no usable recurrent layer
            (none found; a ``Bidirectional`` wrapper, which this does not unroll: probe a model built on its
            forward or backward layer instead; ``return_state``, ``return_gates``, ``stateful``, stacked cells, or
            a cell whose output is not its hidden state); a model that is not a single chain of layers; no
            ``loss`` and an uncompiled model; an unrolled output that differs from ``model(x)``.

    Example:

    >>> keras.utils.set_random_seed(0)
    >>> model = keras.Sequential([keras.Input((50, 2)), keras.layers.SimpleRNN(16), keras.layers.Dense(1)])
    >>> x = np.random.rand(8, 50, 2).astype("float32")
    >>> profile = gradient_flow(model, x, np.zeros((8, 1)), loss="mse")
    >>> profile.shape
    (50,)
    >>> bool(profile[0] < profile[-1])  # a vanilla RNN forgets: early steps get little gradient
    True
    """
    gradients = _differentiator()
    x = _checked_input(model, x)
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise ValueError(f"y has shape {y.shape}, but x has {x.shape[0]} samples: y needs one target per sample")
    if y.dtype.kind not in "biuf":
        raise ValueError(f"y must hold numbers (targets for a loss), got dtype {y.dtype}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError("y holds NaN or infinite values")
    if loss is None and not getattr(model, "compiled", False):
        raise ValueError("gradient_flow needs `loss=` for a model that has not been compiled")
    layers, index = _chain_and_index(model, layer)
    with _float32_compute(model):
        return _gradient_norms(model, x, y, layers, index, loss, gradients)


def _gradient_norms(model, x, y, layers, index, loss, gradients):
    """The profile of :func:`gradient_flow`, its arguments checked."""
    y_pred, states = _forward(layers, index, x, perturb=None)
    _check_matches_model(model, x, y_pred)
    _check_target_shape(y.shape, tuple(y_pred.shape))
    y_true = keras.ops.convert_to_tensor(y)
    loss_fn = None if loss is None else keras.losses.get(loss)

    def loss_at(perturbations):
        steps = iter(perturbations)
        y_pred, _ = _forward(layers, index, x, perturb=lambda h: h + next(steps), checked=True)
        if loss_fn is None:
            return model.compute_loss(x=x, y=y_true, y_pred=y_pred, training=False)
        if isinstance(loss_fn, keras.losses.Loss):
            return loss_fn(y_true, y_pred)  # it reads y_pred's mask
        return _masked_mean(loss_fn(y_true, y_pred), get_keras_mask(y_pred))

    grads = gradients(loss_at, [keras.ops.zeros_like(h) for h in states])
    return np.array([np.linalg.norm(keras.ops.convert_to_numpy(g).astype(np.float64)) for g in grads])


@contextlib.contextmanager
def _float32_compute(model):
    """Runs every layer of ``model`` (nested ones and recurrent cells included) that has a mixed-precision policy
    (float32 variables, float16 or bfloat16 compute dtype) with its variables' float32 as compute dtype, and
    restores the policies on exit. The variables are not touched: they are float32 already."""
    changed = []
    try:
        for lay in model._flatten_layers(include_self=True):
            policy = lay.dtype_policy
            if type(policy) is keras.DTypePolicy and policy.compute_dtype != policy.variable_dtype:
                changed.append((lay, policy))
                lay.dtype_policy = policy.variable_dtype
        yield
    finally:
        for lay, policy in reversed(changed):
            lay.dtype_policy = policy


def _differentiator():
    """``gradients(fn, zeros)`` for the Keras backend: the gradient of the scalar ``fn(perturbations)`` with
    respect to each perturbation, taken at ``zeros`` by the backend's automatic differentiation (a perturbation
    the value does not depend on gets zeros)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        def gradients(fn, zeros):
            with tf.GradientTape() as tape:
                tape.watch(zeros)
                value = fn(zeros)
            return tape.gradient(value, zeros, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    elif backend == "jax":
        import jax

        def gradients(fn, zeros):
            return jax.grad(fn)(zeros)

    elif backend == "torch":
        import torch

        def gradients(fn, zeros):
            leaves = [z.detach().requires_grad_(True) for z in zeros]
            grads = torch.autograd.grad(fn(leaves), leaves, allow_unused=True)
            return [torch.zeros_like(leaf) if g is None else g for leaf, g in zip(leaves, grads)]

    else:
        raise NotImplementedError(f"gradient_flow differentiates with TensorFlow, JAX or PyTorch; Keras runs on "
                                  f"{backend!r}, which has no automatic differentiation (set KERAS_BACKEND)")
    return gradients


def _check_target_shape(y_shape, output_shape):
    """Refuses targets of the output's rank that Keras would broadcast the output up to (``(n, 5)`` against an
    output ``(n, 1)``), which gives a profile of another loss without an error; sparse targets (an axis of 1,
    or one axis fewer, as ``sparse_categorical_crossentropy`` takes) pass."""
    if len(y_shape) == len(output_shape) and any(t not in (o, 1) for t, o in zip(y_shape, output_shape)):
        raise ValueError(f"y has shape {y_shape}, but the model's output has shape {output_shape}")


def plot_gradient_flow(profiles, ax=None):
    """Plots gradient-flow profiles (from :func:`gradient_flow`) against the step, on a log y-axis.

    Args:
        profiles: ``{label: array of shape (T,)}``; each curve is divided by its value at the last step, so
            curves of different scale start from 1 at the right and show how fast the gradient decays
            going back in time.
        ax: a matplotlib ``Axes``; default: a new figure's.

    Returns:
        The ``Axes``.

    Raises:
        ValueError: a profile that is not 1-D and non-empty, or whose last value is not finite and > 0.

    Example:

    >>> ax = plot_gradient_flow({"SimpleRNN": np.geomspace(1e-6, 1, 100), "LSTM": np.geomspace(0.1, 1, 100)})
    >>> ax.get_yscale()
    'log'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for label, profile in profiles.items():
        profile = np.asarray(profile, dtype=np.float64)
        if profile.ndim != 1 or profile.size == 0 or not 0 < profile[-1] < np.inf:
            raise ValueError(
                f"profile {label!r} must be 1-D, non-empty and end in a finite value > 0 (each curve is divided by "
                f"its last value); got shape {profile.shape}"
                + (f", last value {profile[-1]}" if profile.ndim == 1 and profile.size else "")
            )
        ax.plot(np.arange(len(profile)), profile / profile[-1], label=label)
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$\|\partial L / \partial h_t\|$ / value at the last step")
    ax.legend()
    return ax


def _checked_input(model, x):
    """``x`` as an array (tensors are kept), after checking ``model`` is a Keras model, ``x`` is a batch of at least
    one sample and no empty axis, has the model's input shape (rank and every known dimension after the batch) and,
    if floating, holds no NaN or infinite value."""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model (Sequential or functional), got {type(model).__name__}")
    if not keras.ops.is_tensor(x):
        x = np.asarray(x)
    got = tuple(x.shape)
    if not got:
        raise ValueError("x is a scalar; pass a batch, e.g. (n, T, features)")
    if got[0] == 0:
        raise ValueError(f"x has no samples (shape {got}); pass a batch of at least one, e.g. (n, T, features)")
    if 0 in got:
        raise ValueError(f"x is empty (shape {got}): every axis needs at least one entry")
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):  # a Sequential built without an Input has none yet
        inputs = None
    if inputs and len(inputs) == 1:
        expected = tuple(inputs[0].shape)
        if len(got) != len(expected) or any(e is not None and e != g for e, g in zip(expected[1:], got[1:])):
            raise ValueError(f"x has shape {got}, but model {model.name!r} takes inputs of shape {expected}")
    values = keras.ops.convert_to_numpy(x)
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        raise ValueError("x holds NaN or infinite values")
    return x


def _chain_and_index(model, layer):
    """The model's layers in order (no ``InputLayer``) and the index of the recurrent layer to unroll."""
    layers = _chain(model)
    if layer is None:
        recurrent = (keras.layers.RNN, keras.layers.Bidirectional)
        candidates = [i for i, lay in enumerate(layers) if isinstance(lay, recurrent)]
        if not candidates:
            raise ValueError(f"model {model.name!r} has no top-level keras.layers.RNN layer")
        index = candidates[0]
    else:
        if not isinstance(layer, (str, keras.layers.Layer)):
            raise TypeError(f"layer must be a layer's name or a keras.layers.Layer, got {type(layer).__name__} "
                            f"{layer!r}")
        matches = [i for i, lay in enumerate(layers) if lay is layer or lay.name == layer]
        if not matches:
            name = layer if isinstance(layer, str) else layer.name
            raise ValueError(f"layer {name!r} is not a top-level layer of model {model.name!r}")
        index = matches[0]
    _check_recurrent(layers[index])
    return layers, index


def _chain(model):
    if isinstance(model, keras.Sequential):
        return list(model.layers)
    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs:
        raise ValueError(
            f"model {model.name!r} is neither a Sequential nor a functional model; build a functional or "
            "Sequential model around the recurrent layer"
        )
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(f"model {model.name!r} has several inputs or outputs; only single chains are supported")
    layers = [lay for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]
    previous = inputs[0]
    for lay in layers:
        fed_by = _first(lay.input)
        if fed_by is not previous or len(_extra_inputs(lay.input)) > 0:
            raise ValueError(
                f"model {model.name!r} is not a single chain of layers (layer {lay.name!r} is not fed by the "
                "layer before it alone); only Sequential and chain-like functional models are supported"
            )
        previous = lay.output
    if previous is not outputs[0]:
        raise ValueError(f"model {model.name!r} is not a single chain of layers (its output is not the last layer's)")
    return layers


def _first(tensors):
    return tensors[0] if isinstance(tensors, (list, tuple)) else tensors


def _extra_inputs(tensors):
    """A layer's inputs besides the first, other than the boolean masks Keras records alongside."""
    if not isinstance(tensors, (list, tuple)):
        return []
    return [t for t in tensors[1:] if t is not None and keras.backend.standardize_dtype(t.dtype) != "bool"]


def _check_recurrent(rnn):
    if isinstance(rnn, keras.layers.Bidirectional):
        raise ValueError(
            f"layer {rnn.name!r} is Bidirectional, which gradient_flow does not unroll; probe a model built on "
            "its forward_layer or backward_layer instead"
        )
    if not isinstance(rnn, keras.layers.RNN):
        raise ValueError(f"layer {rnn.name!r} ({type(rnn).__name__}) is not a keras.layers.RNN")
    if getattr(rnn, "return_gates", False):
        raise ValueError(f"layer {rnn.name!r} has return_gates=True; unroll a twin built with return_gates=False")
    if rnn.return_state:
        raise ValueError(f"layer {rnn.name!r} has return_state=True, which a layer chain cannot pass on")
    if rnn.stateful:
        raise ValueError(f"layer {rnn.name!r} is stateful; unroll a non-stateful twin with the same weights")
    if isinstance(rnn.cell, keras.layers.StackedRNNCells):
        raise ValueError(f"layer {rnn.name!r} has stacked cells; use one recurrent layer per cell instead")


def _call(lay, x, mask):
    """Calls a layer as a Keras model would (inference mode) and returns ``(output, output_mask)``."""
    accepts_mask = "mask" in inspect.signature(lay.call).parameters
    y = lay(x, mask=mask) if (accepts_mask and mask is not None) else lay(x)
    new_mask = lay.compute_mask(x, mask) if lay.supports_masking else None
    return y, new_mask


def _forward(layers, index, x, perturb, checked=False):
    """Runs the chain with ``layers[index]`` unrolled; returns ``(y_pred, hidden_states)``. ``checked``: the cell
    has passed the checks of :func:`_unroll_rnn` on these inputs already, so they are skipped (a traced pass,
    as under ``jax.grad``, cannot read a tensor's values)."""
    h, mask = keras.ops.convert_to_tensor(x), None
    for lay in layers[:index]:
        h, mask = _call(lay, h, mask)
    rnn = layers[index]
    output, states = _unroll_rnn(rnn, h, mask, perturb, checked)
    out_mask = rnn.compute_mask(h, mask) if mask is not None else None
    for lay in layers[index + 1 :]:
        output, out_mask = _call(lay, output, out_mask)
    if out_mask is not None:
        set_keras_mask(output, out_mask)  # as a Keras call leaves it on the output, for the losses to read
    return output, states


def _masked_mean(values, mask):
    """The mean of a loss function's ``values`` over the unmasked entries (Keras' ``sum_over_batch_size`` with
    a mask); over all of them where there is no mask or it does not fit ``values``' shape."""
    if mask is None or tuple(mask.shape) != tuple(values.shape):
        return keras.ops.mean(values)
    weights = keras.ops.cast(mask, values.dtype)
    return keras.ops.divide_no_nan(keras.ops.sum(values * weights), keras.ops.sum(weights))


def _unroll_rnn(rnn, sequences, mask, perturb, checked):
    """The recurrent layer's output and per-step hidden states, Keras' masking rules applied step by step."""
    steps = sequences.shape[1]  # eager tensors have static shapes
    order = range(steps - 1, -1, -1) if rnn.go_backwards else range(steps)
    state = rnn.get_initial_state(batch_size=keras.ops.shape(sequences)[0])
    state = [keras.ops.convert_to_tensor(s, dtype=rnn.cell.compute_dtype) for s in state]
    cell_kwargs = {"training": False} if "training" in inspect.signature(rnn.cell.call).parameters else {}
    output, outputs, hidden = None, [], []
    for t in order:
        out, new_state = rnn.cell(sequences[:, t], state, **cell_kwargs)
        new_state = list(new_state) if isinstance(new_state, (list, tuple)) else [new_state]
        if not checked and out is not new_state[0] and not _same_values(out, new_state[0]):
            raise ValueError(
                f"the cell of layer {rnn.name!r} outputs something other than its hidden state (its state's "
                "first element); gradient_flow cannot tell which is h_t"
            )
        if not checked and t == order[0]:
            _check_reads_first_state(rnn, sequences[:, t], state, out, cell_kwargs)
        if mask is not None:
            keep = keras.ops.expand_dims(keras.ops.cast(mask[:, t], "bool"), -1)
            previous_output = keras.ops.zeros_like(out) if (output is None or rnn.zero_output_for_mask) else output
            new_state = [keras.ops.where(keep, s, s_prev) for s, s_prev in zip(new_state, state)]
        h = new_state[0] if perturb is None else perturb(new_state[0])
        state = [h] + new_state[1:]
        output = h if mask is None else keras.ops.where(keep, h, previous_output)
        outputs.append(output)
        hidden.append(h)
    result = keras.ops.stack(outputs, axis=1) if rnn.return_sequences else output
    return keras.ops.cast(result, rnn.compute_dtype), hidden


def _check_reads_first_state(rnn, inputs, state, out, cell_kwargs):
    """Refuses a cell whose step does not read its state's first element (the h_t the probe perturbs), as
    ``shared.layers.LeakyIntegrator``, whose recurrence reads its pre-activation, the second element: a
    perturbation of h_t would reach no later step, and every earlier gradient would read 0."""
    bumped = [state[0] + 1.0, *state[1:]]
    again, _ = rnn.cell(inputs, bumped, **cell_kwargs)
    if _same_values(again, out):
        raise ValueError(
            f"the cell of layer {rnn.name!r} does not read its state's first element (its output, h_t) at the "
            "next step; gradient_flow cannot follow h_t through the recurrence"
        )


def _same_values(a, b):
    return tuple(a.shape) == tuple(b.shape) and bool(keras.ops.all(keras.ops.equal(a, b)))


def _check_matches_model(model, x, y_pred):
    expected = keras.ops.convert_to_numpy(model(x, training=False))
    got = keras.ops.convert_to_numpy(y_pred)
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    if expected.shape != got.shape or not np.allclose(got, expected, rtol=1e-4, atol=1e-5 * scale):
        raise ValueError(
            f"unrolling model {model.name!r} does not reproduce model(x) (max difference "
            f"{np.max(np.abs(got - expected)) if expected.shape == got.shape else 'shape mismatch'}); its layers "
            "may not form a single chain"
        )
