"""Training programs whose gradients TF 1.x builds from the graphs idrun used to refuse (issue
20): a gather on another axis (column selection) and with batch_dims (each example's own
positions), reductions over axes fed at run time (`reduced_shape`'s DynamicStitch in the Sum,
Mean, Max and Prod gradients), tf.dynamic_stitch on the path (`_DynamicStitchGrads`'s
GatherV2s) and a lookup in concatenated tables (the IndexedSlices split by `_ConcatGradHelper`) or in a
table a v1 cond chooses (the IndexedSlices switched and merged per component),
in both variable modes, trained a few steps with TF's optimizers.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1
B, T, D, C = 3, 4, 5, 6


def _normal(seed: int, shape: list) -> list:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32).tolist()


def column_gather(resource: bool):
    """Features picked by column (tf.gather axis=1) from a projected input: the dense gradient
    through _GatherV2Grad's transposes and UnsortedSegmentSum, then Adam."""
    tf1.set_random_seed(31)
    x = tf1.placeholder(tf.float32, [B, D], name="x")
    target = tf1.placeholder(tf.float32, [B, 4], name="target")
    w = tf1.Variable(tf1.truncated_normal([D, C], stddev=0.5), name="w", use_resource=resource)
    h = tf.tanh(tf.matmul(x, w))
    picked = tf1.gather(h, [5, 0, 2, 0], axis=1)
    loss = tf.reduce_mean(tf.square(picked - target))
    train = tf1.train.AdamOptimizer(0.05).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4,
            "feeds": {x: _normal(1, [B, D]), target: _normal(2, [B, 4])}}


def batch_gather(resource: bool):
    """Each example's own time steps (tf.gather axis=1, batch_dims=1, as pointer networks pick
    encoder states): _BatchGatherGrad's batch offsets, then Momentum."""
    tf1.set_random_seed(32)
    x = tf1.placeholder(tf.float32, [B * T, D], name="x")
    positions = tf1.placeholder(tf.int32, [B, 2], name="positions")
    w = tf1.Variable(tf1.truncated_normal([D, C], stddev=0.5), name="w", use_resource=resource)
    states = tf.reshape(tf.matmul(x, w), [B, T, C])
    picked = tf.gather(states, positions, axis=1, batch_dims=1)
    loss = tf.reduce_sum(tf.square(picked)) * 0.1
    train = tf1.train.MomentumOptimizer(0.05, 0.9).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4,
            "feeds": {x: _normal(3, [B * T, D]), positions: [[3, 0], [1, 1], [2, 3]]}}


def fed_axes(resource: bool):
    """Reductions over an axis given at run time (placeholder_with_default, as a configurable
    pooling axis): Sum, Mean, Max and Prod gradients stitch the kept-dims shape (DynamicStitch)."""
    tf1.set_random_seed(33)
    x = tf1.placeholder(tf.float32, [B, D], name="x")
    w = tf1.Variable(tf1.truncated_normal([D, C], stddev=0.5), name="w", use_resource=resource)
    h = tf.sigmoid(tf.matmul(x, w))
    axis = tf1.placeholder_with_default([1], [1], name="axis")
    pooled = (tf.reduce_sum(h, axis) + tf.reduce_mean(h, axis) + tf.reduce_max(h, axis)
              + tf.reduce_prod(h + 0.5, axis))
    loss = tf.reduce_sum(tf.square(tf.reshape(pooled, [B]) - 2.0))
    train = tf1.train.GradientDescentOptimizer(0.05).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4, "feeds": {x: _normal(4, [B, D])}}


def stitched(resource: bool):
    """Two variables' rows interleaved by tf.dynamic_stitch (as data_flow_ops partitions merge
    back): each gets the gradient gathered at its indices, then RMSProp."""
    tf1.set_random_seed(34)
    a = tf1.Variable(tf1.truncated_normal([2, C], stddev=0.5), name="a", use_resource=resource)
    b = tf1.Variable(tf1.truncated_normal([3, C], stddev=0.5), name="b", use_resource=resource)
    merged = tf.dynamic_stitch([[4, 1], [0, 2, 3]], [a, b])
    x = tf1.placeholder(tf.float32, [B, 5], name="x")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, merged) - 1.0))
    train = tf1.train.RMSPropOptimizer(0.05).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4, "feeds": {x: _normal(5, [B, 5])}}


def concat_tables(resource: bool):
    """Two embedding tables joined (a base vocabulary and an extra one on axis 0, then a second
    feature table beside them on axis 1) and looked up: the lookup's IndexedSlices reach the
    concats, whose gradients split it sparse (`_ConcatGradHelper`), so each table gets its own
    sparse update (Adagrad)."""
    tf1.set_random_seed(35)
    ids = tf1.placeholder(tf.int32, [B * 2], name="ids")
    base = tf1.Variable(tf1.random_uniform([4, 3], -1.0, 1.0), name="base", use_resource=resource)
    extra = tf1.Variable(tf1.random_uniform([2, 3], -1.0, 1.0), name="extra", use_resource=resource)
    side = tf1.Variable(tf1.random_uniform([6, 2], -1.0, 1.0), name="side", use_resource=resource)
    table = tf.concat([tf.concat([base, extra], 0), side], 1)
    rows = tf.nn.embedding_lookup(table, ids)
    loss = tf.reduce_sum(tf.square(rows - 0.5))
    train = tf1.train.AdagradOptimizer(0.3).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4, "feeds": {ids: [5, 0, 3, 5, 4, 1]}}


def cond_rows(resource: bool):
    """Rows looked up in a table a v1 cond chooses (as a train/eval switch picks a dropped-out or
    a plain projection): the lookup's IndexedSlices pass the cond's Merge (switched per
    component) and each branch's Switch (merged with the other side's zeros made IndexedSlices).
    The predicate alternates with a step counter."""
    tf1.disable_control_flow_v2()
    tf1.set_random_seed(36)
    tick = tf1.Variable(0, name="tick", use_resource=resource)
    odd = tf.equal(tf.math.floormod(tf1.assign_add(tick, 1), 2), 1, name="odd")
    w = tf1.Variable(tf1.random_uniform([5, 3], -1.0, 1.0), name="w", use_resource=resource)
    x = tf.multiply(w, 1.5, name="x")
    table = tf1.cond(odd, lambda: tf.identity(x), lambda: x * 0.5, name="c")
    ids = tf1.placeholder(tf.int32, [4], name="ids")
    rows = tf1.gather(table, ids)
    loss = tf.reduce_sum(tf.square(rows - 0.25))
    train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4, "feeds": {ids: [4, 0, 4, 2]}}


CASES = {}
for _name, _build in (("column_gather", column_gather), ("batch_gather", batch_gather), ("fed_axes", fed_axes),
                      ("stitched", stitched), ("concat_tables", concat_tables),
                      ("cond_rows", cond_rows)):
    for _mode in ("ref", "resource"):
        CASES[f"gaps_{_name}_{_mode}"] = (lambda f=_build, r=(_mode == "resource"): f(r))
