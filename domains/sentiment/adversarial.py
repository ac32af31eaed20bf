"""Adversarial training on the token embeddings (Miyato, Dai & Goodfellow 2017, "Adversarial training methods for
semi-supervised text classification", ICLR).

Each step adds to the loss L(x) the loss of the same batch with every text's token embeddings moved by

    r = epsilon * g / ||g||,   g = dL / d(embeddings of the text),

the norm taken over the text's tokens and embedding dimensions together (padding has no gradient, so it is not
moved): the small change of the text's embeddings that raises its loss most, to first order. The model is
trained to hold its answer under that change. Both terms are Keras' ``compute_loss``, which adds the layers'
penalties (the wide part's L2, ``--wide-l2``), so with adversarial training a penalty counts twice: the shipped
recipe (``--wide-l2 1e-5 --adversarial 0.2``) was chosen and trained so, an effective wide L2 of 2e-5.

The perturbation enters through the ``perturbation`` input of a model built with ``build_model(...,
perturbation=True)`` (:mod:`domains.sentiment.model`): the training model has it, the saved model does not
(:func:`domains.sentiment.train.train` copies the weights across).

The training step uses ``tf.GradientTape``: this trainer runs on the TensorFlow backend, as training in
:mod:`domains.sentiment.train` does.
"""

import keras
import tensorflow as tf


def adversarial_perturbation(gradient, epsilon):
    """``epsilon * g / ||g||`` per text: ``gradient`` float ``(batch, T, embed_dim)``, the norm over axes 1 and 2.

    A text whose gradient is zero gets no perturbation.
    """
    norm = tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=[1, 2], keepdims=True))
    return epsilon * tf.math.divide_no_nan(gradient, norm)


class AdversarialTraining(keras.Model):
    """Trains ``model`` (inputs including ``perturbation``, ``(batch, T, embed_dim)``) on its loss plus the loss
    at the adversarial perturbation of radius ``epsilon`` (:func:`adversarial_perturbation`).

    Calling it (prediction, validation) feeds a zero perturbation, so it answers as the model does. Compile and
    fit it as any Keras model; its weights are ``model``'s.
    """

    def __init__(self, model, epsilon, **kwargs):
        super().__init__(**kwargs)
        if epsilon <= 0:
            raise ValueError(f"epsilon {epsilon}: must be > 0")
        self.network, self.epsilon = model, float(epsilon)
        self.embed_dim = model.get_layer("embedding").output_dim
        self.built = model.built

    def _with(self, x, perturbation):
        return {**x, "perturbation": perturbation}

    def zero_perturbation(self, x):
        """Zeros shaped like the embeddings of the batch ``x`` (its ``tokens``: ``(batch, T)``)."""
        return tf.zeros(tf.concat([tf.shape(x["tokens"]), [self.embed_dim]], axis=0))

    def call(self, x, training=False):
        return self.network(self._with(x, self.zero_perturbation(x)), training=training)

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        zero = self.zero_perturbation(x)
        with tf.GradientTape() as tape:
            tape.watch(zero)
            y_pred = self.network(self._with(x, zero), training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        embedding_gradient, *gradients = tape.gradient(loss, [zero, *self.trainable_variables])  # one backward pass
        r = tf.stop_gradient(adversarial_perturbation(embedding_gradient, self.epsilon))
        with tf.GradientTape() as tape:
            adversarial = self.compute_loss(x=x, y=y, y_pred=self.network(self._with(x, r), training=True),
                                            sample_weight=sample_weight)
        gradients = [tf.convert_to_tensor(a) + tf.convert_to_tensor(b)
                     for a, b in zip(gradients, tape.gradient(adversarial, self.trainable_variables))]
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        # the loss tracker logs both terms, per text and unscaled by the replica count as Keras' own train_step does;
        # compute_metrics updates the compiled metrics
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state((loss + adversarial) * replicas, sample_weight=tf.shape(x["tokens"])[0])
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
