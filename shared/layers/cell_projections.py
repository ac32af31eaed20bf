"""The input and recurrent projections of one gated-cell step, with Keras' dropout conventions.

Keras' LSTM and GRU cells draw one dropout mask per sequence. Without recurrent dropout they use a single
input mask shared by all gates and one fused matrix product (their "implementation 2"); with
``recurrent_dropout > 0`` they switch to one mask per gate for the inputs and for ``h_{t-1}``
("implementation 1", ``dropout_mask_count`` masks). :func:`gate_projections` follows the same rule, so a
GatedLSTM/GatedGRU trained with dropout sees the same masks, in the same places, as the stock layer.
"""

from keras import ops


def gate_projections(cell, inputs, h_tm1, n_gates, training):
    """``(inputs @ kernel, h_tm1 @ recurrent_kernel)`` with dropout applied as Keras does.

    Args:
        cell: a ``keras.layers.LSTMCell``/``GRUCell`` subclass (has ``kernel``, ``recurrent_kernel``,
            ``dropout``, ``recurrent_dropout`` and the dropout-mask methods).
        inputs: ``(batch, input_dim)``. h_tm1: ``(batch, units)``.
        n_gates: number of gate blocks in the kernels (4 for the LSTM, 3 for the GRU).
        training: whether dropout is active.

    Returns:
        Two tensors of shape ``(batch, n_gates * units)``, without biases.
    """
    input_mask = cell.get_dropout_mask(inputs) if training and 0.0 < cell.dropout < 1.0 else None
    state_mask = (
        cell.get_recurrent_dropout_mask(h_tm1) if training and 0.0 < cell.recurrent_dropout < 1.0 else None
    )
    if not isinstance(input_mask, (list, tuple)) and not isinstance(state_mask, (list, tuple)):
        if input_mask is not None:
            inputs = inputs * input_mask
        if state_mask is not None:
            h_tm1 = h_tm1 * state_mask
        return ops.matmul(inputs, cell.kernel), ops.matmul(h_tm1, cell.recurrent_kernel)
    input_masks = input_mask if input_mask is not None else [None] * n_gates
    state_masks = state_mask if state_mask is not None else [None] * n_gates
    kernels = ops.split(cell.kernel, n_gates, axis=1)
    recurrent_kernels = ops.split(cell.recurrent_kernel, n_gates, axis=1)
    x_proj = [ops.matmul(inputs if m is None else inputs * m, k) for m, k in zip(input_masks, kernels)]
    h_proj = [ops.matmul(h_tm1 if m is None else h_tm1 * m, k) for m, k in zip(state_masks, recurrent_kernels)]
    return ops.concatenate(x_proj, axis=-1), ops.concatenate(h_proj, axis=-1)
