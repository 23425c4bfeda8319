"""Training programs whose gradient crosses a TF 1.x `tf.cond` inside a `tf.while_loop` body
(control flow v1): TF's gradient loop pushes the cond's predicate on a stack each forward
iteration and pops it in the backprop loop to switch the gradient cond
(`gradients/while/cond/Merge_grad/cond_grad`, `.../Switch_grad/cond_grad`). idrun imports and
runs TF's graph; a spec's `gradients`/`minimize` entry builds the same graph
(tests/test_cond_in_loop_gradients.py).

`cond_in_loop_sum_pred`: `h = cond(sum(h) > 0, tanh(h @ W), h * 0.5)` three times from a fed h0,
loss = sum(h); GradientDescent on the resource variable W.
`cond_in_loop_counter_pred`: the predicate is `i % 2 == 0`, so the true branch runs on iterations
0 and 2 and the false one on 1; a ref variable and a bias in the true branch.
`cond_in_loop_fed_pred`: a fed predicate from outside the loop (entered into it), the false
branch returning the loop variable itself (nothing of it pushed: only the true branch pushes,
and f_sync waits on that branch alone); Momentum.
"""

import tensorflow as tf

tf1 = tf.compat.v1


def cond_in_loop_sum_pred():
    tf1.disable_control_flow_v2()
    W = tf1.get_variable("W", initializer=tf.constant([[0.5, -0.3], [0.2, 0.4]]), use_resource=True)
    h0 = tf1.placeholder(tf.float32, [1, 2], name="h0")

    def body(i, h):
        h2 = tf1.cond(tf.reduce_sum(h) > 0, lambda: tf.tanh(tf.matmul(h, W)), lambda: h * 0.5)
        return i + 1, h2
    _, h = tf1.while_loop(lambda i, h: i < 3, body, [tf.constant(0), h0])
    loss = tf.reduce_sum(h, name="loss")
    train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
    return {"fetch": [loss], "targets": [train], "feeds": {h0: [[1.0, 2.0]]}, "steps": 4}


def cond_in_loop_counter_pred():
    tf1.disable_control_flow_v2()
    W = tf1.Variable([[0.5, -0.3], [0.2, 0.4]], name="W", use_resource=False)
    b = tf1.Variable([0.1, -0.2], name="b", use_resource=False)
    h0 = tf1.placeholder(tf.float32, [1, 2], name="h0")

    def body(i, h):
        h2 = tf1.cond(tf.equal(i % 2, 0), lambda: tf.tanh(tf.matmul(h, W) + b), lambda: h * 0.5)
        return i + 1, h2
    _, h = tf1.while_loop(lambda i, h: i < 3, body, [tf.constant(0), h0])
    loss = tf.reduce_sum(tf.square(h), name="loss")
    train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
    return {"fetch": [loss], "targets": [train], "feeds": {h0: [[1.0, -2.0]]}, "steps": 4}


def cond_in_loop_fed_pred():
    tf1.disable_control_flow_v2()
    W = tf1.get_variable("W", initializer=tf.constant([[0.5, -0.3], [0.2, 0.4]]), use_resource=True)
    h0 = tf1.placeholder(tf.float32, [1, 2], name="h0")
    p = tf1.placeholder(tf.bool, [], name="p")

    def body(i, h):
        return i + 1, tf1.cond(p, lambda: tf.tanh(tf.matmul(h, W)), lambda: h)
    _, h = tf1.while_loop(lambda i, h: i < 3, body, [tf.constant(0), h0])
    loss = tf.reduce_sum(h, name="loss")
    train = tf1.train.MomentumOptimizer(0.1, 0.9).minimize(loss, name="train")
    return {"fetch": [loss], "targets": [train], "feeds": {h0: [[1.0, 2.0]], p: True}, "steps": 4}


CASES = {
    "cond_in_loop_sum_pred": cond_in_loop_sum_pred,
    "cond_in_loop_counter_pred": cond_in_loop_counter_pred,
    "cond_in_loop_fed_pred": cond_in_loop_fed_pred,
}
