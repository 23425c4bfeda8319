"""Gradients through a TF 1.x `while_loop` (control flow v1): `gradients` and `minimize` build
TF's gradient loop as control_flow_state.py and control_flow_grad.py do (spec/loop_gradients.py).

The node tables are TF 2.21's graph (tensorflow-cpu, `tf.compat.v1` with
`disable_eager_execution()` and `disable_control_flow_v2()`) of this program, listed from
`g.as_graph_def()` (gradients/* and train/* nodes, data inputs then sorted ^controls):

    W = tf1.get_variable("W", initializer=tf.constant([[0.5, -0.3], [0.2, 0.4]]), use_resource=True)
    b = tf1.get_variable("b", initializer=tf.constant([0.1, -0.1]), use_resource=True)
    h0 = tf.constant([[1.0, 2.0]], name="h0"); i0 = tf.constant(0, name="i0")
    i, h = tf1.while_loop(lambda i, h: i < 3,
                          lambda i, h: (i + 1, tf.tanh(tf.matmul(h, W) + b)), [i0, h0])
    loss = tf.reduce_sum(h, name="loss")
    tf1.gradients(loss, [W, b, h0])       # GRADIENTS_SPEC
    tf1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")   # TRAIN_SPEC

and the values are its `sess.run` results. TF's own gradient graphs of loops, imported, are the
fixtures of scripts/graphdef_cases/loop_grads.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values
from tests.test_gradients import tf_style

LOOP = """
expand: true
nodes:
  - {name: W, op: variable, value: [[0.5, -0.3], [0.2, 0.4]]}
  - {name: b, op: variable, value: [0.1, -0.1]}
  - {name: h0, op: const, value: [[1.0, 2.0]]}
  - {name: i0, op: const, value: 0}
  - while_loop: [i0, h0]
    outputs: [i, h]
    cond: {args: [i, h], nodes: [{name: Less, op: less, inputs: [i, 3]}], return: Less}
    body:
      args: [i, h]
      nodes:
        - {name: add, op: add, inputs: [i, 1]}
        - {name: MatMul, op: matmul, inputs: [h, W]}
        - {name: add_1, op: add, inputs: [MatMul, b]}
        - {name: Tanh, op: tanh, inputs: [add_1]}
      return: [add, Tanh]
  - {name: loss, op: reduce_sum, inputs: [h]}
"""

GRADIENTS_SPEC = LOOP + """  - gradients: loss
    xs: [W, b, h0]
    outputs: [dW, db, dh0]
run: {fetch: [loss, dW, db, dh0], steps: 1}
"""

TRAIN_SPEC = LOOP + """  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [train], steps: 5}
"""

# TF 2.21's gradients/* nodes for tf1.gradients(loss, [W, b, h0]): (name, op, inputs)
TF_LOOP_GRADIENT_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/MatMul_grad/MatMul/StackPushV2', '^gradients/while/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/Tanh_grad/TanhGrad/StackPushV2']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/Tanh_grad/TanhGrad/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
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
('gradients/while/MatMul_grad/MatMul', 'MatMul', ['gradients/while/Tanh_grad/TanhGrad', 'gradients/while/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul/Enter', 'while/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul/Const']),
('gradients/while/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/Tanh_grad/TanhGrad']),
('gradients/while/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul_1/Enter', 'while/Identity_1', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul_1/Const']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/while/MatMul_grad/MatMul']),
('gradients/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'gradients/while/Merge_1_grad/Switch:1']),
('gradients/while/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/Tanh_grad/TanhGrad/Enter', 'while/Tanh', '^gradients/Add']),
('gradients/while/Tanh_grad/TanhGrad/b_sync', 'ControlTrigger', ['^gradients/while/MatMul_grad/MatMul/StackPopV2', '^gradients/while/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/Tanh_grad/TanhGrad/StackPopV2']),
('gradients/while/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/Tanh_grad/TanhGrad/Const']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/add_1_grad/Reshape']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Add']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/add_1_grad/Reshape', 'Reshape', ['gradients/while/add_1_grad/Sum', 'gradients/while/add_1_grad/Shape_1']),
('gradients/while/add_1_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Sum', 'Sum', ['gradients/while/Tanh_grad/TanhGrad', 'gradients/while/add_1_grad/Sum/reduction_indices_1']),
('gradients/while/add_1_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Sum/reduction_indices_1', 'Const', ['^gradients/Sub']),
]

# TF 2.21's gradients/* and train/* nodes for GradientDescentOptimizer(0.1).minimize(loss, name="train")
TF_LOOP_TRAINING_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/MatMul_grad/MatMul/StackPushV2', '^gradients/while/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/Tanh_grad/TanhGrad/StackPushV2']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/Tanh_grad/TanhGrad/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
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
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_grad/tuple/control_dependency_1']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_grad/MatMul', 'MatMul', ['gradients/while/add_1_grad/tuple/control_dependency', 'gradients/while/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul/Enter', 'while/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul/Const']),
('gradients/while/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/add_1_grad/tuple/control_dependency']),
('gradients/while/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul_1/Enter', 'while/Identity_1', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul_1/Const']),
('gradients/while/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/MatMul_grad/MatMul_1', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/MatMul_1']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/Switch', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/Switch:1', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/Switch']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/while/MatMul_grad/tuple/control_dependency']),
('gradients/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'gradients/while/Merge_1_grad/tuple/control_dependency_1']),
('gradients/while/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/Tanh_grad/TanhGrad/Enter', 'while/Tanh', '^gradients/Add']),
('gradients/while/Tanh_grad/TanhGrad/b_sync', 'ControlTrigger', ['^gradients/while/MatMul_grad/MatMul/StackPopV2', '^gradients/while/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/Tanh_grad/TanhGrad/StackPopV2']),
('gradients/while/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/Tanh_grad/TanhGrad/Const']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/add_1_grad/tuple/control_dependency_1']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Add']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/add_1_grad/Reshape', 'Reshape', ['gradients/while/add_1_grad/Sum', 'gradients/while/add_1_grad/Shape_1']),
('gradients/while/add_1_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Sum', 'Sum', ['gradients/while/Tanh_grad/TanhGrad', 'gradients/while/add_1_grad/Sum/reduction_indices_1']),
('gradients/while/add_1_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Sum/reduction_indices_1', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Tanh_grad/TanhGrad', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/add_1_grad/Reshape', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Tanh_grad/TanhGrad', '^gradients/while/add_1_grad/Reshape']),
('train', 'NoOp', ['^train/update_W/ResourceApplyGradientDescent', '^train/update_b/ResourceApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_W/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['W', 'train/learning_rate', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3']),
('train/update_b/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['b', 'train/learning_rate', 'gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_3']),
]


def f32(xs) -> np.ndarray:
    return np.array(xs, dtype=np.float32)


def test_gradients_build_tfs_gradient_loop_node_for_node(spec_file):
    graph = Pipeline(spec_file(GRADIENTS_SPEC)).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith("gradients"))
    assert ours == sorted(TF_LOOP_GRADIENT_NODES)


def test_minimize_builds_tfs_gradient_loop_and_updates(spec_file):
    graph = Pipeline(spec_file(TRAIN_SPEC)).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_LOOP_TRAINING_NODES)


def test_gradients_through_the_loop_have_tfs_values(spec_file):
    # TF: sess.run([loss] + tf1.gradients(loss, [W, b, h0])), float32 as TF printed them
    step = run_spec(spec_file(GRADIENTS_SPEC)).steps[0].values
    assert step["loss"] == f32(-0.0033417940139770508)
    # TF's MatMul (Eigen) rounds the matmuls in both loops differently from numpy's, by an ulp here
    # and there, which the backprop loop carries through three iterations: hence the tolerance
    np.testing.assert_allclose(step["dh0"], f32([[-0.07986395061016083, 0.0736793652176857]]), rtol=3e-7)
    np.testing.assert_allclose(step["dW"], f32([[0.5229175090789795, 1.0603351593017578],
                                                [-0.182479590177536, 0.4482482969760895]]), rtol=3e-7)
    np.testing.assert_allclose(step["db"], f32([1.0028029680252075, 1.6323219537734985]), rtol=3e-7)


def test_minimize_trains_through_the_loop_with_tfs_losses(spec_file):
    # TF: sess.run([loss, train]) x5. Eigen's and numpy's matmuls round apart by an ulp or two,
    # which five steps carry: hence the tolerance
    got = values(run_spec(spec_file(TRAIN_SPEC)), "loss")
    assert got == pytest.approx([-0.0033417940139770508, -0.4781210422515869, -0.8212395310401917,
                                 -1.0847514867782593, -1.275452733039856], rel=1e-6)


COND_IN_LOOP = LOOP.replace("""        - {name: Tanh, op: tanh, inputs: [add_1]}
      return: [add, Tanh]""", """        - {name: pos, op: greater, inputs: [i, 1]}
        - cond: pos
          outputs: [Tanh]
          true_fn: {nodes: [{name: t, op: tanh, inputs: [add_1]}], return: [t]}
          false_fn: {nodes: [{name: s, op: sigmoid, inputs: [add_1]}], return: [s]}
      return: [add, Tanh]""") + """  - gradients: loss
    xs: [W]
run: {fetch: [loss], steps: 1}
"""


def test_a_cond_inside_the_loop_on_the_path_builds_its_gradient(spec_file):
    # was a located error; TF's graph and values: tests/test_cond_in_loop_gradients.py
    graph = Pipeline(spec_file(COND_IN_LOOP)).spec.graph
    assert graph.nodes["gradients/while/cond/Merge_grad/cond_grad"].inputs[1].node == \
        "gradients/while/cond/Merge_grad/StackPopV2"


# scripts/graphdef_cases/loop_grads.py's `loop_grad_fed_steps` written as a spec: ref variables,
# elementwise math, a fed iteration count, Momentum
FED_STEPS = """
expand: true
variables: ref
nodes:
  - {name: n, op: placeholder, dtype: int32, shape: []}
  - {name: x, op: placeholder, dtype: float32, shape: [3]}
  - {name: w, op: variable, value: [0.9, -0.5, 0.3]}
  - {name: Const, op: const, value: 0}
  - while_loop: [Const, x]
    outputs: [i, h]
    cond: {args: [i, h], nodes: [{name: Less, op: less, inputs: [i, n]}], return: Less}
    body:
      args: [i, h]
      nodes:
        - {name: add, op: add, inputs: [i, 1]}
        - {name: mul, op: mul, inputs: [h, w]}
        - {name: Sigmoid, op: sigmoid, inputs: [h]}
        - {name: add_1, op: add, inputs: [mul, Sigmoid]}
      return: [add, add_1]
  - {name: Square, op: square, inputs: [h]}
  - {name: loss, op: reduce_sum, inputs: [Square]}
  - minimize: loss
    optimizer: {type: Momentum, learning_rate: 0.01, momentum: 0.9}
run: {fetch: [loss], targets: [Momentum], feed: {n: 4, x: [0.5, -1.0, 2.0]}, steps: 4}
"""

# TF 2.21's gradients/* and Momentum/* nodes of loop_grad_fed_steps (the fixture's GraphDef):
#   _, h = tf1.while_loop(lambda i, h: i < n, lambda i, h: (i + 1, h * w + tf.sigmoid(h)), [0, x])
#   loss = tf.reduce_sum(tf.square(h), name="loss")
#   tf1.train.MomentumOptimizer(0.01, 0.9).minimize(loss)     (w a ref variable)
TF_FED_STEPS_NODES = [
('Momentum', 'NoOp', ['^Momentum/update_w/ApplyMomentum']),
('Momentum/learning_rate', 'Const', []),
('Momentum/momentum', 'Const', []),
('Momentum/update_w/ApplyMomentum', 'ApplyMomentum', ['w', 'w/Momentum', 'Momentum/learning_rate', 'gradients/while/mul/Enter_grad/b_acc_3', 'Momentum/momentum']),
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/mul_grad/tuple/control_dependency', 'gradients/while/Sigmoid_grad/SigmoidGrad']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/Sigmoid_grad/SigmoidGrad/StackPushV2', '^gradients/while/mul_grad/Mul_1/StackPushV2']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/mul_grad/Mul_1/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Square_grad/Const', 'Const', ['^gradients/loss_grad/Tile']),
('gradients/Square_grad/Mul', 'Mul', ['while/Exit_1', 'gradients/Square_grad/Const']),
('gradients/Square_grad/Mul_1', 'Mul', ['gradients/loss_grad/Tile', 'gradients/Square_grad/Mul']),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
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
('gradients/while/Sigmoid_grad/SigmoidGrad', 'SigmoidGrad', ['gradients/while/Sigmoid_grad/SigmoidGrad/StackPopV2', 'gradients/while/add_1_grad/tuple/control_dependency_1']),
('gradients/while/Sigmoid_grad/SigmoidGrad/Const', 'Const', []),
('gradients/while/Sigmoid_grad/SigmoidGrad/Enter', 'Enter', ['gradients/while/Sigmoid_grad/SigmoidGrad/f_acc']),
('gradients/while/Sigmoid_grad/SigmoidGrad/StackPopV2', 'StackPopV2', ['gradients/while/Sigmoid_grad/SigmoidGrad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Sigmoid_grad/SigmoidGrad/StackPopV2/Enter', 'Enter', ['gradients/while/Sigmoid_grad/SigmoidGrad/f_acc']),
('gradients/while/Sigmoid_grad/SigmoidGrad/StackPushV2', 'StackPushV2', ['gradients/while/Sigmoid_grad/SigmoidGrad/Enter', 'while/Sigmoid', '^gradients/Add']),
('gradients/while/Sigmoid_grad/SigmoidGrad/f_acc', 'StackV2', ['gradients/while/Sigmoid_grad/SigmoidGrad/Const']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/AddN']),
('gradients/while/add_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/tuple/control_dependency_1']),
('gradients/while/mul/Enter_grad/Add', 'AddV2', ['gradients/while/mul/Enter_grad/Switch:1', 'gradients/while/mul_grad/tuple/control_dependency_1']),
('gradients/while/mul/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/mul/Enter_grad/Add']),
('gradients/while/mul/Enter_grad/Switch', 'Switch', ['gradients/while/mul/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/mul/Enter_grad/b_acc', 'Const', []),
('gradients/while/mul/Enter_grad/b_acc_1', 'Enter', ['gradients/while/mul/Enter_grad/b_acc']),
('gradients/while/mul/Enter_grad/b_acc_2', 'Merge', ['gradients/while/mul/Enter_grad/b_acc_1', 'gradients/while/mul/Enter_grad/NextIteration']),
('gradients/while/mul/Enter_grad/b_acc_3', 'Exit', ['gradients/while/mul/Enter_grad/Switch']),
('gradients/while/mul_grad/Mul', 'Mul', ['gradients/while/add_1_grad/tuple/control_dependency', 'gradients/while/mul_grad/Mul/Enter']),
('gradients/while/mul_grad/Mul/Enter', 'Enter', ['w/read']),
('gradients/while/mul_grad/Mul_1', 'Mul', ['gradients/while/add_1_grad/tuple/control_dependency', 'gradients/while/mul_grad/Mul_1/StackPopV2']),
('gradients/while/mul_grad/Mul_1/Const', 'Const', []),
('gradients/while/mul_grad/Mul_1/Enter', 'Enter', ['gradients/while/mul_grad/Mul_1/f_acc']),
('gradients/while/mul_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients/while/mul_grad/Mul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/mul_grad/Mul_1/StackPopV2/Enter', 'Enter', ['gradients/while/mul_grad/Mul_1/f_acc']),
('gradients/while/mul_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients/while/mul_grad/Mul_1/Enter', 'while/Identity_1', '^gradients/Add']),
('gradients/while/mul_grad/Mul_1/b_sync', 'ControlTrigger', ['^gradients/while/Sigmoid_grad/SigmoidGrad/StackPopV2', '^gradients/while/mul_grad/Mul_1/StackPopV2']),
('gradients/while/mul_grad/Mul_1/f_acc', 'StackV2', ['gradients/while/mul_grad/Mul_1/Const']),
('gradients/while/mul_grad/tuple/control_dependency', 'Identity', ['gradients/while/mul_grad/Mul', '^gradients/while/mul_grad/tuple/group_deps']),
('gradients/while/mul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/mul_grad/Mul_1', '^gradients/while/mul_grad/tuple/group_deps']),
('gradients/while/mul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/mul_grad/Mul', '^gradients/while/mul_grad/Mul_1']),
]


def test_a_ref_momentum_loop_builds_tfs_graph_and_trains_with_its_losses(spec_file):
    path = spec_file(FED_STEPS)
    graph = Pipeline(path).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "Momentum")))
    assert ours == sorted(TF_FED_STEPS_NODES)
    # TF: sess.run([loss, Momentum]) x4 (tests/fixtures/graphdefs/loop_grad_fed_steps.json); an
    # ulp apart from step 2 on (TF's Sigmoid and numpy's exp round differently)
    assert values(run_spec(path), "loss") == pytest.approx([10.764402, 3.708682, 1.5211244, 0.9202201], rel=3e-7)


# A dynamic_rnn-style loop written out with TensorArrays (BasicRNNCell's tanh(x W + h U + b)
# with W split in two): the input unstacked into one array, read per step, the outputs written to
# another and stacked after the loop. TF's program:
#   input_ta = tf.TensorArray(tf.float32, size=4, element_shape=[2, 3], name="input_ta").unstack(x)
#   output_ta = tf.TensorArray(tf.float32, size=4, element_shape=[2, 4], name="output_ta")
#   def body(t, out, h):
#       h1 = tf.tanh(tf.matmul(input_ta.read(t), Wx) + tf.matmul(h, Wh) + b)
#       return t + 1, out.write(t, h1), h1
#   _, out, h = tf1.while_loop(lambda t, o, h: t < 4, body, [tf.constant(0), output_ta, h0])
#   loss = tf.reduce_mean(tf.square(out.stack() - T), name="loss")
#   tf1.train.GradientDescentOptimizer(0.5).minimize(loss, name="train")
# (x = linspace(-1, 1, 24) as [4, 2, 3], T = linspace(-0.5, 0.5, 32) as [4, 2, 4], Wx and Wh
# linspace too, resource variables)
TENSOR_ARRAY_RNN = """
expand: true
nodes:
  - {name: x, op: placeholder, dtype: float32, shape: [4, 2, 3]}
  - {name: target, op: const, value: [[[-0.5, -0.4677419364452362, -0.4354838728904724, -0.4032258093357086], [-0.3709677457809448, -0.33870968222618103, -0.30645161867141724, -0.27419355511665344]], [[-0.24193547666072845, -0.20967741310596466, -0.17741934955120087, -0.14516128599643707], [-0.11290322244167328, -0.08064515888690948, -0.04838709533214569, -0.016129031777381897]], [[0.016129031777381897, 0.04838709533214569, 0.08064515888690948, 0.11290322244167328], [0.14516128599643707, 0.17741934955120087, 0.20967741310596466, 0.24193547666072845]], [[0.27419355511665344, 0.30645161867141724, 0.33870968222618103, 0.3709677457809448], [0.4032258093357086, 0.4354838728904724, 0.4677419364452362, 0.5]]]}
  - {name: Wx, op: variable, value: [[-0.5, -0.40909090638160706, -0.3181818127632141, -0.22727273404598236], [-0.13636364042758942, -0.04545454680919647, 0.04545454680919647, 0.13636364042758942], [0.22727273404598236, 0.3181818127632141, 0.40909090638160706, 0.5]]}
  - {name: Wh, op: variable, value: [[0.30000001192092896, 0.25999999046325684, 0.2199999988079071, 0.18000000715255737], [0.14000000059604645, 0.10000000149011612, 0.05999999865889549, 0.019999999552965164], [-0.019999999552965164, -0.05999999865889549, -0.10000000149011612, -0.14000000059604645], [-0.18000000715255737, -0.2199999988079071, -0.25999999046325684, -0.30000001192092896]]}
  - {name: b, op: variable, value: [0.1, -0.1, 0.05, 0.0]}
  - {name: h0, op: const, value: [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]}
  - {name: input_ta, op: tensor_array_v3, inputs: [4], dtype: float32, element_shape: [2, 3]}
  - {name: output_ta, op: tensor_array_v3, inputs: [4], dtype: float32, element_shape: [2, 4]}
  - name_scope: TensorArrayUnstack
    nodes:
      - {name: range, op: const, value: [0, 1, 2, 3]}
      - name_scope: TensorArrayScatter
        nodes:
          - {name: TensorArrayScatterV3, op: tensor_array_scatter_v3, inputs: [input_ta, TensorArrayUnstack/range, x, "input_ta:1"]}
  - {name: t0, op: const, value: 0}
  - while_loop: [t0, "output_ta:1", h0]
    outputs: [t, out_flow, h]
    cond: {args: [t, flow, h], nodes: [{name: Less, op: less, inputs: [t, 4]}], return: Less}
    body:
      args: [t, flow, h]
      nodes:
        - {name: TensorArrayReadV3, op: tensor_array_read_v3, inputs: [input_ta, t, TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3], dtype: float32}
        - {name: MatMul, op: matmul, inputs: [TensorArrayReadV3, Wx]}
        - {name: MatMul_1, op: matmul, inputs: [h, Wh]}
        - {name: add, op: add, inputs: [MatMul, MatMul_1]}
        - {name: add_1, op: add, inputs: [add, b]}
        - {name: Tanh, op: tanh, inputs: [add_1]}
        - {name: add_2, op: add, inputs: [t, 1]}
        - name_scope: TensorArrayWrite
          nodes:
            - {name: TensorArrayWriteV3, op: tensor_array_write_v3, inputs: [output_ta, t, Tanh, flow]}
      return: [add_2, TensorArrayWrite/TensorArrayWriteV3, Tanh]
  - name_scope: TensorArrayStack
    nodes:
      - {name: range, op: const, value: [0, 1, 2, 3]}
      - {name: TensorArrayGatherV3, op: tensor_array_gather_v3, inputs: [output_ta, TensorArrayStack/range, out_flow], dtype: float32, element_shape: [2, 4]}
  - {name: sub, op: sub, inputs: [TensorArrayStack/TensorArrayGatherV3, target]}
  - {name: Square, op: square, inputs: [sub]}
  - {name: loss, op: reduce_mean, inputs: [Square]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.5}
run:
  fetch: [loss]
  targets: [train]
  feed: {x: [[[-1.0, -0.9130434989929199, -0.8260869383811951], [-0.739130437374115, -0.6521739363670349, -0.5652173757553101]], [[-0.47826087474823, -0.3913043439388275, -0.30434781312942505], [-0.21739129722118378, -0.1304347813129425, -0.043478261679410934]], [[0.043478261679410934, 0.1304347813129425, 0.21739129722118378], [0.30434781312942505, 0.3913043439388275, 0.47826087474823]], [[0.5652173757553101, 0.6521739363670349, 0.739130437374115], [0.8260869383811951, 0.9130434989929199, 1.0]]]}
  steps: 5
"""

# TF 2.21's gradients/* and train/* nodes of that program
TF_TENSOR_ARRAY_RNN_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/Merge_2_grad/tuple/control_dependency_1', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/MatMul_1_grad/MatMul/StackPushV2', '^gradients/while/MatMul_1_grad/MatMul_1/StackPushV2', '^gradients/while/MatMul_grad/MatMul/StackPushV2', '^gradients/while/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/Tanh_grad/TanhGrad/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Square_grad/Const', 'Const', ['^gradients/loss_grad/truediv']),
('gradients/Square_grad/Mul', 'Mul', ['sub', 'gradients/Square_grad/Const']),
('gradients/Square_grad/Mul_1', 'Mul', ['gradients/loss_grad/truediv', 'gradients/Square_grad/Mul']),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['output_ta', 'while/Exit_1']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['while/Exit_1', '^gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3', 'TensorArrayScatterV3', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayStack/range', 'gradients/sub_grad/tuple/control_dependency', 'gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow']),
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
('gradients/loss_grad/Const_1', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/loss_grad/truediv', 'RealDiv', ['gradients/loss_grad/Tile', 'gradients/loss_grad/Const_1']),
('gradients/sub_grad/Neg', 'Neg', ['gradients/Square_grad/Mul_1']),
('gradients/sub_grad/tuple/control_dependency', 'Identity', ['gradients/Square_grad/Mul_1', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/control_dependency_1', 'Identity', ['gradients/sub_grad/Neg', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/group_deps', 'NoOp', ['^gradients/Square_grad/Mul_1', '^gradients/sub_grad/Neg']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/tuple/control_dependency']),
('gradients/while/Enter_2_grad/Exit', 'Exit', ['gradients/while/Merge_2_grad/tuple/control_dependency']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3']),
('gradients/while/Exit_2_grad/b_exit', 'Enter', ['gradients/zeros']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_grad/tuple/control_dependency_1']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_1_grad/tuple/control_dependency_1']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul_1/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_1_grad/MatMul', 'MatMul', ['gradients/while/add_grad/tuple/control_dependency_1', 'gradients/while/MatMul_1_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_1_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_1_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul/f_acc']),
('gradients/while/MatMul_1_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_1_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_1_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul/f_acc']),
('gradients/while/MatMul_1_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_1_grad/MatMul/Enter', 'while/MatMul_1/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_1_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_1_grad/MatMul/Const']),
('gradients/while/MatMul_1_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_1_grad/MatMul_1/StackPopV2', 'gradients/while/add_grad/tuple/control_dependency_1']),
('gradients/while/MatMul_1_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_1_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_1_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_1_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_1_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_1_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_1_grad/MatMul_1/Enter', 'while/Identity_2', '^gradients/Add']),
('gradients/while/MatMul_1_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_1_grad/MatMul_1/Const']),
('gradients/while/MatMul_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/MatMul_1_grad/MatMul', '^gradients/while/MatMul_1_grad/tuple/group_deps']),
('gradients/while/MatMul_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/MatMul_1_grad/MatMul_1', '^gradients/while/MatMul_1_grad/tuple/group_deps']),
('gradients/while/MatMul_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/MatMul_1_grad/MatMul', '^gradients/while/MatMul_1_grad/MatMul_1']),
('gradients/while/MatMul_grad/MatMul', 'MatMul', ['gradients/while/add_grad/tuple/control_dependency', 'gradients/while/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul/Enter', 'while/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul/Const']),
('gradients/while/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/add_grad/tuple/control_dependency']),
('gradients/while/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul_1/Enter', 'while/TensorArrayReadV3', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul_1/Const']),
('gradients/while/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/MatMul_grad/MatMul_1', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/MatMul_1']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/Switch', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/Switch:1', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/Switch']),
('gradients/while/Merge_2_grad/Switch', 'Switch', ['gradients/while/Switch_2_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_2_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_2_grad/Switch', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_2_grad/Switch:1', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_2_grad/Switch']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1']),
('gradients/while/Switch_2_grad/b_switch', 'Merge', ['gradients/while/Exit_2_grad/b_exit', 'gradients/while/Switch_2_grad_1/NextIteration']),
('gradients/while/Switch_2_grad_1/NextIteration', 'NextIteration', ['gradients/while/MatMul_1_grad/tuple/control_dependency']),
('gradients/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'gradients/AddN']),
('gradients/while/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/Tanh_grad/TanhGrad/Enter', 'while/Tanh', '^gradients/Add']),
('gradients/while/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/Tanh_grad/TanhGrad/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'Enter', ['output_ta']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', 'TensorArrayReadV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'while/Identity', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'while/TensorArrayWrite/TensorArrayWriteV3', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync', 'ControlTrigger', ['^gradients/while/MatMul_1_grad/MatMul/StackPopV2', '^gradients/while/MatMul_1_grad/MatMul_1/StackPopV2', '^gradients/while/MatMul_grad/MatMul/StackPopV2', '^gradients/while/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/Tanh_grad/TanhGrad/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps', 'NoOp', ['^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', 'Identity', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/add_1_grad/tuple/control_dependency_1']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Add']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/add_1_grad/Reshape', 'Reshape', ['gradients/while/add_1_grad/Sum', 'gradients/while/add_1_grad/Shape_1']),
('gradients/while/add_1_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Sum', 'Sum', ['gradients/while/Tanh_grad/TanhGrad', 'gradients/while/add_1_grad/Sum/reduction_indices']),
('gradients/while/add_1_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Tanh_grad/TanhGrad', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/add_1_grad/Reshape', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Tanh_grad/TanhGrad', '^gradients/while/add_1_grad/Reshape']),
('gradients/while/add_grad/tuple/control_dependency', 'Identity', ['gradients/while/add_1_grad/tuple/control_dependency', '^gradients/while/add_grad/tuple/group_deps']),
('gradients/while/add_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/add_1_grad/tuple/control_dependency', '^gradients/while/add_grad/tuple/group_deps']),
('gradients/while/add_grad/tuple/group_deps', 'NoOp', ['^gradients/while/add_1_grad/tuple/control_dependency']),
('gradients/zeros', 'Const', []),
('train', 'NoOp', ['^train/update_Wh/ResourceApplyGradientDescent', '^train/update_Wx/ResourceApplyGradientDescent', '^train/update_b/ResourceApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_Wh/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['Wh', 'train/learning_rate', 'gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_3']),
('train/update_Wx/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['Wx', 'train/learning_rate', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3']),
('train/update_b/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['b', 'train/learning_rate', 'gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_3']),
]


def test_a_tensor_array_rnn_builds_tfs_gradient_graph(spec_file):
    graph = Pipeline(spec_file(TENSOR_ARRAY_RNN)).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_TENSOR_ARRAY_RNN_NODES)


def test_a_tensor_array_rnn_trains_with_tfs_losses(spec_file):
    # TF: sess.run([loss, train]) x5; an ulp apart at steps 4 and 5 (Eigen's matmuls)
    got = values(run_spec(spec_file(TENSOR_ARRAY_RNN)), "loss")
    assert got == pytest.approx([0.15566689, 0.082400344, 0.03952771, 0.019814732, 0.011087837], rel=3e-7)


# Three float loop variables: `a` feeds `c` but its exit is not used (TF's ZerosLikeForExit:
# `gradients/zeros`), `d`'s next value does not read `d` (TF's PostProcessing: a zeros
# NextIteration on its gradient merge, made after the gradients scope), `w` read twice in the
# body; tf1.gradients then minimize, so two gradient loops on one forward loop.
#   def body(i, a, c, d): return [i + 1, a * w, tf.tanh(c + a), x * w]
#   _, a, c, d = tf1.while_loop(lambda i, a, c, d: i < 3, body, [tf.constant(0, name="i0"), a0, c0, d0])
#   loss = tf.add(tf.reduce_sum(c), tf.reduce_sum(d), name="loss")
#   g1 = tf1.gradients(loss, [w]); train = tf1.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
UNUSED_EXIT = """
expand: true
nodes:
  - {name: w, op: variable, value: [0.9, -0.6]}
  - {name: a0, op: const, value: [1.0, 2.0]}
  - {name: c0, op: const, value: [0.5, -0.5]}
  - {name: d0, op: const, value: [0.0, 0.0]}
  - {name: x, op: const, value: [0.3, 0.7]}
  - {name: i0, op: const, value: 0}
  - while_loop: [i0, a0, c0, d0]
    outputs: [i, a, c, d]
    cond: {args: [i, a, c, d], nodes: [{name: Less, op: less, inputs: [i, 3]}], return: Less}
    body:
      args: [i, a, c, d]
      nodes:
        - {name: add, op: add, inputs: [i, 1]}
        - {name: mul, op: mul, inputs: [a, w]}
        - {name: add_1, op: add, inputs: [c, a]}
        - {name: Tanh, op: tanh, inputs: [add_1]}
        - {name: mul_1, op: mul, inputs: [x, w]}
      return: [add, mul, Tanh, mul_1]
  - {name: Sum, op: reduce_sum, inputs: [c]}
  - {name: Sum_1, op: reduce_sum, inputs: [d]}
  - {name: loss, op: add, inputs: [Sum, Sum_1]}
  - gradients: loss
    xs: [w]
    outputs: [dw]
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss, dw], targets: [train], steps: 4}
"""

# TF 2.21's gradients*/ and train/* nodes of that program
TF_UNUSED_EXIT_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/mul_grad/Mul', 'gradients/while/Tanh_grad/TanhGrad']),
('gradients/AddN_1', 'AddN', ['gradients/while/mul_1_grad/Mul_1', 'gradients/while/mul_grad/Mul_1']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/Tanh_grad/TanhGrad/StackPushV2', '^gradients/while/mul_1_grad/Mul/StackPushV2', '^gradients/while/mul_grad/Mul/StackPushV2', '^gradients/while/mul_grad/Mul_1/StackPushV2']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/Tanh_grad/TanhGrad/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Sum_1_grad/Const', 'Const', []),
('gradients/Sum_1_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/Sum_1_grad/Reshape/shape']),
('gradients/Sum_1_grad/Reshape/shape', 'Const', []),
('gradients/Sum_1_grad/Tile', 'Tile', ['gradients/Sum_1_grad/Reshape', 'gradients/Sum_1_grad/Const']),
('gradients/Sum_grad/Const', 'Const', []),
('gradients/Sum_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/Sum_grad/Reshape/shape']),
('gradients/Sum_grad/Reshape/shape', 'Const', []),
('gradients/Sum_grad/Tile', 'Tile', ['gradients/Sum_grad/Reshape', 'gradients/Sum_grad/Const']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/b_count', 'Const', []),
('gradients/b_count_1', 'Enter', ['gradients/f_count_2']),
('gradients/b_count_2', 'LoopCond', ['gradients/GreaterEqual']),
('gradients/b_count_3', 'Exit', ['gradients/Switch_1']),
('gradients/f_count', 'Const', []),
('gradients/f_count_1', 'Enter', ['gradients/f_count']),
('gradients/f_count_2', 'Exit', ['gradients/Switch']),
('gradients/grad_ys_0', 'Fill', ['gradients/Shape', 'gradients/grad_ys_0/Const']),
('gradients/grad_ys_0/Const', 'Const', []),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/Switch']),
('gradients/while/Enter_2_grad/Exit', 'Exit', ['gradients/while/Merge_2_grad/Switch']),
('gradients/while/Enter_3_grad/Exit', 'Exit', ['gradients/while/Merge_3_grad/Switch']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/zeros']),
('gradients/while/Exit_2_grad/b_exit', 'Enter', ['gradients/Sum_grad/Tile']),
('gradients/while/Exit_3_grad/b_exit', 'Enter', ['gradients/Sum_1_grad/Tile']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_2_grad/Switch', 'Switch', ['gradients/while/Switch_2_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_3_grad/Switch', 'Switch', ['gradients/while/Switch_3_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/AddN']),
('gradients/while/Switch_2_grad/b_switch', 'Merge', ['gradients/while/Exit_2_grad/b_exit', 'gradients/while/Switch_2_grad_1/NextIteration']),
('gradients/while/Switch_2_grad_1/NextIteration', 'NextIteration', ['gradients/while/Tanh_grad/TanhGrad']),
('gradients/while/Switch_3_grad/b_switch', 'Merge', ['gradients/while/Exit_3_grad/b_exit', 'NextIteration']),
('gradients/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'gradients/while/Merge_2_grad/Switch:1']),
('gradients/while/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/Tanh_grad/TanhGrad/Enter', 'while/Tanh', '^gradients/Add']),
('gradients/while/Tanh_grad/TanhGrad/b_sync', 'ControlTrigger', ['^gradients/while/Tanh_grad/TanhGrad/StackPopV2', '^gradients/while/mul_1_grad/Mul/StackPopV2', '^gradients/while/mul_grad/Mul/StackPopV2', '^gradients/while/mul_grad/Mul_1/StackPopV2']),
('gradients/while/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/Tanh_grad/TanhGrad/Const']),
('gradients/while/mul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/mul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/AddN_1']),
('gradients/while/mul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/mul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/mul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/mul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/mul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/mul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/mul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/mul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/mul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/mul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/mul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/mul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/mul_1_grad/Mul', 'Mul', ['gradients/while/Merge_3_grad/Switch:1', 'gradients/while/mul_1_grad/Mul/StackPopV2']),
('gradients/while/mul_1_grad/Mul/Const', 'Const', []),
('gradients/while/mul_1_grad/Mul/Enter', 'Enter', ['gradients/while/mul_1_grad/Mul/f_acc']),
('gradients/while/mul_1_grad/Mul/StackPopV2', 'StackPopV2', ['gradients/while/mul_1_grad/Mul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/mul_1_grad/Mul/StackPopV2/Enter', 'Enter', ['gradients/while/mul_1_grad/Mul/f_acc']),
('gradients/while/mul_1_grad/Mul/StackPushV2', 'StackPushV2', ['gradients/while/mul_1_grad/Mul/Enter', 'while/mul_1/ReadVariableOp', '^gradients/Add']),
('gradients/while/mul_1_grad/Mul/f_acc', 'StackV2', ['gradients/while/mul_1_grad/Mul/Const']),
('gradients/while/mul_1_grad/Mul_1', 'Mul', ['gradients/while/Merge_3_grad/Switch:1', 'gradients/while/mul_1_grad/Mul_1/Enter']),
('gradients/while/mul_1_grad/Mul_1/Enter', 'Enter', ['x']),
('gradients/while/mul_grad/Mul', 'Mul', ['gradients/while/Merge_1_grad/Switch:1', 'gradients/while/mul_grad/Mul/StackPopV2']),
('gradients/while/mul_grad/Mul/Const', 'Const', []),
('gradients/while/mul_grad/Mul/Enter', 'Enter', ['gradients/while/mul_grad/Mul/f_acc']),
('gradients/while/mul_grad/Mul/StackPopV2', 'StackPopV2', ['gradients/while/mul_grad/Mul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/mul_grad/Mul/StackPopV2/Enter', 'Enter', ['gradients/while/mul_grad/Mul/f_acc']),
('gradients/while/mul_grad/Mul/StackPushV2', 'StackPushV2', ['gradients/while/mul_grad/Mul/Enter', 'while/mul/ReadVariableOp', '^gradients/Add']),
('gradients/while/mul_grad/Mul/f_acc', 'StackV2', ['gradients/while/mul_grad/Mul/Const']),
('gradients/while/mul_grad/Mul_1', 'Mul', ['gradients/while/Merge_1_grad/Switch:1', 'gradients/while/mul_grad/Mul_1/StackPopV2']),
('gradients/while/mul_grad/Mul_1/Const', 'Const', []),
('gradients/while/mul_grad/Mul_1/Enter', 'Enter', ['gradients/while/mul_grad/Mul_1/f_acc']),
('gradients/while/mul_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients/while/mul_grad/Mul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/mul_grad/Mul_1/StackPopV2/Enter', 'Enter', ['gradients/while/mul_grad/Mul_1/f_acc']),
('gradients/while/mul_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients/while/mul_grad/Mul_1/Enter', 'while/Identity_1', '^gradients/Add']),
('gradients/while/mul_grad/Mul_1/f_acc', 'StackV2', ['gradients/while/mul_grad/Mul_1/Const']),
('gradients/zeros', 'Const', []),
('gradients_1/Add', 'AddV2', ['gradients_1/Switch:1', 'gradients_1/Add/y']),
('gradients_1/Add/y', 'Const', ['^while/Identity']),
('gradients_1/AddN', 'AddN', ['gradients_1/while/mul_grad/tuple/control_dependency', 'gradients_1/while/add_1_grad/tuple/control_dependency_1']),
('gradients_1/AddN_1', 'AddN', ['gradients_1/while/mul_1_grad/tuple/control_dependency_1', 'gradients_1/while/mul_grad/tuple/control_dependency_1']),
('gradients_1/GreaterEqual', 'GreaterEqual', ['gradients_1/Merge_1', 'gradients_1/GreaterEqual/Enter']),
('gradients_1/GreaterEqual/Enter', 'Enter', ['gradients_1/b_count']),
('gradients_1/Merge', 'Merge', ['gradients_1/f_count_1', 'gradients_1/NextIteration']),
('gradients_1/Merge_1', 'Merge', ['gradients_1/b_count_1', 'gradients_1/NextIteration_1']),
('gradients_1/NextIteration', 'NextIteration', ['gradients_1/Add', '^gradients_1/while/Tanh_grad/TanhGrad/StackPushV2', '^gradients_1/while/mul_1_grad/Mul/StackPushV2', '^gradients_1/while/mul_grad/Mul/StackPushV2', '^gradients_1/while/mul_grad/Mul_1/StackPushV2']),
('gradients_1/NextIteration_1', 'NextIteration', ['gradients_1/Sub', '^gradients_1/while/Tanh_grad/TanhGrad/b_sync']),
('gradients_1/Shape', 'Const', []),
('gradients_1/Sub', 'Sub', ['gradients_1/Switch_1:1', 'gradients_1/GreaterEqual/Enter']),
('gradients_1/Sum_1_grad/Const', 'Const', []),
('gradients_1/Sum_1_grad/Reshape', 'Reshape', ['gradients_1/loss_grad/tuple/control_dependency_1', 'gradients_1/Sum_1_grad/Reshape/shape']),
('gradients_1/Sum_1_grad/Reshape/shape', 'Const', []),
('gradients_1/Sum_1_grad/Tile', 'Tile', ['gradients_1/Sum_1_grad/Reshape', 'gradients_1/Sum_1_grad/Const']),
('gradients_1/Sum_grad/Const', 'Const', []),
('gradients_1/Sum_grad/Reshape', 'Reshape', ['gradients_1/loss_grad/tuple/control_dependency', 'gradients_1/Sum_grad/Reshape/shape']),
('gradients_1/Sum_grad/Reshape/shape', 'Const', []),
('gradients_1/Sum_grad/Tile', 'Tile', ['gradients_1/Sum_grad/Reshape', 'gradients_1/Sum_grad/Const']),
('gradients_1/Switch', 'Switch', ['gradients_1/Merge', 'while/LoopCond']),
('gradients_1/Switch_1', 'Switch', ['gradients_1/Merge_1', 'gradients_1/b_count_2']),
('gradients_1/b_count', 'Const', []),
('gradients_1/b_count_1', 'Enter', ['gradients_1/f_count_2']),
('gradients_1/b_count_2', 'LoopCond', ['gradients_1/GreaterEqual']),
('gradients_1/b_count_3', 'Exit', ['gradients_1/Switch_1']),
('gradients_1/f_count', 'Const', []),
('gradients_1/f_count_1', 'Enter', ['gradients_1/f_count']),
('gradients_1/f_count_2', 'Exit', ['gradients_1/Switch']),
('gradients_1/grad_ys_0', 'Fill', ['gradients_1/Shape', 'gradients_1/grad_ys_0/Const']),
('gradients_1/grad_ys_0/Const', 'Const', []),
('gradients_1/loss_grad/tuple/control_dependency', 'Identity', ['gradients_1/grad_ys_0', '^gradients_1/loss_grad/tuple/group_deps']),
('gradients_1/loss_grad/tuple/control_dependency_1', 'Identity', ['gradients_1/grad_ys_0', '^gradients_1/loss_grad/tuple/group_deps']),
('gradients_1/loss_grad/tuple/group_deps', 'NoOp', ['^gradients_1/grad_ys_0']),
('gradients_1/while/Enter_1_grad/Exit', 'Exit', ['gradients_1/while/Merge_1_grad/tuple/control_dependency']),
('gradients_1/while/Enter_2_grad/Exit', 'Exit', ['gradients_1/while/Merge_2_grad/tuple/control_dependency']),
('gradients_1/while/Enter_3_grad/Exit', 'Exit', ['gradients_1/while/Merge_3_grad/tuple/control_dependency']),
('gradients_1/while/Exit_1_grad/b_exit', 'Enter', ['gradients_1/zeros']),
('gradients_1/while/Exit_2_grad/b_exit', 'Enter', ['gradients_1/Sum_grad/Tile']),
('gradients_1/while/Exit_3_grad/b_exit', 'Enter', ['gradients_1/Sum_1_grad/Tile']),
('gradients_1/while/Merge_1_grad/Switch', 'Switch', ['gradients_1/while/Switch_1_grad/b_switch', 'gradients_1/b_count_2']),
('gradients_1/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients_1/while/Merge_1_grad/Switch', '^gradients_1/while/Merge_1_grad/tuple/group_deps']),
('gradients_1/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients_1/while/Merge_1_grad/Switch:1', '^gradients_1/while/Merge_1_grad/tuple/group_deps']),
('gradients_1/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients_1/while/Merge_1_grad/Switch']),
('gradients_1/while/Merge_2_grad/Switch', 'Switch', ['gradients_1/while/Switch_2_grad/b_switch', 'gradients_1/b_count_2']),
('gradients_1/while/Merge_2_grad/tuple/control_dependency', 'Identity', ['gradients_1/while/Merge_2_grad/Switch', '^gradients_1/while/Merge_2_grad/tuple/group_deps']),
('gradients_1/while/Merge_2_grad/tuple/control_dependency_1', 'Identity', ['gradients_1/while/Merge_2_grad/Switch:1', '^gradients_1/while/Merge_2_grad/tuple/group_deps']),
('gradients_1/while/Merge_2_grad/tuple/group_deps', 'NoOp', ['^gradients_1/while/Merge_2_grad/Switch']),
('gradients_1/while/Merge_3_grad/Switch', 'Switch', ['gradients_1/while/Switch_3_grad/b_switch', 'gradients_1/b_count_2']),
('gradients_1/while/Merge_3_grad/tuple/control_dependency', 'Identity', ['gradients_1/while/Merge_3_grad/Switch', '^gradients_1/while/Merge_3_grad/tuple/group_deps']),
('gradients_1/while/Merge_3_grad/tuple/control_dependency_1', 'Identity', ['gradients_1/while/Merge_3_grad/Switch:1', '^gradients_1/while/Merge_3_grad/tuple/group_deps']),
('gradients_1/while/Merge_3_grad/tuple/group_deps', 'NoOp', ['^gradients_1/while/Merge_3_grad/Switch']),
('gradients_1/while/Switch_1_grad/b_switch', 'Merge', ['gradients_1/while/Exit_1_grad/b_exit', 'gradients_1/while/Switch_1_grad_1/NextIteration']),
('gradients_1/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients_1/AddN']),
('gradients_1/while/Switch_2_grad/b_switch', 'Merge', ['gradients_1/while/Exit_2_grad/b_exit', 'gradients_1/while/Switch_2_grad_1/NextIteration']),
('gradients_1/while/Switch_2_grad_1/NextIteration', 'NextIteration', ['gradients_1/while/add_1_grad/tuple/control_dependency']),
('gradients_1/while/Switch_3_grad/b_switch', 'Merge', ['gradients_1/while/Exit_3_grad/b_exit', 'NextIteration_1']),
('gradients_1/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients_1/while/Tanh_grad/TanhGrad/StackPopV2', 'gradients_1/while/Merge_2_grad/tuple/control_dependency_1']),
('gradients_1/while/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients_1/while/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients_1/while/Tanh_grad/TanhGrad/f_acc']),
('gradients_1/while/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients_1/while/Tanh_grad/TanhGrad/StackPopV2/Enter', '^gradients_1/Sub']),
('gradients_1/while/Tanh_grad/TanhGrad/StackPopV2/Enter', 'Enter', ['gradients_1/while/Tanh_grad/TanhGrad/f_acc']),
('gradients_1/while/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients_1/while/Tanh_grad/TanhGrad/Enter', 'while/Tanh', '^gradients_1/Add']),
('gradients_1/while/Tanh_grad/TanhGrad/b_sync', 'ControlTrigger', ['^gradients_1/while/Tanh_grad/TanhGrad/StackPopV2', '^gradients_1/while/mul_1_grad/Mul/StackPopV2', '^gradients_1/while/mul_grad/Mul/StackPopV2', '^gradients_1/while/mul_grad/Mul_1/StackPopV2']),
('gradients_1/while/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients_1/while/Tanh_grad/TanhGrad/Const']),
('gradients_1/while/add_1_grad/tuple/control_dependency', 'Identity', ['gradients_1/while/Tanh_grad/TanhGrad', '^gradients_1/while/add_1_grad/tuple/group_deps']),
('gradients_1/while/add_1_grad/tuple/control_dependency_1', 'Identity', ['gradients_1/while/Tanh_grad/TanhGrad', '^gradients_1/while/add_1_grad/tuple/group_deps']),
('gradients_1/while/add_1_grad/tuple/group_deps', 'NoOp', ['^gradients_1/while/Tanh_grad/TanhGrad']),
('gradients_1/while/mul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients_1/while/mul/ReadVariableOp/Enter_grad/Switch:1', 'gradients_1/AddN_1']),
('gradients_1/while/mul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients_1/while/mul/ReadVariableOp/Enter_grad/Add']),
('gradients_1/while/mul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients_1/b_count_2']),
('gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc']),
('gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients_1/while/mul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients_1/while/mul/ReadVariableOp/Enter_grad/Switch']),
('gradients_1/while/mul_1_grad/Mul', 'Mul', ['gradients_1/while/Merge_3_grad/tuple/control_dependency_1', 'gradients_1/while/mul_1_grad/Mul/StackPopV2']),
('gradients_1/while/mul_1_grad/Mul/Const', 'Const', []),
('gradients_1/while/mul_1_grad/Mul/Enter', 'Enter', ['gradients_1/while/mul_1_grad/Mul/f_acc']),
('gradients_1/while/mul_1_grad/Mul/StackPopV2', 'StackPopV2', ['gradients_1/while/mul_1_grad/Mul/StackPopV2/Enter', '^gradients_1/Sub']),
('gradients_1/while/mul_1_grad/Mul/StackPopV2/Enter', 'Enter', ['gradients_1/while/mul_1_grad/Mul/f_acc']),
('gradients_1/while/mul_1_grad/Mul/StackPushV2', 'StackPushV2', ['gradients_1/while/mul_1_grad/Mul/Enter', 'while/mul_1/ReadVariableOp', '^gradients_1/Add']),
('gradients_1/while/mul_1_grad/Mul/f_acc', 'StackV2', ['gradients_1/while/mul_1_grad/Mul/Const']),
('gradients_1/while/mul_1_grad/Mul_1', 'Mul', ['gradients_1/while/Merge_3_grad/tuple/control_dependency_1', 'gradients_1/while/mul_1_grad/Mul_1/Enter']),
('gradients_1/while/mul_1_grad/Mul_1/Enter', 'Enter', ['x']),
('gradients_1/while/mul_1_grad/tuple/control_dependency', 'Identity', ['gradients_1/while/mul_1_grad/Mul', '^gradients_1/while/mul_1_grad/tuple/group_deps']),
('gradients_1/while/mul_1_grad/tuple/control_dependency_1', 'Identity', ['gradients_1/while/mul_1_grad/Mul_1', '^gradients_1/while/mul_1_grad/tuple/group_deps']),
('gradients_1/while/mul_1_grad/tuple/group_deps', 'NoOp', ['^gradients_1/while/mul_1_grad/Mul', '^gradients_1/while/mul_1_grad/Mul_1']),
('gradients_1/while/mul_grad/Mul', 'Mul', ['gradients_1/while/Merge_1_grad/tuple/control_dependency_1', 'gradients_1/while/mul_grad/Mul/StackPopV2']),
('gradients_1/while/mul_grad/Mul/Const', 'Const', []),
('gradients_1/while/mul_grad/Mul/Enter', 'Enter', ['gradients_1/while/mul_grad/Mul/f_acc']),
('gradients_1/while/mul_grad/Mul/StackPopV2', 'StackPopV2', ['gradients_1/while/mul_grad/Mul/StackPopV2/Enter', '^gradients_1/Sub']),
('gradients_1/while/mul_grad/Mul/StackPopV2/Enter', 'Enter', ['gradients_1/while/mul_grad/Mul/f_acc']),
('gradients_1/while/mul_grad/Mul/StackPushV2', 'StackPushV2', ['gradients_1/while/mul_grad/Mul/Enter', 'while/mul/ReadVariableOp', '^gradients_1/Add']),
('gradients_1/while/mul_grad/Mul/f_acc', 'StackV2', ['gradients_1/while/mul_grad/Mul/Const']),
('gradients_1/while/mul_grad/Mul_1', 'Mul', ['gradients_1/while/Merge_1_grad/tuple/control_dependency_1', 'gradients_1/while/mul_grad/Mul_1/StackPopV2']),
('gradients_1/while/mul_grad/Mul_1/Const', 'Const', []),
('gradients_1/while/mul_grad/Mul_1/Enter', 'Enter', ['gradients_1/while/mul_grad/Mul_1/f_acc']),
('gradients_1/while/mul_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients_1/while/mul_grad/Mul_1/StackPopV2/Enter', '^gradients_1/Sub']),
('gradients_1/while/mul_grad/Mul_1/StackPopV2/Enter', 'Enter', ['gradients_1/while/mul_grad/Mul_1/f_acc']),
('gradients_1/while/mul_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients_1/while/mul_grad/Mul_1/Enter', 'while/Identity_1', '^gradients_1/Add']),
('gradients_1/while/mul_grad/Mul_1/f_acc', 'StackV2', ['gradients_1/while/mul_grad/Mul_1/Const']),
('gradients_1/while/mul_grad/tuple/control_dependency', 'Identity', ['gradients_1/while/mul_grad/Mul', '^gradients_1/while/mul_grad/tuple/group_deps']),
('gradients_1/while/mul_grad/tuple/control_dependency_1', 'Identity', ['gradients_1/while/mul_grad/Mul_1', '^gradients_1/while/mul_grad/tuple/group_deps']),
('gradients_1/while/mul_grad/tuple/group_deps', 'NoOp', ['^gradients_1/while/mul_grad/Mul', '^gradients_1/while/mul_grad/Mul_1']),
('gradients_1/zeros', 'Const', []),
('train', 'NoOp', ['^train/update_w/ResourceApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_w/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['w', 'train/learning_rate', 'gradients_1/while/mul/ReadVariableOp/Enter_grad/b_acc_3']),
]


def test_unused_exits_and_loop_variables_that_ignore_themselves_get_tfs_zeros(spec_file):
    path = spec_file(UNUSED_EXIT)
    graph = Pipeline(path).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_UNUSED_EXIT_NODES)
    # TF's PostProcessing nodes, outside the gradients scope (TF names them Const_3 and
    # NextIteration: its reductions' axes took Const_1 and Const_2, idrun's are Sum/Const)
    assert tf_style(graph, "NextIteration") == ("NextIteration", "NextIteration", ["Const"])
    assert tf_style(graph, "Const") == ("Const", "Const", ["^gradients/Sub"])
    assert tf_style(graph, "NextIteration_1") == ("NextIteration_1", "NextIteration", ["Const_1"])
    # TF: sess.run([loss, g1[0], train]) x4; numpy's tanh and Eigen's differ by an ulp or so,
    # which the three iterations carry into w's gradient
    result = run_spec(path)
    assert values(result, "loss") == pytest.approx([1.2003685235977173, 1.169252872467041, 1.1378737688064575,
                                                    1.1036500930786133], rel=3e-7)
    tf_dw = [[0.5135616660118103, 0.2297336459159851], [0.5429324507713318, 0.1176101565361023],
             [0.5744438767433167, 0.06041914224624634], [0.6072741150856018, 0.03121727705001831]]
    np.testing.assert_allclose(values(result, "dw"), tf_dw, rtol=2e-6, atol=5e-7)


def test_maximum_iterations_trains_with_tfs_values(spec_file):
    # UNUSED_EXIT with maximum_iterations=2 (TF's iteration_counter loop variable, and-ed into the
    # predicate): the same program with `maximum_iterations=2`, sess.run([loss, g1[0], train]) x4;
    # Eigen's tanh and numpy's round apart by an ulp, which the losses summing to near 0 magnify
    path = spec_file(UNUSED_EXIT.replace("    outputs: [i, a, c, d]\n",
                                         "    outputs: [i, a, c, d]\n    maximum_iterations: 2\n"))
    result = run_spec(path)
    assert values(result, "loss") == pytest.approx([0.5107423067092896, -0.06168249249458313,
                                                    -0.36330682039260864, -0.5452365279197693], rel=3e-7, abs=1e-7)
    tf_dw = [[0.4025534391403198, 2.5357275009155273], [0.41066253185272217, 1.8151459693908691],
             [0.4195516109466553, 1.346423864364624], [0.4293168783187866, 1.1067204475402832]]
    np.testing.assert_allclose(values(result, "dw"), tf_dw, rtol=3e-7, atol=3e-7)


NESTED = """
expand: true
nodes:
  - {name: w, op: variable, value: [0.9, -0.6]}
  - {name: a0, op: const, value: [1.0, 2.0]}
  - {name: i0, op: const, value: 0}
  - while_loop: [i0, a0]
    outputs: [i, a]
    cond: {args: [i, a], nodes: [{name: Less, op: less, inputs: [i, 3]}], return: Less}
    body:
      args: [i, a]
      nodes:
        - {name: add, op: add, inputs: [i, 1]}
        - {name: j0, op: const, value: 0}
        - while_loop: [j0, a]
          name: inner
          outputs: [j, b]
          cond: {args: [j, b], nodes: [{name: Less, op: less, inputs: [j, 2]}], return: Less}
          body: {args: [j, b], nodes: [{name: add, op: add, inputs: [j, 1]}, {name: mul, op: mul, inputs: [b, w]}], return: [add, mul]}
      return: [add, b]
  - {name: loss, op: reduce_sum, inputs: [a]}
  - minimize: loss
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [GradientDescent], steps: 2}
"""


def test_a_loop_inside_a_loop_on_the_path_stays_a_located_error(spec_file):
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(NESTED)).spec
    assert err.value.message.startswith("gradients through a while_loop inside a cond or another while_loop "
                                        "are not supported yet: 'while/inner/")
    assert err.value.loc.line == 22   # the minimize entry


TENSOR_ARRAY_NAMED = """
expand: true
nodes:
  - {name: w, op: variable, value: [[0.9, -0.6]]}
  - {name: ta, op: tensor_array_v3, inputs: [2], dtype: float32, element_shape: [1, 2]}
  - {name: idx, op: const, value: [0, 1]}
  - {name: t0, op: const, value: 0}
  - while_loop: [t0, "ta:1"]
    outputs: [t, flow]
    cond: {args: [t, f], nodes: [{name: Less, op: less, inputs: [t, 2]}], return: Less}
    body:
      args: [t, f]
      nodes:
        - {name: add, op: add, inputs: [t, 1]}
        - {name: sq, op: square, inputs: [w]}
        - {name: wr, op: tensor_array_write_v3, inputs: [ta, t, sq, f]}
      return: [add, wr]
  - {name: st, op: tensor_array_gather_v3, inputs: [ta, idx, flow], dtype: float32, element_shape: [1, 2]}
  - {name: loss, op: reduce_sum, inputs: [st]}
  - gradients: loss
    xs: [w]
    name: mygrads
    outputs: [dw]
run: {fetch: [loss, dw], steps: 1}
"""


def test_a_tensor_array_gradient_under_a_scope_not_named_gradients_is_tfs_error(spec_file):
    # TF: ValueError "Expected op/tensor name to start with gradients (excluding scope)"
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(TENSOR_ARRAY_NAMED)).spec
    assert "a TensorArray's gradient needs a gradients scope whose name starts with 'gradients'" in err.value.message
    assert err.value.loc.line == 20   # the gradients entry


def test_a_tensor_array_written_in_a_loop_gets_each_iterations_gradient(spec_file):
    # each of the 2 iterations writes square(w): d sum / dw = 2 * 2w
    path = spec_file(TENSOR_ARRAY_NAMED.replace("    name: mygrads\n", ""))
    step = run_spec(path).steps[0].values
    np.testing.assert_array_equal(step["dw"], f32([[3.6, -2.4]]))


# TENSOR_ARRAY_RNN with the batch dimension unknown (x: [4, None, 3], h0 a fed [None, 4]
# placeholder, the arrays' element_shape [None, 3] and [None, 4]): TF's gradient then reads
# shapes at run time, each `Shape` made in the forward loop and pushed on a stack
# (`add_grad/BroadcastGradientArgs/StackPushV2`...), the unused exit's zeros a ZerosLike, and each
# input gradient takes its input's static shape (TF's set_shape), so W's accumulators stay Consts.
UNKNOWN_BATCH = (TENSOR_ARRAY_RNN
                 .replace("{name: x, op: placeholder, dtype: float32, shape: [4, 2, 3]}",
                          "{name: x, op: placeholder, dtype: float32, shape: [4, null, 3]}")
                 .replace("  - {name: h0, op: const, value: [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]}",
                          "  - {name: h0, op: placeholder, dtype: float32, shape: [null, 4]}")
                 .replace("element_shape: [2, 3]", "element_shape: [null, 3]")
                 .replace("element_shape: [2, 4]", "element_shape: [null, 4]")
                 .replace("  feed: {x:", "  feed: {h0: [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], x:"))

# TF 2.21's gradients/* and train/* nodes of that program
TF_UNKNOWN_BATCH_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/Merge_2_grad/tuple/control_dependency_1', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/MatMul_1_grad/MatMul/StackPushV2', '^gradients/while/MatMul_1_grad/MatMul_1/StackPushV2', '^gradients/while/MatMul_grad/MatMul/StackPushV2', '^gradients/while/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/Tanh_grad/TanhGrad/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2', '^gradients/while/add_grad/BroadcastGradientArgs/StackPushV2', '^gradients/while/add_grad/BroadcastGradientArgs/StackPushV2_1']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Square_grad/Const', 'Const', ['^gradients/loss_grad/truediv']),
('gradients/Square_grad/Mul', 'Mul', ['sub', 'gradients/Square_grad/Const']),
('gradients/Square_grad/Mul_1', 'Mul', ['gradients/loss_grad/truediv', 'gradients/Square_grad/Mul']),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['output_ta', 'while/Exit_1']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['while/Exit_1', '^gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3', 'TensorArrayScatterV3', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayStack/range', 'gradients/sub_grad/tuple/control_dependency', 'gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow']),
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
('gradients/loss_grad/Const_1', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/loss_grad/truediv', 'RealDiv', ['gradients/loss_grad/Tile', 'gradients/loss_grad/Const_1']),
('gradients/sub_grad/BroadcastGradientArgs', 'BroadcastGradientArgs', ['gradients/sub_grad/Shape', 'gradients/sub_grad/Shape_1']),
('gradients/sub_grad/Neg', 'Neg', ['gradients/Square_grad/Mul_1']),
('gradients/sub_grad/Reshape', 'Reshape', ['gradients/sub_grad/Sum', 'gradients/sub_grad/Shape']),
('gradients/sub_grad/Reshape_1', 'Reshape', ['gradients/sub_grad/Sum_1', 'gradients/sub_grad/Shape_1']),
('gradients/sub_grad/Shape', 'Shape', ['TensorArrayStack/TensorArrayGatherV3']),
('gradients/sub_grad/Shape_1', 'Const', []),
('gradients/sub_grad/Sum', 'Sum', ['gradients/Square_grad/Mul_1', 'gradients/sub_grad/BroadcastGradientArgs']),
('gradients/sub_grad/Sum_1', 'Sum', ['gradients/sub_grad/Neg', 'gradients/sub_grad/BroadcastGradientArgs:1']),
('gradients/sub_grad/tuple/control_dependency', 'Identity', ['gradients/sub_grad/Reshape', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/control_dependency_1', 'Identity', ['gradients/sub_grad/Reshape_1', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/group_deps', 'NoOp', ['^gradients/sub_grad/Reshape', '^gradients/sub_grad/Reshape_1']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/tuple/control_dependency']),
('gradients/while/Enter_2_grad/Exit', 'Exit', ['gradients/while/Merge_2_grad/tuple/control_dependency']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3']),
('gradients/while/Exit_2_grad/b_exit', 'Enter', ['gradients/zeros_like']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_grad/tuple/control_dependency_1']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_1_grad/tuple/control_dependency_1']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul_1/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul_1/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_1_grad/MatMul', 'MatMul', ['gradients/while/add_grad/tuple/control_dependency_1', 'gradients/while/MatMul_1_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_1_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_1_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul/f_acc']),
('gradients/while/MatMul_1_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_1_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_1_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul/f_acc']),
('gradients/while/MatMul_1_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_1_grad/MatMul/Enter', 'while/MatMul_1/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_1_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_1_grad/MatMul/Const']),
('gradients/while/MatMul_1_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_1_grad/MatMul_1/StackPopV2', 'gradients/while/add_grad/tuple/control_dependency_1']),
('gradients/while/MatMul_1_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_1_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_1_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_1_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_1_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_1_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_1_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_1_grad/MatMul_1/Enter', 'while/Identity_2', '^gradients/Add']),
('gradients/while/MatMul_1_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_1_grad/MatMul_1/Const']),
('gradients/while/MatMul_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/MatMul_1_grad/MatMul', '^gradients/while/MatMul_1_grad/tuple/group_deps']),
('gradients/while/MatMul_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/MatMul_1_grad/MatMul_1', '^gradients/while/MatMul_1_grad/tuple/group_deps']),
('gradients/while/MatMul_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/MatMul_1_grad/MatMul', '^gradients/while/MatMul_1_grad/MatMul_1']),
('gradients/while/MatMul_grad/MatMul', 'MatMul', ['gradients/while/add_grad/tuple/control_dependency', 'gradients/while/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul/Enter', 'while/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul/Const']),
('gradients/while/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/add_grad/tuple/control_dependency']),
('gradients/while/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul_1/Enter', 'while/TensorArrayReadV3', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul_1/Const']),
('gradients/while/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/MatMul_grad/MatMul_1', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/MatMul_1']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/Switch', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/Switch:1', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/Switch']),
('gradients/while/Merge_2_grad/Switch', 'Switch', ['gradients/while/Switch_2_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_2_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_2_grad/Switch', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_2_grad/Switch:1', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_2_grad/Switch']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1']),
('gradients/while/Switch_2_grad/b_switch', 'Merge', ['gradients/while/Exit_2_grad/b_exit', 'gradients/while/Switch_2_grad_1/NextIteration']),
('gradients/while/Switch_2_grad_1/NextIteration', 'NextIteration', ['gradients/while/MatMul_1_grad/tuple/control_dependency']),
('gradients/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'gradients/AddN']),
('gradients/while/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/Tanh_grad/TanhGrad/Enter', 'while/Tanh', '^gradients/Add']),
('gradients/while/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/Tanh_grad/TanhGrad/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'Enter', ['output_ta']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', 'TensorArrayReadV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'while/Identity', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'while/TensorArrayWrite/TensorArrayWriteV3', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync', 'ControlTrigger', ['^gradients/while/MatMul_1_grad/MatMul/StackPopV2', '^gradients/while/MatMul_1_grad/MatMul_1/StackPopV2', '^gradients/while/MatMul_grad/MatMul/StackPopV2', '^gradients/while/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/Tanh_grad/TanhGrad/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2', '^gradients/while/add_grad/BroadcastGradientArgs/StackPopV2', '^gradients/while/add_grad/BroadcastGradientArgs/StackPopV2_1']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps', 'NoOp', ['^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', 'Identity', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/add_1_grad/tuple/control_dependency_1']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Add']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/add_1/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/add_1/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/add_1_grad/Reshape', 'Reshape', ['gradients/while/add_1_grad/Sum', 'gradients/while/add_1_grad/Shape_1']),
('gradients/while/add_1_grad/Shape', 'Shape', ['while/add']),
('gradients/while/add_1_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/Sum', 'Sum', ['gradients/while/Tanh_grad/TanhGrad', 'gradients/while/add_1_grad/Sum/reduction_indices']),
('gradients/while/add_1_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/add_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Tanh_grad/TanhGrad', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/add_1_grad/Reshape', '^gradients/while/add_1_grad/tuple/group_deps']),
('gradients/while/add_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Tanh_grad/TanhGrad', '^gradients/while/add_1_grad/Reshape']),
('gradients/while/add_grad/BroadcastGradientArgs', 'BroadcastGradientArgs', ['gradients/while/add_grad/BroadcastGradientArgs/StackPopV2', 'gradients/while/add_grad/BroadcastGradientArgs/StackPopV2_1']),
('gradients/while/add_grad/BroadcastGradientArgs/Const', 'Const', []),
('gradients/while/add_grad/BroadcastGradientArgs/Const_1', 'Const', []),
('gradients/while/add_grad/BroadcastGradientArgs/Enter', 'Enter', ['gradients/while/add_grad/BroadcastGradientArgs/f_acc']),
('gradients/while/add_grad/BroadcastGradientArgs/Enter_1', 'Enter', ['gradients/while/add_grad/BroadcastGradientArgs/f_acc_1']),
('gradients/while/add_grad/BroadcastGradientArgs/StackPopV2', 'StackPopV2', ['gradients/while/add_grad/BroadcastGradientArgs/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/add_grad/BroadcastGradientArgs/StackPopV2/Enter', 'Enter', ['gradients/while/add_grad/BroadcastGradientArgs/f_acc']),
('gradients/while/add_grad/BroadcastGradientArgs/StackPopV2_1', 'StackPopV2', ['gradients/while/add_grad/BroadcastGradientArgs/StackPopV2_1/Enter', '^gradients/Sub']),
('gradients/while/add_grad/BroadcastGradientArgs/StackPopV2_1/Enter', 'Enter', ['gradients/while/add_grad/BroadcastGradientArgs/f_acc_1']),
('gradients/while/add_grad/BroadcastGradientArgs/StackPushV2', 'StackPushV2', ['gradients/while/add_grad/BroadcastGradientArgs/Enter', 'gradients/while/add_grad/Shape', '^gradients/Add']),
('gradients/while/add_grad/BroadcastGradientArgs/StackPushV2_1', 'StackPushV2', ['gradients/while/add_grad/BroadcastGradientArgs/Enter_1', 'gradients/while/add_grad/Shape_1', '^gradients/Add']),
('gradients/while/add_grad/BroadcastGradientArgs/f_acc', 'StackV2', ['gradients/while/add_grad/BroadcastGradientArgs/Const']),
('gradients/while/add_grad/BroadcastGradientArgs/f_acc_1', 'StackV2', ['gradients/while/add_grad/BroadcastGradientArgs/Const_1']),
('gradients/while/add_grad/Reshape', 'Reshape', ['gradients/while/add_grad/Sum', 'gradients/while/add_grad/BroadcastGradientArgs/StackPopV2']),
('gradients/while/add_grad/Reshape_1', 'Reshape', ['gradients/while/add_grad/Sum_1', 'gradients/while/add_grad/BroadcastGradientArgs/StackPopV2_1']),
('gradients/while/add_grad/Shape', 'Shape', ['while/MatMul']),
('gradients/while/add_grad/Shape_1', 'Shape', ['while/MatMul_1']),
('gradients/while/add_grad/Sum', 'Sum', ['gradients/while/add_1_grad/tuple/control_dependency', 'gradients/while/add_grad/BroadcastGradientArgs']),
('gradients/while/add_grad/Sum_1', 'Sum', ['gradients/while/add_1_grad/tuple/control_dependency', 'gradients/while/add_grad/BroadcastGradientArgs:1']),
('gradients/while/add_grad/tuple/control_dependency', 'Identity', ['gradients/while/add_grad/Reshape', '^gradients/while/add_grad/tuple/group_deps']),
('gradients/while/add_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/add_grad/Reshape_1', '^gradients/while/add_grad/tuple/group_deps']),
('gradients/while/add_grad/tuple/group_deps', 'NoOp', ['^gradients/while/add_grad/Reshape', '^gradients/while/add_grad/Reshape_1']),
('gradients/zeros_like', 'ZerosLike', ['while/Exit_2']),
('train', 'NoOp', ['^train/update_Wh/ResourceApplyGradientDescent', '^train/update_Wx/ResourceApplyGradientDescent', '^train/update_b/ResourceApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_Wh/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['Wh', 'train/learning_rate', 'gradients/while/MatMul_1/ReadVariableOp/Enter_grad/b_acc_3']),
('train/update_Wx/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['Wx', 'train/learning_rate', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3']),
('train/update_b/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['b', 'train/learning_rate', 'gradients/while/add_1/ReadVariableOp/Enter_grad/b_acc_3']),
]


def test_an_unknown_batch_pushes_shapes_as_tf_does(spec_file):
    path = spec_file(UNKNOWN_BATCH)
    graph = Pipeline(path).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_UNKNOWN_BATCH_NODES)
    # TF: the same losses as with the known batch
    assert values(run_spec(path), "loss") == pytest.approx([0.15566689, 0.082400344, 0.03952771, 0.019814732,
                                                            0.011087837], rel=3e-7)


def test_a_loop_gradient_across_two_devices_moves_stack_handles_as_tf_does(spec_file):
    # Wx on a (simulated) GPU: its reads, their stacks and pushes go there, the stack handles
    # cross devices as TF's (host-memory) resource handles do; the losses stay TF's
    text = (TENSOR_ARRAY_RNN.replace("  - {name: Wx, op: variable,", '  - {name: Wx, op: variable, device: "/gpu:0",'))
    assert '"/gpu:0"' in text
    got = values(run_spec(spec_file(text)), "loss")
    assert got == pytest.approx([0.15566689, 0.082400344, 0.03952771, 0.019814732, 0.011087837], rel=3e-7)


# BasicRNNCell itself: tanh(bias_add(concat([x_t, h], 1) @ kernel, b)), kernel [7, 4] =
# linspace(-0.5, 0.5, 28); TF duplicates the concat's constant axis in the backprop loop
# (`concat_grad/Const`, array_grad.py) instead of entering it.
BASIC_RNN_CELL = (TENSOR_ARRAY_RNN
                  .replace("""        - {name: MatMul, op: matmul, inputs: [TensorArrayReadV3, Wx]}
        - {name: MatMul_1, op: matmul, inputs: [h, Wh]}
        - {name: add, op: add, inputs: [MatMul, MatMul_1]}
        - {name: add_1, op: add, inputs: [add, b]}
        - {name: Tanh, op: tanh, inputs: [add_1]}
        - {name: add_2, op: add, inputs: [t, 1]}""", """        - {name: concat, op: concat, inputs: [TensorArrayReadV3, h], axis: 1}
        - {name: MatMul, op: matmul, inputs: [concat, kernel]}
        - {name: BiasAdd, op: bias_add, inputs: [MatMul, b]}
        - {name: Tanh, op: tanh, inputs: [BiasAdd]}
        - {name: add, op: add, inputs: [t, 1]}""")
                  .replace("return: [add_2, TensorArrayWrite", "return: [add, TensorArrayWrite"))
BASIC_RNN_CELL = "\n".join(
    "  - {name: kernel, op: variable, value: [[-0.5, -0.46296295523643494, -0.42592594027519226, -0.3888888955116272], [-0.35185185074806213, -0.31481480598449707, -0.2777777910232544, -0.24074074625968933], [-0.20370370149612427, -0.1666666716337204, -0.12962962687015533, -0.09259258955717087], [-0.0555555559694767, -0.018518518656492233, 0.018518518656492233, 0.0555555559694767], [0.09259258955717087, 0.12962962687015533, 0.1666666716337204, 0.20370370149612427], [0.24074074625968933, 0.2777777910232544, 0.31481480598449707, 0.35185185074806213], [0.3888888955116272, 0.42592594027519226, 0.46296295523643494, 0.5]]}"
    if line.startswith("  - {name: Wx,") else line
    for line in BASIC_RNN_CELL.splitlines() if not line.startswith("  - {name: Wh,"))

# TF 2.21's gradients/* and train/* nodes of that program (tf.nn.bias_add, tf.concat)
TF_BASIC_RNN_CELL_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/Merge_2_grad/tuple/control_dependency_1', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/MatMul_grad/MatMul/StackPushV2', '^gradients/while/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/Tanh_grad/TanhGrad/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Square_grad/Const', 'Const', ['^gradients/loss_grad/truediv']),
('gradients/Square_grad/Mul', 'Mul', ['sub', 'gradients/Square_grad/Const']),
('gradients/Square_grad/Mul_1', 'Mul', ['gradients/loss_grad/truediv', 'gradients/Square_grad/Mul']),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['output_ta', 'while/Exit_1']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['while/Exit_1', '^gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3', 'TensorArrayScatterV3', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayStack/range', 'gradients/sub_grad/tuple/control_dependency', 'gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow']),
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
('gradients/loss_grad/Const_1', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/loss_grad/truediv', 'RealDiv', ['gradients/loss_grad/Tile', 'gradients/loss_grad/Const_1']),
('gradients/sub_grad/Neg', 'Neg', ['gradients/Square_grad/Mul_1']),
('gradients/sub_grad/tuple/control_dependency', 'Identity', ['gradients/Square_grad/Mul_1', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/control_dependency_1', 'Identity', ['gradients/sub_grad/Neg', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/group_deps', 'NoOp', ['^gradients/Square_grad/Mul_1', '^gradients/sub_grad/Neg']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/BiasAdd_grad/tuple/control_dependency_1']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Add']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/BiasAdd/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/BiasAdd_grad/BiasAddGrad', 'BiasAddGrad', ['gradients/while/Tanh_grad/TanhGrad']),
('gradients/while/BiasAdd_grad/tuple/control_dependency', 'Identity', ['gradients/while/Tanh_grad/TanhGrad', '^gradients/while/BiasAdd_grad/tuple/group_deps']),
('gradients/while/BiasAdd_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/BiasAdd_grad/BiasAddGrad', '^gradients/while/BiasAdd_grad/tuple/group_deps']),
('gradients/while/BiasAdd_grad/tuple/group_deps', 'NoOp', ['^gradients/while/BiasAdd_grad/BiasAddGrad', '^gradients/while/Tanh_grad/TanhGrad']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/tuple/control_dependency']),
('gradients/while/Enter_2_grad/Exit', 'Exit', ['gradients/while/Merge_2_grad/tuple/control_dependency']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3']),
('gradients/while/Exit_2_grad/b_exit', 'Enter', ['gradients/zeros']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_grad/tuple/control_dependency_1']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_grad/MatMul', 'MatMul', ['gradients/while/BiasAdd_grad/tuple/control_dependency', 'gradients/while/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul/Enter', 'while/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul/Const']),
('gradients/while/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/BiasAdd_grad/tuple/control_dependency']),
('gradients/while/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul_1/Enter', 'while/concat', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul_1/Const']),
('gradients/while/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/MatMul_grad/MatMul_1', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/MatMul_1']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/Switch', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/Switch:1', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/Switch']),
('gradients/while/Merge_2_grad/Switch', 'Switch', ['gradients/while/Switch_2_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_2_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_2_grad/Switch', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_2_grad/Switch:1', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_2_grad/Switch']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1']),
('gradients/while/Switch_2_grad/b_switch', 'Merge', ['gradients/while/Exit_2_grad/b_exit', 'gradients/while/Switch_2_grad_1/NextIteration']),
('gradients/while/Switch_2_grad_1/NextIteration', 'NextIteration', ['gradients/while/concat_grad/tuple/control_dependency_1']),
('gradients/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'gradients/AddN']),
('gradients/while/Tanh_grad/TanhGrad/Const', 'Const', []),
('gradients/while/Tanh_grad/TanhGrad/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2', 'StackPopV2', ['gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Tanh_grad/TanhGrad/StackPopV2/Enter', 'Enter', ['gradients/while/Tanh_grad/TanhGrad/f_acc']),
('gradients/while/Tanh_grad/TanhGrad/StackPushV2', 'StackPushV2', ['gradients/while/Tanh_grad/TanhGrad/Enter', 'while/Tanh', '^gradients/Add']),
('gradients/while/Tanh_grad/TanhGrad/f_acc', 'StackV2', ['gradients/while/Tanh_grad/TanhGrad/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'Enter', ['output_ta']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', 'TensorArrayReadV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'while/Identity', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'while/TensorArrayWrite/TensorArrayWriteV3', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync', 'ControlTrigger', ['^gradients/while/MatMul_grad/MatMul/StackPopV2', '^gradients/while/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/Tanh_grad/TanhGrad/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps', 'NoOp', ['^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', 'Identity', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out']),
('gradients/while/concat_grad/ConcatOffset', 'ConcatOffset', ['gradients/while/concat_grad/mod', 'gradients/while/concat_grad/Shape', 'gradients/while/concat_grad/Shape_1']),
('gradients/while/concat_grad/Const', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Rank', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Slice', 'Slice', ['gradients/while/MatMul_grad/tuple/control_dependency', 'gradients/while/concat_grad/ConcatOffset', 'gradients/while/concat_grad/Shape']),
('gradients/while/concat_grad/Slice_1', 'Slice', ['gradients/while/MatMul_grad/tuple/control_dependency', 'gradients/while/concat_grad/ConcatOffset:1', 'gradients/while/concat_grad/Shape_1']),
('gradients/while/concat_grad/mod', 'FloorMod', ['gradients/while/concat_grad/Const', 'gradients/while/concat_grad/Rank']),
('gradients/while/concat_grad/tuple/control_dependency', 'Identity', ['gradients/while/concat_grad/Slice', '^gradients/while/concat_grad/tuple/group_deps']),
('gradients/while/concat_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/concat_grad/Slice_1', '^gradients/while/concat_grad/tuple/group_deps']),
('gradients/while/concat_grad/tuple/group_deps', 'NoOp', ['^gradients/while/concat_grad/Slice', '^gradients/while/concat_grad/Slice_1']),
('gradients/zeros', 'Const', []),
('train', 'NoOp', ['^train/update_b/ResourceApplyGradientDescent', '^train/update_kernel/ResourceApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_b/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['b', 'train/learning_rate', 'gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_3']),
('train/update_kernel/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['kernel', 'train/learning_rate', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3']),
]


def test_a_basic_rnn_cell_loop_builds_tfs_gradient_graph_and_trains(spec_file):
    path = spec_file(BASIC_RNN_CELL)
    graph = Pipeline(path).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_BASIC_RNN_CELL_NODES)
    # TF: sess.run([loss, train]) x5
    assert values(run_spec(path), "loss") == pytest.approx([0.5658626, 0.41791952, 0.27137494, 0.16283679,
                                                            0.09659231], rel=3e-7)


CONCAT_IN_COND = """
expand: true
nodes:
  - {name: p, op: placeholder_with_default, inputs: [true], shape: []}
  - {name: w, op: variable, value: [[1.0, 2.0]]}
  - cond: p
    outputs: [y]
    true_fn: {nodes: [{name: mul, op: mul, inputs: [w, 2.0]}, {name: concat, op: concat, inputs: [w, mul], axis: 1}], return: [concat]}
    false_fn: {nodes: [{name: concat_1, op: concat, inputs: [w, w], axis: 1}], return: [concat_1]}
  - {name: loss, op: reduce_sum, inputs: [y]}
  - gradients: loss
    xs: [w]
    outputs: [dw]
run: {fetch: [dw], steps: 1}
"""


def test_a_concat_axis_made_in_a_cond_branch_is_duplicated_for_its_gradient(spec_file):
    # TF (array_grad.py's _ConcatGradHelper) for the same program: the concat_grad nodes of the
    # true branch are ConcatOffset, Const, Rank, Shape, Shape_1, Slice, Slice_1, mod
    graph = Pipeline(spec_file(CONCAT_IN_COND)).spec.graph
    ours = sorted(n for n in graph.nodes if n.startswith("gradients/cond/concat_grad/"))
    assert [n.rsplit("/", 1)[1] for n in ours] == ["ConcatOffset", "Const", "Rank", "Shape", "Shape_1",
                                                    "Slice", "Slice_1", "mod"]
    assert tf_style(graph, "gradients/cond/concat_grad/mod")[2][0] == "gradients/cond/concat_grad/Const"


# BasicLSTMCell's step over TensorArrays (two state loop variables c and h, a Split into the four
# gates, sigmoids, forget bias 1.0), as rnn_cell_impl.BasicLSTMCell.call writes it:
#   gate_inputs = tf.nn.bias_add(tf.matmul(tf.concat([input_ta.read(t), h], 1), kernel), bias)
#   i, j, f, o = tf.split(value=gate_inputs, num_or_size_splits=4, axis=tf.constant(1))
#   new_c = tf.add(tf.multiply(c, tf.sigmoid(tf.add(f, 1.0))), tf.multiply(tf.sigmoid(i), tf.tanh(j)))
#   new_h = tf.multiply(tf.tanh(new_c), tf.sigmoid(o))
# (kernel [5, 8] = linspace(-0.5, 0.5, 40), bias linspace(-0.1, 0.1, 8), target [4, 2, 2] =
# linspace(-0.5, 0.5, 16), GradientDescentOptimizer(0.5))
BASIC_LSTM = """
expand: true
nodes:
  - {name: x, op: placeholder, dtype: float32, shape: [4, 2, 3]}
  - {name: kernel, op: variable, value: [[-0.5, -0.4743589758872986, -0.44871795177459717, -0.42307692766189575, -0.39743590354919434, -0.3717948794364929, -0.3461538553237915, -0.3205128312110901], [-0.29487180709838867, -0.26923078298568726, -0.24358974397182465, -0.21794871985912323, -0.19230769574642181, -0.1666666716337204, -0.14102564752101898, -0.11538461595773697], [-0.08974359184503555, -0.06410256773233414, -0.03846153989434242, -0.012820512987673283, 0.012820512987673283, 0.03846153989434242, 0.06410256773233414, 0.08974359184503555], [0.11538461595773697, 0.14102564752101898, 0.1666666716337204, 0.19230769574642181, 0.21794871985912323, 0.24358974397182465, 0.26923078298568726, 0.29487180709838867], [0.3205128312110901, 0.3461538553237915, 0.3717948794364929, 0.39743590354919434, 0.42307692766189575, 0.44871795177459717, 0.4743589758872986, 0.5]]}
  - {name: bias, op: variable, value: [-0.10000000149011612, -0.0714285746216774, -0.04285714402794838, -0.014285714365541935, 0.014285714365541935, 0.04285714402794838, 0.0714285746216774, 0.10000000149011612]}
  - {name: c0, op: const, value: [[0.0, 0.0], [0.0, 0.0]]}
  - {name: h0, op: const, value: [[0.0, 0.0], [0.0, 0.0]]}
  - {name: input_ta, op: tensor_array_v3, inputs: [4], dtype: float32, element_shape: [2, 3]}
  - name_scope: TensorArrayUnstack
    nodes:
      - {name: range, op: const, value: [0, 1, 2, 3]}
      - name_scope: TensorArrayScatter
        nodes:
          - {name: TensorArrayScatterV3, op: tensor_array_scatter_v3, inputs: [input_ta, TensorArrayUnstack/range, x, "input_ta:1"]}
  - {name: output_ta, op: tensor_array_v3, inputs: [4], dtype: float32, element_shape: [2, 2]}
  - {name: t0, op: const, value: 0}
  - while_loop: [t0, "output_ta:1", c0, h0]
    outputs: [t, out_flow, c, h]
    cond: {args: [t, flow, c, h], nodes: [{name: Less, op: less, inputs: [t, 4]}], return: [Less]}
    body:
      args: [t, flow, c, h]
      nodes:
        - {name: Const, op: const, value: 1}
        - {name: TensorArrayReadV3, op: tensor_array_read_v3, inputs: [input_ta, t, TensorArrayUnstack/TensorArrayScatter/TensorArrayScatterV3], dtype: float32}
        - {name: concat, op: concat, inputs: [TensorArrayReadV3, h], axis: 1}
        - {name: MatMul, op: matmul, inputs: [concat, kernel]}
        - {name: BiasAdd, op: bias_add, inputs: [MatMul, bias]}
        - {name: split, op: split_even, inputs: [Const, BiasAdd], num_split: 4}
        - {name: Const_1, op: const, value: 1.0}
        - {name: Add, op: add, inputs: ["split:2", Const_1]}
        - {name: Sigmoid, op: sigmoid, inputs: [Add]}
        - {name: Mul, op: mul, inputs: [c, Sigmoid]}
        - {name: Sigmoid_1, op: sigmoid, inputs: ["split:0"]}
        - {name: Tanh, op: tanh, inputs: ["split:1"]}
        - {name: Mul_1, op: mul, inputs: [Sigmoid_1, Tanh]}
        - {name: Add_1, op: add, inputs: [Mul, Mul_1]}
        - {name: Tanh_1, op: tanh, inputs: [Add_1]}
        - {name: Sigmoid_2, op: sigmoid, inputs: ["split:3"]}
        - {name: Mul_2, op: mul, inputs: [Tanh_1, Sigmoid_2]}
        - {name: add_2, op: add, inputs: [t, 1]}
        - name_scope: TensorArrayWrite
          nodes:
            - {name: TensorArrayWriteV3, op: tensor_array_write_v3, inputs: [output_ta, t, Mul_2, flow]}
      return: [add_2, TensorArrayWrite/TensorArrayWriteV3, Add_1, Mul_2]
  - name_scope: TensorArrayStack
    nodes:
      - {name: range, op: const, value: [0, 1, 2, 3]}
      - {name: TensorArrayGatherV3, op: tensor_array_gather_v3, inputs: [output_ta, TensorArrayStack/range, out_flow], dtype: float32, element_shape: [2, 2]}
  - {name: target, op: const, value: [[[-0.5, -0.4333333373069763], [-0.36666667461395264, -0.30000001192092896]], [[-0.23333333432674408, -0.1666666716337204], [-0.10000000149011612, -0.03333333507180214]], [[0.03333333507180214, 0.10000000149011612], [0.1666666716337204, 0.23333333432674408]], [[0.30000001192092896, 0.36666667461395264], [0.4333333373069763, 0.5]]]}
  - {name: sub, op: sub, inputs: [TensorArrayStack/TensorArrayGatherV3, target]}
  - {name: Square, op: square, inputs: [sub]}
  - {name: loss, op: reduce_mean, inputs: [Square]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.5}
run:
  fetch: [loss]
  targets: [train]
  feed: {x: [[[-1.0, -0.9130434989929199, -0.8260869383811951], [-0.739130437374115, -0.6521739363670349, -0.5652173757553101]], [[-0.47826087474823, -0.3913043439388275, -0.30434781312942505], [-0.21739129722118378, -0.1304347813129425, -0.043478261679410934]], [[0.043478261679410934, 0.1304347813129425, 0.21739129722118378], [0.30434781312942505, 0.3913043439388275, 0.47826087474823]], [[0.5652173757553101, 0.6521739363670349, 0.739130437374115], [0.8260869383811951, 0.9130434989929199, 1.0]]]}
  steps: 5
"""

# TF 2.21's gradients/* and train/* nodes of that program
TF_BASIC_LSTM_NODES = [
('gradients/Add', 'AddV2', ['gradients/Switch:1', 'gradients/Add/y']),
('gradients/Add/y', 'Const', ['^while/Identity']),
('gradients/AddN', 'AddN', ['gradients/while/Merge_3_grad/tuple/control_dependency_1', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency']),
('gradients/AddN_1', 'AddN', ['gradients/while/Merge_2_grad/tuple/control_dependency_1', 'gradients/while/Tanh_1_grad/TanhGrad']),
('gradients/GreaterEqual', 'GreaterEqual', ['gradients/Merge_1', 'gradients/GreaterEqual/Enter']),
('gradients/GreaterEqual/Enter', 'Enter', ['gradients/b_count']),
('gradients/Merge', 'Merge', ['gradients/f_count_1', 'gradients/NextIteration']),
('gradients/Merge_1', 'Merge', ['gradients/b_count_1', 'gradients/NextIteration_1']),
('gradients/NextIteration', 'NextIteration', ['gradients/Add', '^gradients/while/MatMul_grad/MatMul/StackPushV2', '^gradients/while/MatMul_grad/MatMul_1/StackPushV2', '^gradients/while/Mul_1_grad/Mul/StackPushV2', '^gradients/while/Mul_1_grad/Mul_1/StackPushV2', '^gradients/while/Mul_2_grad/Mul/StackPushV2', '^gradients/while/Mul_2_grad/Mul_1/StackPushV2', '^gradients/while/Mul_grad/Mul/StackPushV2', '^gradients/while/Mul_grad/Mul_1/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2']),
('gradients/NextIteration_1', 'NextIteration', ['gradients/Sub', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync']),
('gradients/Shape', 'Const', []),
('gradients/Square_grad/Const', 'Const', ['^gradients/loss_grad/truediv']),
('gradients/Square_grad/Mul', 'Mul', ['sub', 'gradients/Square_grad/Const']),
('gradients/Square_grad/Mul_1', 'Mul', ['gradients/loss_grad/truediv', 'gradients/Square_grad/Mul']),
('gradients/Sub', 'Sub', ['gradients/Switch_1:1', 'gradients/GreaterEqual/Enter']),
('gradients/Switch', 'Switch', ['gradients/Merge', 'while/LoopCond']),
('gradients/Switch_1', 'Switch', ['gradients/Merge_1', 'gradients/b_count_2']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['output_ta', 'while/Exit_1']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['while/Exit_1', '^gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3', 'TensorArrayScatterV3', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayStack/range', 'gradients/sub_grad/tuple/control_dependency', 'gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayGrad/gradient_flow']),
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
('gradients/loss_grad/Const_1', 'Const', []),
('gradients/loss_grad/Reshape', 'Reshape', ['gradients/grad_ys_0', 'gradients/loss_grad/Reshape/shape']),
('gradients/loss_grad/Reshape/shape', 'Const', []),
('gradients/loss_grad/Tile', 'Tile', ['gradients/loss_grad/Reshape', 'gradients/loss_grad/Const']),
('gradients/loss_grad/truediv', 'RealDiv', ['gradients/loss_grad/Tile', 'gradients/loss_grad/Const_1']),
('gradients/sub_grad/Neg', 'Neg', ['gradients/Square_grad/Mul_1']),
('gradients/sub_grad/tuple/control_dependency', 'Identity', ['gradients/Square_grad/Mul_1', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/control_dependency_1', 'Identity', ['gradients/sub_grad/Neg', '^gradients/sub_grad/tuple/group_deps']),
('gradients/sub_grad/tuple/group_deps', 'NoOp', ['^gradients/Square_grad/Mul_1', '^gradients/sub_grad/Neg']),
('gradients/while/Add_1_grad/tuple/control_dependency', 'Identity', ['gradients/AddN_1', '^gradients/while/Add_1_grad/tuple/group_deps']),
('gradients/while/Add_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/AddN_1', '^gradients/while/Add_1_grad/tuple/group_deps']),
('gradients/while/Add_1_grad/tuple/group_deps', 'NoOp', ['^gradients/AddN_1']),
('gradients/while/Add_grad/Reshape', 'Reshape', ['gradients/while/Add_grad/Sum', 'gradients/while/Add_grad/Shape_1']),
('gradients/while/Add_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/Add_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/Add_grad/Sum', 'Sum', ['gradients/while/Sigmoid_grad/SigmoidGrad', 'gradients/while/Add_grad/Sum/reduction_indices']),
('gradients/while/Add_grad/Sum/reduction_indices', 'Const', ['^gradients/Sub']),
('gradients/while/Add_grad/tuple/control_dependency', 'Identity', ['gradients/while/Sigmoid_grad/SigmoidGrad', '^gradients/while/Add_grad/tuple/group_deps']),
('gradients/while/Add_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Add_grad/Reshape', '^gradients/while/Add_grad/tuple/group_deps']),
('gradients/while/Add_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Add_grad/Reshape', '^gradients/while/Sigmoid_grad/SigmoidGrad']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/BiasAdd_grad/tuple/control_dependency_1']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Add']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/BiasAdd/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/BiasAdd/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/BiasAdd_grad/BiasAddGrad', 'BiasAddGrad', ['gradients/while/split_grad/concat']),
('gradients/while/BiasAdd_grad/tuple/control_dependency', 'Identity', ['gradients/while/split_grad/concat', '^gradients/while/BiasAdd_grad/tuple/group_deps']),
('gradients/while/BiasAdd_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/BiasAdd_grad/BiasAddGrad', '^gradients/while/BiasAdd_grad/tuple/group_deps']),
('gradients/while/BiasAdd_grad/tuple/group_deps', 'NoOp', ['^gradients/while/BiasAdd_grad/BiasAddGrad', '^gradients/while/split_grad/concat']),
('gradients/while/Enter_1_grad/Exit', 'Exit', ['gradients/while/Merge_1_grad/tuple/control_dependency']),
('gradients/while/Enter_2_grad/Exit', 'Exit', ['gradients/while/Merge_2_grad/tuple/control_dependency']),
('gradients/while/Enter_3_grad/Exit', 'Exit', ['gradients/while/Merge_3_grad/tuple/control_dependency']),
('gradients/while/Exit_1_grad/b_exit', 'Enter', ['gradients/TensorArrayStack/TensorArrayGatherV3_grad/TensorArrayScatter/TensorArrayScatterV3']),
('gradients/while/Exit_2_grad/b_exit', 'Enter', ['gradients/zeros']),
('gradients/while/Exit_3_grad/b_exit', 'Enter', ['gradients/zeros_1']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Add', 'AddV2', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch:1', 'gradients/while/MatMul_grad/tuple/control_dependency_1']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration', 'NextIteration', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Add']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch', 'Switch', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'gradients/b_count_2']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc', 'Const', []),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'Enter', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_2', 'Merge', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_1', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/NextIteration']),
('gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3', 'Exit', ['gradients/while/MatMul/ReadVariableOp/Enter_grad/Switch']),
('gradients/while/MatMul_grad/MatMul', 'MatMul', ['gradients/while/BiasAdd_grad/tuple/control_dependency', 'gradients/while/MatMul_grad/MatMul/StackPopV2']),
('gradients/while/MatMul_grad/MatMul/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul/f_acc']),
('gradients/while/MatMul_grad/MatMul/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul/Enter', 'while/MatMul/ReadVariableOp', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul/Const']),
('gradients/while/MatMul_grad/MatMul_1', 'MatMul', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'gradients/while/BiasAdd_grad/tuple/control_dependency']),
('gradients/while/MatMul_grad/MatMul_1/Const', 'Const', []),
('gradients/while/MatMul_grad/MatMul_1/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2', 'StackPopV2', ['gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/MatMul_grad/MatMul_1/StackPopV2/Enter', 'Enter', ['gradients/while/MatMul_grad/MatMul_1/f_acc']),
('gradients/while/MatMul_grad/MatMul_1/StackPushV2', 'StackPushV2', ['gradients/while/MatMul_grad/MatMul_1/Enter', 'while/concat', '^gradients/Add']),
('gradients/while/MatMul_grad/MatMul_1/f_acc', 'StackV2', ['gradients/while/MatMul_grad/MatMul_1/Const']),
('gradients/while/MatMul_grad/tuple/control_dependency', 'Identity', ['gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/MatMul_grad/MatMul_1', '^gradients/while/MatMul_grad/tuple/group_deps']),
('gradients/while/MatMul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/MatMul_grad/MatMul', '^gradients/while/MatMul_grad/MatMul_1']),
('gradients/while/Merge_1_grad/Switch', 'Switch', ['gradients/while/Switch_1_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_1_grad/Switch', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_1_grad/Switch:1', '^gradients/while/Merge_1_grad/tuple/group_deps']),
('gradients/while/Merge_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_1_grad/Switch']),
('gradients/while/Merge_2_grad/Switch', 'Switch', ['gradients/while/Switch_2_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_2_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_2_grad/Switch', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_2_grad/Switch:1', '^gradients/while/Merge_2_grad/tuple/group_deps']),
('gradients/while/Merge_2_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_2_grad/Switch']),
('gradients/while/Merge_3_grad/Switch', 'Switch', ['gradients/while/Switch_3_grad/b_switch', 'gradients/b_count_2']),
('gradients/while/Merge_3_grad/tuple/control_dependency', 'Identity', ['gradients/while/Merge_3_grad/Switch', '^gradients/while/Merge_3_grad/tuple/group_deps']),
('gradients/while/Merge_3_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Merge_3_grad/Switch:1', '^gradients/while/Merge_3_grad/tuple/group_deps']),
('gradients/while/Merge_3_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Merge_3_grad/Switch']),
('gradients/while/Mul_1_grad/Mul', 'Mul', ['gradients/while/Add_1_grad/tuple/control_dependency_1', 'gradients/while/Mul_1_grad/Mul/StackPopV2']),
('gradients/while/Mul_1_grad/Mul/Const', 'Const', []),
('gradients/while/Mul_1_grad/Mul/Enter', 'Enter', ['gradients/while/Mul_1_grad/Mul/f_acc']),
('gradients/while/Mul_1_grad/Mul/StackPopV2', 'StackPopV2', ['gradients/while/Mul_1_grad/Mul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Mul_1_grad/Mul/StackPopV2/Enter', 'Enter', ['gradients/while/Mul_1_grad/Mul/f_acc']),
('gradients/while/Mul_1_grad/Mul/StackPushV2', 'StackPushV2', ['gradients/while/Mul_1_grad/Mul/Enter', 'while/Tanh', '^gradients/Add']),
('gradients/while/Mul_1_grad/Mul/f_acc', 'StackV2', ['gradients/while/Mul_1_grad/Mul/Const']),
('gradients/while/Mul_1_grad/Mul_1', 'Mul', ['gradients/while/Add_1_grad/tuple/control_dependency_1', 'gradients/while/Mul_1_grad/Mul_1/StackPopV2']),
('gradients/while/Mul_1_grad/Mul_1/Const', 'Const', []),
('gradients/while/Mul_1_grad/Mul_1/Enter', 'Enter', ['gradients/while/Mul_1_grad/Mul_1/f_acc']),
('gradients/while/Mul_1_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients/while/Mul_1_grad/Mul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Mul_1_grad/Mul_1/StackPopV2/Enter', 'Enter', ['gradients/while/Mul_1_grad/Mul_1/f_acc']),
('gradients/while/Mul_1_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients/while/Mul_1_grad/Mul_1/Enter', 'while/Sigmoid_1', '^gradients/Add']),
('gradients/while/Mul_1_grad/Mul_1/f_acc', 'StackV2', ['gradients/while/Mul_1_grad/Mul_1/Const']),
('gradients/while/Mul_1_grad/tuple/control_dependency', 'Identity', ['gradients/while/Mul_1_grad/Mul', '^gradients/while/Mul_1_grad/tuple/group_deps']),
('gradients/while/Mul_1_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Mul_1_grad/Mul_1', '^gradients/while/Mul_1_grad/tuple/group_deps']),
('gradients/while/Mul_1_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Mul_1_grad/Mul', '^gradients/while/Mul_1_grad/Mul_1']),
('gradients/while/Mul_2_grad/Mul', 'Mul', ['gradients/AddN', 'gradients/while/Mul_2_grad/Mul/StackPopV2']),
('gradients/while/Mul_2_grad/Mul/Const', 'Const', []),
('gradients/while/Mul_2_grad/Mul/Enter', 'Enter', ['gradients/while/Mul_2_grad/Mul/f_acc']),
('gradients/while/Mul_2_grad/Mul/StackPopV2', 'StackPopV2', ['gradients/while/Mul_2_grad/Mul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Mul_2_grad/Mul/StackPopV2/Enter', 'Enter', ['gradients/while/Mul_2_grad/Mul/f_acc']),
('gradients/while/Mul_2_grad/Mul/StackPushV2', 'StackPushV2', ['gradients/while/Mul_2_grad/Mul/Enter', 'while/Sigmoid_2', '^gradients/Add']),
('gradients/while/Mul_2_grad/Mul/f_acc', 'StackV2', ['gradients/while/Mul_2_grad/Mul/Const']),
('gradients/while/Mul_2_grad/Mul_1', 'Mul', ['gradients/AddN', 'gradients/while/Mul_2_grad/Mul_1/StackPopV2']),
('gradients/while/Mul_2_grad/Mul_1/Const', 'Const', []),
('gradients/while/Mul_2_grad/Mul_1/Enter', 'Enter', ['gradients/while/Mul_2_grad/Mul_1/f_acc']),
('gradients/while/Mul_2_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients/while/Mul_2_grad/Mul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Mul_2_grad/Mul_1/StackPopV2/Enter', 'Enter', ['gradients/while/Mul_2_grad/Mul_1/f_acc']),
('gradients/while/Mul_2_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients/while/Mul_2_grad/Mul_1/Enter', 'while/Tanh_1', '^gradients/Add']),
('gradients/while/Mul_2_grad/Mul_1/f_acc', 'StackV2', ['gradients/while/Mul_2_grad/Mul_1/Const']),
('gradients/while/Mul_2_grad/tuple/control_dependency', 'Identity', ['gradients/while/Mul_2_grad/Mul', '^gradients/while/Mul_2_grad/tuple/group_deps']),
('gradients/while/Mul_2_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Mul_2_grad/Mul_1', '^gradients/while/Mul_2_grad/tuple/group_deps']),
('gradients/while/Mul_2_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Mul_2_grad/Mul', '^gradients/while/Mul_2_grad/Mul_1']),
('gradients/while/Mul_grad/Mul', 'Mul', ['gradients/while/Add_1_grad/tuple/control_dependency', 'gradients/while/Mul_grad/Mul/StackPopV2']),
('gradients/while/Mul_grad/Mul/Const', 'Const', []),
('gradients/while/Mul_grad/Mul/Enter', 'Enter', ['gradients/while/Mul_grad/Mul/f_acc']),
('gradients/while/Mul_grad/Mul/StackPopV2', 'StackPopV2', ['gradients/while/Mul_grad/Mul/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Mul_grad/Mul/StackPopV2/Enter', 'Enter', ['gradients/while/Mul_grad/Mul/f_acc']),
('gradients/while/Mul_grad/Mul/StackPushV2', 'StackPushV2', ['gradients/while/Mul_grad/Mul/Enter', 'while/Sigmoid', '^gradients/Add']),
('gradients/while/Mul_grad/Mul/f_acc', 'StackV2', ['gradients/while/Mul_grad/Mul/Const']),
('gradients/while/Mul_grad/Mul_1', 'Mul', ['gradients/while/Add_1_grad/tuple/control_dependency', 'gradients/while/Mul_grad/Mul_1/StackPopV2']),
('gradients/while/Mul_grad/Mul_1/Const', 'Const', []),
('gradients/while/Mul_grad/Mul_1/Enter', 'Enter', ['gradients/while/Mul_grad/Mul_1/f_acc']),
('gradients/while/Mul_grad/Mul_1/StackPopV2', 'StackPopV2', ['gradients/while/Mul_grad/Mul_1/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/Mul_grad/Mul_1/StackPopV2/Enter', 'Enter', ['gradients/while/Mul_grad/Mul_1/f_acc']),
('gradients/while/Mul_grad/Mul_1/StackPushV2', 'StackPushV2', ['gradients/while/Mul_grad/Mul_1/Enter', 'while/Identity_2', '^gradients/Add']),
('gradients/while/Mul_grad/Mul_1/f_acc', 'StackV2', ['gradients/while/Mul_grad/Mul_1/Const']),
('gradients/while/Mul_grad/tuple/control_dependency', 'Identity', ['gradients/while/Mul_grad/Mul', '^gradients/while/Mul_grad/tuple/group_deps']),
('gradients/while/Mul_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/Mul_grad/Mul_1', '^gradients/while/Mul_grad/tuple/group_deps']),
('gradients/while/Mul_grad/tuple/group_deps', 'NoOp', ['^gradients/while/Mul_grad/Mul', '^gradients/while/Mul_grad/Mul_1']),
('gradients/while/Sigmoid_1_grad/SigmoidGrad', 'SigmoidGrad', ['gradients/while/Mul_1_grad/Mul_1/StackPopV2', 'gradients/while/Mul_1_grad/tuple/control_dependency']),
('gradients/while/Sigmoid_2_grad/SigmoidGrad', 'SigmoidGrad', ['gradients/while/Mul_2_grad/Mul/StackPopV2', 'gradients/while/Mul_2_grad/tuple/control_dependency_1']),
('gradients/while/Sigmoid_grad/SigmoidGrad', 'SigmoidGrad', ['gradients/while/Mul_grad/Mul/StackPopV2', 'gradients/while/Mul_grad/tuple/control_dependency_1']),
('gradients/while/Switch_1_grad/b_switch', 'Merge', ['gradients/while/Exit_1_grad/b_exit', 'gradients/while/Switch_1_grad_1/NextIteration']),
('gradients/while/Switch_1_grad_1/NextIteration', 'NextIteration', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1']),
('gradients/while/Switch_2_grad/b_switch', 'Merge', ['gradients/while/Exit_2_grad/b_exit', 'gradients/while/Switch_2_grad_1/NextIteration']),
('gradients/while/Switch_2_grad_1/NextIteration', 'NextIteration', ['gradients/while/Mul_grad/tuple/control_dependency']),
('gradients/while/Switch_3_grad/b_switch', 'Merge', ['gradients/while/Exit_3_grad/b_exit', 'gradients/while/Switch_3_grad_1/NextIteration']),
('gradients/while/Switch_3_grad_1/NextIteration', 'NextIteration', ['gradients/while/concat_grad/tuple/control_dependency_1']),
('gradients/while/Tanh_1_grad/TanhGrad', 'TanhGrad', ['gradients/while/Mul_2_grad/Mul_1/StackPopV2', 'gradients/while/Mul_2_grad/tuple/control_dependency']),
('gradients/while/Tanh_grad/TanhGrad', 'TanhGrad', ['gradients/while/Mul_1_grad/Mul/StackPopV2', 'gradients/while/Mul_1_grad/tuple/control_dependency_1']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'TensorArrayGradV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3/Enter', 'Enter', ['output_ta']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', 'TensorArrayReadV3', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/TensorArrayGradV3', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayGrad/gradient_flow']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Enter', 'while/Identity', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const', 'Const', []),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2', 'StackPopV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', '^gradients/Sub']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2/Enter', 'Enter', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPushV2', 'StackPushV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Enter', 'while/TensorArrayWrite/TensorArrayWriteV3', '^gradients/Add']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/b_sync', 'ControlTrigger', ['^gradients/while/MatMul_grad/MatMul/StackPopV2', '^gradients/while/MatMul_grad/MatMul_1/StackPopV2', '^gradients/while/Mul_1_grad/Mul/StackPopV2', '^gradients/while/Mul_1_grad/Mul_1/StackPopV2', '^gradients/while/Mul_2_grad/Mul/StackPopV2', '^gradients/while/Mul_2_grad/Mul_1/StackPopV2', '^gradients/while/Mul_grad/Mul/StackPopV2', '^gradients/while/Mul_grad/Mul_1/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3/StackPopV2', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/StackPopV2']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/f_acc', 'StackV2', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out/Const']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/tuple/group_deps', 'NoOp', ['^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/TensorArrayReadV3', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier']),
('gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/write_barrier', 'Identity', ['gradients/while/Merge_1_grad/tuple/control_dependency_1', '^gradients/while/TensorArrayWrite/TensorArrayWriteV3_grad/flow_out']),
('gradients/while/concat_grad/ConcatOffset', 'ConcatOffset', ['gradients/while/concat_grad/mod', 'gradients/while/concat_grad/Shape', 'gradients/while/concat_grad/Shape_1']),
('gradients/while/concat_grad/Const', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Rank', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Shape', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Shape_1', 'Const', ['^gradients/Sub']),
('gradients/while/concat_grad/Slice', 'Slice', ['gradients/while/MatMul_grad/tuple/control_dependency', 'gradients/while/concat_grad/ConcatOffset', 'gradients/while/concat_grad/Shape']),
('gradients/while/concat_grad/Slice_1', 'Slice', ['gradients/while/MatMul_grad/tuple/control_dependency', 'gradients/while/concat_grad/ConcatOffset:1', 'gradients/while/concat_grad/Shape_1']),
('gradients/while/concat_grad/mod', 'FloorMod', ['gradients/while/concat_grad/Const', 'gradients/while/concat_grad/Rank']),
('gradients/while/concat_grad/tuple/control_dependency', 'Identity', ['gradients/while/concat_grad/Slice', '^gradients/while/concat_grad/tuple/group_deps']),
('gradients/while/concat_grad/tuple/control_dependency_1', 'Identity', ['gradients/while/concat_grad/Slice_1', '^gradients/while/concat_grad/tuple/group_deps']),
('gradients/while/concat_grad/tuple/group_deps', 'NoOp', ['^gradients/while/concat_grad/Slice', '^gradients/while/concat_grad/Slice_1']),
('gradients/while/split_grad/concat', 'ConcatV2', ['gradients/while/Sigmoid_1_grad/SigmoidGrad', 'gradients/while/Tanh_grad/TanhGrad', 'gradients/while/Add_grad/tuple/control_dependency', 'gradients/while/Sigmoid_2_grad/SigmoidGrad', 'gradients/while/split_grad/concat/Const']),
('gradients/while/split_grad/concat/Const', 'Const', ['^gradients/Sub']),
('gradients/zeros', 'Const', []),
('gradients/zeros_1', 'Const', []),
('train', 'NoOp', ['^train/update_bias/ResourceApplyGradientDescent', '^train/update_kernel/ResourceApplyGradientDescent']),
('train/learning_rate', 'Const', []),
('train/update_bias/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['bias', 'train/learning_rate', 'gradients/while/BiasAdd/ReadVariableOp/Enter_grad/b_acc_3']),
('train/update_kernel/ResourceApplyGradientDescent', 'ResourceApplyGradientDescent', ['kernel', 'train/learning_rate', 'gradients/while/MatMul/ReadVariableOp/Enter_grad/b_acc_3']),
]


def test_a_basic_lstm_loop_builds_tfs_gradient_graph_and_trains(spec_file):
    path = spec_file(BASIC_LSTM)
    graph = Pipeline(path).spec.graph
    ours = sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(("gradients", "train")))
    assert ours == sorted(TF_BASIC_LSTM_NODES)
    # TF: sess.run([loss, train]) x5 (an ulp apart from step 3: Eigen's sigmoid and tanh)
    assert values(run_spec(path), "loss") == pytest.approx([0.17103022, 0.15749544, 0.14506374, 0.13403092,
                                                            0.12451053], rel=3e-7)


def test_a_sparse_gradient_reaching_a_loops_exit_is_a_located_error(spec_file):
    """A gather of a loop's result: its IndexedSlices reaches the loop's Exit (TF keeps it
    sparse through the backprop loop; not built): a located error, was an internal error."""
    path = spec_file("""
        nodes:
          - {name: w, op: variable, value: [1.0, 2.0, 3.0]}
          - {name: i0, op: const, value: 0}
          - while_loop: [i0, w]
            outputs: [n, out]
            cond: {args: [i, v], nodes: [{name: more, op: less, inputs: [i, 2]}], return: [more]}
            body:
              args: [i, v]
              nodes: [{name: i1, op: add, inputs: [i, 1]}, {name: v1, op: mul, inputs: [v, 2.0]}]
              return: [i1, v1]
          - {name: g, op: gather, inputs: [out, [0, 2], 0]}
          - {name: loss, op: reduce_sum, inputs: [g]}
          - minimize: loss
            optimizer: {type: GradientDescent, learning_rate: 0.1}
        """)
    with pytest.raises(SpecError) as err:
        Pipeline(path).spec
    assert "IndexedSlices) reaches a while loop's exit" in err.value.message
    assert err.value.loc.line == 14   # the minimize entry (the leading newline is line 1)
