"""TF's registered gradients (math_grad.py, nn_grad.py, array_grad.py of TF 2.21), one function
per op, set as `OpDef.grad` when the registry is built (`idrun/ops/__init__.py`).

A gradient function is `grad(g, op, grads) -> [gradient or None per input]`, as TF's
`@ops.RegisterGradient` functions are. `op` is the forward node (`op.name`, `op.attrs`,
`op.inputs`, `op.outputs`: TensorRefs), `grads` the aggregated gradient of each of its outputs
(None where none reaches it). It builds nodes only through `g` (the builder's gradient context,
`spec/gradients.py`), in the scope `gradients/<op name>_grad` that `g` has entered, with the names
TF's function gives them (`MatMul`, `MatMul_1`, `Reshape/shape`, `Sum`, ...). Where TF's function
looks at static shapes (`_ShapesFullySpecifiedAndEqual`, the Sum/Mean fast path), `g.shape(ref)`
answers from the builder's types, so the same branch is taken and the same nodes are made.
"""

from __future__ import annotations

from typing import Any


def _known(shape) -> bool:
    return shape is not None and None not in shape


def _same_full_shapes(g, x, y, grad) -> bool:
    """TF's `_ShapesFullySpecifiedAndEqual(x, y, grad)`."""
    sx, sy, sg = g.shape(x), g.shape(y), g.shape(grad)
    return _known(sx) and sx == sy == sg


def _reduction_axes(x_shape, y_shape):
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


def _shape(g, x):
    """`array_ops.shape(x)`: a Const when x's shape is fully known, else a Shape node."""
    s = g.shape(x)
    if _known(s):
        return g.const("Shape", list(s), "int32")
    return g.make("shape", "Shape", [x], {"out_type": "int32"})


def _reduce_gradient_args(g, x, y, gx, gy):
    """TF's `_ReduceGradientArgs` with `SmartBroadcastGradientArgs`."""
    if gx is None and gy is None:
        return gx, gy
    sx, sy = _shape(g, x), _shape(g, y)
    xs, ys = g.shape(x), g.shape(y)
    x_axes, y_axes = _reduction_axes(xs, ys)
    if x_axes is None or y_axes is None:
        args = g.make("broadcast_gradient_args", "BroadcastGradientArgs", [sx, sy])
        x_axes, y_axes = g.output(args, 0), g.output(args, 1)
        x_must = y_must = True
    else:
        x_must = bool(x_axes) or len(xs) < len(ys)
        y_must = bool(y_axes) or len(ys) < len(xs)
    return (_reduce_arg(g, gx, sx, x_axes, x_must), _reduce_arg(g, gy, sy, y_axes, y_must))


def _reduce_arg(g, grad, shape, axes, must):
    if grad is None or not must:
        return grad
    if isinstance(axes, list):
        summed = g.make("reduce_sum", "Sum", [grad], {"axis": axes, "keepdims": True})
    else:
        summed = g.make("sum", "Sum", [grad, axes], {"keepdims": True})
    return g.make("reshape", "Reshape", [summed, shape])


def _add_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    if _same_full_shapes(g, x, y, grad):
        return [grad, grad]
    return list(_reduce_gradient_args(g, x, y, grad, grad))


def _sub_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    if _same_full_shapes(g, x, y, grad):
        return [grad, g.make("neg", "Neg", [grad])]
    gx, gy = _reduce_gradient_args(g, x, y, grad, g.make("neg", "Neg", [grad]))
    return [gx, gy]


def _mul_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    if _same_full_shapes(g, x, y, grad) and g.dtype(grad) in ("int32", "float32"):
        return [g.make("mul", "Mul", [grad, y]), g.make("mul", "Mul_1", [grad, x])]
    gx = g.make("mul", "Mul", [grad, y])
    gy = g.make("mul", "Mul_1", [x, grad])
    return list(_reduce_gradient_args(g, x, y, gx, gy))


def _matmul_grad(g, op, grads):
    grad = grads[0]
    a, b = op.inputs[:2]
    t_a, t_b = bool(op.attrs.get("transpose_a")), bool(op.attrs.get("transpose_b"))

    def mm(short, x, y, ta=False, tb=False):
        return g.make("matmul", short, [x, y], {"transpose_a": ta, "transpose_b": tb})
    if not t_a and not t_b:
        return [mm("MatMul", grad, b, tb=True), mm("MatMul_1", a, grad, ta=True)]
    if not t_a and t_b:
        return [mm("MatMul", grad, b), mm("MatMul_1", grad, a, ta=True)]
    if t_a and not t_b:
        return [mm("MatMul", b, grad, tb=True), mm("MatMul_1", a, grad)]
    return [mm("MatMul", b, grad, ta=True, tb=True), mm("MatMul_1", grad, a, ta=True, tb=True)]


def _bias_add_grad(g, op, grads):
    grad = grads[0]
    return [grad, g.make("bias_add_grad", "BiasAddGrad", [grad])]


def _relu_grad(g, op, grads):
    return [g.make("relu_grad", "ReluGrad", [grads[0], op.outputs[0]])]


def _sigmoid_grad(g, op, grads):
    return [g.make("sigmoid_grad", "SigmoidGrad", [op.outputs[0], grads[0]])]


def _tanh_grad(g, op, grads):
    return [g.make("tanh_grad", "TanhGrad", [op.outputs[0], grads[0]])]


def _square_grad(g, op, grads):
    """TF: `with ops.control_dependencies([grad]): y = constant_op.constant(2.0); return grad * (2x)`."""
    x = op.inputs[0]
    two = g.const("Const", 2.0, g.dtype(x), controls=[grads[0]])
    return [g.make("mul", "Mul_1", [grads[0], g.make("mul", "Mul", [x, two])])]


def _l2_loss_grad(g, op, grads):
    return [g.make("mul", "mul", [op.inputs[0], grads[0]])]


def _identity_grad(g, op, grads):
    return [grads[0]]


def _expand_last(g, vec, mat):
    """TF's `_BroadcastMul(vec, mat)`: expand_dims(vec, -1) * mat."""
    dim = g.const("ExpandDims/dim", -1, "int32")
    return g.make("mul", "mul", [g.make("expand_dims", "ExpandDims", [vec, dim]), mat])


def _sparse_xent_grad(g, op, grads):
    if grads[1] is not None and not g.is_zeros(grads[1]):
        g.unsupported(op, "a gradient through the backprop output of the cross entropy")
    return [_expand_last(g, grads[0], op.outputs[1]), None]


def _xent_grad(g, op, grads):
    if grads[1] is not None and not g.is_zeros(grads[1]):
        g.unsupported(op, "a gradient through the backprop output of the cross entropy")
    # TF: `_BroadcastMul(grad_loss, softmax_grad)`, and for labels `_BroadcastMul(grad_loss,
    # -nn_ops.log_softmax(logits))`
    grad = _expand_last(g, grads[0], op.outputs[1])
    log_softmax = g.make("log_softmax", "LogSoftmax", [op.inputs[0]])
    neg = g.make("neg", "Neg", [log_softmax])
    dim = g.const("ExpandDims_1/dim", -1, "int32")
    return [grad, g.make("mul", "mul_1", [g.make("expand_dims", "ExpandDims_1", [grads[0], dim]), neg])]


def _sum_like(g, op, grad) -> Any:
    """TF's `_SumGrad` for a known rank and constant axes: every axis reduced (Reshape to ones,
    Tile by the input's shape), or some axes of a fully known shape (Reshape to the kept-dims
    shape, Tile by the scaling, both constants)."""
    x = op.inputs[0]
    shape = g.shape(x)
    axes = op.attrs.get("axis")
    rank = None if shape is None else len(shape)
    if rank is None:
        g.unsupported(op, "a reduction of a tensor of unknown rank (TF then builds Shape, "
                          "reduced_shape and BroadcastTo, not yet here)")
    axes = list(range(rank)) if axes is None else [a % max(rank, 1) for a in
                                                   ([axes] if isinstance(axes, int) else axes)]
    if sorted(axes) == list(range(rank)):
        reshaped = g.make("reshape", "Reshape", [grad, g.const("Reshape/shape", [1] * rank, "int32")])
        if _known(shape):
            multiples = g.const("Const", list(shape), "int32")
        else:
            multiples = g.make("shape", "Shape", [x], {"out_type": "int32"})
        return g.make("tile", "Tile", [reshaped, multiples])
    if not _known(shape):
        g.unsupported(op, "a reduction over some axes of a tensor of partly unknown shape")
    kept = [1 if i in axes else d for i, d in enumerate(shape)]
    scaling = [d // max(k, 1) for d, k in zip(shape, kept)]
    key = ("reduced_shape", tuple(shape), tuple(axes))
    if key not in g.cache:  # TF evaluates `_SafeShapeDiv` as graph ops once per graph (its cache)
        g.cache[key] = True
        most = g.make("maximum", "Maximum", [g.const("Maximum/x", kept, "int32"), g.const("Maximum/y", 1, "int32")])
        g.make("floordiv", "floordiv", [g.const("floordiv/x", list(shape), "int32"), most])
    reshaped = g.make("reshape", "Reshape", [grad, g.const("Reshape/shape", kept, "int32")])
    return g.make("tile", "Tile", [reshaped, g.const("Tile/multiples", scaling, "int32")])


def _sum_grad(g, op, grads):
    return [_sum_like(g, op, grads[0])] + [None] * (len(op.inputs) - 1)


def _mean_grad(g, op, grads):
    summed = _sum_like(g, op, grads[0])
    ins, outs = g.shape(op.inputs[0]), g.shape(op.outputs[0])
    if not (_known(ins) and _known(outs)):  # TF: the factor from the input's Shape at run time
        shape = g.make("shape", "Shape", [op.inputs[0]], {"out_type": "int32"})
        rank = g.const("Size", len(ins), "int32") if ins is not None else g.make("size", "Size", [shape])
        axes = g.make("floormod", "mod", [g.make("add", "add", [g.reduction_indices(op), rank]), rank])
        picked = g.make("gather", "GatherV2", [shape, axes, g.const("GatherV2/axis", 0, "int32")])
        picked_rank = len(g.shape(picked)) if g.shape(picked) is not None else 1
        factor = g.make("prod", "Prod", [picked, g.const("Const", list(range(picked_rank)), "int32")])
        cast = g.make("cast", "Cast", [factor], {"dtype": g.dtype(summed)})
        return [g.make("div", "truediv", [summed, cast])] + [None] * (len(op.inputs) - 1)
    size = 1
    for d in ins:
        size *= d
    out = 1
    for d in outs:
        out *= d
    factor = g.const("Const", float(size // max(out, 1)), g.dtype(summed))   # Const_1 after a Tile's
    return [g.make("div", "truediv", [summed, factor])] + [None] * (len(op.inputs) - 1)


def _softmax_grad(g, op, grads):
    """TF: `(grad - reduce_sum(grad * softmax, -1, keepdims=True)) * softmax`."""
    softmax = op.outputs[0]
    product = g.make("mul", "mul", [grads[0], softmax])
    summed = g.make("reduce_sum", "Sum", [product], {"axis": -1, "keepdims": True})
    return [g.make("mul", "mul_1", [g.make("sub", "sub", [grads[0], summed]), softmax])]


def _reshape_grad(g, op, grads):
    """TF: reshape back to the input's shape (a constant when known, `-1` for one unknown dim)."""
    shape = g.shape(op.inputs[0])
    if shape is not None and not _known(shape) and shape.count(None) == 1 and 0 not in shape:
        target = g.const("Reshape/shape", [-1 if d is None else d for d in shape], "int32")
    else:
        target = _shape(g, op.inputs[0])
    return [g.make("reshape", "Reshape", [grads[0], target])] + [None] * (len(op.inputs) - 1)


def _conv2d_grad(g, op, grads):
    """TF: `ShapeN` of input and filter, then Conv2DBackpropInput and Conv2DBackpropFilter."""
    shapes = g.make("shape_n", "ShapeN", [op.inputs[0], op.inputs[1]], {"out_type": "int32"})
    attrs = {"strides": op.attrs["strides"], "padding": op.attrs["padding"], "data_format": "NHWC"}
    return [g.make("conv2d_backprop_input", "Conv2DBackpropInput",
                   [g.output(shapes, 0), op.inputs[1], grads[0]], attrs),
            g.make("conv2d_backprop_filter", "Conv2DBackpropFilter",
                   [op.inputs[0], g.output(shapes, 1), grads[0]], attrs)]


def _max_pool_grad(g, op, grads):
    attrs = {k: op.attrs[k] for k in ("ksize", "strides", "padding")}
    return [g.make("max_pool_grad", "MaxPoolGrad", [op.inputs[0], op.outputs[0], grads[0]],
                   {**attrs, "data_format": "NHWC"})] + [None] * (len(op.inputs) - 1)


def _no_gradient(g, op, grads):
    return [None] * len(op.inputs)


GRADS = {
    "add": _add_grad, "sub": _sub_grad, "mul": _mul_grad, "matmul": _matmul_grad,
    "bias_add": _bias_add_grad, "relu": _relu_grad, "sigmoid": _sigmoid_grad, "tanh": _tanh_grad,
    "square": _square_grad, "l2_loss": _l2_loss_grad, "identity": _identity_grad, "read": _identity_grad,
    "sparse_softmax_cross_entropy_with_logits": _sparse_xent_grad,
    "softmax_cross_entropy_with_logits": _xent_grad,
    "reduce_sum": _sum_grad, "reduce_mean": _mean_grad,
    "softmax": _softmax_grad, "reshape": _reshape_grad, "conv2d": _conv2d_grad, "max_pool": _max_pool_grad,
    "const": _no_gradient, "placeholder": _no_gradient,
}
