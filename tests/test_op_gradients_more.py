"""More ops' registered gradients (their OpDef's `grad`) against TensorFlow 2.21's: Prod, Cumsum,
Cumprod, UnsortedSegmentSum, FloorMod, Fill, MirrorPad(Grad), IdentityN and Print, and the
second-order gradients of the gradient kernels (ReluGrad, SigmoidGrad, ..., AvgPoolGrad).

The pattern is tests/test_op_gradients.py's, whose helpers this module uses: each case is a small
graph, the op under test, `loss = reduce_sum(y * y * y)` (or `y * y`, `y * c`) and `gradients:
loss`. A second-order case builds `gradients: s` inside the case (its `y` is a first gradient),
so the loss's gradient runs through the gradient kernels. TF's side is the program `idrun export
--format tf-python` writes for the same spec, run by tensorflow-cpu 2.21
(`PYTHONPATH=. python tests/test_op_gradients_more.py` prints the tables again). TF_NODES lists the
nodes TF made for the op's own gradient; TF_VALUES is `sess.run(gradients)`.

Values are exact (bit for bit), except the cases in CLOSE: a transcendental (sigmoid, tanh, elu's
exp, rsqrt) or a convolution (Eigen's contraction order) lies on their path; CLOSE gives each
case's relative tolerance and says why.
"""

from __future__ import annotations

import os
import re
import sys

import numpy as np
import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values
from tests.test_op_gradients import VARIABLES as BASE_VARIABLES
from tests.test_op_gradients import case_spec, flat, grad_prefixes, own_nodes

VARIABLES = {
    **BASE_VARIABLES,
    "m": "[[0.5, -1.25, 2.0], [1.5, 0.25, -0.75], [1.0, 2.0, 3.0]]",
    "wz": "[[0.5, 0.0, 2.0], [1.5, 0.25, -0.75]]",
    "sv": "1.5",
    "flt": str([[[[round(0.05 * ((a * 5 + b * 3 + c * 2 + d) % 7) - 0.15, 3) for d in range(2)] for c in range(3)]
                 for b in range(3)] for a in range(3)]),
}
IMG = "{name: cimg, op: const, value: " + VARIABLES["img"] + "}"


def _second(first: list, x: str = "w") -> list:
    """Entries making `y`, the gradient of reduce_sum(r * r) for the variable x, from entries
    making `r` (written with `w` for x)."""
    return [re.sub(r"\bw\b", x, e) for e in first] + [
        "{name: r2, op: mul, inputs: [r, r]}", "{name: s, op: reduce_sum, inputs: [r2]}",
        f"{{gradients: s, xs: [{x}], outputs: [y]}}"]


# name: (variables, the entries making `y` from them, "cube" (y*y*y), "square" (y*y) or "mulc" (y*c))
CASES = {
    "reduce_prod": ("w", ["{name: y, op: reduce_prod, inputs: [w], axis: 1}"], "cube"),
    "reduce_prod_all_with_zero": ("wz", ["{name: y, op: reduce_prod, inputs: [wz], axis: [1, 0]}"], "cube"),
    "reduce_prod_keepdims": ("wz", ["{name: y, op: reduce_prod, inputs: [wz], axis: [0], keepdims: true}"], "cube"),
    "reduce_sum_axes_reversed": ("w", ["{name: y, op: reduce_sum, inputs: [w], axis: [1, 0], keepdims: true}"], "cube"),
    "reduce_sum_scalar_axis": ("v", ["{name: y, op: reduce_sum, inputs: [v], axis: 0}"], "cube"),
    "reduce_mean_negative_axis": ("w", ["{name: y, op: reduce_mean, inputs: [w], axis: -1}"], "cube"),
    "raw_sum_of_fill_grad": ("sv", ["{name: dims, op: const, value: [2, 3]}", "{name: r, op: fill, inputs: [dims, sv]}",
                                    "{name: r2, op: mul, inputs: [r, r]}", "{name: s, op: reduce_sum, inputs: [r2]}",
                                    "{gradients: s, xs: [sv], outputs: [y]}"], "cube"),
    "cumsum": ("w", ["{name: y, op: cumsum, inputs: [w], axis: 1, exclusive: true}"], "cube"),
    "cumsum_reverse": ("w", ["{name: y, op: cumsum, inputs: [w], axis: 0, reverse: true}"], "cube"),
    "cumprod": ("p", ["{name: y, op: cumprod, inputs: [p], axis: 1}"], "cube"),
    "unsorted_segment_sum": ("m", ["{name: ids, op: const, value: [1, -1, 1]}", "{name: num, op: const, value: 3}",
                                   "{name: y, op: unsorted_segment_sum, inputs: [m, ids, num]}"], "cube"),
    "floormod": ("w,v", ["{name: y, op: floormod, inputs: [w, v]}"], "mulc"),
    "fill": ("sv", ["{name: dims, op: const, value: [2, 3]}", "{name: y, op: fill, inputs: [dims, sv]}"], "mulc"),
    "mirror_pad_reflect": ("w", ["{name: pd, op: const, value: [[1, 1], [2, 1]]}",
                                 "{name: y, op: mirror_pad, inputs: [w, pd], mode: REFLECT}"], "cube"),
    "mirror_pad_symmetric": ("w", ["{name: pd, op: const, value: [[1, 2], [0, 3]]}",
                                   "{name: y, op: mirror_pad, inputs: [w, pd], mode: SYMMETRIC}"], "cube"),
    "identity_n": ("w", ["{name: nw, op: neg, inputs: [w]}", "{name: w2, op: square, inputs: [w]}",
                         "{name: idn, op: identity_n, inputs: [w2, nw]}",
                         "{name: y, op: mul, inputs: ['idn:0', w]}"], "cube"),
    "print": ("w", ["{name: y, op: print, inputs: [w, c], message: 'w: '}"], "cube"),
    # second order: the gradient of the gradient kernels
    "relu_grad": ("w", _second(["{name: r, op: relu, inputs: [w]}"]), "cube"),
    "relu6_grad": ("w", _second(["{name: four, op: const, value: 4.0}", "{name: w4, op: mul, inputs: [w, four]}",
                                 "{name: r, op: relu6, inputs: [w4]}"]), "cube"),
    "sigmoid_grad": ("w", _second(["{name: r, op: sigmoid, inputs: [w]}"]), "cube"),
    "tanh_grad": ("w", _second(["{name: r, op: tanh, inputs: [w]}"]), "cube"),
    "reciprocal_grad": ("w", _second(["{name: r, op: reciprocal, inputs: [w]}"]), "cube"),
    "sqrt_grad": ("p", _second(["{name: r, op: sqrt, inputs: [w]}"], "p"), "cube"),
    "rsqrt_grad": ("p", _second(["{name: r, op: rsqrt, inputs: [w]}"], "p"), "cube"),
    "elu_grad": ("w", _second(["{name: r, op: elu, inputs: [w]}"]), "cube"),
    "bias_add_grad": ("v", ["{name: sq, op: mul, inputs: [c, c]}", "{name: vv, op: mul, inputs: [v, v]}",
                            "{name: r, op: bias_add, inputs: [sq, vv]}", "{name: r2, op: mul, inputs: [r, r]}",
                            "{name: s, op: reduce_sum, inputs: [r2]}", "{gradients: s, xs: [v], outputs: [y]}"],
                      "cube"),
    "strided_slice_grad": ("w", _second(["{name: b, op: const, value: [0, 1]}", "{name: e, op: const, value: [2, 3]}",
                                         "{name: st, op: const, value: [1, 1]}",
                                         "{name: r, op: strided_slice, inputs: [w, b, e, st]}"]), "cube"),
    "avg_pool_grad": ("img", _second(["{name: sq, op: mul, inputs: [w, w]}",
                                      "{name: r, op: avg_pool, inputs: [sq], ksize: [3, 3], strides: [2, 2], "
                                      "padding: SAME}"], "img"), "cube"),
    "max_pool_grad_valid": ("img", _second(["{name: r, op: max_pool, inputs: [w], ksize: [2, 2], strides: [2, 2], "
                                            "padding: VALID}"], "img"), "cube"),
    # (strides 2: where the output is the input's shape, TF's kernel may take the gradient's buffer
    # for its output and zero it before reading it, giving zeros: see the kernel test below)
    "max_pool_grad_same": ("img", _second(["{name: r, op: max_pool, inputs: [w], ksize: [3, 3], strides: [2, 2], "
                                           "padding: SAME}"], "img"), "cube"),
    "conv2d_backprop_input": ("img", _second(["{name: sq, op: mul, inputs: [w, w]}",
                                              "{name: f, op: const, value: " + VARIABLES["flt"] + "}",
                                              "{name: r, op: conv2d, inputs: [sq, f], strides: [1, 1], "
                                              "padding: SAME}"], "img"), "cube"),
    "conv2d_backprop_filter": ("flt", _second(["{name: sq, op: mul, inputs: [w, w]}", IMG,
                                               "{name: r, op: conv2d, inputs: [cimg, sq], strides: [2, 2], "
                                               "padding: VALID}"], "flt"), "cube"),
}
# rel tolerance where TF's kernels round differently: sigmoid's, rsqrt's and elu's exp agree to
# an ulp or two, the convolutions to Eigen's contraction order; numpy's tanh and Eigen's rational
# tanh differ by an ulp, which the second derivative's `1 - 2 * y * y` cancellation grows to 3e-6
CLOSE = {"sigmoid_grad": 2e-6, "rsqrt_grad": 2e-6, "elu_grad": 2e-6, "conv2d_backprop_input": 2e-6,
         "conv2d_backprop_filter": 2e-6, "tanh_grad": 1e-5}
# the scopes of the op under test's gradient, where the case's own ops do not name them
SECOND = {"relu_grad": "r_grad/ReluGrad", "relu6_grad": "r_grad/Relu6Grad", "sigmoid_grad": "r_grad/SigmoidGrad",
          "tanh_grad": "r_grad/TanhGrad", "reciprocal_grad": "r_grad/ReciprocalGrad",
          "sqrt_grad": "r_grad/SqrtGrad", "rsqrt_grad": "r_grad/RsqrtGrad", "elu_grad": "r_grad/EluGrad",
          "avg_pool_grad": "r_grad/AvgPoolGrad", "max_pool_grad_valid": "r_grad/MaxPoolGrad",
          "max_pool_grad_same": "r_grad/MaxPoolGrad", "bias_add_grad": "r_grad/BiasAddGrad",
          "strided_slice_grad": "r_grad/StridedSliceGrad", "raw_sum_of_fill_grad": "r_grad/Sum", "conv2d_backprop_input": "r_grad/Conv2DBackpropInput",
          "conv2d_backprop_filter": "r_grad/Conv2DBackpropFilter"}


def prefixes(name: str) -> tuple:
    if name in SECOND:
        return (f"gradients_1/gradients/{SECOND[name]}",)
    return grad_prefixes(name, CASES)


def spec(name: str) -> str:
    return case_spec(name, CASES, VARIABLES)


# ---- TF 2.21's tables (generated; see the module docstring) -----------------------------------
TF_NODES = {
    'avg_pool_grad': [
        ['gradients_1/gradients/r_grad/AvgPoolGrad_grad/AvgPool', 'AvgPool', ['gradients_1/AddN_1']],
        ['gradients_1/gradients/r_grad/AvgPoolGrad_grad/StopGradient', 'StopGradient', ['gradients/r_grad/Shape']],
    ],
    'bias_add_grad': [
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/Reshape', 'Reshape', ['gradients_1/AddN_1', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/concat']],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/Shape', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/Shape_1', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/Tile', 'Tile', ['gradients_1/gradients/r_grad/BiasAddGrad_grad/Reshape', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/concat_1']],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/concat', 'ConcatV2', ['gradients_1/gradients/r_grad/BiasAddGrad_grad/ones_like', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/Shape_1', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/concat/axis']],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/concat/axis', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/concat_1', 'ConcatV2', ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/concat_1/values_1', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/concat_1/axis']],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/concat_1/axis', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/concat_1/values_1', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/ones_like', 'Fill', ['gradients_1/gradients/r_grad/BiasAddGrad_grad/ones_like/Shape/shape_as_tensor', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/ones_like/Const']],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/ones_like/Const', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/ones_like/Shape/shape_as_tensor', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice', 'StridedSlice', ['gradients_1/gradients/r_grad/BiasAddGrad_grad/Shape', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice/stack', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice/stack_1', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice/stack_2']],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice/stack', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice/stack_1', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice/stack_2', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1', 'StridedSlice', ['gradients_1/gradients/r_grad/BiasAddGrad_grad/Shape', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1/stack', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1/stack_1', 'gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1/stack_2']],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1/stack', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1/stack_1', 'Const', []],
        ['gradients_1/gradients/r_grad/BiasAddGrad_grad/strided_slice_1/stack_2', 'Const', []],
    ],
    'conv2d_backprop_filter': [
        ['gradients_1/gradients/r_grad/Conv2DBackpropFilter_grad/Conv2D', 'Conv2D', ['cimg', 'gradients_1/AddN_1']],
        ['gradients_1/gradients/r_grad/Conv2DBackpropFilter_grad/Conv2DBackpropInput', 'Conv2DBackpropInput', ['gradients_1/gradients/r_grad/Conv2DBackpropFilter_grad/Shape', 'gradients_1/AddN_1', 'gradients/AddN']],
        ['gradients_1/gradients/r_grad/Conv2DBackpropFilter_grad/Shape', 'Const', []],
    ],
    'conv2d_backprop_input': [
        ['gradients_1/gradients/r_grad/Conv2DBackpropInput_grad/Conv2D', 'Conv2D', ['gradients_1/AddN_1', 'f']],
        ['gradients_1/gradients/r_grad/Conv2DBackpropInput_grad/Conv2DBackpropFilter', 'Conv2DBackpropFilter', ['gradients_1/AddN_1', 'gradients_1/gradients/r_grad/Conv2DBackpropInput_grad/Shape', 'gradients/AddN']],
        ['gradients_1/gradients/r_grad/Conv2DBackpropInput_grad/Shape', 'Const', []],
    ],
    'cumprod': [
        ['gradients/y_grad/Cumprod', 'Cumprod', ['y/ReadVariableOp', 'y/axis']],
        ['gradients/y_grad/Cumsum', 'Cumsum', ['gradients/y_grad/mul', 'y/axis']],
        ['gradients/y_grad/div_no_nan', 'DivNoNan', ['gradients/y_grad/Cumsum', 'y/ReadVariableOp']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/Cumprod', 'gradients/AddN']],
    ],
    'cumsum': [
        ['gradients/y_grad/Cumsum', 'Cumsum', ['gradients/AddN', 'y/axis']],
    ],
    'cumsum_reverse': [
        ['gradients/y_grad/Cumsum', 'Cumsum', ['gradients/AddN', 'y/axis']],
    ],
    'elu_grad': [
        ['gradients_1/gradients/r_grad/EluGrad_grad/EluGrad', 'EluGrad', ['gradients_1/AddN', 'r']],
        ['gradients_1/gradients/r_grad/EluGrad_grad/Less', 'Less', ['r', 'gradients_1/gradients/r_grad/EluGrad_grad/Less/y']],
        ['gradients_1/gradients/r_grad/EluGrad_grad/Less/y', 'Const', []],
        ['gradients_1/gradients/r_grad/EluGrad_grad/Select', 'Select', ['gradients_1/gradients/r_grad/EluGrad_grad/Less', 'gradients_1/gradients/r_grad/EluGrad_grad/mul', 'gradients_1/gradients/r_grad/EluGrad_grad/zeros_like']],
        ['gradients_1/gradients/r_grad/EluGrad_grad/mul', 'Mul', ['gradients_1/AddN', 'gradients/AddN']],
        ['gradients_1/gradients/r_grad/EluGrad_grad/zeros_like', 'Const', []],
    ],
    'fill': [
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/z_grad/Mul', 'gradients/y_grad/Const']],
    ],
    'floormod': [
        ['gradients/y_grad/FloorDiv', 'FloorDiv', ['y/ReadVariableOp', 'y/ReadVariableOp_1']],
        ['gradients/y_grad/Neg', 'Neg', ['gradients/y_grad/FloorDiv']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/Sum', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Sum', 'Sum', ['gradients/y_grad/mul', 'gradients/y_grad/Sum/reduction_indices']],
        ['gradients/y_grad/Sum/reduction_indices', 'Const', []],
        ['gradients/y_grad/mul', 'Mul', ['gradients/z_grad/Mul', 'gradients/y_grad/Neg']],
    ],
    'identity_n': [
        ['gradients/nw_grad/Neg', 'Neg', ['gradients/zeros_like']],
        ['gradients/w2_grad/Const', 'Const', ['^gradients/y_grad/Mul']],
        ['gradients/w2_grad/Mul', 'Mul', ['w2/ReadVariableOp', 'gradients/w2_grad/Const']],
        ['gradients/w2_grad/Mul_1', 'Mul', ['gradients/y_grad/Mul', 'gradients/w2_grad/Mul']],
        ['gradients/y_grad/Mul', 'Mul', ['gradients/AddN', 'y/ReadVariableOp']],
        ['gradients/y_grad/Mul_1', 'Mul', ['gradients/AddN', 'idn']],
    ],
    'max_pool_grad_same': [
        ['gradients_1/gradients/r_grad/MaxPoolGrad_grad/MaxPoolGradGrad', 'MaxPoolGradGrad', ['r/ReadVariableOp', 'r', 'gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/MaxPoolGrad_grad/zeros_like', 'Const', []],
        ['gradients_1/gradients/r_grad/MaxPoolGrad_grad/zeros_like_1', 'Const', []],
    ],
    'max_pool_grad_valid': [
        ['gradients_1/gradients/r_grad/MaxPoolGrad_grad/MaxPoolGradGrad', 'MaxPoolGradGrad', ['r/ReadVariableOp', 'r', 'gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/MaxPoolGrad_grad/zeros_like', 'Const', []],
        ['gradients_1/gradients/r_grad/MaxPoolGrad_grad/zeros_like_1', 'Const', []],
    ],
    'mirror_pad_reflect': [
        ['gradients/y_grad/MirrorPadGrad', 'MirrorPadGrad', ['gradients/AddN', 'pd']],
    ],
    'mirror_pad_symmetric': [
        ['gradients/y_grad/MirrorPadGrad', 'MirrorPadGrad', ['gradients/AddN', 'pd']],
    ],
    'print': [
    ],
    'raw_sum_of_fill_grad': [
        ['gradients_1/gradients/r_grad/Sum_grad/Const', 'Const', []],
        ['gradients_1/gradients/r_grad/Sum_grad/Reshape', 'Reshape', ['gradients_1/AddN', 'gradients_1/gradients/r_grad/Sum_grad/Reshape/shape']],
        ['gradients_1/gradients/r_grad/Sum_grad/Reshape/shape', 'Const', []],
        ['gradients_1/gradients/r_grad/Sum_grad/Tile', 'Tile', ['gradients_1/gradients/r_grad/Sum_grad/Reshape', 'gradients_1/gradients/r_grad/Sum_grad/Const']],
    ],
    'reciprocal_grad': [
        ['gradients_1/gradients/r_grad/ReciprocalGrad_grad/ReciprocalGrad', 'ReciprocalGrad', ['r', 'gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/ReciprocalGrad_grad/mul', 'Mul', ['gradients_1/AddN', 'gradients_1/gradients/r_grad/ReciprocalGrad_grad/mul/y']],
        ['gradients_1/gradients/r_grad/ReciprocalGrad_grad/mul/y', 'Const', ['^gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/ReciprocalGrad_grad/mul_1', 'Mul', ['gradients_1/gradients/r_grad/ReciprocalGrad_grad/mul', 'gradients/AddN']],
        ['gradients_1/gradients/r_grad/ReciprocalGrad_grad/mul_2', 'Mul', ['gradients_1/gradients/r_grad/ReciprocalGrad_grad/mul_1', 'r']],
    ],
    'reduce_mean_negative_axis': [
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Maximum', 'Maximum', ['gradients/y_grad/Maximum/x', 'gradients/y_grad/Maximum/y']],
        ['gradients/y_grad/Maximum/x', 'Const', []],
        ['gradients/y_grad/Maximum/y', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Tile', 'Tile', ['gradients/y_grad/Reshape', 'gradients/y_grad/Tile/multiples']],
        ['gradients/y_grad/Tile/multiples', 'Const', []],
        ['gradients/y_grad/floordiv', 'FloorDiv', ['gradients/y_grad/floordiv/x', 'gradients/y_grad/Maximum']],
        ['gradients/y_grad/floordiv/x', 'Const', []],
        ['gradients/y_grad/truediv', 'RealDiv', ['gradients/y_grad/Tile', 'gradients/y_grad/Const']],
    ],
    'reduce_prod': [
        ['gradients/y_grad/BroadcastTo', 'BroadcastTo', ['gradients/y_grad/Reshape_1', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Const_1', 'Const', []],
        ['gradients/y_grad/Cumprod', 'Cumprod', ['gradients/y_grad/Reshape_2', 'gradients/y_grad/Cumprod/axis']],
        ['gradients/y_grad/Cumprod/axis', 'Const', []],
        ['gradients/y_grad/Cumprod_1', 'Cumprod', ['gradients/y_grad/Reshape_2', 'gradients/y_grad/Cumprod_1/axis']],
        ['gradients/y_grad/Cumprod_1/axis', 'Const', []],
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/mod', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/GatherV2_1', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/ListDiff', 'gradients/y_grad/GatherV2_1/axis']],
        ['gradients/y_grad/GatherV2_1/axis', 'Const', []],
        ['gradients/y_grad/InvertPermutation', 'InvertPermutation', ['gradients/y_grad/concat']],
        ['gradients/y_grad/ListDiff', 'ListDiff', ['gradients/y_grad/range', 'gradients/y_grad/mod']],
        ['gradients/y_grad/Prod', 'Prod', ['gradients/y_grad/GatherV2', 'gradients/y_grad/Const']],
        ['gradients/y_grad/Prod_1', 'Prod', ['gradients/y_grad/GatherV2_1', 'gradients/y_grad/Const_1']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['y/reduction_indices', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Reshape_1/shape']],
        ['gradients/y_grad/Reshape_1/shape', 'Const', []],
        ['gradients/y_grad/Reshape_2', 'Reshape', ['gradients/y_grad/transpose', 'gradients/y_grad/Reshape_2/shape']],
        ['gradients/y_grad/Reshape_2/shape', 'Pack', ['gradients/y_grad/Prod', 'gradients/y_grad/Prod_1']],
        ['gradients/y_grad/Reshape_3', 'Reshape', ['gradients/y_grad/mul', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Reshape_4', 'Reshape', ['gradients/y_grad/mul_1', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/add', 'AddV2', ['gradients/y_grad/Reshape', 'gradients/y_grad/Rank']],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/mod', 'gradients/y_grad/ListDiff', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/mod', 'FloorMod', ['gradients/y_grad/add', 'gradients/y_grad/Rank']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/Cumprod', 'gradients/y_grad/Cumprod_1']],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/BroadcastTo', 'gradients/y_grad/transpose_1']],
        ['gradients/y_grad/range', 'Range', ['gradients/y_grad/range/start', 'gradients/y_grad/Rank', 'gradients/y_grad/range/delta']],
        ['gradients/y_grad/range/delta', 'Const', []],
        ['gradients/y_grad/range/start', 'Const', []],
        ['gradients/y_grad/transpose', 'Transpose', ['y/ReadVariableOp', 'gradients/y_grad/concat']],
        ['gradients/y_grad/transpose_1', 'Transpose', ['gradients/y_grad/Reshape_3', 'gradients/y_grad/InvertPermutation']],
    ],
    'reduce_prod_all_with_zero': [
        ['gradients/y_grad/BroadcastTo', 'BroadcastTo', ['gradients/y_grad/Reshape_1', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Const_1', 'Const', []],
        ['gradients/y_grad/Cumprod', 'Cumprod', ['gradients/y_grad/Reshape_2', 'gradients/y_grad/Cumprod/axis']],
        ['gradients/y_grad/Cumprod/axis', 'Const', []],
        ['gradients/y_grad/Cumprod_1', 'Cumprod', ['gradients/y_grad/Reshape_2', 'gradients/y_grad/Cumprod_1/axis']],
        ['gradients/y_grad/Cumprod_1/axis', 'Const', []],
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/mod', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/GatherV2_1', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/ListDiff', 'gradients/y_grad/GatherV2_1/axis']],
        ['gradients/y_grad/GatherV2_1/axis', 'Const', []],
        ['gradients/y_grad/InvertPermutation', 'InvertPermutation', ['gradients/y_grad/concat']],
        ['gradients/y_grad/ListDiff', 'ListDiff', ['gradients/y_grad/range', 'gradients/y_grad/mod']],
        ['gradients/y_grad/Prod', 'Prod', ['gradients/y_grad/GatherV2', 'gradients/y_grad/Const']],
        ['gradients/y_grad/Prod_1', 'Prod', ['gradients/y_grad/GatherV2_1', 'gradients/y_grad/Const_1']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['y/reduction_indices', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Reshape_1/shape']],
        ['gradients/y_grad/Reshape_1/shape', 'Const', []],
        ['gradients/y_grad/Reshape_2', 'Reshape', ['gradients/y_grad/transpose', 'gradients/y_grad/Reshape_2/shape']],
        ['gradients/y_grad/Reshape_2/shape', 'Pack', ['gradients/y_grad/Prod', 'gradients/y_grad/Prod_1']],
        ['gradients/y_grad/Reshape_3', 'Reshape', ['gradients/y_grad/mul', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Reshape_4', 'Reshape', ['gradients/y_grad/mul_1', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/add', 'AddV2', ['gradients/y_grad/Reshape', 'gradients/y_grad/Rank']],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/mod', 'gradients/y_grad/ListDiff', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/mod', 'FloorMod', ['gradients/y_grad/add', 'gradients/y_grad/Rank']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/Cumprod', 'gradients/y_grad/Cumprod_1']],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/BroadcastTo', 'gradients/y_grad/transpose_1']],
        ['gradients/y_grad/range', 'Range', ['gradients/y_grad/range/start', 'gradients/y_grad/Rank', 'gradients/y_grad/range/delta']],
        ['gradients/y_grad/range/delta', 'Const', []],
        ['gradients/y_grad/range/start', 'Const', []],
        ['gradients/y_grad/transpose', 'Transpose', ['y/ReadVariableOp', 'gradients/y_grad/concat']],
        ['gradients/y_grad/transpose_1', 'Transpose', ['gradients/y_grad/Reshape_3', 'gradients/y_grad/InvertPermutation']],
    ],
    'reduce_prod_keepdims': [
        ['gradients/y_grad/BroadcastTo', 'BroadcastTo', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Const_1', 'Const', []],
        ['gradients/y_grad/Cumprod', 'Cumprod', ['gradients/y_grad/Reshape_1', 'gradients/y_grad/Cumprod/axis']],
        ['gradients/y_grad/Cumprod/axis', 'Const', []],
        ['gradients/y_grad/Cumprod_1', 'Cumprod', ['gradients/y_grad/Reshape_1', 'gradients/y_grad/Cumprod_1/axis']],
        ['gradients/y_grad/Cumprod_1/axis', 'Const', []],
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/mod', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/GatherV2_1', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/ListDiff', 'gradients/y_grad/GatherV2_1/axis']],
        ['gradients/y_grad/GatherV2_1/axis', 'Const', []],
        ['gradients/y_grad/InvertPermutation', 'InvertPermutation', ['gradients/y_grad/concat']],
        ['gradients/y_grad/ListDiff', 'ListDiff', ['gradients/y_grad/range', 'gradients/y_grad/mod']],
        ['gradients/y_grad/Prod', 'Prod', ['gradients/y_grad/GatherV2', 'gradients/y_grad/Const']],
        ['gradients/y_grad/Prod_1', 'Prod', ['gradients/y_grad/GatherV2_1', 'gradients/y_grad/Const_1']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['y/reduction_indices', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/y_grad/transpose', 'gradients/y_grad/Reshape_1/shape']],
        ['gradients/y_grad/Reshape_1/shape', 'Pack', ['gradients/y_grad/Prod', 'gradients/y_grad/Prod_1']],
        ['gradients/y_grad/Reshape_2', 'Reshape', ['gradients/y_grad/mul', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Reshape_3', 'Reshape', ['gradients/y_grad/mul_1', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/add', 'AddV2', ['gradients/y_grad/Reshape', 'gradients/y_grad/Rank']],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/mod', 'gradients/y_grad/ListDiff', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/mod', 'FloorMod', ['gradients/y_grad/add', 'gradients/y_grad/Rank']],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/Cumprod', 'gradients/y_grad/Cumprod_1']],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/BroadcastTo', 'gradients/y_grad/transpose_1']],
        ['gradients/y_grad/range', 'Range', ['gradients/y_grad/range/start', 'gradients/y_grad/Rank', 'gradients/y_grad/range/delta']],
        ['gradients/y_grad/range/delta', 'Const', []],
        ['gradients/y_grad/range/start', 'Const', []],
        ['gradients/y_grad/transpose', 'Transpose', ['y/ReadVariableOp', 'gradients/y_grad/concat']],
        ['gradients/y_grad/transpose_1', 'Transpose', ['gradients/y_grad/Reshape_2', 'gradients/y_grad/InvertPermutation']],
    ],
    'reduce_sum_axes_reversed': [
        ['gradients/y_grad/Maximum', 'Maximum', ['gradients/y_grad/Maximum/x', 'gradients/y_grad/Maximum/y']],
        ['gradients/y_grad/Maximum/x', 'Const', []],
        ['gradients/y_grad/Maximum/y', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Tile', 'Tile', ['gradients/y_grad/Reshape', 'gradients/y_grad/Tile/multiples']],
        ['gradients/y_grad/Tile/multiples', 'Const', []],
        ['gradients/y_grad/floordiv', 'FloorDiv', ['gradients/y_grad/floordiv/x', 'gradients/y_grad/Maximum']],
        ['gradients/y_grad/floordiv/x', 'Const', []],
    ],
    'reduce_sum_scalar_axis': [
        ['gradients/y_grad/Maximum', 'Maximum', ['gradients/y_grad/Maximum/x', 'gradients/y_grad/Maximum/y']],
        ['gradients/y_grad/Maximum/x', 'Const', []],
        ['gradients/y_grad/Maximum/y', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Reshape/shape']],
        ['gradients/y_grad/Reshape/shape', 'Const', []],
        ['gradients/y_grad/Tile', 'Tile', ['gradients/y_grad/Reshape', 'gradients/y_grad/Tile/multiples']],
        ['gradients/y_grad/Tile/multiples', 'Const', []],
        ['gradients/y_grad/floordiv', 'FloorDiv', ['gradients/y_grad/floordiv/x', 'gradients/y_grad/Maximum']],
        ['gradients/y_grad/floordiv/x', 'Const', []],
    ],
    'relu6_grad': [
        ['gradients_1/gradients/r_grad/Relu6Grad_grad/Relu6Grad', 'Relu6Grad', ['gradients_1/gradients/w4_grad/Mul_grad/Mul', 'r']],
        ['gradients_1/gradients/r_grad/Relu6Grad_grad/zeros_like', 'Const', []],
    ],
    'relu_grad': [
        ['gradients_1/gradients/r_grad/ReluGrad_grad/ReluGrad', 'ReluGrad', ['gradients_1/AddN', 'r']],
        ['gradients_1/gradients/r_grad/ReluGrad_grad/zeros_like', 'Const', []],
    ],
    'rsqrt_grad': [
        ['gradients_1/gradients/r_grad/RsqrtGrad_grad/RsqrtGrad', 'RsqrtGrad', ['r', 'gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/RsqrtGrad_grad/Square', 'Square', ['r', '^gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/RsqrtGrad_grad/mul', 'Mul', ['gradients_1/gradients/r_grad/RsqrtGrad_grad/mul/x', 'gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/RsqrtGrad_grad/mul/x', 'Const', ['^gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/RsqrtGrad_grad/mul_1', 'Mul', ['gradients_1/gradients/r_grad/RsqrtGrad_grad/mul', 'gradients/AddN']],
        ['gradients_1/gradients/r_grad/RsqrtGrad_grad/mul_2', 'Mul', ['gradients_1/gradients/r_grad/RsqrtGrad_grad/mul_1', 'gradients_1/gradients/r_grad/RsqrtGrad_grad/Square']],
    ],
    'sigmoid_grad': [
        ['gradients_1/gradients/r_grad/SigmoidGrad_grad/SigmoidGrad', 'SigmoidGrad', ['r', 'gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/SigmoidGrad_grad/mul', 'Mul', ['gradients_1/AddN', 'gradients/AddN']],
        ['gradients_1/gradients/r_grad/SigmoidGrad_grad/mul_1', 'Mul', ['gradients_1/gradients/r_grad/SigmoidGrad_grad/mul_1/x', 'gradients_1/gradients/r_grad/SigmoidGrad_grad/mul']],
        ['gradients_1/gradients/r_grad/SigmoidGrad_grad/mul_1/x', 'Const', ['^gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/SigmoidGrad_grad/mul_2', 'Mul', ['gradients_1/gradients/r_grad/SigmoidGrad_grad/mul_1', 'r']],
        ['gradients_1/gradients/r_grad/SigmoidGrad_grad/sub', 'Sub', ['gradients_1/gradients/r_grad/SigmoidGrad_grad/mul', 'gradients_1/gradients/r_grad/SigmoidGrad_grad/mul_2']],
    ],
    'sqrt_grad': [
        ['gradients_1/gradients/r_grad/SqrtGrad_grad/Neg', 'Neg', ['gradients_1/gradients/r_grad/SqrtGrad_grad/truediv']],
        ['gradients_1/gradients/r_grad/SqrtGrad_grad/mul', 'Mul', ['gradients_1/gradients/r_grad/SqrtGrad_grad/Neg', 'gradients/r_grad/SqrtGrad']],
        ['gradients_1/gradients/r_grad/SqrtGrad_grad/mul_1', 'Mul', ['gradients_1/gradients/r_grad/SqrtGrad_grad/mul_1/x', 'gradients_1/gradients/r_grad/SqrtGrad_grad/truediv']],
        ['gradients_1/gradients/r_grad/SqrtGrad_grad/mul_1/x', 'Const', ['^gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/SqrtGrad_grad/truediv', 'RealDiv', ['gradients_1/AddN', 'r']],
    ],
    'strided_slice_grad': [
        ['gradients_1/gradients/r_grad/StridedSliceGrad_grad/StridedSlice', 'StridedSlice', ['gradients_1/AddN', 'gradients/r_grad/StridedSliceGrad/begin', 'gradients/r_grad/StridedSliceGrad/end', 'gradients/r_grad/StridedSliceGrad/strides']],
    ],
    'tanh_grad': [
        ['gradients_1/gradients/r_grad/TanhGrad_grad/TanhGrad', 'TanhGrad', ['r', 'gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/TanhGrad_grad/mul', 'Mul', ['gradients_1/AddN', 'gradients_1/gradients/r_grad/TanhGrad_grad/mul/y']],
        ['gradients_1/gradients/r_grad/TanhGrad_grad/mul/y', 'Const', ['^gradients_1/AddN']],
        ['gradients_1/gradients/r_grad/TanhGrad_grad/mul_1', 'Mul', ['gradients_1/gradients/r_grad/TanhGrad_grad/mul', 'gradients/AddN']],
        ['gradients_1/gradients/r_grad/TanhGrad_grad/mul_2', 'Mul', ['gradients_1/gradients/r_grad/TanhGrad_grad/mul_1', 'r']],
    ],
    'unsorted_segment_sum': [
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/AddN', 'gradients/y_grad/Maximum', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/GreaterEqual', 'GreaterEqual', ['ids', 'gradients/y_grad/GreaterEqual/y']],
        ['gradients/y_grad/GreaterEqual/y', 'Const', []],
        ['gradients/y_grad/Maximum', 'Maximum', ['ids', 'gradients/y_grad/zeros_like']],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Rank_1', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/y_grad/GreaterEqual', 'gradients/y_grad/concat']],
        ['gradients/y_grad/SelectV2', 'SelectV2', ['gradients/y_grad/and', 'gradients/y_grad/GatherV2', 'gradients/y_grad/zeros_like_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/and', 'LogicalAnd', ['gradients/y_grad/Reshape', 'gradients/y_grad/ones_like']],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/Shape', 'gradients/y_grad/ones', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/ones', 'Fill', ['gradients/y_grad/ones/packed', 'gradients/y_grad/ones/Const']],
        ['gradients/y_grad/ones/Const', 'Const', []],
        ['gradients/y_grad/ones/packed', 'Pack', ['gradients/y_grad/sub']],
        ['gradients/y_grad/ones_like', 'Fill', ['gradients/y_grad/ones_like/Shape/shape_as_tensor', 'gradients/y_grad/ones_like/Const']],
        ['gradients/y_grad/ones_like/Const', 'Const', []],
        ['gradients/y_grad/ones_like/Shape/shape_as_tensor', 'Const', []],
        ['gradients/y_grad/sub', 'Sub', ['gradients/y_grad/Rank', 'gradients/y_grad/Rank_1']],
        ['gradients/y_grad/zeros_like', 'Const', []],
        ['gradients/y_grad/zeros_like_1', 'Const', []],
    ],
}
TF_VALUES = {
    'avg_pool_grad': {'dimg': [[[[-0.0016336278, -1.3595931e-05, 0.0010785869], [-0.0004192454, -2.8687733e-05, -0.00030172386], [0.0028568439, 0.00057752075, 0.00040709367], [0.0047662384, -4.592898e-05, 0.0009475155]], [[0.0013010901, 6.6483786e-05, 0.0003306264], [0.002667211, 0.0, 0.0008807583], [-0.0023887882, 0.00054834166, -0.00069034734], [0.0009014893, 0.0007954113, 0.0]], [[-0.0013711732, 0.003259629, -0.0008485256], [0.0031222417, -0.0012393642, 0.0005456734], [0.0491634, -0.0009792575, 0.015145952], [-0.0065665087, 0.003494779, -0.0006413949]], [[0.0066000232, 0.0, 0.001906746], [-0.001964346, 0.0019100942, -0.0009797266], [0.0033291664, 0.019783607, 0.0], [0.009210055, -0.0024233023, 0.0018325364]]]]},
    'bias_add_grad': {'dv': [42.749863, 3505950.0, 6198.044]},
    'conv2d_backprop_filter': {'dflt': [[[[3.4210952e-06, 1.9483223e-05], [-3.437385e-07, 0.0], [2.3394455e-06, 0.000111048255]], [[-0.0, -4.599003e-06], [3.0793308e-06, 9.216594e-05], [1.9800752e-06, 1.6035721e-05]], [[2.1597605e-06, -2.2480053e-05], [2.4404503e-06, 1.3937684e-05], [0.0, 4.599003e-06]]], [[[2.2046818e-06, 5.673292e-05], [2.8016582e-06, 2.0119762e-05], [-6.7999014e-07, 0.0]], [[-3.061725e-06, -1.3038887e-05], [0.0, 0.0], [4.0737696e-06, 0.00014176068]], [[-6.9995514e-07, -2.0231795e-05], [3.4080956e-06, -2.4868988e-05], [1.935154e-06, 1.1830099e-05]]], [[[-0.0, -4.599003e-06], [3.0793308e-06, 9.216594e-05], [1.9800752e-06, 1.6035721e-05]], [[2.1597605e-06, -2.2480053e-05], [2.4404503e-06, 1.3937684e-05], [0.0, 4.599003e-06]], [[-1.5689549e-06, 0.0], [-3.4623415e-07, -9.329134e-06], [4.858576e-06, -1.6636612e-05]]]]},
    'conv2d_backprop_input': {'dimg': [[[[-0.0046680574, 0.0007231721, -0.011380165], [0.00087291456, -0.01754748, -0.0017042041], [-0.007705312, -0.015110202, 0.00017482499], [0.037428107, 0.0017260357, -0.011003352]], [[-0.013307865, -0.0013278294, 0.0035014497], [0.12925047, 0.0, -0.046839062], [0.012953865, -0.029578306, -0.022623599], [-0.0012020678, 0.13959523, -0.0]], [[-0.0013906616, -0.018627457, 0.0013737266], [-0.017120851, -0.0077737365, 3.300351e-05], [0.1957396, 0.0060679223, -0.044658147], [0.02108223, -0.007782966, -0.03271397]], [[0.023289835, 0.0, -0.017468989], [0.0043125143, -0.021490073, -0.011442774], [-0.0047627264, 0.15403321, -0.0], [0.009961227, 0.012181679, -0.010545763]]]]},
    'cumprod': {'dp': [[13.933594, 5.2734375, 2.9296875], [6.8999634, 0.8997803, 0.08898926]]},
    'cumsum': {'dw': [[2.4375, 1.6875, 0.0], [15.9375, 9.1875, 0.0]]},
    'cumsum_reverse': {'dw': [[12.0, 3.0, 4.6875], [18.75, 3.1875, 6.375]]},
    'elu_grad': {'dw': [[6.0, -0.12268943, 96.0], [54.0, 1.5, -0.038920455]]},
    'fill': {'dsv': 1.25},
    'floormod': {'dw': [[1.0, -2.0, 0.5], [0.25, 3.0, -1.5]], 'dv': [-2.25, 3.0, -4.0]},
    'identity_n': {'dw': [[0.03515625, 53.64418, 2304.0], [230.66016, 0.0001373291, 0.90101624]]},
    'max_pool_grad_same': {'dimg': [[[[0.0, 0.0, 8.64], [0.0, 3.8400002, 0.0], [0.0, 0.0, 0.0], [6.0, 0.0, 3.8400002]], [[0.0, 0.0, 0.0], [8.64, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 8.64, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [6.0, 0.0, 3.8400002], [0.0, 0.0, 0.0]], [[8.64, 0.0, 6.0], [0.0, 0.0, 0.0], [0.0, 69.12, 0.0], [0.0, 0.0, 0.0]]]]},
    'max_pool_grad_valid': {'dimg': [[[[0.0, 0.0, 8.64], [0.0, 3.8400002, 0.0], [0.0, 0.0, 0.0], [6.0, 0.0, 3.8400002]], [[0.0, 0.0, 0.0], [8.64, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 8.64, 0.0]], [[0.0, 3.8400002, 0.0], [0.0, 0.0, 0.0], [6.0, 0.0, 3.8400002], [0.0, 0.0, 0.0]], [[8.64, 0.0, 6.0], [0.0, 0.0, 0.0], [0.0, 8.64, 0.0], [0.0, 0.0, 0.0]]]]},
    'mirror_pad_reflect': {'dw': [[1.5, 28.125, 48.0], [13.5, 1.125, 6.75]]},
    'mirror_pad_symmetric': {'dw': [[4.5, 28.125, 72.0], [27.0, 0.75, 6.75]]},
    'print': {'dw': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'raw_sum_of_fill_grad': {'dsv': 11664.0},
    'reciprocal_grad': {'dw': [[73728.0, 7.7309437, 0.0703125], [1.2485907, 75497470.0, 1278.5569]]},
    'reduce_mean_negative_axis': {'dw': [[0.1736111, 0.1736111, 0.1736111], [0.11111113, 0.11111113, 0.11111113]]},
    'reduce_prod': {'dw': [[-11.71875, 4.6875, -2.9296875], [-0.04449463, -0.26696777, 0.08898926]]},
    'reduce_prod_all_with_zero': {'dwz': [[-0.0, -0.0, -0.0], [-0.0, -0.0, 0.0]]},
    'reduce_prod_keepdims': {'dwz': [[2.53125, 0.0, -5.0625], [0.84375, 0.0, 13.5]]},
    'reduce_sum_axes_reversed': {'dw': [[15.1875, 15.1875, 15.1875], [15.1875, 15.1875, 15.1875]]},
    'reduce_sum_scalar_axis': {'dv': [0.7500002, 0.7500002, 0.7500002]},
    'relu6_grad': {'dw': [[24576.0, 0.0, 0.0], [0.0, 6144.0, 0.0]]},
    'relu_grad': {'dw': [[6.0, 0.0, 96.0], [54.0, 1.5, 0.0]]},
    'rsqrt_grad': {'dp': [[767.9997, 1.2582906, 0.04687498], [0.35116586, 98304.0, 44.94923]]},
    'sigmoid_grad': {'dw': [[0.009962851, 0.0018313507, -0.012193452], [-0.01969994, 0.019931557, 0.008506398]]},
    'sqrt_grad': {'dp': [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]},
    'strided_slice_grad': {'dw': [[0.0, 37.5, 96.0], [0.0, 1.5, 13.5]]},
    'tanh_grad': {'dw': [[0.89584845, -0.4412533, -0.014064385], [-0.16915856, 0.9806106, -0.432217]]},
    'unsorted_segment_sum': {'dm': [[6.75, 1.6875, 75.0], [0.0, 0.0, 0.0], [6.75, 1.6875, 75.0]]},
}
# ---- end of TF's tables ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_nodes_are_tfs(spec_file, name):
    graph = Pipeline(spec_file(spec(name))).spec.graph
    assert [list(n) for n in own_nodes(graph, prefixes(name))] == TF_NODES[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_values_are_tfs(spec_file, name):
    result = run_spec(spec_file(spec(name)))
    for out, want in TF_VALUES[name].items():
        got = values(result, out)[0]
        if name in CLOSE:
            assert flat(got) == pytest.approx(flat(want), rel=CLOSE[name], abs=1e-7), out
        else:  # TF's JSON prints each float32 in its shortest form: compare as float32, bit for bit
            assert np.array_equal(np.asarray(got, dtype=np.float32), np.asarray(want, dtype=np.float32)), out


# ---- training through these gradients, several steps ------------------------------------------
TRAIN = """nodes:
  - {name: x, op: const, value: [[1.0, 0.5, -0.5, 2.0], [0.25, 1.5, 1.0, -1.0], [0.75, -0.25, 0.5, 1.25]]}
  - {name: w, op: variable, value: [[0.9, 1.1, 0.8, 1.2], [1.05, 0.95, 1.0, 0.7], [0.6, 1.3, 1.1, 0.9]]}
  - {name: s, op: variable, value: 0.7}
  - {name: h, op: mul, inputs: [x, w]}
  - {name: p, op: reduce_prod, inputs: [h], axis: 1}
  - {name: run, op: cumsum, inputs: [h], axis: 1, exclusive: true}
  - {name: cp, op: cumprod, inputs: [w], axis: 0, reverse: true}
  - {name: ids, op: const, value: [1, -1, 0]}
  - {name: seg, op: unsorted_segment_sum, inputs: [h, ids, 2]}
  - {name: dims, op: const, value: [2, 4]}
  - {name: f, op: fill, inputs: [dims, s]}
  - {name: m, op: floormod, inputs: [seg, f]}
  - {name: pd, op: const, value: [[1, 1], [2, 1]]}
  - {name: mp, op: mirror_pad, inputs: [m, pd], mode: REFLECT}
  - {name: l1, op: reduce_sum, inputs: [p]}
  - {name: r2, op: square, inputs: [run]}
  - {name: l2, op: reduce_mean, inputs: [r2]}
  - {name: l3, op: reduce_sum, inputs: [cp]}
  - {name: mp2, op: square, inputs: [mp]}
  - {name: l4, op: reduce_sum, inputs: [mp2]}
  - {name: loss, op: add_n, inputs: [l1, l2, l3, l4]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.02}
run: {fetch: [loss], targets: [train], steps: 4}
"""


def test_training_through_these_gradients_is_tfs(spec_file):
    # TF: the program `idrun export --format tf-python` writes for TRAIN (GradientDescentOptimizer
    # (0.02).minimize(loss, name="train"), sess.run([loss, train]) x4): reduce_prod, cumsum,
    # cumprod, unsorted_segment_sum, fill, floormod, mirror_pad. TF's step 3 is 12.230301: its
    # reduce_sum/reduce_mean add in Eigen's tree order, hence the tolerance
    got = values(run_spec(spec_file(TRAIN)), "loss")
    assert got == pytest.approx([16.618378, 14.248257, 12.230301, 10.507846], rel=2e-6)


# ---- the kernels added for these gradients ------------------------------------------------------
KERNELS = """
nodes:
  - {name: x, op: const, value: [[0.5, 1.25, 2.0, -3.0], [1.5, 0.25, 0.75, 1.1]]}
  - {name: cp, op: cumprod, inputs: [x], axis: 1}
  - {name: cp_ex_rev, op: cumprod, inputs: [x], axis: 1, exclusive: true, reverse: true}
  - {name: cp0_ex, op: cumprod, inputs: [x], axis: 0, exclusive: true}
  - {name: a, op: const, value: [4, 1, 7, 1, 3, 9]}
  - {name: b, op: const, value: [1, 3, 5]}
  - {name: diff, op: setdiff1d, inputs: [a, b], out_idx: int64}
  - {name: g, op: const, value: %s}
  - {name: reflect, op: mirror_pad_grad, inputs: [g, [[1, 1], [2, 1]]], mode: REFLECT}
  - {name: symmetric, op: mirror_pad_grad, inputs: [g, [[1, 1], [0, 3]]], mode: SYMMETRIC}
run: {fetch: [cp, cp_ex_rev, cp0_ex, 'diff:0', 'diff:1', reflect, symmetric], steps: 1}
""" % [[round(0.1 * (6 * i + j) + 0.01, 2) for j in range(6)] for i in range(4)]


def test_the_cumprod_setdiff1d_and_mirror_pad_grad_kernels_are_tfs(spec_file):
    # TF: tf.math.cumprod(x, axis=1), (..., exclusive=True, reverse=True), (x, axis=0,
    # exclusive=True); tf.raw_ops.ListDiff(x=a, y=b, out_idx=tf.int64); tf.raw_ops.MirrorPadGrad
    # (REFLECT [[1, 1], [2, 1]], SYMMETRIC [[1, 1], [0, 3]]) of g
    # in float32: bit for bit (TF scans one element at a time, and folds each border in order)
    result = run_spec(spec_file(KERNELS))
    want = {"cp": [[0.5, 0.625, 1.25, -3.75], [1.5, 0.375, 0.28125, 0.30937501788139343]],
            "cp_ex_rev": [[-7.5, -6.0, -3.0, 1.0], [0.20625001192092896, 0.8250000476837158, 1.100000023841858, 1.0]],
            "cp0_ex": [[1.0, 1.0, 1.0, 1.0], [0.5, 1.25, 2.0, -3.0]],
            "reflect": [[2.819999933242798, 9.059999465942383, 5.640000343322754],
                        [1.6200000047683716, 5.460000038146973, 3.240000009536743]],
            "symmetric": [[2.240000009536743, 2.240000009536743, 2.240000009536743],
                          [7.039999961853027, 7.039999961853027, 7.039999961853027]]}
    for name, value in want.items():
        assert np.array_equal(np.asarray(values(result, name)[0], dtype=np.float32), np.float32(value)), name
    assert values(result, "diff:0") == [[4, 7, 9]] and values(result, "diff:1") == [[0, 2, 5]]


@pytest.mark.parametrize("paddings, mode, message", [
    ("[[1, 2], [0, 0]]", "REFLECT", "paddings must be less than the output dimension size: 1, 2 not less than 1"),
    ("[[2, 0], [0, 0]]", "REFLECT", "paddings must be less than the output dimension size: 2, 0 not less than 2"),
    ("[[1, 2], [0, 3]]", "SYMMETRIC", "paddings must be no greater than the output dimension size: 1, 2 greater than 1"),
])
def test_mirror_pad_grad_refuses_paddings_as_tf(spec_file, paddings, mode, message):
    # TF: tf.raw_ops.MirrorPadGrad on a [4, 6] input raises InvalidArgumentError with these words
    text = (f"nodes:\n  - {{name: g, op: const, value: {[[0.5] * 6] * 4}}}\n"
            f"  - {{name: p, op: placeholder_with_default, inputs: [{paddings}], shape: [2, 2]}}\n"
            f"  - {{name: y, op: mirror_pad_grad, inputs: [g, p], mode: {mode}}}\nrun: {{fetch: [y], steps: 1}}\n")
    result = run_spec(spec_file(text))
    assert result.error is not None and message in str(result.error)


@pytest.mark.parametrize("paddings, message", [
    ("[[3, 2], [0, 0]]", "Negative dimension size caused by subtracting 5 from 4"),
    ("[[-1, 0], [0, 0]]", "Paddings must be non-negative"),
])
def test_mirror_pad_grad_of_too_much_padding_is_a_build_error(spec_file, paddings, message):
    # TF: tf.raw_ops.MirrorPadGrad(input=tf.zeros([4, 6]), paddings=...) fails in its shape function
    text = (f"nodes:\n  - {{name: g, op: const, value: {[[0.5] * 6] * 4}}}\n"
            f"  - {{name: y, op: mirror_pad_grad, inputs: [g, {paddings}], mode: REFLECT}}\nrun: {{fetch: [y], steps: 1}}\n")
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(text)).spec
    assert message in err.value.message


def test_setdiff1d_of_a_matrix_is_tfs_error(spec_file):
    # TF: tf.raw_ops.ListDiff(x=[[1]], y=[1]) -> "x should be a 1D vector."
    text = ("nodes:\n  - {name: a, op: const, value: [[1]]}\n  - {name: b, op: const, value: [1]}\n"
            "  - {name: d, op: setdiff1d, inputs: [a, b]}\nrun: {fetch: ['d:0'], steps: 1}\n")
    with pytest.raises(SpecError) as err:
        Pipeline(spec_file(text)).spec
    assert "x should be a 1D vector." in err.value.message


MAX_POOL_GRAD_GRAD = """
nodes:
  - {name: x, op: const, value: [[[[1.0], [2.0], [2.0], [0.0]], [[3.0], [3.0], [1.0], [1.0]], [[0.0], [5.0], [5.0], [1.0]], [[2.0], [2.0], [0.0], [4.0]]]]}
  - {name: g, op: const, value: %s}
  - {name: y_same1, op: max_pool, inputs: [x], ksize: [3, 3], strides: [1, 1], padding: SAME}
  - {name: same1, op: max_pool_grad_grad, inputs: [x, y_same1, g], ksize: [3, 3], strides: [1, 1], padding: SAME}
  - {name: y_valid2, op: max_pool, inputs: [x], ksize: [2, 2], strides: [2, 2], padding: VALID}
  - {name: valid2, op: max_pool_grad_grad, inputs: [x, y_valid2, g], ksize: [2, 2], strides: [2, 2], padding: VALID}
  - {name: y_same2, op: max_pool, inputs: [x], ksize: [3, 3], strides: [2, 2], padding: SAME}
  - {name: same2, op: max_pool_grad_grad, inputs: [x, y_same2, g], ksize: [3, 3], strides: [2, 2], padding: SAME}
run: {fetch: [same1, valid2, same2], steps: 1}
""" % [[[[0.5 * (4 * i + j) - 1.0] for j in range(4)] for i in range(4)]]


def test_max_pool_grad_grad_takes_the_grad_at_each_windows_first_maximum(spec_file):
    # TF: tf.raw_ops.MaxPoolGradGrad(x, max_pool2d(x), g) in eager mode, g = range(16) * 0.5 - 1
    # (ties: the first maximum of a window in row order). In a graph TF may hand the gradient's
    # buffer to the output when their shapes are equal (strides 1, SAME) and zero it before
    # reading it: tf.gradients then gives zeros there; idrun gives the kernel's values.
    result = run_spec(spec_file(MAX_POOL_GRAD_GRAD))
    want = {"same1": [[1.0, 1.0, 1.5, 0.0], [3.5, 3.5, 3.5, 4.0], [3.5, 3.5, 3.5, 4.0], [3.5, 3.5, 3.5, 4.0]],
            "valid2": [[1.0, 0.0], [3.5, 4.0]], "same2": [[3.5, 4.0], [3.5, 4.0]]}
    for name, value in want.items():
        got = np.asarray(values(result, name)[0], dtype=np.float32)
        assert np.array_equal(got[0, :, :, 0], np.float32(value)), name


KERNEL_TESTS = {op: test_the_cumprod_setdiff1d_and_mirror_pad_grad_kernels_are_tfs
                for op in ("cumprod", "setdiff1d", "mirror_pad_grad")}
KERNEL_TESTS["max_pool_grad_grad"] = test_max_pool_grad_grad_takes_the_grad_at_each_windows_first_maximum


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests.test_op_gradients import _regenerate
    _regenerate(CASES, VARIABLES, prefixes)
