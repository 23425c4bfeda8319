"""Each op's registered gradient (its OpDef's `grad`) against TensorFlow 2.21's.

Every case is a small graph: variables, the op under test, then `loss = reduce_sum(y * y * y)`
(or `reduce_sum(y * y)`) and `gradients: loss` for the variables. TF's side is the program
`idrun export --format tf-python` writes for the same spec: `tf1.gradients([loss], xs)` on the
same forward graph, run by tensorflow-cpu 2.21 (`PYTHONPATH=. python tests/test_op_gradients.py`
prints the tables below again; TF_PYTHON names TF's python, by default `.venv-tf/bin/python`). TF_NODES lists the nodes TF made for
the op's own gradient (`gradients/y_grad/...`: name, type, inputs); TF_VALUES is
`sess.run(gradients)`.

Values are exact (bit for bit) where every kernel on the path is one numpy follows; the cases in
CLOSE run a transcendental or a matrix product whose float order is Eigen's (exp, pow, LRN, the
log-softmax's exp, batch matmul's contraction) and agree to rel 2e-6 (a few ulps, through y**3).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values

VARIABLES = {
    "w": "[[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]]",
    "p": "[[0.5, 1.25, 2.0], [1.5, 0.25, 0.75]]",
    "v": "[0.3, -1.5, 0.7]",
    "b1": "[[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 0.25]]]",
    "b2": "[[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[-1.0, 2.0, 0.5], [0.3, 0.2, -0.1]]]",
    "img": str([[[[round(0.1 * ((i * 7 + j * 3 + k * 5) % 11) - 0.4, 2) for k in range(3)]
                  for j in range(4)] for i in range(4)]]),
}
C = "{name: c, op: const, value: [[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]]}"

# name: (variables, the entries making `y` from them, "cube" (y*y*y) or "square" (y*y) or "mulc" (y*c))
CASES = {
    "neg": ("w", ["{name: y, op: neg, inputs: [w]}"], "mulc"),
    "exp": ("w", ["{name: y, op: exp, inputs: [w]}"], "mulc"),
    "log": ("p", ["{name: y, op: log, inputs: [p]}"], "mulc"),
    "sqrt": ("p", ["{name: y, op: sqrt, inputs: [p]}"], "mulc"),
    "rsqrt": ("p", ["{name: y, op: rsqrt, inputs: [p]}"], "mulc"),
    "reciprocal": ("w", ["{name: y, op: reciprocal, inputs: [w]}"], "mulc"),
    "abs": ("w", ["{name: y, op: abs, inputs: [w]}"], "mulc"),
    "sign": ("w", ["{name: s, op: sign, inputs: [w]}", "{name: y, op: add, inputs: [s, w]}"], "mulc"),
    "div": ("w,v", ["{name: y, op: div, inputs: [w, v]}"], "mulc"),
    "div_same_shape": ("w,p", ["{name: y, op: div, inputs: [w, p]}"], "mulc"),
    "divide_no_nan": ("w,v", ["{name: y, op: divide_no_nan, inputs: [w, v]}"], "mulc"),
    "maximum": ("w,v", ["{name: y, op: maximum, inputs: [w, v]}"], "mulc"),
    "minimum": ("w,p", ["{name: y, op: minimum, inputs: [w, p]}"], "mulc"),
    "squared_difference": ("w,v", ["{name: y, op: squared_difference, inputs: [w, v]}"], "mulc"),
    "squared_difference_same_shape": ("w,p", ["{name: y, op: squared_difference, inputs: [w, p]}"], "mulc"),
    "pow": ("p,v", ["{name: y, op: pow, inputs: [p, v]}"], "mulc"),
    "add_n": ("w,p", ["{name: y, op: add_n, inputs: [w, p, w]}"], "mulc"),
    "cast": ("w", ["{name: d, op: cast, inputs: [w], dtype: float64}",
                   "{name: y, op: cast, inputs: [d], dtype: float32}"], "mulc"),
    "floor": ("w", ["{name: f, op: floor, inputs: [w]}", "{name: y, op: add, inputs: [f, w]}"], "mulc"),
    "batch_matmul": ("b1,b2", ["{name: m, op: batch_matmul, inputs: [b1, b2]}",
                               "{name: y, op: reduce_sum, inputs: [m], axis: [0]}"], "square"),
    "concat": ("w,p", ["{name: y, op: concat, inputs: [w, p], axis: 0}"], "cube"),
    "concat_three": ("w,p", ["{name: y, op: concat, inputs: [w, p, w], axis: -1}"], "cube"),
    "stack": ("w,p", ["{name: y, op: stack, inputs: [w, p], axis: 1}"], "cube"),
    "unstack": ("w", ["{name: u, op: unstack, inputs: [w], axis: 0}", "{name: y, op: mul, inputs: ['u:1', 'u:0']}"],
                "cube"),
    "transpose": ("w", ["{name: perm, op: const, value: [1, 0]}", "{name: y, op: transpose, inputs: [w, perm]}"],
                  "cube"),
    "expand_dims": ("v", ["{name: dim, op: const, value: 0}", "{name: y, op: expand_dims, inputs: [v, dim]}"],
                    "cube"),
    "squeeze": ("w", ["{name: dim, op: const, value: 1}", "{name: e, op: expand_dims, inputs: [w, dim]}",
                      "{name: y, op: squeeze, inputs: [e], axis: [1]}"], "cube"),
    "tile": ("v", ["{name: m, op: const, value: [2, 1]}", "{name: r, op: const, value: [1, 3]}",
                   "{name: v2, op: reshape, inputs: [v, r]}", "{name: y, op: tile, inputs: [v2, m]}"], "cube"),
    "pad": ("v", ["{name: pd, op: const, value: [[1, 0], [0, 1]]}", "{name: r, op: const, value: [1, 3]}",
                  "{name: v2, op: reshape, inputs: [v, r]}", "{name: y0, op: pad, inputs: [v2, pd]}",
                  "{name: b0, op: const, value: [0, 1]}", "{name: s0, op: const, value: [2, 3]}",
                  "{name: y, op: slice, inputs: [y0, b0, s0]}"], "cube"),
    "slice": ("w", ["{name: b0, op: const, value: [0, 1]}", "{name: s0, op: const, value: [2, 2]}",
                    "{name: y0, op: slice, inputs: [w, b0, s0]}", "{name: y, op: concat, inputs: [y0, y0], axis: 1}"],
              "square"),
    "strided_slice": ("w", ["{name: b, op: const, value: [0, 1]}", "{name: e, op: const, value: [2, 3]}",
                            "{name: st, op: const, value: [1, 1]}", "{name: y0, op: strided_slice, inputs: [w, b, e, st]}",
                            "{name: y, op: concat, inputs: [y0, y0], axis: 1}"], "square"),
    "select": ("w,p", ["{name: cond, op: const, value: [true, false]}",
                       "{name: y, op: select, inputs: [cond, w, p]}"], "cube"),
    "select_v2": ("w,p", ["{name: cond, op: const, value: [true, false, true]}",
                          "{name: y, op: select_v2, inputs: [cond, w, p]}"], "cube"),
    "stop_gradient": ("w", ["{name: s, op: stop_gradient, inputs: [w]}", "{name: y, op: mul, inputs: [s, w]}"], "cube"),
    "log_softmax": ("w", ["{name: y, op: log_softmax, inputs: [w]}"], "cube"),
    "relu6": ("w", ["{name: four, op: const, value: 4.0}", "{name: w4, op: mul, inputs: [w, four]}",
                    "{name: y, op: relu6, inputs: [w4]}"], "cube"),
    "elu": ("w", ["{name: y, op: elu, inputs: [w]}"], "cube"),
    "avg_pool_same": ("img", ["{name: y, op: avg_pool, inputs: [img], ksize: [3, 3], strides: [2, 2], padding: SAME}"],
                      "cube"),
    "avg_pool_valid": ("img", ["{name: y, op: avg_pool, inputs: [img], ksize: [2, 2], strides: [1, 1], padding: VALID}"],
                       "cube"),
    "lrn": ("img", ["{name: y, op: local_response_normalization, inputs: [img], depth_radius: 1, bias: 1.0, "
                    "alpha: 0.2, beta: 0.75}"], "cube"),
    "reduce_max": ("w", ["{name: y, op: reduce_max, inputs: [w], axis: 1}"], "cube"),
    "reduce_min_keepdims": ("w", ["{name: y, op: reduce_min, inputs: [w], axis: [0, 1], keepdims: true}"], "cube"),
    "split_v": ("w", ["{name: ax, op: const, value: 1}", "{name: sz, op: const, value: [1, 2]}",
                      "{name: sp, op: split_v, inputs: [w, sz, ax], num_split: 2}",
                      "{name: y, op: mul, inputs: ['sp:0', 'sp:0']}"], "cube"),
    "split_even": ("w", ["{name: ax, op: const, value: 0}", "{name: sp, op: split_even, inputs: [ax, w], num_split: 2}",
                         "{name: y, op: mul, inputs: ['sp:1', 'sp:0']}"], "cube"),
    "reverse": ("w", ["{name: ax, op: const, value: [1]}", "{name: y, op: reverse, inputs: [w, ax]}"], "cube"),
    "broadcast_to": ("v", ["{name: shp, op: const, value: [2, 3]}", "{name: y, op: broadcast_to, inputs: [v, shp]}"],
                     "mulc"),
}
CLOSE = {"exp", "pow", "batch_matmul", "log_softmax", "lrn"}


def case_spec(name: str, cases: dict | None = None, variables: dict | None = None) -> str:
    xs, body, tail = (cases or CASES)[name]
    xs = xs.split(",")
    variables = variables or VARIABLES
    lines = ["nodes:", f"  - {C}"] + [f"  - {{name: {x}, op: variable, value: {variables[x]}}}" for x in xs]
    lines += [f"  - {entry}" for entry in body]
    lines += {"mulc": ["  - {name: z, op: mul, inputs: [y, c]}"],
              "square": ["  - {name: z, op: square, inputs: [y]}"],
              "cube": ["  - {name: z0, op: square, inputs: [y]}", "  - {name: z, op: mul, inputs: [z0, y]}"]}[tail]
    outs = ", ".join("d" + x for x in xs)
    lines += ["  - {name: loss, op: reduce_sum, inputs: [z]}",
              f"  - gradients: loss\n    xs: [{', '.join(xs)}]\n    outputs: [{outs}]",
              f"run: {{fetch: [{outs}], steps: 1}}"]
    return "\n".join(lines) + "\n"


def tf_style(graph, name: str) -> tuple:
    from idrun.ops import REGISTRY
    node = graph.nodes[name]
    ins = [r.node if r.index == 0 else f"{r.node}:{r.index}" for r in node.inputs]
    return (name, REGISTRY[node.op].tf_op_for(graph.variables), ins + sorted(f"^{c}" for c in node.control_inputs))


def own_nodes(graph, prefixes) -> list:
    return sorted(tf_style(graph, n) for n in graph.nodes if n.startswith(prefixes))


def grad_prefixes(name: str, cases: dict | None = None) -> tuple:
    """The scopes of the op under test's gradient (and of its helpers in the case)."""
    body = (cases or CASES)[name][1]
    ops = [e.split("name: ")[1].split(",")[0] for e in body]
    return tuple(f"gradients/{op}_grad/" for op in ops)


# ---- TF 2.21's tables (generated; see the module docstring) -----------------------------------
TF_NODES = {
    'abs': [
        ['gradients/y_grad/Sign', 'Sign', ['y/ReadVariableOp']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'gradients/y_grad/Sign']],
    ],
    'add_n': [
    ],
    'avg_pool_same': [
        ['gradients/y_grad/AvgPoolGrad', 'AvgPoolGrad', ['gradients/y_grad/Shape', 'gradients/AddN']],
        ['gradients/y_grad/Shape', 'Const', []],
    ],
    'avg_pool_valid': [
        ['gradients/y_grad/AvgPoolGrad', 'AvgPoolGrad', ['gradients/y_grad/Shape', 'gradients/AddN']],
        ['gradients/y_grad/Shape', 'Const', []],
    ],
    'batch_matmul': [
        ['gradients/m_grad/MatMul', 'BatchMatMulV2', ['gradients/y_grad/Tile', 'm/ReadVariableOp_1']],
        ['gradients/m_grad/MatMul_1', 'BatchMatMulV2', ['m/ReadVariableOp', 'gradients/y_grad/Tile']],
        ['gradients/y_grad/Maximum', 'Maximum', ['gradients/y_grad/Maximum/x', 'gradients/y_grad/Maximum/y']],
        ['gradients/y_grad/Maximum/x', 'Const', []],
        ['gradients/y_grad/Maximum/y', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/z_grad/Mul_1', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Tile', 'Tile', ['gradients/y_grad/Reshape', 'gradients/y_grad/Tile/multiples']],
        ['gradients/y_grad/Tile/multiples', 'Const', []],
        ['gradients/y_grad/floordiv', 'FloorDiv', ['gradients/y_grad/floordiv/x', 'gradients/y_grad/Maximum']],
        ['gradients/y_grad/floordiv/x', 'Const', []],
    ],
    'broadcast_to': [
        ['gradients/y_grad/BroadcastGradientArgs', 'BroadcastGradientArgs', ['gradients/y_grad/Const', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/z_grad/Mul', 'gradients/y_grad/BroadcastGradientArgs:1']],
    ],
    'cast': [
        ['gradients/d_grad/Cast', 'Cast', ['gradients/y_grad/Cast']],
        ['gradients/y_grad/Cast', 'Cast', ['gradients/z_grad/Mul']],
    ],
    'concat': [
        ['gradients/y_grad/ConcatOffset', 'ConcatOffset', ['gradients/y_grad/mod', 'gradients/y_grad/Shape', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Slice', 'Slice', ['gradients/AddN', 'gradients/y_grad/ConcatOffset', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Slice_1', 'Slice', ['gradients/AddN', 'gradients/y_grad/ConcatOffset:1', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/mod', 'FloorMod', ['y/axis', 'gradients/y_grad/Rank']],
    ],
    'concat_three': [
        ['gradients/y_grad/ConcatOffset', 'ConcatOffset', ['gradients/y_grad/mod', 'gradients/y_grad/Shape', 'gradients/y_grad/Shape_1', 'gradients/y_grad/Shape_2']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Shape_2', 'Const', []],
        ['gradients/y_grad/Slice', 'Slice', ['gradients/AddN', 'gradients/y_grad/ConcatOffset', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Slice_1', 'Slice', ['gradients/AddN', 'gradients/y_grad/ConcatOffset:1', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Slice_2', 'Slice', ['gradients/AddN', 'gradients/y_grad/ConcatOffset:2', 'gradients/y_grad/Shape_2']],
        ['gradients/y_grad/mod', 'FloorMod', ['y/axis', 'gradients/y_grad/Rank']],
    ],
    'div': [
        ['gradients/y_grad/Neg', 'Neg', ['y/ReadVariableOp']],
        ['gradients/y_grad/RealDiv', 'RealDiv', ['gradients/z_grad/Mul', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/RealDiv_1', 'RealDiv', ['gradients/y_grad/Neg', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/RealDiv_2', 'RealDiv', ['gradients/y_grad/RealDiv_1', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/mul', 'gradients/y_grad/Sum/reduction_indices']],
        ['gradients/y_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'gradients/y_grad/RealDiv_2']],
    ],
    'div_same_shape': [
        ['gradients/y_grad/Neg', 'Neg', ['y/ReadVariableOp']],
        ['gradients/y_grad/RealDiv', 'RealDiv', ['gradients/z_grad/Mul', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/RealDiv_1', 'RealDiv', ['gradients/y_grad/Neg', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/RealDiv_2', 'RealDiv', ['gradients/y_grad/RealDiv_1', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'gradients/y_grad/RealDiv_2']],
    ],
    'divide_no_nan': [
        ['gradients/y_grad/Neg', 'Neg', ['y/ReadVariableOp']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/mul', 'gradients/y_grad/Sum/reduction_indices']],
        ['gradients/y_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/div_no_nan', 'DivNoNan', ['gradients/z_grad/Mul', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/div_no_nan_1', 'DivNoNan', ['gradients/y_grad/Neg', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/div_no_nan_2', 'DivNoNan', ['gradients/y_grad/div_no_nan_1', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'gradients/y_grad/div_no_nan_2']],
    ],
    'elu': [
        ['gradients/y_grad/EluGrad', 'EluGrad', ['gradients/AddN', 'y']],
    ],
    'exp': [
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'y']],
    ],
    'expand_dims': [
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Const', []],
    ],
    'floor': [
    ],
    'log': [
        ['gradients/y_grad/Reciprocal', 'Reciprocal', ['y/ReadVariableOp', '^gradients/z_grad/Mul']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'gradients/y_grad/Reciprocal']],
    ],
    'log_softmax': [
        ['gradients/y_grad/Exp', 'Exp', ['y']],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/AddN', 'gradients/y_grad/Sum/reduction_indices']],
        ['gradients/y_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/Sum', 'gradients/y_grad/Exp']],
        ['gradients/y_grad/sub', 'Sub', ['gradients/AddN', 'gradients/y_grad/mul']],
    ],
    'lrn': [
        ['gradients/y_grad/LRNGrad', 'LRNGrad', ['gradients/AddN', 'y/ReadVariableOp', 'y']],
    ],
    'maximum': [
        ['gradients/y_grad/GreaterEqual', 'GreaterEqual', ['y/ReadVariableOp', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/SelectV2', 'SelectV2', ['gradients/y_grad/GreaterEqual', 'gradients/z_grad/Mul', 'gradients/y_grad/zeros_like']],
        ['gradients/y_grad/SelectV2_1', 'SelectV2', ['gradients/y_grad/GreaterEqual', 'gradients/y_grad/zeros_like', 'gradients/z_grad/Mul']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/SelectV2_1', 'gradients/y_grad/Sum/reduction_indices']],
        ['gradients/y_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/zeros_like', 'Const', []],
    ],
    'minimum': [
        ['gradients/y_grad/LessEqual', 'LessEqual', ['y/ReadVariableOp', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/SelectV2', 'SelectV2', ['gradients/y_grad/LessEqual', 'gradients/z_grad/Mul', 'gradients/y_grad/zeros_like']],
        ['gradients/y_grad/SelectV2_1', 'SelectV2', ['gradients/y_grad/LessEqual', 'gradients/y_grad/zeros_like', 'gradients/z_grad/Mul']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/zeros_like', 'Const', []],
    ],
    'neg': [
        ['gradients/y_grad/Neg', 'Neg', ['gradients/z_grad/Mul']],
    ],
    'pad': [
        ['gradients/v2_grad/Reshape', 'Reshape', ['gradients/y0_grad/Slice_1', 'gradients/v2_grad/Shape']],
        ['gradients/v2_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Rank', 'Const', []],
        ['gradients/y0_grad/Reshape', 'Reshape', ['gradients/y0_grad/Slice', 'gradients/y0_grad/Reshape/shape']],
        ['gradients/y0_grad/Reshape/shape', 'Const', []],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Slice', 'Slice', ['pd', 'gradients/y0_grad/Slice/begin', 'gradients/y0_grad/stack']],
        ['gradients/y0_grad/Slice/begin', 'Const', []],
        ['gradients/y0_grad/Slice_1', 'Slice', ['gradients/y_grad/Pad', 'gradients/y0_grad/Reshape', 'gradients/y0_grad/Shape']],
        ['gradients/y0_grad/stack', 'Pack', ['gradients/y0_grad/Rank', 'gradients/y0_grad/stack/1']],
        ['gradients/y0_grad/stack/1', 'Const', []],
        ['gradients/y_grad/Pad', 'Pad', ['gradients/AddN', 'gradients/y_grad/concat']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['b0', 'gradients/y_grad/stack']],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/y_grad/sub_1', 'gradients/y_grad/stack']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/Reshape', 'gradients/y_grad/Reshape_1', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/stack', 'Pack', ['gradients/y_grad/Rank', 'gradients/y_grad/stack/1']],
        ['gradients/y_grad/stack/1', 'Const', []],
        ['gradients/y_grad/sub', 'Sub', ['gradients/y_grad/Shape_1', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/sub_1', 'Sub', ['gradients/y_grad/sub', 'b0']],
    ],
    'pow': [
        ['gradients/y_grad/Greater', 'Greater', ['y/ReadVariableOp', 'gradients/y_grad/Greater/y']],
        ['gradients/y_grad/Greater/y', 'Const', []],
        ['gradients/y_grad/Log', 'Log', ['gradients/y_grad/Select']],
        ['gradients/y_grad/Pow', 'Pow', ['y/ReadVariableOp', 'gradients/y_grad/sub']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Select', 'Select', ['gradients/y_grad/Greater', 'y/ReadVariableOp', 'gradients/y_grad/ones_like']],
        ['gradients/y_grad/Select_1', 'Select', ['gradients/y_grad/Greater', 'gradients/y_grad/Log', 'gradients/y_grad/zeros_like']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/mul_3', 'gradients/y_grad/Sum/reduction_indices']],
        ['gradients/y_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/mul', 'gradients/y_grad/Pow']],
        ['gradients/y_grad/mul_2', 'Mul', ['gradients/z_grad/Mul', 'y']],
        ['gradients/y_grad/mul_3', 'Mul', ['gradients/y_grad/mul_2', 'gradients/y_grad/Select_1']],
        ['gradients/y_grad/ones_like', 'Fill', ['gradients/y_grad/ones_like/Shape/shape_as_tensor', 'gradients/y_grad/ones_like/Const']],
        ['gradients/y_grad/ones_like/Const', 'Const', []],
        ['gradients/y_grad/ones_like/Shape/shape_as_tensor', 'Const', []],
        ['gradients/y_grad/sub', 'Sub', ['y/ReadVariableOp_1', 'gradients/y_grad/sub/y']],
        ['gradients/y_grad/sub/y', 'Const', []],
        ['gradients/y_grad/zeros_like', 'Const', []],
    ],
    'reciprocal': [
        ['gradients/y_grad/ReciprocalGrad', 'ReciprocalGrad', ['y', 'gradients/z_grad/Mul']],
    ],
    'reduce_max': [
        ['gradients/y_grad/Cast', 'Cast', ['gradients/y_grad/Equal']],
        ['gradients/y_grad/Equal', 'Equal', ['gradients/y_grad/Reshape', 'y/ReadVariableOp']],
        ['gradients/y_grad/Reshape', 'Reshape', ['y', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Reshape_1/shape']],
        ['gradients/y_grad/Reshape_1/shape', 'Const', []],
        ['gradients/y_grad/Reshape_2', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Reshape_2/shape']],
        ['gradients/y_grad/Reshape_2/shape', 'Const', []],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/Cast', 'y/reduction_indices']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/truediv', 'gradients/y_grad/Reshape_1']],
        ['gradients/y_grad/truediv', 'RealDiv', ['gradients/y_grad/Cast', 'gradients/y_grad/Reshape_2']],
    ],
    'reduce_min_keepdims': [
        ['gradients/y_grad/Cast', 'Cast', ['gradients/y_grad/Equal']],
        ['gradients/y_grad/Equal', 'Equal', ['y', 'y/ReadVariableOp']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/Cast', 'y/reduction_indices']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/truediv', 'gradients/AddN']],
        ['gradients/y_grad/truediv', 'RealDiv', ['gradients/y_grad/Cast', 'gradients/y_grad/Reshape']],
    ],
    'relu6': [
        ['gradients/w4_grad/Mul', 'Mul', ['gradients/y_grad/Relu6Grad', 'four']],
        ['gradients/w4_grad/Mul_1', 'Mul', ['w4/ReadVariableOp', 'gradients/y_grad/Relu6Grad']],
        ['gradients/w4_grad/Reshape', 'Reshape', ['gradients/w4_grad/Sum', 'gradients/w4_grad/Shape_1']],
        ['gradients/w4_grad/Shape', 'Const', []],
        ['gradients/w4_grad/Shape_1', 'Const', []],
        ['gradients/w4_grad/Sum', 'Sum', ['gradients/w4_grad/Mul_1', 'gradients/w4_grad/Sum/reduction_indices']],
        ['gradients/w4_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/Relu6Grad', 'Relu6Grad', ['gradients/AddN', 'y']],
    ],
    'reverse': [
        ['gradients/y_grad/ReverseV2', 'ReverseV2', ['gradients/AddN', 'ax']],
    ],
    'rsqrt': [
        ['gradients/y_grad/RsqrtGrad', 'RsqrtGrad', ['y', 'gradients/z_grad/Mul']],
    ],
    'select': [
        ['gradients/y_grad/Select', 'Select', ['cond', 'gradients/AddN', 'gradients/y_grad/zeros_like']],
        ['gradients/y_grad/Select_1', 'Select', ['cond', 'gradients/y_grad/zeros_like', 'gradients/AddN']],
        ['gradients/y_grad/zeros_like', 'Const', []],
    ],
    'select_v2': [
        ['gradients/y_grad/SelectV2', 'SelectV2', ['cond', 'gradients/AddN', 'gradients/y_grad/zeros']],
        ['gradients/y_grad/SelectV2_1', 'SelectV2', ['cond', 'gradients/y_grad/zeros', 'gradients/AddN']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Shape_2', 'Const', []],
        ['gradients/y_grad/Shape_3', 'Const', []],
        ['gradients/y_grad/zeros', 'Const', []],
    ],
    'sign': [
        ['gradients/s_grad/zeros_like', 'Const', []],
    ],
    'slice': [
        ['gradients/y0_grad/Pad', 'Pad', ['gradients/AddN', 'gradients/y0_grad/concat']],
        ['gradients/y0_grad/Rank', 'Const', []],
        ['gradients/y0_grad/Reshape', 'Reshape', ['b0', 'gradients/y0_grad/stack']],
        ['gradients/y0_grad/Reshape_1', 'Reshape', ['gradients/y0_grad/sub_1', 'gradients/y0_grad/stack']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Const', []],
        ['gradients/y0_grad/concat', 'ConcatV2', ['gradients/y0_grad/Reshape', 'gradients/y0_grad/Reshape_1', 'gradients/y0_grad/concat/axis']],
        ['gradients/y0_grad/concat/axis', 'Const', []],
        ['gradients/y0_grad/stack', 'Pack', ['gradients/y0_grad/Rank', 'gradients/y0_grad/stack/1']],
        ['gradients/y0_grad/stack/1', 'Const', []],
        ['gradients/y0_grad/sub', 'Sub', ['gradients/y0_grad/Shape_1', 'gradients/y0_grad/Shape']],
        ['gradients/y0_grad/sub_1', 'Sub', ['gradients/y0_grad/sub', 'b0']],
        ['gradients/y_grad/ConcatOffset', 'ConcatOffset', ['gradients/y_grad/mod', 'gradients/y_grad/Shape', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Slice', 'Slice', ['gradients/z_grad/Mul_1', 'gradients/y_grad/ConcatOffset', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Slice_1', 'Slice', ['gradients/z_grad/Mul_1', 'gradients/y_grad/ConcatOffset:1', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/mod', 'FloorMod', ['y/axis', 'gradients/y_grad/Rank']],
    ],
    'split_even': [
        ['gradients/sp_grad/concat', 'ConcatV2', ['gradients/y_grad/Mul_1', 'gradients/y_grad/Mul', 'ax']],
        ['gradients/y_grad/Mul', 'Mul', ['gradients/AddN', 'sp']],
        ['gradients/y_grad/Mul_1', 'Mul', ['gradients/AddN', 'sp:1']],
    ],
    'split_v': [
        ['gradients/sp_grad/concat', 'ConcatV2', ['gradients/AddN_1', 'gradients/zeros_like', 'ax']],
        ['gradients/y_grad/Mul', 'Mul', ['gradients/AddN', 'sp']],
        ['gradients/y_grad/Mul_1', 'Mul', ['gradients/AddN', 'sp']],
    ],
    'sqrt': [
        ['gradients/y_grad/SqrtGrad', 'SqrtGrad', ['y', 'gradients/z_grad/Mul']],
    ],
    'squared_difference': [
        ['gradients/y_grad/Mul', 'Mul', ['gradients/y_grad/scalar', 'gradients/z_grad/Mul']],
        ['gradients/y_grad/Neg', 'Neg', ['gradients/y_grad/mul_1']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/Neg', 'gradients/y_grad/Sum/reduction_indices']],
        ['gradients/y_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/Mul', 'gradients/y_grad/sub']],
        ['gradients/y_grad/scalar', 'Const', ['^gradients/z_grad/Mul']],
        ['gradients/y_grad/sub', 'Sub', ['y/ReadVariableOp', 'y/ReadVariableOp_1', '^gradients/z_grad/Mul']],
    ],
    'squared_difference_same_shape': [
        ['gradients/y_grad/Mul', 'Mul', ['gradients/y_grad/scalar', 'gradients/z_grad/Mul']],
        ['gradients/y_grad/Neg', 'Neg', ['gradients/y_grad/mul_1']],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/Mul', 'gradients/y_grad/sub']],
        ['gradients/y_grad/scalar', 'Const', ['^gradients/z_grad/Mul']],
        ['gradients/y_grad/sub', 'Sub', ['y/ReadVariableOp', 'y/ReadVariableOp_1', '^gradients/z_grad/Mul']],
    ],
    'squeeze': [
        ['gradients/e_grad/Reshape', 'Reshape', ['gradients/y_grad/Reshape', 'gradients/e_grad/Shape']],
        ['gradients/e_grad/Shape', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Const', []],
    ],
    'stack': [
        ['gradients/y_grad/unstack', 'Unpack', ['gradients/AddN']],
    ],
    'stop_gradient': [
        ['gradients/y_grad/Mul', 'Mul', ['gradients/AddN', 'y/ReadVariableOp']],
        ['gradients/y_grad/Mul_1', 'Mul', ['gradients/AddN', 's']],
    ],
    'strided_slice': [
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/StridedSliceGrad', 'StridedSliceGrad', ['gradients/y0_grad/StridedSliceGrad/shape', 'gradients/y0_grad/StridedSliceGrad/begin', 'gradients/y0_grad/StridedSliceGrad/end', 'gradients/y0_grad/StridedSliceGrad/strides', 'gradients/AddN']],
        ['gradients/y0_grad/StridedSliceGrad/begin', 'Const', []],
        ['gradients/y0_grad/StridedSliceGrad/end', 'Const', []],
        ['gradients/y0_grad/StridedSliceGrad/shape', 'Const', []],
        ['gradients/y0_grad/StridedSliceGrad/strides', 'Const', []],
        ['gradients/y_grad/ConcatOffset', 'ConcatOffset', ['gradients/y_grad/mod', 'gradients/y_grad/Shape', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Slice', 'Slice', ['gradients/z_grad/Mul_1', 'gradients/y_grad/ConcatOffset', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Slice_1', 'Slice', ['gradients/z_grad/Mul_1', 'gradients/y_grad/ConcatOffset:1', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/mod', 'FloorMod', ['y/axis', 'gradients/y_grad/Rank']],
    ],
    'tile': [
        ['gradients/v2_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/v2_grad/Shape']],
        ['gradients/v2_grad/Shape', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/transpose', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Reshape']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Size', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/Reshape_1', 'gradients/y_grad/range']],
        ['gradients/y_grad/range', 'Range', ['gradients/y_grad/range/start', 'gradients/y_grad/Size', 'gradients/y_grad/range/delta']],
        ['gradients/y_grad/range/delta', 'Const', []],
        ['gradients/y_grad/range/start', 'Const', []],
        ['gradients/y_grad/stack', 'Pack', ['m', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/transpose', 'Transpose', ['gradients/y_grad/stack', 'gradients/y_grad/transpose/perm']],
        ['gradients/y_grad/transpose/perm', 'Const', []],
    ],
    'transpose': [
        ['gradients/y_grad/InvertPermutation', 'InvertPermutation', ['perm']],
        ['gradients/y_grad/transpose', 'Transpose', ['gradients/AddN', 'gradients/y_grad/InvertPermutation']],
    ],
    'unstack': [
        ['gradients/u_grad/stack', 'Pack', ['gradients/y_grad/Mul_1', 'gradients/y_grad/Mul']],
        ['gradients/y_grad/Mul', 'Mul', ['gradients/AddN', 'u']],
        ['gradients/y_grad/Mul_1', 'Mul', ['gradients/AddN', 'u:1']],
    ],
}
TF_VALUES = {
    'abs': {'dw': [[1.0, 2.0, 0.5], [0.25, 3.0, 1.5]]},
    'add_n': {'dw': [[2.0, -4.0, 1.0], [0.5, 6.0, -3.0]], 'dp': [[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]]},
    'avg_pool_same': {'dimg': [[[[0.004115226, 2.2844094e-19, 0.005925927], [0.004115226, 2.2844094e-19, 0.005925927], [0.013004117, 0.003472223, 0.0064814826], [0.008888891, 0.003472223, 0.0005555557]], [[0.004115226, 2.2844094e-19, 0.005925927], [0.004115226, 2.2844094e-19, 0.005925927], [0.013004117, 0.003472223, 0.0064814826], [0.008888891, 0.003472223, 0.0005555557]], [[0.020920781, 0.008888891, 0.009398149], [0.020920781, 0.008888891, 0.009398149], [0.052778423, 0.024079867, 0.014172455], [0.03185764, 0.015190976, 0.004774306]], [[0.016805556, 0.008888891, 0.0034722227], [0.016805556, 0.008888891, 0.0034722227], [0.039774306, 0.020607643, 0.0076909726], [0.022968749, 0.011718753, 0.00421875]]]]},
    'avg_pool_valid': {'dimg': [[[[0.007500001, 0.0018749998, 0.05671875], [0.019218754, 0.00609375, 0.0571875], [0.028593753, 0.011718752, 0.0023437499], [0.016875, 0.007500001, 0.0018749998]], [[0.054375, 0.00609375, 0.07359375], [0.12281251, 0.0121875, 0.09703125], [0.085781254, 0.060468752, 0.029531248], [0.01734375, 0.054375, 0.00609375]], [[0.058593754, 0.0084375, 0.01734375], [0.1321875, 0.017812502, 0.042187497], [0.09703125, 0.06796875, 0.033281248], [0.023437498, 0.058593754, 0.0084375]], [[0.011718753, 0.00421875, 0.00046874996], [0.028593753, 0.011718752, 0.0023437499], [0.03984375, 0.019218754, 0.00609375], [0.022968749, 0.011718753, 0.00421875]]]]},
    'batch_matmul': {'db1': [[[1.9300001, 4.3], [5.2200003, 11.76]], [[9.650001, 0.49], [30.925, 1.7900002]]], 'db2': [[[0.050000906, 43.9, 29.350002], [0.20000124, 61.2, 41.600002]], [[5.9604645e-07, 28.6, 18.95], [-0.21249998, -0.67499995, -1.5625]]]},
    'broadcast_to': {'dv': [1.25, 1.0, -1.0]},
    'cast': {'dw': [[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]]},
    'concat': {'dw': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]], 'dp': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'concat_three': {'dw': [[1.5, 9.375, 24.0], [13.5, 0.375, 3.375]], 'dp': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'div': {'dw': [[3.3333333, 1.3333334, 0.71428573], [0.8333333, -2.0, -2.142857]], 'dv': [-9.722221, -1.4444444, -4.336735]},
    'div_same_shape': {'dw': [[2.0, -1.6, 0.25], [0.16666667, 12.0, -2.0]], 'dp': [[-2.0, -1.6, -0.25], [-0.16666667, -12.0, -2.0]]},
    'divide_no_nan': {'dw': [[3.3333333, 1.3333334, 0.71428573], [0.8333333, -2.0, -2.142857]], 'dv': [-9.722221, -1.4444444, -4.336735]},
    'elu': {'dw': [[0.75, 0.43755764, 12.0], [6.75, 0.1875, 0.39451635]]},
    'exp': {'dw': [[1.6487212, -0.5730096, 3.694528], [1.1204222, 3.8520763, -0.7085498]]},
    'expand_dims': {'dv': [0.27, 6.75, 1.4699999]},
    'floor': {'dw': [[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]]},
    'log': {'dp': [[2.0, -1.6, 0.25], [0.16666667, 12.0, -2.0]]},
    'log_softmax': {'dw': [[0.95102787, 34.986233, -35.937263], [-19.646923, 1.7726569, 17.874268]]},
    'lrn': {'dimg': [[[[0.4248071, 0.01360254, 0.82686126], [0.032784313, 0.42026308, 0.11867474], [0.11867474, 0.42026308, 0.032784313], [0.62179404, 0.03965987, 0.4248246]], [[0.24918666, 0.24721615, 0.116166614], [0.83055365, 0.0, 0.62402314], [0.116166614, 0.24721615, 0.24918666], [0.010062307, 0.8268223, 0.0]], [[0.032784313, 0.42026308, 0.11867474], [0.11867474, 0.42026308, 0.032784313], [0.62179404, 0.03965987, 0.4248246], [0.24994038, 0.11911675, 0.42157206]], [[0.83055365, 0.0, 0.62402314], [0.116166614, 0.24721615, 0.24918666], [0.010062307, 0.8268223, 0.0], [0.42157206, 0.11911675, 0.24994038]]]]},
    'maximum': {'dw': [[1.0, -2.0, 0.5], [0.25, 3.0, 0.0]], 'dv': [0.0, 0.0, -1.5]},
    'minimum': {'dw': [[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]], 'dp': [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]},
    'neg': {'dw': [[-1.0, 2.0, -0.5], [-0.25, -3.0, 1.5]]},
    'pad': {'dv': [0.0, 6.75, 1.4699999]},
    'pow': {'dp': [[0.48735145, 1.7173002, 0.28428835], [0.05646735, -144.0, -1.1446452]], 'dv': [-0.44853276, -33.5904, 0.91582537]},
    'reciprocal': {'dw': [[-4.0, 1.2800001, -0.125], [-0.11111112, -48.0, 2.666667]]},
    'reduce_max': {'dw': [[0.0, 0.0, 12.0], [6.75, 0.0, 0.0]]},
    'reduce_min_keepdims': {'dw': [[0.0, 4.6875, 0.0], [0.0, 0.0, 0.0]]},
    'relu6': {'dw': [[48.0, 0.0, 0.0], [0.0, 12.0, 0.0]]},
    'reverse': {'dw': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'rsqrt': {'dp': [[-1.4142134, 0.7155417, -0.08838834], [-0.06804138, -12.0, 1.1547004]]},
    'select': {'dw': [[0.75, 4.6875, 12.0], [0.0, 0.0, 0.0]], 'dp': [[0.0, 0.0, 0.0], [6.75, 0.1875, 1.6875]]},
    'select_v2': {'dw': [[0.75, 0.0, 12.0], [6.75, 0.0, 1.6875]], 'dp': [[0.0, 4.6875, 0.0], [0.0, 0.1875, 0.0]]},
    'sign': {'dw': [[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]]},
    'slice': {'dw': [[0.0, -5.0, 8.0], [0.0, 1.0, -3.0]]},
    'split_even': {'dw': [[2.53125, 0.07324219, -5.0625], [0.84375, -0.36621094, 13.5]]},
    'split_v': {'dw': [[0.1875, 0.0, 0.0], [45.5625, 0.0, 0.0]]},
    'sqrt': {'dp': [[0.70710677, -0.8944272, 0.17677669], [0.10206207, 3.0, -0.86602545]]},
    'squared_difference': {'dw': [[0.39999998, -1.0, 1.3], [0.6, 10.5, 4.3500004]], 'dv': [-1.0, -9.5, -5.6500006]},
    'squared_difference_same_shape': {'dw': [[0.0, 10.0, 0.0], [0.0, 0.0, 4.5]], 'dp': [[-0.0, -10.0, -0.0], [-0.0, -0.0, -4.5]]},
    'squeeze': {'dw': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'stack': {'dw': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]], 'dp': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'stop_gradient': {'dw': [[0.09375, -9.155273, 96.0], [22.78125, 0.0029296875, -0.71191406]]},
    'strided_slice': {'dw': [[0.0, -5.0, 8.0], [0.0, 1.0, -3.0]]},
    'tile': {'dv': [0.54, 13.5, 2.9399998]},
    'transpose': {'dw': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'unstack': {'dw': [[2.53125, 0.07324219, -5.0625], [0.84375, -0.36621094, 13.5]]},
}
# ---- end of TF's tables ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_nodes_are_tfs(spec_file, name):
    graph = Pipeline(spec_file(case_spec(name))).spec.graph
    assert [list(n) for n in own_nodes(graph, grad_prefixes(name))] == TF_NODES[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_values_are_tfs(spec_file, name):
    result = run_spec(spec_file(case_spec(name)))
    for out, want in TF_VALUES[name].items():
        got = values(result, out)[0]
        if name in CLOSE:
            assert flat(got) == pytest.approx(flat(want), rel=2e-6, abs=1e-7), out
        else:  # TF's JSON prints each float32 in its shortest form: compare as float32, bit for bit
            assert np.array_equal(np.asarray(got, dtype=np.float32), np.asarray(want, dtype=np.float32)), out


def flat(v) -> list:
    return [y for x in v for y in flat(x)] if isinstance(v, list) else [v]


# ---- training through each family's gradients, several steps ---------------------------------
TRAIN_MATH = """
nodes:
  - {name: x, op: const, value: [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]}
  - {name: w, op: variable, value: [[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]]}
  - {name: v, op: variable, value: [0.3, 1.5, 0.7]}
  - {name: sd, op: squared_difference, inputs: [w, x]}
  - {name: one, op: const, value: 1.0}
  - {name: s1, op: add, inputs: [sd, one]}
  - {name: r, op: sqrt, inputs: [s1]}
  - {name: q, op: div, inputs: [r, v]}
  - {name: l, op: log, inputs: [s1]}
  - {name: rs, op: rsqrt, inputs: [s1]}
  - {name: m, op: maximum, inputs: [l, rs]}
  - {name: n, op: minimum, inputs: [q, m]}
  - {name: e, op: exp, inputs: [n]}
  - {name: ng, op: neg, inputs: [w]}
  - {name: a, op: add_n, inputs: [e, q, ng]}
  - {name: loss, op: reduce_mean, inputs: [a]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.1}
run: {fetch: [loss], targets: [train], steps: 4}
"""

TRAIN_ARRAY = """
nodes:
  - {name: w, op: variable, value: [[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]]}
  - {name: v, op: variable, value: [0.3, -1.5, 0.7]}
  - {name: perm, op: const, value: [1, 0]}
  - {name: wt, op: transpose, inputs: [w, perm]}
  - {name: dim, op: const, value: 0}
  - {name: ve, op: expand_dims, inputs: [v, dim]}
  - {name: mult, op: const, value: [2, 1]}
  - {name: vt, op: tile, inputs: [ve, mult]}
  - {name: cat, op: concat, inputs: [w, vt], axis: 0}
  - {name: pd, op: const, value: [[0, 1], [1, 0]]}
  - {name: padded, op: pad, inputs: [cat, pd]}
  - {name: b, op: const, value: [1, 0]}
  - {name: sz, op: const, value: [3, 3]}
  - {name: sl, op: slice, inputs: [padded, b, sz]}
  - {name: sb, op: const, value: [0, 0]}
  - {name: se, op: const, value: [3, 2]}
  - {name: ss, op: const, value: [1, 1]}
  - {name: st, op: strided_slice, inputs: [wt, sb, se, ss]}
  - {name: prod, op: matmul, inputs: [sl, st]}
  - {name: sq, op: square, inputs: [prod]}
  - {name: loss, op: reduce_sum, inputs: [sq]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.01}
run: {fetch: [loss], targets: [train], steps: 4}
"""


def train_nn() -> str:
    img = [[[[round(0.1 * ((i * 7 + j * 3 + k * 5) % 11) - 0.4, 2) for k in range(3)] for j in range(6)]
            for i in range(6)]]
    filt = [[[[round(0.05 * ((a * 5 + b * 3 + c * 2 + d) % 7) - 0.15, 3) for d in range(4)] for c in range(3)]
             for b in range(3)] for a in range(3)]
    w = [[round(0.02 * ((i * 3 + j) % 9) - 0.08, 3) for j in range(4)] for i in range(36)]
    return f"""nodes:
  - {{name: img, op: const, value: {json.dumps(img)}}}
  - {{name: f, op: variable, value: {json.dumps(filt)}}}
  - {{name: conv, op: conv2d, inputs: [img, f], strides: [1, 1], padding: SAME}}
  - {{name: r6, op: relu6, inputs: [conv]}}
  - {{name: pool, op: avg_pool, inputs: [r6], ksize: [3, 3], strides: [2, 2], padding: SAME}}
  - {{name: norm, op: local_response_normalization, inputs: [pool], depth_radius: 1, bias: 1.0, alpha: 0.2, beta: 0.75}}
  - {{name: el, op: elu, inputs: [norm]}}
  - {{name: shp, op: const, value: [1, 36]}}
  - {{name: flat, op: reshape, inputs: [el, shp]}}
  - {{name: w, op: variable, value: {json.dumps(w)}}}
  - {{name: logits, op: matmul, inputs: [flat, w]}}
  - {{name: ls, op: log_softmax, inputs: [logits]}}
  - {{name: oh, op: const, value: [[0.0, 0.0, 1.0, 0.0]]}}
  - {{name: picked, op: mul, inputs: [ls, oh]}}
  - {{name: s, op: reduce_sum, inputs: [picked]}}
  - {{name: loss, op: neg, inputs: [s]}}
  - minimize: loss
    name: train
    optimizer: {{type: GradientDescent, learning_rate: 0.5}}
run: {{fetch: [loss], targets: [train], steps: 4}}
"""


def test_training_through_the_math_gradients_is_tfs(spec_file):
    # TF: GradientDescentOptimizer(0.1).minimize(loss, name="train"), sess.run([loss, train]) x4
    # (squared_difference, sqrt, RealDiv, log, rsqrt, maximum, minimum, exp, neg, add_n): bit for bit
    got = values(run_spec(spec_file(TRAIN_MATH)), "loss")
    assert np.array_equal(np.float32(got), np.float32([7.1670327, 5.261526, 4.715843, 4.340277]))


def test_training_through_the_array_gradients_is_tfs(spec_file):
    # TF: GradientDescentOptimizer(0.01).minimize(loss, name="train"), sess.run([loss, train]) x4
    # (transpose, expand_dims, tile, concat, pad, slice, strided_slice): bit for bit
    got = values(run_spec(spec_file(TRAIN_ARRAY)), "loss")
    assert np.array_equal(np.float32(got), np.float32([27.587032, 13.422041, 7.895576, 5.101195]))


def test_training_through_the_nn_gradients_is_tfs(spec_file):
    # TF: GradientDescentOptimizer(0.5).minimize(loss, name="train"), sess.run([loss, train]) x4
    # (conv2d, relu6, avg_pool, lrn, elu, log_softmax): the convolution's gradients and LRN are
    # TF's to float rounding (Eigen's contraction order), hence the tolerance
    got = values(run_spec(spec_file(train_nn())), "loss")
    assert got == pytest.approx([1.2996109, 1.1247004, 0.87059397, 0.53845054], rel=2e-6)


# ---- control flow: TF's control_flow_grad.py is not built yet --------------------------------

COND_OFF_PATH = """
nodes:
  - {name: w, op: variable, value: [1.0, 2.0]}
  - {name: k, op: const, value: [3.0, 4.0]}
  - {name: t, op: const, value: true}
  - {name: flag, op: placeholder_with_default, inputs: [t], shape: []}
  - cond: flag
    name: c
    outputs: [out]
    true_fn: {nodes: [{name: a, op: square, inputs: [k]}], return: [a]}
    false_fn: {nodes: [{name: b, op: neg, inputs: [k]}], return: [b]}
  - {name: m, op: mul, inputs: [out, w]}
  - {name: loss, op: reduce_sum, inputs: [m]}
  - gradients: loss
    xs: [w]
    outputs: [dw]
run: {fetch: [dw], steps: 1}
"""


# (a loop's gradient is built: tests/test_loop_gradients.py)


def test_a_cond_beside_the_path_keeps_its_gradient(spec_file):
    # TF: tf1.gradients([loss], [w]) where the cond's result only multiplies w: TF builds no
    # gradient through the cond; dw is the cond's value, square(k) (the predicate is true)
    result = run_spec(spec_file(COND_OFF_PATH))
    assert values(result, "dw") == [[9.0, 16.0]]


# ---- the gradient kernels added for these gradients --------------------------------------------
KERNELS = """
nodes:
  - {name: y, op: const, value: [[0.5, 2.0, 3.0], [0.25, 1.5, 7.0]]}
  - {name: dy, op: const, value: [[1.0, 0.0, -2.0], [0.3, 3.0, -1.5]]}
  - {name: f, op: const, value: [[-1.0, 0.0, 3.0], [6.0, 5.5, 7.0]]}
  - {name: o, op: const, value: [[-0.5, 0.0, 3.0], [-0.9, 5.5, 7.0]]}
  - {name: sqrt, op: sqrt_grad, inputs: [y, dy]}
  - {name: reciprocal, op: reciprocal_grad, inputs: [y, dy]}
  - {name: relu6, op: relu6_grad, inputs: [dy, f]}
  - {name: elu, op: elu_grad, inputs: [dy, o]}
run: {fetch: [sqrt, reciprocal, relu6, elu], steps: 1}
"""


def test_the_sqrt_reciprocal_relu6_and_elu_gradient_kernels_are_tfs(spec_file):
    # TF: tf.raw_ops.SqrtGrad(y, dy), ReciprocalGrad(y, dy), Relu6Grad(dy, f), EluGrad(dy, o) on
    # these float32 values, bit for bit (0 where dy is 0; relu6's -0.0 where a negative
    # gradient is masked)
    result = run_spec(spec_file(KERNELS))
    want = {"sqrt": [[1.0, 0.0, -0.3333333432674408], [0.6000000238418579, 1.0, -0.1071428582072258]],
            "reciprocal": [[-0.25, 0.0, 18.0], [-0.01875000074505806, -6.75, 73.5]],
            "relu6": [[0.0, 0.0, -2.0], [0.0, 3.0, -0.0]],
            "elu": [[0.5, 0.0, -2.0], [0.030000008642673492, 3.0, -1.5]]}
    for name, value in want.items():
        got = np.asarray(values(result, name)[0], dtype=np.float32)
        assert np.array_equal(got, np.float32(value)), name
        assert np.array_equal(np.signbit(got), np.signbit(np.float32(value))), name


KERNEL_TESTS = {op: test_the_sqrt_reciprocal_relu6_and_elu_gradient_kernels_are_tfs
                for op in ("sqrt_grad", "reciprocal_grad", "relu6_grad", "elu_grad")}


def _regenerate(cases: dict | None = None, variables: dict | None = None, prefixes=grad_prefixes) -> None:
    """Print TF_NODES and TF_VALUES from TF's run of each case's exported program (another
    module's `cases`, `variables` and `prefixes(name)` may be given: test_op_gradients_more.py)."""
    cases = cases or CASES
    from idrun.tf.export_python import export_tf_python
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tf_python = os.environ.get("TF_PYTHON", os.path.join(root, ".venv-tf", "bin", "python"))
    runner = (
        "import contextlib, io, json, sys\n"
        "for path, prefixes in json.loads(sys.argv[1]):\n"
        "    scope = {'__name__': 'x'}\n"
        "    exec(compile(open(path).read(), path, 'exec'), scope)\n"
        "    gd = scope['g'].as_graph_def()\n"
        "    nodes = sorted((n.name, n.op, [i for i in n.input if not i.startswith('^')]\n"
        "                    + sorted(i for i in n.input if i.startswith('^')))\n"
        "                   for n in gd.node if n.name.startswith(tuple(prefixes)))\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        scope['main']()\n"
        "    print(json.dumps({'nodes': nodes, 'values': json.loads(out.getvalue())['steps'][0]['values']}))\n")
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for name in sorted(cases):
            spec = os.path.join(tmp, f"{name}.yaml")
            with open(spec, "w") as f:
                f.write(case_spec(name, cases, variables))
            program = os.path.join(tmp, f"{name}.py")
            with open(program, "w") as f:
                f.write(export_tf_python(spec))
            jobs.append((program, prefixes(name)))
        out = subprocess.run([tf_python, "-c", runner, json.dumps(jobs)], capture_output=True, text=True,
                             check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    nodes, vals = {}, {}
    for name, line in zip(sorted(cases), out.stdout.splitlines()):
        rec = json.loads(line)
        nodes[name] = [list(n) for n in rec["nodes"]]
        vals[name] = rec["values"]
    print("TF_NODES = {")
    for name, table in nodes.items():
        print(f"    {name!r}: [")
        for n in table:
            print(f"        {n!r},")
        print("    ],")
    print("}")
    print("TF_VALUES = {")
    for name, v in vals.items():
        print(f"    {name!r}: {v!r},")
    print("}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    _regenerate()
