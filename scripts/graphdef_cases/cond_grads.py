"""Training programs whose gradient crosses a TF 1.x `tf.cond` (control flow v1: Switch and
Merge), as `tf.compat.v1` builds them with control flow v2 off. TF writes the gradient's own
Switch/Merge (`gradients/cond/Merge_grad/cond_grad`, `gradients/Switch_grad/cond_grad`...) and
idrun imports and runs them. The predicate changes from step to step (a counter bumped by the
step itself), so both branches' gradients run.

`cond_grad_branches`: a cond whose branches use the variables differently; GradientDescent.
`cond_grad_batch_norm`: the seed's batch norm trained: `is_training` chooses the batch
statistics (with the moving-average update inside the branch) or the moving averages;
GradientDescent on beta, gamma and a weight before it. Resource variables throughout (the
EMA's own are resource in TF 2.x's tf.compat.v1).
"""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _every(period, name, resource=False):
    """True at steps 1, 1+period, ... (a counter bumped by the step itself)."""
    tick = tf1.Variable(0, name=name + "_tick", use_resource=resource)
    now = tf1.assign_add(tick, 1, name=name + "_bump")
    return tf.equal(tf.math.floormod(now, period), 1 % period, name=name)


def cond_grad_branches():
    tf1.disable_control_flow_v2()
    p = _every(2, "p")
    x = tf1.placeholder(tf.float32, [3], name="x")
    w = tf1.Variable([0.5, -1.0, 2.0], name="w", use_resource=False)
    v = tf1.Variable([1.5, 0.25, -0.5], name="v", use_resource=False)
    y = tf.cond(p, lambda: x * w * v, lambda: tf.square(w) + x, name="cond")
    loss = tf.reduce_sum(y * y, name="loss")
    train = tf1.train.GradientDescentOptimizer(0.05).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4,
            "feeds": {x: [1.0, 2.0, -1.0]}}


def cond_grad_batch_norm():
    tf1.disable_control_flow_v2()
    is_training = _every(3, "is_training", resource=True)   # train, eval, eval, train, ...
    x = tf1.placeholder(tf.float32, [4, 2], name="x")
    w = tf1.Variable([[1.0, 0.5], [-0.5, 1.0]], name="w", use_resource=True)
    h = tf.matmul(x, w)
    beta = tf1.Variable(tf.constant(0.0, shape=[2]), name="beta", use_resource=True)
    gamma = tf1.Variable(tf.constant(1.0, shape=[2]), name="gamma", use_resource=True)
    batch_mean, batch_var = tf.nn.moments(h, [0], name="moments")
    ema = tf1.train.ExponentialMovingAverage(decay=0.5)

    def mean_var_with_update():
        ema_apply_op = ema.apply([batch_mean, batch_var])
        with tf1.control_dependencies([ema_apply_op]):
            return tf.identity(batch_mean), tf.identity(batch_var)

    mean, var = tf.cond(is_training, mean_var_with_update,
                        lambda: (ema.average(batch_mean), ema.average(batch_var)))
    normed = tf.nn.batch_normalization(h, mean, var, beta, gamma, 1e-3, name="normed")
    loss = tf.reduce_mean(tf.square(normed - 1.0), name="loss")
    train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed_x = [[1.0, 2.0], [3.0, 5.0], [-1.0, 0.5], [2.0, 2.0]]
    return {"fetch": [loss, mean], "targets": [train], "feeds": {x: feed_x},
            "steps": 5}


CASES = {
    "cond_grad_branches": cond_grad_branches,
    "cond_grad_batch_norm": cond_grad_batch_norm,
}
