"""GPU paths: with return_gates=False GatedLSTM/GatedGRU take Keras' cuDNN kernel, which must compute the
same function as their own cell loop (run on the same GPU with use_cudnn=False) and as the gate path."""

import numpy as np
import pytest
import tensorflow as tf

from shared.layers import GatedGRU, GatedLSTM

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not tf.config.list_physical_devices("GPU"), reason="no GPU visible to TensorFlow"),
]


@pytest.mark.parametrize("cls", [GatedLSTM, GatedGRU])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_cudnn_path_matches_cell_loop_and_gate_path(rng, cls, go_backwards):
    x = rng.normal(size=(8, 40, 5)).astype("float32")
    mask = np.ones((8, 40), bool)
    mask[2, 25:] = False  # cuDNN needs right-padded masks
    kwargs = dict(return_sequences=True, go_backwards=go_backwards)
    cudnn, loop = cls(16, use_cudnn=True, **kwargs), cls(16, use_cudnn=False, **kwargs)
    gates = cls(16, return_gates=True, **kwargs)
    for layer in (cudnn, loop, gates):
        layer(x)
    loop.set_weights(cudnn.get_weights())
    gates.set_weights(cudnn.get_weights())
    expected = np.asarray(cudnn(x, mask=mask))
    np.testing.assert_allclose(loop(x, mask=mask), expected, atol=1e-5)
    np.testing.assert_allclose(gates(x, mask=mask)[0], expected, atol=1e-5)

    def grads(layer):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x, mask=mask) ** 2)
        return tape.gradient(loss, layer.trainable_weights)

    for a, b in zip(grads(cudnn), grads(loop)):
        np.testing.assert_allclose(a, b, atol=1e-4)
