"""Training as the CIFAR-10 tutorials write it: a staircase exponential_decay learning rate
fed to GradientDescent's apply_gradients, gradients through LRN and add_n (the weight decays'
total loss), and two towers whose compute_gradients are averaged (expand_dims, concat,
reduce_mean) before one apply, in ref and resource form."""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _images(seed: int, shape: list) -> list:
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32).round(3).tolist()


def _model(images, kernel, weights):
    """conv -> relu -> max_pool -> lrn -> dense, a weight decay: the loss and its parts."""
    conv = tf.nn.relu(tf.nn.conv2d(images, kernel, [1, 1, 1, 1], padding="SAME"))
    pool = tf.nn.max_pool(conv, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME", name="pool")
    norm = tf.nn.lrn(pool, 2, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm")
    logits = tf.matmul(tf.reshape(norm, [2, -1]), weights)
    xent = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant([1, 3], tf.int64), logits=logits), name="cross_entropy")
    decay = tf.multiply(tf.nn.l2_loss(weights), 0.004, name="weight_loss")
    return tf.math.add_n([decay, xent], name="total_loss")


def _variables(resource: bool):
    tf1.set_random_seed(3)
    kernel = tf1.get_variable("kernel", [3, 3, 2, 4], initializer=tf1.truncated_normal_initializer(
        stddev=0.1, seed=1), use_resource=resource)
    weights = tf1.get_variable("weights", [2 * 2 * 4, 4], initializer=tf1.truncated_normal_initializer(
        stddev=0.1, seed=2), use_resource=resource)
    step = tf1.Variable(0, dtype=tf.int64, name="global_step", trainable=False, use_resource=resource)
    return kernel, weights, step


def decayed_sgd(resource: bool):
    """cifar10.train(): lr = exponential_decay(staircase), compute_gradients, apply_gradients."""
    kernel, weights, step = _variables(resource)
    loss = _model(tf.constant(_images(1, [2, 4, 4, 2])), kernel, weights)
    lr = tf1.train.exponential_decay(0.5, step, 2, 0.1, staircase=True)
    opt = tf1.train.GradientDescentOptimizer(lr)
    train = opt.apply_gradients(opt.compute_gradients(loss), global_step=step)
    return {"fetch": [loss, lr], "targets": [train], "steps": 4}


def two_towers(resource: bool):
    """cifar10_multi_gpu_train: a tower per device, the towers' gradients averaged on CPU:0."""
    with tf1.device("/device:CPU:0"):
        kernel, weights, step = _variables(resource)
        lr = tf1.train.exponential_decay(0.5, step, 3, 0.5)
        opt = tf1.train.GradientDescentOptimizer(lr)
    tower_grads, losses = [], []
    for i in range(2):
        with tf1.device(f"/device:CPU:{i + 1}"), tf1.name_scope(f"tower_{i}"):
            loss = _model(tf.constant(_images(10 + i, [2, 4, 4, 2])), kernel, weights)
            losses.append(loss)
            tower_grads.append(opt.compute_gradients(loss))
    with tf1.device("/device:CPU:0"):
        averaged = []
        for pairs in zip(*tower_grads):
            grad = tf.reduce_mean(tf.concat([tf.expand_dims(g, 0) for g, _ in pairs], axis=0), 0)
            averaged.append((grad, pairs[0][1]))
        train = opt.apply_gradients(averaged, global_step=step)
    return {"fetch": losses + [lr], "targets": [train], "steps": 4, "cpus": 3}


CASES = {
    "cifar_decayed_sgd_ref": lambda: decayed_sgd(False),
    "cifar_decayed_sgd_resource": lambda: decayed_sgd(True),
    "cifar_two_towers_ref": lambda: two_towers(False),
    "cifar_two_towers_resource": lambda: two_towers(True),
}
