"""Gradients through a TF 1.x `tf.cond` inside a `tf.while_loop` body (control flow v1), as
TF builds them (spec/loop_gradients.py): the cond's pred_id pushed each forward iteration and
popped in the backprop loop to switch the gradient (`Merge_grad/StackPushV2`, `StackPopV2`,
`cond_grad`); a value of a branch pushed inside that branch (`<reader>/StackPushV2/Switch` on
pred_id, ordered before `f_sync`) and popped inside the gradient's branch (`<reader>/Switch` on
the popped predicate); the dead side of a branch's switch is zeros behind a Switch on the popped
predicate (`gradients/Switch_N`; a resource variable's: `gradients/zeros`, a Fill); a loop
invariant switched into a branch is entered as it is (TF's GetLoopConstantEnter).

The node tables are TF 2.21's graphs (tensorflow-cpu, `tf.compat.v1` with
`disable_eager_execution()` and `disable_control_flow_v2()`), listed from `g.as_graph_def()`
(data inputs, then sorted ^controls), of these programs, and the values their `sess.run` results:

SUM_PRED (TF_SUM_PRED_TRAIN_NODES, gradients/* and train/*):
    W = tf1.get_variable("W", initializer=tf.constant([[0.5, -0.3], [0.2, 0.4]]), use_resource=True)
    h0 = tf.constant([[1.0, 2.0]], name="h0")
    def body(i, h):
        h2 = tf1.cond(tf.reduce_sum(h) > 0, lambda: tf.tanh(tf.matmul(h, W)), lambda: h * 0.5)
        return i + 1, h2
    _, h = tf1.while_loop(lambda i, h: i < 3, body, [tf.constant(0, name="Const"), h0])
    loss = tf.reduce_sum(h, name="loss")
    train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")

COUNTER_PRED (TF_COUNTER_PRED_TRAIN_NODES): ref variables W and b = [0.1, -0.2], h0 = [[1.0, -2.0]],
the predicate `tf.equal(i % 2, 0)` (the true branch `tanh(matmul(h, W) + b)` on iterations 0 and 2,
the false one on 1), loss = reduce_sum(square(h)), the same minimize.

OUTER_VALUE (TF_OUTER_VALUE_GRADIENT_NODES, gradients/*): tests/test_loop_gradients.py's loop with
`t = tf1.cond(i > 1, lambda: tf.tanh(add), lambda: tf.sigmoid(add))`, `add = matmul(h, W) + b`
made in the loop outside the cond; `tf1.gradients(loss, [W])`.

FED_PRED (TF_FED_PRED_GRADIENT_NODES, gradients/*): SUM_PRED's loop with the predicate
`p = tf1.placeholder_with_default(True, [], name="p")` from outside the loop and the false branch
`lambda: h` (the loop variable itself), `tf1.gradients(loss, [W])`.

TF's own graphs of the first two, imported, are scripts/graphdef_cases/cond_in_loop_grads.py's
fixtures.
"""

from __future__ import annotations

import numpy as np
import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values
from tests.test_gradients import tf_style
from tests.test_loop_gradients import LOOP

SUM_PRED = """expand: true
nodes:
  - {name: W, op: variable, value: [[0.5, -0.3], [0.2, 0.4]]}
  - {name: h0, op: const, value: [[1.0, 2.0]]}
  - {name: Const, op: const, value: 0}
  - while_loop: [Const, h0]
    outputs: [i, h]
    cond: {args: [i, h], nodes: [{name: Less, op: less, inputs: [i, 3]}], return: Less}
    body:
      args: [i, h]
      nodes:
        - {name: Sum, op: reduce_sum, inputs: [h]}
        - {name: Greater, op: greater, inputs: [Sum, 0.0]}
        - cond: Greater
          outputs: [h2]
          true_fn:
            nodes:
              - {name: MatMul, op: matmul, inputs: [h, W]}
              - {name: Tanh, op: tanh, inputs: [MatMul]}
            return: [Tanh]
          false_fn:
            nodes: [{name: mul, op: mul, inputs: [h, 0.5]}]
            return: [mul]
        - {name: add, op: add, inputs: [i, 1]}
      return: [add, h2]
  - {name: loss, op: reduce_sum, inputs: [h]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [train], steps: 5}
"""

COUNTER_PRED = """expand: true
variables: ref
nodes:
  - {name: W, op: variable, value: [[0.5, -0.3], [0.2, 0.4]]}
  - {name: b, op: variable, value: [0.1, -0.2]}
  - {name: h0, op: const, value: [[1.0, -2.0]]}
  - {name: Const, op: const, value: 0}
  - while_loop: [Const, h0]
    outputs: [i, h]
    cond: {args: [i, h], nodes: [{name: Less, op: less, inputs: [i, 3]}], return: Less}
    body:
      args: [i, h]
      nodes:
        - {name: mod, op: floormod, inputs: [i, 2]}
        - {name: Equal, op: equal, inputs: [mod, 0]}
        - cond: Equal
          outputs: [h2]
          true_fn:
            nodes:
              - {name: MatMul, op: matmul, inputs: [h, W]}
              - {name: add, op: add, inputs: [MatMul, b]}
              - {name: Tanh, op: tanh, inputs: [add]}
            return: [Tanh]
          false_fn:
            nodes: [{name: mul, op: mul, inputs: [h, 0.5]}]
            return: [mul]
        - {name: add, op: add, inputs: [i, 1]}
      return: [add, h2]
  - {name: Square, op: square, inputs: [h]}
  - {name: loss, op: reduce_sum, inputs: [Square]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [train], steps: 5}
"""

COUNTER_PRED_GRADIENTS = COUNTER_PRED.replace("""  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [train], steps: 5}""", """  - gradients: loss
    xs: [W, b]
    outputs: [dW, db]
run: {fetch: [loss, dW, db], steps: 1}""")

OUTER_VALUE = LOOP.replace("""        - {name: add, op: add, inputs: [i, 1]}
        - {name: MatMul, op: matmul, inputs: [h, W]}
        - {name: add_1, op: add, inputs: [MatMul, b]}
        - {name: Tanh, op: tanh, inputs: [add_1]}
      return: [add, Tanh]""", """        - {name: add_1, op: add, inputs: [i, 1]}
        - {name: MatMul, op: matmul, inputs: [h, W]}
        - {name: add, op: add, inputs: [MatMul, b]}
        - {name: Greater, op: greater, inputs: [i, 1]}
        - cond: Greater
          outputs: [t]
          true_fn: {nodes: [{name: Tanh, op: tanh, inputs: [add]}], return: [Tanh]}
          false_fn: {nodes: [{name: Sigmoid, op: sigmoid, inputs: [add]}], return: [Sigmoid]}
      return: [add_1, t]""") + """  - gradients: loss
    xs: [W]
    outputs: [dW]
run: {fetch: [loss, dW], steps: 1}
"""


def f32(xs) -> np.ndarray:
    return np.array(xs, dtype=np.float32)


def table(path: str, prefixes: tuple) -> list:
    graph = Pipeline(path).spec.graph
    return sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(prefixes))


def as_tuples(nodes: list) -> list:
    return sorted((name, op, list(inputs)) for name, op, inputs in nodes)


def test_minimize_builds_tfs_graph_through_a_cond_in_the_loop(spec_file):
    ours = [(n, op, list(ins)) for n, op, ins in table(spec_file(SUM_PRED), ("gradients", "train"))]
    assert ours == as_tuples(TF_SUM_PRED_TRAIN_NODES)


def test_minimize_through_a_cond_in_the_loop_trains_with_tfs_losses(spec_file):
    # TF: sess.run([loss, train]) x5. Eigen's and numpy's tanh and matmul round apart by an ulp,
    # which the steps carry: hence the tolerance
    got = values(run_spec(spec_file(SUM_PRED)), "loss")
    assert got == pytest.approx([0.06450538337230682, -0.08445607870817184, -0.18326076865196228,
                                 -0.04455392062664032, -0.11305788904428482], rel=2e-6)


def test_a_counter_predicate_takes_both_branches_with_tfs_graph_and_losses(spec_file):
    path = spec_file(COUNTER_PRED)
    ours = [(n, op, list(ins)) for n, op, ins in table(path, ("gradients", "train"))]
    assert ours == as_tuples(TF_COUNTER_PRED_TRAIN_NODES)
    result = run_spec(path)
    # TF: sess.run([loss, train]) x5 (the same rounding as above)
    assert values(result, "loss") == pytest.approx([0.14961160719394684, 0.08286243677139282, 0.04488843306899071,
                                                    0.023689474910497665, 0.01227505411952734], rel=2e-6)
    # the loops ran three iterations; the forward cond and its gradient took the true branch twice
    # (i = 0, 2), the false one once (i = 1)
    runs = {e["region"]: e for e in result.steps[0].control_flow}
    assert runs["while/<loop>"]["iterations"] == runs["gradients/while/<loop>"]["iterations"] == 3
    assert (runs["while/cond/<cond>"]["true"], runs["while/cond/<cond>"]["false"]) == (2, 1)
    assert (runs["gradients/<cond>"]["true"], runs["gradients/<cond>"]["false"]) == (2, 1)


def test_gradients_through_a_counter_predicate_have_tfs_values(spec_file):
    # TF: sess.run([loss] + tf1.gradients(loss, [W, b]))
    step = run_spec(spec_file(COUNTER_PRED_GRADIENTS)).steps[0].values
    assert float(step["loss"]) == pytest.approx(0.14961160719394684, rel=1e-6)
    np.testing.assert_allclose(step["dW"], f32([[0.13659866154193878, -0.09469087421894073],
                                                [-0.30254024267196655, 0.34163418412208557]]), rtol=1e-6)
    np.testing.assert_allclose(step["db"], f32([0.24986931681632996, -0.6824214458465576]), rtol=1e-6)


def test_a_loop_value_read_by_both_branches_builds_tfs_91_nodes_and_values(spec_file):
    path = spec_file(OUTER_VALUE)
    ours = [(n, op, list(ins)) for n, op, ins in table(path, ("gradients",))]
    assert ours == as_tuples(TF_OUTER_VALUE_GRADIENT_NODES)
    assert len(ours) == 91
    # TF: sess.run([loss] + tf1.gradients(loss, [W]))
    step = run_spec(path).steps[0].values
    assert float(step["loss"]) == pytest.approx(0.37517184019088745, rel=1e-6)
    np.testing.assert_allclose(step["dW"], f32([[0.5060967206954956, 0.7505166530609131],
                                                [0.371735155582428, 0.5859289169311523]]), rtol=1e-6)


FED_PRED = """expand: true
nodes:
  - {name: W, op: variable, value: [[0.5, -0.3], [0.2, 0.4]]}
  - {name: h0, op: const, value: [[1.0, 2.0]]}
  - {name: p, op: placeholder_with_default, inputs: [true], shape: []}
  - {name: Const, op: const, value: 0}
  - while_loop: [Const, h0]
    outputs: [i, h]
    cond: {args: [i, h], nodes: [{name: Less, op: less, inputs: [i, 3]}], return: Less}
    body:
      args: [i, h]
      nodes:
        - cond: p
          outputs: [h2]
          true_fn:
            nodes:
              - {name: MatMul, op: matmul, inputs: [h, W]}
              - {name: Tanh, op: tanh, inputs: [MatMul]}
            return: [Tanh]
          false_fn:
            return: [h]
        - {name: add, op: add, inputs: [i, 1]}
      return: [add, h2]
  - {name: loss, op: reduce_sum, inputs: [h]}
  - gradients: loss
    xs: [W]
    outputs: [dW]
run: {fetch: [loss, dW], steps: 1}
"""


def test_a_fed_predicate_and_a_branch_returning_its_input_build_tfs_graph(spec_file):
    path = spec_file(FED_PRED)
    ours = [(n, op, list(ins)) for n, op, ins in table(path, ("gradients",))]
    assert ours == as_tuples(TF_FED_PRED_GRADIENT_NODES)
    # TF: sess.run([loss] + tf1.gradients(loss, [W])), with p's default (True) and p fed False
    step = run_spec(path).steps[0].values
    assert float(step["loss"]) == pytest.approx(0.06450538, rel=1e-6)
    np.testing.assert_allclose(step["dW"], f32([[0.46587375, 1.0399878], [-0.05489939, 0.65537125]]), rtol=1e-6)
    step = run_spec(path, feeds={"p": False}).steps[0].values
    assert float(step["loss"]) == 3.0
    assert step["dW"].tolist() == [[0.0, 0.0], [0.0, 0.0]]


NESTED = OUTER_VALUE.replace("""          true_fn: {nodes: [{name: Tanh, op: tanh, inputs: [add]}], return: [Tanh]}""",
                             """          true_fn:
            nodes:
              - cond: Greater
                outputs: [u]
                true_fn: {nodes: [{name: Tanh, op: tanh, inputs: [add]}], return: [Tanh]}
                false_fn: {nodes: [{name: Neg, op: neg, inputs: [add]}], return: [Neg]}
            return: [u]""")


def test_a_cond_nested_in_a_cond_in_the_loop_stays_a_located_error(spec_file):
    assert NESTED != OUTER_VALUE
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(NESTED)).spec
    assert err.value.message.startswith("gradients through a cond inside another cond are not supported "
                                        "yet: 'while/cond/cond/Neg' (at ")
    assert err.value.loc.line == 30   # the gradients entry


# TF 2.21's gradients/* and train/* nodes of SUM_PRED: (name, op, inputs)
TF_SUM_PRED_TRAIN_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/cond/mul/Switch_grad/cond_grad', 'gradients/while/cond/MatMul/Switch_grad/cond_grad']),
('gradients/Const', 'Const', ['^gradients/Sub']),
('gradients/Const_1', 'Const', ['^gradients/Sub']),
('gradients/Const_2', 'Const', ['^gradients/Sub']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/cond/Merge_grad/StackPushV2', '^gradients/while/cond/mul_grad/Mul_1/f_sync']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/cond/Merge_grad/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/Switch_2', 'Switch', ['gradients/Const', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_3', 'Switch', ['gradients/Const_1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_4', 'Switch', ['gradients/zeros', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/b_count', 'Const', []),
('gradients/b_count_1', 'Enter', ['gradients/f_count_2']),
('gradients/b_count_2', 'LoopCond', ['gradients/GreaterEqual']),
('gradients/b_count_3', 'Exit', ['gradients/Switch_1']),
('gradients/f_count', 'Const', []),
('gradients/f_count_1', 'Enter', ['gradients/f_count']),
('gradients/f_count_2', 'Exit', ['gradients/Switch']),
('gradients/grad_ys_0', 'Fill', ['gradients/Shape', 'gradients/grad_ys_0/Const']),
('gradients/grad_ys_0/Const', 'Const', []),
('gradients/loss_grad/Const', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/tuple/control_dependency']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/loss_grad/Tile']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/Switch', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/Switch:1', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/Switch']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/AddN']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/cond/MatMul/ReadVariableOp/Switch_grad/cond_grad']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/cond/MatMul/ReadVariableOp/Switch_grad/cond_grad', 'Merge', ['gradients/Switch_4', 'gradients/while/cond/MatMul_grad/tuple/control_dependency_1']),
('gradients/while/cond/MatMul/Switch_grad/cond_grad', 'Merge', ['gradients/Switch_3', 'gradients/while/cond/MatMul_grad/tuple/control_dependency']),
('gradients/while/cond/MatMul_grad/MatMul', 'MatMul', ['gradients/while/cond/Tanh_grad/TanhGrad', 'gradients/while/cond/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/cond/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/cond/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/cond/MatMul_grad/MatMul/Switch:1']),
('gradients/while/cond/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/cond/MatMul_grad/MatMul/StackPushV2/Switch:1', 'while/cond/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/cond/MatMul_grad/MatMul/StackPushV2/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul/Enter', 'while/cond/pred_id']),
('gradients/while/cond/MatMul_grad/MatMul/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/MatMul_grad/MatMul/Switch/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/cond/MatMul_grad/MatMul/Const']),
('gradients/while/cond/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/cond/Tanh_grad/TanhGrad']),
('gradients/while/cond/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/cond/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/cond/MatMul_grad/MatMul_1/Switch:1']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2/Switch:1', 'while/cond/MatMul/Switch:1', '^gradients/Add']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul_1/Enter', 'while/cond/pred_id']),
('gradients/while/cond/MatMul_grad/MatMul_1/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul_1/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/MatMul_grad/MatMul_1/Switch/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/cond/MatMul_grad/MatMul_1/Const']),
('gradients/while/cond/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/while/cond/MatMul_grad/MatMul', '^gradients/while/cond/MatMul_grad/tuple/group_deps']),
('gradients/while/cond/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/cond/MatMul_grad/MatMul_1', '^gradients/while/cond/MatMul_grad/tuple/group_deps']),
('gradients/while/cond/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/cond/MatMul_grad/MatMul', '^gradients/while/cond/MatMul_grad/MatMul_1']),
('gradients/while/cond/Merge_grad/Const', 'Const', []),
('gradients/while/cond/Merge_grad/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Merge_grad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/cond/Merge_grad/StackPopV2/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Merge_grad/Enter', 'while/cond/pred_id', '^gradients/Add']),
('gradients/while/cond/Merge_grad/b_sync', 'ControlTrigger', ['^gradients/while/cond/MatMul_grad/MatMul/StackPopV2', '^gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/cond/Merge_grad/StackPopV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', '^gradients/while/cond/mul_grad/Mul_1/StackPopV2']),
('gradients/while/cond/Merge_grad/cond_grad', 'Switch', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Merge_grad/f_acc', 'StackV2', ['gradients/while/cond/Merge_grad/Const']),
('gradients/while/cond/Merge_grad/tuple/control_dependency', 'Identity', ['gradients/while/cond/Merge_grad/cond_grad', '^gradients/while/cond/Merge_grad/tuple/group_deps']),
('gradients/while/cond/Merge_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/cond/Merge_grad/cond_grad:1', '^gradients/while/cond/Merge_grad/tuple/group_deps']),
('gradients/while/cond/Merge_grad/tuple/group_deps', 'NoOp', ['^gradients/while/cond/Merge_grad/cond_grad']),
('gradients/while/cond/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'gradients/while/cond/Merge_grad/tuple/control_dependency_1']),
('gradients/while/cond/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch:1']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch:1', 'while/cond/Tanh', '^gradients/Add']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'while/cond/pred_id']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Const']),
('gradients/while/cond/mul/Switch_grad/cond_grad', 'Merge', ['gradients/while/cond/mul_grad/tuple/control_dependency', 'gradients/Switch_2:1']),
('gradients/while/cond/mul_grad/Mul', 'Mul', ['gradients/while/cond/Merge_grad/tuple/control_dependency', 'gradients/while/cond/mul_grad/Mul/Const']),
('gradients/while/cond/mul_grad/Mul/Const', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/Mul_1', 'Mul', ['gradients/while/cond/mul_grad/Mul_1/StackPopV2', 'gradients/while/cond/Merge_grad/tuple/control_dependency']),
('gradients/while/cond/mul_grad/Mul_1/Const', 'Const', []),
('gradients/while/cond/mul_grad/Mul_1/Enter', 'Enter', ['gradients/while/cond/mul_grad/Mul_1/f_acc']),
('gradients/while/cond/mul_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients/while/cond/mul_grad/Mul_1/Switch']),
('gradients/while/cond/mul_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients/while/cond/mul_grad/Mul_1/StackPushV2/Switch', 'while/cond/mul/Switch', '^gradients/Add']),
('gradients/while/cond/mul_grad/Mul_1/StackPushV2/Switch', 'Switch', ['gradients/while/cond/mul_grad/Mul_1/Enter', 'while/cond/pred_id']),
('gradients/while/cond/mul_grad/Mul_1/Switch', 'Switch', ['gradients/while/cond/mul_grad/Mul_1/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/mul_grad/Mul_1/Switch/Enter', 'Enter', ['gradients/while/cond/mul_grad/Mul_1/f_acc']),
('gradients/while/cond/mul_grad/Mul_1/f_acc', 'StackV2', ['gradients/while/cond/mul_grad/Mul_1/Const']),
('gradients/while/cond/mul_grad/Mul_1/f_sync', 'ControlTrigger', ['^gradients/while/cond/MatMul_grad/MatMul/StackPushV2', '^gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2', '^gradients/while/cond/mul_grad/Mul_1/StackPushV2']),
('gradients/while/cond/mul_grad/Reshape', 'Reshape', ['gradients/while/cond/mul_grad/Sum', 'gradients/while/cond/mul_grad/Shape_1']),
('gradients/while/cond/mul_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/Sum', 'Sum', ['gradients/while/cond/mul_grad/Mul_1', 'gradients/while/cond/mul_grad/Sum/reduction_indices']),
('gradients/while/cond/mul_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/tuple/control_dependency', 'Identity', ['gradients/while/cond/mul_grad/Mul', '^gradients/while/cond/mul_grad/tuple/group_deps']),
('gradients/while/cond/mul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/cond/mul_grad/Reshape', '^gradients/while/cond/mul_grad/tuple/group_deps']),
('gradients/while/cond/mul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/cond/mul_grad/Mul', '^gradients/while/cond/mul_grad/Reshape']),
('gradients/zeros', 'Fill', ['gradients/Const_2', 'gradients/zeros/Const']),
('gradients/zeros/Const', 'Const', ['^gradients/Sub']),
('train', 'NoOp', ['^train/update_W/ResourceApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_W/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['W', 'train/learning_rate', 'gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_3']),
]

# TF 2.21's gradients/* and train/* nodes of COUNTER_PRED
TF_COUNTER_PRED_TRAIN_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/cond/mul/Switch_grad/cond_grad', 'gradients/while/cond/MatMul/Switch_grad/cond_grad']),
('gradients/Const', 'Const', ['^gradients/Sub']),
('gradients/Const_1', 'Const', ['^gradients/Sub']),
('gradients/Const_2', 'Const', ['^gradients/Sub']),
('gradients/Const_3', 'Const', ['^gradients/Sub']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/cond/Merge_grad/StackPushV2', '^gradients/while/cond/mul_grad/Mul_1/f_sync']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/cond/Merge_grad/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Square_grad/Const', 'Const', ['^gradients/loss_grad/Tile']),
('gradients/Square_grad/Mul', 'Mul', ['while/Exit_1', 'gradients/Square_grad/Const']),
('gradients/Square_grad/Mul_1', 'Mul', ['gradients/loss_grad/Tile', 'gradients/Square_grad/Mul']),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/Switch_2', 'Switch', ['gradients/Const', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_3', 'Switch', ['gradients/Const_1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_4', 'Switch', ['gradients/Const_2', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_5', 'Switch', ['gradients/Const_3', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/b_count', 'Const', []),
('gradients/b_count_1', 'Enter', ['gradients/f_count_2']),
('gradients/b_count_2', 'LoopCond', ['gradients/GreaterEqual']),
('gradients/b_count_3', 'Exit', ['gradients/Switch_1']),
('gradients/f_count', 'Const', []),
('gradients/f_count_1', 'Enter', ['gradients/f_count']),
('gradients/f_count_2', 'Exit', ['gradients/Switch']),
('gradients/grad_ys_0', 'Fill', ['gradients/Shape', 'gradients/grad_ys_0/Const']),
('gradients/grad_ys_0/Const', 'Const', []),
('gradients/loss_grad/Const', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/tuple/control_dependency']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/Square_grad/Mul_1']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/Switch', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/Switch:1', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/Switch']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/AddN']),
('gradients/while/cond/MatMul/Enter_grad/Add', 'AddV2', ['gradients/while/cond/MatMul/Enter_grad/Switch:1', 'gradients/while/cond/MatMul/Switch_1_grad/cond_grad']),
('gradients/while/cond/MatMul/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/cond/MatMul/Enter_grad/Add']),
('gradients/while/cond/MatMul/Enter_grad/Switch', 'Switch', ['gradients/while/cond/MatMul/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/cond/MatMul/Enter_grad/b_acc', 'Const', []),
('gradients/while/cond/MatMul/Enter_grad/b_acc_1', 'Enter', ['gradients/while/cond/MatMul/Enter_grad/b_acc']),
('gradients/while/cond/MatMul/Enter_grad/b_acc_2', 'Merge', ['gradients/while/cond/MatMul/Enter_grad/b_acc_1', 'gradients/while/cond/MatMul/Enter_grad/NextIteration']),
('gradients/while/cond/MatMul/Enter_grad/b_acc_3', 'Exit', ['gradients/while/cond/MatMul/Enter_grad/Switch']),
('gradients/while/cond/MatMul/Switch_1_grad/cond_grad', 'Merge', ['gradients/Switch_5', 'gradients/while/cond/MatMul_grad/tuple/control_dependency_1']),
('gradients/while/cond/MatMul/Switch_grad/cond_grad', 'Merge', ['gradients/Switch_4', 'gradients/while/cond/MatMul_grad/tuple/control_dependency']),
('gradients/while/cond/MatMul_grad/MatMul', 'MatMul', ['gradients/while/cond/add_grad/tuple/control_dependency', 'gradients/while/cond/MatMul_grad/MatMul/Enter']),
('gradients/while/cond/MatMul_grad/MatMul/Enter', 'Enter', ['W/read']),
('gradients/while/cond/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/cond/add_grad/tuple/control_dependency']),
('gradients/while/cond/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/cond/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/cond/MatMul_grad/MatMul_1/Switch:1']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2/Switch:1', 'while/cond/MatMul/Switch:1', '^gradients/Add']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul_1/Enter', 'while/cond/pred_id']),
('gradients/while/cond/MatMul_grad/MatMul_1/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul_1/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/MatMul_grad/MatMul_1/Switch/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/cond/MatMul_grad/MatMul_1/Const']),
('gradients/while/cond/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/while/cond/MatMul_grad/MatMul', '^gradients/while/cond/MatMul_grad/tuple/group_deps']),
('gradients/while/cond/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/cond/MatMul_grad/MatMul_1', '^gradients/while/cond/MatMul_grad/tuple/group_deps']),
('gradients/while/cond/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/cond/MatMul_grad/MatMul', '^gradients/while/cond/MatMul_grad/MatMul_1']),
('gradients/while/cond/Merge_grad/Const', 'Const', []),
('gradients/while/cond/Merge_grad/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Merge_grad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/cond/Merge_grad/StackPopV2/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Merge_grad/Enter', 'while/cond/pred_id', '^gradients/Add']),
('gradients/while/cond/Merge_grad/b_sync', 'ControlTrigger', ['^gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/cond/Merge_grad/StackPopV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', '^gradients/while/cond/mul_grad/Mul_1/StackPopV2']),
('gradients/while/cond/Merge_grad/cond_grad', 'Switch', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Merge_grad/f_acc', 'StackV2', ['gradients/while/cond/Merge_grad/Const']),
('gradients/while/cond/Merge_grad/tuple/control_dependency', 'Identity', ['gradients/while/cond/Merge_grad/cond_grad', '^gradients/while/cond/Merge_grad/tuple/group_deps']),
('gradients/while/cond/Merge_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/cond/Merge_grad/cond_grad:1', '^gradients/while/cond/Merge_grad/tuple/group_deps']),
('gradients/while/cond/Merge_grad/tuple/group_deps', 'NoOp', ['^gradients/while/cond/Merge_grad/cond_grad']),
('gradients/while/cond/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'gradients/while/cond/Merge_grad/tuple/control_dependency_1']),
('gradients/while/cond/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch:1']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch:1', 'while/cond/Tanh', '^gradients/Add']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'while/cond/pred_id']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Const']),
('gradients/while/cond/add/Enter_grad/Add', 'AddV2', ['gradients/while/cond/add/Enter_grad/Switch:1', 'gradients/while/cond/add/Switch_grad/cond_grad']),
('gradients/while/cond/add/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/cond/add/Enter_grad/Add']),
('gradients/while/cond/add/Enter_grad/Switch', 'Switch', ['gradients/while/cond/add/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/cond/add/Enter_grad/b_acc', 'Const', []),
('gradients/while/cond/add/Enter_grad/b_acc_1', 'Enter', ['gradients/while/cond/add/Enter_grad/b_acc']),
('gradients/while/cond/add/Enter_grad/b_acc_2', 'Merge', ['gradients/while/cond/add/Enter_grad/b_acc_1', 'gradients/while/cond/add/Enter_grad/NextIteration']),
('gradients/while/cond/add/Enter_grad/b_acc_3', 'Exit', ['gradients/while/cond/add/Enter_grad/Switch']),
('gradients/while/cond/add/Switch_grad/cond_grad', 'Merge', ['gradients/Switch_3', 'gradients/while/cond/add_grad/tuple/control_dependency_1']),
('gradients/while/cond/add_grad/Reshape', 'Reshape', ['gradients/while/cond/add_grad/Sum', 'gradients/while/cond/add_grad/Shape_1']),
('gradients/while/cond/add_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/cond/add_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/cond/add_grad/Sum', 'Sum', ['gradients/while/cond/Tanh_grad/TanhGrad', 'gradients/while/cond/add_grad/Sum/reduction_indices_1']),
('gradients/while/cond/add_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/cond/add_grad/Sum/reduction_indices_1', 'Const', ['^gradients/Sub']),
('gradients/while/cond/add_grad/tuple/control_dependency', 'Identity', ['gradients/while/cond/Tanh_grad/TanhGrad', '^gradients/while/cond/add_grad/tuple/group_deps']),
('gradients/while/cond/add_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/cond/add_grad/Reshape', '^gradients/while/cond/add_grad/tuple/group_deps']),
('gradients/while/cond/add_grad/tuple/group_deps', 'NoOp', ['^gradients/while/cond/Tanh_grad/TanhGrad', '^gradients/while/cond/add_grad/Reshape']),
('gradients/while/cond/mul/Switch_grad/cond_grad', 'Merge', ['gradients/while/cond/mul_grad/tuple/control_dependency', 'gradients/Switch_2:1']),
('gradients/while/cond/mul_grad/Mul', 'Mul', ['gradients/while/cond/Merge_grad/tuple/control_dependency', 'gradients/while/cond/mul_grad/Mul/Const']),
('gradients/while/cond/mul_grad/Mul/Const', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/Mul_1', 'Mul', ['gradients/while/cond/mul_grad/Mul_1/StackPopV2', 'gradients/while/cond/Merge_grad/tuple/control_dependency']),
('gradients/while/cond/mul_grad/Mul_1/Const', 'Const', []),
('gradients/while/cond/mul_grad/Mul_1/Enter', 'Enter', ['gradients/while/cond/mul_grad/Mul_1/f_acc']),
('gradients/while/cond/mul_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients/while/cond/mul_grad/Mul_1/Switch']),
('gradients/while/cond/mul_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients/while/cond/mul_grad/Mul_1/StackPushV2/Switch', 'while/cond/mul/Switch', '^gradients/Add']),
('gradients/while/cond/mul_grad/Mul_1/StackPushV2/Switch', 'Switch', ['gradients/while/cond/mul_grad/Mul_1/Enter', 'while/cond/pred_id']),
('gradients/while/cond/mul_grad/Mul_1/Switch', 'Switch', ['gradients/while/cond/mul_grad/Mul_1/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/mul_grad/Mul_1/Switch/Enter', 'Enter', ['gradients/while/cond/mul_grad/Mul_1/f_acc']),
('gradients/while/cond/mul_grad/Mul_1/f_acc', 'StackV2', ['gradients/while/cond/mul_grad/Mul_1/Const']),
('gradients/while/cond/mul_grad/Mul_1/f_sync', 'ControlTrigger', ['^gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2', '^gradients/while/cond/mul_grad/Mul_1/StackPushV2']),
('gradients/while/cond/mul_grad/Reshape', 'Reshape', ['gradients/while/cond/mul_grad/Sum', 'gradients/while/cond/mul_grad/Shape_1']),
('gradients/while/cond/mul_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/Sum', 'Sum', ['gradients/while/cond/mul_grad/Mul_1', 'gradients/while/cond/mul_grad/Sum/reduction_indices']),
('gradients/while/cond/mul_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/cond/mul_grad/tuple/control_dependency', 'Identity', ['gradients/while/cond/mul_grad/Mul', '^gradients/while/cond/mul_grad/tuple/group_deps']),
('gradients/while/cond/mul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/cond/mul_grad/Reshape', '^gradients/while/cond/mul_grad/tuple/group_deps']),
('gradients/while/cond/mul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/cond/mul_grad/Mul', '^gradients/while/cond/mul_grad/Reshape']),
('train', 'NoOp', ['^train/update_W/ApplyGradientDescent', '^train/update_b/ApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_W/ApplyGradientDescent', 'ApplyGradientDescent', ['W', 'train/learning_rate', 'gradients/while/cond/MatMul/Enter_grad/b_acc_3']),
('train/update_b/ApplyGradientDescent', 'ApplyGradientDescent', ['b', 'train/learning_rate', 'gradients/while/cond/add/Enter_grad/b_acc_3']),
]

# TF 2.21's gradients/* nodes of OUTER_VALUE's tf1.gradients(loss, [W])
TF_OUTER_VALUE_GRADIENT_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/cond/Sigmoid/Switch_grad/cond_grad', 'gradients/while/cond/Tanh/Switch_grad/cond_grad']),
('gradients/Const', 'Const', ['^gradients/Sub']),
('gradients/Const_1', 'Const', ['^gradients/Sub']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/MatMul_grad/MatMul/StackPushV2', '^gradients/while/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/cond/Merge_grad/StackPushV2', '^gradients/while/cond/Sigmoid_grad/SigmoidGrad/f_sync']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/cond/Merge_grad/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/Switch_2', 'Switch', ['gradients/Const', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_3', 'Switch', ['gradients/Const_1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/b_count', 'Const', []),
('gradients/b_count_1', 'Enter', ['gradients/f_count_2']),
('gradients/b_count_2', 'LoopCond', ['gradients/GreaterEqual']),
('gradients/b_count_3', 'Exit', ['gradients/Switch_1']),
('gradients/f_count', 'Const', []),
('gradients/f_count_1', 'Enter', ['gradients/f_count']),
('gradients/f_count_2', 'Exit', ['gradients/Switch']),
('gradients/grad_ys_0', 'Fill', ['gradients/Shape', 'gradients/grad_ys_0/Const']),
('gradients/grad_ys_0/Const', 'Const', []),
('gradients/loss_grad/Const', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/Switch']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/loss_grad/Tile']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_grad/MatMul_1']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_grad/MatMul', 'MatMul', ['gradients/AddN', 'gradients/while/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul/Enter', 'while/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul/Const']),
('gradients/while/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'gradients/AddN']),
('gradients/while/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul_1/Enter', 'while/Identity_1', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul_1/Const']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/while/MatMul_grad/MatMul']),
('gradients/while/add_grad/Reshape', 'Reshape', ['gradients/while/add_grad/Sum', 'gradients/while/add_grad/Shape_1']),
('gradients/while/add_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/add_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/add_grad/Sum', 'Sum', ['gradients/AddN', 'gradients/while/add_grad/Sum/reduction_indices_1']),
('gradients/while/add_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/add_grad/Sum/reduction_indices_1', 'Const', ['^gradients/Sub']),
('gradients/while/cond/Merge_grad/Const', 'Const', []),
('gradients/while/cond/Merge_grad/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Merge_grad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/cond/Merge_grad/StackPopV2/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Merge_grad/Enter', 'while/cond/pred_id', '^gradients/Add']),
('gradients/while/cond/Merge_grad/b_sync', 'ControlTrigger', ['^gradients/while/MatMul_grad/MatMul/StackPopV2', '^gradients/while/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/cond/Merge_grad/StackPopV2', '^gradients/while/cond/Sigmoid_grad/SigmoidGrad/StackPopV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2']),
('gradients/while/cond/Merge_grad/cond_grad', 'Switch', ['gradients/while/Merge_1_grad/Switch:1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Merge_grad/f_acc', 'StackV2', ['gradients/while/cond/Merge_grad/Const']),
('gradients/while/cond/Sigmoid/Switch_grad/cond_grad', 'Merge', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad', 'gradients/Switch_2:1']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad', 'SigmoidGrad', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/StackPopV2', 'gradients/while/cond/Merge_grad/cond_grad']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/Const', 'Const', []),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/Enter', 'Enter', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/f_acc']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/Switch']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/StackPushV2/Switch', 'while/cond/Sigmoid', '^gradients/Add']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/StackPushV2/Switch', 'Switch', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/Enter', 'while/cond/pred_id']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/Switch', 'Switch', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/Switch/Enter', 'Enter', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/f_acc']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/f_acc', 'StackV2', ['gradients/while/cond/Sigmoid_grad/SigmoidGrad/Const']),
('gradients/while/cond/Sigmoid_grad/SigmoidGrad/f_sync', 'ControlTrigger', ['^gradients/while/cond/Sigmoid_grad/SigmoidGrad/StackPushV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2']),
('gradients/while/cond/Tanh/Switch_grad/cond_grad', 'Merge', ['gradients/Switch_3', 'gradients/while/cond/Tanh_grad/TanhGrad']),
('gradients/while/cond/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'gradients/while/cond/Merge_grad/cond_grad:1']),
('gradients/while/cond/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch:1']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch:1', 'while/cond/Tanh', '^gradients/Add']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'while/cond/pred_id']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Const']),
]

# TF 2.21's gradients/* nodes of FED_PRED's tf1.gradients(loss, [W])
TF_FED_PRED_GRADIENT_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/cond/Switch_1_grad/cond_grad', 'gradients/while/cond/MatMul/Switch_grad/cond_grad']),
('gradients/Const', 'Const', ['^gradients/Sub']),
('gradients/Const_1', 'Const', ['^gradients/Sub']),
('gradients/Const_2', 'Const', ['^gradients/Sub']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/cond/Merge_grad/StackPushV2', '^gradients/while/cond/Tanh_grad/TanhGrad/f_sync']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/cond/Merge_grad/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/Switch_2', 'Switch', ['gradients/Const', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_3', 'Switch', ['gradients/Const_1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/Switch_4', 'Switch', ['gradients/zeros', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/b_count', 'Const', []),
('gradients/b_count_1', 'Enter', ['gradients/f_count_2']),
('gradients/b_count_2', 'LoopCond', ['gradients/GreaterEqual']),
('gradients/b_count_3', 'Exit', ['gradients/Switch_1']),
('gradients/f_count', 'Const', []),
('gradients/f_count_1', 'Enter', ['gradients/f_count']),
('gradients/f_count_2', 'Exit', ['gradients/Switch']),
('gradients/grad_ys_0', 'Fill', ['gradients/Shape', 'gradients/grad_ys_0/Const']),
('gradients/grad_ys_0/Const', 'Const', []),
('gradients/loss_grad/Const', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/Switch']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/loss_grad/Tile']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/AddN']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/cond/MatMul/ReadVariableOp/Switch_grad/cond_grad']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/cond/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/cond/MatMul/ReadVariableOp/Switch_grad/cond_grad', 'Merge', ['gradients/Switch_4', 'gradients/while/cond/MatMul_grad/MatMul_1']),
('gradients/while/cond/MatMul/Switch_grad/cond_grad', 'Merge', ['gradients/Switch_3', 'gradients/while/cond/MatMul_grad/MatMul']),
('gradients/while/cond/MatMul_grad/MatMul', 'MatMul', ['gradients/while/cond/Tanh_grad/TanhGrad', 'gradients/while/cond/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/cond/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/cond/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/cond/MatMul_grad/MatMul/Switch:1']),
('gradients/while/cond/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/cond/MatMul_grad/MatMul/StackPushV2/Switch:1', 'while/cond/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/cond/MatMul_grad/MatMul/StackPushV2/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul/Enter', 'while/cond/pred_id']),
('gradients/while/cond/MatMul_grad/MatMul/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/MatMul_grad/MatMul/Switch/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/cond/MatMul_grad/MatMul/Const']),
('gradients/while/cond/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/cond/Tanh_grad/TanhGrad']),
('gradients/while/cond/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/cond/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/cond/MatMul_grad/MatMul_1/Switch:1']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2/Switch:1', 'while/cond/MatMul/Switch:1', '^gradients/Add']),
('gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul_1/Enter', 'while/cond/pred_id']),
('gradients/while/cond/MatMul_grad/MatMul_1/Switch', 'Switch', ['gradients/while/cond/MatMul_grad/MatMul_1/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/MatMul_grad/MatMul_1/Switch/Enter', 'Enter', ['gradients/while/cond/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/cond/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/cond/MatMul_grad/MatMul_1/Const']),
('gradients/while/cond/Merge_grad/Const', 'Const', []),
('gradients/while/cond/Merge_grad/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Merge_grad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/cond/Merge_grad/StackPopV2/Enter', 'Enter', ['gradients/while/cond/Merge_grad/f_acc']),
('gradients/while/cond/Merge_grad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Merge_grad/Enter', 'while/cond/pred_id', '^gradients/Add']),
('gradients/while/cond/Merge_grad/b_sync', 'ControlTrigger', ['^gradients/while/cond/MatMul_grad/MatMul/StackPopV2', '^gradients/while/cond/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/cond/Merge_grad/StackPopV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2']),
('gradients/while/cond/Merge_grad/cond_grad', 'Switch', ['gradients/while/Merge_1_grad/Switch:1', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Merge_grad/f_acc', 'StackV2', ['gradients/while/cond/Merge_grad/Const']),
('gradients/while/cond/Switch_1_grad/cond_grad', 'Merge', ['gradients/while/cond/Merge_grad/cond_grad', 'gradients/Switch_2:1']),
('gradients/while/cond/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'gradients/while/cond/Merge_grad/cond_grad:1']),
('gradients/while/cond/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch:1']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch:1', 'while/cond/Tanh', '^gradients/Add']),
('gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Enter', 'while/cond/pred_id']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch', 'Switch', ['gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'gradients/while/cond/Merge_grad/StackPopV2']),
('gradients/while/cond/Tanh_grad/TanhGrad/Switch/Enter', 'Enter', ['gradients/while/cond/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/cond/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/cond/Tanh_grad/TanhGrad/Const']),
('gradients/while/cond/Tanh_grad/TanhGrad/f_sync', 'ControlTrigger', ['^gradients/while/cond/MatMul_grad/MatMul/StackPushV2', '^gradients/while/cond/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/cond/Tanh_grad/TanhGrad/StackPushV2']),
('gradients/zeros', 'Fill', ['gradients/Const_2', 'gradients/zeros/Const']),
('gradients/zeros/Const', 'Const', ['^gradients/Sub']),
]
