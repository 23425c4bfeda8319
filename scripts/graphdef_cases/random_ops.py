"""TF1 programs that draw random numbers: seeded tensors, a graph-level seed, noise added to a
layer's input and accumulated into a variable. idrun gives TF's numbers bit for bit (Philox,
idrun/ops/philox.py), and each step the op's counter moves on as TF's does."""

import tensorflow as tf

tf1 = tf.compat.v1


def seeded_tensors():
    """Each tf1.random_* call with an op seed: RandomUniform (plain, scaled, int), RandomStandardNormal
    and TruncatedNormal with their Mul/Add, RandomShuffle; odd sizes, float32 and float64."""
    u = tf1.random_uniform([15], seed=1, name="u")
    n = tf1.random_normal([7], mean=1.0, stddev=0.5, seed=2, name="n")
    t = tf1.truncated_normal([6], stddev=0.1, seed=3, name="t")
    d = tf1.random_uniform([5], minval=-2.0, maxval=2.0, dtype=tf.float64, seed=4, name="d")
    k = tf1.random_uniform([6], maxval=10, dtype=tf.int32, seed=5, name="k")
    rows = tf1.random_shuffle(tf.constant([[1, 2], [3, 4], [5, 6], [7, 8]]), seed=6, name="rows")
    s = tf.reshape(rows, [-1], name="s")  # fetched flat: the fixture checks compare lists of numbers
    n64 = tf1.random_normal([3], dtype=tf.float64, seed=7, name="n64")
    return {"fetch": [u, n, t, d, k, s, n64], "steps": 3}


def graph_seed():
    """tf1.set_random_seed: op seeds pair with the graph's; a seedless op gets the graph's counter."""
    tf1.set_random_seed(42)
    a = tf1.random_normal([4], seed=1, name="a")
    b = tf1.random_uniform([3], name="b")
    c = tf1.truncated_normal([5], name="c")
    return {"fetch": [a, b, c], "steps": 3}


def noisy_layer():
    """Gaussian input noise for a linear layer (a denoising-autoencoder pattern) and a random walk
    kept in a variable: the noise is new each step, the variable keeps the sum."""
    x = tf1.placeholder(tf.float32, shape=[2, 3], name="x")
    w = tf1.Variable([[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]], name="w")
    noisy = tf.add(x, tf1.random_normal([2, 3], stddev=0.1, seed=11), name="noisy")
    y = tf.matmul(noisy, w, name="y")
    loss = tf.reduce_mean(tf.square(y), name="loss")
    y_flat = tf.reshape(y, [-1], name="y_flat")
    walk = tf1.Variable(tf.zeros([3]), name="walk")
    step = tf1.assign_add(walk, tf1.truncated_normal([3], seed=12), name="step")
    return {"fetch": [y_flat, loss, step], "feeds": {x: [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]}, "steps": 3}


def computed_shapes():
    """Random ops shaped by the fed batch, as TF1 programs build them: tf.nn.dropout on a [None, 4]
    placeholder (RandomUniform(Shape(x)), the keep mask, the rescale), Gaussian noise of
    tf.shape(x), truncated noise and random integers of a shape made by tf.stack."""
    x = tf1.placeholder(tf.float32, shape=[None, 4], name="x")
    drop = tf1.nn.dropout(x, keep_prob=0.5, seed=7, name="drop")
    noise = tf1.random_normal(tf.shape(x), seed=8, name="noise")
    noisy = tf.add(x, noise, name="noisy")
    shape = tf.stack([tf.shape(x)[0], 3], name="shape")
    t = tf1.truncated_normal(shape, stddev=0.5, dtype=tf.float64, seed=9, name="t")
    k = tf1.random_uniform(shape, minval=-3, maxval=50, dtype=tf.int32, seed=10, name="k")
    flat = [tf.reshape(v, [-1], name=f"{n}_flat") for v, n in ((drop, "drop"), (noise, "noise"),
                                                                 (noisy, "noisy"), (t, "t"), (k, "k"))]
    batch = [[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.0, 2.5], [3.0, -2.0, 1.5, 0.25]]
    return {"fetch": flat, "feeds": {x: batch}, "steps": 3}


CASES = {
    "random_seeded_tensors": seeded_tensors,
    "random_graph_seed": graph_seed,
    "random_noisy_layer": noisy_layer,
    "random_computed_shapes": computed_shapes,
}
