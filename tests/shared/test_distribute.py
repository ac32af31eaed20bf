"""shared.layers inside tf.distribute: MirroredStrategy over two logical CPU devices, as Keras' tests do.

Logical devices must be configured before TensorFlow starts, so the check runs in a fresh interpreter.
"""

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from shared.layers import GatedGRU, GatedLSTM

    def build():
        keras.utils.set_random_seed(0)
        inputs = keras.Input((12, 3))
        h = GatedLSTM(8, forget_bias="chrono", chrono_max_steps=12, return_sequences=True)(inputs)
        h = GatedGRU(6)(h)
        model = keras.Model(inputs, keras.layers.Dense(1)(h))
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        return model

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 12, 3)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")

    single = build()
    single.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        mirrored = build()
    mirrored.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(single.get_weights(), mirrored.get_weights()))
    moved = max(float(np.abs(a - b).max()) for a, b in zip(build().get_weights(), single.get_weights()))
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "max_weight_diff": diff, "moved": moved}))
    """
)


def test_mirrored_strategy_on_two_logical_cpus_matches_one_device():
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert report["moved"] > 1e-3  # training changed the weights ...
    assert report["max_weight_diff"] < 1e-5  # ... identically with one device and with two replicas
