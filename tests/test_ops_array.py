"""The array and shape ops against TensorFlow 2.21: every expected value, dtype, runtime shape
and static shape below was printed by TF (graph mode, tf.compat.v1.Session) for the call in
the row's comment (script: the calls listed, run with the same literals). These ops only move
or select elements, so every comparison is exact."""

import numpy as np
import pytest

from conftest import run_spec
from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions

R3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4).tolist()  # the `t` of the strided-slice rows

# (entry, TF's value, dtype, runtime shape, TF's static shape)
CASES = [
    ('{op: fill, inputs: [[2, 3], 1.5]}',
     [[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]], 'float32', [2, 3], [2, 3]),  # tf.fill([2, 3], 1.5)
    ('{op: fill, inputs: [[2], 7]}',
     [7, 7], 'int32', [2], [2]),  # tf.fill([2], 7)
    ('{op: zeros_like, inputs: [[[1.5, 2.0]]]}',
     [[0.0, 0.0]], 'float32', [1, 2], [1, 2]),  # tf.raw_ops.ZerosLike(x=[[1.5, 2.0]])
    ('{op: ones_like, inputs: [[3, 4]]}',
     [1, 1], 'int32', [2], [2]),  # tf.raw_ops.OnesLike(x=[3, 4])
    ('{op: expand_dims, inputs: [[1.0, 2.0], 1]}',
     [[1.0], [2.0]], 'float32', [2, 1], [2, 1]),  # tf.expand_dims([1.0, 2.0], 1)
    ('{op: expand_dims, inputs: [[1.0, 2.0], -1]}',
     [[1.0], [2.0]], 'float32', [2, 1], [2, 1]),  # tf.expand_dims([1.0, 2.0], -1)
    ('{op: squeeze, inputs: [[[[1.0], [2.0]]]]}',
     [1.0, 2.0], 'float32', [2], [2]),  # tf.squeeze([[[1.0], [2.0]]])
    ('{op: squeeze, inputs: [[[[1.0], [2.0]]]], axis: [2]}',
     [[1.0, 2.0]], 'float32', [1, 2], [1, 2]),  # tf.squeeze([[[1.0], [2.0]]], axis=[2])
    ('{op: tile, inputs: [[[1, 2]], [2, 2]]}',
     [[1, 2, 1, 2], [1, 2, 1, 2]], 'int32', [2, 4], [2, 4]),  # tf.tile([[1, 2]], [2, 2])
    ('{op: slice, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0, 1], [-1, 2]]}',
     [[2.0, 3.0], [5.0, 6.0]], 'float32', [2, 2], [2, 2]),  # tf.slice([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0, 1], [-1, 2]
    ('{op: transpose, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1, 0]]}',
     [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]], 'float32', [3, 2], [3, 2]),  # tf.transpose([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1, 0])
    ('{op: transpose, inputs: [[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]], [2, 0, 1]]}',
     [[[0.0, 4.0, 8.0], [12.0, 16.0, 20.0]], [[1.0, 5.0, 9.0], [13.0, 17.0, 21.0]], [[2.0, 6.0, 10.0], [14.0, 18.0, 22.0]], [[3.0, 7.0, 11.0], [15.0, 19.0, 23.0]]], 'float32', [4, 2, 3], [4, 2, 3]),  # tf.transpose([[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [
    ('{op: invert_permutation, inputs: [[2, 0, 3, 1]]}',
     [1, 3, 0, 2], 'int32', [4], [4]),  # tf.math.invert_permutation([2, 0, 3, 1])
    ('{op: size, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]}',
     6, 'int32', [], []),  # tf.raw_ops.Size(input=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    ('{op: rank, inputs: [[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]]}',
     3, 'int32', [], []),  # tf.raw_ops.Rank(input=[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0
    ('{op: range, inputs: [0.3, 7.1, 0.7]}',
     [0.30000001192092896, 1.0, 1.7000000476837158, 2.3999998569488525, 3.0999999046325684, 3.799999952316284, 4.5, 5.200000286102295, 5.900000095367432, 6.599999904632568], 'float32', [10], [10]),  # tf.range(0.3, 7.1, 0.7)
    ('{op: range, inputs: [10, 1, -3]}',
     [10, 7, 4], 'int32', [3], [3]),  # tf.range(10, 1, -3)
    ('{op: range, inputs: [0.0, 1.0, 0.1]}',
     [0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.9000000357627869], 'float32', [10], [10]),  # tf.range(0.0, 1.0, 0.1)
    ('{op: concat, inputs: [[[1, 2]], [[3, 4]], 1]}',
     [[1, 2, 3, 4]], 'int32', [1, 4], [1, 4]),  # tf.concat([[[1, 2]], [[3, 4]]], 1)
    ('{op: gather, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [2, 0, 2], 1]}',
     [[3.0, 1.0, 3.0], [6.0, 4.0, 6.0]], 'float32', [2, 3], [2, 3]),  # tf.gather([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [2, 0, 2], axi
    ('{op: gather, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[1], [0]], 0]}',
     [[[4.0, 5.0, 6.0]], [[1.0, 2.0, 3.0]]], 'float32', [2, 1, 3], [2, 1, 3]),  # tf.gather([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[1], [0]], ax
    ('{op: pad, inputs: [[[1, 2]], [[1, 0], [2, 1]]]}',
     [[0, 0, 0, 0, 0], [0, 0, 1, 2, 0]], 'int32', [2, 5], [2, 5]),  # tf.pad([[1, 2]], [[1, 0], [2, 1]])
    ('{op: pad_v2, inputs: [[[1.0, 2.0]], [[0, 1], [1, 0]], -1.0]}',
     [[-1.0, 1.0, 2.0], [-1.0, -1.0, -1.0]], 'float32', [2, 3], [2, 3]),  # tf.pad([[1.0, 2.0]], [[0, 1], [1, 0]], constant_values=-1.0)
    ('{op: mirror_pad, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[1, 1], [2, 2]]], mode: REFLECT}',
     [[6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0], [3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0], [6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0], [3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]], 'float32', [4, 7], [4, 7]),  # tf.pad([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[1, 1], [2, 2]],
    ('{op: mirror_pad, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[2, 0], [0, 3]]], mode: SYMMETRIC}',
     [[4.0, 5.0, 6.0, 6.0, 5.0, 4.0], [1.0, 2.0, 3.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 3.0, 2.0, 1.0], [4.0, 5.0, 6.0, 6.0, 5.0, 4.0]], 'float32', [4, 6], [4, 6]),  # tf.pad([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[2, 0], [0, 3]],
    ('{op: reverse, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1]]}',
     [[3.0, 2.0, 1.0], [6.0, 5.0, 4.0]], 'float32', [2, 3], [2, 3]),  # tf.reverse([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1])
    ('{op: reverse, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0, -1]]}',
     [[6.0, 5.0, 4.0], [3.0, 2.0, 1.0]], 'float32', [2, 3], [2, 3]),  # tf.reverse([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [0, -1])
    ('{op: one_hot, inputs: [[1, 3, -1], 3, 5.0, -1.0]}',
     [[-1.0, 5.0, -1.0], [-1.0, -1.0, -1.0], [-1.0, -1.0, -1.0]], 'float32', [3, 3], [3, 3]),  # tf.one_hot([1, 3, -1], 3, on_value=5.0, off_value=-1.0)
    ('{op: one_hot, inputs: [[[0, 2]], 3, 1, 0], axis: 1}',
     [[[1, 0], [0, 0], [0, 1]]], 'int32', [1, 3, 2], [1, 3, 2]),  # tf.one_hot([[0, 2]], 3, on_value=1, off_value=0, axis=1)
    ('{op: select, inputs: [[true, false], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[9.0, 9.0, 9.0], [8.0, 8.0, 8.0]]]}',
     [[1.0, 2.0, 3.0], [8.0, 8.0, 8.0]], 'float32', [2, 3], [2, 3]),  # tf1.where([True, False], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
    ('{op: select, inputs: [[[true, false, true], [false, true, false]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[9.0, 9.0, 9.0], [8.0, 8.0, 8.0]]]}',
     [[1.0, 9.0, 3.0], [8.0, 5.0, 8.0]], 'float32', [2, 3], [2, 3]),  # tf1.where([[True, False, True], [False, True, False]], [[1.0
    ('{op: select_v2, inputs: [[true, false, true], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], 0.0]}',
     [[1.0, 0.0, 3.0], [4.0, 0.0, 6.0]], 'float32', [2, 3], [2, 3]),  # tf.where([True, False, True], [[1.0, 2.0, 3.0], [4.0, 5.0, 6
    ('{op: where, inputs: [[[true, false], [false, true]]]}',
     [[0, 0], [1, 1]], 'int64', [2, 2], [None, 2]),  # tf.where([[True, False], [False, True]])
    ('{op: where, inputs: [[0.0, 3.0, -1.0]]}',
     [[1], [2]], 'int64', [2, 1], [None, 1]),  # tf.raw_ops.Where(condition=[0.0, 3.0, -1.0])
    ('{op: broadcast_to, inputs: [[1, 2, 3], [2, 3]]}',
     [[1, 2, 3], [1, 2, 3]], 'int32', [2, 3], [2, 3]),  # tf.broadcast_to([1, 2, 3], [2, 3])
    ('{op: stop_gradient, inputs: [[1.5]]}',
     [1.5], 'float32', [1], [1]),  # tf.stop_gradient([1.5])
    ('{op: prevent_gradient, inputs: [[2.5]]}',
     [2.5], 'float32', [1], [1]),  # tf.raw_ops.PreventGradient(input=[2.5])
    ('{op: snapshot, inputs: [[3.5]]}',
     [3.5], 'float32', [1], [1]),  # tf.raw_ops.Snapshot(input=[3.5])
    ('{op: placeholder_with_default, inputs: [[4.5, 1.0]], shape: [null]}',
     [4.5, 1.0], 'float32', [2], [None]),  # tf1.placeholder_with_default([4.5, 1.0], [None])
    ('{op: check_numerics, inputs: [[1.0, 2.0]], message: ok}',
     [1.0, 2.0], 'float32', [2], [2]),  # tf1.check_numerics([1.0, 2.0], 'ok')
    ('{op: strided_slice, inputs: [[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]], [0, 1], [2, 3], [1, 1]]}',
     [[[4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]], 'float32', [2, 2, 4], [2, 2, 4]),  # tf.strided_slice([[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0
    ('{op: strided_slice, inputs: [R3, [1], [2], [1]], shrink_axis_mask: 1}',
     [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]], 'float32', [3, 4], [3, 4]),  # t[1]
    ('{op: strided_slice, inputs: [R3, [0, 1], [0, 2], [1, 1]], begin_mask: 1, end_mask: 1, shrink_axis_mask: 2}',
     [[4.0, 5.0, 6.0, 7.0], [16.0, 17.0, 18.0, 19.0]], 'float32', [2, 4], [2, 4]),  # t[:, 1]
    ('{op: strided_slice, inputs: [R3, [0, 2], [0, 3], [1, 1]], ellipsis_mask: 1, shrink_axis_mask: 2}',
     [[2.0, 6.0, 10.0], [14.0, 18.0, 22.0]], 'float32', [2, 3], [2, 3]),  # t[..., 2]
    ('{op: strided_slice, inputs: [R3, [0, 0, 1], [0, 0, 3], [1, 1, 1]], begin_mask: 1, end_mask: 1, new_axis_mask: 2}',
     [[[[4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]], [[[16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]], 'float32', [2, 1, 2, 4], [2, 1, 2, 4]),  # t[:, None, 1:3]
    ('{op: strided_slice, inputs: [R3, [0, 0, 1], [0, 0, 2], [-1, 2, 1]], begin_mask: 3, end_mask: 3, shrink_axis_mask: 4}',
     [[13.0, 21.0], [1.0, 9.0]], 'float32', [2, 2], [2, 2]),  # t[::-1, ::2, 1]
    ('{op: strided_slice, inputs: [R3, [-1, -2, 0], [0, 0, 0], [1, 1, -3]], begin_mask: 4, end_mask: 6, shrink_axis_mask: 1}',
     [[19.0, 16.0], [23.0, 20.0]], 'float32', [2, 2], [2, 2]),  # t[-1, -2:, ::-3]
    ('{op: strided_slice, inputs: [R3, [0, 0, 0, 0], [0, 0, 0, 1], [1, 1, 1, 1]], ellipsis_mask: 2, new_axis_mask: 5, shrink_axis_mask: 8}',
     [[[[0.0], [4.0], [8.0]], [[12.0], [16.0], [20.0]]]], 'float32', [1, 2, 3, 1], [1, 2, 3, 1]),  # t[None, ..., None, 0]
    ('{op: strided_slice, inputs: [R3, [1, 0, 0], [0, 0, 1], [1, 1, 1]], begin_mask: 4, end_mask: 1, ellipsis_mask: 2}',
     [[[12.0], [16.0], [20.0]]], 'float32', [1, 3, 1], [1, 3, 1]),  # t[1:, ..., :1]
    ('{op: strided_slice, inputs: [R3, [0, 0, 0], [1, 0, 0], [1, 1, 1]], ellipsis_mask: 2, new_axis_mask: 4, shrink_axis_mask: 1}',
     [[[0.0], [1.0], [2.0], [3.0]], [[4.0], [5.0], [6.0], [7.0]], [[8.0], [9.0], [10.0], [11.0]]], 'float32', [3, 4, 1], [3, 4, 1]),  # t[0, ..., tf.newaxis]
    ('{op: strided_slice, inputs: [R3, [5, 0], [0, 100], [1, 7]], end_mask: 1}',
     [], 'float32', [0, 1, 4], [0, 1, 4]),  # t[5:, 0:100:7]
    ('{op: strided_slice, inputs: [R3, [0, -10], [0, 2], [1, 1]], begin_mask: 1, end_mask: 1}',
     [[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0]]], 'float32', [2, 2, 4], [2, 2, 4]),  # t[:, -10:2]
    ('{op: strided_slice, inputs: [R3, [0, 0, 0], [0, 0, 1], [1, -1, 1]], begin_mask: 2, end_mask: 2, ellipsis_mask: 1, shrink_axis_mask: 4}',
     [[8.0, 4.0, 0.0], [20.0, 16.0, 12.0]], 'float32', [2, 3], [2, 3]),  # t[..., ::-1, 0]
    ('{op: strided_slice_grad, inputs: [[2, 3, 4], [0, 0, 1], [0, 0, 3], [1, 1, 1], [[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]], [[[9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]]], begin_mask: 1, end_mask: 1, new_axis_mask: 2}',
     [[[0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]], [[0.0, 0.0, 0.0, 0.0], [9.0, 10.0, 11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]], 'float32', [2, 3, 4], [2, 3, 4]),  # tf.gradients(t[:, None, 1:3], t, grad_ys=dy)
    ('{op: strided_slice_grad, inputs: [[2, 3, 4], [0, 0, 1], [0, 0, 2], [-1, 2, 1], [[1.0, 2.0], [3.0, 4.0]]], begin_mask: 3, end_mask: 3, shrink_axis_mask: 4}',
     [[[0.0, 3.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 4.0, 0.0, 0.0]], [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 0.0]]], 'float32', [2, 3, 4], [2, 3, 4]),  # tf.gradients(t[::-1, ::2, 1], t, grad_ys=dy)
    ('{op: strided_slice_grad, inputs: [[2, 3, 4], [-1, -2, 0], [0, 0, 0], [1, 1, -3], [[1.0, 2.0], [3.0, 4.0]]], begin_mask: 4, end_mask: 6, shrink_axis_mask: 1}',
     [[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 1.0], [4.0, 0.0, 0.0, 3.0]]], 'float32', [2, 3, 4], [2, 3, 4]),  # tf.gradients(t[-1, -2:, ::-3], t, grad_ys=dy)
    ('{op: gather, inputs: [R3, [[2, 0], [1, 1]], 1], batch_dims: 1}',
     [[[8.0, 9.0, 10.0, 11.0], [0.0, 1.0, 2.0, 3.0]], [[16.0, 17.0, 18.0, 19.0], [16.0, 17.0, 18.0, 19.0]]], 'float32', [2, 2, 4], [2, 2, 4]),  # tf.gather(t, [[2, 0], [1, 1]], axis=1, batch_dims=1)
    ('{op: gather, inputs: [R3, [[[3], [0], [1]], [[2], [2], [0]]], 2], batch_dims: 2}',
     [[[3.0], [4.0], [9.0]], [[14.0], [18.0], [20.0]]], 'float32', [2, 3, 1], [2, 3, 1]),  # tf.gather(t, [[[3], [0], [1]], [[2], [2], [0]]], axis=2, batch_dims=2)
    ('{op: gather, inputs: [R3, [[0, 3], [1, 2]], 2], batch_dims: 1}',
     [[[0.0, 3.0], [4.0, 7.0], [8.0, 11.0]], [[13.0, 14.0], [17.0, 18.0], [21.0, 22.0]]], 'float32', [2, 3, 2], [2, 3, 2]),  # tf.gather(t, [[0, 3], [1, 2]], axis=2, batch_dims=1)
    ('{op: gather, inputs: [R3, [[0, 3], [1, 2]], -1], batch_dims: -1}',
     [[[0.0, 3.0], [4.0, 7.0], [8.0, 11.0]], [[13.0, 14.0], [17.0, 18.0], [21.0, 22.0]]], 'float32', [2, 3, 2], [2, 3, 2]),  # tf.gather(t, [[0, 3], [1, 2]], axis=-1, batch_dims=-1)
]

# multi-output ops: one value, dtype, shape and static shape per output
MULTI_CASES = [
    ('{op: shape_n, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1.0, 2.0]], out_type: int64}',
     [[2, 3], [2]], ['int64', 'int64'], [[2], [1]], [[2], [1]]),  # tf.shape_n([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1.0, 2.0]],
    ('{op: split_even, inputs: [1, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], num_split: 3}',
     [[[1.0], [4.0]], [[2.0], [5.0]], [[3.0], [6.0]]], ['float32', 'float32', 'float32'], [[2, 1], [2, 1], [2, 1]], [[2, 1], [2, 1], [2, 1]]),  # tf.split([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], 3, axis=1)
    ('{op: split_v, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1, -1], 1]}',
     [[[1.0], [4.0]], [[2.0, 3.0], [5.0, 6.0]]], ['float32', 'float32'], [[2, 1], [2, 2]], [[2, 1], [2, 2]]),  # tf.split([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1, -1], axis=1
    ('{op: unique, inputs: [[4, 1, 4, 7, 1, 2]]}',
     [[4, 1, 7, 2], [0, 1, 0, 2, 1, 3]], ['int32', 'int32'], [[4], [6]], [[None], [6]]),  # tf.unique([4, 1, 4, 7, 1, 2])
    ('{op: unique, inputs: [[4, 1, 4, 7, 1, 2]], out_idx: int64}',
     [[4, 1, 7, 2], [0, 1, 0, 2, 1, 3]], ['int32', 'int64'], [[4], [6]], [[None], [6]]),  # tf.unique([4, 1, 4, 7, 1, 2], out_idx=tf.int64)
    ('{op: broadcast_gradient_args, inputs: [[2, 1, 3], [1, 1, 3]]}',
     [[1], [0, 1]], ['int32', 'int32'], [[1], [2]], [[None], [None]]),  # tf.raw_ops.BroadcastGradientArgs(s0=[2, 1, 3], s1=[1, 1, 3])
    ('{op: broadcast_gradient_args, inputs: [EMPTY, [2, 2]]}',
     [[0, 1], []], ['int32', 'int32'], [[2], [0]], [[None], [None]]),  # tf.raw_ops.BroadcastGradientArgs(s0=tf.constant([], tf.int32
    ('{op: concat_offset, inputs: [1, [2, 3, 5], [2, 7, 5], [2, 1, 5]]}',
     [[0, 0, 0], [0, 3, 0], [0, 10, 0]], ['int32', 'int32', 'int32'], [[3], [3], [3]], [[3], [3], [3]]),  # tf.raw_ops.ConcatOffset(concat_dim=1, shape=[[2, 3, 5], [2, 
]


def _spec(spec_file, entry: str, fetch: str) -> str:
    consts = "  - {name: R3, op: const, value: %s}\n" % R3 if "R3" in entry else ""
    consts += "  - {name: EMPTY, op: const, value: [], dtype: int32}\n" if "EMPTY" in entry else ""
    return spec_file("nodes:\n" + consts + "  - {name: out, " + entry[1:] + "\nrun: {fetch: [%s]}\n" % fetch)


def _static(pipeline, ref: str):
    name, _, index = ref.partition(":")
    t = pipeline.spec.graph.nodes[name].outputs[int(index or 0)]
    return None if t.shape is None else list(t.shape)


def _run(path: str, names: list[str]):
    pipeline = Pipeline(path, RunOptions())
    result = pipeline.run()
    assert result.error is None, result.error
    step = result.steps[0]
    return [step.values[n] for n in names], [_static(pipeline, n) for n in names]


@pytest.mark.parametrize("entry,value,dtype,shape,static", CASES, ids=[c[0][5:40] for c in CASES])
def test_op_matches_tf(spec_file, entry, value, dtype, shape, static):
    (out,), (inferred,) = _run(_spec(spec_file, entry, "out"), ["out"])
    assert out.tolist() == value
    assert str(out.dtype) == dtype and list(out.shape) == shape
    assert inferred == static


@pytest.mark.parametrize("entry,value,dtype,shape,static", MULTI_CASES, ids=[c[0][5:40] for c in MULTI_CASES])
def test_multi_output_op_matches_tf(spec_file, entry, value, dtype, shape, static):
    names = [f"out:{k}" for k in range(len(value))]
    outs, inferred = _run(_spec(spec_file, entry, ", ".join(names)), names)
    assert [o.tolist() for o in outs] == value
    assert [str(o.dtype) for o in outs] == dtype and [list(o.shape) for o in outs] == shape
    assert inferred == static



# Shape errors at build time, in TF's words (TF 2.21 raised each at graph construction for
# the same call, e.g. tf.expand_dims(X, 3): "dim 3 not in the interval [-3, 2].")
X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
BUILD_ERRORS = [
    ("{op: strided_slice, inputs: [%s, [5], [6], [1]], shrink_axis_mask: 1}" % X,
     "slice index 5 of dimension 0 out of bounds."),
    ("{op: strided_slice, inputs: [%s, [-3], [0], [1]], shrink_axis_mask: 1}" % X,
     "slice index -1 of dimension 0 out of bounds."),  # TF names the index counted forward
    ("{op: strided_slice, inputs: [R3, [5, 1, 0], [4, -1, 1], [3, 1, -1]], shrink_axis_mask: 7}",
     "only stride 1 allowed on non-range indexing."),  # TF checks every stride before any bound
    ("{op: strided_slice, inputs: [%s, [0], [1], [0]]}" % X, "strides[0] must be non-zero"),
    ("{op: strided_slice, inputs: [%s, [0, 0], [1, 1], [1, 1]], ellipsis_mask: 3}" % X,
     "Multiple ellipses in slice spec not allowed"),
    ("{op: expand_dims, inputs: [%s, 3]}" % X, "dim 3 not in the interval [-3, 2]."),
    ("{op: squeeze, inputs: [%s], axis: [0]}" % X, "Can not squeeze dim[0], expected a dimension of 1, got 2"),
    ("{op: transpose, inputs: [%s, [0, 1, 2]]}" % X, "Dimension must be 2 but is 3"),
    ("{op: transpose, inputs: [%s, [0, 0]]}" % X, "1 is missing from {0,0}."),  # TF: at run time
    ("{op: range, inputs: [1, 5, 0]}", "Requires delta != 0"),
    ("{op: range, inputs: [5, 1, 1]}", "Requires start <= limit when delta > 0: 5/1"),
    ("{op: slice, inputs: [%s, [0, 1], [3, 1]]}" % X, "Expected size[0] in [0, 2], but got 3"),  # TF: run time
    ("{op: mirror_pad, inputs: [%s, [[2, 2], [0, 0]]], mode: REFLECT}" % X,
     "paddings must be less than the dimension size: 2, 2 not less than 2"),  # TF: run time
    ("{op: one_hot, inputs: [[1], 3, 1.0, 0.0], axis: 3}",
     "Expected axis to be -1 or between [0, 2).  But received: 3"),  # TF: run time
    ("{op: reverse, inputs: [%s, [0, 0]]}" % X, "axis 0 specified more than once."),
    ("{op: fill, inputs: [[2, -1], 1.0]}", "Fill dimensions must be >= 0"),
    ("{op: concat, inputs: [%s, [[1.0]], 0]}" % X, "Dimension 1 in both shapes must be equal"),
    ("{op: split_even, inputs: [1, %s], num_split: 2}" % X, "evenly divisible by 2 but is 3"),
    ("{op: select, inputs: [[true, false, true], %s, %s]}" % (X, X), "'condition' must be a scalar, a vector"),
    ("{op: gather, inputs: [R3, [[0], [1], [2]], 1], batch_dims: 1}",
     "params.shape[0]: 2 should be equal to indices.shape[0]: 3"),
    ("{op: gather, inputs: [R3, [[0], [1]], 0], batch_dims: 1}",
     "batch_dims (1) must be less than or equal to axis (0)."),
]


@pytest.mark.parametrize("entry,message", BUILD_ERRORS, ids=[e[0][5:30] for e in BUILD_ERRORS])
def test_bad_shapes_fail_the_build_in_tf_words(spec_file, entry, message):
    with pytest.raises(SpecError) as err:
        Pipeline(_spec(spec_file, entry, "out"), RunOptions()).spec
    assert message in err.value.message and "'out'" in err.value.message


def _step_error(spec_file, text: str, **options):
    result = run_spec(spec_file(text), **options)
    assert type(result.error).__name__ == "StepError" and not result.steps  # not an InternalError
    return result.error.render()


def test_check_numerics_fails_the_step_with_tfs_message(spec_file):
    # TF 2.21: "my msg : Tensor had NaN values" / "... Inf values" / "... Inf and NaN values"
    text = """
    nodes:
      - {name: x, op: placeholder, dtype: float32, shape: [2]}
      - {name: out, op: check_numerics, inputs: [x], message: my msg}
    run: {fetch: [out]}
    """
    assert run_spec(spec_file(text), feeds={"x": [1.0, 2.0]}).steps[0].values["out"].tolist() == [1.0, 2.0]
    nan, inf = float("nan"), float("inf")
    for fed, what in (([1.0, nan], "NaN"), ([inf, 1.0], "Inf"), ([nan, -inf], "Inf and NaN")):
        message = _step_error(spec_file, text, feeds={"x": fed})
        assert f"my msg : Tensor had {what} values" in message and "out" in message


def test_gather_refuses_an_index_out_of_range_as_tf_does(spec_file):
    # TF 2.21 CPU, tf.gather(X, [[0], [5]]): "indices[1,0] = 5 is not in [0, 2)"; numpy would wrap -1
    text = """
    nodes:
      - {name: i, op: placeholder, dtype: int32, shape: [null, 1]}
      - {name: out, op: gather, inputs: [%s, i, 0]}
    run: {fetch: [out]}
    """ % X
    assert "indices[1,0] = 5 is not in [0, 2)" in _step_error(spec_file, text, feeds={"i": [[0], [5]]})
    assert "indices[0,0] = -1 is not in [0, 2)" in _step_error(spec_file, text, feeds={"i": [[-1]]})


def test_strided_slice_of_a_fed_shape_checks_at_run_time(spec_file):
    # x[3] of a [None] placeholder fed 2 values: TF 2.21 "slice index 3 of dimension 0 out of bounds."
    text = """
    nodes:
      - {name: x, op: placeholder, dtype: float32, shape: [null]}
      - {name: out, op: strided_slice, inputs: [x, [3], [4], [1]], shrink_axis_mask: 1}
    run: {fetch: [out]}
    """
    assert "slice index 3 of dimension 0 out of bounds." in _step_error(spec_file, text, feeds={"x": [1.0, 2.0]})
    assert run_spec(spec_file(text), feeds={"x": [1.0, 2.0, 3.0, 4.0]}).steps[0].values["out"].tolist() == 4.0


def test_shape_out_type_and_a_fed_placeholder_with_default(spec_file):
    # TF 2.21: tf.shape(X, out_type=tf.int64) -> [2, 3] int64; placeholder_with_default returns
    # what is fed, else its input
    path = spec_file("""
    nodes:
      - {name: sh, op: shape, inputs: [%s], out_type: int64}
      - {name: d, op: placeholder_with_default, inputs: [[1.0, 2.0]], shape: [null]}
    run: {fetch: [sh, d]}
    """ % X)
    step = run_spec(path).steps[0]
    assert step.values["sh"].tolist() == [2, 3] and str(step.values["sh"].dtype) == "int64"
    assert step.values["d"].tolist() == [1.0, 2.0]
    assert run_spec(path, feeds={"d": [5.0, 6.0, 7.0]}).steps[0].values["d"].tolist() == [5.0, 6.0, 7.0]


def test_unknown_dims_stay_unknown(spec_file):
    # TF 2.21's static shapes for a [None, 3] placeholder x: tf.slice(x, [0, 1], [-1, 2]) [None, 2],
    # x[:, 1] [None], tf.tile(x, [2, 1]) [None, 3];
    # for an int32 [2] placeholder b: tf.strided_slice(X, b, [0, 2], [1, 1], begin_mask=1,
    # end_mask=1) [2, None], and with strides b instead, an unknown rank
    path = spec_file("""
    nodes:
      - {name: x, op: placeholder, dtype: float32, shape: [null, 3]}
      - {name: s, op: slice, inputs: [x, [0, 1], [-1, 2]]}
      - {name: ss, op: strided_slice, inputs: [x, [0, 1], [0, 2], [1, 1]], begin_mask: 1, end_mask: 1,
         shrink_axis_mask: 2}
      - {name: t, op: tile, inputs: [x, [2, 1]]}
      - {name: b, op: placeholder, dtype: int32, shape: [2]}
      - {name: masked, op: strided_slice, inputs: [%s, b, [0, 2], [1, 1]], begin_mask: 1, end_mask: 1}
      - {name: unstrided, op: strided_slice, inputs: [%s, [0, 0], [1, 1], b]}
    """ % (X, X))
    nodes = Pipeline(path, RunOptions()).spec.graph.nodes
    assert [nodes[n].outputs[0].shape for n in ("s", "ss", "t", "masked", "unstrided")] == [
        (None, 2), (None,), (None, 3), (2, None), None]



ALL_OPS = """
name: all array ops
nodes:
  - {name: x, op: placeholder, dtype: float32, shape: [null, 3]}
  - {name: v, op: variable, value: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}
  - {name: inc, op: assign_add, inputs: [v, [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]}
  - {name: xv, op: add, inputs: [x, inc]}
  - {name: filled, op: fill, inputs: [[2, 3], 1.5]}
  - {name: zl, op: zeros_like, inputs: [xv]}
  - {name: ol, op: ones_like, inputs: [xv]}
  - {name: ed, op: expand_dims, inputs: [xv, 1]}
  - {name: sq, op: squeeze, inputs: [ed], axis: [1]}
  - {name: tl, op: tile, inputs: [xv, [2, 1]]}
  - {name: sl, op: slice, inputs: [xv, [0, 1], [-1, 2]]}
  - {name: ss, op: strided_slice, inputs: [xv, [0, 0], [0, -1], [1, -1]], begin_mask: 1, end_mask: 3}
  - {name: ss2, op: strided_slice, inputs: [xv, [1], [2], [1]], shrink_axis_mask: 1, new_axis_mask: 0}
  - {name: tr, op: transpose, inputs: [xv, [1, 0]]}
  - {name: ip, op: invert_permutation, inputs: [[2, 0, 1]]}
  - {name: sn, op: shape_n, inputs: [xv, tr]}
  - {name: sz, op: size, inputs: [xv]}
  - {name: rk, op: rank, inputs: [xv]}
  - {name: rg, op: range, inputs: [1, 10, 3]}
  - {name: cc, op: concat, inputs: [xv, filled, 0]}
  - {name: cc2, op: concat, inputs: [xv, filled], axis: 1}
  - {name: se, op: split_even, inputs: [1, xv], num_split: 3}
  - {name: sv, op: split_v, inputs: [xv, [1, 2], 1]}
  - {name: ga, op: gather, inputs: [xv, [1, 0, 1], 0]}
  - {name: pd, op: pad, inputs: [xv, [[1, 0], [0, 2]]]}
  - {name: pd2, op: pad_v2, inputs: [xv, [[1, 0], [0, 2]], 7.0]}
  - {name: mp, op: mirror_pad, inputs: [xv, [[1, 1], [1, 1]]], mode: SYMMETRIC}
  - {name: rv, op: reverse, inputs: [xv, [0]]}
  - {name: oh, op: one_hot, inputs: [[0, 2], 3, 1.0, 0.0], axis: 0}
  - {name: un, op: unique, inputs: [[3, 3, 1]]}
  - {name: eq, op: equal, inputs: [xv, 7.0]}
  - {name: sel, op: select, inputs: [eq, xv, zl]}
  - {name: sel2, op: select_v2, inputs: [eq, xv, -1.0]}
  - {name: wh, op: where, inputs: [eq]}
  - {name: bt, op: broadcast_to, inputs: [[1.0, 2.0, 3.0], [2, 3]]}
  - {name: bga, op: broadcast_gradient_args, inputs: [[2, 3], [3]]}
  - {name: co, op: concat_offset, inputs: [0, [2, 3], [4, 3]]}
  - {name: pwd, op: placeholder_with_default, inputs: [xv], shape: [null, 3]}
  - {name: sg, op: stop_gradient, inputs: [xv]}
  - {name: pg, op: prevent_gradient, inputs: [xv], message: nope}
  - {name: snap, op: snapshot, inputs: [xv]}
  - {name: cn, op: check_numerics, inputs: [xv], message: bad}
  - {name: sh, op: shape, inputs: [xv], out_type: int64}
  - {name: gb, op: gather, inputs: [xv, [[2, 0], [1, 1]], 1], batch_dims: 1}
  - {name: ssg, op: strided_slice_grad, inputs: [[2, 3], [0, 1], [0, 3], [1, 2], [[1.0], [2.0]]], begin_mask: 1, end_mask: 1}
run:
  fetch: [filled, zl, ol, sq, tl, sl, ss, ss2, tr, ip, "sn:1", sz, rk, rg, cc, cc2, "se:2", "sv:1", ga, pd, pd2, mp, rv, oh, "un:0", "un:1", sel, sel2, wh, bt, "bga:0", "bga:1", "co:1", pwd, sg, pg, snap, cn, sh, gb, ssg]
  feed: {x: [[0.5, 1.0, 2.0], [3.0, 4.0, 5.0]]}
  steps: 3
"""


def test_every_array_op_survives_a_graphdef_round_trip(spec_file, tmp_path):
    """export --format graphdef then import: the same values (TF's attributes written and read
    back by each op; TF itself ran this GraphDef and the tf-python export with the same values)."""
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from idrun.tf.graphdef import export_graphdef, write_graphdef
    from idrun.tf.graphdef_import import import_graphdef
    path = spec_file(ALL_OPS)
    first = Pipeline(path, RunOptions())
    write_graphdef(export_graphdef(first), str(tmp_path / "all.pbtxt"))
    import_graphdef(str(tmp_path / "all.pbtxt"), str(tmp_path / "back.yaml"))
    fetch = first.request.fetch_names
    feeds = {"x": [[0.5, 1.0, 2.0], [3.0, 4.0, 5.0]]}
    again = Pipeline(str(tmp_path / "back.yaml"), RunOptions(fetch=fetch, feeds=feeds, steps=3)).run()
    ours = first.run()
    assert ours.error is None and again.error is None and len(again.steps) == 3
    for a, b in zip(ours.steps, again.steps):
        for name in fetch:
            assert a.values[name].tolist() == b.values[name].tolist(), name
            assert a.values[name].dtype == b.values[name].dtype, name


# for tests/test_registry.py: the test that runs each op's kernel
KERNEL_TESTS = {entry.split("op: ")[1].split(",")[0]: test_op_matches_tf for entry, *_ in CASES}
KERNEL_TESTS.update({entry.split("op: ")[1].split(",")[0]: test_multi_output_op_matches_tf
                     for entry, *_ in MULTI_CASES})


def test_unique_keeps_each_nan_and_the_first_zero_as_tf(spec_file):
    # tf.unique([nan, nan, 1, -0., 0.]) in TF 2.21: y [nan nan 1. -0.], idx [0 1 2 3 3]
    from conftest import run_spec
    path = spec_file("""
    nodes:
      - {name: x, op: const, value: [.nan, .nan, 1.0, -0.0, 0.0]}
      - {name: u, op: unique, inputs: [x]}
    run: {fetch: ['u:0', 'u:1']}
    """)
    values = run_spec(path).steps[0].values
    y, idx = values["u:0"], values["u:1"]
    assert np.isnan(y[:2]).all() and y[2] == 1.0 and y[3] == 0.0 and np.signbit(y[3]) and len(y) == 4
    assert idx.tolist() == [0, 1, 2, 3, 3]
