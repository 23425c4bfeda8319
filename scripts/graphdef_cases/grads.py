"""Training programs whose gradient graphs use the registered gradients of the array, math and
nn ops beyond matmul/relu/softmax (issue 20): TF writes their gradient ops (ConcatOffset,
InvertPermutation, StridedSliceGrad, SqrtGrad, RsqrtGrad, ReciprocalGrad, Relu6Grad, EluGrad,
AvgPoolGrad, LRNGrad, BroadcastGradientArgs-free reductions...) and idrun imports and runs them.
Inputs are placeholders fed with seeded numbers.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _data(seed: int, shape, scale: float = 1.0) -> list:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32).tolist()


def _labels(seed: int, n: int, classes: int) -> list:
    return np.eye(classes, dtype=np.float32)[np.random.default_rng(seed).integers(0, classes, n)].tolist()


def attention_step():
    """A dot-product attention block as TF1 models wrote it: tf.matmul of rank-3 tensors,
    transpose, expand_dims/squeeze, tile, concat, log_softmax; GradientDescent."""
    tf1.set_random_seed(11)
    x = tf1.placeholder(tf.float32, [2, 3, 4], name="x")
    y = tf1.placeholder(tf.float32, [2, 3], name="y")
    wq = tf1.get_variable("wq", [4, 4], initializer=tf1.truncated_normal_initializer(stddev=0.3))
    wk = tf1.get_variable("wk", [4, 4], initializer=tf1.truncated_normal_initializer(stddev=0.3))
    q = tf.reshape(tf.matmul(tf.reshape(x, [-1, 4]), wq), [2, 3, 4])
    k = tf.reshape(tf.matmul(tf.reshape(x, [-1, 4]), wk), [2, 3, 4])
    scores = tf.matmul(q, tf.transpose(k, [0, 2, 1])) / 2.0
    attn = tf.nn.softmax(scores)
    ctx = tf.matmul(attn, x)
    pooled = tf.squeeze(tf.reduce_mean(ctx, axis=2, keepdims=True), axis=[2])
    tiled = tf.tile(tf.expand_dims(pooled, -1), [1, 1, 2])
    both = tf.concat([tiled, tf.expand_dims(pooled, -1)], axis=2)
    logits = tf.reduce_sum(both, axis=2)
    loss = -tf.reduce_mean(tf.reduce_sum(y * tf.nn.log_softmax(logits), axis=1))
    train = tf1.train.GradientDescentOptimizer(0.5).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 3,
            "feeds": {x: _data(21, [2, 3, 4]), y: _labels(22, 2, 3)}}


def small_convnet_step():
    """A small convnet as the TF1 tutorials built it, with relu6, avg_pool, lrn and elu; Momentum."""
    tf1.set_random_seed(12)
    images = tf1.placeholder(tf.float32, [2, 6, 6, 3], name="images")
    labels = tf1.placeholder(tf.float32, [2, 4], name="labels")
    kernel = tf1.get_variable("kernel", [3, 3, 3, 4], initializer=tf1.truncated_normal_initializer(stddev=0.2))
    conv = tf.nn.relu6(tf.nn.conv2d(images, kernel, [1, 1, 1, 1], padding="SAME"))
    pool = tf.nn.avg_pool2d(conv, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME")
    norm = tf.nn.lrn(pool, 2, bias=1.0, alpha=0.001 / 9.0, beta=0.75)
    act = tf.nn.elu(norm)
    flat = tf.reshape(act, [2, -1])
    weights = tf1.get_variable("weights", [36, 4], initializer=tf1.truncated_normal_initializer(stddev=0.1))
    logits = tf.matmul(flat, weights)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    train = tf1.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 3,
            "feeds": {images: _data(23, [2, 6, 6, 3]), labels: _labels(24, 2, 4)}}


def math_loss_step():
    """A hand-written loss through the elementwise math ops and slicing; Adam."""
    x = tf1.placeholder(tf.float32, [4, 3], name="x")
    w = tf1.Variable([[0.5, -0.25, 1.0], [0.75, 0.5, -0.5], [0.25, 1.5, 0.3]], name="w")
    b = tf1.Variable([0.1, 0.2, 0.3], name="b")
    h = tf.matmul(x, w) + b
    dist = tf.math.squared_difference(h, tf.reduce_mean(h, axis=0))
    scale = tf.sqrt(dist + 1.0) * tf.math.rsqrt(tf.exp(-h) + 1.0)
    clipped = tf.minimum(tf.maximum(scale, 0.2), 5.0)
    padded = tf.pad(clipped, [[1, 0], [0, 1]])
    window = tf.slice(padded, [1, 0], [4, 3])
    sliced = window[:, 1:]
    ratio = tf.math.log(sliced + 1.0) / (tf.abs(b[1:]) + 1.0)
    loss = tf.reduce_sum(tf.pow(ratio, 2.0)) - tf.reduce_mean(tf.negative(h))
    train = tf1.train.AdamOptimizer(0.05).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 3, "feeds": {x: _data(25, [4, 3])}}


CASES = {
    "grads_attention": attention_step,
    "grads_small_convnet": small_convnet_step,
    "grads_math_loss": math_loss_step,
}
