"""Gradients TF 1.x builds that idrun refused or built differently before (issue 20): a gather on
a resource variable (TF's `var.sparse_read`: ResourceGather), gathers on another axis or with
batch_dims (`_GatherV2Grad`'s transposes and UnsortedSegmentSum), reductions over axes computed
at run time (`reduced_shape`'s DynamicStitch) and DynamicStitch's own gradient, against
TensorFlow 2.21.

The pattern is tests/test_op_gradients.py's, whose helpers this module uses: each case is a small
graph, the op under test, `loss = reduce_sum(y * y * y)` (or `y * y`, `y * c`) and `gradients:
loss`. TF's side is the program `idrun export --format tf-python` writes for the same spec, run by
tensorflow-cpu 2.21 (`PYTHONPATH=. python tests/test_gradient_gaps.py` prints the tables again).
TF_NODES lists the nodes TF made for the op's own gradient; TF_VALUES is `sess.run(gradients)`.
An axis "computed at run time" is a placeholder_with_default: TF's `constant_value` cannot see
through it, so TF takes its dynamic branch. Values are exact (bit for bit): sums, products,
comparisons and copies only.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from tests.conftest import run_spec, values
from tests.test_op_gradients import VARIABLES as BASE_VARIABLES
from tests.test_op_gradients import case_spec, grad_prefixes, own_nodes

VARIABLES = {
    **BASE_VARIABLES,
    "t3": str([[[round(0.25 * ((a * 7 + b * 3 + c) % 9) - 1.0, 2) for c in range(4)] for b in range(3)]
               for a in range(2)]),
}
AX1 = "{name: ax, op: placeholder_with_default, inputs: [[1]], shape: [1]}"
# the reduction's result has an unknown rank (its axis is unknown): reshaped to its known shape, so the
# loss's own Sum takes TF's constant path
KNOWN2 = "{name: y, op: reshape, inputs: [y0, [2]]}"

# name: (variables, the entries making `y` from them, "cube" (y*y*y), "square" (y*y) or "mulc" (y*c))
CASES = {
    # 1. tf1.gather on a resource variable: ResourceGather (sparse_read), its IndexedSlices' dense_shape a Const
    "gather_resource_variable": ("w", ["{name: y, op: gather, inputs: [w, [1, 0, 1], 0]}"], "cube"),
    # 2. gathers on another axis or with batch_dims: _GatherV2Grad's transposes and UnsortedSegmentSum
    "gather_axis_1": ("w", ["{name: y, op: gather, inputs: [w, [2, 0, 2, 1], 1]}"], "cube"),
    "gather_batch_dims_axis_2": ("b2", ["{name: y, op: gather, inputs: [b2, [[2, 0], [1, 1]], 2], batch_dims: 1}"],
                                 "cube"),
    "gather_batch_dims_axis_1": ("b2", ["{name: y, op: gather, inputs: [b2, [[1, 0, 1], [0, 0, 0]], 1], "
                                        "batch_dims: 1}"], "cube"),
    # 3. reductions over an axis computed at run time, without keepdims: reduced_shape's DynamicStitch
    "sum_computed_axis": ("w", [AX1, "{name: y0, op: sum, inputs: [w, ax]}", KNOWN2], "cube"),
    "mean_computed_axis": ("w", [AX1, "{name: y0, op: mean, inputs: [w, ax]}", KNOWN2], "cube"),
    "max_computed_axis": ("w", [AX1, "{name: y0, op: max, inputs: [w, ax]}", KNOWN2], "cube"),
    "min_computed_axis": ("p", [AX1, "{name: y0, op: min, inputs: [p, ax]}", KNOWN2], "cube"),
    "prod_computed_axis": ("w", [AX1, "{name: y0, op: prod, inputs: [w, ax]}", KNOWN2], "cube"),
    "sum_computed_axes_rank3": ("t3", ["{name: ax, op: placeholder_with_default, inputs: [[-1, 0]], shape: [2]}",
                                       "{name: y0, op: sum, inputs: [t3, ax]}",
                                       "{name: y, op: reshape, inputs: [y0, [3]]}"], "cube"),
    "max_computed_axis_keepdims": ("w", [AX1, "{name: y0, op: max, inputs: [w, ax], keepdims: true}",
                                   "{name: y, op: reshape, inputs: [y0, [2, 1]]}"], "cube"),
    # 4. a gather of a concat: _ConcatGradHelper splits the IndexedSlices (rows by range on axis 0,
    # values Sliced by columns on another axis)
    "concat_gathered_axis_0": ("w,p", ["{name: both, op: concat, inputs: [w, p], axis: 0}",
                                       "{name: y, op: gather, inputs: [both, [2, 0, 3, 2], 0]}"], "cube"),
    "concat_gathered_axis_1": ("w,v", ["{name: col, op: reshape, inputs: [v, [3, 1]]}",
                                       "{name: wt, op: transpose, inputs: [w, [1, 0]]}",
                                       "{name: both, op: concat, inputs: [wt, col], axis: -1}",
                                       "{name: y, op: gather, inputs: [both, [1, 0, 1], 0]}"], "cube"),
    # DynamicStitch's gradient: each data input's gradient gathered at its indices
    "dynamic_stitch": ("w,p", ["{name: i0, op: const, value: [2, 0]}", "{name: i1, op: const, value: [1, 3]}",
                               "{name: y, op: dynamic_stitch, inputs: [i0, i1, w, p]}"], "cube"),
}


def prefixes(name: str) -> tuple:
    return grad_prefixes(name, CASES)


def spec(name: str) -> str:
    return case_spec(name, CASES, VARIABLES)


# ---- TF 2.21's tables (generated; see the module docstring) -----------------------------------
TF_NODES = {
    'concat_gathered_axis_0': [
        ['gradients/both_grad/Const', 'Const', []],
        ['gradients/both_grad/GatherV2', 'GatherV2', ['gradients/both_grad/Shape', 'gradients/both_grad/mod', 'gradients/both_grad/GatherV2/axis']],
        ['gradients/both_grad/GatherV2/axis', 'Const', []],
        ['gradients/both_grad/GatherV2_1', 'GatherV2', ['gradients/y_grad/Reshape_1', 'gradients/both_grad/Squeeze', 'gradients/both_grad/GatherV2_1/axis']],
        ['gradients/both_grad/GatherV2_1/axis', 'Const', []],
        ['gradients/both_grad/GatherV2_2', 'GatherV2', ['gradients/y_grad/Reshape', 'gradients/both_grad/Squeeze', 'gradients/both_grad/GatherV2_2/axis']],
        ['gradients/both_grad/GatherV2_2/axis', 'Const', []],
        ['gradients/both_grad/GatherV2_3', 'GatherV2', ['gradients/both_grad/Shape_1', 'gradients/both_grad/mod', 'gradients/both_grad/GatherV2_3/axis']],
        ['gradients/both_grad/GatherV2_3/axis', 'Const', []],
        ['gradients/both_grad/GatherV2_4', 'GatherV2', ['gradients/y_grad/Reshape_1', 'gradients/both_grad/Squeeze_1', 'gradients/both_grad/GatherV2_4/axis']],
        ['gradients/both_grad/GatherV2_4/axis', 'Const', []],
        ['gradients/both_grad/GatherV2_5', 'GatherV2', ['gradients/y_grad/Reshape', 'gradients/both_grad/Squeeze_1', 'gradients/both_grad/GatherV2_5/axis']],
        ['gradients/both_grad/GatherV2_5/axis', 'Const', []],
        ['gradients/both_grad/GreaterEqual', 'GreaterEqual', ['gradients/y_grad/Reshape_1', 'gradients/both_grad/Const']],
        ['gradients/both_grad/GreaterEqual_1', 'GreaterEqual', ['gradients/y_grad/Reshape_1', 'gradients/both_grad/add']],
        ['gradients/both_grad/Less', 'Less', ['gradients/y_grad/Reshape_1', 'gradients/both_grad/add']],
        ['gradients/both_grad/Less_1', 'Less', ['gradients/y_grad/Reshape_1', 'gradients/both_grad/add_1']],
        ['gradients/both_grad/LogicalAnd', 'LogicalAnd', ['gradients/both_grad/GreaterEqual', 'gradients/both_grad/Less']],
        ['gradients/both_grad/LogicalAnd_1', 'LogicalAnd', ['gradients/both_grad/GreaterEqual_1', 'gradients/both_grad/Less_1']],
        ['gradients/both_grad/Rank', 'Const', []],
        ['gradients/both_grad/Shape', 'Const', []],
        ['gradients/both_grad/Shape_1', 'Const', []],
        ['gradients/both_grad/Squeeze', 'Squeeze', ['gradients/both_grad/Where']],
        ['gradients/both_grad/Squeeze_1', 'Squeeze', ['gradients/both_grad/Where_1']],
        ['gradients/both_grad/Where', 'Where', ['gradients/both_grad/LogicalAnd']],
        ['gradients/both_grad/Where_1', 'Where', ['gradients/both_grad/LogicalAnd_1']],
        ['gradients/both_grad/add', 'AddV2', ['gradients/both_grad/Const', 'gradients/both_grad/GatherV2']],
        ['gradients/both_grad/add_1', 'AddV2', ['gradients/both_grad/add', 'gradients/both_grad/GatherV2_3']],
        ['gradients/both_grad/mod', 'FloorMod', ['both/axis', 'gradients/both_grad/Rank']],
        ['gradients/both_grad/sub', 'Sub', ['gradients/both_grad/GatherV2_1', 'gradients/both_grad/Const']],
        ['gradients/both_grad/sub_1', 'Sub', ['gradients/both_grad/GatherV2_4', 'gradients/both_grad/add']],
        ['gradients/y_grad/ExpandDims', 'ExpandDims', ['gradients/y_grad/Size', 'gradients/y_grad/ExpandDims/dim']],
        ['gradients/y_grad/ExpandDims/dim', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/concat']],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['y/indices', 'gradients/y_grad/ExpandDims']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Size', 'Const', []],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/ExpandDims', 'gradients/y_grad/strided_slice', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/strided_slice', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice/stack', 'gradients/y_grad/strided_slice/stack_1', 'gradients/y_grad/strided_slice/stack_2']],
        ['gradients/y_grad/strided_slice/stack', 'Const', []],
        ['gradients/y_grad/strided_slice/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice/stack_2', 'Const', []],
    ],
    'concat_gathered_axis_1': [
        ['gradients/both_grad/Add', 'AddV2', ['gradients/both_grad/zeros_2', 'gradients/both_grad/mul']],
        ['gradients/both_grad/Add_1', 'AddV2', ['gradients/both_grad/Add', 'gradients/both_grad/mul_1']],
        ['gradients/both_grad/ExpandDims', 'ExpandDims', ['gradients/both_grad/mod', 'gradients/both_grad/ExpandDims/dim']],
        ['gradients/both_grad/ExpandDims/dim', 'Const', []],
        ['gradients/both_grad/Rank', 'Const', []],
        ['gradients/both_grad/Rank_1', 'Const', []],
        ['gradients/both_grad/Shape', 'Const', []],
        ['gradients/both_grad/Shape_1', 'Const', []],
        ['gradients/both_grad/Shape_2', 'Const', []],
        ['gradients/both_grad/Slice', 'Slice', ['gradients/both_grad/Shape', 'gradients/both_grad/Slice/begin', 'gradients/both_grad/Slice/size']],
        ['gradients/both_grad/Slice/begin', 'Const', []],
        ['gradients/both_grad/Slice/size', 'Const', []],
        ['gradients/both_grad/Slice_1', 'Slice', ['gradients/y_grad/Reshape', 'gradients/both_grad/zeros_2', 'gradients/both_grad/concat_1']],
        ['gradients/both_grad/Slice_2', 'Slice', ['gradients/both_grad/Shape_1', 'gradients/both_grad/Slice_2/begin', 'gradients/both_grad/Slice_2/size']],
        ['gradients/both_grad/Slice_2/begin', 'Const', []],
        ['gradients/both_grad/Slice_2/size', 'Const', []],
        ['gradients/both_grad/Slice_3', 'Slice', ['gradients/y_grad/Reshape', 'gradients/both_grad/Add', 'gradients/both_grad/concat_2']],
        ['gradients/both_grad/concat', 'ConcatV2', ['gradients/both_grad/zeros', 'gradients/both_grad/concat/values_1', 'gradients/both_grad/zeros_1', 'gradients/both_grad/concat/axis']],
        ['gradients/both_grad/concat/axis', 'Const', []],
        ['gradients/both_grad/concat/values_1', 'Const', []],
        ['gradients/both_grad/concat_1', 'ConcatV2', ['gradients/both_grad/concat_1/values_0', 'gradients/both_grad/Slice', 'gradients/both_grad/concat_1/axis']],
        ['gradients/both_grad/concat_1/axis', 'Const', []],
        ['gradients/both_grad/concat_1/values_0', 'Const', []],
        ['gradients/both_grad/concat_2', 'ConcatV2', ['gradients/both_grad/concat_2/values_0', 'gradients/both_grad/Slice_2', 'gradients/both_grad/concat_2/axis']],
        ['gradients/both_grad/concat_2/axis', 'Const', []],
        ['gradients/both_grad/concat_2/values_0', 'Const', []],
        ['gradients/both_grad/mod', 'FloorMod', ['both/axis', 'gradients/both_grad/Rank']],
        ['gradients/both_grad/mul', 'Mul', ['gradients/both_grad/Shape', 'gradients/both_grad/concat']],
        ['gradients/both_grad/mul_1', 'Mul', ['gradients/both_grad/Shape_1', 'gradients/both_grad/concat']],
        ['gradients/both_grad/sub', 'Sub', ['gradients/both_grad/Shape_2', 'gradients/both_grad/mod']],
        ['gradients/both_grad/sub_1', 'Sub', ['gradients/both_grad/sub', 'gradients/both_grad/sub_1/y']],
        ['gradients/both_grad/sub_1/y', 'Const', []],
        ['gradients/both_grad/zeros', 'Fill', ['gradients/both_grad/ExpandDims', 'gradients/both_grad/zeros/Const']],
        ['gradients/both_grad/zeros/Const', 'Const', []],
        ['gradients/both_grad/zeros_1', 'Fill', ['gradients/both_grad/sub_1', 'gradients/both_grad/zeros_1/Const']],
        ['gradients/both_grad/zeros_1/Const', 'Const', []],
        ['gradients/both_grad/zeros_2', 'Fill', ['gradients/both_grad/Shape_2', 'gradients/both_grad/zeros_2/Const']],
        ['gradients/both_grad/zeros_2/Const', 'Const', []],
        ['gradients/col_grad/Reshape', 'Reshape', ['gradients/col_grad/UnsortedSegmentSum', 'gradients/col_grad/Shape']],
        ['gradients/col_grad/Shape', 'Const', []],
        ['gradients/col_grad/UnsortedSegmentSum', 'UnsortedSegmentSum', ['gradients/both_grad/Slice_3', 'gradients/y_grad/Reshape_1', 'gradients/col_grad/strided_slice']],
        ['gradients/col_grad/strided_slice', 'StridedSlice', ['gradients/both_grad/Shape_1', 'gradients/col_grad/strided_slice/stack', 'gradients/col_grad/strided_slice/stack_1', 'gradients/col_grad/strided_slice/stack_2']],
        ['gradients/col_grad/strided_slice/stack', 'Const', []],
        ['gradients/col_grad/strided_slice/stack_1', 'Const', []],
        ['gradients/col_grad/strided_slice/stack_2', 'Const', []],
        ['gradients/wt_grad/InvertPermutation', 'InvertPermutation', ['wt/perm']],
        ['gradients/wt_grad/transpose', 'Transpose', ['gradients/wt_grad/transpose/x', 'gradients/wt_grad/InvertPermutation']],
        ['gradients/wt_grad/transpose/strided_slice', 'StridedSlice', ['gradients/both_grad/Shape', 'gradients/wt_grad/transpose/strided_slice/stack', 'gradients/wt_grad/transpose/strided_slice/stack_1', 'gradients/wt_grad/transpose/strided_slice/stack_2']],
        ['gradients/wt_grad/transpose/strided_slice/stack', 'Const', []],
        ['gradients/wt_grad/transpose/strided_slice/stack_1', 'Const', []],
        ['gradients/wt_grad/transpose/strided_slice/stack_2', 'Const', []],
        ['gradients/wt_grad/transpose/x', 'UnsortedSegmentSum', ['gradients/both_grad/Slice_1', 'gradients/y_grad/Reshape_1', 'gradients/wt_grad/transpose/strided_slice']],
        ['gradients/y_grad/ExpandDims', 'ExpandDims', ['gradients/y_grad/Size', 'gradients/y_grad/ExpandDims/dim']],
        ['gradients/y_grad/ExpandDims/dim', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/concat']],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['y/indices', 'gradients/y_grad/ExpandDims']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Size', 'Const', []],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/ExpandDims', 'gradients/y_grad/strided_slice', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/strided_slice', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice/stack', 'gradients/y_grad/strided_slice/stack_1', 'gradients/y_grad/strided_slice/stack_2']],
        ['gradients/y_grad/strided_slice/stack', 'Const', []],
        ['gradients/y_grad/strided_slice/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice/stack_2', 'Const', []],
    ],
    'dynamic_stitch': [
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/AddN', 'i0', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/GatherV2_1', 'GatherV2', ['gradients/AddN', 'i1', 'gradients/y_grad/GatherV2_1/axis']],
        ['gradients/y_grad/GatherV2_1/axis', 'Const', []],
    ],
    'gather_axis_1': [
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Const_1', 'Const', []],
        ['gradients/y_grad/Const_2', 'Const', []],
        ['gradients/y_grad/Const_3', 'Const', []],
        ['gradients/y_grad/ExpandDims', 'ExpandDims', ['gradients/y_grad/Size', 'gradients/y_grad/ExpandDims/dim']],
        ['gradients/y_grad/ExpandDims/dim', 'Const', []],
        ['gradients/y_grad/ExpandDims_1', 'ExpandDims', ['gradients/y_grad/Size_3', 'gradients/y_grad/ExpandDims_1/dim']],
        ['gradients/y_grad/ExpandDims_1/dim', 'Const', []],
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/concat_1', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/concat']],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['y/indices', 'gradients/y_grad/ExpandDims_1']],
        ['gradients/y_grad/Reshape_2', 'Reshape', ['gradients/y_grad/transpose_1', 'gradients/y_grad/Shape_1']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Size', 'Const', []],
        ['gradients/y_grad/Size_1', 'Const', []],
        ['gradients/y_grad/Size_2', 'Const', []],
        ['gradients/y_grad/Size_3', 'Const', []],
        ['gradients/y_grad/UnsortedSegmentSum', 'UnsortedSegmentSum', ['gradients/y_grad/transpose', 'gradients/y_grad/Reshape_1', 'gradients/y_grad/strided_slice_3']],
        ['gradients/y_grad/add', 'AddV2', ['gradients/y_grad/Size_2', 'gradients/y_grad/add/y']],
        ['gradients/y_grad/add/y', 'Const', []],
        ['gradients/y_grad/add_1', 'AddV2', ['y/axis', 'gradients/y_grad/add_1/y']],
        ['gradients/y_grad/add_1/y', 'Const', []],
        ['gradients/y_grad/add_2', 'AddV2', ['gradients/y_grad/range_1', 'gradients/y_grad/add_2/y']],
        ['gradients/y_grad/add_2/y', 'Const', []],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/strided_slice', 'gradients/y_grad/concat/values_1', 'gradients/y_grad/strided_slice_2', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/concat/values_1', 'Const', []],
        ['gradients/y_grad/concat_1', 'ConcatV2', ['gradients/y_grad/range', 'gradients/y_grad/concat_1/values_1', 'gradients/y_grad/range_1', 'gradients/y_grad/range_2', 'gradients/y_grad/concat_1/axis']],
        ['gradients/y_grad/concat_1/axis', 'Const', []],
        ['gradients/y_grad/concat_1/values_1', 'Pack', ['gradients/y_grad/Size_2']],
        ['gradients/y_grad/concat_2', 'ConcatV2', ['gradients/y_grad/range', 'gradients/y_grad/add_2', 'gradients/y_grad/concat_2/values_2', 'gradients/y_grad/range_2', 'gradients/y_grad/concat_2/axis']],
        ['gradients/y_grad/concat_2/axis', 'Const', []],
        ['gradients/y_grad/concat_2/values_2', 'Const', []],
        ['gradients/y_grad/range', 'Range', ['gradients/y_grad/range/start', 'gradients/y_grad/range/limit', 'gradients/y_grad/range/delta']],
        ['gradients/y_grad/range/delta', 'Const', []],
        ['gradients/y_grad/range/limit', 'Const', []],
        ['gradients/y_grad/range/start', 'Const', []],
        ['gradients/y_grad/range_1', 'Range', ['gradients/y_grad/range_1/start', 'gradients/y_grad/Size_2', 'gradients/y_grad/range_1/delta']],
        ['gradients/y_grad/range_1/delta', 'Const', []],
        ['gradients/y_grad/range_1/start', 'Const', []],
        ['gradients/y_grad/range_2', 'Range', ['gradients/y_grad/add', 'gradients/y_grad/Size_1', 'gradients/y_grad/range_2/delta']],
        ['gradients/y_grad/range_2/delta', 'Const', []],
        ['gradients/y_grad/strided_slice', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice/stack', 'gradients/y_grad/strided_slice/stack_1', 'gradients/y_grad/strided_slice/stack_2']],
        ['gradients/y_grad/strided_slice/stack', 'Pack', ['gradients/y_grad/Const']],
        ['gradients/y_grad/strided_slice/stack_1', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice/stack_2', 'Pack', ['gradients/y_grad/Const_1']],
        ['gradients/y_grad/strided_slice_1', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice_1/stack', 'gradients/y_grad/strided_slice_1/stack_1', 'gradients/y_grad/strided_slice_1/stack_2']],
        ['gradients/y_grad/strided_slice_1/stack', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice_1/stack_1', 'Pack', ['gradients/y_grad/Const_2']],
        ['gradients/y_grad/strided_slice_1/stack_2', 'Pack', ['gradients/y_grad/Const_3']],
        ['gradients/y_grad/strided_slice_2', 'StridedSlice', ['gradients/y_grad/strided_slice_1', 'gradients/y_grad/strided_slice_2/stack', 'gradients/y_grad/strided_slice_2/stack_1', 'gradients/y_grad/strided_slice_2/stack_2']],
        ['gradients/y_grad/strided_slice_2/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_2/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_2/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_3', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice_3/stack', 'gradients/y_grad/strided_slice_3/stack_1', 'gradients/y_grad/strided_slice_3/stack_2']],
        ['gradients/y_grad/strided_slice_3/stack', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice_3/stack_1', 'Pack', ['gradients/y_grad/add_1']],
        ['gradients/y_grad/strided_slice_3/stack_2', 'Const', []],
        ['gradients/y_grad/transpose', 'Transpose', ['gradients/y_grad/Reshape', 'gradients/y_grad/concat_1']],
        ['gradients/y_grad/transpose_1', 'Transpose', ['gradients/y_grad/UnsortedSegmentSum', 'gradients/y_grad/concat_2']],
    ],
    'gather_batch_dims_axis_1': [
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Const_1', 'Const', []],
        ['gradients/y_grad/Const_2', 'Const', []],
        ['gradients/y_grad/Const_3', 'Const', []],
        ['gradients/y_grad/ExpandDims', 'ExpandDims', ['gradients/y_grad/Size', 'gradients/y_grad/ExpandDims/dim']],
        ['gradients/y_grad/ExpandDims/dim', 'Const', []],
        ['gradients/y_grad/ExpandDims_1', 'ExpandDims', ['gradients/y_grad/Size_3', 'gradients/y_grad/ExpandDims_1/dim']],
        ['gradients/y_grad/ExpandDims_1/dim', 'Const', []],
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/concat_1', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/Prod', 'Prod', ['gradients/y_grad/strided_slice_4', 'gradients/y_grad/Prod/reduction_indices']],
        ['gradients/y_grad/Prod/reduction_indices', 'Const', []],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/concat']],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/y_grad/mul_2', 'gradients/y_grad/concat_3']],
        ['gradients/y_grad/Reshape_2', 'Reshape', ['gradients/y_grad/transpose', 'gradients/y_grad/concat_2']],
        ['gradients/y_grad/Reshape_3', 'Reshape', ['gradients/y_grad/add_2', 'gradients/y_grad/ExpandDims_1']],
        ['gradients/y_grad/Reshape_4', 'Reshape', ['gradients/y_grad/UnsortedSegmentSum', 'gradients/y_grad/concat_4']],
        ['gradients/y_grad/Reshape_5', 'Reshape', ['gradients/y_grad/transpose_1', 'gradients/y_grad/Shape_2']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Shape_2', 'Const', []],
        ['gradients/y_grad/Size', 'Const', []],
        ['gradients/y_grad/Size_1', 'Const', []],
        ['gradients/y_grad/Size_2', 'Const', []],
        ['gradients/y_grad/Size_3', 'Const', []],
        ['gradients/y_grad/Tile', 'Tile', ['gradients/y_grad/Tile/input', 'gradients/y_grad/Tile/multiples']],
        ['gradients/y_grad/Tile/input', 'Const', []],
        ['gradients/y_grad/Tile/multiples', 'Const', []],
        ['gradients/y_grad/Tile_1', 'Tile', ['gradients/y_grad/Tile_1/input', 'gradients/y_grad/Tile_1/multiples']],
        ['gradients/y_grad/Tile_1/input', 'Const', []],
        ['gradients/y_grad/Tile_1/multiples', 'Pack', ['gradients/y_grad/sub']],
        ['gradients/y_grad/UnsortedSegmentSum', 'UnsortedSegmentSum', ['gradients/y_grad/Reshape_2', 'gradients/y_grad/Reshape_3', 'gradients/y_grad/mul']],
        ['gradients/y_grad/add', 'AddV2', ['gradients/y_grad/Size_2', 'gradients/y_grad/add/y']],
        ['gradients/y_grad/add/y', 'Const', []],
        ['gradients/y_grad/add_1', 'AddV2', ['y/axis', 'gradients/y_grad/add_1/y']],
        ['gradients/y_grad/add_1/y', 'Const', []],
        ['gradients/y_grad/add_2', 'AddV2', ['y/indices', 'gradients/y_grad/Reshape_1']],
        ['gradients/y_grad/add_3', 'AddV2', ['gradients/y_grad/range_1', 'gradients/y_grad/add_3/y']],
        ['gradients/y_grad/add_3/y', 'Const', []],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/strided_slice', 'gradients/y_grad/concat/values_1', 'gradients/y_grad/strided_slice_2', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/concat/values_1', 'Const', []],
        ['gradients/y_grad/concat_1', 'ConcatV2', ['gradients/y_grad/range', 'gradients/y_grad/concat_1/values_1', 'gradients/y_grad/range_1', 'gradients/y_grad/range_2', 'gradients/y_grad/concat_1/axis']],
        ['gradients/y_grad/concat_1/axis', 'Const', []],
        ['gradients/y_grad/concat_1/values_1', 'Pack', ['gradients/y_grad/Size_2']],
        ['gradients/y_grad/concat_2', 'ConcatV2', ['gradients/y_grad/concat_2/values_0', 'gradients/y_grad/strided_slice_6', 'gradients/y_grad/concat_2/axis']],
        ['gradients/y_grad/concat_2/axis', 'Const', []],
        ['gradients/y_grad/concat_2/values_0', 'Const', []],
        ['gradients/y_grad/concat_3', 'ConcatV2', ['gradients/y_grad/Tile', 'gradients/y_grad/concat_3/values_1', 'gradients/y_grad/Tile_1', 'gradients/y_grad/concat_3/axis']],
        ['gradients/y_grad/concat_3/axis', 'Const', []],
        ['gradients/y_grad/concat_3/values_1', 'Pack', ['gradients/y_grad/strided_slice_7']],
        ['gradients/y_grad/concat_4', 'ConcatV2', ['gradients/y_grad/strided_slice_4', 'gradients/y_grad/concat_2', 'gradients/y_grad/concat_4/axis']],
        ['gradients/y_grad/concat_4/axis', 'Const', []],
        ['gradients/y_grad/concat_5', 'ConcatV2', ['gradients/y_grad/range', 'gradients/y_grad/add_3', 'gradients/y_grad/concat_5/values_2', 'gradients/y_grad/range_2', 'gradients/y_grad/concat_5/axis']],
        ['gradients/y_grad/concat_5/axis', 'Const', []],
        ['gradients/y_grad/concat_5/values_2', 'Const', []],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/strided_slice_3', 'gradients/y_grad/Prod']],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/ones', 'gradients/y_grad/strided_slice_8']],
        ['gradients/y_grad/mul_2', 'Mul', ['gradients/y_grad/range_3', 'gradients/y_grad/mul_1']],
        ['gradients/y_grad/ones', 'Const', []],
        ['gradients/y_grad/ones_1', 'Const', []],
        ['gradients/y_grad/range', 'Range', ['gradients/y_grad/range/start', 'gradients/y_grad/range/limit', 'gradients/y_grad/range/delta']],
        ['gradients/y_grad/range/delta', 'Const', []],
        ['gradients/y_grad/range/limit', 'Const', []],
        ['gradients/y_grad/range/start', 'Const', []],
        ['gradients/y_grad/range_1', 'Range', ['gradients/y_grad/range_1/start', 'gradients/y_grad/Size_2', 'gradients/y_grad/range_1/delta']],
        ['gradients/y_grad/range_1/delta', 'Const', []],
        ['gradients/y_grad/range_1/start', 'Const', []],
        ['gradients/y_grad/range_2', 'Range', ['gradients/y_grad/add', 'gradients/y_grad/Size_1', 'gradients/y_grad/range_2/delta']],
        ['gradients/y_grad/range_2/delta', 'Const', []],
        ['gradients/y_grad/range_3', 'Range', ['gradients/y_grad/zeros', 'gradients/y_grad/strided_slice_7', 'gradients/y_grad/ones_1']],
        ['gradients/y_grad/strided_slice', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice/stack', 'gradients/y_grad/strided_slice/stack_1', 'gradients/y_grad/strided_slice/stack_2']],
        ['gradients/y_grad/strided_slice/stack', 'Pack', ['gradients/y_grad/Const']],
        ['gradients/y_grad/strided_slice/stack_1', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice/stack_2', 'Pack', ['gradients/y_grad/Const_1']],
        ['gradients/y_grad/strided_slice_1', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice_1/stack', 'gradients/y_grad/strided_slice_1/stack_1', 'gradients/y_grad/strided_slice_1/stack_2']],
        ['gradients/y_grad/strided_slice_1/stack', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice_1/stack_1', 'Pack', ['gradients/y_grad/Const_2']],
        ['gradients/y_grad/strided_slice_1/stack_2', 'Pack', ['gradients/y_grad/Const_3']],
        ['gradients/y_grad/strided_slice_2', 'StridedSlice', ['gradients/y_grad/strided_slice_1', 'gradients/y_grad/strided_slice_2/stack', 'gradients/y_grad/strided_slice_2/stack_1', 'gradients/y_grad/strided_slice_2/stack_2']],
        ['gradients/y_grad/strided_slice_2/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_2/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_2/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_3', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice_3/stack', 'gradients/y_grad/strided_slice_3/stack_1', 'gradients/y_grad/strided_slice_3/stack_2']],
        ['gradients/y_grad/strided_slice_3/stack', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice_3/stack_1', 'Pack', ['gradients/y_grad/add_1']],
        ['gradients/y_grad/strided_slice_3/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_4', 'StridedSlice', ['gradients/y_grad/Shape_1', 'gradients/y_grad/strided_slice_4/stack', 'gradients/y_grad/strided_slice_4/stack_1', 'gradients/y_grad/strided_slice_4/stack_2']],
        ['gradients/y_grad/strided_slice_4/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_4/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_4/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_5', 'StridedSlice', ['gradients/y_grad/Shape_1', 'gradients/y_grad/strided_slice_5/stack', 'gradients/y_grad/strided_slice_5/stack_1', 'gradients/y_grad/strided_slice_5/stack_2']],
        ['gradients/y_grad/strided_slice_5/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_5/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_5/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_6', 'StridedSlice', ['gradients/y_grad/strided_slice_5', 'gradients/y_grad/strided_slice_6/stack', 'gradients/y_grad/strided_slice_6/stack_1', 'gradients/y_grad/strided_slice_6/stack_2']],
        ['gradients/y_grad/strided_slice_6/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_6/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_6/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_7', 'StridedSlice', ['gradients/y_grad/GatherV2', 'gradients/y_grad/strided_slice_7/stack', 'gradients/y_grad/strided_slice_7/stack_1', 'gradients/y_grad/strided_slice_7/stack_2']],
        ['gradients/y_grad/strided_slice_7/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_7/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_7/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_8', 'StridedSlice', ['gradients/y_grad/GatherV2', 'gradients/y_grad/strided_slice_8/stack', 'gradients/y_grad/strided_slice_8/stack_1', 'gradients/y_grad/strided_slice_8/stack_2']],
        ['gradients/y_grad/strided_slice_8/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_8/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_8/stack_2', 'Const', []],
        ['gradients/y_grad/sub', 'Sub', ['gradients/y_grad/Rank', 'gradients/y_grad/sub/y']],
        ['gradients/y_grad/sub/y', 'Const', []],
        ['gradients/y_grad/transpose', 'Transpose', ['gradients/y_grad/Reshape', 'gradients/y_grad/concat_1']],
        ['gradients/y_grad/transpose_1', 'Transpose', ['gradients/y_grad/Reshape_4', 'gradients/y_grad/concat_5']],
        ['gradients/y_grad/zeros', 'Const', []],
    ],
    'gather_batch_dims_axis_2': [
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/Const_1', 'Const', []],
        ['gradients/y_grad/Const_2', 'Const', []],
        ['gradients/y_grad/Const_3', 'Const', []],
        ['gradients/y_grad/ExpandDims', 'ExpandDims', ['gradients/y_grad/Size', 'gradients/y_grad/ExpandDims/dim']],
        ['gradients/y_grad/ExpandDims/dim', 'Const', []],
        ['gradients/y_grad/ExpandDims_1', 'ExpandDims', ['gradients/y_grad/Size_3', 'gradients/y_grad/ExpandDims_1/dim']],
        ['gradients/y_grad/ExpandDims_1/dim', 'Const', []],
        ['gradients/y_grad/GatherV2', 'GatherV2', ['gradients/y_grad/Shape', 'gradients/y_grad/concat_1', 'gradients/y_grad/GatherV2/axis']],
        ['gradients/y_grad/GatherV2/axis', 'Const', []],
        ['gradients/y_grad/Prod', 'Prod', ['gradients/y_grad/strided_slice_4', 'gradients/y_grad/Prod/reduction_indices']],
        ['gradients/y_grad/Prod/reduction_indices', 'Const', []],
        ['gradients/y_grad/Rank', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/concat']],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['gradients/y_grad/mul_2', 'gradients/y_grad/concat_3']],
        ['gradients/y_grad/Reshape_2', 'Reshape', ['gradients/y_grad/transpose', 'gradients/y_grad/concat_2']],
        ['gradients/y_grad/Reshape_3', 'Reshape', ['gradients/y_grad/add_2', 'gradients/y_grad/ExpandDims_1']],
        ['gradients/y_grad/Reshape_4', 'Reshape', ['gradients/y_grad/UnsortedSegmentSum', 'gradients/y_grad/concat_4']],
        ['gradients/y_grad/Reshape_5', 'Reshape', ['gradients/y_grad/transpose_1', 'gradients/y_grad/Shape_2']],
        ['gradients/y_grad/Shape', 'Const', []],
        ['gradients/y_grad/Shape_1', 'Const', []],
        ['gradients/y_grad/Shape_2', 'Const', []],
        ['gradients/y_grad/Size', 'Const', []],
        ['gradients/y_grad/Size_1', 'Const', []],
        ['gradients/y_grad/Size_2', 'Const', []],
        ['gradients/y_grad/Size_3', 'Const', []],
        ['gradients/y_grad/Tile', 'Tile', ['gradients/y_grad/Tile/input', 'gradients/y_grad/Tile/multiples']],
        ['gradients/y_grad/Tile/input', 'Const', []],
        ['gradients/y_grad/Tile/multiples', 'Const', []],
        ['gradients/y_grad/Tile_1', 'Tile', ['gradients/y_grad/Tile_1/input', 'gradients/y_grad/Tile_1/multiples']],
        ['gradients/y_grad/Tile_1/input', 'Const', []],
        ['gradients/y_grad/Tile_1/multiples', 'Pack', ['gradients/y_grad/sub']],
        ['gradients/y_grad/UnsortedSegmentSum', 'UnsortedSegmentSum', ['gradients/y_grad/Reshape_2', 'gradients/y_grad/Reshape_3', 'gradients/y_grad/mul']],
        ['gradients/y_grad/add', 'AddV2', ['gradients/y_grad/Size_2', 'gradients/y_grad/add/y']],
        ['gradients/y_grad/add/y', 'Const', []],
        ['gradients/y_grad/add_1', 'AddV2', ['y/axis', 'gradients/y_grad/add_1/y']],
        ['gradients/y_grad/add_1/y', 'Const', []],
        ['gradients/y_grad/add_2', 'AddV2', ['y/indices', 'gradients/y_grad/Reshape_1']],
        ['gradients/y_grad/add_3', 'AddV2', ['gradients/y_grad/range_1', 'gradients/y_grad/add_3/y']],
        ['gradients/y_grad/add_3/y', 'Const', []],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/strided_slice', 'gradients/y_grad/concat/values_1', 'gradients/y_grad/strided_slice_2', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/concat/values_1', 'Const', []],
        ['gradients/y_grad/concat_1', 'ConcatV2', ['gradients/y_grad/range', 'gradients/y_grad/concat_1/values_1', 'gradients/y_grad/range_1', 'gradients/y_grad/range_2', 'gradients/y_grad/concat_1/axis']],
        ['gradients/y_grad/concat_1/axis', 'Const', []],
        ['gradients/y_grad/concat_1/values_1', 'Pack', ['gradients/y_grad/Size_2']],
        ['gradients/y_grad/concat_2', 'ConcatV2', ['gradients/y_grad/concat_2/values_0', 'gradients/y_grad/strided_slice_6', 'gradients/y_grad/concat_2/axis']],
        ['gradients/y_grad/concat_2/axis', 'Const', []],
        ['gradients/y_grad/concat_2/values_0', 'Const', []],
        ['gradients/y_grad/concat_3', 'ConcatV2', ['gradients/y_grad/Tile', 'gradients/y_grad/concat_3/values_1', 'gradients/y_grad/Tile_1', 'gradients/y_grad/concat_3/axis']],
        ['gradients/y_grad/concat_3/axis', 'Const', []],
        ['gradients/y_grad/concat_3/values_1', 'Pack', ['gradients/y_grad/strided_slice_7']],
        ['gradients/y_grad/concat_4', 'ConcatV2', ['gradients/y_grad/strided_slice_4', 'gradients/y_grad/concat_2', 'gradients/y_grad/concat_4/axis']],
        ['gradients/y_grad/concat_4/axis', 'Const', []],
        ['gradients/y_grad/concat_5', 'ConcatV2', ['gradients/y_grad/range', 'gradients/y_grad/add_3', 'gradients/y_grad/concat_5/values_2', 'gradients/y_grad/range_2', 'gradients/y_grad/concat_5/axis']],
        ['gradients/y_grad/concat_5/axis', 'Const', []],
        ['gradients/y_grad/concat_5/values_2', 'Const', []],
        ['gradients/y_grad/mul', 'Mul', ['gradients/y_grad/strided_slice_3', 'gradients/y_grad/Prod']],
        ['gradients/y_grad/mul_1', 'Mul', ['gradients/y_grad/ones', 'gradients/y_grad/strided_slice_8']],
        ['gradients/y_grad/mul_2', 'Mul', ['gradients/y_grad/range_3', 'gradients/y_grad/mul_1']],
        ['gradients/y_grad/ones', 'Const', []],
        ['gradients/y_grad/ones_1', 'Const', []],
        ['gradients/y_grad/range', 'Range', ['gradients/y_grad/range/start', 'gradients/y_grad/range/limit', 'gradients/y_grad/range/delta']],
        ['gradients/y_grad/range/delta', 'Const', []],
        ['gradients/y_grad/range/limit', 'Const', []],
        ['gradients/y_grad/range/start', 'Const', []],
        ['gradients/y_grad/range_1', 'Range', ['gradients/y_grad/range_1/start', 'gradients/y_grad/Size_2', 'gradients/y_grad/range_1/delta']],
        ['gradients/y_grad/range_1/delta', 'Const', []],
        ['gradients/y_grad/range_1/start', 'Const', []],
        ['gradients/y_grad/range_2', 'Range', ['gradients/y_grad/add', 'gradients/y_grad/Size_1', 'gradients/y_grad/range_2/delta']],
        ['gradients/y_grad/range_2/delta', 'Const', []],
        ['gradients/y_grad/range_3', 'Range', ['gradients/y_grad/zeros', 'gradients/y_grad/strided_slice_7', 'gradients/y_grad/ones_1']],
        ['gradients/y_grad/strided_slice', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice/stack', 'gradients/y_grad/strided_slice/stack_1', 'gradients/y_grad/strided_slice/stack_2']],
        ['gradients/y_grad/strided_slice/stack', 'Pack', ['gradients/y_grad/Const']],
        ['gradients/y_grad/strided_slice/stack_1', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice/stack_2', 'Pack', ['gradients/y_grad/Const_1']],
        ['gradients/y_grad/strided_slice_1', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice_1/stack', 'gradients/y_grad/strided_slice_1/stack_1', 'gradients/y_grad/strided_slice_1/stack_2']],
        ['gradients/y_grad/strided_slice_1/stack', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice_1/stack_1', 'Pack', ['gradients/y_grad/Const_2']],
        ['gradients/y_grad/strided_slice_1/stack_2', 'Pack', ['gradients/y_grad/Const_3']],
        ['gradients/y_grad/strided_slice_2', 'StridedSlice', ['gradients/y_grad/strided_slice_1', 'gradients/y_grad/strided_slice_2/stack', 'gradients/y_grad/strided_slice_2/stack_1', 'gradients/y_grad/strided_slice_2/stack_2']],
        ['gradients/y_grad/strided_slice_2/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_2/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_2/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_3', 'StridedSlice', ['gradients/y_grad/Shape', 'gradients/y_grad/strided_slice_3/stack', 'gradients/y_grad/strided_slice_3/stack_1', 'gradients/y_grad/strided_slice_3/stack_2']],
        ['gradients/y_grad/strided_slice_3/stack', 'Pack', ['y/axis']],
        ['gradients/y_grad/strided_slice_3/stack_1', 'Pack', ['gradients/y_grad/add_1']],
        ['gradients/y_grad/strided_slice_3/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_4', 'StridedSlice', ['gradients/y_grad/Shape_1', 'gradients/y_grad/strided_slice_4/stack', 'gradients/y_grad/strided_slice_4/stack_1', 'gradients/y_grad/strided_slice_4/stack_2']],
        ['gradients/y_grad/strided_slice_4/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_4/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_4/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_5', 'StridedSlice', ['gradients/y_grad/Shape_1', 'gradients/y_grad/strided_slice_5/stack', 'gradients/y_grad/strided_slice_5/stack_1', 'gradients/y_grad/strided_slice_5/stack_2']],
        ['gradients/y_grad/strided_slice_5/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_5/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_5/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_6', 'StridedSlice', ['gradients/y_grad/strided_slice_5', 'gradients/y_grad/strided_slice_6/stack', 'gradients/y_grad/strided_slice_6/stack_1', 'gradients/y_grad/strided_slice_6/stack_2']],
        ['gradients/y_grad/strided_slice_6/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_6/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_6/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_7', 'StridedSlice', ['gradients/y_grad/GatherV2', 'gradients/y_grad/strided_slice_7/stack', 'gradients/y_grad/strided_slice_7/stack_1', 'gradients/y_grad/strided_slice_7/stack_2']],
        ['gradients/y_grad/strided_slice_7/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_7/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_7/stack_2', 'Const', []],
        ['gradients/y_grad/strided_slice_8', 'StridedSlice', ['gradients/y_grad/GatherV2', 'gradients/y_grad/strided_slice_8/stack', 'gradients/y_grad/strided_slice_8/stack_1', 'gradients/y_grad/strided_slice_8/stack_2']],
        ['gradients/y_grad/strided_slice_8/stack', 'Const', []],
        ['gradients/y_grad/strided_slice_8/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice_8/stack_2', 'Const', []],
        ['gradients/y_grad/sub', 'Sub', ['gradients/y_grad/Rank', 'gradients/y_grad/sub/y']],
        ['gradients/y_grad/sub/y', 'Const', []],
        ['gradients/y_grad/transpose', 'Transpose', ['gradients/y_grad/Reshape', 'gradients/y_grad/concat_1']],
        ['gradients/y_grad/transpose_1', 'Transpose', ['gradients/y_grad/Reshape_4', 'gradients/y_grad/concat_5']],
        ['gradients/y_grad/zeros', 'Const', []],
    ],
    'gather_resource_variable': [
        ['gradients/y_grad/Const', 'Const', []],
        ['gradients/y_grad/ExpandDims', 'ExpandDims', ['gradients/y_grad/Size', 'gradients/y_grad/ExpandDims/dim']],
        ['gradients/y_grad/ExpandDims/dim', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/concat']],
        ['gradients/y_grad/Reshape_1', 'Reshape', ['y/indices', 'gradients/y_grad/ExpandDims']],
        ['gradients/y_grad/Size', 'Const', []],
        ['gradients/y_grad/concat', 'ConcatV2', ['gradients/y_grad/ExpandDims', 'gradients/y_grad/strided_slice', 'gradients/y_grad/concat/axis']],
        ['gradients/y_grad/concat/axis', 'Const', []],
        ['gradients/y_grad/strided_slice', 'StridedSlice', ['gradients/y_grad/Const', 'gradients/y_grad/strided_slice/stack', 'gradients/y_grad/strided_slice/stack_1', 'gradients/y_grad/strided_slice/stack_2']],
        ['gradients/y_grad/strided_slice/stack', 'Const', []],
        ['gradients/y_grad/strided_slice/stack_1', 'Const', []],
        ['gradients/y_grad/strided_slice/stack_2', 'Const', []],
    ],
    'max_computed_axis': [
        ['gradients/y0_grad/Cast', 'Cast', ['gradients/y0_grad/Equal']],
        ['gradients/y0_grad/DynamicStitch', 'DynamicStitch', ['gradients/y0_grad/range', 'gradients/y0_grad/mod', 'gradients/y0_grad/Shape', 'gradients/y0_grad/ones']],
        ['gradients/y0_grad/Equal', 'Equal', ['gradients/y0_grad/Reshape', 'y0/ReadVariableOp']],
        ['gradients/y0_grad/Reshape', 'Reshape', ['y0', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Reshape_1', 'Reshape', ['gradients/y_grad/Reshape', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Reshape_2', 'Reshape', ['gradients/y0_grad/Sum', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Const', []],
        ['gradients/y0_grad/Size', 'Const', []],
        ['gradients/y0_grad/Sum', 'Sum', ['gradients/y0_grad/Cast', 'ax']],
        ['gradients/y0_grad/add', 'AddV2', ['ax', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mod', 'FloorMod', ['gradients/y0_grad/add', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mul', 'Mul', ['gradients/y0_grad/truediv', 'gradients/y0_grad/Reshape_1']],
        ['gradients/y0_grad/ones', 'Fill', ['gradients/y0_grad/Shape_1', 'gradients/y0_grad/ones/Const']],
        ['gradients/y0_grad/ones/Const', 'Const', []],
        ['gradients/y0_grad/range', 'Range', ['gradients/y0_grad/range/start', 'gradients/y0_grad/Size', 'gradients/y0_grad/range/delta']],
        ['gradients/y0_grad/range/delta', 'Const', []],
        ['gradients/y0_grad/range/start', 'Const', []],
        ['gradients/y0_grad/truediv', 'RealDiv', ['gradients/y0_grad/Cast', 'gradients/y0_grad/Reshape_2']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Shape', ['y0']],
    ],
    'max_computed_axis_keepdims': [
        ['gradients/y0_grad/Cast', 'Cast', ['gradients/y0_grad/Equal']],
        ['gradients/y0_grad/Equal', 'Equal', ['y0', 'y0/ReadVariableOp']],
        ['gradients/y0_grad/Reshape', 'Reshape', ['gradients/y0_grad/Sum', 'gradients/y0_grad/Shape_1']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Shape', ['y0']],
        ['gradients/y0_grad/Sum', 'Sum', ['gradients/y0_grad/Cast', 'ax']],
        ['gradients/y0_grad/mul', 'Mul', ['gradients/y0_grad/truediv', 'gradients/y_grad/Reshape']],
        ['gradients/y0_grad/truediv', 'RealDiv', ['gradients/y0_grad/Cast', 'gradients/y0_grad/Reshape']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Shape', ['y0']],
    ],
    'mean_computed_axis': [
        ['gradients/y0_grad/BroadcastTo', 'BroadcastTo', ['gradients/y0_grad/Reshape', 'gradients/y0_grad/Shape']],
        ['gradients/y0_grad/Cast', 'Cast', ['gradients/y0_grad/Prod']],
        ['gradients/y0_grad/Const', 'Const', []],
        ['gradients/y0_grad/DynamicStitch', 'DynamicStitch', ['gradients/y0_grad/range', 'gradients/y0_grad/mod', 'gradients/y0_grad/Shape', 'gradients/y0_grad/ones']],
        ['gradients/y0_grad/GatherV2', 'GatherV2', ['gradients/y0_grad/Shape_2', 'gradients/y0_grad/mod_1', 'gradients/y0_grad/GatherV2/axis']],
        ['gradients/y0_grad/GatherV2/axis', 'Const', []],
        ['gradients/y0_grad/Prod', 'Prod', ['gradients/y0_grad/GatherV2', 'gradients/y0_grad/Const']],
        ['gradients/y0_grad/Reshape', 'Reshape', ['gradients/y_grad/Reshape', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Const', []],
        ['gradients/y0_grad/Shape_2', 'Const', []],
        ['gradients/y0_grad/Size', 'Const', []],
        ['gradients/y0_grad/Size_1', 'Const', []],
        ['gradients/y0_grad/add', 'AddV2', ['ax', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/add_1', 'AddV2', ['ax', 'gradients/y0_grad/Size_1']],
        ['gradients/y0_grad/mod', 'FloorMod', ['gradients/y0_grad/add', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mod_1', 'FloorMod', ['gradients/y0_grad/add_1', 'gradients/y0_grad/Size_1']],
        ['gradients/y0_grad/ones', 'Fill', ['gradients/y0_grad/Shape_1', 'gradients/y0_grad/ones/Const']],
        ['gradients/y0_grad/ones/Const', 'Const', []],
        ['gradients/y0_grad/range', 'Range', ['gradients/y0_grad/range/start', 'gradients/y0_grad/Size', 'gradients/y0_grad/range/delta']],
        ['gradients/y0_grad/range/delta', 'Const', []],
        ['gradients/y0_grad/range/start', 'Const', []],
        ['gradients/y0_grad/truediv', 'RealDiv', ['gradients/y0_grad/BroadcastTo', 'gradients/y0_grad/Cast']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Shape', ['y0']],
    ],
    'min_computed_axis': [
        ['gradients/y0_grad/Cast', 'Cast', ['gradients/y0_grad/Equal']],
        ['gradients/y0_grad/DynamicStitch', 'DynamicStitch', ['gradients/y0_grad/range', 'gradients/y0_grad/mod', 'gradients/y0_grad/Shape', 'gradients/y0_grad/ones']],
        ['gradients/y0_grad/Equal', 'Equal', ['gradients/y0_grad/Reshape', 'y0/ReadVariableOp']],
        ['gradients/y0_grad/Reshape', 'Reshape', ['y0', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Reshape_1', 'Reshape', ['gradients/y_grad/Reshape', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Reshape_2', 'Reshape', ['gradients/y0_grad/Sum', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Const', []],
        ['gradients/y0_grad/Size', 'Const', []],
        ['gradients/y0_grad/Sum', 'Sum', ['gradients/y0_grad/Cast', 'ax']],
        ['gradients/y0_grad/add', 'AddV2', ['ax', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mod', 'FloorMod', ['gradients/y0_grad/add', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mul', 'Mul', ['gradients/y0_grad/truediv', 'gradients/y0_grad/Reshape_1']],
        ['gradients/y0_grad/ones', 'Fill', ['gradients/y0_grad/Shape_1', 'gradients/y0_grad/ones/Const']],
        ['gradients/y0_grad/ones/Const', 'Const', []],
        ['gradients/y0_grad/range', 'Range', ['gradients/y0_grad/range/start', 'gradients/y0_grad/Size', 'gradients/y0_grad/range/delta']],
        ['gradients/y0_grad/range/delta', 'Const', []],
        ['gradients/y0_grad/range/start', 'Const', []],
        ['gradients/y0_grad/truediv', 'RealDiv', ['gradients/y0_grad/Cast', 'gradients/y0_grad/Reshape_2']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Shape', ['y0']],
    ],
    'prod_computed_axis': [
        ['gradients/y0_grad/BroadcastTo', 'BroadcastTo', ['gradients/y0_grad/Reshape_1', 'gradients/y0_grad/Shape']],
        ['gradients/y0_grad/Const', 'Const', []],
        ['gradients/y0_grad/Const_1', 'Const', []],
        ['gradients/y0_grad/Cumprod', 'Cumprod', ['gradients/y0_grad/Reshape_2', 'gradients/y0_grad/Cumprod/axis']],
        ['gradients/y0_grad/Cumprod/axis', 'Const', []],
        ['gradients/y0_grad/Cumprod_1', 'Cumprod', ['gradients/y0_grad/Reshape_2', 'gradients/y0_grad/Cumprod_1/axis']],
        ['gradients/y0_grad/Cumprod_1/axis', 'Const', []],
        ['gradients/y0_grad/DynamicStitch', 'DynamicStitch', ['gradients/y0_grad/range', 'gradients/y0_grad/mod', 'gradients/y0_grad/Shape', 'gradients/y0_grad/ones']],
        ['gradients/y0_grad/GatherV2', 'GatherV2', ['gradients/y0_grad/Shape', 'gradients/y0_grad/mod_1', 'gradients/y0_grad/GatherV2/axis']],
        ['gradients/y0_grad/GatherV2/axis', 'Const', []],
        ['gradients/y0_grad/GatherV2_1', 'GatherV2', ['gradients/y0_grad/Shape', 'gradients/y0_grad/ListDiff', 'gradients/y0_grad/GatherV2_1/axis']],
        ['gradients/y0_grad/GatherV2_1/axis', 'Const', []],
        ['gradients/y0_grad/InvertPermutation', 'InvertPermutation', ['gradients/y0_grad/concat']],
        ['gradients/y0_grad/ListDiff', 'ListDiff', ['gradients/y0_grad/range_1', 'gradients/y0_grad/mod_1']],
        ['gradients/y0_grad/Prod', 'Prod', ['gradients/y0_grad/GatherV2', 'gradients/y0_grad/Const']],
        ['gradients/y0_grad/Prod_1', 'Prod', ['gradients/y0_grad/GatherV2_1', 'gradients/y0_grad/Const_1']],
        ['gradients/y0_grad/Rank', 'Const', []],
        ['gradients/y0_grad/Reshape', 'Reshape', ['ax', 'gradients/y0_grad/Reshape/shape']],
        ['gradients/y0_grad/Reshape/shape', 'Const', []],
        ['gradients/y0_grad/Reshape_1', 'Reshape', ['gradients/y_grad/Reshape', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Reshape_2', 'Reshape', ['gradients/y0_grad/transpose', 'gradients/y0_grad/Reshape_2/shape']],
        ['gradients/y0_grad/Reshape_2/shape', 'Pack', ['gradients/y0_grad/Prod', 'gradients/y0_grad/Prod_1']],
        ['gradients/y0_grad/Reshape_3', 'Reshape', ['gradients/y0_grad/mul', 'gradients/y0_grad/Shape_2']],
        ['gradients/y0_grad/Reshape_4', 'Reshape', ['gradients/y0_grad/mul_1', 'gradients/y0_grad/Shape']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Const', []],
        ['gradients/y0_grad/Shape_2', 'Shape', ['gradients/y0_grad/transpose']],
        ['gradients/y0_grad/Size', 'Const', []],
        ['gradients/y0_grad/add', 'AddV2', ['ax', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/add_1', 'AddV2', ['gradients/y0_grad/Reshape', 'gradients/y0_grad/Rank']],
        ['gradients/y0_grad/concat', 'ConcatV2', ['gradients/y0_grad/mod_1', 'gradients/y0_grad/ListDiff', 'gradients/y0_grad/concat/axis']],
        ['gradients/y0_grad/concat/axis', 'Const', []],
        ['gradients/y0_grad/mod', 'FloorMod', ['gradients/y0_grad/add', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mod_1', 'FloorMod', ['gradients/y0_grad/add_1', 'gradients/y0_grad/Rank']],
        ['gradients/y0_grad/mul', 'Mul', ['gradients/y0_grad/Cumprod', 'gradients/y0_grad/Cumprod_1']],
        ['gradients/y0_grad/mul_1', 'Mul', ['gradients/y0_grad/BroadcastTo', 'gradients/y0_grad/transpose_1']],
        ['gradients/y0_grad/ones', 'Fill', ['gradients/y0_grad/Shape_1', 'gradients/y0_grad/ones/Const']],
        ['gradients/y0_grad/ones/Const', 'Const', []],
        ['gradients/y0_grad/range', 'Range', ['gradients/y0_grad/range/start', 'gradients/y0_grad/Size', 'gradients/y0_grad/range/delta']],
        ['gradients/y0_grad/range/delta', 'Const', []],
        ['gradients/y0_grad/range/start', 'Const', []],
        ['gradients/y0_grad/range_1', 'Range', ['gradients/y0_grad/range_1/start', 'gradients/y0_grad/Rank', 'gradients/y0_grad/range_1/delta']],
        ['gradients/y0_grad/range_1/delta', 'Const', []],
        ['gradients/y0_grad/range_1/start', 'Const', []],
        ['gradients/y0_grad/transpose', 'Transpose', ['y0/ReadVariableOp', 'gradients/y0_grad/concat']],
        ['gradients/y0_grad/transpose_1', 'Transpose', ['gradients/y0_grad/Reshape_3', 'gradients/y0_grad/InvertPermutation']],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Shape', ['y0']],
    ],
    'sum_computed_axes_rank3': [
        ['gradients/y0_grad/BroadcastTo', 'BroadcastTo', ['gradients/y0_grad/Reshape', 'gradients/y0_grad/Shape']],
        ['gradients/y0_grad/DynamicStitch', 'DynamicStitch', ['gradients/y0_grad/range', 'gradients/y0_grad/mod', 'gradients/y0_grad/Shape', 'gradients/y0_grad/ones']],
        ['gradients/y0_grad/Reshape', 'Reshape', ['gradients/y_grad/Reshape', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Const', []],
        ['gradients/y0_grad/Size', 'Const', []],
        ['gradients/y0_grad/add', 'AddV2', ['ax', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mod', 'FloorMod', ['gradients/y0_grad/add', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/ones', 'Fill', ['gradients/y0_grad/Shape_1', 'gradients/y0_grad/ones/Const']],
        ['gradients/y0_grad/ones/Const', 'Const', []],
        ['gradients/y0_grad/range', 'Range', ['gradients/y0_grad/range/start', 'gradients/y0_grad/Size', 'gradients/y0_grad/range/delta']],
        ['gradients/y0_grad/range/delta', 'Const', []],
        ['gradients/y0_grad/range/start', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Shape', ['y0']],
    ],
    'sum_computed_axis': [
        ['gradients/y0_grad/BroadcastTo', 'BroadcastTo', ['gradients/y0_grad/Reshape', 'gradients/y0_grad/Shape']],
        ['gradients/y0_grad/DynamicStitch', 'DynamicStitch', ['gradients/y0_grad/range', 'gradients/y0_grad/mod', 'gradients/y0_grad/Shape', 'gradients/y0_grad/ones']],
        ['gradients/y0_grad/Reshape', 'Reshape', ['gradients/y_grad/Reshape', 'gradients/y0_grad/DynamicStitch']],
        ['gradients/y0_grad/Shape', 'Const', []],
        ['gradients/y0_grad/Shape_1', 'Const', []],
        ['gradients/y0_grad/Size', 'Const', []],
        ['gradients/y0_grad/add', 'AddV2', ['ax', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/mod', 'FloorMod', ['gradients/y0_grad/add', 'gradients/y0_grad/Size']],
        ['gradients/y0_grad/ones', 'Fill', ['gradients/y0_grad/Shape_1', 'gradients/y0_grad/ones/Const']],
        ['gradients/y0_grad/ones/Const', 'Const', []],
        ['gradients/y0_grad/range', 'Range', ['gradients/y0_grad/range/start', 'gradients/y0_grad/Size', 'gradients/y0_grad/range/delta']],
        ['gradients/y0_grad/range/delta', 'Const', []],
        ['gradients/y0_grad/range/start', 'Const', []],
        ['gradients/y_grad/Reshape', 'Reshape', ['gradients/AddN', 'gradients/y_grad/Shape']],
        ['gradients/y_grad/Shape', 'Shape', ['y0']],
    ],
}
TF_VALUES = {
    'concat_gathered_axis_0': {'dw': [[0.75, 4.6875, 12.0]], 'dp': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875], [0.75, 4.6875, 12.0]]},
    'concat_gathered_axis_1': {'dw': [[0.75, 9.375, 0.0], [6.75, 0.375, 0.0]], 'dv': [0.27, 13.5, 0.0]},
    'dynamic_stitch': {'dw': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]], 'dp': [[0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'gather_axis_1': {'dw': [[0.75, 4.6875, 24.0], [6.75, 0.1875, 3.375]]},
    'gather_batch_dims_axis_1': {'db2': [[[0.030000001, 0.120000005, 0.27], [0.96000004, 1.5, 2.16]], [[9.0, 36.0, 2.25], [0.0, 0.0, 0.0]]]},
    'gather_batch_dims_axis_2': {'db2': [[[0.030000001, 0.0, 0.27], [0.48000002, 0.0, 1.08]], [[0.0, 24.0, 0.0], [0.0, 0.24000001, 0.0]]]},
    'gather_resource_variable': {'dw': [[6.75, 0.1875, 1.6875], [0.75, 4.6875, 12.0], [6.75, 0.1875, 1.6875]]},
    'max_computed_axis': {'dw': [[0.0, 0.0, 12.0], [6.75, 0.0, 0.0]]},
    'max_computed_axis_keepdims': {'dw': [[0.0, 0.0, 12.0], [6.75, 0.0, 0.0]]},
    'mean_computed_axis': {'dw': [[0.1736111, 0.1736111, 0.1736111], [0.11111113, 0.11111113, 0.11111113]]},
    'min_computed_axis': {'dp': [[0.75, 0.0, 0.0], [0.0, 0.1875, 0.0]]},
    'prod_computed_axis': {'dw': [[-11.71875, 4.6875, -2.9296875], [-0.04449463, -0.26696777, 0.08898926]]},
    'sum_computed_axes_rank3': {'dt3': [[[18.75, 18.75, 18.75, 18.75], [3.0, 3.0, 3.0, 3.0], [22.6875, 22.6875, 22.6875, 22.6875]], [[18.75, 18.75, 18.75, 18.75], [3.0, 3.0, 3.0, 3.0], [22.6875, 22.6875, 22.6875, 22.6875]]]},
    'sum_computed_axis': {'dw': [[4.6875, 4.6875, 4.6875], [3.0, 3.0, 3.0]]},
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
        assert np.array_equal(np.asarray(got, dtype=np.float32), np.asarray(want, dtype=np.float32)), out


# TF 2.21, tf1.gather(v, idx, name="g") on tf1.Variable([[1, 2], [3, 4], [5, 6]], use_resource=...) with
# idx = tf.constant([2, 0, 2], name="idx"), then tf1.gradients(reduce_sum(g * g), [v]); g.as_graph_def():
# resource: `g` ResourceGather [v, idx] (var.sparse_read: no axis constant), gradient dense_shape
# `gradients/g_grad/Const`; ref: `g/axis` Const, `g` GatherV2 [v/read, idx, g/axis], dense_shape
# `gradients/g_grad/Shape`. Trained with GradientDescentOptimizer(0.1), 3 steps: losses 127, 47.120003, 17.859201
GATHER_SPEC = """
variables: {mode}
nodes:
  - {{name: v, op: variable, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}}
  - {{name: idx, op: const, value: [2, 0, 2]}}
  - {{name: zero, op: const, value: 0}}
  - {{name: g, op: gather, inputs: [v, idx, {axis}]}}
  - {{name: mul, op: mul, inputs: [g, g]}}
  - {{name: loss, op: reduce_sum, inputs: [mul]}}
  - minimize: loss
    optimizer: {{type: GradientDescent, learning_rate: 0.1}}
    name: train
run: {{fetch: [loss], targets: [train], steps: 3}}
"""
GATHER_NODES = {
    "resource": [("g", "ResourceGather", ["v", "idx"]), ("gradients/g_grad/Const", "Const", [])],
    "ref": [("g", "GatherV2", ["v/read", "idx", "g/axis"]), ("g/axis", "Const", []),
            ("gradients/g_grad/Shape", "Const", [])],
}


@pytest.mark.parametrize("mode,axis", [("resource", "0"), ("resource", "zero"), ("ref", "0")])
def test_gather_on_a_variable_is_tfs_sparse_read(spec_file, mode, axis):
    path = spec_file(GATHER_SPEC.format(mode=mode, axis=axis))
    graph = Pipeline(path).spec.graph
    keep = ("g", "g/axis", "gradients/g_grad/Const", "gradients/g_grad/Shape")
    assert [tuple(n) for n in own_nodes(graph, keep) if n[0] in keep] == GATHER_NODES[mode]
    assert values(run_spec(path), "loss") == [127.0, np.float32(47.120003), np.float32(17.859201)]


# TF 2.21: tf.dynamic_stitch([[6, 4, 1], [[5, 2], [0, 3]]], [[[61, 62], [41, 42], [11, 12]],
# [[[51, 52], [21, 22]], [[1, 2], [31, 32]]]]) -> rows 1, 11, ..., 61 in index order; a later index
# wins and a row no index names is zeros: dynamic_stitch([[0, 2], [2]], [[1, 2], [9]]) -> [1, 0, 9]
def test_dynamic_stitch_kernel_is_tfs(spec_file):
    path = spec_file("""
nodes:
  - {name: i0, op: const, value: [6, 4, 1]}
  - {name: i1, op: const, value: [[5, 2], [0, 3]]}
  - {name: d0, op: const, value: [[61.0, 62.0], [41.0, 42.0], [11.0, 12.0]]}
  - {name: d1, op: const, value: [[[51.0, 52.0], [21.0, 22.0]], [[1.0, 2.0], [31.0, 32.0]]]}
  - {name: s, op: dynamic_stitch, inputs: [i0, i1, d0, d1]}
  - {name: p, op: parallel_dynamic_stitch, inputs: [i0, i1, d0, d1]}
  - {name: j0, op: const, value: [0, 2]}
  - {name: j1, op: const, value: [2]}
  - {name: later, op: dynamic_stitch, inputs: [j0, j1, [1.0, 2.0], [9.0]]}
run: {fetch: [s, p, later], steps: 1}
""")
    result = run_spec(path)
    rows = [[1.0, 2.0], [11.0, 12.0], [21.0, 22.0], [31.0, 32.0], [41.0, 42.0], [51.0, 52.0], [61.0, 62.0]]
    assert values(result, "s") == [rows] and values(result, "p") == [rows]
    assert values(result, "later") == [[1.0, 0.0, 9.0]]


KERNEL_TESTS = {"dynamic_stitch": test_dynamic_stitch_kernel_is_tfs,
                "parallel_dynamic_stitch": test_dynamic_stitch_kernel_is_tfs}


# TF 2.21's static shapes: dynamic_stitch([placeholder int32 [2], [5]], [zeros [2, 3], zeros [1, 3]])
# -> (None, 3); with constant indices [0, 4] and [5] -> (6, 3); indices [0, 1] with data of shape [3]:
# ValueError "Dimensions must be equal, but are 3 and 2"
@pytest.mark.parametrize("i0,d0,want", [
    ("{name: i0, op: placeholder, dtype: int32, shape: [2]}", "[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]", (None, 3)),
    ("{name: i0, op: const, value: [0, 4]}", "[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]", (6, 3)),
])
def test_dynamic_stitch_shape_is_tfs(spec_file, i0, d0, want):
    graph = Pipeline(spec_file(f"""
nodes:
  - {i0}
  - {{name: s, op: dynamic_stitch, inputs: [i0, [5], {d0}, [[1.0, 1.0, 1.0]]]}}
""")).spec.graph
    assert graph.nodes["s"].outputs[0].shape == want


def test_dynamic_stitch_data_must_start_with_the_indices_shape(spec_file):
    path = spec_file("""
nodes:
  - {name: s, op: dynamic_stitch, inputs: [[0, 1], [1.0, 2.0, 3.0]]}
""")
    with pytest.raises(SpecError) as err:
        Pipeline(path).spec
    assert "Dimensions must be equal, but are 3 and 2" in err.value.message and err.value.loc is not None


# 4. an IndexedSlices through a v1 cond (tf1.disable_control_flow_v2()): TF 2.21's program
# x = tf.multiply(w, 1.5, name="x"); out = tf1.cond(flag, lambda: tf.identity(x, name="a"),
# lambda: tf.multiply(x, 2.0, name="b"), name="c"); rows = tf1.gather(out, [2, 0, 2], name="rows");
# loss = reduce_sum(multiply(rows, rows, name="sq")); tf1.gradients(loss, [w]). _MergeGrad switches
# each component of the slices; the identity branch's _SwitchGrad merges them with the other side's
# zeros made IndexedSlices (Shape, range); the whole gradient graph (77 nodes) is TF's, these are
# the nodes of the IndexedSlices parts. dw: flag true [[4.5, 9], [0, 0], [45, 54]], false [[18, 36],
# [0, 0], [180, 216]]
COND_SPEC = """
nodes:
  - {name: w, op: variable, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}
  - {name: x, op: mul, inputs: [w, 1.5]}
  - {name: t, op: const, value: true}
  - {name: flag, op: placeholder_with_default, inputs: [t], shape: []}
  - cond: flag
    name: c
    outputs: [out]
    true_fn: {nodes: [{name: a, op: identity, inputs: [x]}], return: [a]}
    false_fn: {nodes: [{name: b, op: mul, inputs: [x, 2.0]}], return: [b]}
  - {name: rows, op: gather, inputs: [out, [2, 0, 2], 0]}
  - {name: sq, op: mul, inputs: [rows, rows]}
  - {name: loss, op: reduce_sum, inputs: [sq]}
  - gradients: loss
    xs: [w]
    outputs: [dw]
run: {fetch: [dw], steps: 1}
"""
COND_TF_NODES = [
    ('gradients/AddN_1', 'AddN', ['gradients/c/b/Switch_grad/cond_grad', 'gradients/AddN_1/inputs_1']),
    ('gradients/AddN_1/inputs_1', 'UnsortedSegmentSum', ['gradients/c/a/Switch_grad/cond_grad/Merge', 'gradients/c/a/Switch_grad/cond_grad/Merge_1', 'gradients/AddN_1/strided_slice']),
    ('gradients/AddN_1/strided_slice', 'StridedSlice', ['gradients/c/a/Switch_grad/cond_grad/Merge_2', 'gradients/AddN_1/strided_slice/stack', 'gradients/AddN_1/strided_slice/stack_1', 'gradients/AddN_1/strided_slice/stack_2']),
    ('gradients/AddN_1/strided_slice/stack', 'Const', []),
    ('gradients/AddN_1/strided_slice/stack_1', 'Const', []),
    ('gradients/AddN_1/strided_slice/stack_2', 'Const', []),
    ('gradients/c/Merge_grad/cond_grad/Switch', 'Switch', ['gradients/rows_grad/Reshape', 'c/pred_id']),
    ('gradients/c/Merge_grad/cond_grad/Switch_1', 'Switch', ['gradients/rows_grad/Reshape_1', 'c/pred_id']),
    ('gradients/c/Merge_grad/cond_grad/Switch_2', 'Switch', ['gradients/rows_grad/Shape', 'c/pred_id']),
    ('gradients/c/a/Switch_grad/cond_grad/Merge', 'Merge', ['gradients/zeros_1', 'gradients/c/Merge_grad/cond_grad/Switch:1']),
    ('gradients/c/a/Switch_grad/cond_grad/Merge_1', 'Merge', ['gradients/c/a/Switch_grad/cond_grad/range', 'gradients/c/Merge_grad/cond_grad/Switch_1:1']),
    ('gradients/c/a/Switch_grad/cond_grad/Merge_2', 'Merge', ['gradients/c/a/Switch_grad/cond_grad/Shape', 'gradients/c/Merge_grad/cond_grad/Switch_2:1']),
    ('gradients/c/a/Switch_grad/cond_grad/Shape', 'Shape', ['gradients/zeros_1']),
    ('gradients/c/a/Switch_grad/cond_grad/range', 'Range', ['gradients/c/a/Switch_grad/cond_grad/range/start', 'gradients/c/a/Switch_grad/cond_grad/strided_slice', 'gradients/c/a/Switch_grad/cond_grad/range/delta']),
    ('gradients/c/a/Switch_grad/cond_grad/range/delta', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/range/start', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice', 'StridedSlice', ['gradients/c/a/Switch_grad/cond_grad/Shape', 'gradients/c/a/Switch_grad/cond_grad/strided_slice/stack', 'gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_1', 'gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_2']),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice/stack', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_1', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_2', 'Const', []),
    ('gradients/c/b/Switch_grad/cond_grad', 'Merge', ['gradients/c/b_grad/Mul', 'gradients/zeros']),
]


def test_indexed_slices_through_a_cond_are_tfs(spec_file):
    path = spec_file(COND_SPEC)
    graph = Pipeline(path).spec.graph
    mine = [n for n in own_nodes(graph, ("gradients/c/", "gradients/AddN_1"))
            if "Merge_grad" in n[0] or "Switch_grad" in n[0] or n[0].startswith("gradients/AddN_1")]
    assert [tuple(n) for n in mine] == COND_TF_NODES
    assert values(run_spec(path), "dw") == [[[4.5, 9.0], [0.0, 0.0], [45.0, 54.0]]]
    assert values(run_spec(path, feeds={"flag": False}), "dw") == [[[18.0, 36.0], [0.0, 0.0], [180.0, 216.0]]]


# tf1.gather on a resource variable in each branch of a v1 cond: TF 2.21's program
# out = tf1.cond(flag, lambda: tf1.gather(w, [2, 0], name="a"), lambda: tf1.gather(w, [1, 1], name="b"),
# name="c"); GradientDescentOptimizer(0.5).minimize(reduce_sum(out), name="train"): ResourceGather on
# the switched handle, the slices merged at each handle's Switch; its whole graph (gradients/, c/,
# train/: 86 nodes) is TF's; these are the branches' and the Switch gradients' nodes. Two steps of
# sess.run([loss, train]) leave w = [[0, 1], [3, 4], [4, 5]]; TF printed losses 14, 10: its second
# loss raced with the update (the gather in the branch is not ordered before it), idrun reads first:
# 12 (the sum of rows 2 and 0 after step 1)
COND_GATHER_SPEC = """
nodes:
  - {name: w, op: variable, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}
  - {name: t, op: const, value: true}
  - {name: flag, op: placeholder_with_default, inputs: [t], shape: []}
  - cond: flag
    name: c
    outputs: [out]
    true_fn: {nodes: [{name: a, op: gather, inputs: [w, [2, 0], 0]}], return: [a]}
    false_fn: {nodes: [{name: b, op: gather, inputs: [w, [1, 1], 0]}], return: [b]}
  - {name: loss, op: reduce_sum, inputs: [out]}
  - minimize: loss
    optimizer: {type: GradientDescent, learning_rate: 0.5}
    name: train
  - control_dependencies: [train]
    nodes: [{name: ww, op: identity, inputs: [w]}]
run: {fetch: [loss, ww], steps: 2}
"""
COND_GATHER_TF_NODES = [
    ('c/a', 'ResourceGather', ['c/a/Switch:1', 'c/a/indices']),
    ('c/a/Switch', 'Switch', ['w', 'c/pred_id']),
    ('c/a/indices', 'Const', ['^c/switch_t']),
    ('c/b', 'ResourceGather', ['c/b/Switch', 'c/b/indices']),
    ('c/b/Switch', 'Switch', ['w', 'c/pred_id']),
    ('c/b/indices', 'Const', ['^c/switch_f']),
    ('gradients/c/a/Switch_grad/cond_grad/Merge', 'Merge', ['gradients/zeros_1', 'gradients/c/a_grad/Reshape']),
    ('gradients/c/a/Switch_grad/cond_grad/Merge_1', 'Merge', ['gradients/c/a/Switch_grad/cond_grad/range', 'gradients/c/a_grad/Reshape_1']),
    ('gradients/c/a/Switch_grad/cond_grad/Merge_2', 'Merge', ['gradients/c/a/Switch_grad/cond_grad/Shape', 'gradients/c/a_grad/Const']),
    ('gradients/c/a/Switch_grad/cond_grad/Shape', 'Shape', ['gradients/zeros_1']),
    ('gradients/c/a/Switch_grad/cond_grad/range', 'Range', ['gradients/c/a/Switch_grad/cond_grad/range/start', 'gradients/c/a/Switch_grad/cond_grad/strided_slice', 'gradients/c/a/Switch_grad/cond_grad/range/delta']),
    ('gradients/c/a/Switch_grad/cond_grad/range/delta', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/range/start', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice', 'StridedSlice', ['gradients/c/a/Switch_grad/cond_grad/Shape', 'gradients/c/a/Switch_grad/cond_grad/strided_slice/stack', 'gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_1', 'gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_2']),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice/stack', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_1', 'Const', []),
    ('gradients/c/a/Switch_grad/cond_grad/strided_slice/stack_2', 'Const', []),
    ('gradients/c/b/Switch_grad/cond_grad/Merge', 'Merge', ['gradients/c/b_grad/Reshape', 'gradients/zeros']),
    ('gradients/c/b/Switch_grad/cond_grad/Merge_1', 'Merge', ['gradients/c/b_grad/Reshape_1', 'gradients/c/b/Switch_grad/cond_grad/range']),
    ('gradients/c/b/Switch_grad/cond_grad/Merge_2', 'Merge', ['gradients/c/b_grad/Const', 'gradients/c/b/Switch_grad/cond_grad/Shape']),
    ('gradients/c/b/Switch_grad/cond_grad/Shape', 'Shape', ['gradients/zeros']),
    ('gradients/c/b/Switch_grad/cond_grad/range', 'Range', ['gradients/c/b/Switch_grad/cond_grad/range/start', 'gradients/c/b/Switch_grad/cond_grad/strided_slice', 'gradients/c/b/Switch_grad/cond_grad/range/delta']),
    ('gradients/c/b/Switch_grad/cond_grad/range/delta', 'Const', []),
    ('gradients/c/b/Switch_grad/cond_grad/range/start', 'Const', []),
    ('gradients/c/b/Switch_grad/cond_grad/strided_slice', 'StridedSlice', ['gradients/c/b/Switch_grad/cond_grad/Shape', 'gradients/c/b/Switch_grad/cond_grad/strided_slice/stack', 'gradients/c/b/Switch_grad/cond_grad/strided_slice/stack_1', 'gradients/c/b/Switch_grad/cond_grad/strided_slice/stack_2']),
    ('gradients/c/b/Switch_grad/cond_grad/strided_slice/stack', 'Const', []),
    ('gradients/c/b/Switch_grad/cond_grad/strided_slice/stack_1', 'Const', []),
    ('gradients/c/b/Switch_grad/cond_grad/strided_slice/stack_2', 'Const', []),
]


def test_a_gather_of_a_variable_in_a_cond_is_tfs(spec_file):
    path = spec_file(COND_GATHER_SPEC)
    graph = Pipeline(path).spec.graph
    mine = [tuple(n) for n in own_nodes(graph, ("gradients/c/", "c/a", "c/b"))
            if "Switch_grad" in n[0] or n[0].startswith(("c/a", "c/b"))]
    assert mine == COND_GATHER_TF_NODES
    result = run_spec(path)
    assert values(result, "loss") == [14.0, 12.0]
    assert values(result, "ww")[-1] == [[0.0, 1.0], [3.0, 4.0], [4.0, 5.0]]


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests.test_op_gradients import _regenerate
    _regenerate(CASES, VARIABLES, prefixes)
