"""Gated recurrent building blocks as serialisable Keras 3 layers.

Every layer here is written with ``keras.ops`` (so it runs on the TensorFlow, JAX and PyTorch backends), is
registered with ``keras.saving.register_keras_serializable(package="shared")``, round-trips through
``get_config``/``from_config`` and through ``.keras`` files loaded with ``safe_mode=True``.
"""
