"""Reductions and scans over an axis: reduce_*, argmax/argmin, cumsum, cumprod, unsorted_segment_sum.

A reduction's, argmax's and cumsum's axis is an attribute, as TF's Python takes it;
in a GraphDef it is a helper constant input (`Sum/reduction_indices`,
`ArgMax/dimension`, `Cumsum/axis`). An imported reduction whose axes are computed (TF's
gradient graphs sum over `BroadcastGradientArgs`) becomes the raw op (`sum`, `mean`, ...,
`tf.raw_ops.Sum`), which takes the axes as a tensor input.
Values: min, max, all, any, argmax, argmin, cumsum, cumprod and unsorted_segment_sum are TF's
bit for bit (TF scans and scatters in index order; argmax/argmin never pick NaN, as
TF's reducer); a float sum, mean or prod may differ from TF's in the last bits (Eigen
adds in a tree of packets). Empty reductions give TF's identities (min: inf, max: -inf).
"""

from __future__ import annotations

from idrun.dtypes import is_float, is_int
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.math import BOOL, REALS, check_allowed
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.shape_ops import flat
from idrun.ops.shapes import bounded, format_dims, reduce_shape
from idrun.ops.gradlib import fully_known, no_gradient, on_device, ones_like, rank_tensor, shape_tensor, size_tensor, zeros_like


def _axis_const(consts, what: str, scalar: bool = False):
    """The value of a helper constant input (the axis), or ValueError when it is computed."""
    if len(consts) < 2 or consts[1] is None:
        raise ValueError(f"its {what} is not a constant; idrun needs it when the graph is built")
    value = consts[1].tolist() if hasattr(consts[1], "tolist") else consts[1]  # a scalar stays one
    if scalar and not isinstance(value, int):
        raise ValueError(f"its {what} is {value!r}, not a scalar")
    return value


# ---- reduce_* -------------------------------------------------------------------------

def _reduce_infer(op: str, allowed: tuple[str, ...]):
    def infer(attrs, types, consts):
        t = types[0]
        check_allowed(t.dtype, allowed, "input", op)
        return [TensorType(t.dtype, reduce_shape(t.shape, attrs["axis"], attrs["keepdims"]))]
    return infer


def _identity(xp, fname: str, dtype: str):
    """What TF's min/max give over no elements: the far end of the dtype."""
    if is_float(dtype):
        return float("inf") if fname == "min" else float("-inf")
    info = xp.iinfo(dtype)
    return info.max if fname == "min" else info.min


def _reducer(xp, fname: str, dtype: str, keep: bool):
    """reduce(x, axis) as TF's kernel: int means cast back, empty min/max give the far end."""
    func = getattr(xp, fname)
    if fname == "mean" and is_int(dtype):
        return lambda x, axis: func(x, axis=axis, keepdims=keep).astype(dtype)
    if fname in ("min", "max"):
        empty = _identity(xp, fname, dtype)

        def minmax(x, axis):
            if x.size:
                return func(x, axis=axis, keepdims=keep)
            shape = reduce_shape(x.shape, list(axis) if isinstance(axis, tuple) else axis, keep)
            return xp.full(shape, empty, dtype=dtype)
        return minmax
    if fname in ("all", "any"):
        return lambda x, axis: func(x, axis=axis, keepdims=keep)
    return lambda x, axis: func(x, axis=axis, keepdims=keep, dtype=dtype)


def _reduce_kernel(fname: str):
    def make(env: KernelEnv):
        reduce = _reducer(env.xp, fname, env.out_types[0].dtype, env.attrs["keepdims"])
        axis = env.attrs["axis"]
        axis = tuple(axis) if isinstance(axis, list) else axis
        return lambda x: reduce(x, axis)
    return make


def _reduce_tf(fn: str):
    return lambda c: f"{fn}({c.args[0]}, axis={c.attrs['axis']!r}, keepdims={c.attrs['keepdims']}{c.kw})"


def _tidx(ins) -> TFType:
    """The dtype of the axis input (int32 when the spec wrote no helper)."""
    return TFType(ins[1].dtype if len(ins) > 1 else "int32")


def _reduce_gd_attrs(name, attrs, ins, outs):
    out = {"Tidx": _tidx(ins), "keep_dims": attrs["keepdims"]}
    if ins[0].dtype != "bool":  # All and Any have no T
        out["T"] = TFType(ins[0].dtype)
    return out


def _reduce_axis_values(attrs, ins):
    """TF's axis constant: every dimension when no axis is given (idrun's helper holds 0)."""
    axis = attrs["axis"]
    if axis is None:
        rank = len(ins[0].shape) if ins[0].shape is not None else 0
        return [list(range(rank))]
    return [axis]


def _reduce_import(raw_name: str):
    def read(tf_attrs, consts):
        keep = bool(tf_attrs.get("keep_dims", False))
        if len(consts) > 1 and consts[1] is None:   # computed (TF's gradients: BroadcastGradientArgs)
            return {"op": raw_name, "keepdims": keep}
        return {"axis": _axis_const(consts, "reduction axis"), "keepdims": keep}
    return read


def _reduce(name: str, type_name: str, fname: str, doc: str, allowed: tuple[str, ...] = REALS,
            grad=None) -> OpDef:
    return OpDef(name, type_name, ("input",), _reduce_infer(type_name, allowed), _reduce_kernel(fname), doc, grad=grad,
                 tf=_reduce_tf(f"tf.{name}"), tf_op=type_name, tf_attrs=_reduce_gd_attrs,
                 tf_helper_values=_reduce_axis_values, tf_import=_reduce_import(type_name.lower()),
                 attrs=(attr("axis", None, checks.axis, "axes to reduce; none = all"),
                        attr("keepdims", False, checks.boolean)),
                 helpers=lambda a, on_handle: ("Const",) if a["axis"] is None else ("reduction_indices",))


# ---- the raw ops (tf.raw_ops.Sum, ...): the axes are a tensor input ------------------------
# What `idrun import` makes of a reduction whose axes are computed, as in TF's gradient graphs
# (`Sum(grad, BroadcastGradientArgs:1)`). The output's rank is known only with keep_dims or a
# constant axis.

def _raw_reduce_infer(op: str, allowed: tuple[str, ...]):
    def infer(attrs, types, consts):
        t, axes = types
        check_allowed(t.dtype, allowed, "input", op)
        check_allowed(axes.dtype, ("int32", "int64"), "reduction_indices", op)
        if axes.shape is not None and len(axes.shape) > 1:
            raise InferError(f"reduction_indices must be a scalar or a vector, got shape {format_dims(axes.shape)}")
        if consts[1] is not None:
            return [TensorType(t.dtype, reduce_shape(t.shape, flat(consts[1]), attrs["keepdims"]))]
        if t.shape is not None and attrs["keepdims"]:
            return [TensorType(t.dtype, (None,) * len(t.shape))]
        return [TensorType(t.dtype, None)]
    return infer


def _raw_reduce_kernel(fname: str):
    def make(env: KernelEnv):
        reduce = _reducer(env.xp, fname, env.out_types[0].dtype, env.attrs["keepdims"])

        def reduce_over(x, axes):
            rank, flat = x.ndim, axes.reshape(-1).tolist()
            for a in flat:
                if not -rank <= a < rank:
                    raise KernelError(f"Invalid reduction dimension ({a} for input with {rank} dimension(s)")
            return reduce(x, tuple(sorted({a % rank for a in flat})) if rank else ())
        return reduce_over
    return make


def _raw_reduce(name: str, type_name: str, fname: str, allowed: tuple[str, ...] = REALS, grad=None) -> OpDef:
    return OpDef(name, type_name, ("input", "reduction_indices"), _raw_reduce_infer(type_name, allowed),
                 _raw_reduce_kernel(fname),
                 f"tf.raw_ops.{type_name}: reduce_{fname} over the axes a tensor input holds (imported "
                 "gradients).", attrs=(attr("keepdims", False, checks.boolean),), grad=grad,
                 tf_op=type_name, tf_attrs=_reduce_gd_attrs,
                 tf=lambda c: f"tf.raw_ops.{type_name}(input={c.args[0]}, axis={c.args[1]}, "
                              f"keep_dims={c.attrs['keepdims']}{c.kw})")


# ---- argmax, argmin -------------------------------------------------------------------

def _index_dtype(value) -> str:
    dtype = checks.dtype(value)
    if dtype not in ("int32", "int64"):
        raise ValueError(f"expected int32 or int64, got {value!r}")
    return dtype


def _arg_infer(attrs, types, consts):
    t, out = types[0], attrs["output_type"]
    check_allowed(t.dtype, REALS + BOOL, "input")
    if t.shape is None:
        return [TensorType(out, None)]
    rank, axis = len(t.shape), attrs["axis"]
    if not -rank <= axis < rank:
        raise InferError(f"Dimension ({axis}) must be in the range [{-rank}, {rank}), where {rank} "
                         f"is the number of dimensions in the input.")
    axis %= rank
    return [TensorType(out, t.shape[:axis] + t.shape[axis + 1:])]


def _arg_kernel(fname: str):
    """TF's reducer starts from the dtype's far end and takes only a strictly better value:
    NaN and values at or past the far end never win over the first index."""
    def make(env: KernelEnv):
        xp, func, axis = env.xp, getattr(env.xp, fname), env.attrs["axis"]
        out, dtype = env.out_types[0].dtype, env.in_types[0].dtype
        if is_float(dtype):
            info = xp.finfo(dtype)
            far, at_or_past = ((info.min, xp.less_equal) if fname == "argmax"
                               else (info.max, xp.greater_equal))
            beyond = xp.asarray(float("-inf") if fname == "argmax" else float("inf"), dtype=dtype)

        def arg(x):
            if x.ndim and x.shape[axis] == 0:
                raise KernelError(f"Reduction axis {axis % x.ndim} is empty in shape {format_dims(x.shape)}")
            if is_float(dtype):
                x = xp.where(xp.isnan(x) | at_or_past(x, far), beyond, x)
            return func(x, axis=axis).astype(out)
        return arg
    return make


def _arg_import(tf_attrs, consts):
    return {"axis": _axis_const(consts, "dimension", scalar=True), "output_type": tf_attrs.get("output_type", "int64")}


def _arg(name: str, type_name: str, doc: str) -> OpDef:
    return OpDef(name, type_name, ("input",), _arg_infer, _arg_kernel(name), doc, grad=no_gradient,
                 attrs=(attr("axis", 0, checks.integer, "the axis to reduce"),
                        attr("output_type", "int64", _index_dtype, "int64 (TF's default) or int32")),
                 helpers=lambda a, on_handle: ("dimension",), tf_op=type_name,
                 tf_helper_values=lambda a, ins: [a["axis"]], tf_import=_arg_import,
                 tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tidx": _tidx(i),
                                              "output_type": TFType(a["output_type"])},
                 tf=lambda c: f"tf.math.{name}({c.args[0]}, axis={c.attrs['axis']}, "
                              f"output_type=tf.{c.attrs['output_type']}{c.kw})")


# ---- cumsum ---------------------------------------------------------------------------

def _cumsum_infer(attrs, types, consts):
    t = types[0]
    check_allowed(t.dtype, REALS)
    if t.shape is not None and not -len(t.shape) <= attrs["axis"] < len(t.shape):
        raise InferError(f"ScanOp: Expected scan axis in the range [{-len(t.shape)}, {len(t.shape)}), "
                         f"but got {attrs['axis']}")
    return [t]


def _scan_kernel(fname: str, start: int):
    """Running sums (products) in index order (TF's scan takes one element at a time, as
    numpy); exclusive starts at `start` (0, or 1 for a product)."""
    def make(env: KernelEnv):
        xp, axis, dtype = env.xp, env.attrs["axis"], env.out_types[0].dtype
        exclusive, reverse, scan = env.attrs["exclusive"], env.attrs["reverse"], getattr(env.xp, fname)

        def cumulative(x):
            out = scan(xp.flip(x, axis) if reverse else x, axis=axis, dtype=dtype)
            if exclusive:  # each result moves one place on; the first is the start
                out = xp.roll(out, 1, axis=axis)
                first = [slice(None)] * x.ndim
                first[axis] = 0
                out[tuple(first)] = start
            return xp.ascontiguousarray(xp.flip(out, axis)) if reverse else out
        return cumulative
    return make


def _cumsum_grad(g, op, grads):
    """TF's `_CumsumGrad`: the gradient summed the other way, on the forward op's axis tensor."""
    attrs = {"axis": op.attrs["axis"], "exclusive": op.attrs["exclusive"], "reverse": not op.attrs["reverse"]}
    return [g.make("cumsum", "Cumsum", [grads[0], g.reduction_indices(op)], attrs), None]


def _cumprod_grad(g, op, grads):
    """TF's `_CumprodGrad`: div_no_nan(cumsum(cumprod(x) * grad, reversed), x)."""
    x, axis = op.inputs[0], g.reduction_indices(op)
    attrs = {"axis": op.attrs["axis"], "exclusive": op.attrs["exclusive"]}
    prod = g.make("cumprod", "Cumprod", [x, axis], {**attrs, "reverse": op.attrs["reverse"]})
    summed = g.make("cumsum", "Cumsum", [g.make("mul", "mul", [prod, grads[0]]), axis],
                    {**attrs, "reverse": not op.attrs["reverse"]})
    return [g.make("divide_no_nan", "div_no_nan", [summed, x]), None]


def _scan(name: str, type_name: str, fname: str, start: int, doc: str, grad) -> OpDef:
    return OpDef(name, type_name, ("x",), _cumsum_infer, _scan_kernel(fname, start), doc,
                 attrs=(attr("axis", 0, checks.integer), attr("exclusive", False, checks.boolean),
                        attr("reverse", False, checks.boolean)),
                 helpers=lambda a, on_handle: ("axis",), tf_op=type_name, tf_import=_cumsum_import,
                 tf_helper_values=lambda a, ins: [a["axis"]],
                 tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tidx": _tidx(i),
                                              "exclusive": a["exclusive"], "reverse": a["reverse"]},
                 tf=lambda c: f"tf.math.{name}({c.args[0]}, axis={c.attrs['axis']}, exclusive={c.attrs['exclusive']}, "
                              f"reverse={c.attrs['reverse']}{c.kw})", grad=grad)


def _cumsum_import(tf_attrs, consts):
    return {"axis": _axis_const(consts, "axis", scalar=True), "exclusive": bool(tf_attrs.get("exclusive", False)),
            "reverse": bool(tf_attrs.get("reverse", False))}


# ---- unsorted_segment_sum -------------------------------------------------------------

def _segment_infer(attrs, types, consts):
    data, ids, num = types
    check_allowed(data.dtype, REALS, "data")
    check_allowed(ids.dtype, ("int16", "int32", "int64"), "segment_ids")
    check_allowed(num.dtype, ("int32", "int64"), "num_segments")
    if num.shape is not None and num.shape != ():
        raise InferError(f"num_segments: Shape must be rank 0 but is rank {len(num.shape)}")
    count = consts[2]
    if count is not None and count < 0:
        raise InferError(f"Dimension size, given by scalar input 2, must be non-negative but is {count}")
    if data.shape is None or ids.shape is None:
        return [TensorType(data.dtype, None)]
    if len(ids.shape) > len(data.shape):
        raise InferError(f"Shape must be at least rank {len(ids.shape)} but is rank {len(data.shape)}")
    for a, b in zip(data.shape, ids.shape):
        if None not in (a, b) and a != b:
            raise InferError(f"Dimensions must be equal, but are {a} and {b}: data {format_dims(data.shape)}, "
                             f"segment_ids {format_dims(ids.shape)}")
    return [TensorType(data.dtype, (count,) + data.shape[len(ids.shape):])]


def _segment_kernel(env: KernelEnv):
    """TF's CPU kernel: output[ids[i]] += data[i] in index order; negative ids drop the row."""
    xp, dtype = env.xp, env.out_types[0].dtype

    def unsorted_segment_sum(data, ids, num_segments):
        count = int(num_segments)
        if count < 0:
            raise KernelError(f"Input num_segments == {count} must not be negative.")
        if data.shape[:ids.ndim] != ids.shape:
            raise KernelError(f"data.shape = {format_dims(data.shape)} does not start with "
                              f"segment_ids.shape = {format_dims(ids.shape)}")
        over = ids >= count
        if over.any():
            where = tuple(int(i) for i in xp.argwhere(over)[0])
            raise KernelError(f"segment_ids[{','.join(map(str, where))}] = {int(ids[where])} is out of "
                              f"range [0, {count})")
        out = xp.zeros(bounded((count,) + data.shape[ids.ndim:], "UnsortedSegmentSum's output"), dtype=dtype)
        keep = ids >= 0
        xp.add.at(out, ids[keep], data[keep])
        return out
    return unsorted_segment_sum


def _written_axes(g, op):
    """The reduced axes as TF's gradient sees them (`constant_value(op.inputs[1])`): the spec's
    `axis` (every axis when none is given, as TF's `_ReductionDims`), a raw op's constant axes
    input; None when they are computed at run time (or the rank of an axis-less input is unknown)."""
    if "axis" not in op.attrs:   # tf.raw_ops.Sum and friends: the axes are an input
        value = g.constant_value(op.inputs[1])
        return None if value is None else value if isinstance(value, int) else list(flat(value))
    axes, shape = op.attrs["axis"], g.shape(op.inputs[0])
    if axes is None:
        return None if shape is None else list(range(len(shape)))
    return axes


def _reduced_shape(g, op, input_shape):
    """TF's `math_ops.reduced_shape(input_shape, axes)` where the input's shape or the axes are not
    constants: the input's shape with each reduced axis set to 1, stitched at run time
    (`Size`, `add`, `mod`, `Shape_1`, `range`, `ones`, DynamicStitch), axes in their own dtype."""
    axes = g.reduction_indices(op)
    dtype = g.dtype(axes)
    length = g.shape(input_shape)
    if fully_known(length):   # `array_ops.size(input_shape, out_type=axes.dtype)`
        rank = g.const("Size", length[0], dtype)
    else:
        rank = g.make("size", "Size", [input_shape], {"out_type": dtype})
    axes = g.make("floormod", "mod", [g.make("add", "add", [axes, rank]), rank])
    axes_shape = shape_tensor(g, axes, "int32", "Shape_1")
    indices = g.make("range", "range", [g.const("range/start", 0, dtype), rank, g.const("range/delta", 1, dtype)])
    ones = g.make("fill", "ones", [axes_shape, g.const("ones/Const", 1, g.dtype(input_shape))])
    return g.make("dynamic_stitch", "DynamicStitch", [indices, axes, input_shape, ones])


def _sum_like(g, op, grad):
    """TF's `_SumGrad`: with a known rank and constant axes, every axis reduced (Reshape to ones,
    Tile by the input's shape), or some axes of a fully known shape (Reshape to the kept-dims
    shape, Tile by the scaling, both constants); else (axes computed at run time, as in imported
    gradient graphs) BroadcastTo the input's shape, the gradient kept-dims already."""
    x = op.inputs[0]
    shape = g.shape(x)
    written = _written_axes(g, op)
    rank = None if shape is None else len(shape)
    if rank is None or written is None or (not fully_known(shape) and written != list(range(rank))):
        input_shape = shape_tensor(g, x)
        if not op.attrs["keepdims"]:
            with g.colocate_with(input_shape):
                kept = _reduced_shape(g, op, input_shape)
            grad = g.make("reshape", "Reshape", [grad, kept])
        return g.make("broadcast_to", "BroadcastTo", [grad, input_shape])
    axes = [a % max(rank, 1) for a in ([written] if isinstance(written, int) else written)]
    if written == list(range(rank)):   # TF: np.array_equal(axes, np.arange(rank)), as written
        reshaped = g.make("reshape", "Reshape", [grad, g.const("Reshape/shape", [1] * rank, "int32")])
        if fully_known(shape):
            multiples = g.const("Const", list(shape), "int32")
        else:
            multiples = g.make("shape", "Shape", [x], {"out_type": "int32"})
        return g.make("tile", "Tile", [reshaped, multiples])
    kept = [1 if i in axes else d for i, d in enumerate(shape)]
    scaling = [d // max(k, 1) for d, k in zip(shape, kept)]
    key = ("reduced_shape", tuple(shape), tuple([written] if isinstance(written, int) else written))
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
    if not (fully_known(ins) and fully_known(outs)):  # TF: the factor from the input's Shape at run time
        shape = shape_tensor(g, op.inputs[0])
        rank = size_tensor(g, shape)
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


def _min_or_max_grad(g, op, grads):
    """TF's `_MinOrMaxGrad`: the gradient shared by the elements equal to the result,
    `indicators / num_selected * grad`, the kept-dims shape a constant where the input's shape
    and the axes are (`Reshape/shape`...), else `reduced_shape`'s DynamicStitch."""
    x, y, grad = op.inputs[0], op.outputs[0], grads[0]
    shape = g.shape(x)
    axis_ref = g.reduction_indices(op)
    axes = _written_axes(g, op)
    input_shape = shape_tensor(g, x)   # `array_ops.shape(op.inputs[0])`, unused when constant
    kept = kept_ref = None
    if op.attrs.get("keepdims"):
        kept_ref = shape_tensor(g, y, "int32", "Shape_1")
    else:
        if fully_known(shape) and axes is not None:
            rank = len(shape)
            axes = [a % max(rank, 1) for a in ([axes] if isinstance(axes, int) else axes)]
            kept = [1 if i in axes else d for i, d in enumerate(shape)]
            y = g.make("reshape", "Reshape", [y, g.const("Reshape/shape", kept, "int32")])
            grad = g.make("reshape", "Reshape_1", [grad, g.const("Reshape_1/shape", kept, "int32")])
        else:
            kept_ref = _reduced_shape(g, op, input_shape)
            y = g.make("reshape", "Reshape", [y, kept_ref])
            grad = g.make("reshape", "Reshape_1", [grad, kept_ref])
    indicators = g.make("cast", "Cast", [g.make("equal", "Equal", [y, x])], {"dtype": g.dtype(grad)})
    summed = g.make("sum", "Sum", [indicators, axis_ref], {"keepdims": False})
    if kept_ref is None:
        kept_ref = g.const("Reshape_2/shape", kept, "int32")
    selected = g.make("reshape", "Reshape_2" if not op.attrs.get("keepdims") else "Reshape", [summed, kept_ref])
    return [g.make("mul", "mul", [g.make("div", "truediv", [indicators, selected]), grad])] + [None] * (len(op.inputs) - 1)


def _prod_grad(g, op, grads):
    """TF's `_ProdGrad`: the product of all other elements as two exclusive cumprods over the
    reduced axes moved to the front (the permutation worked out on /cpu:0, as TF places it).
    Built where the input's rank is known and, without keepdims, the axes are constant."""
    x, grad = op.inputs[0], grads[0]
    axes_ref = op.inputs[1] if "axis" not in op.attrs else g.reduction_indices(op)
    shape = g.shape(x)
    axes = _written_axes(g, op)
    axes = [axes] if isinstance(axes, int) else axes
    if shape is None:
        g.unsupported(op, "a product of a tensor of unknown rank")
    rank = len(shape)
    axes = None if axes is None else [a % max(rank, 1) for a in axes]
    input_shape = shape_tensor(g, x)
    indices = g.make("reshape", "Reshape", [axes_ref, g.const("Reshape/shape", [-1], "int32")])
    stitched = False   # reduced_shape's `range` scope taken: TF's own is `range_1`
    if not op.attrs["keepdims"]:
        if axes is None or not fully_known(shape):   # TF: reduced_shape's DynamicStitch
            kept_ref, stitched = _reduced_shape(g, op, input_shape), True
        else:
            kept_ref = g.const("Reshape_1/shape", [1 if i in axes else d for i, d in enumerate(shape)], "int32")
        grad = g.make("reshape", "Reshape_1", [grad, kept_ref])
    grad = g.make("broadcast_to", "BroadcastTo", [grad, input_shape])
    with on_device(g, "/cpu:0"):
        rank_ref = rank_tensor(g, x)
        if g.dtype(indices) != "int32":
            indices = g.make("cast", "Cast", [indices], {"dtype": "int32"})
        reduced = g.make("floormod", "mod", [g.make("add", "add", [indices, rank_ref]), rank_ref])
        r = "range_1" if stitched else "range"
        idx = g.make("range", r, [g.const(f"{r}/start", 0, "int32"), rank_ref, g.const(f"{r}/delta", 1, "int32")])
        other = g.make("setdiff1d", "ListDiff", [idx, reduced], {"out_idx": "int32"})
        perm = g.make("concat", "concat", [reduced, other], {"axis": 0})
        nums = []
        for k, part in enumerate((reduced, other)):
            suffix = f"_{k}" if k else ""
            picked = g.make("gather", "GatherV2" + suffix, [input_shape, part, g.const(f"GatherV2{suffix}/axis", 0, "int32")])
            nums.append(g.make("prod", "Prod" + suffix, [picked, g.const("Const" + suffix, [0], "int32")]))
    permuted = g.make("transpose", "transpose", [x, perm])
    if axes is not None and fully_known(shape):   # TF's shape inference evaluates the permutation
        order = axes + [i for i in range(rank) if i not in axes]
        permuted_shape = g.const("Shape", [shape[i] for i in order], "int32")   # Shape_1 (Shape_2 after a stitch's)
    else:
        permuted_shape = g.make("shape", "Shape", [permuted], {"out_type": "int32"})
    k = 1 if op.attrs["keepdims"] else 2   # the Reshapes made so far (TF numbers them in its scope)
    reshaped = g.make("reshape", f"Reshape_{k}", [permuted, g.make("stack", f"Reshape_{k}/shape", nums, {"axis": 0})])
    left = g.make("cumprod", "Cumprod", [reshaped], {"axis": 0, "exclusive": True, "reverse": False})
    right = g.make("cumprod", "Cumprod_1", [reshaped], {"axis": 0, "exclusive": True, "reverse": True})
    y = g.make("reshape", f"Reshape_{k + 1}", [g.make("mul", "mul", [left, right]), permuted_shape])
    back = g.make("transpose", "transpose_1", [y, g.make("invert_permutation", "InvertPermutation", [perm])])
    out = g.make("mul", "mul_1", [grad, back])
    return [g.make("reshape", f"Reshape_{k + 2}", [out, input_shape]), None]


def _gather_drop_negatives(g, params, ids):
    """TF's `_GatherDropNegatives(params, ids)`: params gathered at max(ids, 0), zeros where an
    id is negative."""
    clipped = g.make("maximum", "Maximum", [ids, zeros_like(g, ids, "zeros_like")])
    gathered = g.make("gather", "GatherV2", [params, clipped, g.const("GatherV2/axis", 0, "int32")])
    positive = g.make("greater_equal", "GreaterEqual", [ids, g.const("GreaterEqual/y", 0, g.dtype(ids))])
    positive_shape = shape_tensor(g, positive)
    extra = g.make("sub", "sub", [rank_tensor(g, gathered), rank_tensor(g, positive, "Rank_1")])
    ones = g.make("fill", "ones", [g.make("stack", "ones/packed", [extra], {"axis": 0}),
                                   g.const("ones/Const", 1, g.dtype(positive_shape))])
    broadcastable = g.make("concat", "concat", [positive_shape, ones], {"axis": 0})
    positive = g.make("reshape", "Reshape", [positive, broadcastable])
    positive = g.make("logical_and", "and", [positive, ones_like(g, gathered, "ones_like", "bool")])
    return g.make("select_v2", "SelectV2", [positive, gathered, zeros_like(g, gathered, "zeros_like")])


def _unsorted_segment_sum_grad(g, op, grads):
    """TF's `_UnsortedSegmentSumGrad`: the gradient's rows gathered back by segment id."""
    return [_gather_drop_negatives(g, grads[0], op.inputs[1]), None, None]


OPS = [
    _reduce("reduce_sum", "Sum", "sum", "Sum over axes.", grad=_sum_grad),
    _reduce("reduce_mean", "Mean", "mean", "Mean over axes.", grad=_mean_grad),
    _reduce("reduce_max", "Max", "max", "Max over axes (-inf or the lowest integer over none).",
            grad=_min_or_max_grad),
    _reduce("reduce_min", "Min", "min", "Min over axes (inf or the highest integer over none).",
            grad=_min_or_max_grad),
    _reduce("reduce_prod", "Prod", "prod", "Product over axes.", grad=_prod_grad),
    _reduce("reduce_all", "All", "all", "Logical and over axes of bools.", BOOL),
    _reduce("reduce_any", "Any", "any", "Logical or over axes of bools.", BOOL),
    *(_raw_reduce(type_name.lower(), type_name, fname, allowed, grad) for type_name, fname, allowed, grad in (
        ("Sum", "sum", REALS, _sum_grad), ("Mean", "mean", REALS, _mean_grad), ("Max", "max", REALS, _min_or_max_grad),
        ("Min", "min", REALS, _min_or_max_grad), ("Prod", "prod", REALS, _prod_grad), ("All", "all", BOOL, None),
        ("Any", "any", BOOL, None))),
    _arg("argmax", "ArgMax", "Index of the largest value along an axis (the first of ties)."),
    _arg("argmin", "ArgMin", "Index of the smallest value along an axis (the first of ties)."),
    _scan("cumsum", "Cumsum", "cumsum", 0, "Running sum along an axis; exclusive starts at 0, reverse runs "
          "from the end.", _cumsum_grad),
    _scan("cumprod", "Cumprod", "cumprod", 1, "Running product along an axis; exclusive starts at 1, reverse "
          "runs from the end.", _cumprod_grad),
    OpDef("unsorted_segment_sum", "UnsortedSegmentSum", ("data", "segment_ids", "num_segments"),
          _segment_infer, _segment_kernel,
          "Sums of data's rows by segment id into num_segments rows; negative ids are dropped.",
          tf="tf.math.unsorted_segment_sum", tf_op="UnsortedSegmentSum",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tindices": TFType(i[1].dtype),
                                       "Tnumsegments": TFType(i[2].dtype)}, grad=_unsorted_segment_sum_grad),
]
