"""exponential_decay, compute_gradients and apply_gradients entries (spec/schedules.py,
spec/gradients.py), the LRN and AddN gradients, and the CIFAR-10 multi-GPU gallery graph,
against TensorFlow 2.21.

The node tables are TF's graphs of the programs `idrun export --format tf-python` writes for
these specs (tf1.train.exponential_decay, opt.compute_gradients, opt.apply_gradients, run
with tensorflow-cpu 2.21, nodes listed from `g.as_graph_def()`); the values are that
program's `sess.run` results.
"""

from __future__ import annotations

import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values
from tests.test_gradients import tf_style

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _f32(xs: list) -> list:
    import numpy
    return [float(numpy.float32(x)) for x in xs]

DECAY = """\
variables: ref
nodes:
  - {name: global_step, op: variable, value: 0, dtype: int64, trainable: false}
  - {name: w, op: variable, value: [1.0, 2.0]}
  - {name: mul, op: mul, inputs: [w, w]}
  - {name: Sum, op: reduce_sum, inputs: [mul]}
  - exponential_decay: 0.1
    global_step: global_step
    decay_steps: 2
    decay_rate: 0.5
    staircase: true
  - compute_gradients: Sum
    outputs: [gw]
  - apply_gradients: [[gw, w]]
    optimizer: {type: GradientDescent, learning_rate: ExponentialDecay}
    global_step: global_step
run: {fetch: [Sum, ExponentialDecay], targets: [GradientDescent], steps: 5}
"""

# TF 2.21, ref variables: exponential_decay(0.1, global_step, 2, 0.5, staircase=True),
# GradientDescentOptimizer(lr).compute_gradients(Sum) then .apply_gradients(grads, global_step)
TF_DECAY_NODES = [
    ('ExponentialDecay', 'Mul', ['ExponentialDecay/initial_learning_rate', 'ExponentialDecay/Pow']),
    ('ExponentialDecay/Cast', 'Cast', ['ExponentialDecay/Cast/x']),
    ('ExponentialDecay/Cast/x', 'Const', []),
    ('ExponentialDecay/Cast_1/x', 'Const', []),
    ('ExponentialDecay/Cast_2', 'Cast', ['global_step/read']),
    ('ExponentialDecay/Floor', 'Floor', ['ExponentialDecay/truediv']),
    ('ExponentialDecay/Pow', 'Pow', ['ExponentialDecay/Cast_1/x', 'ExponentialDecay/Floor']),
    ('ExponentialDecay/initial_learning_rate', 'Const', []),
    ('ExponentialDecay/truediv', 'RealDiv', ['ExponentialDecay/Cast_2', 'ExponentialDecay/Cast']),
    ('GradientDescent', 'AssignAdd', ['global_step', 'GradientDescent/value']),
    ('GradientDescent/update', 'NoOp', ['^GradientDescent/update_w/ApplyGradientDescent']),
    ('GradientDescent/update_w/ApplyGradientDescent', 'ApplyGradientDescent',
     ['w', 'ExponentialDecay', 'gradients/AddN']),
    ('GradientDescent/value', 'Const', ['^GradientDescent/update']),
]


def test_exponential_decay_and_apply_build_tfs_nodes(spec_file):
    graph = Pipeline(spec_file(DECAY)).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("ExponentialDecay", "GradientDescent")))
    assert ours == sorted(TF_DECAY_NODES)
    assert graph.nodes["ExponentialDecay/Cast/x"].attrs["value"] == 2    # an int32 Const, then Cast
    assert graph.nodes["ExponentialDecay/Cast_1/x"].attrs["dtype"] == "float32"   # no Cast


def test_exponential_decay_and_apply_train_with_tfs_values(spec_file):
    result = run_spec(spec_file(DECAY))
    # TF: sess.run([Sum, lr, apply_op]) x5; the staircase halves the rate every 2 steps
    assert values(result, "ExponentialDecay") == _f32([0.1, 0.1, 0.05, 0.05, 0.025])   # bit for bit
    assert values(result, "Sum") == pytest.approx([5.0, 3.2000003, 2.0479999, 1.6588798, 1.3436925], rel=1e-7)


def test_exponential_decay_resource_reads_the_step_in_its_cast(spec_file):
    graph = Pipeline(spec_file(DECAY), variables="resource").spec.graph
    # TF (resource): ExponentialDecay/Cast_2 reads global_step through its own ReadVariableOp
    assert tf_style(graph, "ExponentialDecay/Cast_2") == (
        "ExponentialDecay/Cast_2", "Cast", ["ExponentialDecay/Cast_2/ReadVariableOp"])
    assert tf_style(graph, "GradientDescent/update_w/ResourceApplyGradientDescent")[2] == [
        "w", "ExponentialDecay", "gradients/AddN"]
    assert values(run_spec(spec_file(DECAY), variables="resource"), "Sum") == pytest.approx(
        [5.0, 3.2000003, 2.0479999, 1.6588798, 1.3436925], rel=1e-7)


def test_without_staircase_the_exponent_is_fractional(spec_file):
    path = spec_file(DECAY.replace("    staircase: true\n", ""))
    graph = Pipeline(path).spec.graph
    assert "ExponentialDecay/Floor" not in graph.nodes
    # TF: exponential_decay(0.1, global_step, 2, 0.5): 0.1 * 0.5 ** (step / 2), bit for bit
    result = run_spec(path)
    assert values(result, "ExponentialDecay") == _f32([0.1, 0.07071068, 0.05, 0.03535534, 0.025])
    assert values(result, "Sum") == pytest.approx([5.0, 3.2000003, 2.3589036, 1.9107118, 1.6500497], rel=1e-7)


def test_minimize_is_compute_then_apply(spec_file):
    """One implementation: minimize builds what compute_gradients + apply_gradients build."""
    split = Pipeline(spec_file(DECAY)).spec.graph
    joined = Pipeline(spec_file(DECAY.replace(
        "  - compute_gradients: Sum\n    outputs: [gw]\n  - apply_gradients: [[gw, w]]\n",
        "  - minimize: Sum\n"), "m.yaml")).spec.graph
    assert sorted(tf_style(split, n) for n in split.nodes) == sorted(tf_style(joined, n) for n in joined.nodes)


LRN_ADDN = """\
nodes:
  - {name: x, op: variable, value: [[[[0.25, 0.5, 0.75, 1.0, 1.25, 1.5], [1.75, 2.0, 2.25, 2.5, 2.75, 3.0]]]]}
  - {name: a, op: variable, value: [1.0, 2.0]}
  - {name: b, op: variable, value: [3.0, -1.0]}
  - {name: LRN, op: local_response_normalization, inputs: [x], depth_radius: 2, bias: 1.0, alpha: 0.1, beta: 0.75}
  - {name: mul, op: mul, inputs: [LRN, LRN]}
  - {name: Sum, op: reduce_sum, inputs: [mul]}
  - {name: mul_1, op: mul, inputs: [a, a]}
  - {name: AddN, op: add_n, inputs: [mul_1, b, a]}
  - {name: mul_2, op: mul, inputs: [AddN, AddN]}
  - {name: Sum_1, op: reduce_sum, inputs: [mul_2]}
  - {name: loss, op: add, inputs: [Sum, Sum_1]}
  - gradients: loss
    xs: [x, a, b]
    outputs: [gx, ga, gb]
run: {fetch: [gx, ga, gb]}
"""


def test_lrn_and_add_n_gradients_are_tfs(spec_file):
    path = spec_file(LRN_ADDN)
    graph = Pipeline(path).spec.graph
    # TF: _LRNGrad is LRNGrad(grad, input, output) with the op's attributes; _AddNGrad hands the
    # gradient to every input as it is
    lrn = graph.nodes["gradients/LRN_grad/LRNGrad"]
    assert lrn.op == "lrn_grad" and [r.node for r in lrn.inputs][1:] == ["LRN/ReadVariableOp", "LRN"]
    assert (lrn.attrs["depth_radius"], lrn.attrs["alpha"], lrn.attrs["beta"]) == (2, 0.1, 0.75)
    result = run_spec(path)
    # TF: tf1.gradients(tf.reduce_sum(lrn(x)**2) + tf.reduce_sum(add_n([a*a, b, a])**2), [x, a, b]);
    # LRNGrad's float sums agree to rounding
    assert __import__("numpy").ravel(values(result, "gx")[0]).tolist() == pytest.approx([
        0.4047282338142395, 0.6513015627861023, 0.6608307361602783, 0.38357415795326233,
        0.5718218088150024, 0.897599458694458,
        0.5793043971061707, 0.17897777259349823, -0.2624444365501404, -0.47268223762512207,
         -0.17231497168540955, 0.19358769059181213], rel=1e-6)
    assert values(result, "ga") == [[30.0, 50.0]]
    assert values(result, "gb") == [[10.0, 10.0]]


@pytest.mark.parametrize("entry, message", [
    ("  - apply_gradients: [[gw]]\n    optimizer: {type: GradientDescent, learning_rate: 0.1}\n",
     "must be [gradient, variable]"),
    ("  - apply_gradients: [[gw, mul]]\n    optimizer: {type: GradientDescent, learning_rate: 0.1}\n",
     "'mul' is not a variable"),
    ("  - apply_gradients: [[gw, w], [gw, w]]\n    optimizer: {type: GradientDescent, learning_rate: 0.1}\n",
     "appears more than once"),
    ("  - apply_gradients: [[gw, w]]\n    optimizer: {type: GradientDescent, learning_rate: mul}\n",
     "must be a float scalar tensor"),
    ("  - apply_gradients: [[gw, w]]\n    optimizer: {type: GradientDescent, learning_rate: 0.1}\n    bogus: 1\n",
     "unknown key 'bogus'"),
    ("  - compute_gradients: Sum\n    outputs: [a, b]\n", "once"),
    ("  - exponential_decay: 1\n    global_step: global_step\n    decay_steps: 2\n    decay_rate: 0.5\n",
     "a float"),
    ("  - exponential_decay: 0.1\n    global_step: global_step\n    decay_rate: 0.5\n", "needs `decay_steps`"),
])
def test_bad_training_entries_are_located_errors(spec_file, entry, message):
    head = DECAY.split("  - exponential_decay")[0] + "  - compute_gradients: Sum\n    outputs: [gw]\n"
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(head + entry + "run: {fetch: [Sum]}\n")).spec
    assert message in str(err.value)
    assert err.value.loc is not None


def test_cifar10_multi_gpu_gallery_graph_trains_as_tf():
    """graphs/cifar10_multi_gpu_train.yaml: two towers, averaged gradients, the decayed rate."""
    path = str(ROOT / "graphs/cifar10_multi_gpu_train.yaml")
    graph = Pipeline(path).spec.graph
    assert graph.nodes["GradientDescent/update_conv1/weights/ApplyGradientDescent"].inputs[1].node == \
        "ExponentialDecay"
    assert graph.nodes["tower_1/gradients/tower_1/norm1_grad/LRNGrad"].op == "lrn_grad"
    result = run_spec(path, steps=2)
    # TF 2.21, the exported program: sess.run([tower_0/Identity, tower_1/Identity, lr, train_op])
    assert values(result, "tower_0/Identity") == pytest.approx([4.7047625, 4.4215755], rel=1e-5)
    assert values(result, "tower_1/Identity") == pytest.approx([4.658785, 4.9927216], rel=1e-5)
    # each tower reads each of the 10 variables once from cpu:0 and sends back 10 gradients
    # and its loss: 42 transfers, as TF's partition graphs have
    assert [len(s.transfers) for s in result.steps] == [42, 42]


def test_export_writes_compute_apply_and_decay_as_tf_calls(spec_file):
    from idrun.tf.export_python import export_tf_python
    text = export_tf_python(spec_file(DECAY))
    assert ("T['ExponentialDecay'] = tf1.train.exponential_decay(0.1, T['global_step'], 2, 0.5, staircase=True, "
            "name=None)") in text
    assert "compute_gradients(OUT(T['Sum'], 0), var_list=[T['w']])" in text
    assert ("tf1.train.GradientDescentOptimizer(learning_rate=OUT(T['ExponentialDecay'], 0)).apply_gradients("
            "[(OUT(T['gradients/AddN'], 0), T['w'])], global_step=T['global_step'])") in text


def test_export_initializes_a_run_init_variable_then_runs_run_init(spec_file):
    from idrun.tf.export_python import export_tf_python
    text = export_tf_python(spec_file("""\
        variables: ref
        nodes:
          - {name: w, op: variable, dtype: float32, shape: [3, 2]}
          - {name: tn, op: truncated_normal, shape: [3, 2], seed: 1}
          - {name: w/Assign, op: assign, inputs: [w, tn]}
          - {name: init, op: group, inputs: [w/Assign]}
          - {name: y, op: reduce_sum, inputs: [w]}
        run: {fetch: [y], init: [init], steps: 2}
        """))
    assert "T['w'] = tf1.Variable(tf.zeros([3, 2], dtype=tf.float32), trainable=True" in text
    assert "for op in [OP(T['init'])]:" in text


def test_an_average_of_a_run_init_variable_needs_its_shadow_initialized(spec_file):
    """idrun starts a shadow from its variable's `value:` only; a variable that run.init sets
    leaves the shadow unset (the gallery graph assigns it in run.init): TF's error, not a crash."""
    result = run_spec(spec_file("""\
        variables: ref
        nodes:
          - {name: w, op: variable, dtype: float32, shape: [2]}
          - {name: w/Assign, op: assign, inputs: [w, [1.0, 2.0]]}
          - {name: init, op: group, inputs: [w/Assign]}
          - {name: ema, op: exponential_moving_average, inputs: [w], decay: 0.9}
        run: {targets: [ema], init: [init]}
        """))
    assert result.error is not None
    assert "Attempting to use uninitialized value w/ema" in result.error.message


LINEAR = """nodes:
  - {name: x, op: const, value: [1.0, 2.0]}
  - {name: w, op: variable, value: [0.5, -0.5]}
  - {name: b, op: variable, value: 0.1}
  - {name: y, op: mul, inputs: [x, w]}
  - {name: z, op: add, inputs: [y, b]}
  - {name: loss, op: reduce_sum, inputs: [z]}
"""


@pytest.mark.parametrize("mode", ["resource", "ref"])
@pytest.mark.parametrize("rate", ["{name: lr, op: const, value: 0.1}",
                                  "{name: lr, op: variable, value: 0.1, trainable: false}",
                                  "{name: lr, op: mul, inputs: [0.2, 0.5]}"])
def test_a_learning_rate_tensor_or_variable_trains_as_tf(spec_file, mode, rate):
    """TF 2.21 (the exported program, both variable modes): losses -0.29999995, -1.2."""
    path = spec_file(LINEAR + f"""  - {rate}
  - minimize: loss
    name: train
    optimizer: {{type: GradientDescent, learning_rate: lr}}
run: {{fetch: [loss], targets: [train], steps: 2}}
""")
    assert values(run_spec(path, mode), "loss") == [pytest.approx(-0.29999995, rel=1e-7), pytest.approx(-1.2, rel=1e-7)]


@pytest.mark.parametrize("extra,where,message", [
    ("  - minimize: loss\n    optimizer: {type: Momentum, learning_rate: 0.1, momentum: 0.9, use_nesterov: loss}\n",
     "9:82", "`use_nesterov` of the optimizer must be true or false, got 'loss'"),
    ("  - {name: lr, op: const, value: [0.1, 0.2]}\n  - minimize: loss\n    optimizer:\n      type: GradientDescent\n"
     "      learning_rate: lr\n", "12:22", "`learning_rate: lr` must be a float scalar tensor, 'lr:0' is float32[2]"),
    ("  - compute_gradients: loss\n    outputs: [[a], 3]\n", "9:14",
     "`outputs` names each gradient with a node name (no ':'), got ['a']"),
])
def test_bad_training_entries_are_located_errors(cli, spec_file, extra, where, message):
    path = spec_file(LINEAR + extra)
    res = cli("run", path)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0] == f"{path}:{where}: error: {message}"


def test_exponential_decay_of_a_tensor_step_and_an_int_loss(cli, spec_file):
    """TF 2.21: exponential_decay(0.1, const 4, 3, 0.5) = 0.039685026; an int32 loss is
    Optimizer._assert_valid_dtypes' error."""
    path = spec_file("nodes:\n  - {name: gs, op: const, value: 4}\n  - exponential_decay: 0.1\n    global_step: gs\n"
                     "    decay_steps: 3\n    decay_rate: 0.5\nrun: {fetch: [ExponentialDecay]}\n")
    assert values(run_spec(path), "ExponentialDecay") == [pytest.approx(0.039685026, rel=1e-7)]
    bad = spec_file("nodes:\n  - {name: w, op: variable, value: [1, 2]}\n  - {name: loss, op: reduce_sum, inputs: [w]}\n"
                    "  - compute_gradients: loss\n")
    res = cli("run", bad)
    assert res.exit_code == 2 and "Invalid type tf.int32 for loss:0, expected: [tf.float16" in res.stderr
