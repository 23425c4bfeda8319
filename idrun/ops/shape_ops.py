"""Shape-making and selecting ops, as TF's GraphDefs have them: every shape, axis or
count TF passes as a tensor is an input here too (a literal in a spec becomes the
implicit constant TF's Python makes: `Fill/dims`, `ExpandDims/dim`), so an imported
graph runs as written. Inference uses a constant input's value where it has one.

fill, zeros_like, ones_like, expand_dims, squeeze, shape_n, size, rank, range,
broadcast_to, broadcast_gradient_args, concat_offset, invert_permutation, one_hot,
unique, setdiff1d, select, select_v2, where, placeholder_with_default, stop_gradient,
prevent_gradient, snapshot, check_numerics.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from idrun.dtypes import is_float, is_int, is_numeric
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.gradlib import no_gradient
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFShape, TFType, attr
from idrun.ops.shapes import bounded, broadcast, format_dims, num_elements, same_dtype
from idrun.ops.gradlib import pass_through, reduce_gradient_args, shape_tensor, zeros_like

INDEX_TYPES = ("int32", "int64")


# ---- shared helpers (array.py uses them too) ---------------------------------------

def flat(value: Any) -> list | None:
    """A constant input's value as a flat list of Python numbers (None: not a constant)."""
    if value is None:
        return None
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list):
        return [value]
    out = []
    for v in value:
        out.extend(flat(v))
    return out


def index_input(t: TensorType, name: str, rank: int | None = None, types=INDEX_TYPES) -> None:
    """An input TF types as int32/int64 (Tidx, Tperm...), optionally of a fixed rank."""
    if t.dtype not in types:
        raise InferError(f"input '{name}' must be {' or '.join(types)}, got {t.dtype}")
    if rank is not None:
        need_rank(t, rank, name)


def need_rank(t: TensorType, rank: int, name: str) -> None:
    if t.shape is not None and len(t.shape) != rank:
        raise InferError(f"Shape must be rank {rank} but is rank {len(t.shape)} for input '{name}' "
                         f"(shape {format_dims(t.shape)})")


def vector_length(t: TensorType) -> int | None:
    """The length of a rank-1 input, if known."""
    return t.shape[0] if t.shape is not None and len(t.shape) == 1 else None


def checked(error: type, fn, *args):
    """fn(*args), a ValueError it raises (TF's message) raised again as `error`: InferError
    at build time, KernelError in a step."""
    try:
        return fn(*args)
    except ValueError as exc:
        raise error(str(exc)) from None


def host_ints(value) -> list[int]:
    """A runtime index tensor (numpy or CuPy), flattened, as Python ints."""
    return value.reshape(-1).tolist()


def int_list(value: Any) -> list[int]:
    """An attribute that is an int or a list of ints (squeeze's axis)."""
    if isinstance(value, list):
        return [checks.integer(v) for v in value]
    return [checks.integer(value)]


def optional_int(value: Any) -> int | None:
    return None if value is None else checks.integer(value)


def out_type(value: Any) -> str:
    dtype = checks.dtype(value)
    if dtype not in INDEX_TYPES:
        raise ValueError(f"out_type must be int32 or int64, got {dtype}")
    return dtype


def _message_import(t, c):
    return {"message": t.get("message", "")}


def _t_of(position: int):
    """TF's `T`: the dtype of input `position`."""
    return lambda n, a, i, o: {"T": TFType(i[position].dtype)}


# ---- fill, zeros_like, ones_like ------------------------------------------------------

def _shape_from(t: TensorType, value: Any, name: str, op: str) -> tuple | None:
    """A shape given as an int vector input: from its value, else its length."""
    index_input(t, name, 1)
    dims = flat(value)
    if dims is not None:
        if any(d < 0 for d in dims):
            raise InferError(f"{op} dimensions must be >= 0 (input '{name}': {dims})")
        return tuple(dims)
    n = vector_length(t)
    return None if n is None else (None,) * n


def _fill_infer(attrs, types, consts):
    need_rank(types[1], 0, "value")
    return [TensorType(types[1].dtype, _shape_from(types[0], consts[0], "dims", "Fill"))]


def _fill_kernel(env: KernelEnv):
    xp = env.xp

    def fill(dims, value):
        if dims.ndim != 1:
            raise KernelError(f"dims must represent a vector, got shape {format_dims(dims.shape)}")
        shape = host_ints(dims)
        if any(d < 0 for d in shape):
            raise KernelError(f"Fill dimensions must be >= 0: {shape}")
        return xp.full(bounded(shape, "Fill's output"), value, dtype=value.dtype)
    return fill


def _like_infer(attrs, types, consts):
    if types[0].dtype == "string":
        raise InferError("expects a numeric or bool input, got string")
    return [types[0]]


# ---- expand_dims, squeeze ---------------------------------------------------------------

def _expand_dims_infer(attrs, types, consts):
    t, dim_t = types
    index_input(dim_t, "dim")
    if dim_t.shape is not None and num_elements(dim_t.shape) not in (None, 1):
        raise InferError(f"'dim' must be a tensor with a single value, got shape {format_dims(dim_t.shape)}")
    dim = flat(consts[1])
    if t.shape is None:
        return [TensorType(t.dtype, None)]
    rank = len(t.shape)
    if dim is None:
        return [TensorType(t.dtype, (None,) * (rank + 1))]
    d = dim[0]
    if not -rank - 1 <= d <= rank:
        raise InferError(f"dim {d} not in the interval [{-rank - 1}, {rank}].")
    d = d + rank + 1 if d < 0 else d
    return [TensorType(t.dtype, t.shape[:d] + (1,) + t.shape[d:])]


def _expand_dims_kernel(env: KernelEnv):
    xp = env.xp

    def expand_dims(x, dim):
        d = host_ints(dim)[0]
        if not -x.ndim - 1 <= d <= x.ndim:
            raise KernelError(f"Tried to expand dim index {d} for tensor with {x.ndim} dimensions.")
        return xp.expand_dims(x, d)
    return expand_dims


def _squeeze_infer(attrs, types, consts):
    t, axes = types[0], attrs["axis"]
    if t.shape is None:
        return [TensorType(t.dtype, None)]
    rank = len(t.shape)
    for a in axes:
        if not -rank <= a < rank:
            raise InferError(f"Tried to squeeze dim index {a} for tensor with {rank} dimensions.")
    wanted = {a % rank for a in axes}
    out = []
    for i, d in enumerate(t.shape):
        if wanted and i not in wanted:
            out.append(d)
        elif d is None:
            if not wanted:  # TF: which dims go is known only at run time
                return [TensorType(t.dtype, None)]
        elif d != 1:
            if wanted:
                raise InferError(f"Can not squeeze dim[{i}], expected a dimension of 1, got {d}")
            out.append(d)
    return [TensorType(t.dtype, tuple(out))]


def _squeeze_kernel(env: KernelEnv):
    xp, axes = env.xp, tuple(env.attrs["axis"])

    def squeeze(x):
        for a in axes:
            if x.shape[a] != 1:
                raise KernelError(f"Can not squeeze dim[{a % x.ndim}], expected a dimension of 1, "
                                  f"got {x.shape[a]}")
        return xp.squeeze(x, axis=axes) if axes else xp.squeeze(x)
    return squeeze


# ---- shape_n, size, rank ------------------------------------------------------------------

def _shape_n_infer(attrs, types, consts):
    return [TensorType(attrs["out_type"], None if t.shape is None else (len(t.shape),)) for t in types]


def _shape_n_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.attrs["out_type"]
    return lambda *xs: tuple(xp.asarray(x.shape, dtype=dtype) for x in xs)


def _size_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.attrs["out_type"]
    return lambda x: xp.asarray(x.size, dtype=dtype)


def _rank_kernel(env: KernelEnv):
    xp = env.xp
    return lambda x: xp.asarray(x.ndim, dtype="int32")


def _out_type_attrs(n, a, i, o):
    return {"T": TFType(i[0].dtype), "out_type": TFType(a["out_type"])}


# ---- range ----------------------------------------------------------------------------------

RANGE_TYPES = ("float32", "float64", "int32", "int64")


def _f32(x: float) -> float:
    """x rounded to float32 (TF computes a float32 range's size in float32)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def range_size(start, limit, delta, dtype: str) -> int:
    """TF's RangeOp size, with its messages (ValueError)."""
    if delta == 0:
        raise ValueError(f"Requires delta != 0: {delta}")
    if delta > 0 and not start <= limit:   # as TF's check reads: NaN fails it too
        raise ValueError(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and not start >= limit:
        raise ValueError(f"Requires start >= limit when delta < 0: {start}/{limit}")
    if is_int(dtype):
        return (abs(limit - start) + abs(delta) - 1) // abs(delta)
    if dtype == "float32":
        size = abs(_f32(_f32(_f32(limit) - _f32(start)) / _f32(delta)))
    else:
        size = abs((limit - start) / delta)
    if not size <= 2**63 - 1:  # an infinite bound, or NaN from start or delta
        raise ValueError("Requires ((limit - start) / delta) <= 9223372036854775807")
    return math.ceil(size)


def _range_infer(attrs, types, consts):
    dtype = same_dtype(types, ("start", "limit", "delta"), "Range")
    if dtype not in RANGE_TYPES:
        raise InferError(f"Range takes {', '.join(RANGE_TYPES)}, got {dtype}")
    for t, name in zip(types, ("start", "limit", "delta")):
        need_rank(t, 0, name)
    values = [flat(c) for c in consts]
    if None in values:
        return [TensorType(dtype, (None,))]
    return [TensorType(dtype, (checked(InferError, range_size, *(v[0] for v in values), dtype),))]


def _range_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.out_types[0].dtype

    def range_(start, limit, delta):
        size = checked(KernelError, range_size, start.item(), limit.item(), delta.item(), dtype)
        bounded((size,), "Range's output")
        # TF: start + T(i) * delta, in T (not numpy's arange, which steps differently)
        return start + xp.arange(size).astype(dtype) * delta
    return range_


# ---- broadcast_to, broadcast_gradient_args, concat_offset ------------------------------------

def _broadcast_to_infer(attrs, types, consts):
    t = types[0]
    shape = _shape_from(types[1], consts[1], "shape", "BroadcastTo")
    if shape is not None and t.shape is not None:
        if len(t.shape) > len(shape):
            raise InferError(f"Rank of input ({len(t.shape)}) must be no greater than rank of output "
                             f"shape ({len(shape)}).")
        joined = broadcast(t.shape, shape)
        if any(a is not None and b is not None and a != b for a, b in zip(joined, shape)):
            raise InferError(f"Incompatible shapes: {format_dims(t.shape)} vs. {format_dims(shape)}")
    return [TensorType(t.dtype, shape)]


def _broadcast_to_kernel(env: KernelEnv):
    xp = env.xp

    def broadcast_to(x, shape):
        try:
            return xp.broadcast_to(x, bounded(host_ints(shape), "BroadcastTo's output")).copy()
        except ValueError:
            raise KernelError(f"Incompatible shapes: [{','.join(map(str, x.shape))}] vs. "
                              f"[{','.join(map(str, host_ints(shape)))}]") from None
    return broadcast_to


def gradient_args(s0: list[int], s1: list[int]) -> tuple[list[int], list[int]]:
    """TF's BroadcastGradientArgs: the axes each input was broadcast along (ValueError if the
    shapes do not broadcast)."""
    rank = max(len(s0), len(s1))
    p0, p1 = [1] * (rank - len(s0)) + list(s0), [1] * (rank - len(s1)) + list(s1)
    for a, b in zip(p0, p1):
        if a != b and 1 not in (a, b):
            raise ValueError(f"Incompatible shapes: [{','.join(map(str, s0))}] vs. [{','.join(map(str, s1))}]")
    return [i for i, d in enumerate(p0) if d == 1], [i for i, d in enumerate(p1) if d == 1]


def _gradient_args_infer(attrs, types, consts):
    dtype = same_dtype(types, ("s0", "s1"), "BroadcastGradientArgs")
    index_input(types[0], "s0", 1)
    index_input(types[1], "s1", 1)
    if None not in consts:
        checked(InferError, gradient_args, flat(consts[0]), flat(consts[1]))
    return [TensorType(dtype, (None,)), TensorType(dtype, (None,))]


def _gradient_args_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.out_types[0].dtype

    def broadcast_gradient_args(s0, s1):
        r0, r1 = checked(KernelError, gradient_args, host_ints(s0), host_ints(s1))
        return xp.asarray(r0, dtype=dtype), xp.asarray(r1, dtype=dtype)
    return broadcast_gradient_args


def _concat_offset_infer(attrs, types, consts):
    if len(types) < 3:
        raise InferError("concat_offset takes [concat_dim, shape, shape, ...]: at least two shapes")
    index_input(types[0], "concat_dim", 0, ("int32",))
    dtype = same_dtype(types[1:], [f"shape_{i}" for i in range(len(types) - 1)], "ConcatOffset")
    for k, t in enumerate(types[1:]):
        index_input(t, f"shape_{k}", 1)
    lengths = {vector_length(t) for t in types[1:]} - {None}
    if len(lengths) > 1:
        raise InferError(f"shapes of different ranks: {sorted(lengths)}")
    return [TensorType(dtype, t.shape) for t in types[1:]]


def _concat_offset_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.out_types[0].dtype

    def concat_offset(concat_dim, *shapes):
        dims = [host_ints(s) for s in shapes]
        rank = len(dims[0])
        axis = host_ints(concat_dim)[0]
        axis = axis + rank if axis < 0 else axis
        if not 0 <= axis < rank:
            raise KernelError(f"Concat dim is out of range: {host_ints(concat_dim)[0]} vs. {rank}")
        offsets, at = [], 0
        for k, d in enumerate(dims):
            if len(d) != rank:
                raise KernelError(f"input {k} should contain {rank} elements, but got {len(d)}")
            for j in range(rank):
                if j != axis and d[j] != dims[0][j]:
                    raise KernelError(f"All dimensions except {axis} must match. Input {k} has shape "
                                      f"[{' '.join(map(str, d))}] and doesn't match input 0 with shape "
                                      f"[{' '.join(map(str, dims[0]))}].")
            offsets.append(xp.asarray([at if j == axis else 0 for j in range(rank)], dtype=dtype))
            at += d[axis]
        return tuple(offsets)
    return concat_offset


# ---- invert_permutation, one_hot, unique ------------------------------------------------------

def _invert_permutation_kernel(env: KernelEnv):
    xp = env.xp

    def invert_permutation(x):
        perm = host_ints(x)
        n, out = len(perm), [-1] * len(perm)
        for i, d in enumerate(perm):
            if not 0 <= d < n:
                raise KernelError(f"{d} is not between 0 and {n}")
            if out[d] != -1:
                raise KernelError(f"{d} is duplicated in the input.")
            out[d] = i
        return xp.asarray(out, dtype=x.dtype)
    return invert_permutation


def _one_hot_infer(attrs, types, consts):
    indices, depth = types[0], types[1]
    index_input(indices, "indices", types=("uint8", "int32", "int64"))
    index_input(depth, "depth", 0, ("int32",))
    dtype = same_dtype(types[2:], ("on_value", "off_value"), "OneHot")
    need_rank(types[2], 0, "on_value")
    need_rank(types[3], 0, "off_value")
    d = flat(consts[1])
    d = None if d is None else d[0]
    if d is not None and d < 0:
        raise InferError(f"depth must be non-negative, got: {d}")
    if indices.shape is None:
        return [TensorType(dtype, None)]
    rank, axis = len(indices.shape), attrs["axis"]
    if not -1 <= axis <= rank:
        raise InferError(f"Expected axis to be -1 or between [0, {rank + 1}).  But received: {axis}")
    axis = rank if axis == -1 else axis
    return [TensorType(dtype, indices.shape[:axis] + (d,) + indices.shape[axis:])]


def _one_hot_kernel(env: KernelEnv):
    xp, axis = env.xp, env.attrs["axis"]

    def one_hot(indices, depth, on_value, off_value):
        d = int(depth)
        if d < 0:
            raise KernelError(f"depth must be non-negative, got: {d}")
        bounded(indices.shape + (d,), "OneHot's output")
        hot = indices[..., None] == xp.arange(d)
        out = xp.where(hot, on_value, off_value)
        return out if axis == -1 else xp.ascontiguousarray(xp.moveaxis(out, -1, axis))
    return one_hot


def _unique_infer(attrs, types, consts):
    t = types[0]
    need_rank(t, 1, "x")
    return [TensorType(t.dtype, (None,)), TensorType(attrs["out_idx"], t.shape)]


def _unique_kernel(env: KernelEnv):
    xp, out_idx = env.xp, env.attrs["out_idx"]

    def unique(x):
        # TF hashes values: NaN equals nothing (each NaN its own entry), -0.0 equals 0.0
        _, first, inverse = xp.unique(x, return_index=True, return_inverse=True, equal_nan=False)
        order = xp.argsort(first)  # TF: in order of first occurrence (first indices are distinct)
        rank = xp.empty_like(order)
        rank[order] = xp.arange(order.size)
        return x[first[order]], rank[inverse.reshape(-1)].astype(out_idx)
    return unique


def _setdiff1d_infer(attrs, types, consts):
    x, y = types
    dtype = same_dtype(types, ("x", "y"), "ListDiff")
    for t, name in ((x, "x"), (y, "y")):
        if t.shape is not None and len(t.shape) != 1:
            raise InferError(f"{name} should be a 1D vector.")
    return [TensorType(dtype, (None,)), TensorType(attrs["out_idx"], (None,))]


def _setdiff1d_kernel(env: KernelEnv):
    xp, out_idx = env.xp, env.attrs["out_idx"]

    def setdiff1d(x, y):
        for t, name in ((x, "x"), (y, "y")):
            if t.ndim != 1:
                raise KernelError(f"{name} should be a 1D vector.")
        keep = xp.flatnonzero(~xp.isin(x, y))   # TF: the elements of x not in y, in x's order
        return x[keep], keep.astype(out_idx)
    return setdiff1d


# ---- select, select_v2, where --------------------------------------------------------------------

def _condition(t: TensorType) -> None:
    if t.dtype != "bool":
        raise InferError(f"condition must be bool, got {t.dtype}")


def _select_infer(attrs, types, consts):
    cond, x, y = types
    _condition(cond)
    dtype = same_dtype(types[1:], ("t", "e"), "Select")
    shape = x.shape if y.shape is None else y.shape
    if x.shape is not None and y.shape is not None:
        if len(x.shape) != len(y.shape) or any(
                a is not None and b is not None and a != b for a, b in zip(x.shape, y.shape)):
            raise InferError(f"'then' and 'else' must have the same size.  but received: "
                             f"{format_dims(x.shape)} vs. {format_dims(y.shape)}")
        shape = tuple(a if a is not None else b for a, b in zip(x.shape, y.shape))
    c = cond.shape
    if c is not None and shape is not None and len(c) != 0:
        same = len(c) == len(shape) and all(None in (a, b) or a == b for a, b in zip(c, shape))
        rows = len(c) == 1 and len(shape) > 1 and (None in (c[0], shape[0]) or c[0] == shape[0])
        if not (same or rows):
            raise InferError(f"'condition' must be a scalar, a vector of the first dimension of 'then', "
                             f"or the shape of 'then'; got {format_dims(c)} and {format_dims(shape)}")
    return [TensorType(dtype, shape)]


def _select_kernel(env: KernelEnv):
    xp = env.xp

    def select(cond, x, y):
        if cond.ndim == 1 and x.ndim > 1:  # a vector picks whole rows
            cond = cond.reshape((-1,) + (1,) * (x.ndim - 1))
        elif cond.ndim not in (0, x.ndim) or (cond.ndim and cond.shape != x.shape):
            raise KernelError(f"'condition' must be a scalar, a vector or the shape of 'then': "
                              f"{list(cond.shape)} vs. {list(x.shape)}")
        if x.shape != y.shape:
            raise KernelError(f"'then' and 'else' must have the same size.  but received: "
                              f"{list(x.shape)} vs. {list(y.shape)}")
        return xp.where(cond, x, y)
    return select


def _select_v2_infer(attrs, types, consts):
    _condition(types[0])
    dtype = same_dtype(types[1:], ("t", "e"), "SelectV2")
    return [TensorType(dtype, broadcast(types[0].shape, broadcast(types[1].shape, types[2].shape)))]


def _where_infer(attrs, types, consts):
    t = types[0]
    if not (t.dtype == "bool" or is_numeric(t.dtype)):
        raise InferError(f"condition must be bool or numeric, got {t.dtype}")
    return [TensorType("int64", (None, None if t.shape is None else len(t.shape)))]


# ---- identities: placeholder_with_default, stop_gradient, prevent_gradient, snapshot, check_numerics

def _with_default_infer(attrs, types, consts):
    t, shape = types[0], attrs["shape"]
    if shape is None:
        return [TensorType(t.dtype, None)]
    if t.shape is not None and (len(t.shape) != len(shape) or any(
            a is not None and b is not None and a != b for a, b in zip(t.shape, shape))):
        raise InferError(f"input shape {format_dims(t.shape)} is not compatible with `shape` "
                         f"{format_dims(tuple(shape))}")
    return [TensorType(t.dtype, tuple(shape))]


def _check_numerics_infer(attrs, types, consts):
    if not is_float(types[0].dtype):
        raise InferError(f"check_numerics takes a float tensor, got {types[0].dtype}")
    return [types[0]]


def _check_numerics_kernel(env: KernelEnv):
    xp, message = env.xp, env.attrs["message"]

    def check_numerics(x):
        nan, inf = bool(xp.isnan(x).any()), bool(xp.isinf(x).any())
        if nan or inf:
            what = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
            raise KernelError(f"{message} : Tensor had {what} values")
        return x
    return check_numerics


def _identity(name: str, type_name: str, doc: str, kernel=None, **kw) -> OpDef:
    return OpDef(name, type_name, ("input",), kw.pop("infer", lambda a, t, c: [t[0]]),
                 kernel or (lambda env: (lambda x: x)), doc, **kw)


def index_attrs(*names: tuple[str, int]):
    """TF's attributes `T` (input 0's dtype) and, for each (attr, position), that input's dtype."""
    return lambda n, a, i, o: {"T": TFType(i[0].dtype), **{key: TFType(i[pos].dtype) for key, pos in names}}


def _shape_literal(c) -> str:
    shape = c.attrs["shape"]
    return "None" if shape is None else repr(list(shape))


def _select_v2_grad(g, op, grads):
    """TF's `_SelectGradV2`: where(c, grad, 0) and where(c, 0, grad), each reduced to its input."""
    grad = grads[0]
    c, x, y = op.inputs[:3]
    zeros = g.const("zeros", 0.0 if g.dtype(grad).startswith("float") else 0, g.dtype(grad))
    gx = g.make("select_v2", "SelectV2", [c, grad, zeros])
    gy = g.make("select_v2", "SelectV2_1", [c, zeros, grad])
    gx = reduce_gradient_args(g, x, op.outputs[0], gx, None)[0]
    gy = reduce_gradient_args(g, y, op.outputs[0], gy, None)[0]
    return [None, gx, gy]


def _broadcast_to_grad(g, op, grads):
    """TF's `_BroadcastToGrad`: the gradient summed over the broadcast axes
    (BroadcastGradientArgs of the target shape, a Const when static, and the input's)."""
    x, target = op.inputs[:2]
    dtype = g.dtype(target)
    shape = shape_tensor(g, x, dtype)
    value = g.constant_value(target)
    if value is not None:
        target = g.const("Const", value, dtype)
    args = g.make("broadcast_gradient_args", "BroadcastGradientArgs", [target, shape])
    summed = g.make("sum", "Sum", [grads[0], g.output(args, 1)], {"keepdims": True})
    return [g.make("reshape", "Reshape", [summed, shape]), None]


def _fill_grad(g, op, grads):
    """TF's `_FillGrad`: reduce_sum(grad) to the value (over `Const` axes when the rank is known and
    not 0, else `range(0, rank(grad))`, as `_ReductionDims`)."""
    grad = grads[0]
    shape = g.shape(grad)
    if shape:
        axes = g.const("Const", list(range(len(shape))), "int32")
    else:
        rank = g.const("Rank", 0, "int32") if shape is not None else g.make("rank", "Rank", [grad])
        axes = g.make("range", "range", [g.const("range/start", 0, "int32"), rank,
                                         g.const("range/delta", 1, "int32")])
    return [None, g.make("sum", "Sum", [grad, axes], {"keepdims": False})]


def _select_grad(g, op, grads):
    """TF's `_SelectGrad`: where(c, grad, zeros_like(t)) and where(c, zeros_like(t), grad)."""
    grad = grads[0]
    c, x = op.inputs[:2]
    zeros = zeros_like(g, x, "zeros_like")
    return [None, g.make("select", "Select", [c, grad, zeros]), g.make("select", "Select_1", [c, zeros, grad])]


def _reshape_to_input(g, op, grads):
    """TF's `_ReshapeToInput` (ExpandDims, Squeeze): the gradient reshaped to the input's shape."""
    shape = shape_tensor(g, op.inputs[0])
    return [g.make("reshape", "Reshape", [grads[0], shape])] + [None] * (len(op.inputs) - 1)


def _prevent_gradient_grad(g, op, grads):
    g.unsupported(op, f"Gradient explicitly disabled. Reason: {op.attrs.get('message', '')}")


def _check_numerics_grad(g, op, grads):
    message = ("Not a number (NaN) or infinity (Inf) values detected in gradient. "
               + op.attrs["message"])
    return [g.make("check_numerics", "CheckNumerics", [grads[0]], {"message": message})]

OPS = [
    OpDef("fill", "Fill", ("dims", "value"), _fill_infer, _fill_kernel,
          "A tensor of shape `dims` filled with the scalar `value`.", tf="tf.fill", tf_op="Fill",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[1].dtype), "index_type": TFType(i[0].dtype)}, grad=_fill_grad),
    OpDef("zeros_like", "zeros_like", ("input",), _like_infer, lambda env: env.xp.zeros_like,
          "Zeros of the input's shape and dtype.", tf="tf.zeros_like", tf_op="ZerosLike", grad=no_gradient),
    OpDef("ones_like", "ones_like", ("input",), _like_infer, lambda env: env.xp.ones_like,
          "Ones of the input's shape and dtype.", tf="tf.ones_like", tf_op="OnesLike", grad=no_gradient),
    OpDef("expand_dims", "ExpandDims", ("input", "dim"), _expand_dims_infer, _expand_dims_kernel,
          "Insert a dimension of size 1 at index `dim` (an input, as in TF).", tf="tf.expand_dims",
          tf_op="ExpandDims", tf_attrs=index_attrs(("Tdim", 1)), grad=_reshape_to_input),
    OpDef("squeeze", "Squeeze", ("input",), _squeeze_infer, _squeeze_kernel,
          "Remove dimensions of size 1 (those in `axis`, or all).",
          attrs=(attr("axis", [], int_list, "dimensions to remove; [] = every size-1 dim"),),
          tf=lambda c: f"tf.squeeze({c.args[0]}, axis={c.attrs['axis']!r}{c.kw})", tf_op="Squeeze",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "squeeze_dims": list(a["axis"])},
          tf_import=lambda t, c: {"axis": list(t.get("squeeze_dims", []))}, grad=_reshape_to_input),
    OpDef("shape_n", "ShapeN", ("input",), _shape_n_infer, _shape_n_kernel,
          "The shapes of several tensors; outputs name:K.", variadic=True, multi_output=True,
          attrs=(attr("out_type", "int32", out_type),),
          tf=lambda c: f"tf.shape_n([{', '.join(c.args)}], out_type=tf.{c.attrs['out_type']}{c.kw})",
          tf_op="ShapeN", tf_import=lambda t, c: {"out_type": t.get("out_type", "int32")},
          tf_attrs=lambda n, a, i, o: {"N": len(i), "T": TFType(i[0].dtype), "out_type": TFType(a["out_type"])},
          grad=no_gradient),
    OpDef("size", "Size", ("input",), lambda a, t, c: [TensorType(a["out_type"], ())], _size_kernel,
          "The number of elements (a scalar), placed with its input.", follows_input="metadata",
          attrs=(attr("out_type", "int32", out_type),),
          tf=lambda c: f"tf.raw_ops.Size(input={c.args[0]}, out_type=tf.{c.attrs['out_type']}{c.kw})",
          tf_op="Size", tf_attrs=_out_type_attrs, tf_import=lambda t, c: {"out_type": t.get("out_type", "int32")},
          grad=no_gradient),
    OpDef("rank", "Rank", ("input",), lambda a, t, c: [TensorType("int32", ())], _rank_kernel,
          "The number of dimensions (an int32 scalar), placed with its input.", follows_input="metadata",
          tf=lambda c: f"tf.raw_ops.Rank(input={c.args[0]}{c.kw})", tf_op="Rank", grad=no_gradient),
    OpDef("range", "range", ("start", "limit", "delta"), _range_infer, _range_kernel,
          "start, start + delta, ... up to (not including) limit.", typed_with=(0, 1, 2),
          tf="tf.range", tf_op="Range", tf_attrs=lambda n, a, i, o: {"Tidx": TFType(i[0].dtype)},
          grad=no_gradient),   # TF: NotDifferentiable, as broadcast_gradient_args, concat_offset, one_hot
    OpDef("broadcast_to", "BroadcastTo", ("input", "shape"), _broadcast_to_infer, _broadcast_to_kernel,
          "The input broadcast to `shape`.", tf="tf.broadcast_to", tf_op="BroadcastTo",
          tf_attrs=index_attrs(("Tidx", 1)), grad=_broadcast_to_grad),
    OpDef("broadcast_gradient_args", "BroadcastGradientArgs", ("s0", "s1"), _gradient_args_infer,
          _gradient_args_kernel, "The axes along which each of two shapes is broadcast (2 outputs).",
          multi_output=True, typed_with=(0, 1), tf_op="BroadcastGradientArgs",
          tf=lambda c: f"tf.raw_ops.BroadcastGradientArgs(s0={c.args[0]}, s1={c.args[1]}"
                       f"{c.kw})", grad=no_gradient),
    OpDef("concat_offset", "ConcatOffset", ("concat_dim",), _concat_offset_infer, _concat_offset_kernel,
          "Inputs [concat_dim, shape, shape, ...]: where each piece starts in their concat.",
          variadic=True, multi_output=True, tf_op="ConcatOffset",
          tf_attrs=lambda n, a, i, o: {"N": len(i) - 1, "shape_type": TFType(i[1].dtype)},
          tf=lambda c: f"tf.raw_ops.ConcatOffset(concat_dim={c.args[0]}, shape=[{', '.join(c.args[1:])}]"
                       f"{c.kw})", grad=no_gradient),
    OpDef("invert_permutation", "InvertPermutation", ("x",),
          lambda a, t, c: (index_input(t[0], "x", 1), [t[0]])[1], _invert_permutation_kernel,
          "The inverse of a permutation vector.", tf="tf.math.invert_permutation",
          tf_op="InvertPermutation", grad=no_gradient),
    OpDef("one_hot", "one_hot", ("indices", "depth", "on_value", "off_value"), _one_hot_infer,
          _one_hot_kernel, "on_value where the index is, off_value elsewhere, along a new axis.",
          typed_with=(2, 3), attrs=(attr("axis", -1, checks.integer),),
          tf=lambda c: f"tf.one_hot({c.args[0]}, {c.args[1]}, on_value={c.args[2]}, off_value={c.args[3]}, "
                       f"axis={c.attrs['axis']}{c.kw})",
          tf_op="OneHot", tf_import=lambda t, c: {"axis": t.get("axis", -1)},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[2].dtype), "TI": TFType(i[0].dtype), "axis": a["axis"]},
          grad=no_gradient),
    OpDef("unique", "Unique", ("x",), _unique_infer, _unique_kernel,
          "The distinct values in order of first occurrence (:0) and each element's index in them (:1).",
          multi_output=True, attrs=(attr("out_idx", "int32", out_type),),
          tf=lambda c: f"tf.unique({c.args[0]}, out_idx=tf.{c.attrs['out_idx']}{c.kw})", tf_op="Unique",
          tf_import=lambda t, c: {"out_idx": t.get("out_idx", "int32")},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "out_idx": TFType(a["out_idx"])}),
    OpDef("setdiff1d", "ListDiff", ("x", "y"), _setdiff1d_infer, _setdiff1d_kernel,
          "The values of x not in y, in x's order (:0), and their indices in x (:1).",
          multi_output=True, attrs=(attr("out_idx", "int32", out_type),),
          tf=lambda c: f"tf1.setdiff1d({c.args[0]}, {c.args[1]}, index_dtype=tf.{c.attrs['out_idx']}{c.kw})",
          tf_op="ListDiff", tf_import=lambda t, c: {"out_idx": t.get("out_idx", "int32")},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "out_idx": TFType(a["out_idx"])}),
    OpDef("select", "Select", ("condition", "t", "e"), _select_infer, _select_kernel,
          "t where condition else e (tf.compat.v1.where: a vector condition picks rows).",
          typed_with=(1, 2), tf="tf1.where", tf_op="Select", tf_attrs=_t_of(1), grad=_select_grad),
    OpDef("select_v2", "SelectV2", ("condition", "t", "e"), _select_v2_infer,
          lambda env: env.xp.where, "t where condition else e, all three broadcast (tf.where).",
          typed_with=(1, 2), tf="tf.where", tf_op="SelectV2", tf_attrs=_t_of(1), grad=_select_v2_grad),
    OpDef("where", "Where", ("condition",), _where_infer,
          lambda env: (lambda c: env.xp.argwhere(c).astype("int64")),
          "The int64 coordinates of the true (non-zero) elements, one row each.",
          tf=lambda c: f"tf.where({c.args[0]}{c.kw})", tf_op="Where"),
    _identity("placeholder_with_default", "PlaceholderWithDefault",
              "Its input, unless a value is fed for it; typed by `shape`.", infer=_with_default_infer,
              attrs=(attr("shape", None, checks.shape, "the static shape; null = unknown rank"),),
              tf=lambda c: f"tf1.placeholder_with_default({c.args[0]}, {_shape_literal(c)}{c.kw})",
              tf_op="PlaceholderWithDefault", tf_import=lambda t, c: {"shape": t.get("shape")},
              tf_attrs=lambda n, a, i, o: {"dtype": TFType(i[0].dtype),
                                           "shape": None if a["shape"] is None else TFShape(a["shape"])},
              grad=pass_through),
    _identity("stop_gradient", "StopGradient", "Its input (gradients do not flow back through it).",
              tf="tf.stop_gradient", tf_op="StopGradient", grad=no_gradient),  # TF: NotDifferentiable
    _identity("prevent_gradient", "PreventGradient", "Its input (taking its gradient is an error in TF).",
              attrs=(attr("message", "", checks.text),), tf_op="PreventGradient",
              tf_import=_message_import,
              tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "message": a["message"]},
              tf=lambda c: f"tf.raw_ops.PreventGradient(input={c.args[0]}, message={c.attrs['message']!r}"
                           f"{c.kw})", grad=_prevent_gradient_grad),
    _identity("snapshot", "Snapshot", "A copy of its input (never a view of a variable's buffer).",
              kernel=lambda env: (lambda x: x.copy()), tf_op="Snapshot",
              tf=lambda c: f"tf.raw_ops.Snapshot(input={c.args[0]}{c.kw})"),
    _identity("check_numerics", "CheckNumerics", "Its input; fails the step if it has a NaN or Inf.",
              kernel=_check_numerics_kernel, infer=_check_numerics_infer,
              attrs=(attr("message", check=checks.text),), effect="check", tf_op="CheckNumerics",
              tf_import=_message_import,
              tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "message": a["message"]},
              tf=lambda c: f"tf.debugging.check_numerics({c.args[0]}, {c.attrs['message']!r}{c.kw})",
              grad=_check_numerics_grad),
]
