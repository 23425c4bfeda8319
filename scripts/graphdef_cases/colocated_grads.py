"""Gradients colocated with their ops, as tensorflow/nmt's model.py builds its update:
`tf.gradients(train_loss, tf.trainable_variables(), colocate_gradients_with_ops=True)` then
`opt.apply_gradients(zip(gradients, params), global_step)`, with the layers on devices of their
own (nmt's `get_device_str`) and the variables on CPU:0. Without the flag the same program puts
every gradient op where `tf.gradients` was called; the transfers differ, and TF's run says how."""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def layered(colocate: bool, resource: bool):
    rng = np.random.default_rng(7)
    with tf1.device("/device:CPU:0"):
        w0 = tf1.get_variable("layer_0/kernel", initializer=rng.normal(size=[4, 6]).astype(np.float32) * 0.3,
                              use_resource=resource)
        w1 = tf1.get_variable("layer_1/kernel", initializer=rng.normal(size=[6, 3]).astype(np.float32) * 0.3,
                              use_resource=resource)
        step = tf1.Variable(0, dtype=tf.int64, name="global_step", trainable=False, use_resource=resource)
    x = tf.constant(rng.normal(size=[5, 4]).astype(np.float32).round(3))
    labels = tf.constant([0, 2, 1, 1, 0])
    with tf1.device("/device:CPU:1"):
        h = tf.tanh(tf.matmul(x, w0), name="layer_0/tanh")
    with tf1.device("/device:CPU:2"):
        logits = tf.matmul(h, w1, name="layer_1/logits")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
                              name="train_loss")
    params = tf1.trainable_variables()
    gradients = tf1.gradients(loss, params, colocate_gradients_with_ops=colocate)
    update = tf1.train.GradientDescentOptimizer(0.5).apply_gradients(zip(gradients, params), global_step=step)
    return {"fetch": [loss], "targets": [update], "steps": 4, "cpus": 3}


CASES = {
    "colocated_grads_resource": lambda: layered(True, True),
    "uncolocated_grads_resource": lambda: layered(False, True),
}
