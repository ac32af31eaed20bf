"""Copies of trained Keras models.

A compiled model nested inside another (an ensemble's members) is saved with its own training configuration
(optimizer, loss, ``jit_compile``), and Keras compiles it again whenever the outer file is loaded, even with
``compile=False``. A member trained on JAX, where ``jit_compile`` resolves to True, then makes every load on
TensorFlow, which does not compile the gated layers with XLA, warn "Model doesn't support `jit_compile=True`".
An ensemble therefore nests :func:`inference_copy` of each member.
"""

import random


def inference_copy(model):
    """A copy of a trained ``model``: the same layers, names and weights, and no training configuration.

    ``keras.models.clone_model`` would compile the copy as the original was, so the copy is rebuilt from
    ``model.get_config()`` (built and its variables created in the current ``tf.distribute`` strategy's scope,
    if any) and given ``model.get_weights()``, frozen weights included. Random-generator states are not
    copied: they matter to training only (dropout), not to prediction. Rebuilding a layer without a seed draws
    one from Python's ``random`` (as Keras does); its state is put back, so that making a copy changes no later
    result of a seeded run.

    Args:
        model: a built ``keras.Model`` whose layers are registered Keras serialisables.

    Returns:
        A new, uncompiled ``keras.Model`` whose outputs equal ``model``'s on any input.
    """
    state = random.getstate()
    try:
        copy = model.__class__.from_config(model.get_config())
    finally:
        random.setstate(state)
    copy.set_weights(model.get_weights())
    return copy
