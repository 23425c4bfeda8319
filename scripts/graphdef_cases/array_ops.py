"""Array and shape ops as TF1 programs use them (issue 18): an MNIST/CIFAR-style input
preparation, an LSTM cell's gates (concat, split, a zero state from a computed shape), and
the selection and shape arithmetic of losses, and tf.gradients through the layout ops. A counter or the carried state
changes the values each step."""

import tensorflow as tf

tf1 = tf.compat.v1

IMAGES = [[0.5, -1.0, 2.0, 3.5, 0.0, 1.5], [4.0, -2.5, 1.0, 0.25, -0.5, 2.0]]


def _counter(resource: bool):
    """A step counter's value after its increment (1, 2, 3, ... one a step)."""
    step = tf1.Variable(0.0, name="step", use_resource=resource)
    return tf1.assign_add(step, 1.0, name="next_step")


def input_prep(resource: bool):
    x = tf1.placeholder(tf.float32, [None, 6], name="images")
    labels = tf1.placeholder(tf.int32, [None], name="labels")
    anything = tf1.placeholder(tf.float32, name="anything")  # unknown rank: a real Rank op
    images = tf.reshape(x + _counter(resource), [-1, 2, 3, 1])
    batch = tf.shape(images)[0]
    padded = tf.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])
    flipped = tf.reverse(padded, [2])
    cropped = tf.slice(flipped, [0, 1, 0, 0], [-1, 2, 3, -1])
    chw = tf.transpose(cropped, [0, 3, 1, 2])
    squeezed = tf.squeeze(chw, [1])
    flat = tf.reshape(tf.expand_dims(squeezed, -1), tf.stack([batch, -1]))
    onehot = tf.one_hot(labels, 3)
    features = tf.concat([flat, onehot], axis=1, name="features")
    picked = tf.gather(tf.tile(features, [2, 1]), [3, 0, 1], name="picked")
    mirrored = tf.pad(images, [[0, 0], [1, 1], [2, 2], [0, 0]], mode="REFLECT", name="mirrored")
    symmetric = tf.pad(images, [[0, 0], [0, 2], [1, 0], [0, 0]], mode="SYMMETRIC", name="symmetric")
    filled = tf.pad(images, [[0, 0], [1, 0], [0, 1], [0, 0]], constant_values=-9.0, name="filled")
    size = tf.size(x, name="size")
    rank = tf.rank(anything, name="rank")
    return {"fetch": [picked, mirrored, symmetric, filled, size, rank, batch],
            "feeds": {x: IMAGES, labels: [2, 0], anything: [[1.0], [2.0]]}, "steps": 3}


def lstm_cell(resource: bool):
    x = tf1.placeholder(tf.float32, [None, 3], name="x")
    h = tf1.Variable([[0.0, 0.0], [0.0, 0.0]], name="h", use_resource=resource)
    c = tf1.Variable([[0.0, 0.0], [0.0, 0.0]], name="c", use_resource=resource)
    kernel = tf1.Variable([[0.1 * ((3 * i + j) % 7) - 0.3 for j in range(8)] for i in range(5)],
                          name="kernel", use_resource=resource)
    gates = tf.matmul(tf.concat([x, h], 1), kernel)
    i, j, f, o = tf.split(gates, 4, axis=1)
    new_c = c * tf.sigmoid(f + 1.0) + tf.sigmoid(i) * tf.tanh(j)
    new_h = tf.tanh(new_c) * tf.sigmoid(o)
    update = tf.group(tf1.assign(c, new_c), tf1.assign(h, new_h), name="update")
    head, middle, tail = tf.split(gates, [2, -1, 1], axis=1, name="pieces")
    zero_state = tf.zeros(tf.stack([tf.shape(x)[0], 2]), name="zero_state")
    with tf1.control_dependencies([update]):
        out = tf.identity(new_h, name="out")
    return {"fetch": [out, new_c, head, middle, tail, zero_state], "feeds": {x: [[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]]},
            "steps": 4}


def select_and_shapes(resource: bool):
    x = tf1.placeholder(tf.float32, [None], name="x")
    v = tf.add(x, _counter(resource), name="v")
    mask = tf.equal(v, 3.0)
    kept = tf1.where(mask, v, tf.zeros_like(v), name="kept")
    or_minus_one = tf.where(mask, v, -1.0, name="or_minus_one")
    where = tf1.where(mask, name="where")
    values, index = tf.unique(tf.cast(v, tf.int32), name="unique")
    ones = tf.ones_like(v, name="ones")
    halves = tf.fill(tf.shape(v), 0.5, name="halves")
    positions = tf.range(tf.size(v), name="positions")
    grid = tf.broadcast_to(v, [2, 4], name="grid")
    column = tf.identity(grid[:, None, 2], name="column")
    last = tf.identity(grid[..., -1], name="last")
    backwards = tf.identity(v[::-2], name="backwards")
    middle = tf.identity(grid[1, 1:3], name="middle")
    checked = tf1.check_numerics(tf.stop_gradient(v), "v has NaN or Inf", name="checked")
    default = tf1.placeholder_with_default(tf.constant([1.0, 2.0]), [2], name="default")
    s0, s1 = tf.shape_n([grid, v], name="shapes")
    r0, r1 = tf.raw_ops.BroadcastGradientArgs(s0=s0, s1=s1, name="grad_axes")
    offsets = tf.raw_ops.ConcatOffset(concat_dim=1, shape=[s0, tf.constant([2, 3])], name="offsets")
    inverse = tf.math.invert_permutation(tf.constant([2, 0, 3, 1]), name="inverse")
    return {"fetch": [kept, or_minus_one, where, values, index, ones, halves, positions, column, last,
                      backwards, middle, checked, default, r0, r1, offsets[1], inverse],
            "feeds": {x: [-1.0, 2.0, 0.0, 2.0]}, "steps": 4}


def gradients(resource: bool):
    """tf.gradients through slicing, pad, transpose, reverse, squeeze and split: TF's
    gradient graph (StridedSliceGrad, Slice, InvertPermutation, ZerosLike + ConcatV2...)."""
    p = [tf1.placeholder(tf.float32, [2, 3], name=f"p{k}") for k in range(6)]
    w = tf1.Variable([1.0, 2.0, 3.0], name="w", use_resource=resource)
    wn = tf1.assign_add(w, [0.5, -0.25, 1.0], name="next_w")
    terms = [
        tf.reduce_sum(p[0][:, ::-2] * wn[:2]),
        tf.reduce_sum(tf.pad(p[1], [[1, 0], [0, 2]]) * tf.reshape(tf.range(15.0), [3, 5])),
        tf.reduce_sum(tf.transpose(p[2], [1, 0]) * tf.reshape(wn, [3, 1])),
        tf.reduce_sum(tf.reverse(p[3], [1]) * wn),
        tf.reduce_sum(tf.squeeze(tf.expand_dims(p[4], 0), [0]) * wn),
        tf.reduce_sum(tf.split(p[5], [1, 2], axis=1)[1] * wn[1:]),
    ]  # not tile: its gradient sums over axes from a Range, which idrun's reduce_sum import cannot read
    loss = terms[0]
    for t in terms[1:]:
        loss = loss + t
    grads = tf.gradients(loss, p)
    feeds = {x: [[0.5 * k + j for j in range(3)], [1.0 - k, 2.0, -0.5 * j]] for k, x in enumerate(p) for j in [k % 3]}
    return {"fetch": [loss] + grads, "feeds": feeds, "steps": 3}


CASES = {
    "array_input_prep_resource": lambda: input_prep(True),
    "array_input_prep_ref": lambda: input_prep(False),
    "array_lstm_cell_resource": lambda: lstm_cell(True),
    "array_lstm_cell_ref": lambda: lstm_cell(False),
    "array_select_and_shapes_resource": lambda: select_and_shapes(True),
    "array_select_and_shapes_ref": lambda: select_and_shapes(False),
    "array_gradients_resource": lambda: gradients(True),
    "array_gradients_ref": lambda: gradients(False),
}
