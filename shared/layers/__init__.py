"""Gated recurrent building blocks as serialisable Keras 3 layers.

Every layer here is written with ``keras.ops`` (so it runs on the TensorFlow, JAX and PyTorch backends:
``tests/shared/test_backends.py`` reloads a model saved under TensorFlow on each and compares outputs and gates;
its PyTorch cases skip unless ``torch`` is installed, which ``dev`` leaves out for its size), is
registered with ``keras.saving.register_keras_serializable(package="shared")``, round-trips through
``get_config``/``from_config`` and through ``.keras`` files loaded with ``safe_mode=True``, and follows a
mixed-precision dtype policy (float32 weights, float16 or bfloat16 outputs). ``shared.testing.check_layer``
checks each of these.
"""

from shared.layers.gate_outputs import gate_activations
from shared.layers.gated_lstm import GatedLSTM, GatedLSTMCell
from shared.layers.gated_gru import GatedGRU, GatedGRUCell
from shared.layers.leaky import LeakyIntegrator, LeakyIntegratorCell
from shared.layers.attention import AttentionPooling
from shared.layers.conv import ConvFrontEnd
from shared.layers.dense_temporal import DenseTemporalCell, DenseTemporalRNN
