"""TF 2 functional control flow in TF1 graph-mode programs (control flow v2 on, as TF 2's
default): tf.cond -> If/StatelessIf, tf.while_loop -> While/StatelessWhile, tf.switch_case ->
Case, a tf.function called from the graph -> PartitionedCall/StatefulPartitionedCall, each with
its FunctionDefLibrary. Predicates read a step counter so that successive steps take both
branches. idrun runs these once `idrun.tf.functional.lower_functional` and v1 control flow are
wired in; until then they are written to tests/fixtures/graphdefs_v2/ (FIXTURE_DIR).

A case may add `alt_feeds`: more feed dicts that tests/test_functional_lowering.py runs the
original and the lowered graph with (the fixture records only `feeds`)."""

import tensorflow as tf
from tensorflow.python.ops import control_flow_util

tf1 = tf.compat.v1

FIXTURE_DIR = "graphdefs_v2"


def _v2(build):
    """Build with control flow v2 on whatever the process default, then restore it."""
    def run():
        before = control_flow_util.ENABLE_CONTROL_FLOW_V2
        control_flow_util.ENABLE_CONTROL_FLOW_V2 = True
        try:
            return build()
        finally:
            control_flow_util.ENABLE_CONTROL_FLOW_V2 = before
    return run


def _step_counter():
    """A resource counter bumped once per step: its new value, 1, 2, 3, ..."""
    step = tf1.Variable(0, name="step", use_resource=True)
    return tf1.assign_add(step, 1, name="next_step")


def cond_fed():
    x = tf1.placeholder(tf.float32, shape=[], name="x")
    y = tf.cond(x > 0.0, lambda: x * 2.0, lambda: x - 1.0, name="cond")
    return {"fetch": [y], "feeds": {x: 3.0}, "steps": 3, "alt_feeds": [{x: -2.5}, {x: 0.0}, {x: 7.0}]}


def cond_alternating():
    """The branch taken flips each step; two outputs, one of them the input passed through."""
    n = _step_counter()
    x = tf.constant([1.0, -2.0, 3.0], name="x")
    a, b = tf.cond(tf.equal(n % 2, 0), lambda: (x * 10.0, tf.identity(n)), lambda: (x - 1.0, n * 3),
                   name="alt")
    return {"fetch": [a, b], "steps": 4}


def cond_assign_in_branch():
    """A variable's assign_add inside one branch runs only when that branch is taken (If, not
    StatelessIf: the branch is stateful)."""
    n = _step_counter()
    v = tf1.Variable(100.0, name="v", use_resource=True)

    def bump():
        with tf1.control_dependencies([v.assign_add(1.0)]):
            return tf.identity(v.read_value())

    y = tf.cond(n < 3, bump, lambda: v.read_value() * 2.0, name="cond")
    with tf1.control_dependencies([y]):
        after = tf.identity(v.read_value(), name="after")
    return {"fetch": [y, after], "steps": 4}


def while_counter():
    n = tf1.placeholder(tf.int32, shape=[], name="n")
    i, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), [0, 0], name="while")
    return {"fetch": [i, s], "feeds": {n: 5}, "steps": 3, "alt_feeds": [{n: 0}, {n: 1}, {n: 12}]}


def while_maximum_iterations():
    x = tf1.placeholder(tf.float32, shape=[2], name="x")
    [out] = tf.while_loop(lambda v: tf.reduce_sum(v) < 1000.0, lambda v: [v * 2.0], [x], maximum_iterations=5,
                          name="while")
    return {"fetch": [out], "feeds": {x: [1.0, 2.0]}, "steps": 3,
            "alt_feeds": [{x: [300.0, 400.0]}, {x: [2000.0, 0.0]}, {x: [0.5, 0.25]}]}


def cond_in_while():
    """A cond nested in the loop body: even iterations add, odd ones multiply."""
    x = tf1.placeholder(tf.float32, shape=[], name="x")

    def body(i, acc):
        acc = tf.cond(tf.equal(i % 2, 0), lambda: acc + x, lambda: acc * 1.5, name="pick")
        return i + 1, acc

    _, acc = tf.while_loop(lambda i, acc: i < 6, body, [0, 1.0], name="loop")
    return {"fetch": [acc], "feeds": {x: 2.0}, "steps": 3, "alt_feeds": [{x: -1.0}, {x: 0.5}]}


def while_in_while():
    n = tf1.placeholder(tf.int32, shape=[], name="n")

    def outer(i, total):
        _, inner = tf.while_loop(lambda j, t: j < i, lambda j, t: (j + 1, t + j), [0, 0], name="inner")
        return i + 1, total + inner

    i, total = tf.while_loop(lambda i, t: i < n, outer, [0, 0], name="outer")
    return {"fetch": [i, total], "feeds": {n: 4}, "steps": 3, "alt_feeds": [{n: 0}, {n: 7}]}


def while_stateful_counter():
    """A loop whose body bumps a variable (While, not StatelessWhile; the variable's handle is
    a DT_RESOURCE loop variable: an is_constant Enter)."""
    v = tf1.Variable(0.0, name="v", use_resource=True)

    def body(i):
        with tf1.control_dependencies([v.assign_add(0.5)]):
            return [i + 1]

    [i] = tf.while_loop(lambda i: i < 3, body, [0], name="while")
    with tf1.control_dependencies([i]):
        after = tf.identity(v.read_value(), name="after")
    return {"fetch": [i, after], "steps": 3}


def rnn_loop():
    """A tiny RNN over 4 steps: h = tanh(x_t W + h U + b), the weights variables read in the
    loop, the inputs gathered per step."""
    xs = tf1.placeholder(tf.float32, shape=[4, 2, 3], name="xs")
    w = tf1.Variable([[0.1, -0.2], [0.3, 0.05], [-0.4, 0.2]], name="w", use_resource=True)
    u = tf1.Variable([[0.5, -0.1], [0.2, 0.3]], name="u", use_resource=True)
    b = tf1.Variable([0.01, -0.02], name="b", use_resource=True)

    def body(t, h):
        h = tf.tanh(tf.matmul(tf.gather(xs, t), w) + tf.matmul(h, u) + b)
        return t + 1, h

    _, h = tf.while_loop(lambda t, h: t < 4, body, [tf.constant(0), tf.zeros([2, 2])], name="rnn")
    seq = [[[0.5, -1.0, 0.25], [1.0, 0.0, -0.5]], [[0.1, 0.2, 0.3], [-0.3, 0.6, 0.9]],
           [[1.5, -0.5, 0.0], [0.0, 0.0, 1.0]], [[-1.0, 1.0, -1.0], [0.2, -0.2, 0.2]]]
    return {"fetch": [h], "feeds": {xs: seq}, "steps": 3,
            "alt_feeds": [{xs: [[[0.0] * 3] * 2] * 4}, {xs: [[[r * 0.1 for r in range(3)]] * 2] * 4}]}


def rnn_training():
    """rnn_loop trained with GradientDescentOptimizer: the gradient of a While is another While
    (TensorList accumulators of the forward pass, popped in reverse), the gradient of a cond in
    the loop body another If."""
    xs = tf1.placeholder(tf.float32, shape=[3, 2], name="xs")
    w = tf1.Variable([[0.3, -0.2], [0.1, 0.4]], name="w", use_resource=True)

    def body(t, h):
        z = tf.matmul(tf.reshape(tf.gather(xs, t), [1, 2]), w) + h
        h = tf.cond(tf.reduce_sum(z) > 0.0, lambda: tf.tanh(z), lambda: z * 0.5, name="act")
        return t + 1, h

    _, h = tf.while_loop(lambda t, h: t < 3, body, [tf.constant(0), tf.zeros([1, 2])], name="rnn")
    loss = tf.reduce_sum(tf.square(h - 1.0), name="loss")
    train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf1.control_dependencies([train]):
        w_after = tf.identity(w.read_value(), name="w_after")
    return {"fetch": [loss, w_after], "feeds": {xs: [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]]}, "steps": 3,
            "alt_feeds": [{xs: [[-2.0, 0.0], [0.0, -1.0], [1.0, 1.0]]}]}


def function_calls():
    """tf.function called from a TF1 graph: PartitionedCall for a pure one, StatefulPartitionedCall
    for one that updates a variable; the outer function calls the inner one and holds a cond."""
    v = tf1.Variable(1.0, name="v", use_resource=True)
    x = tf1.placeholder(tf.float32, shape=[2], name="x")

    @tf.function
    def scale(a):
        return a * 3.0, tf.reduce_sum(a)

    @tf.function
    def outer(a):
        s, total = scale(a)
        return tf.cond(total > 0.0, lambda: s + 1.0, lambda: s - 1.0)

    @tf.function
    def bump(a):
        v.assign_add(tf.reduce_sum(a))
        return v.read_value()

    y = outer(x)
    z = bump(x)
    return {"fetch": [y, z], "feeds": {x: [1.0, 2.0]}, "steps": 3,
            "alt_feeds": [{x: [-4.0, 1.0]}, {x: [0.0, 0.0]}]}


def function_multi_output():
    """A function body reading outputs past the first argument of multi-output ops: Unique's
    `idx`, Split's `output` list, SparseSplit's `output_values` after its `output_indices` list
    (a FunctionDef names them `node:arg:i`, the GraphDef by flat index)."""
    x = tf1.placeholder(tf.float32, shape=[6], name="x")

    @tf.function
    def pieces(a):
        _, idx = tf.unique(a)
        parts = tf.split(a, 3)
        sp = tf.sparse.SparseTensor([[0, 0], [0, 3], [1, 1], [1, 2]], a[:4], [2, 4])
        right = tf.sparse.split(sp_input=sp, num_split=2, axis=1)[1]
        return idx, parts[2], right.values, right.indices

    outs = pieces(x)
    return {"fetch": list(outs), "feeds": {x: [3.0, 1.0, 3.0, 2.0, 1.0, 5.0]}, "steps": 3,
            "alt_feeds": [{x: [0.0, 0.0, 1.0, -1.0, 4.0, 4.0]}]}


def control_edges():
    """Control inputs into a cond and a loop (added to the If/While nodes themselves, as a
    control_dependencies block does when the inputs come from outside it), control consumers
    of them, and a cond with no outputs (only a variable update): TF's branch_executed,
    LoopControlInputs, LoopExecuted and a branch's control_ret carry the order."""
    n = _step_counter()
    v = tf1.Variable(10.0, name="v", use_resource=True)
    x = tf1.placeholder(tf.float32, shape=[], name="x")
    y = tf.cond(tf.equal(n % 2, 0), lambda: x + 1.0, lambda: x - 1.0, name="cond")
    [w] = tf.while_loop(lambda i: i < 3.0, lambda i: [i + 1.0], [x], name="loop")
    bump = tf.cond(n < 3, lambda: tf.group(v.assign_add(5.0)), tf.no_op, name="bump")
    if_op, while_op = y.op.inputs[0].op, w.op.inputs[0].op
    late = tf1.assign_add(v, 0.25, name="late")
    if_op._add_control_input(late.op)
    while_op._add_control_input(late.op)
    with tf1.control_dependencies([if_op, while_op, bump]):
        after = tf.identity(v.read_value(), name="after")
    return {"fetch": [y, w, after], "feeds": {x: 0.5}, "steps": 4}


def traced_function():
    """A tf.function's own traced graph (`get_concrete_function().graph`, as TF 2 programs save
    it), imported whole: its arguments are placeholders, its cond calls another tf.function
    from a branch, its loop holds a cond."""
    @tf.function
    def helper(a):
        return a * 2.0 + 1.0

    @tf.function
    def f(x, n):
        y = tf.cond(tf.reduce_sum(x) > 0, lambda: helper(x), lambda: -x)

        def body(i, acc):
            return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: acc + y, lambda: acc * 0.5)

        _, acc = tf.while_loop(lambda i, acc: i < n, body, [0, tf.zeros_like(x)])
        return acc, tf.reduce_max(acc)

    traced = f.get_concrete_function(tf.TensorSpec([3], tf.float32, name="x"), tf.TensorSpec([], tf.int32, name="n"))
    tf1.import_graph_def(traced.graph.as_graph_def(), name="")
    g = tf1.get_default_graph()
    x, n = g.get_tensor_by_name("x:0"), g.get_tensor_by_name("n:0")
    return {"fetch": [g.get_tensor_by_name(t.name) for t in traced.outputs], "feeds": {x: [1.0, 2.0, 3.0], n: 5},
            "steps": 3, "alt_feeds": [{x: [-1.0, -2.0, 0.5], n: 4}, {x: [0.0, 0.0, 0.0], n: 0}]}


def two_devices():
    """A cond, a loop and a call placed on CPU:1 reading a tensor made on CPU:0, one branch op
    pinned to CPU:0: the lowered nodes' devices (a Switch with its input, body nodes with their
    call) give TF's transfers."""
    with tf1.device("/device:CPU:0"):
        x = tf1.placeholder(tf.float32, shape=[2], name="x")
        a = tf.multiply(x, 2.0, name="a")

    def true_fn():
        with tf1.device("/device:CPU:0"):
            t = a + 1.0
        return t * 3.0

    @tf.function
    def double(v):  # traced outside any device scope: its body's nodes have no device
        return v * 2.0 + 1.0

    traced = double.get_concrete_function(tf.TensorSpec([2], tf.float32))
    with tf1.device("/device:CPU:1"):
        y = tf.cond(tf.reduce_sum(x) > 0.0, true_fn, lambda: a - 1.0, name="cond")
        [w] = tf.while_loop(lambda v: tf.reduce_sum(v) < 50.0, lambda v: [v * 2.0 + a], [y], name="loop")
        d = traced(a)  # a PartitionedCall on CPU:1: the inlined body runs there
    with tf1.device("/device:CPU:0"):
        out = tf.add(d, 1.0, name="out")
    return {"fetch": [y, w, out], "feeds": {x: [1.0, 2.0]}, "steps": 3, "cpus": 2, "inline_functions": True,
            "alt_feeds": [{x: [-3.0, 1.0]}]}


def switch_case():
    n = _step_counter()
    x = tf1.placeholder(tf.float32, shape=[], name="x")
    y = tf.switch_case(n % 3, [lambda: x + 1.0, lambda: x * 5.0, lambda: -x], name="case")
    return {"fetch": [y], "feeds": {x: 2.0}, "steps": 4, "alt_feeds": [{x: -0.5}]}


CASES = {
    "cfv2_cond_fed": _v2(cond_fed),
    "cfv2_cond_alternating": _v2(cond_alternating),
    "cfv2_cond_assign_in_branch": _v2(cond_assign_in_branch),
    "cfv2_while_counter": _v2(while_counter),
    "cfv2_while_maximum_iterations": _v2(while_maximum_iterations),
    "cfv2_cond_in_while": _v2(cond_in_while),
    "cfv2_while_in_while": _v2(while_in_while),
    "cfv2_while_stateful_counter": _v2(while_stateful_counter),
    "cfv2_rnn_loop": _v2(rnn_loop),
    "cfv2_rnn_training": _v2(rnn_training),
    "cfv2_function_calls": _v2(function_calls),
    "cfv2_function_multi_output": _v2(function_multi_output),
    "cfv2_switch_case": _v2(switch_case),
    "cfv2_control_edges": _v2(control_edges),
    "cfv2_traced_function": _v2(traced_function),
    "cfv2_two_devices": _v2(two_devices),
}
