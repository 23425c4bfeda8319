"""Training programs whose gradient graphs use the registered gradients of reduce_prod, cumsum,
cumprod, unsorted_segment_sum, mirror_pad, floormod and fill (issue 20): TF writes their gradient
ops (ListDiff, Cumprod, InvertPermutation, BroadcastTo, the GatherV2/SelectV2 of
`_GatherDropNegatives`, MirrorPadGrad, FloorDiv...) and idrun imports and runs them. Inputs are
placeholders fed with seeded numbers.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _data(seed: int, shape, scale: float = 1.0) -> list:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32).tolist()


def prod_cumsum_step():
    """A product over rows and running sums: reduce_prod (axis and keepdims), cumsum (exclusive,
    reverse), cumprod; GradientDescent."""
    x = tf1.placeholder(tf.float32, [3, 4], name="x")
    w = tf1.Variable([[0.9, 1.1, 0.8, 1.2], [1.05, 0.95, 1.0, 0.7], [0.6, 1.3, 1.1, 0.9]], name="w")
    h = x * w
    p = tf.reduce_prod(h, axis=1)
    q = tf.reduce_prod(h, axis=[0], keepdims=True)
    run = tf.math.cumsum(h, axis=1, exclusive=True) + tf.math.cumsum(h, axis=0, reverse=True)
    cp = tf.math.cumprod(w, axis=1)
    loss = (tf.reduce_sum(tf.square(p - 0.5)) + tf.reduce_sum(q * q) + tf.reduce_mean(run * run)
            + 0.1 * tf.reduce_sum(cp))
    train = tf1.train.GradientDescentOptimizer(0.05).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4, "feeds": {x: _data(31, [3, 4], 0.5)}}


def segments_step():
    """Per-segment sums of rows (a negative id drops the row), fill and floormod; Momentum."""
    x = tf1.placeholder(tf.float32, [5, 3], name="x")
    ids = tf.constant([0, 2, -1, 2, 1], name="ids")
    w = tf1.Variable([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5], [0.3, 0.2, 0.1]], name="w")
    s = tf1.Variable(0.7, name="s")
    rows = tf.matmul(x, w)
    seg = tf.math.unsorted_segment_sum(rows, ids, 3)
    bias = tf.fill([3, 3], s)
    mod = tf.math.floormod(seg + bias, 1.7)
    loss = tf.reduce_sum(tf.square(seg + bias)) + tf.reduce_sum(mod)
    train = tf1.train.MomentumOptimizer(0.02, 0.9).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4, "feeds": {x: _data(32, [5, 3])}}


def mirror_pad_step():
    """A convolution over a reflect-padded image and a symmetric-padded matrix; Adam."""
    tf1.set_random_seed(13)
    images = tf1.placeholder(tf.float32, [2, 5, 5, 2], name="images")
    kernel = tf1.get_variable("kernel", [3, 3, 2, 3], initializer=tf1.truncated_normal_initializer(stddev=0.3))
    w = tf1.Variable([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]], name="w")
    padded = tf.pad(images, [[0, 0], [1, 1], [2, 1], [0, 0]], mode="REFLECT")
    conv = tf.nn.conv2d(padded, kernel, [1, 1, 1, 1], padding="VALID")
    sym = tf.pad(w, [[1, 2], [0, 3]], mode="SYMMETRIC")
    loss = tf.reduce_mean(tf.square(conv)) + tf.reduce_sum(tf.square(sym - 1.0))
    train = tf1.train.AdamOptimizer(0.05).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 3, "feeds": {images: _data(33, [2, 5, 5, 2])}}


CASES = {
    "more_grads_prod_cumsum": prod_cumsum_step,
    "more_grads_segments": segments_step,
    "more_grads_mirror_pad": mirror_pad_step,
}
