"""Public TF1 programs as their users wrote them (issue 18's measure), small enough to run.

Each follows the public code it names, in tf.compat.v1 graph mode, with the layer helpers
that TF 2.21 no longer ships (tf.layers, rnn_cell) written out as those helpers built them.
Inputs are placeholders fed with seeded numbers, so TF's session and idrun see the same data.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _data(seed: int, shape, scale: float = 1.0) -> list:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32).tolist()


def _labels(seed: int, n: int, classes: int) -> list:
    return np.random.default_rng(seed).integers(0, classes, n).astype(np.int32).tolist()


# ---- the CIFAR-10 tutorial (tensorflow/models tutorials/image/cifar10/cifar10.py) --------------

def _variable_with_weight_decay(name, shape, stddev, wd):
    var = tf1.get_variable(name, shape, initializer=tf1.truncated_normal_initializer(stddev=stddev),
                           dtype=tf.float32)
    if wd is not None:
        weight_decay = tf.multiply(tf.nn.l2_loss(var), wd, name="weight_loss")
        tf1.add_to_collection("losses", weight_decay)
    return var


def _activation_summary(x):
    tf1.summary.histogram(x.op.name + "/activations", x)
    tf1.summary.scalar(x.op.name + "/sparsity", tf.nn.zero_fraction(x))


def cifar10_inference(images, batch, summaries=True):
    with tf1.variable_scope("conv1") as scope:
        kernel = _variable_with_weight_decay("weights", [5, 5, 3, 64], 5e-2, None)
        conv = tf.nn.conv2d(images, kernel, [1, 1, 1, 1], padding="SAME")
        biases = tf1.get_variable("biases", [64], initializer=tf1.constant_initializer(0.0))
        conv1 = tf.nn.relu(tf.nn.bias_add(conv, biases), name=scope.name)
        if summaries:
            _activation_summary(conv1)
    pool1 = tf.nn.max_pool(conv1, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME", name="pool1")
    norm1 = tf.nn.lrn(pool1, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm1")
    with tf1.variable_scope("conv2") as scope:
        kernel = _variable_with_weight_decay("weights", [5, 5, 64, 64], 5e-2, None)
        conv = tf.nn.conv2d(norm1, kernel, [1, 1, 1, 1], padding="SAME")
        biases = tf1.get_variable("biases", [64], initializer=tf1.constant_initializer(0.1))
        conv2 = tf.nn.relu(tf.nn.bias_add(conv, biases), name=scope.name)
        if summaries:
            _activation_summary(conv2)
    norm2 = tf.nn.lrn(conv2, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm2")
    pool2 = tf.nn.max_pool(norm2, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME", name="pool2")
    with tf1.variable_scope("local3") as scope:
        reshape = tf.reshape(pool2, [batch, -1])
        dim = reshape.get_shape()[1]
        weights = _variable_with_weight_decay("weights", [dim, 384], 0.04, 0.004)
        biases = tf1.get_variable("biases", [384], initializer=tf1.constant_initializer(0.1))
        local3 = tf.nn.relu(tf.matmul(reshape, weights) + biases, name=scope.name)
    with tf1.variable_scope("local4") as scope:
        weights = _variable_with_weight_decay("weights", [384, 192], 0.04, 0.004)
        biases = tf1.get_variable("biases", [192], initializer=tf1.constant_initializer(0.1))
        local4 = tf.nn.relu(tf.matmul(local3, weights) + biases, name=scope.name)
    with tf1.variable_scope("softmax_linear") as scope:
        weights = _variable_with_weight_decay("weights", [192, 10], 1 / 192.0, None)
        biases = tf1.get_variable("biases", [10], initializer=tf1.constant_initializer(0.0))
        softmax_linear = tf.add(tf.matmul(local4, weights), biases, name=scope.name)
    return softmax_linear


def cifar10_loss(logits, labels):
    labels = tf.cast(labels, tf.int64)
    cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits, name="cross_entropy_per_example")
    cross_entropy_mean = tf.reduce_mean(cross_entropy, name="cross_entropy")
    tf1.add_to_collection("losses", cross_entropy_mean)
    return tf.add_n(tf1.get_collection("losses"), name="total_loss")


def cifar10_train_step(batch: int = 4, size: int = 24, summaries: bool = True):
    """cifar10.train(): loss averages, exponential_decay, the apply, the variable averages."""
    tf1.set_random_seed(1)
    images = tf1.placeholder(tf.float32, [batch, size, size, 3], name="images")
    labels = tf1.placeholder(tf.int32, [batch], name="labels")
    global_step = tf1.train.get_or_create_global_step()
    logits = cifar10_inference(images, batch, summaries)
    total_loss = cifar10_loss(logits, labels)
    lr = tf1.train.exponential_decay(0.1, global_step, 350, 0.1, staircase=True)
    loss_averages = tf1.train.ExponentialMovingAverage(0.9, name="avg")
    losses = tf1.get_collection("losses")
    loss_averages_op = loss_averages.apply(losses + [total_loss])
    if summaries:
        tf1.summary.scalar("learning_rate", lr)
        for l in losses + [total_loss]:
            tf1.summary.scalar(l.op.name + " (raw)", l)
            tf1.summary.scalar(l.op.name, loss_averages.average(l))
    with tf1.control_dependencies([loss_averages_op]):
        opt = tf1.train.GradientDescentOptimizer(lr)
        grads = opt.compute_gradients(total_loss)
    apply_gradient_op = opt.apply_gradients(grads, global_step=global_step)
    if summaries:
        for var in tf1.trainable_variables():
            tf1.summary.histogram(var.op.name, var)
    # the tutorial as the seed question knew it: train_op waits on both, and nothing orders the
    # averages against the apply (a race `idrun check` reports; later versions fixed it)
    variable_averages = tf1.train.ExponentialMovingAverage(0.9999, global_step)
    variables_averages_op = variable_averages.apply(tf1.trainable_variables())
    with tf1.control_dependencies([apply_gradient_op, variables_averages_op]):
        train_op = tf1.no_op(name="train")
    return {"fetch": [total_loss, logits], "targets": [train_op], "steps": 3,
            "feeds": {images: _data(1, [batch, size, size, 3]), labels: _labels(2, batch, 10)}}


# ---- the MNIST tutorials ("MNIST for ML beginners", "Deep MNIST for experts") -----------------

def mnist_softmax():
    x = tf1.placeholder(tf.float32, [None, 784], name="x")
    W = tf1.Variable(tf.zeros([784, 10]), name="W")
    b = tf1.Variable(tf.zeros([10]), name="b")
    y = tf.matmul(x, W) + b
    y_ = tf1.placeholder(tf.float32, [None, 10], name="y_")
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
    train_step = tf1.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
    correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    onehot = np.eye(10, dtype=np.float32)[_labels(4, 16, 10)].tolist()
    return {"fetch": [cross_entropy, accuracy], "targets": [train_step], "steps": 3,
            "feeds": {x: np.abs(np.asarray(_data(3, [16, 784]))).tolist(), y_: onehot}}


def mnist_deep():
    tf1.set_random_seed(7)

    def weight_variable(shape):
        return tf1.Variable(tf1.truncated_normal(shape, stddev=0.1))

    def bias_variable(shape):
        return tf1.Variable(tf.constant(0.1, shape=shape))

    def conv2d(x, W):
        return tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME")

    def max_pool_2x2(x):
        return tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

    x = tf1.placeholder(tf.float32, [None, 784], name="x")
    y_ = tf1.placeholder(tf.float32, [None, 10], name="y_")
    x_image = tf.reshape(x, [-1, 28, 28, 1])
    h_conv1 = tf.nn.relu(conv2d(x_image, weight_variable([5, 5, 1, 8])) + bias_variable([8]))
    h_pool1 = max_pool_2x2(h_conv1)
    h_conv2 = tf.nn.relu(conv2d(h_pool1, weight_variable([5, 5, 8, 16])) + bias_variable([16]))
    h_pool2 = max_pool_2x2(h_conv2)
    h_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 16])
    h_fc1 = tf.nn.relu(tf.matmul(h_flat, weight_variable([7 * 7 * 16, 64])) + bias_variable([64]))
    keep_prob = tf1.placeholder(tf.float32, name="keep_prob")
    h_fc1_drop = tf1.nn.dropout(h_fc1, keep_prob=keep_prob, seed=3)
    y_conv = tf.matmul(h_fc1_drop, weight_variable([64, 10])) + bias_variable([10])
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y_conv))
    train_step = tf1.train.AdamOptimizer(1e-4).minimize(cross_entropy)
    onehot = np.eye(10, dtype=np.float32)[_labels(6, 4, 10)].tolist()
    return {"fetch": [cross_entropy], "targets": [train_step], "steps": 3,
            "feeds": {x: np.abs(np.asarray(_data(5, [4, 784]))).tolist(), y_: onehot, keep_prob: 0.5}}


# ---- the batch norm the seed question cites (training branch, phase_train a Python bool) --------

def seed_batch_norm():
    x = tf1.placeholder(tf.float32, [4, 3, 3, 2], name="x")
    n_out = 2
    with tf1.variable_scope("bn"):
        beta = tf1.Variable(tf.constant(0.0, shape=[n_out]), name="beta", trainable=True)
        gamma = tf1.Variable(tf.constant(1.0, shape=[n_out]), name="gamma", trainable=True)
        batch_mean, batch_var = tf.nn.moments(x, [0, 1, 2], name="moments")
        ema = tf1.train.ExponentialMovingAverage(decay=0.5)

        def mean_var_with_update():
            ema_apply_op = ema.apply([batch_mean, batch_var])
            with tf1.control_dependencies([ema_apply_op]):
                return tf.identity(batch_mean), tf.identity(batch_var)

        mean, var = mean_var_with_update()
        normed = tf.nn.batch_normalization(x, mean, var, beta, gamma, 1e-3)
    with tf1.control_dependencies([normed]):   # read the average after this step's update
        average = tf.identity(ema.average(batch_mean), name="mean_average")
    return {"fetch": [normed, average], "steps": 3,
            "feeds": {x: _data(8, [4, 3, 3, 2])}}


# ---- a TF-Slim-style net with Momentum, and layers-style batch norm with UPDATE_OPS ----------------

def slim_momentum():
    tf1.set_random_seed(11)
    x = tf1.placeholder(tf.float32, [8, 6], name="inputs")
    labels = tf1.placeholder(tf.int32, [8], name="labels")
    net = x
    for i, width in enumerate([16, 8]):
        with tf1.variable_scope(f"fc{i + 1}"):
            w = tf1.get_variable("weights", [net.shape[1], width],
                                 initializer=tf1.truncated_normal_initializer(stddev=0.1))
            b = tf1.get_variable("biases", [width], initializer=tf1.zeros_initializer())
            net = tf.nn.relu(tf.nn.bias_add(tf.matmul(net, w), b))
            tf1.add_to_collection(tf1.GraphKeys.REGULARIZATION_LOSSES, tf.multiply(0.0005, tf.nn.l2_loss(w)))
    with tf1.variable_scope("logits"):
        w = tf1.get_variable("weights", [8, 3], initializer=tf1.truncated_normal_initializer(stddev=0.1))
        logits = tf.matmul(net, w)
    loss = tf1.losses.sparse_softmax_cross_entropy(labels, logits)
    total = tf1.losses.get_total_loss()
    train_op = tf1.train.MomentumOptimizer(0.1, 0.9).minimize(total)
    return {"fetch": [loss, total], "targets": [train_op], "steps": 3,
            "feeds": {x: _data(9, [8, 6]), labels: _labels(10, 8, 3)}}


def update_ops_batch_norm(fixed: bool = True):
    """tf.layers.batch_normalization(training=True) as it built the graph: fused batch norm,
    moving averages as assign_moving_average ops in UPDATE_OPS. Broken: the train op does not
    wait on them, so the moving mean never changes; fixed: control_dependencies(UPDATE_OPS)."""
    x = tf1.placeholder(tf.float32, [4, 2, 2, 3], name="x")
    with tf1.variable_scope("batch_normalization"):
        gamma = tf1.get_variable("gamma", [3], initializer=tf1.ones_initializer())
        beta = tf1.get_variable("beta", [3], initializer=tf1.zeros_initializer())
        moving_mean = tf1.get_variable("moving_mean", [3], initializer=tf1.zeros_initializer(), trainable=False)
        moving_var = tf1.get_variable("moving_variance", [3], initializer=tf1.ones_initializer(),
                                      trainable=False)
        y, mean, var = tf1.nn.fused_batch_norm(x, gamma, beta, epsilon=1e-3, is_training=True)
        for v, value in ((moving_mean, mean), (moving_var, var)):
            update = tf1.assign_sub(v, (v - value) * (1 - 0.99))
            tf1.add_to_collection(tf1.GraphKeys.UPDATE_OPS, update)
    loss = tf.reduce_mean(tf.square(y - 1.0))
    opt = tf1.train.GradientDescentOptimizer(0.1)
    if fixed:
        with tf1.control_dependencies(tf1.get_collection(tf1.GraphKeys.UPDATE_OPS)):
            train_op = opt.minimize(loss)
    else:
        train_op = opt.minimize(loss)
    with tf1.control_dependencies([train_op]):  # read after the step (unordered, it would race)
        moving_mean_after = tf.identity(moving_mean, name="moving_mean_after")
    return {"fetch": [loss, moving_mean_after], "steps": 3,
            "feeds": {x: _data(12, [4, 2, 2, 3])}}


# ---- an RNN whose zero_state is named by tf.identity, statically unrolled ------------------------

def rnn_identity_state(steps: int = 3, hidden: int = 4):
    tf1.set_random_seed(13)
    inputs = tf1.placeholder(tf.float32, [2, steps, 3], name="inputs")
    W = tf1.get_variable("rnn/kernel", [3 + hidden, hidden], initializer=tf1.truncated_normal_initializer(stddev=0.3))
    b = tf1.get_variable("rnn/bias", [hidden], initializer=tf1.zeros_initializer())
    state = tf.identity(tf.zeros([2, hidden]), name="initial_state")
    outputs = []
    for t, x_t in enumerate(tf.unstack(inputs, axis=1)):
        with tf1.name_scope(f"cell_{t}"):
            state = tf.tanh(tf.matmul(tf.concat([x_t, state], 1), W) + b)
            outputs.append(state)
    final_state = tf.identity(state, name="final_state")
    loss = tf.reduce_sum(tf.square(tf.stack(outputs)))
    train_op = tf1.train.GradientDescentOptimizer(0.05).minimize(loss)
    return {"fetch": [final_state, loss], "targets": [train_op], "steps": 3,
            "feeds": {inputs: _data(14, [2, steps, 3])}}


# ---- assert + identity input checks ---------------------------------------------------------------

def assert_identity_checks():
    x = tf1.placeholder(tf.float32, [4], name="x")
    with tf1.control_dependencies([tf1.debugging.assert_non_negative(x), tf1.debugging.assert_rank(x, 1)]):
        x = tf.identity(x, name="checked")
    y = tf.sqrt(x, name="y")
    return {"fetch": [y], "steps": 3, "feeds": {x: [0.0, 1.0, 4.0, 9.0]}}


def _ref_variables(build):
    """The program as TF 1.x built it: ref variables (VariableV2, `x/read`), not resource ones."""
    def with_refs():
        tf1.disable_resource_variables()
        try:
            return dict(build(), init_in_order=True)
        finally:
            tf1.enable_resource_variables()
    return with_refs


CASES = {
    "real_cifar10_train": cifar10_train_step,
    "real_cifar10_train_ref": _ref_variables(cifar10_train_step),
    "real_mnist_softmax_ref": _ref_variables(mnist_softmax),
    "real_mnist_softmax": mnist_softmax,
    "real_mnist_deep": mnist_deep,
    "real_seed_batch_norm": seed_batch_norm,
    "real_slim_momentum": slim_momentum,
    "real_update_ops_fixed": lambda: update_ops_batch_norm(True),
    "real_update_ops_broken": lambda: update_ops_batch_norm(False),
    "real_rnn_identity_state": rnn_identity_state,
    "real_assert_identity": assert_identity_checks,
}


def write_meta_graphs() -> None:
    """The UPDATE_OPS programs as a Saver writes them (`.meta`, with their collections), for
    `idrun check`'s update-ops-not-run: `.venv-tf/bin/python scripts/graphdef_cases/real_programs.py`."""
    tf1.disable_eager_execution()
    for fixed in (True, False):
        g = tf1.Graph()
        with g.as_default():
            update_ops_batch_norm(fixed)
            tf1.train.export_meta_graph(f"tests/fixtures/graphdefs/real_update_ops_{'fixed' if fixed else 'broken'}.meta",
                                        graph=g)


if __name__ == "__main__":
    write_meta_graphs()
