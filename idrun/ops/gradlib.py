"""What TF's registered gradient functions share (math_grad.py's broadcasting reductions).

A gradient function is `grad(g, op, grads) -> [gradient or None per input]`, as TF's
`@ops.RegisterGradient` functions are, and lives beside its op as `OpDef.grad` in the op's family
module. `op` is the forward node (`op.name`, `op.attrs`, `op.inputs`, `op.outputs`: TensorRefs),
`grads` the aggregated gradient of each of its outputs (None where none reaches it). It builds
nodes only through `g` (the builder's gradient context, `spec/gradients.py`), in the scope
`gradients/<op name>_grad` that `g` has entered, with the names TF's function gives them
(`MatMul`, `MatMul_1`, `Reshape/shape`, `Sum`, ...). Where TF's function looks at static shapes
(`_ShapesFullySpecifiedAndEqual`, the Sum/Mean fast path), `g.shape(ref)` answers from the
builder's types, so the same branch is taken and the same nodes are made.
"""

from __future__ import annotations

from contextlib import contextmanager


def fully_known(shape) -> bool:
    return shape is not None and None not in shape


def same_full_shapes(g, x, y, grad) -> bool:
    """TF's `_ShapesFullySpecifiedAndEqual(x, y, grad)`."""
    sx, sy, sg = g.shape(x), g.shape(y), g.shape(grad)
    return fully_known(sx) and sx == sy == sg


def reduction_axes(x_shape, y_shape):
    """TF's `_InferGradientReductionAxes`: (x axes, y axes), or (None, None) when unknown."""
    if x_shape is None or y_shape is None:
        return None, None
    rank = max(len(x_shape), len(y_shape))
    x_axes, y_axes = [], []
    for axis in range(rank):
        xd = 1 if axis < rank - len(x_shape) else x_shape[axis - (rank - len(x_shape))]
        yd = 1 if axis < rank - len(y_shape) else y_shape[axis - (rank - len(y_shape))]
        if xd == 1 and yd != 1:
            x_axes.append(axis)
        elif yd == 1 and xd != 1:
            y_axes.append(axis)
        elif xd is None or yd is None:
            return None, None
    return x_axes, y_axes


def shape_tensor(g, x, dtype: str = "int32", short: str = "Shape"):
    """`array_ops.shape(x)`: a Const when x's shape is fully known, else a Shape node."""
    s = g.shape(x)
    if fully_known(s):
        return g.const(short, list(s), dtype)
    return g.make("shape", short, [x], {"out_type": dtype})


def zeros_like(g, x, short: str):
    """`array_ops.zeros_like(x)` in graph mode: a Const of x's known shape (under 1000 elements),
    a Fill of that shape beyond, a ZerosLike when the shape is not fully known."""
    shape, dtype = g.shape(x), g.dtype(x)
    if not fully_known(shape):
        return g.make("zeros_like", short, [x])
    zero = 0.0 if dtype.startswith(("float", "bfloat")) else 0
    count = 1
    for d in shape:
        count *= d
    if count < 1000:
        return g.const(short, _filled(list(shape), zero), dtype)
    dims = g.const(short + "/shape_as_tensor", list(shape), "int32")
    return g.make("fill", short, [dims, g.const(short + "/Const", zero, dtype)])


def ones_like(g, x, short: str, dtype: str | None = None):
    """`array_ops.ones_like(x, dtype)` in graph mode: Fill(shape of x, 1), the shape a Const when known."""
    shape, dtype = g.shape(x), dtype or g.dtype(x)
    if fully_known(shape):
        dims = g.const(short + "/Shape/shape_as_tensor", list(shape), "int32")
    else:
        dims = g.make("shape", short + "/Shape", [x], {"out_type": "int32"})
    one = True if dtype == "bool" else 1.0 if dtype.startswith(("float", "bfloat")) else 1
    return g.make("fill", short, [dims, g.const(short + "/Const", one, dtype)])


def _filled(shape: list, value):
    return value if not shape else [_filled(shape[1:], value) for _ in range(shape[0])]


def reduce_gradient_args(g, x, y, gx, gy):
    """TF's `_ReduceGradientArgs` with `SmartBroadcastGradientArgs`."""
    if gx is None and gy is None:
        return gx, gy
    sx, sy = shape_tensor(g, x), shape_tensor(g, y)
    xs, ys = g.shape(x), g.shape(y)
    x_axes, y_axes = reduction_axes(xs, ys)
    if x_axes is None or y_axes is None:
        args = g.make("broadcast_gradient_args", "BroadcastGradientArgs", [sx, sy])
        x_axes, y_axes = g.output(args, 0), g.output(args, 1)
        x_must = y_must = True
    else:
        x_must = bool(x_axes) or len(xs) < len(ys)
        y_must = bool(y_axes) or len(ys) < len(xs)
    return (reduce_arg(g, gx, sx, x_axes, x_must), reduce_arg(g, gy, sy, y_axes, y_must))


def reduce_arg(g, grad, shape, axes, must):
    if grad is None or not must:
        return grad
    if isinstance(axes, list):
        if not axes:   # TF converts `[]` to a float32 Const first, then again as int32 (`_1`)
            g.const("Sum/reduction_indices", [], "float32")
        summed = g.make("reduce_sum", "Sum", [grad], {"axis": axes, "keepdims": True})
    else:
        summed = g.make("sum", "Sum", [grad, axes], {"keepdims": True})
    return g.make("reshape", "Reshape", [summed, shape])


def no_gradient(g, op, grads):
    return [None] * len(op.inputs)


def pass_through(g, op, grads):
    """The gradient of an op whose output is its input (Identity, ReadVariableOp)."""
    return [grads[0]]


def pass_first(g, op, grads):
    """TF's `_PrintGrad`: the gradient to the first input only (the data inputs get none)."""
    return [grads[0]] + [None] * (len(op.inputs) - 1)


def pass_each(g, op, grads):
    """TF's `_IdNGrad`: each output's gradient to its input."""
    return list(grads)


def rank_tensor(g, x, short: str = "Rank"):
    """`array_ops.rank(x)`: a Const when x's rank is known, else a Rank node."""
    shape = g.shape(x)
    if shape is not None:
        return g.const(short, len(shape), "int32")
    return g.make("rank", short, [x])


@contextmanager
def on_device(g, text: str):
    """TF's `with ops.device(text):` inside a gradient function (`_ProdGrad` computes its
    permutation on "/cpu:0"): the nodes made inside request that device."""
    builder = g.b
    saved = builder._device
    builder._device = builder._parse_device(text, g.loc)
    try:
        yield
    finally:
        builder._device = saved


class IndexedSlices:
    """TF's `IndexedSlices` gradient (a gather's): `values` rows at `indices` of a tensor of
    shape `dense_shape` (TensorRefs). The builder aggregates and converts them as TF does
    (`spec/gradients.py`); a gradient function gets one only where TF's does (a gather's,
    an Identity's, a ReadVariableOp's), else `g.make` converts it first, as TF's op helper does."""

    __slots__ = ("values", "indices", "dense_shape")

    def __init__(self, values, indices, dense_shape) -> None:
        self.values, self.indices, self.dense_shape = values, indices, dense_shape

    def __repr__(self) -> str:
        return f"IndexedSlices({self.values}, {self.indices}, {self.dense_shape})"


def size_tensor(g, x, short: str = "Size"):
    """`array_ops.size(x)` (int32): a Const when x's shape is fully known, else a Size node."""
    s = g.shape(x)
    if fully_known(s):
        count = 1
        for d in s:
            count *= d
        return g.const(short, count, "int32")
    return g.make("size", short, [x], {"out_type": "int32"})


def first_dim(g, shape, short: str = "strided_slice"):
    """`shape[0]` of a shape vector: TF's StridedSlice with shrink_axis_mask 1."""
    return g.make("strided_slice", short, [shape, g.const(short + "/stack", [0], "int32"),
                                            g.const(short + "/stack_1", [1], "int32"),
                                            g.const(short + "/stack_2", [1], "int32")],
                  {"shrink_axis_mask": 1})


def gather_slices(g, grad, indices, params_shape, convert: bool):
    """The IndexedSlices of an axis-0 gather's gradient (`_GatherV2Grad`, ResourceGather's
    `_GatherGrad`): values = grad reshaped to [size(indices)] + params_shape[1:], indices flat.
    An IndexedSlices `grad` is made dense first (`convert`: GatherV2's
    `_IndexedSlicesToTensorNoWarning`), or by the Reshape's input conversion (ResourceGather's)."""
    size = g.make("expand_dims", "ExpandDims", [size_tensor(g, indices), g.const("ExpandDims/dim", 0, "int32")])
    tail = g.make("strided_slice", "strided_slice",
                  [params_shape, g.const("strided_slice/stack", [1], "int32"),
                   g.const("strided_slice/stack_1", [0], "int32"), g.const("strided_slice/stack_2", [1], "int32")],
                  {"end_mask": 1})
    values_shape = g.make("concat", "concat", [size, tail, g.const("concat/axis", 0, "int32")])
    values = g.make("reshape", "Reshape", [g.dense(grad) if convert else grad, values_shape])
    flat = g.make("reshape", "Reshape_1", [indices, size])
    return IndexedSlices(values, flat, params_shape)
