"""Summaries as TF1 training scripts write them: tf.compat.v1.summary.scalar of the loss,
histogram of the weights, merge_all, fetched every step with the update ordered after it."""

import tensorflow as tf

tf1 = tf.compat.v1


def summaries_linear_regression():
    """A linear model fitted by hand-written gradient descent; the merged summary of the
    loss and of the weights is fetched each step (the update waits on it, as a script's
    `sess.run([merged, train_op])` would want), over 3 steps."""
    x = tf1.placeholder(tf.float32, shape=[4, 3], name="x")
    y = tf1.placeholder(tf.float32, shape=[4, 1], name="y")
    w = tf1.Variable([[0.25], [-0.5], [0.75]], name="weights")
    b = tf1.Variable([0.5], name="bias")
    pred = tf.add(tf.matmul(x, w), b, name="pred")
    err = tf.subtract(pred, y, name="err")
    loss = tf.reduce_mean(tf.square(err), name="loss")
    tf1.summary.scalar("loss", loss)
    tf1.summary.histogram("weights", w)
    tf1.summary.histogram("bias", b)
    merged = tf1.summary.merge_all()
    grad_w = tf.multiply(tf.matmul(x, err, transpose_a=True), 0.5, name="grad_w")
    grad_b = tf.reduce_mean(err, axis=0, name="grad_b")
    with tf1.control_dependencies([merged]):
        train = tf.group(tf1.assign_sub(w, tf.multiply(grad_w, 0.125)),
                         tf1.assign_sub(b, tf.multiply(grad_b, 0.125)), name="train")
    # dyadic values: every sum is exact in float32, so any summation order gives TF's bits
    feeds = {x: [[1.0, 2.0, 0.5], [0.0, -1.0, 2.0], [1.0, 0.25, -1.5], [-2.0, 1.0, 1.0]],
             y: [[1.0], [0.0], [2.0], [-1.0]]}
    return {"fetch": [merged, loss], "targets": [train], "feeds": feeds, "steps": 3}


def summaries_scalars_merged():
    """tf.compat.v1.summary.scalar of several values of different dtypes merged by
    tf.compat.v1.summary.merge (a list, not the collection), fetched with a counter."""
    step = tf1.Variable(0, name="global_step")
    inc = tf1.assign_add(step, 1, name="inc")
    lr = tf.multiply(tf.cast(inc, tf.float64), 0.5, name="lr")
    s1 = tf1.summary.scalar("global_step", inc)
    s2 = tf1.summary.scalar("learning_rate", lr)
    merged = tf1.summary.merge([s1, s2], name="train_summaries")
    return {"fetch": [merged, s1], "steps": 3}


def summaries_images():
    """tf.compat.v1.summary.image of weights shown as images (float: normalized per image,
    negative values around 128), of a gray batch cast to uint8 (max_outputs=1), with the weights
    updated after each summary, over 3 steps."""
    w = tf1.Variable([[(k % 7) * 0.25 - 0.5 for k in range(16)],
                      [k * 0.125 for k in range(16)]], name="filters")
    images = tf.reshape(w, [2, 4, 4, 1], name="filter_images")
    tf1.summary.image("filters", images, max_outputs=2)
    gray = tf.add(tf.multiply(w, 40.0), 20.0)   # in [0, 255]: the cast keeps every value
    rgb = tf.cast(tf.reshape(gray, [1, 4, 8, 1]), tf.uint8, name="rgb")
    tf1.summary.image("gray_u8", rgb, max_outputs=1)
    merged = tf1.summary.merge_all()
    with tf1.control_dependencies([merged]):
        step = tf1.assign_add(w, tf.constant([[0.375] * 16] * 2), name="step")
    return {"fetch": [merged], "targets": [step], "steps": 3}


CASES = {"summaries_linear_regression": summaries_linear_regression,
         "summaries_scalars_merged": summaries_scalars_merged,
         "summaries_images": summaries_images}
