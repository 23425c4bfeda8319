"""Math, reduction and scan ops as public TF1 programs use them (issue 18's math list).

Each case builds a small program the way the TF1 tutorials and libraries write it:
the MNIST softmax tutorial's accuracy, `exponential_decay` with a staircase, masked
means over padded sequences, and dot-product attention with l2_normalize and the
CIFAR-10 `tf.add_n` of losses. Variables start from constants (what `idrun import`
folds today); feeds are fixed; state changes per step through the variables.
Fetched matrices are flattened (`flat`): tests/test_graphdef.py compares values with
pytest.approx, which takes flat lists only.
"""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def flat(t, name: str):
    return tf.reshape(t, [-1], name=name)


def mnist_softmax_accuracy(resource: bool):
    """tutorials/mnist/mnist_softmax.py: softmax regression, its cross entropy and accuracy,
    plus a running count of correct predictions."""
    x = tf1.placeholder(tf.float32, [4, 5], name="x")
    y_ = tf1.placeholder(tf.float32, [4, 3], name="y_")
    W = tf1.Variable(np.linspace(-1.0, 1.0, 15, dtype=np.float32).reshape(5, 3), name="W", use_resource=resource)
    b = tf1.Variable([0.1, -0.2, 0.05], name="b", use_resource=resource)
    logits = tf.matmul(x, W) + b
    e = tf.exp(logits - tf.reduce_max(logits, axis=1, keepdims=True))
    y = e / tf.reduce_sum(e, axis=1, keepdims=True)
    cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.math.log(y), axis=1), name="cross_entropy")
    correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32), name="accuracy")
    worst = tf.argmin(tf.reduce_min(y, axis=1), 0, output_type=tf.int32, name="worst")
    seen = tf1.Variable(0.0, name="seen", use_resource=resource)
    count = tf1.assign_add(seen, tf.reduce_sum(tf.cast(correct_prediction, tf.float32)), name="count")
    feeds = {x: (np.arange(20, dtype=np.float32).reshape(4, 5) / 10.0 - 1.0).tolist(),
             y_: np.eye(3, dtype=np.float32)[[0, 2, 1, 2]].tolist()}
    return {"fetch": [cross_entropy, accuracy, worst, count], "feeds": feeds, "steps": 3}


def exponential_decay_staircase(resource: bool):
    """tf.compat.v1.train.exponential_decay(staircase=True) on the global step, which each
    step increments first: Cast, RealDiv, Floor, Pow."""
    step = tf1.Variable(0, dtype=tf.int64, name="global_step", trainable=False, use_resource=resource)
    increment = tf1.assign_add(step, 1, name="increment")
    with tf1.control_dependencies([increment]):
        lr = tf1.train.exponential_decay(0.1, tf.identity(step), decay_steps=2, decay_rate=0.5,
                                         staircase=True)
        smooth = tf1.train.exponential_decay(0.1, tf.identity(step), decay_steps=3, decay_rate=0.9)
    phase = tf.math.floormod(tf.cast(increment, tf.int32), 3, name="phase")
    epoch = tf.math.floordiv(tf.cast(increment, tf.int32), 3, name="epoch")
    return {"fetch": [lr, smooth, phase, epoch], "steps": 5}


def masked_sequence_stats():
    """Padded sequences: a length mask (Less of positions against lengths), masked mean with
    divide_no_nan, exclusive cumsum positions, and All/Any/logical ops over the mask."""
    x = tf1.placeholder(tf.float32, [3, 4], name="x")
    lengths = tf1.placeholder(tf.int32, [3], name="lengths")
    total = tf1.Variable(0.0, name="total")
    positions = tf.constant([[0, 1, 2, 3]], name="positions")
    mask = tf.less(positions, tf.reshape(lengths, [-1, 1]), name="mask")
    maskf = tf.cast(mask, tf.float32)
    count = tf.reduce_sum(maskf, axis=1)
    mean = tf.math.divide_no_nan(tf.reduce_sum(x * maskf, axis=1), count, name="mean")
    index = tf.cumsum(maskf, axis=1, exclusive=True, name="index")
    from_end = tf.cumsum(maskf, axis=1, reverse=True, name="from_end")
    positive = tf.logical_and(mask, tf.greater(x, 0.0))
    any_positive = tf.reduce_any(positive, axis=1, name="any_positive")
    all_positive = tf.reduce_all(tf.logical_or(positive, tf.logical_not(mask)), axis=1, name="all_positive")
    edges = tf.logical_and(tf.greater_equal(x, -1.0), tf.less_equal(x, 1.0))
    changed = tf.not_equal(tf.cast(edges, tf.int32), tf.cast(mask, tf.int32), name="changed")
    truncated = tf.multiply(tf.sign(x), tf.floor(tf.abs(x)), name="truncated")
    rounded_up = tf.math.ceil(x * maskf, name="rounded_up")
    accumulate = tf1.assign_add(total, tf.reduce_sum(mean), name="accumulate")
    feeds = {x: [[1.5, -2.25, 0.5, 9.0], [-0.5, 3.75, 1.0, -4.0], [2.0, 0.25, -1.5, 7.5]], lengths: [3, 1, 0]}
    fetch = [mean, any_positive, all_positive, accumulate] + [
        flat(t, f"{t.op.name}_flat") for t in (index, from_end, changed, truncated, rounded_up)]
    return {"fetch": fetch, "feeds": feeds, "steps": 3}


def attention_and_losses():
    """Scaled dot-product attention (BatchMatMulV2 with adj_y, then adj_x), l2_normalize
    (Rsqrt), unsorted_segment_sum of rows by id, and the CIFAR-10 `tf.add_n` of losses;
    the queries move each step by assign_add."""
    q = tf1.Variable(np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(2, 3, 4), name="q")
    k = tf.constant(np.cos(np.arange(24, dtype=np.float32)).reshape(2, 3, 4), name="k")
    v = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8.0, name="v")
    scores = tf.matmul(q, k, transpose_b=True) / np.float32(2.0)
    weights = tf.exp(scores - tf.reduce_max(scores, axis=-1, keepdims=True))
    weights = weights * tf.math.reciprocal(tf.reduce_sum(weights, axis=-1, keepdims=True))
    context = tf.matmul(weights, v, name="context")
    summary = tf.matmul(weights, v, adjoint_a=True, name="summary")
    unit = tf.nn.l2_normalize(tf.reshape(context, [6, 4]), axis=1)
    by_id = tf.math.unsorted_segment_sum(unit, [2, 0, 2, -1, 1, 0], 3, name="by_id")
    losses = [tf.reduce_mean(tf.square(context)), tf.reduce_sum(tf.math.squared_difference(context, v)) * 0.01,
              tf.reduce_prod(tf.reduce_max(summary, axis=[1, 2])), tf.pow(tf.reduce_min(by_id), 2.0)]
    total_loss = tf.add_n(losses, name="total_loss")
    with tf1.control_dependencies([total_loss]):
        move = tf1.assign_add(q, tf.constant(0.25, shape=[2, 3, 4]), name="move")
    return {"fetch": [flat(context, "context_flat"), flat(by_id, "by_id_flat"), total_loss], "targets": [move],
            "steps": 3}


CASES = {
    "math_mnist_softmax_accuracy_ref": lambda: mnist_softmax_accuracy(False),
    "math_mnist_softmax_accuracy_resource": lambda: mnist_softmax_accuracy(True),
    "math_exponential_decay_ref": lambda: exponential_decay_staircase(False),
    "math_masked_sequence_stats": masked_sequence_stats,
    "math_attention_and_losses": attention_and_losses,
}
