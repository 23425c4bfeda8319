"""TF 1.x control flow (v1: Switch, Merge, Enter, Exit, NextIteration, LoopCond), as
`tf.compat.v1` builds it with control flow v2 off: each case builds its graph with
`disable_control_flow_v2` in force (the fixture script restores the default after).

`cond_branches`: a `tf.cond` on a fed predicate, branches reading outer tensors, the
pitfall (an assign_add created outside the branch, used inside, runs every step) beside
the same assign_add created inside the branch (runs only when the branch is taken).
`seed_batch_norm_cond`: the seed question's batch norm: `tf.cond(phase_train,
mean_var_with_update, lambda: (ema.average(mean), ema.average(var)))` with the EMA apply as
a control dependency of `tf.identity` inside the branch.
`while_counter`: `tf.while_loop` summing i from 0 to n (fed), with maximum_iterations.
`while_rnn`: a small RNN as a while loop over a fed sequence (matmul, tanh, invariant
weights captured through Enter).
`nested_cond_in_while`: a cond inside a while body.
"""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _v1():
    tf1.disable_control_flow_v2()


def _every(period, name, resource=False):
    """A predicate that changes from step to step, as a real program's `global_step % N`:
    true at steps 1, 1+period, ... (a counter bumped by the step itself, read through its
    assign, so the order is fixed)."""
    tick = tf1.Variable(0, name=name + "_tick", use_resource=resource)
    now = tf1.assign_add(tick, 1, name=name + "_bump")
    return tf.equal(tf.math.floormod(now, period), 1 % period, name=name)


def cond_branches():
    _v1()
    p = _every(2, "p")
    x = tf.constant([1.0, 2.0, 3.0], name="x")
    outside = tf1.Variable(0.0, name="outside", use_resource=False)
    inside = tf1.Variable(0.0, name="inside", use_resource=False)
    bump_outside = tf1.assign_add(outside, 1.0, name="bump_outside")

    def true_fn():
        with tf1.control_dependencies([bump_outside]):
            a = tf.identity(x * 2.0, name="doubled")
        b = tf1.assign_add(inside, 1.0, name="bump_inside")
        return a + b

    def false_fn():
        return x - 1.0

    y = tf.cond(p, true_fn, false_fn, name="cond")
    z = tf.add(y, 10.0, name="z")
    with tf1.control_dependencies([z, bump_outside]):   # after both: on a false step z does not wait on it
        seen = [tf.identity(outside, name="outside_now"), tf.identity(inside, name="inside_now")]
    return {"fetch": [z] + seen, "steps": 4}


def seed_batch_norm_cond():
    _v1()
    phase_train = _every(3, "phase_train", resource=True)   # train, eval, eval, train, eval
    x = tf1.placeholder(tf.float32, shape=[4, 2], name="x")
    beta = tf1.Variable(tf.constant(0.0, shape=[2]), name="beta", use_resource=True)
    gamma = tf1.Variable(tf.constant(1.0, shape=[2]), name="gamma", use_resource=True)
    batch_mean, batch_var = tf.nn.moments(x, [0], name="moments")
    ema = tf1.train.ExponentialMovingAverage(decay=0.5)

    def mean_var_with_update():
        ema_apply_op = ema.apply([batch_mean, batch_var])
        with tf1.control_dependencies([ema_apply_op]):
            return tf.identity(batch_mean), tf.identity(batch_var)

    mean, var = tf.cond(phase_train, mean_var_with_update,
                        lambda: (ema.average(batch_mean), ema.average(batch_var)))
    normed = tf.nn.batch_normalization(x, mean, var, beta, gamma, 1e-3, name="normed")
    feed_x = [[1.0, 2.0], [3.0, 5.0], [-1.0, 0.5], [2.0, 2.0]]
    return {"fetch": [normed, mean, var], "feeds": {x: feed_x}, "steps": 5}


def while_counter():
    _v1()
    n = tf1.placeholder(tf.int32, shape=[], name="n")
    i0 = tf.constant(0, name="i0")
    s0 = tf.constant(0, name="s0")
    i, s = tf1.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), (i0, s0),
                          maximum_iterations=6, name="while")
    return {"fetch": [i, s], "feeds": {n: 4}, "steps": 3}


def while_rnn():
    _v1()
    xs = tf1.placeholder(tf.float32, shape=[4, 2, 3], name="xs")   # time, batch, input
    w = tf1.Variable(np.linspace(-0.5, 0.5, 15, dtype=np.float32).reshape(3, 5), name="w",
                     use_resource=False)
    u = tf1.Variable(np.linspace(0.3, -0.3, 25, dtype=np.float32).reshape(5, 5), name="u",
                     use_resource=False)
    h0 = tf.zeros([2, 5], name="h0")

    def body(t, h):
        x_t = tf.gather(xs, t)
        return (t + 1, tf.tanh(tf.matmul(x_t, w) + tf.matmul(h, u)))

    _, h = tf1.while_loop(lambda t, h: t < 4, body, (tf.constant(0), h0), name="rnn")
    out = tf.identity(h, name="h_last")
    feed = np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 2, 3).tolist()
    return {"fetch": [out], "feeds": {xs: feed}, "steps": 3}


def nested_cond_in_while():
    _v1()
    n = tf1.placeholder(tf.int32, shape=[], name="n")

    def body(i, acc):
        acc = tf.cond(tf.equal(i % 2, 0), lambda: acc + i, lambda: acc - 1, name="even")
        return (i + 1, acc)

    i, acc = tf1.while_loop(lambda i, acc: i < n, body, (tf.constant(0), tf.constant(100)),
                            name="loop")
    return {"fetch": [i, acc], "feeds": {n: 5}, "steps": 3}


CASES = {
    "cf1_cond_branches": cond_branches,
    "cf1_seed_batch_norm": seed_batch_norm_cond,
    "cf1_while_counter": while_counter,
    "cf1_while_rnn": while_rnn,
    "cf1_nested_cond_in_while": nested_cond_in_while,
}
