"""TensorArray loops as TF 1.x builds them with control flow v1 (TensorArrayV3 and its
read/write/gather/scatter ops, a float `flow` ordering them through the loop; StackV2 and
its push/pop as the gradient's accumulators).

The cells' weights come from a seeded `random_uniform_initializer` (TF's Philox: idrun draws the
same numbers), so that each unit computes something different.
`rnn1_basic`: `tf1.nn.dynamic_rnn` with a BasicRNNCell over a fed [batch, time, dim] sequence.
`rnn1_lstm`: the same with an LSTMCell (state_is_tuple).
`rnn1_gru_lengths`: dynamic_rnn with a GRUCell and a fed `sequence_length` (rows stop early:
their outputs are zeros and their state is copied through, as `_rnn_step` selects).
`rnn1_map_fn`: `tf.map_fn` squaring and summing each row of a fed matrix.
`rnn1_scan`: `tf.scan` cumulative sum over a fed vector's rows.
`rnn1_scan_grad`: tf.gradients of a tf.scan running product and of a tf.map_fn (x * tanh x) through their
loops (TensorArrayGradV3 of the scanned and stacked arrays, StackV2 accumulators).
`rnn1_train`: a dynamic_rnn training step: squared-error loss, `GradientDescentOptimizer`
minimize (tf.gradients through the while loop: StackV2 accumulators, TensorArrayGradV3).
`rnn1_dynamic_array`: a `tf.TensorArray(size=0, dynamic_size=True)` grown in a while loop of
a fed number of iterations, reading a TensorArray split from a fed vector; then its stack,
size and concat (TensorArraySizeV3, TensorArrayConcatV3, TensorArraySplitV3, close).
"""

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import rnn_cell_impl  # tf1.nn.rnn_cell's cells (Keras 3 hides that path)

tf1 = tf.compat.v1


def _v1():
    tf1.disable_control_flow_v2()


SEQ = np.linspace(-1, 1, 2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3).tolist()


def _rnn(cell_kind):
    x = tf1.placeholder(tf.float32, shape=[2, 4, 3], name="x")
    with tf1.variable_scope("rnn_vars", initializer=tf1.random_uniform_initializer(-0.5, 0.5, seed=7)):
        if cell_kind == "basic":
            cell = rnn_cell_impl.BasicRNNCell(5)
        else:
            cell = rnn_cell_impl.LSTMCell(4)
        outputs, state = tf1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    return x, outputs, state


def basic():
    _v1()
    x, outputs, state = _rnn("basic")
    return {"fetch": [tf.identity(outputs, name="outputs"), tf.identity(state, name="state")],
            "feeds": {x: SEQ}, "steps": 3}


def lstm():
    _v1()
    x, outputs, state = _rnn("lstm")
    return {"fetch": [tf.identity(outputs, name="outputs"), tf.identity(state.c, name="c"),
                      tf.identity(state.h, name="h")], "feeds": {x: SEQ}, "steps": 3}


def gru_lengths():
    _v1()
    x = tf1.placeholder(tf.float32, shape=[2, 4, 3], name="x")
    lengths = tf1.placeholder(tf.int32, shape=[2], name="lengths")
    with tf1.variable_scope("rnn_vars", initializer=tf1.random_uniform_initializer(-0.5, 0.5, seed=7)):
        cell = rnn_cell_impl.GRUCell(3)
        outputs, state = tf1.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    return {"fetch": [tf.identity(outputs, name="outputs"), tf.identity(state, name="state")],
            "feeds": {x: SEQ, lengths: [4, 2]}, "steps": 3}


def map_fn():
    _v1()
    m = tf1.placeholder(tf.float32, shape=[4, 3], name="m")
    out = tf.map_fn(lambda row: tf.reduce_sum(row * row), m, name="squares")
    feed = np.linspace(-2, 2, 12, dtype=np.float32).reshape(4, 3).tolist()
    return {"fetch": [tf.identity(out, name="out")], "feeds": {m: feed}, "steps": 3}


def scan():
    _v1()
    v = tf1.placeholder(tf.float32, shape=[5, 2], name="v")
    out = tf.scan(lambda acc, row: acc + row, v, name="cumsum")
    feed = np.linspace(-1, 3, 10, dtype=np.float32).reshape(5, 2).tolist()
    return {"fetch": [tf.identity(out, name="out")], "feeds": {v: feed}, "steps": 3}


def scan_grad():
    _v1()
    v = tf1.placeholder(tf.float32, shape=[4, 2], name="v")
    prods = tf.scan(lambda acc, row: acc * row, v, name="cumprod")
    squashed = tf.map_fn(lambda row: tf.tanh(row) * row, v, name="squash")
    loss = tf.add(tf.reduce_sum(prods), tf.reduce_sum(squashed), name="loss")
    grad = tf.identity(tf1.gradients(loss, v)[0], name="grad")
    feed = np.linspace(-1.5, 2.0, 8, dtype=np.float32).reshape(4, 2).tolist()
    return {"fetch": [loss, grad], "feeds": {v: feed}, "steps": 3}


def train():
    _v1()
    x = tf1.placeholder(tf.float32, shape=[2, 4, 3], name="x")
    with tf1.variable_scope("rnn_vars", initializer=tf1.random_uniform_initializer(-0.5, 0.5, seed=7)):
        cell = rnn_cell_impl.BasicRNNCell(5)
        outputs, state = tf1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    loss = tf.reduce_mean(tf.square(outputs - 0.25), name="loss")
    step = tf1.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf1.control_dependencies([step]):
        after = tf.identity(loss, name="loss_before_step")
    return {"fetch": [after], "feeds": {x: SEQ}, "steps": 3}


def dynamic_array():
    _v1()
    n = tf1.placeholder(tf.int32, shape=[], name="n")
    v = tf1.placeholder(tf.float32, shape=[6], name="v")
    pieces = tf.TensorArray(tf.float32, size=3, infer_shape=False, clear_after_read=False).split(v, [1, 2, 3])
    grown = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[2], clear_after_read=False)

    def body(i, ta):
        piece = pieces.read(i % 3)
        return i + 1, ta.write(i, tf.stack([tf.reduce_sum(piece), tf.cast(i, tf.float32)]))

    _, grown = tf1.while_loop(lambda i, ta: i < n, body, (tf.constant(0), grown), name="grow")
    stacked = tf.identity(grown.stack(), name="stacked")
    size = tf.identity(grown.size(), name="size")
    concat = tf.identity(grown.concat(), name="concat")
    return {"fetch": [stacked, size, concat], "feeds": {n: 4, v: [1.0, 2.0, 3.0, 4.0, 5.0, 6.5]}, "steps": 3}


CASES = {
    "rnn1_dynamic_array": dynamic_array,
    "rnn1_basic": basic,
    "rnn1_lstm": lstm,
    "rnn1_gru_lengths": gru_lengths,
    "rnn1_map_fn": map_fn,
    "rnn1_scan": scan,
    "rnn1_scan_grad": scan_grad,
    "rnn1_train": train,
}
