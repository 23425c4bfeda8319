"""Gradients through a TF 1.x `cond` (control flow v1): `minimize` and `gradients` build TF's
gradient of the cond as `control_flow_grad.py` does (spec/gradients.py, ops/control_flow.py).

The node table is TF's graph of the program `idrun export --format tf-python` writes for
COND_SPEC (tf.compat.v1 with `tf1.disable_control_flow_v2()`,
`tf1.train.GradientDescentOptimizer(0.05).minimize(loss, name="train")`, tensorflow-cpu
2.21, listed from `g.as_graph_def()`); the values are that program's `sess.run` results with
the predicate fed true and false. TF's own gradient graphs of conds, imported, are the
fixtures of scripts/graphdef_cases/cond_grads.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values
from tests.test_gradients import tf_style

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def f32(xs) -> list:
    """TF's printed float32 numbers as the float32 values they are."""
    return np.array(xs, dtype=np.float32).tolist()

COND_SPEC = """
nodes:
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - {name: x, op: const, value: [1.0, 2.0, -1.0]}
  - {name: w, op: variable, value: [0.5, -1.0, 2.0]}
  - {name: v, op: variable, value: [1.5, 0.25, -0.5]}
  - cond: p
    outputs: [y]
    true_fn:
      nodes:
        - {name: mul, op: mul, inputs: [x, w]}
        - {name: mul_1, op: mul, inputs: [mul, v]}
      return: [mul_1]
    false_fn:
      nodes:
        - {name: Square, op: square, inputs: [w]}
        - {name: add, op: add, inputs: [Square, x]}
      return: [add]
  - {name: sq, op: mul, inputs: [y, y]}
  - {name: loss, op: reduce_sum, inputs: [sq]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.05}
run: {fetch: [loss], targets: [train], feed: {p: true}, steps: 3}
"""

# TF 2.21's gradient and train nodes for COND_SPEC: (name, op, inputs)
TF_COND_TRAINING_NODES = [
    ('gradients/AddN', 'AddN', ['gradients/sq_grad/tuple/control_dependency', 'gradients/sq_grad/tuple/control_dependency_1']),
    ('gradients/AddN_1', 'AddN', ['gradients/cond/Square/ReadVariableOp/Switch_grad/cond_grad', 'gradients/cond/mul/ReadVariableOp/Switch_grad/cond_grad']),
    ('gradients/Identity', 'Identity', ['gradients/Switch']),
    ('gradients/Identity_1', 'Identity', ['gradients/Switch_1:1']),
    ('gradients/Identity_2', 'Identity', ['gradients/Switch_2']),
    ('gradients/Shape', 'Const', []),
    ('gradients/Switch', 'Switch', ['v', 'cond/pred_id']),
    ('gradients/Switch_1', 'Switch', ['w', 'cond/pred_id']),
    ('gradients/Switch_2', 'Switch', ['w', 'cond/pred_id']),
    ('gradients/VariableShape', 'VariableShape', ['gradients/Switch', '^gradients/Identity']),
    ('gradients/VariableShape_1', 'VariableShape', ['gradients/Switch_1:1', '^gradients/Identity_1']),
    ('gradients/VariableShape_2', 'VariableShape', ['gradients/Switch_2', '^gradients/Identity_2']),
    ('gradients/cond/Merge_grad/cond_grad', 'Switch', ['gradients/AddN', 'cond/pred_id']),
    ('gradients/cond/Merge_grad/tuple/control_dependency', 'Identity', ['gradients/cond/Merge_grad/cond_grad', '^gradients/cond/Merge_grad/tuple/group_deps']),
    ('gradients/cond/Merge_grad/tuple/control_dependency_1', 'Identity', ['gradients/cond/Merge_grad/cond_grad:1', '^gradients/cond/Merge_grad/tuple/group_deps']),
    ('gradients/cond/Merge_grad/tuple/group_deps', 'NoOp', ['^gradients/cond/Merge_grad/cond_grad']),
    ('gradients/cond/Square/ReadVariableOp/Switch_grad/cond_grad', 'Merge', ['gradients/cond/Square_grad/Mul_1', 'gradients/zeros_1']),
    ('gradients/cond/Square_grad/Const', 'Const', ['^gradients/cond/add_grad/tuple/control_dependency']),
    ('gradients/cond/Square_grad/Mul', 'Mul', ['cond/Square/ReadVariableOp', 'gradients/cond/Square_grad/Const']),
    ('gradients/cond/Square_grad/Mul_1', 'Mul', ['gradients/cond/add_grad/tuple/control_dependency', 'gradients/cond/Square_grad/Mul']),
    ('gradients/cond/add_grad/tuple/control_dependency', 'Identity', ['gradients/cond/Merge_grad/tuple/control_dependency', '^gradients/cond/add_grad/tuple/group_deps']),
    ('gradients/cond/add_grad/tuple/control_dependency_1', 'Identity', ['gradients/cond/Merge_grad/tuple/control_dependency', '^gradients/cond/add_grad/tuple/group_deps']),
    ('gradients/cond/add_grad/tuple/group_deps', 'NoOp', ['^gradients/cond/Merge_grad/tuple/control_dependency']),
    ('gradients/cond/mul/ReadVariableOp/Switch_grad/cond_grad', 'Merge', ['gradients/zeros_2', 'gradients/cond/mul_grad/tuple/control_dependency_1']),
    ('gradients/cond/mul_1/ReadVariableOp/Switch_grad/cond_grad', 'Merge', ['gradients/zeros', 'gradients/cond/mul_1_grad/tuple/control_dependency_1']),
    ('gradients/cond/mul_1_grad/Mul', 'Mul', ['gradients/cond/Merge_grad/tuple/control_dependency_1', 'cond/mul_1/ReadVariableOp']),
    ('gradients/cond/mul_1_grad/Mul_1', 'Mul', ['gradients/cond/Merge_grad/tuple/control_dependency_1', 'cond/mul']),
    ('gradients/cond/mul_1_grad/tuple/control_dependency', 'Identity', ['gradients/cond/mul_1_grad/Mul', '^gradients/cond/mul_1_grad/tuple/group_deps']),
    ('gradients/cond/mul_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/cond/mul_1_grad/Mul_1', '^gradients/cond/mul_1_grad/tuple/group_deps']),
    ('gradients/cond/mul_1_grad/tuple/group_deps', 'NoOp', ['^gradients/cond/mul_1_grad/Mul', '^gradients/cond/mul_1_grad/Mul_1']),
    ('gradients/cond/mul_grad/Mul', 'Mul', ['gradients/cond/mul_1_grad/tuple/control_dependency', 'cond/mul/ReadVariableOp']),
    ('gradients/cond/mul_grad/Mul_1', 'Mul', ['gradients/cond/mul_1_grad/tuple/control_dependency', 'cond/mul/Switch:1']),
    ('gradients/cond/mul_grad/tuple/control_dependency', 'Identity', ['gradients/cond/mul_grad/Mul', '^gradients/cond/mul_grad/tuple/group_deps']),
    ('gradients/cond/mul_grad/tuple/control_dependency_1', 'Identity', ['gradients/cond/mul_grad/Mul_1', '^gradients/cond/mul_grad/tuple/group_deps']),
    ('gradients/cond/mul_grad/tuple/group_deps', 'NoOp', ['^gradients/cond/mul_grad/Mul', '^gradients/cond/mul_grad/Mul_1']),
    ('gradients/grad_ys_0', 'Fill', ['gradients/Shape', 'gradients/grad_ys_0/Const']),
    ('gradients/grad_ys_0/Const', 'Const', []),
    ('gradients/loss_grad/Const', 'Const', []),
    ('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
    ('gradients/loss_grad/Reshape/shape', 'Const', []),
    ('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
    ('gradients/sq_grad/Mul', 'Mul', ['gradients/loss_grad/Tile', 'cond/Merge']),
    ('gradients/sq_grad/Mul_1', 'Mul', ['gradients/loss_grad/Tile', 'cond/Merge']),
    ('gradients/sq_grad/tuple/control_dependency', 'Identity', ['gradients/sq_grad/Mul', '^gradients/sq_grad/tuple/group_deps']),
    ('gradients/sq_grad/tuple/control_dependency_1', 'Identity', ['gradients/sq_grad/Mul_1', '^gradients/sq_grad/tuple/group_deps']),
    ('gradients/sq_grad/tuple/group_deps', 'NoOp', ['^gradients/sq_grad/Mul', '^gradients/sq_grad/Mul_1']),
    ('gradients/zeros', 'Fill', ['gradients/VariableShape', 'gradients/zeros/Const']),
    ('gradients/zeros/Const', 'Const', ['^gradients/Identity']),
    ('gradients/zeros_1', 'Fill', ['gradients/VariableShape_1', 'gradients/zeros_1/Const']),
    ('gradients/zeros_1/Const', 'Const', ['^gradients/Identity_1']),
    ('gradients/zeros_2', 'Fill', ['gradients/VariableShape_2', 'gradients/zeros_2/Const']),
    ('gradients/zeros_2/Const', 'Const', ['^gradients/Identity_2']),
    ('train', 'NoOp', ['^train/update_v/ResourceApplyGradientDescent', '^train/update_w/ResourceApplyGradientDescent']),
    ('train/learning_rate', 'Const', []),
    ('train/update_v/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['v', 'train/learning_rate', 'gradients/cond/mul_1/ReadVariableOp/Switch_grad/cond_grad']),
    ('train/update_w/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['w', 'train/learning_rate', 'gradients/AddN_1']),
]


def test_minimize_builds_tfs_cond_gradient_node_for_node(spec_file):
    # the Merge's gradient is a Switch on the cond's pred_id (gradients/cond/Merge_grad/cond_grad);
    # each Switch that brings a variable into a branch gets a Merge of the branch's gradient and
    # zeros made behind a Switch of the other side (gradients/Switch, Identity, VariableShape, zeros)
    graph = Pipeline(spec_file(COND_SPEC)).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_COND_TRAINING_NODES)


@pytest.mark.parametrize("pred, losses", [
    # TF: sess.run([loss, train], {p: True}) x3, then (fresh variables) {p: False} x3
    (True, [1.8125, 0.74895144, 0.3539195]),
    (False, [19.5625, 6.0962257, 5.4537015]),
])
def test_cond_training_matches_tf_on_either_branch(spec_file, pred, losses):
    result = run_spec(spec_file(COND_SPEC), feeds={"p": pred})
    assert values(result, "loss") == f32(losses)   # bit for bit: elementwise float32 ops only


GRADIENTS_SPEC = COND_SPEC.replace("""  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.05}
run: {fetch: [loss], targets: [train], feed: {p: true}, steps: 3}""", """  - gradients: loss
    xs: [w, v]
    outputs: [dw, dv]
run: {fetch: [dw, dv], steps: 1}""")


@pytest.mark.parametrize("pred, dw, dv", [
    # TF: sess.run(tf1.gradients(loss, [w, v]), {p: ...}); on the false branch v's gradient is
    # the zeros TF makes for the untaken side of v's Switch
    (True, [2.25, -0.5, 1.0], [0.75, 2.0, -4.0]),
    (False, [2.5, -12.0, 24.0], [0.0, 0.0, 0.0]),
])
def test_gradients_through_a_cond_match_tf(spec_file, pred, dw, dv):
    result = run_spec(spec_file(GRADIENTS_SPEC), feeds={"p": pred})
    assert values(result, "dw") == [f32(dw)]
    assert values(result, "dv") == [f32(dv)]


COND_ON_PATH = """
nodes:
  - {name: w, op: variable, value: [1.0, 2.0]}
  - {name: t, op: const, value: true}
  - {name: flag, op: placeholder_with_default, inputs: [t], shape: []}
  - cond: flag
    name: c
    outputs: [out]
    true_fn: {nodes: [{name: a, op: square, inputs: [w]}], return: [a]}
    false_fn: {nodes: [{name: b, op: neg, inputs: [w]}], return: [b]}
  - {name: loss, op: reduce_sum, inputs: [out]}
  - minimize: loss
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [GradientDescent], steps: 2}
"""



def test_a_variable_read_in_a_branch_trains(spec_file):
    # TF: out = tf.cond(flag, lambda: tf.square(w), lambda: tf.negative(w), name="c"),
    # GradientDescentOptimizer(0.1).minimize(reduce_sum(out)); sess.run([loss, train]) x2.
    # (Not the false branch: there the update needs no forward value, so TF's loss races with
    # the update (TF printed -3.4 at step 2, the value after it); idrun reads first: -3.2.)
    assert values(run_spec(spec_file(COND_ON_PATH)), "loss") == f32([5.0, 3.2000003])


BATCH_NORM = str(ROOT / "graphs/batch_norm_cond_training.yaml")


def test_the_seeds_batch_norm_trains_through_its_cond():
    # TF: the program `idrun export --format tf-python` writes for the gallery spec (the same
    # program as scripts/graphdef_cases/cond_grads.py's cond_grad_batch_norm): is_training is
    # true at steps 1 and 4 (batch statistics, the moving averages updated), else the cond
    # takes the moving averages. Step 2's loss (an evaluation step: normalized by the moving
    # averages through Rsqrt) is one float32 ulp from TF's, hence the tolerance on the losses;
    # the later steps (which read the variables every update wrote) agree with TF's.
    result = run_spec(BATCH_NORM)
    assert values(result, "loss") == pytest.approx([1.9991928, 1.9839501, 1.1627566, 1.0379983, 0.7465466],
                                                   rel=2e-7)
    assert values(result, "mean") == f32([[0.0625, 3.0], [0.03125, 1.5], [0.03125, 1.5],
                                      [0.1840597, 2.5407562], [0.10765485, 2.020378]])
    graph = Pipeline(BATCH_NORM).spec.graph
    # TF: gradients/cond/Merge_grad/cond_grad = Switch(grad, cond/pred_id), as _MergeGrad
    assert tf_style(graph, "gradients/cond/Merge_grad/cond_grad") == (
        "gradients/cond/Merge_grad/cond_grad", "Switch",
        ["gradients/batchnorm/mul_2_grad/tuple/control_dependency", "cond/pred_id"])
    # the batch mean came into the true branch through a Switch: its gradient is TF's
    # Merge([zeros, branch gradient]), the zeros made only when the false branch runs
    merge = [n for n in graph.nodes if n.endswith("Switch_grad/cond_grad")
             and graph.nodes[n].inputs[1].node == "gradients/cond/Merge_grad/tuple/control_dependency_1"]
    assert len(merge) == 1 and tf_style(graph, merge[0])[1] == "Merge"
    assert tf_style(graph, "gradients/zeros") == ("gradients/zeros", "Fill",
                                                  ["gradients/Shape_1", "gradients/zeros/Const"])
    assert tf_style(graph, "gradients/Shape_1")[1:] == ("Shape", ["gradients/Switch"])
    assert tf_style(graph, "gradients/zeros/Const")[2] == ["^gradients/Identity"]


RAW_SWITCH = """
nodes:
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - {name: w, op: variable, value: [0.5, -1.0]}
  - {name: s, op: switch, inputs: [w, p]}
  - {name: m, op: merge, inputs: ["s:0", "s:1"]}
  - {name: loss, op: reduce_sum, inputs: [m]}
  - minimize: loss
    optimizer: {type: GradientDescent, learning_rate: 0.05}
run: {fetch: [loss], targets: [GradientDescent], feed: {p: true}, steps: 3}
"""


def test_a_switch_and_merge_written_by_hand_have_no_gradient(spec_file):
    # TF's _MergeGrad/_SwitchGrad read the op's CondContext; a merge written as a node has none
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(RAW_SWITCH)).spec
    assert err.value.message == ("no gradient for merge 'm' here: TF's gradient of a merge needs the "
                                 "cond it belongs to (a `cond` entry's)")
    assert err.value.loc.line == 8   # the minimize entry


NESTED = """
nodes:
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - {name: q, op: placeholder, dtype: bool, shape: []}
  - {name: x, op: const, value: [1.0, 2.0, -1.0]}
  - {name: w, op: variable, value: [0.5, -1.0, 2.0]}
  - {name: h, op: mul, inputs: [x, w]}
  - cond: p
    outputs: [y]
    true_fn:
      nodes:
        - cond: q
          name: inner
          outputs: [z]
          true_fn: {nodes: [{name: a, op: mul, inputs: [h, w]}], return: [a]}
          false_fn: {nodes: [{name: b, op: square, inputs: [h]}], return: [b]}
        - {name: c, op: add, inputs: [z, w]}
      return: [c]
    false_fn:
      nodes: [{name: d, op: neg, inputs: [h]}]
      return: [d]
  - {name: sq, op: mul, inputs: [y, y]}
  - {name: loss, op: reduce_sum, inputs: [sq]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.05}
run: {fetch: [loss], targets: [train], feed: {p: true, q: true}, steps: 3}
"""


def test_a_gradient_through_a_nested_cond_is_a_located_error(spec_file):
    # TF builds it (its gradient reads the inner cond's pred_id from outside the outer branch,
    # a dead tensor when the outer branch is not taken); idrun's regions cannot run that yet
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(NESTED)).spec
    assert err.value.message.startswith("gradients through a cond inside another cond are not supported "
                                        "yet: 'cond/inner/b' (at ")
    assert err.value.loc.line == 24   # the minimize entry
