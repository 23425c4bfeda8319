"""Control flow as TF's own library puts it into real TF1 programs, built with TF 1.x control
flow (v1: Switch/Merge/Enter..., `disable_control_flow_v2` in force while the case builds).
scripts/graphdef_cases/real_control_flow_v2.py builds the same programs with TF 2's default
control flow v2 (If/While with a function library) into tests/fixtures/graphdefs_v2/.

Each builder takes `v2` (the variables are resource variables in the v2 form, as TF 2 makes
them; the v1 form keeps TF 1.x's ref variables where the program used them). Predicates that
change from step to step read a counter variable (`_every`), as a real `global_step % N`.

- `layers_batch_norm`: `tf.layers.batch_normalization(x, training=is_training)` written out as
  its non-fused path built it (tf_utils.smart_cond on a tensor: a real cond for the batch vs
  moving statistics and for each moving-average update), the updates in UPDATE_OPS as control
  dependencies of the train op. `layers_batch_norm_hidden`: the same after a dense layer, so
  training differentiates through the conds.
- `layers_batch_norm_fused`: the same layer on a 4-D input, its fused path (a cond between
  FusedBatchNormV3 in training and inference mode, a cond for the momentum).
- `random_flip`: `tf.image.random_flip_left_right` / `random_flip_up_down` of a 3-D image,
  seeded: a cond on a Philox draw.
- `zero_fraction`: the CIFAR-10 tutorial's `_activation_summary`: `tf.nn.zero_fraction` (a
  cond on the size) and its scalar summary.
- `assert_identity`: `tf.debugging.assert_non_negative` + `tf.identity` (the assert is guarded
  by a cond: AssertGuard).
- `ema_resource`: the CIFAR-10 tutorial's variable moving averages over resource variables,
  ordered after the gradient update; the shadow initializers read `initialized_value()`
  through a cond.
- `lr_schedule`: a learning rate switched by `tf.cond` on `global_step`.
- `realcf1ref_*`: lr_schedule and the moving averages built with TF 1.x's defaults (as under
  `disable_v2_behavior()`): ref variables, the global step too.
- `case`: `tf.case` with two predicates and a default (nested conds in v1 and v2).
- `switch_case`: `tf.switch_case` on `step % 3`: TF 2.21 builds a `Case` even with control
  flow v1 (lowered to `_SwitchN` at import, as TF's runtime lowers it).
- `while_print_assert`: a `tf.while_loop` whose body has a `tf.Print` and an assert.
- `while_assign`: a `tf.while_loop` whose body bumps a variable (assign_add as a control
  dependency of the next loop value).
"""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _every(period, name, resource=False):
    """True at steps 1, 1+period, ... (a counter bumped by the step itself, read through its
    assign, so the order is fixed)."""
    tick = tf1.Variable(0, name=name + "_tick", use_resource=resource)
    now = tf1.assign_add(tick, 1, name=name + "_bump")
    return tf.equal(tf.math.floormod(now, period), 1 % period, name=name), now


def _data(seed, shape):
    return np.random.RandomState(seed).uniform(-1.0, 1.0, shape).astype(np.float32).round(3).tolist()


def _bn_variables(v2):
    """tf.layers.batch_normalization's variables: gamma, beta, moving_mean, moving_variance."""
    return [tf1.get_variable(name, [3], initializer=init(), trainable=trainable, use_resource=v2)
            for name, init, trainable in (("gamma", tf1.ones_initializer, True), ("beta", tf1.zeros_initializer, True),
                                          ("moving_mean", tf1.zeros_initializer, False),
                                          ("moving_variance", tf1.ones_initializer, False))]


def layers_batch_norm(v2=False, hidden=False):
    """`hidden`: the layer normalizes a dense layer's output, so the gradient flows through the
    statistics' conds into the dense weights (tf.gradients of a cond)."""
    training, _ = _every(2, "is_training", resource=v2)
    x = tf1.placeholder(tf.float32, [6, 3], name="x")
    if hidden:
        dense = tf1.get_variable("dense/kernel", [3, 3], use_resource=v2,
                                 initializer=tf1.constant_initializer(_data(10, [3, 3])))
        x = tf.matmul(x, dense, name="dense/MatMul")
    target = tf1.placeholder(tf.float32, [6, 3], name="target")
    momentum = 0.9
    with tf1.variable_scope("batch_normalization"):
        gamma, beta, moving_mean, moving_var = _bn_variables(v2)
        batch_mean, batch_var = tf.nn.moments(x, [0], name="moments")
        mean = tf1.cond(training, lambda: batch_mean, lambda: tf.convert_to_tensor(moving_mean))
        variance = tf1.cond(training, lambda: batch_var, lambda: tf.convert_to_tensor(moving_var))

        def update(var, value):
            def do_update():
                with tf1.name_scope("AssignMovingAvg"):
                    delta = (var - value) * (1.0 - momentum)
                    return tf1.assign_sub(var, delta)
            return tf1.cond(training, do_update, lambda: tf.convert_to_tensor(var))

        for var, value in ((moving_mean, mean), (moving_var, variance)):
            tf1.add_to_collection(tf1.GraphKeys.UPDATE_OPS, update(var, value))
        y = tf.nn.batch_normalization(x, mean, variance, beta, gamma, 1e-3)
    loss = tf.reduce_mean(tf.square(y - target), name="loss")
    with tf1.control_dependencies(tf1.get_collection(tf1.GraphKeys.UPDATE_OPS)):
        train_op = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf1.control_dependencies([train_op]):
        after = [tf.identity(moving_mean, name="moving_mean_after"),
                 tf.identity(moving_var, name="moving_variance_after"),
                 tf.identity(gamma, name="gamma_after")]
    if hidden:
        with tf1.control_dependencies([train_op]):
            after.append(tf.identity(dense, name="dense_after"))
    inputs = x.op.inputs[0] if hidden else x
    return {"fetch": [loss] + after, "steps": 4,
            "feeds": {inputs: _data(1, [6, 3]), target: _data(2, [6, 3])}}


def layers_batch_norm_fused(v2=False):
    """tf.layers.batch_normalization(training=is_training) of a 4-D input, as its fused path built
    it: a cond between FusedBatchNormV3 in training and in inference mode, a cond for the
    momentum (0.99 or 1.0), the moving-average updates (AssignMovingAvg) in UPDATE_OPS."""
    training, _ = _every(2, "is_training", resource=v2)
    x = tf1.placeholder(tf.float32, [4, 2, 2, 3], name="x")
    with tf1.variable_scope("batch_normalization"):
        gamma, beta, moving_mean, moving_var = _bn_variables(v2)
        y, mean, variance = tf1.cond(
            training,
            lambda: tf1.nn.fused_batch_norm(x, gamma, beta, epsilon=1e-3),
            lambda: tf1.nn.fused_batch_norm(x, gamma, beta, mean=moving_mean, variance=moving_var,
                                            epsilon=1e-3, is_training=False))
        momentum = tf1.cond(training, lambda: tf.constant(0.99), lambda: tf.constant(1.0))
        for var, value in ((moving_mean, mean), (moving_var, variance)):
            with tf1.name_scope(None, "AssignMovingAvg", [var, value, momentum]) as scope:
                with tf1.colocate_with(var):
                    decay = tf.convert_to_tensor(1.0 - momentum, name="decay")
                    update = tf1.assign_sub(var, (var - value) * decay, name=scope)
            tf1.add_to_collection(tf1.GraphKeys.UPDATE_OPS, update)
    loss = tf.reduce_mean(tf.square(y - 1.0), name="loss")
    with tf1.control_dependencies(tf1.get_collection(tf1.GraphKeys.UPDATE_OPS)):
        train_op = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf1.control_dependencies([train_op]):
        after = [tf.identity(moving_mean, name="moving_mean_after"),
                 tf.identity(moving_var, name="moving_variance_after"),
                 tf.identity(beta, name="beta_after")]
    return {"fetch": [loss] + after, "steps": 4, "feeds": {x: _data(9, [4, 2, 2, 3])}}


def random_flip(v2=False):
    tf1.set_random_seed(5)
    image = tf.reshape(tf.range(24, dtype=tf.float32), [2, 4, 3], name="image")
    lr = tf.image.random_flip_left_right(image, seed=7)
    ud = tf.image.random_flip_up_down(lr, seed=9)
    return {"fetch": [lr, ud], "steps": 5}


def zero_fraction(v2=False):
    _, now = _every(1, "step", resource=v2)
    x = tf1.placeholder(tf.float32, [4, 5], name="x")
    w = tf1.get_variable("w", [5, 3], initializer=tf1.constant_initializer(_data(3, [5, 3])), use_resource=v2)
    act = tf.nn.relu(tf.matmul(x, w) - 0.25 * tf.cast(now, tf.float32), name="local3")
    tf1.summary.histogram("local3/activations", act)
    sparsity = tf.nn.zero_fraction(act)
    summary = tf1.summary.scalar("local3/sparsity", sparsity)
    return {"fetch": [sparsity, summary], "feeds": {x: _data(4, [4, 5])}, "steps": 4}


def assert_identity(v2=False):
    _, now = _every(1, "step", resource=v2)
    x = tf1.placeholder(tf.float32, [3], name="x")
    d = tf.square(x - tf.cast(now, tf.float32), name="d")
    with tf1.control_dependencies([tf.debugging.assert_non_negative(d, message="d must be >= 0"),
                                   tf1.assert_less(now, 100)]):
        checked = tf.identity(d, name="checked")
    return {"fetch": [checked], "feeds": {x: [0.5, 2.0, -1.0]}, "steps": 3}


def ema_resource(v2=False, resource=True):
    x = tf1.placeholder(tf.float32, [4, 3], name="x")
    labels = tf1.placeholder(tf.float32, [4, 2], name="labels")
    global_step = tf1.train.get_or_create_global_step()
    with tf1.variable_scope("softmax_linear"):
        w = tf1.get_variable("weights", [3, 2], initializer=tf1.constant_initializer(_data(5, [3, 2])),
                             use_resource=resource)
        b = tf1.get_variable("biases", [2], initializer=tf1.constant_initializer(0.1), use_resource=resource)
        logits = tf.nn.bias_add(tf.matmul(x, w), b)
    loss = tf.reduce_mean(tf.square(logits - labels), name="loss")
    opt = tf1.train.GradientDescentOptimizer(0.1)
    grads = opt.compute_gradients(loss)
    apply_gradient_op = opt.apply_gradients(grads, global_step=global_step)
    variable_averages = tf1.train.ExponentialMovingAverage(0.9, global_step)
    with tf1.control_dependencies([apply_gradient_op]):
        variables_averages_op = variable_averages.apply(tf1.trainable_variables())
    with tf1.control_dependencies([variables_averages_op]):
        avg = [tf.identity(variable_averages.average(v), name=f"avg_{i}") for i, v in enumerate([w, b])]
    return {"fetch": [loss] + avg, "feeds": {x: _data(6, [4, 3]), labels: _data(7, [4, 2])}, "steps": 3,
            "init_in_order": True}


def lr_schedule(v2=False):
    x = tf1.placeholder(tf.float32, [4, 2], name="x")
    global_step = tf1.train.get_or_create_global_step()
    # TF 2.21's get_or_create_global_step makes a resource variable whatever the control flow;
    # get_variable's default does too (idrun runs one variable mode per graph)
    w = tf1.get_variable("w", [2, 1], initializer=tf1.constant_initializer([[0.5], [-0.5]]))
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) - 1.0), name="loss")
    lr = tf1.cond(global_step < 2, lambda: tf.constant(0.1), lambda: tf.constant(0.01), name="learning_rate")
    train_op = tf1.train.GradientDescentOptimizer(lr).minimize(loss, global_step=global_step)
    with tf1.control_dependencies([train_op]):
        w_after = tf.identity(w.read_value(), name="w_after")
    return {"fetch": [loss, lr, w_after], "feeds": {x: _data(8, [4, 2])}, "steps": 4}


def case(v2=False):
    _, now = _every(1, "step", resource=v2)
    x = tf1.placeholder(tf.float32, [2], name="x")
    y = tf1.case([(tf.equal(now % 3, 1), lambda: x + 1.0), (tf.equal(now % 3, 2), lambda: x * 5.0)],
                 default=lambda: -x, name="case")
    return {"fetch": [y], "feeds": {x: [2.0, -0.5]}, "steps": 4}


def switch_case(v2=False):
    _, now = _every(1, "step", resource=v2)
    x = tf1.placeholder(tf.float32, [2], name="x")
    y = tf.switch_case(now % 3, [lambda: x + 1.0, lambda: x * 5.0, lambda: -x], name="switch")
    return {"fetch": [y], "feeds": {x: [2.0, -0.5]}, "steps": 4}


def while_print_assert(v2=False):
    n = tf1.placeholder(tf.int32, [], name="n")

    def body(i, acc):
        i = tf1.Print(i, [i, acc], message="i, acc = ")
        with tf1.control_dependencies([tf1.assert_less(i, 100, message="runaway loop")]):
            return i + 1, acc + tf.cast(i, tf.float32) * 0.5

    i, acc = tf1.while_loop(lambda i, acc: i < n, body, (tf.constant(0), tf.constant(1.0)), name="while")
    return {"fetch": [i, acc], "feeds": {n: 5}, "steps": 3}


def while_assign(v2=False, resource=None):
    resource = v2 if resource is None else resource
    v = tf1.Variable(0.0, name="v", use_resource=resource)

    def body(i):
        with tf1.control_dependencies([tf1.assign_add(v, 0.5)]):
            return [i + 1]

    [i] = tf1.while_loop(lambda i: i < 3, body, [tf.constant(0)], name="while", return_same_structure=True)
    with tf1.control_dependencies([i]):
        after = tf.identity(v.read_value() if resource else v, name="after")
    return {"fetch": [i, after], "steps": 3}


def _v1(build, **kw):
    def run():
        tf1.disable_control_flow_v2()
        return build(v2=False, **kw)
    return run


PROGRAMS = {
    "layers_batch_norm": layers_batch_norm,
    "layers_batch_norm_hidden": lambda v2=False: layers_batch_norm(v2, hidden=True),
    "layers_batch_norm_fused": layers_batch_norm_fused,
    "random_flip": random_flip,
    "zero_fraction": zero_fraction,
    "assert_identity": assert_identity,
    "ema_resource": ema_resource,
    "lr_schedule": lr_schedule,
    "case": case,
    "while_print_assert": while_print_assert,
    "while_assign": while_assign,
}

def _tf1_defaults(build, **kw):
    """As a TF1 script run under TF 2 with `disable_v2_behavior()`: control flow v1 and ref
    variables by default (the global step too)."""
    def run():
        tf1.disable_control_flow_v2()
        tf1.disable_resource_variables()
        try:
            return build(v2=False, **kw)
        finally:
            tf1.enable_resource_variables()
    return run


CASES = {f"realcf1_{name}": _v1(build) for name, build in PROGRAMS.items()}
CASES["realcf1ref_lr_schedule"] = _tf1_defaults(lr_schedule)
CASES["realcf1ref_ema"] = _tf1_defaults(ema_resource, resource=False)
CASES["realcf1_switch_case"] = _v1(switch_case)
CASES["realcf1_while_assign_resource"] = _v1(while_assign, resource=True)
