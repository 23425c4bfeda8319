"""`gradients` and `minimize` entries (spec/gradients.py) against TensorFlow 2.21.

The node tables are TF's graphs of the programs `idrun export --format tf-python` writes for
these specs (tf1.gradients, tf1.train.GradientDescentOptimizer(...).minimize(...), run with
tensorflow-cpu 2.21, nodes listed from `g.as_graph_def()`); the values are that program's
`sess.run` results.
"""

from __future__ import annotations

import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent

# TF 2.21's gradient and train nodes for graphs/mlp_training.yaml: (name, op, inputs)
TF_MLP_TRAINING_NODES = [
    ('gradients/BiasAdd_grad/BiasAddGrad', 'BiasAddGrad', ['gradients/h_grad/ReluGrad']),
    ('gradients/BiasAdd_grad/tuple/control_dependency', 'Identity', ['gradients/h_grad/ReluGrad', '^gradients/BiasAdd_grad/tuple/group_deps']),
    ('gradients/BiasAdd_grad/tuple/control_dependency_1', 'Identity', ['gradients/BiasAdd_grad/BiasAddGrad', '^gradients/BiasAdd_grad/tuple/group_deps']),
    ('gradients/BiasAdd_grad/tuple/group_deps', 'NoOp', ['^gradients/BiasAdd_grad/BiasAddGrad', '^gradients/h_grad/ReluGrad']),
    ('gradients/MatMul_1_grad/MatMul', 'MatMul', ['gradients/logits_grad/tuple/control_dependency', 'MatMul_1/ReadVariableOp']),
    ('gradients/MatMul_1_grad/MatMul_1', 'MatMul', ['h', 'gradients/logits_grad/tuple/control_dependency']),
    ('gradients/MatMul_1_grad/tuple/control_dependency', 'Identity', ['gradients/MatMul_1_grad/MatMul', '^gradients/MatMul_1_grad/tuple/group_deps']),
    ('gradients/MatMul_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/MatMul_1_grad/MatMul_1', '^gradients/MatMul_1_grad/tuple/group_deps']),
    ('gradients/MatMul_1_grad/tuple/group_deps', 'NoOp', ['^gradients/MatMul_1_grad/MatMul', '^gradients/MatMul_1_grad/MatMul_1']),
    ('gradients/MatMul_grad/MatMul', 'MatMul', ['gradients/BiasAdd_grad/tuple/control_dependency', 'MatMul/ReadVariableOp']),
    ('gradients/MatMul_grad/MatMul_1', 'MatMul', ['x', 'gradients/BiasAdd_grad/tuple/control_dependency']),
    ('gradients/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/MatMul_grad/MatMul', '^gradients/MatMul_grad/tuple/group_deps']),
    ('gradients/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/MatMul_grad/MatMul_1', '^gradients/MatMul_grad/tuple/group_deps']),
    ('gradients/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/MatMul_grad/MatMul', '^gradients/MatMul_grad/MatMul_1']),
    ('gradients/Shape', 'Const', []),
    ('gradients/grad_ys_0', 'Fill', ['gradients/Shape', 'gradients/grad_ys_0/Const']),
    ('gradients/grad_ys_0/Const', 'Const', []),
    ('gradients/h_grad/ReluGrad', 'ReluGrad', ['gradients/MatMul_1_grad/tuple/control_dependency', 'h']),
    ('gradients/logits_grad/Reshape', 'Reshape', ['gradients/logits_grad/Sum', 'gradients/logits_grad/Shape_1']),
    ('gradients/logits_grad/Shape', 'Const', []),
    ('gradients/logits_grad/Shape_1', 'Const', []),
    ('gradients/logits_grad/Sum', 'Sum', ['gradients/xent_grad/mul', 'gradients/logits_grad/Sum/reduction_indices']),
    ('gradients/logits_grad/Sum/reduction_indices', 'Const', []),
    ('gradients/logits_grad/tuple/control_dependency', 'Identity', ['gradients/xent_grad/mul', '^gradients/logits_grad/tuple/group_deps']),
    ('gradients/logits_grad/tuple/control_dependency_1', 'Identity', ['gradients/logits_grad/Reshape', '^gradients/logits_grad/tuple/group_deps']),
    ('gradients/logits_grad/tuple/group_deps', 'NoOp', ['^gradients/logits_grad/Reshape', '^gradients/xent_grad/mul']),
    ('gradients/loss_grad/Const', 'Const', []),
    ('gradients/loss_grad/Const_1', 'Const', []),
    ('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
    ('gradients/loss_grad/Reshape/shape', 'Const', []),
    ('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
    ('gradients/loss_grad/truediv', 'RealDiv', ['gradients/loss_grad/Tile', 'gradients/loss_grad/Const_1']),
    ('gradients/xent_grad/ExpandDims', 'ExpandDims', ['gradients/loss_grad/truediv', 'gradients/xent_grad/ExpandDims/dim']),
    ('gradients/xent_grad/ExpandDims/dim', 'Const', []),
    ('gradients/xent_grad/mul', 'Mul', ['gradients/xent_grad/ExpandDims', 'xent:1']),
    ('gradients/zeros_like', 'ZerosLike', ['xent:1']),
    ('train', 'AssignAddVariableOp', ['global_step', 'train/Const']),
    ('train/Const', 'Const', ['^train/update']),
    ('train/learning_rate', 'Const', []),
    ('train/update', 'NoOp', ['^train/update_b1/ResourceApplyGradientDescent', '^train/update_b2/ResourceApplyGradientDescent', '^train/update_w1/ResourceApplyGradientDescent', '^train/update_w2/ResourceApplyGradientDescent']),
    ('train/update_b1/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['b1', 'train/learning_rate', 'gradients/BiasAdd_grad/tuple/control_dependency_1']),
    ('train/update_b2/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['b2', 'train/learning_rate', 'gradients/logits_grad/tuple/control_dependency_1']),
    ('train/update_w1/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['w1', 'train/learning_rate', 'gradients/MatMul_grad/tuple/control_dependency_1']),
    ('train/update_w2/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['w2', 'train/learning_rate', 'gradients/MatMul_1_grad/tuple/control_dependency_1']),
]


def tf_style(graph, name: str) -> tuple:
    """A node as a GraphDef lists it: data inputs `n` / `n:k`, then `^control` (sorted, as TF's group)."""
    node = graph.nodes[name]
    ins = [r.node if r.index == 0 else f"{r.node}:{r.index}" for r in node.inputs]
    return (name, node_type(graph, node), ins + sorted(f"^{c}" for c in node.control_inputs))


def node_type(graph, node) -> str:
    from idrun.ops import REGISTRY
    return REGISTRY[node.op].tf_op_for(graph.variables)


def test_minimize_builds_tfs_gradient_graph_node_for_node():
    graph = Pipeline(str(ROOT / "graphs/mlp_training.yaml")).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_MLP_TRAINING_NODES)


def test_minimize_trains_with_tfs_losses():
    # TF: GradientDescentOptimizer(0.1).minimize(loss, global_step=global_step, name="train"),
    # sess.run([loss, train]) x5. MatMul and the cross entropy follow Eigen's order only to
    # float rounding (step 4 is one ulp apart), hence the tolerance.
    got = values(run_spec(str(ROOT / "graphs/mlp_training.yaml")), "loss")
    assert got == pytest.approx([1.1333997, 1.113066, 1.0943034, 1.076725, 1.0600295], rel=1e-6)


MOMENTUM = (ROOT / "graphs/mlp_training.yaml").read_text().replace(
    "{type: GradientDescent, learning_rate: 0.1}", "{type: Momentum, learning_rate: 0.1, momentum: 0.9}")


def test_momentum_makes_tfs_slots_and_updates(spec_file):
    path = spec_file(MOMENTUM)
    graph = Pipeline(path).spec.graph
    for var in ("w1", "b1", "w2", "b2"):   # TF: slot_creator.create_zeros_slot(var, "Momentum")
        assert graph.nodes[f"{var}/Momentum"].op == "variable"
        assert graph.nodes[f"{var}/Momentum"].attrs["trainable"] is False
        apply = graph.nodes[f"train/update_{var}/ResourceApplyMomentum"]
        assert [r.node for r in apply.inputs] == [var, f"{var}/Momentum", "train/learning_rate",
                                                   apply.inputs[3].node, "train/momentum"]
    # TF: MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=global_step, name="train")
    got = values(run_spec(path), "loss")
    assert got == pytest.approx([1.1333997, 1.113066, 1.0774264, 1.0338068, 0.99153036], rel=1e-6)


GRADIENTS = """
nodes:
  - {name: x, op: const, value: [1.0, 2.0, 3.0]}
  - {name: w, op: variable, value: [0.5, -1.0, 2.0]}
  - {name: h, op: mul, inputs: [x, w]}
  - {name: t, op: tanh, inputs: [h]}
  - {name: u, op: add, inputs: [t, h]}
  - {name: v, op: mul, inputs: [u, w]}
  - {name: loss, op: reduce_sum, inputs: [v]}
  - gradients: loss
    xs: [w, h]
    outputs: [dw, dh]
run: {fetch: [dw, dh], steps: 1}
"""


def test_gradients_adds_several_gradients_with_addn_and_no_tuple(spec_file):
    path = spec_file(GRADIENTS)
    graph = Pipeline(path).spec.graph
    # TF: tf1.gradients([loss], [w, h]): u's two consumers' gradients meet in gradients/AddN, the
    # two reads of w in gradients/AddN_1; gate_gradients=False: no tuple/group_deps
    assert tf_style(graph, "gradients/AddN") == (
        "gradients/AddN", "AddN", ["gradients/v_grad/Mul", "gradients/t_grad/TanhGrad"])
    assert tf_style(graph, "gradients/AddN_1") == (
        "gradients/AddN_1", "AddN", ["gradients/v_grad/Mul_1", "gradients/h_grad/Mul_1"])
    assert tf_style(graph, "gradients/h_grad/Mul") == (
        "gradients/h_grad/Mul", "Mul", ["gradients/AddN", "h/ReadVariableOp"])
    assert not [n for n in graph.nodes if "tuple" in n]
    result = run_spec(path)
    # TF: sess.run([dw, dh]); tanh's gradient is TF's to float rounding
    assert values(result, "dw")[0] == pytest.approx([1.855341, -5.1053295, 13.000135], rel=1e-6)
    assert values(result, "dh")[0] == pytest.approx([0.8932239, -1.0706508, 2.000049], rel=1e-6)


OPS = """
nodes:
  - {name: x, op: const, value: [[1.,2.,3.],[0.5,-1.,2.]]}
  - {name: t, op: const, value: [[0.,0.,1.],[1.,0.,0.]]}
  - {name: w, op: variable, value: [[0.1,-0.2,0.3],[0.2,0.1,-0.1],[-0.3,0.2,0.1]]}
  - {name: b, op: variable, value: [0.1,0.2,0.3]}
  - {name: s, op: variable, value: 0.5}
  - {name: MatMul, op: matmul, inputs: [x, w], transpose_b: true}
  - {name: a, op: sigmoid, inputs: [MatMul]}
  - {name: c, op: tanh, inputs: [a]}
  - {name: d, op: sub, inputs: [c, b]}
  - {name: e, op: mul, inputs: [d, s]}
  - {name: f, op: mul, inputs: [e, x]}
  - {name: sq, op: square, inputs: [f]}
  - {name: xent, op: softmax_cross_entropy_with_logits, inputs: [sq, t]}
  - {name: l2, op: l2_loss, inputs: [w]}
  - {name: total, op: reduce_sum, inputs: [xent]}
  - {name: loss, op: add, inputs: [total, l2]}
  - gradients: loss
    xs: [w, b, s, MatMul]
    outputs: [dw, db, ds, dm]
run: {fetch: [dw, db, ds, dm], steps: 1}
"""


def test_gradients_of_the_elementwise_and_loss_ops_match_tf(spec_file):
    result = run_spec(spec_file(OPS))
    # TF: tf1.gradients([loss], [w, b, s, MatMul]) of the same graph; sigmoid, tanh and the
    # softmax are TF's to a few ulps (transcendentals), hence the tolerance
    want = {"dw": [[0.1089133, -0.17098404, 0.32394257], [0.2394292, 0.163846, 0.022040702],
                   [-0.40996736, -0.055643126, -0.22097498]],
            "db": [-0.033613168, -0.2231457, 0.6061418], "ds": -0.15485649,
            "dm": [[0.011710641, 0.0356761, -0.118894465], [-0.0055946764, 0.0075062024, 0.017854212]]}
    for name, value in want.items():
        got = values(result, name)[0]
        flat = lambda v: sum(map(flat, v), []) if isinstance(v, list) else [v]  # noqa: E731
        assert flat(got) == pytest.approx(flat(value), rel=2e-6, abs=1e-7), name


def test_an_op_without_a_gradient_is_a_located_error(spec_file):
    path = spec_file("""
        nodes:
          - {name: w, op: variable, value: [1.0, 2.0]}
          - {name: e, op: snapshot, inputs: [w]}   # TF registers no gradient for Snapshot
          - {name: loss, op: square, inputs: [e]}
          - minimize: loss
            optimizer: {type: GradientDescent, learning_rate: 0.1}
        """)
    with pytest.raises(SpecError) as err:
        Pipeline(path).spec
    assert "no gradient is registered for snapshot 'e'" in str(err.value.message)
    assert f"(defined at {path}:4:" in err.value.message and not err.value.possibilities
    assert err.value.loc.line == 6   # the minimize entry (the leading newline is line 1)


def test_a_moving_average_whose_tensor_reads_it_is_a_located_cycle(tmp_path):
    """graphs/batch_norm_cond_training.yaml without its `moments/mean` line: `mean` is then the
    cond's output, made later, so the batch mean the EMA averages reads its own average (found
    by `make fuzz`: was a RecursionError, exit 3)."""
    from tests.conftest import ROOT
    text = (ROOT / "graphs/batch_norm_cond_training.yaml").read_text()
    lines = [line for line in text.splitlines() if "{name: mean, op: reduce_mean" not in line]
    assert len(lines) == len(text.splitlines()) - 1
    path = tmp_path / "cycle.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpecError) as err:
        Pipeline(str(path)).spec
    assert "dependency cycle: the moving average" in err.value.message
    assert err.value.loc is not None and err.value.loc.line > 1


def test_no_gradient_for_any_variable_is_tfs_error(spec_file):
    path = spec_file("""
        nodes:
          - {name: w, op: variable, value: 1.0}
          - {name: loss, op: const, value: 2.0}
          - minimize: loss
            optimizer: {type: GradientDescent, learning_rate: 0.1}
        """)
    with pytest.raises(SpecError, match="No gradients provided for any variable"):
        Pipeline(path).spec


def test_the_export_calls_tf_gradients_and_minimize(spec_file):
    from idrun.tf.export_python import export_tf_python
    text = export_tf_python(spec_file(GRADIENTS))
    assert "_r = tf1.gradients([OUT(T['loss'], 0)], [T['w'], T['h']], name='gradients')" in text
    text = export_tf_python(str(ROOT / "graphs/mlp_training.yaml"))
    assert ("T['train'] = tf1.train.GradientDescentOptimizer(learning_rate=0.1).minimize("
            "OUT(T['loss'], 0), global_step=T['global_step'], name='train')") in text


ADAM = (ROOT / "graphs/mlp_training.yaml").read_text().replace(
    "{type: GradientDescent, learning_rate: 0.1}", "{type: Adam, learning_rate: 0.1}")


@pytest.mark.parametrize("variables", ["resource", "ref"])
def test_adam_makes_tfs_accumulators_slots_and_finish(spec_file, variables):
    path = spec_file(ADAM)
    graph = Pipeline(path, variables=variables).spec.graph
    # TF: AdamOptimizer(0.1).minimize(loss, global_step=global_step, name="train"): beta1_power and
    # beta2_power (non-slot, colocated with b1, the first variable by name), slots w1/Adam (m) and
    # w1/Adam_1 (v), and after the updates beta1_power *= beta1 (train/mul), beta2_power *= beta2
    assert graph.nodes["beta1_power"].attrs["value"] == 0.9 and graph.nodes["beta1_power"].colocate == "b1"
    assert graph.nodes["beta2_power"].attrs["value"] == 0.999
    assert {"w1/Adam", "w1/Adam_1", "b2/Adam", "b2/Adam_1"} <= set(graph.nodes)
    if variables == "resource":
        apply = tf_style(graph, "train/update_w1/ResourceApplyAdam")
        assert apply[2] == ["w1", "w1/Adam", "w1/Adam_1", "train/update_w1/ResourceApplyAdam/ReadVariableOp",
                            "train/update_w1/ResourceApplyAdam/ReadVariableOp_1", "train/learning_rate",
                            "train/beta1", "train/beta2", "train/epsilon",
                            "gradients/MatMul_grad/tuple/control_dependency_1"]
        assert tf_style(graph, "train/AssignVariableOp") == (
            "train/AssignVariableOp", "AssignVariableOp", ["beta1_power", "train/mul"])
        assert tf_style(graph, "train/update")[2] == [
            "^train/AssignVariableOp", "^train/AssignVariableOp_1", "^train/update_b1/ResourceApplyAdam",
            "^train/update_b2/ResourceApplyAdam", "^train/update_w1/ResourceApplyAdam",
            "^train/update_w2/ResourceApplyAdam"]
    # TF (both variable modes): sess.run([loss, train]) x5
    got = values(run_spec(path, variables=variables), "loss")
    assert got == pytest.approx([1.1333997, 1.0000052, 0.89792967, 0.7748431, 0.64246166], rel=1e-6)


@pytest.mark.parametrize("optimizer, slots, apply_inputs, losses", [
    # TF: RMSPropOptimizer(learning_rate=0.1).minimize(...): rms slot (ones) and momentum slot
    ("{type: RMSProp, learning_rate: 0.1}", {"w1/RMSProp": 1.0, "w1/RMSProp_1": 0.0},
     ["w1", "w1/RMSProp", "w1/RMSProp_1", "train/learning_rate", "train/decay", "train/momentum",
      "train/epsilon", "gradients/MatMul_grad/tuple/control_dependency_1"],
     [1.1333997, 1.1120102, 1.0913258, 1.0710442, 1.0508723]),
    # TF: AdagradOptimizer(learning_rate=0.1).minimize(...): accumulator slot at 0.1
    ("{type: Adagrad, learning_rate: 0.1}", {"w1/Adagrad": 0.1},
     ["w1", "w1/Adagrad", "train/learning_rate", "gradients/MatMul_grad/tuple/control_dependency_1"],
     [1.1333997, 1.0760628, 1.0329242, 0.9976376, 0.96209395]),
])
def test_rmsprop_and_adagrad_match_tf(spec_file, optimizer, slots, apply_inputs, losses):
    path = spec_file((ROOT / "graphs/mlp_training.yaml").read_text().replace(
        "{type: GradientDescent, learning_rate: 0.1}", optimizer))
    graph = Pipeline(path).spec.graph
    for slot, fill in slots.items():
        assert graph.nodes[slot].attrs["value"][0][0] == fill
    kind = optimizer.split(",")[0].split()[-1]
    assert tf_style(graph, f"train/update_w1/ResourceApply{kind}")[2] == apply_inputs
    # sess.run([loss, train]) x5; the updates' sqrt and division are TF's to float rounding
    assert values(run_spec(path), "loss") == pytest.approx(losses, rel=1e-6)


REDUCTIONS = """
nodes:
  - {name: x, op: const, value: [[1.,2.,3.],[0.5,-1.,2.]]}
  - {name: w, op: variable, value: [[0.1,-0.2,0.3],[0.2,0.1,-0.1]]}
  - {name: h, op: mul, inputs: [x, w]}
  - {name: s1, op: reduce_sum, inputs: [h], axis: [1]}
  - {name: m0, op: reduce_mean, inputs: [h], axis: 0, keepdims: true}
  - {name: sq, op: square, inputs: [s1]}
  - {name: a, op: reduce_sum, inputs: [sq]}
  - {name: b, op: reduce_mean, inputs: [m0]}
  - {name: loss, op: add, inputs: [a, b]}
  - minimize: loss
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [GradientDescent], steps: 5}
"""


def test_partial_reductions_build_tfs_constant_shapes(spec_file):
    path = spec_file(REDUCTIONS)
    graph = Pipeline(path).spec.graph
    # TF's _SumGrad for some axes of a known shape: Reshape to the kept dims and Tile by the
    # scaling, both constants, plus the unused Maximum/floordiv of `_SafeShapeDiv`
    s1 = {n: tf_style(graph, n) for n in graph.nodes if n.startswith("gradients/s1_grad/")}
    assert sorted((n, op) for n, op, _ in s1.values()) == [
        ("gradients/s1_grad/Maximum", "Maximum"), ("gradients/s1_grad/Maximum/x", "Const"),
        ("gradients/s1_grad/Maximum/y", "Const"), ("gradients/s1_grad/Reshape", "Reshape"),
        ("gradients/s1_grad/Reshape/shape", "Const"), ("gradients/s1_grad/Tile", "Tile"),
        ("gradients/s1_grad/Tile/multiples", "Const"), ("gradients/s1_grad/floordiv", "FloorDiv"),
        ("gradients/s1_grad/floordiv/x", "Const")]
    assert graph.nodes["gradients/s1_grad/Tile/multiples"].attrs["value"] == [1, 3]
    assert tf_style(graph, "gradients/m0_grad/truediv") == (
        "gradients/m0_grad/truediv", "RealDiv", ["gradients/m0_grad/Tile", "gradients/m0_grad/Const"])
    # TF: GradientDescentOptimizer(0.1).minimize(loss), sess.run([loss, train]) x5 (exact here)
    # (TF's float32 values 0.46666667, 1.4990453, 4.8879075, 15.86793, 51.44322, as float64)
    assert values(run_spec(path), "loss") == [0.46666666865348816, 1.4990452527999878, 4.8879075050354,
                                              15.86793041229248, 51.44321823120117]


def test_a_batch_of_unknown_size_takes_tfs_dynamic_mean_gradient(spec_file):
    text = (ROOT / "graphs/mlp_training.yaml").read_text()
    text = text.replace("{name: x, op: const, value:", "{name: x, op: placeholder, dtype: float32, shape: [null, 3]}\n"
                        "  - {name: x_value, op: const, value:")
    text = text.replace("{name: labels, op: const, value: [0, 1, 2, 1]}",
                        "{name: labels, op: placeholder, dtype: int32, shape: [null]}")
    text = text.replace("steps: 5}", "steps: 5, feed: {x: [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [-1.0, 0.0, 1.0], "
                        "[2.0, 1.0, 0.0]], labels: [0, 1, 2, 1]}}")
    path = spec_file(text)
    graph = Pipeline(path).spec.graph
    # TF's _MeanGrad without a static shape (nodes from TF's graph of the exported program):
    # the factor is Prod(Gather(Shape(xent), (axes + rank) % rank)), cast to float
    want = [
        ("gradients/loss_grad/Shape", "Shape", ["xent"]),
        ("gradients/loss_grad/Tile", "Tile", ["gradients/loss_grad/Reshape", "gradients/loss_grad/Shape"]),
        ("gradients/loss_grad/Shape_1", "Shape", ["xent"]),
        ("gradients/loss_grad/mod", "FloorMod", ["gradients/loss_grad/add", "gradients/loss_grad/Size"]),
        ("gradients/loss_grad/GatherV2", "GatherV2", ["gradients/loss_grad/Shape_1", "gradients/loss_grad/mod",
                                                      "gradients/loss_grad/GatherV2/axis"]),
        ("gradients/loss_grad/Prod", "Prod", ["gradients/loss_grad/GatherV2", "gradients/loss_grad/Const"]),
        ("gradients/loss_grad/Cast", "Cast", ["gradients/loss_grad/Prod"]),
        ("gradients/loss_grad/truediv", "RealDiv", ["gradients/loss_grad/Tile", "gradients/loss_grad/Cast"]),
        ("gradients/logits_grad/Shape", "Shape", ["MatMul_1"]),
    ]
    for name, op, inputs in want:
        assert tf_style(graph, name) == (name, op, inputs)
    # the same losses as with constants (TF: the exported program fed the same batch)
    got = values(run_spec(path), "loss")
    assert got == pytest.approx([1.1333997, 1.113066, 1.0943034, 1.076725, 1.0600295], rel=1e-6)


COLOCATED = """
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: w, op: variable, value: [[0.5, -0.25], [0.75, 1.0]], device: cpu:0}
      - {name: x, op: const, value: [[1.0, 2.0], [3.0, -1.0]]}
      - device: cpu:1
        nodes:
          - {name: h, op: matmul, inputs: [x, w]}
          - {name: t, op: tanh, inputs: [h]}
          - {name: loss, op: reduce_sum, inputs: [t]}
      - minimize: loss
        name: train
        optimizer: {type: GradientDescent, learning_rate: 0.1}
        %s
    run: {fetch: [loss], targets: [train], steps: 3}
    """
# TF 2.21: the exported program (minimize(..., colocate_gradients_with_ops=True) or without it),
# its RunMetadata partition graphs: the _Send nodes of step 1 and where each node ran
TF_COLOCATED = {
    True: ({"resource": "h/ReadVariableOp", "ref": "w/read"}, "gradients/h_grad/tuple/control_dependency_1",
           {"gradients/grad_ys_0": "cpu:1", "gradients/loss_grad/Tile": "cpu:1", "gradients/t_grad/TanhGrad": "cpu:1",
            "gradients/h_grad/MatMul_1": "cpu:1", "gradients/h_grad/tuple/group_deps": "cpu:1",
            "gradients/h_grad/tuple/control_dependency_1": "cpu:1", "train/update_w/ResourceApplyGradientDescent": "cpu:0"}),
    False: ({"resource": "h/ReadVariableOp", "ref": "w/read"}, "t",
            {"gradients/grad_ys_0": "cpu:0", "gradients/loss_grad/Tile": "cpu:0", "gradients/t_grad/TanhGrad": "cpu:0",
             "gradients/h_grad/MatMul_1": "cpu:0", "gradients/h_grad/tuple/group_deps": "cpu:0",
             "gradients/h_grad/tuple/control_dependency_1": "cpu:0"}),
}


@pytest.mark.parametrize("mode", ["resource", "ref"])
@pytest.mark.parametrize("colocate", [True, False])
def test_colocate_gradients_with_ops_places_and_transfers_as_tf(spec_file, mode, colocate):
    path = spec_file(COLOCATED % ("colocate_gradients_with_ops: true" if colocate else ""))
    result = run_spec(path, mode)
    assert values(result, "loss") == pytest.approx([1.5991766, 1.0809988, 0.21712393], rel=1e-6)  # TF's
    read, back, where = TF_COLOCATED[colocate]
    sent = sorted((t.tensor.partition(":")[0], t.src, t.dst) for t in result.steps[0].transfers if t.kind != "control")
    assert sent == sorted([(read[mode], "cpu:0", "cpu:1"), (back, "cpu:1", "cpu:0"), ("loss", "cpu:1", "cpu:0")])
    placement = Pipeline(path, variables=mode).session.placement.device
    for node, device in where.items():
        if node.startswith("train/") and mode == "ref":
            node = node.replace("Resource", "")
        assert str(placement[node]) == device, node


def test_colocate_gradients_with_ops_must_be_a_bool(spec_file):
    with pytest.raises(SpecError, match="`colocate_gradients_with_ops` must be true or false"):
        Pipeline(spec_file(COLOCATED % "colocate_gradients_with_ops: yes please")).spec


def test_colocated_gradients_of_an_nmt_style_program_cross_as_in_tfs_own_graph(spec_file):
    """scripts/graphdef_cases/colocated_grads.py: tensorflow/nmt's update (tf.gradients with
    colocate_gradients_with_ops=True, apply_gradients), layers on CPU:1 and CPU:2, variables on
    CPU:0, built by TF's Python. The same program as a spec gives TF's losses and TF's transfers."""
    import json

    import numpy as np
    rng = np.random.default_rng(7)   # the case's weights and inputs, drawn as it draws them
    w0, w1 = (rng.normal(size=[4, 6]).astype(np.float32) * 0.3), (rng.normal(size=[6, 3]).astype(np.float32) * 0.3)
    x = rng.normal(size=[5, 4]).astype(np.float32).round(3)
    path = spec_file(f"""
devices: [cpu:0, cpu:1, cpu:2]
nodes:
  - device: cpu:0
    nodes:
      - {{name: layer_0/kernel, op: variable, value: {w0.tolist()}}}
      - {{name: layer_1/kernel, op: variable, value: {w1.tolist()}}}
      - {{name: global_step, op: variable, value: 0, dtype: int64, trainable: false}}
  - {{name: Const, op: const, value: {x.tolist()}}}
  - {{name: Const_1, op: const, value: [0, 2, 1, 1, 0]}}
  - device: cpu:1
    nodes:
      - {{name: MatMul, op: matmul, inputs: [Const, layer_0/kernel]}}
      - {{name: layer_0/tanh, op: tanh, inputs: [MatMul]}}
  - device: cpu:2
    nodes:
      - {{name: layer_1/logits, op: matmul, inputs: [layer_0/tanh, layer_1/kernel]}}
      - name_scope: SparseSoftmaxCrossEntropyWithLogits
        nodes: [{{name: SparseSoftmaxCrossEntropyWithLogits, op: sparse_softmax_cross_entropy_with_logits,
                  inputs: [layer_1/logits, Const_1]}}]
      - {{name: train_loss, op: reduce_mean, inputs: [SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits]}}
  - gradients: train_loss
    xs: [layer_0/kernel, layer_1/kernel]
    outputs: [grad_0, grad_1]
    colocate_gradients_with_ops: true
  - apply_gradients: [[grad_0, layer_0/kernel], [grad_1, layer_1/kernel]]
    optimizer: {{type: GradientDescent, learning_rate: 0.5}}
    global_step: global_step
run: {{fetch: [train_loss], targets: [GradientDescent], steps: 4}}
""")
    tf_run = json.loads((ROOT / "tests/fixtures/graphdefs/colocated_grads_resource.json").read_text())
    result = run_spec(path)
    assert values(result, "train_loss") == pytest.approx([s["values"]["train_loss:0"] for s in tf_run["steps"]],
                                                         rel=1e-6)
    for ours, theirs in zip(result.steps, tf_run["steps"]):
        assert sorted((t.tensor.partition(":")[0], t.src, t.dst) for t in ours.transfers if t.kind != "control") == \
            sorted((t["tensor"].partition(":")[0], t["src"], t["dst"]) for t in theirs["transfers"])
