"""Variable updates as TF1 programs make them: the optimizers' `apply_gradients` (their
Apply*/ResourceApply* kernels and slot variables) with constant or fed gradients, the
tf.compat.v1.scatter_* updates, is_variable_initialized, Assert with data and ControlTrigger.
Each in ref and resource form; the gradients are constants or placeholders (no tf.gradients)."""

import tensorflow as tf

tf1 = tf.compat.v1


def _after(op, tensors, name="after"):
    """The values of `tensors` read after `op` ran, flat (reshapes under its control)."""
    with tf1.control_dependencies([op]):
        return [tf.reshape(t, [-1], name=f"{name}_{k}") for k, t in enumerate(tensors)]


def sgd(resource: bool):
    w = tf1.Variable([1.0, -2.0, 0.5], name="w", use_resource=resource)
    b = tf1.Variable(0.25, name="b", use_resource=resource)
    step = tf1.Variable(0, dtype=tf.int64, name="global_step", trainable=False, use_resource=resource)
    g_b = tf1.placeholder(tf.float32, shape=[], name="g_b")
    opt = tf1.train.GradientDescentOptimizer(0.1)
    train = opt.apply_gradients([(tf.constant([0.5, -1.0, 0.3]), w), (g_b, b)], global_step=step)
    return {"fetch": _after(train, [w, b, step]), "feeds": {g_b: 0.7}, "steps": 3}


def momentum_two_devices(resource: bool):
    """The variables on CPU:0, the gradient made on CPU:1: the update runs with its variable
    (its slot is colocated with it), so the gradient crosses once per step."""
    with tf1.device("/device:CPU:0"):
        w = tf1.Variable([1.0, -2.0], name="w", use_resource=resource)
    with tf1.device("/device:CPU:1"):
        x = tf1.placeholder(tf.float32, shape=[2], name="x")
        grad = tf.multiply(x, 2.0, name="grad")
    opt = tf1.train.MomentumOptimizer(0.1, 0.5)
    train = opt.apply_gradients([(grad, w)])
    with tf1.device("/device:CPU:1"):
        out = _after(train, [w, opt.get_slot(w, "momentum")])
    return {"fetch": out, "feeds": {x: [0.25, -0.5]}, "steps": 3, "cpus": 2}


def _slots_case(resource: bool, make_opt, slot_names):
    w = tf1.Variable([[1.0, -2.0], [0.5, 3.0]], name="w", use_resource=resource)
    grad = tf1.placeholder(tf.float32, shape=[2, 2], name="grad")
    opt = make_opt()
    train = opt.apply_gradients([(grad, w)])
    slots = [opt.get_slot(w, s) for s in slot_names]
    return {"fetch": _after(train, [w] + slots), "feeds": {grad: [[0.1, -0.2], [0.3, 0.05]]}, "steps": 4}


def momentum(resource: bool, nesterov: bool):
    return _slots_case(resource, lambda: tf1.train.MomentumOptimizer(0.05, 0.9, use_nesterov=nesterov),
                       ["momentum"])


def adam(resource: bool):
    return _slots_case(resource, lambda: tf1.train.AdamOptimizer(0.01), ["m", "v"])


def rmsprop(resource: bool):
    return _slots_case(resource, lambda: tf1.train.RMSPropOptimizer(0.01, momentum=0.5), ["rms", "momentum"])


def adagrad(resource: bool):
    return _slots_case(resource, lambda: tf1.train.AdagradOptimizer(0.1), ["accumulator"])


def scatter(resource: bool):
    """One update per table, so that the read TF's Python makes after each resource update
    (its `_UnreadVariable`) is ordered against every write of that table."""
    def table(name):
        return tf1.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name=name, use_resource=resource)
    added, subtracted, updated = table("added"), table("subtracted"), table("updated")
    rows = tf1.placeholder(tf.int32, shape=[None], name="rows")
    add = tf1.scatter_add(added, rows, tf.constant([[1.0, 1.0], [2.0, 2.0], [0.5, 0.5]]), name="add")
    sub = tf1.scatter_sub(subtracted, [1, 1], [[0.25, 0.25], [1.0, 2.0]], name="sub")
    update = tf1.scatter_update(updated, [2, 2], [[9.0, 8.0], [7.0, 6.0]], name="update")
    return {"fetch": _after(add, [added], "added") + _after(sub, [subtracted], "subtracted")
            + _after(update, [updated], "updated"), "feeds": {rows: [0, 0, 1]}, "steps": 3}


def checks(resource: bool):
    """An input check as TF1 programs write one: Assert on int32/string data (a plain Assert
    node, no cond), is_variable_initialized consumed by it, a ControlTrigger waited on."""
    x = tf1.Variable([1, 2, 3], name="x", use_resource=resource)
    ready = tf1.is_variable_initialized(x)
    n = tf1.placeholder(tf.int32, shape=[], name="n")
    message = tf.constant("x is not initialized:", name="message")
    x_now = tf.identity(x, name="x_now")
    check = tf.debugging.Assert(ready, [message, n, x_now], summarize=2, name="check")
    with tf1.control_dependencies([check]):  # the update waits for the check that reads x
        inc = tf1.assign_add(x, [1, 1, 1], name="inc")
    trigger = tf.raw_ops.ControlTrigger(name="trigger")
    with tf1.control_dependencies([trigger, inc]):
        out = tf.identity(n, name="out")
    return {"fetch": [out, ready], "feeds": {n: 4}, "steps": 3}


CASES = {}
for _mode, _res in (("ref", False), ("resource", True)):
    CASES.update({
        f"sgd_global_step_{_mode}": (lambda r: lambda: sgd(r))(_res),
        f"momentum_{_mode}": (lambda r: lambda: momentum(r, False))(_res),
        f"momentum_nesterov_{_mode}": (lambda r: lambda: momentum(r, True))(_res),
        f"adam_{_mode}": (lambda r: lambda: adam(r))(_res),
        f"rmsprop_{_mode}": (lambda r: lambda: rmsprop(r))(_res),
        f"adagrad_{_mode}": (lambda r: lambda: adagrad(r))(_res),
        f"scatter_{_mode}": (lambda r: lambda: scatter(r))(_res),
        f"momentum_two_devices_{_mode}": (lambda r: lambda: momentum_two_devices(r))(_res),
        f"assert_checks_{_mode}": (lambda r: lambda: checks(r))(_res),
    })
