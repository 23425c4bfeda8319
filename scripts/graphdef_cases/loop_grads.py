"""Training programs whose gradient crosses a TF 1.x `tf.while_loop` (control flow v1), as
`tf.compat.v1` builds them with control flow v2 off: TF writes the gradient loop
(`gradients/f_count`, `gradients/b_count`, `gradients/while/..._grad/StackPushV2`/`StackPopV2`,
`Enter_grad/b_acc` accumulators) and idrun imports and runs it. The same graphs are what a
spec's `gradients`/`minimize` entry builds through a `while_loop` (tests/test_loop_gradients.py).

`loop_grad_tanh_rnn`: `h = tanh(h @ W + b)` three times from a fed h0, loss = sum(h);
GradientDescent on the resource variables W and b.
`loop_grad_fed_steps`: a fed number of iterations of `h = h * w + sigmoid(h)` (elementwise, a
loop invariant read twice, a ref variable); Momentum.
`loop_grad_basic_rnn_cell`: BasicRNNCell's step (concat, matmul, bias_add, tanh) over TensorArrays
as dynamic_rnn builds it (the input unstacked, the outputs written and stacked), with an unknown
batch dimension (the gradient pushes Shapes on stacks); GradientDescent.
"""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def loop_grad_tanh_rnn():
    tf1.disable_control_flow_v2()
    W = tf1.get_variable("W", initializer=tf.constant([[0.5, -0.3], [0.2, 0.4]]), use_resource=True)
    b = tf1.get_variable("b", initializer=tf.constant([0.1, -0.1]), use_resource=True)
    h0 = tf1.placeholder(tf.float32, [1, 2], name="h0")
    i0 = tf.constant(0, name="i0")
    _, h = tf1.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, tf.tanh(tf.matmul(h, W) + b)), [i0, h0])
    loss = tf.reduce_sum(h, name="loss")
    train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
    return {"fetch": [loss], "targets": [train], "feeds": {h0: [[1.0, 2.0]]}, "steps": 4}


def loop_grad_fed_steps():
    tf1.disable_control_flow_v2()
    n = tf1.placeholder(tf.int32, [], name="n")
    x = tf1.placeholder(tf.float32, [3], name="x")
    w = tf1.Variable([0.9, -0.5, 0.3], name="w", use_resource=False)
    _, h = tf1.while_loop(lambda i, h: i < n, lambda i, h: (i + 1, h * w + tf.sigmoid(h)), [0, x])
    loss = tf.reduce_sum(tf.square(h), name="loss")
    train = tf1.train.MomentumOptimizer(0.01, 0.9).minimize(loss)
    return {"fetch": [loss], "targets": [train], "feeds": {n: 4, x: [0.5, -1.0, 2.0]}, "steps": 4}


def loop_grad_basic_rnn_cell():
    tf1.disable_control_flow_v2()
    x = tf1.placeholder(tf.float32, [4, None, 3], name="x")
    h0 = tf1.placeholder(tf.float32, [None, 4], name="h0")
    kernel = tf1.get_variable("kernel", initializer=tf.constant(
        np.linspace(-0.5, 0.5, 28, dtype=np.float32).reshape(7, 4)), use_resource=True)
    b = tf1.get_variable("b", initializer=tf.constant([0.1, -0.1, 0.05, 0.0]), use_resource=True)
    input_ta = tf.TensorArray(tf.float32, size=4, element_shape=[None, 3], name="input_ta").unstack(x)
    output_ta = tf.TensorArray(tf.float32, size=4, element_shape=[None, 4], name="output_ta")

    def body(t, out, h):
        h1 = tf.tanh(tf.nn.bias_add(tf.matmul(tf.concat([input_ta.read(t), h], 1), kernel), b))
        return t + 1, out.write(t, h1), h1
    _, out, _ = tf1.while_loop(lambda t, o, h: t < 4, body, [tf.constant(0), output_ta, h0])
    target = np.linspace(-0.5, 0.5, 32, dtype=np.float32).reshape(4, 2, 4)
    loss = tf.reduce_mean(tf.square(out.stack() - target), name="loss")
    train = tf1.train.GradientDescentOptimizer(0.5).minimize(loss, name="train")
    feed_x = np.linspace(-1, 1, 24, dtype=np.float32).reshape(4, 2, 3).tolist()
    return {"fetch": [loss], "targets": [train], "feeds": {x: feed_x, h0: [[0.0] * 4, [0.0] * 4]}, "steps": 4}


CASES = {
    "loop_grad_tanh_rnn": loop_grad_tanh_rnn,
    "loop_grad_fed_steps": loop_grad_fed_steps,
    "loop_grad_basic_rnn_cell": loop_grad_basic_rnn_cell,
}
