"""Shape and layout ops: reshape, concat, stack, split, unstack, shape, cast; and, with every
index, size or axis an input as in TF's GraphDefs: split_even (Split), split_v (SplitV),
tile, slice, strided_slice, strided_slice_grad, transpose, gather, pad, pad_v2, mirror_pad,
mirror_pad_grad, reverse."""

from __future__ import annotations

from idrun.dtypes import is_int
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.shapes import bounded, format_dims, norm_axis, num_elements, same_dtype
from idrun.ops.gradlib import IndexedSlices, fully_known, gather_slices, no_gradient, shape_tensor, size_tensor
from idrun.ops.shape_ops import (checked, flat, host_ints, index_attrs, index_input, need_rank, optional_int,
                                 out_type, vector_length)


def _reshape_infer(attrs, types, consts):
    tensor, shape_t = types
    if not is_int(shape_t.dtype):
        raise InferError(f"shape must be an integer tensor, got {shape_t.dtype}")
    target = consts[1]
    if target is None:
        return [TensorType(tensor.dtype, None)]
    target = list(target) if isinstance(target, list) else [target]
    return [TensorType(tensor.dtype, _resolve_reshape(tensor.shape, target))]


def _resolve_reshape(shape, target: list) -> tuple:
    if target.count(-1) > 1:
        raise InferError("only one dimension of a reshape may be -1")
    total = num_elements(shape)
    known = 1
    for d in target:
        known *= d if d != -1 else 1
    if -1 in target:
        if total is None:
            return tuple(None if d == -1 else d for d in target)
        if known == 0 or total % known:
            raise InferError(f"Cannot reshape a tensor with {total} elements to shape {target}")
        return tuple(total // known if d == -1 else d for d in target)
    if total is not None and total != known:
        raise InferError(f"Cannot reshape a tensor with {total} elements to shape {target} "
                         f"({known} elements)")
    return tuple(target)


def _reshape_kernel(env: KernelEnv):
    xp = env.xp
    return lambda tensor, shape: xp.reshape(tensor, tuple(int(d) for d in shape.reshape(-1)))


def _concat_infer(attrs, types, consts):
    axis = attrs["axis"]
    if axis is None:  # TF's ConcatV2 as a GraphDef has it: the axis is the last input
        if len(types) < 2:
            raise InferError("concat without `axis` takes [values..., axis]: at least two inputs")
        index_input(types[-1], "axis", 0)
        axis = flat(consts[-1])
        axis = None if axis is None else axis[0]
        types = types[:-1]
    dtype = same_dtype(types, [f"values_{i}" for i in range(len(types))], "ConcatV2")
    shapes = [t.shape for t in types]
    if any(s is None for s in shapes):
        return [TensorType(dtype, None)]
    rank = len(shapes[0])
    if rank == 0 or any(len(s) != rank for s in shapes):
        raise InferError("concat needs inputs of one rank >= 1, got shapes "
                         + ", ".join(str(list(s)) for s in shapes))
    if axis is None:
        return [TensorType(dtype, (None,) * rank)]
    axis = norm_axis(axis, rank)
    out = list(shapes[0])
    for s in shapes[1:]:
        for i, (a, b) in enumerate(zip(out, s)):
            if i != axis and None not in (a, b) and a != b:
                raise InferError(f"Dimension {i} in both shapes must be equal: "
                                 f"{list(shapes[0])} vs {list(s)}")
    dims = [s[axis] for s in shapes]
    out[axis] = None if None in dims else sum(dims)
    return [TensorType(dtype, tuple(out))]


def _concat_kernel(env: KernelEnv):
    xp, axis = env.xp, env.attrs["axis"]
    if axis is None:
        return lambda *xs: xp.concatenate(xs[:-1], axis=host_ints(xs[-1])[0])
    return lambda *xs: xp.concatenate(xs, axis=axis)


def _concat_tf(c) -> str:
    if c.attrs["axis"] is None:
        return f"tf.concat([{', '.join(c.args[:-1])}], axis={c.args[-1]}{c.kw})"
    return f"tf.concat([{', '.join(c.args)}], axis={c.attrs['axis']}{c.kw})"


def _stack_infer(attrs, types, consts):
    dtype = same_dtype(types, [f"values_{i}" for i in range(len(types))], "Pack")
    shapes = {t.shape for t in types}
    if None in shapes:
        return [TensorType(dtype, None)]
    if len(shapes) != 1:
        raise InferError("stack needs inputs of one shape, got "
                         + ", ".join(str(list(t.shape)) for t in types))
    shape = list(shapes.pop())
    axis = norm_axis(attrs["axis"], len(shape) + 1)
    shape.insert(axis, len(types))
    return [TensorType(dtype, tuple(shape))]


def _split_infer(attrs, types, consts):
    t = types[0]
    spec = attrs["num_or_size_splits"]
    if t.shape is None:
        count = spec if isinstance(spec, int) else len(spec)
        if count > MAX_OUTPUTS:
            raise InferError(f"{count} pieces is over {MAX_OUTPUTS} outputs")
        return [TensorType(t.dtype, None)] * count
    axis = norm_axis(attrs["axis"], len(t.shape))
    dim = t.shape[axis]
    sizes = _split_sizes(spec, dim)
    return [TensorType(t.dtype, t.shape[:axis] + (s,) + t.shape[axis + 1:]) for s in sizes]


def _split_sizes(spec, dim):
    if isinstance(spec, int):
        if dim is not None and dim % spec:
            raise InferError(f"Dimension size must be evenly divisible by {spec} but is {dim}")
        return [None if dim is None else dim // spec] * spec
    if dim is not None and -1 not in spec and sum(spec) != dim:
        raise InferError(f"split sizes {spec} do not add up to the dimension size {dim}")
    if -1 in spec and dim is not None:
        rest = dim - sum(s for s in spec if s != -1)
        return [rest if s == -1 else s for s in spec]
    return [None if s == -1 else s for s in spec]


def _split_kernel(env: KernelEnv):
    xp, axis = env.xp, env.attrs["axis"]
    sizes = [t.shape[norm_axis(axis, len(t.shape))] if t.shape else None for t in env.out_types]
    count = len(env.out_types)
    if None in sizes:
        return lambda x: tuple(p.copy() for p in xp.split(x, count, axis=axis))
    bounds, total = [], 0
    for s in sizes[:-1]:
        total += s
        bounds.append(total)
    # pieces are copies: only identity-like ops alias a ref variable's buffer (C6)
    return lambda x: tuple(p.copy() for p in xp.split(x, bounds, axis=axis))


MAX_OUTPUTS = 10_000  # outputs of one unstack or split whose size the input does not bound


def _unstack_infer(attrs, types, consts):
    t = types[0]
    if t.shape is None:
        if attrs["num"] is None:
            raise InferError("Cannot infer num from shape <unknown>; give `num`")
        if attrs["num"] > MAX_OUTPUTS:
            raise InferError(f"`num` {attrs['num']} is over {MAX_OUTPUTS} outputs")
        return [TensorType(t.dtype, None)] * attrs["num"]
    axis = norm_axis(attrs["axis"], len(t.shape))
    num = t.shape[axis] if attrs["num"] is None else attrs["num"]
    if num is None:
        raise InferError(f"Cannot infer num from shape {list(t.shape)}; give `num`")
    if t.shape[axis] is not None and num != t.shape[axis]:
        raise InferError(f"Dimension must be {t.shape[axis]} but is {num} for 'unstack' "
                         f"(axis {attrs['axis']} of shape {list(t.shape)}): `num` must match it")
    rest = t.shape[:axis] + t.shape[axis + 1:]
    return [TensorType(t.dtype, rest)] * num


def _unstack_kernel(env: KernelEnv):
    xp, axis = env.xp, env.attrs["axis"]
    return lambda x: tuple(p.copy() for p in xp.moveaxis(x, axis, 0))


def _shape_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.attrs["out_type"]
    return lambda x: xp.asarray(x.shape, dtype=dtype)


def _cast_kernel(env: KernelEnv):
    dtype = env.attrs["dtype"]
    return lambda x: x.astype(dtype)



# ---- Split and SplitV as a GraphDef has them: every size and axis an input ----------------

def _pieces(t: TensorType, axis, sizes: list | None, count: int) -> list[TensorType]:
    if t.shape is None or axis is None:
        return [TensorType(t.dtype, None if t.shape is None else (None,) * len(t.shape))] * count
    axis = norm_axis(axis, len(t.shape))
    dims = [None] * count if sizes is None else _split_sizes(sizes, t.shape[axis])
    return [TensorType(t.dtype, t.shape[:axis] + (d,) + t.shape[axis + 1:]) for d in dims]


def _split_even_infer(attrs, types, consts):
    index_input(types[0], "split_dim", 0, ("int32",))
    axis, count = flat(consts[0]), attrs["num_split"]
    return _pieces(types[1], None if axis is None else axis[0], count, count)


def _split_v_infer(attrs, types, consts):
    value, sizes_t, dim_t = types
    index_input(sizes_t, "size_splits", 1)
    index_input(dim_t, "split_dim", 0, ("int32",))
    sizes, axis, count = flat(consts[1]), flat(consts[2]), attrs["num_split"]
    if count is None:
        count = len(sizes) if sizes is not None else vector_length(sizes_t)
        if count is None:
            raise InferError("the number of pieces is unknown: give `num_split`")
    if sizes is not None and len(sizes) != count:
        raise InferError(f"size_splits has {len(sizes)} entries but num_split is {count}")
    if sizes is not None and sizes.count(-1) > 1:
        raise InferError("Determine the length of the split dimension: at most one size may be -1")
    return _pieces(value, None if axis is None else axis[0], sizes, count)


def _split_at(xp, x, axis: int, sizes: list[int]):
    axis = axis + x.ndim if axis < 0 else axis
    if not 0 <= axis < x.ndim:
        raise KernelError(f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), but got {axis}")
    dim = x.shape[axis]
    if -1 in sizes:
        sizes = [dim - (sum(sizes) + 1) if s == -1 else s for s in sizes]
    if sum(sizes) != dim or min(sizes) < 0:
        raise KernelError(f"Determined shape must either match input shape along split_dim exactly if "
                          f"fully specified, or be less than the size of the input along split_dim if "
                          f"not fully specified.  Got: {sum(sizes)}")
    bounds, at = [], 0
    for size in sizes[:-1]:
        at += size
        bounds.append(at)
    # pieces are copies: only identity-like ops alias a ref variable's buffer (C6)
    return tuple(p.copy() for p in xp.split(x, bounds, axis=axis))


def _split_even_kernel(env: KernelEnv):
    xp, count = env.xp, env.attrs["num_split"]

    def split(split_dim, x):
        axis = host_ints(split_dim)[0]
        dim = x.shape[axis] if -x.ndim <= axis < x.ndim else 0
        if dim % count:
            raise KernelError(f"Number of ways to split should evenly divide the split dimension, but "
                              f"got split_dim {axis} (size = {dim}) and num_split {count}")
        return _split_at(xp, x, axis, [dim // count] * count)
    return split


def _split_v_kernel(env: KernelEnv):
    xp, count = env.xp, len(env.out_types)

    def split_v(x, size_splits, split_dim):
        sizes = host_ints(size_splits)
        if len(sizes) != count:
            raise KernelError(f"size_splits has {len(sizes)} entries but num_split is {count}")
        return _split_at(xp, x, host_ints(split_dim)[0], sizes)
    return split_v


# ---- tile, slice, transpose, reverse ----------------------------------------------------------

def _tile_infer(attrs, types, consts):
    t, m = types
    index_input(m, "multiples", 1)
    n, mult = vector_length(m), flat(consts[1])
    if t.shape is None:
        return [TensorType(t.dtype, None if n is None else (None,) * n)]
    if n is not None and n != len(t.shape):
        raise InferError(f"Expected multiples argument to be a vector of length {len(t.shape)} "
                         f"but got length {n}")
    if mult is None:
        return [TensorType(t.dtype, (None,) * len(t.shape))]
    if min(mult, default=0) < 0:
        raise InferError(f"Expected multiples to be non-negative, got {mult}")
    return [TensorType(t.dtype, tuple(None if d is None else d * k for d, k in zip(t.shape, mult)))]


def _tile_kernel(env: KernelEnv):
    xp = env.xp

    def tile(x, multiples):
        mult = host_ints(multiples)
        if len(mult) != x.ndim:
            raise KernelError(f"Expected multiples argument to be a vector of length {x.ndim} "
                              f"but got length {len(mult)}")
        for i, m in enumerate(mult):
            if m < 0:
                raise KernelError(f"Expected multiples[{i}] >= 0, but got {m}")
        bounded([d * m for d, m in zip(x.shape, mult)], "Tile's output")
        return xp.tile(x, tuple(mult)) if x.ndim else x.copy()
    return tile


def _slice_bounds(shape: tuple, begin: list, size: list) -> list[tuple[int, int | None]]:
    """TF's Slice: [begin, begin + size) per dim, size -1 to the end (None where the dim is
    unknown); ValueError with TF's message."""
    out = []
    for i, (d, b, s) in enumerate(zip(shape, begin, size)):
        if b < 0 or (d is not None and b > d):
            raise ValueError(f"Expected begin[{i}] in [0, {d}], but got {b}")
        if s == -1:
            s = None if d is None else d - b
        elif s < 0 or (d is not None and s > d - b):
            raise ValueError(f"Expected size[{i}] in [0, {'?' if d is None else d - b}], but got {s}")
        out.append((b, s))
    return out


def _slice_infer(attrs, types, consts):
    t, begin_t, size_t = types
    index_input(begin_t, "begin", 1)
    index_input(size_t, "size", 1)
    same_dtype(types[1:], ("begin", "size"), "Slice")
    n = vector_length(begin_t) or vector_length(size_t)
    if t.shape is not None and n is not None and n != len(t.shape):
        raise InferError(f"Expected begin and size arguments to be 1-D tensors of size {len(t.shape)}, "
                         f"but got shapes {format_dims(begin_t.shape)} and {format_dims(size_t.shape)} instead.")
    rank = len(t.shape) if t.shape is not None else n
    if rank is None:
        return [TensorType(t.dtype, None)]
    begin, size = flat(consts[1]), flat(consts[2])
    shape = t.shape if t.shape is not None else (None,) * rank
    if size is None:
        return [TensorType(t.dtype, (None,) * rank)]
    if begin is None:
        return [TensorType(t.dtype, tuple(None if s == -1 else s for s in size))]
    return [TensorType(t.dtype, tuple(s for _, s in checked(InferError, _slice_bounds, shape, begin, size)))]


def _slice_kernel(env: KernelEnv):
    def slice_(x, begin, size):
        bounds = checked(KernelError, _slice_bounds, x.shape, host_ints(begin), host_ints(size))
        return x[tuple(slice(b, b + s) for b, s in bounds)].copy()
    return slice_


def _permutation(perm: list[int], rank: int) -> list[int]:
    if len(perm) != rank:
        raise ValueError(f"Dimension must be {rank} but is {len(perm)}: transpose expects a perm of "
                         f"size {rank}, the rank of its input")
    for d in range(rank):
        if d not in perm:
            raise ValueError(f"{d} is missing from {{{','.join(map(str, perm))}}}.")
    return perm


def _transpose_infer(attrs, types, consts):
    t, perm_t = types
    index_input(perm_t, "perm", 1)
    perm, n = flat(consts[1]), vector_length(perm_t)
    if t.shape is None:
        return [TensorType(t.dtype, None if n is None else (None,) * n)]
    if perm is None:
        if n is not None and n != len(t.shape):
            raise InferError(f"Dimension must be {len(t.shape)} but is {n}: transpose expects a perm of "
                             f"size {len(t.shape)}, the rank of its input")
        return [TensorType(t.dtype, (None,) * len(t.shape))]
    perm = checked(InferError, _permutation, perm, len(t.shape))
    return [TensorType(t.dtype, tuple(t.shape[p] for p in perm))]


def _transpose_kernel(env: KernelEnv):
    xp = env.xp

    def transpose(x, perm):
        axes = checked(KernelError, _permutation, host_ints(perm), x.ndim)
        return xp.ascontiguousarray(xp.transpose(x, axes)) if x.ndim > 1 else x.copy()
    return transpose


def _axes(axis: list[int], rank: int) -> tuple[int, ...]:
    out = []
    for a in axis:
        if not -rank <= a < rank:
            raise ValueError(f"'axis'[{len(out)}] = {a} is out of valid range [0, {rank - 1}")
        if a % rank in out:
            raise ValueError(f"axis {a % rank} specified more than once.")
        out.append(a % rank)
    return tuple(out)


def _reverse_infer(attrs, types, consts):
    t, axis_t = types
    index_input(axis_t, "axis", 1)
    axis = flat(consts[1])
    if axis is not None and t.shape is not None:
        checked(InferError, _axes, axis, len(t.shape))
    return [t]


def _reverse_kernel(env: KernelEnv):
    xp = env.xp

    def reverse(x, axis):
        axes = checked(KernelError, _axes, host_ints(axis), x.ndim)
        return xp.flip(x, axis=axes).copy() if axes else x.copy()
    return reverse


# ---- strided_slice: TF's ValidateStridedSliceOp ----------------------------------------------

MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
NEW_AXIS, SHRINK = -1, -2


def _dense_spec(rank: int, n: int, masks: dict) -> list[tuple]:
    """Each sparse position i as TF's BuildDenseSpec reads it: ("dim", i, input dim) | ("full",
    None, input dim) (an ellipsis) | ("new", i, None), in output order."""
    ellipsis = [i for i in range(n) if masks["ellipsis_mask"] >> i & 1]
    if len(ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    after = sum(1 for i in range(ellipsis[0] + 1, n) if masks["new_axis_mask"] >> i & 1) if ellipsis else 0
    out, full = [], 0
    for i in range(n + (0 if ellipsis else 1)):
        if i == n or masks["ellipsis_mask"] >> i & 1:
            stop = min(rank - (n - i) + 1 + after, rank) if i < n else rank
            out.extend(("full", None, d) for d in range(full, stop))
            full = max(full, stop)
        elif masks["new_axis_mask"] >> i & 1:
            out.append(("new", i, None))
        else:
            if full == rank:
                raise ValueError(f"Index out of range using input dim {full}; input has only {rank} dims")
            out.append(("dim", i, full))
            full += 1
    return out


def strided_plan(shape: tuple, begin, end, strides, masks: dict, n: int):
    """(index, final shape) of a strided slice: `index` one slice or int per input dim (None
    where a value is unknown), dims None where unknown. ValueError with TF's message."""
    index, final = [slice(None)] * len(shape), []
    spec = _dense_spec(len(shape), n, masks)
    for kind, i, d in spec if strides is not None else ():  # TF checks every stride before any bound
        if kind == "dim" and strides[i] == 0:
            raise ValueError(f"strides[{d}] must be non-zero")
        if kind == "dim" and masks["shrink_axis_mask"] >> i & 1 and strides[i] < 0:
            raise ValueError("only stride 1 allowed on non-range indexing.")
    for kind, i, d in spec:
        if kind == "new":
            final.append(1)
            continue
        if kind == "full":
            final.append(shape[d])
            continue
        shrink = masks["shrink_axis_mask"] >> i & 1
        stride = None if strides is None else strides[i]
        dim, b = shape[d], None if begin is None else begin[i]
        if shrink:
            if dim is not None and b is not None:
                at = b + dim if b < 0 else b
                if not 0 <= at < dim:
                    raise ValueError(f"slice index {at} of dimension {d} out of bounds.")
                index[d] = at
            else:
                index[d] = None
            continue
        e = None if end is None else end[i]
        from_start, to_end = masks["begin_mask"] >> i & 1, masks["end_mask"] >> i & 1
        if stride is None or dim is None or (b is None and not from_start) or (e is None and not to_end):
            index[d] = None
            final.append(None)
            continue
        start, stop = None if from_start else b, None if to_end else e
        index[d] = slice(start, stop, stride)
        final.append(len(range(*index[d].indices(dim))))
    return index, final


def _strided_masks(attrs) -> dict:
    return {m: attrs[m] for m in MASKS}


def _strided_slice_infer(attrs, types, consts):
    t = types[0]
    for k, name in ((1, "begin"), (2, "end"), (3, "strides")):
        index_input(types[k], name, 1)
    same_dtype(types[1:], ("begin", "end", "strides"), "StridedSlice")
    lengths = {vector_length(x) for x in types[1:]}
    if len(lengths - {None}) > 1:
        raise InferError("Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
                         + ", ".join(format_dims(x.shape) for x in types[1:]) + " instead.")
    values = [flat(c) for c in consts[1:]]
    n = next((len(v) for v in values if v is not None), None)
    n = n if n is not None else (lengths - {None} or {None}).pop()
    if t.shape is None or n is None or values[2] is None:  # TF: strides must be known, else no shape
        return [TensorType(t.dtype, None)]
    _, final = checked(InferError, strided_plan, t.shape, *values, _strided_masks(attrs), n)
    return [TensorType(t.dtype, tuple(final))]


def _strided_slice_kernel(env: KernelEnv):
    masks = _strided_masks(env.attrs)

    def strided_slice(x, begin, end, strides):
        b, e, s = host_ints(begin), host_ints(end), host_ints(strides)
        index, final = checked(KernelError, strided_plan, x.shape, b, e, s, masks, len(b))
        return x[tuple(index)].reshape(final).copy()
    return strided_slice


def _mask(value) -> int:
    return checks.integer(value)


def _strided_grad_infer(attrs, types, consts):
    shape_t, dy = types[0], types[4]
    for k, name in ((0, "shape"), (1, "begin"), (2, "end"), (3, "strides")):
        index_input(types[k], name, 1)
    same_dtype(types[:4], ("shape", "begin", "end", "strides"), "StridedSliceGrad")
    shape, values = flat(consts[0]), [flat(c) for c in consts[1:4]]
    if shape is None:
        n = vector_length(shape_t)
        return [TensorType(dy.dtype, None if n is None else (None,) * n)]
    if None not in values and dy.shape is not None:
        _, final = checked(InferError, strided_plan, tuple(shape), *values, _strided_masks(attrs), len(values[0]))
        if len(final) != len(dy.shape) or any(None not in (a, b) and a != b for a, b in zip(final, dy.shape)):
            raise InferError(f"shape of dy was {format_dims(dy.shape)} instead of {format_dims(tuple(final))}")
    return [TensorType(dy.dtype, tuple(shape))]


def _strided_grad_kernel(env: KernelEnv):
    xp, masks = env.xp, _strided_masks(env.attrs)

    def strided_slice_grad(shape, begin, end, strides, dy):
        dims, b, e, s = (host_ints(v) for v in (shape, begin, end, strides))
        index, final = checked(KernelError, strided_plan, tuple(dims), b, e, s, masks, len(b))
        if list(dy.shape) != final:
            raise KernelError(f"shape of dy was [{','.join(map(str, dy.shape))}] instead of "
                              f"[{','.join(map(str, final))}]")
        out = xp.zeros(bounded(dims, "StridedSliceGrad's output"), dtype=dy.dtype)
        view = out[tuple(index)]
        out[tuple(index)] = dy.reshape(view.shape)
        return out
    return strided_slice_grad


def _strided_tf(c) -> str:
    masks = ", ".join(f"{m}={c.attrs[m]}" for m in MASKS)
    return f"tf.strided_slice({', '.join(c.args)}, {masks}{c.kw})"


# ---- gather ------------------------------------------------------------------------------------

def _gather_dims(params: tuple, indices: tuple, axis: int, batch_dims: int) -> tuple[int, int]:
    """GatherV2's axis and batch_dims made non-negative and checked (ValueError: TF's words)."""
    rank = len(params)
    if not -rank <= axis < rank:
        raise ValueError(f"Expected axis in the range [{-rank}, {rank}), but got {axis}")
    axis %= rank
    b = batch_dims + len(indices) if batch_dims < 0 else batch_dims
    if not 0 <= b <= len(indices):
        raise ValueError(f"Expected batch_dims in the range [{-len(indices)}, {len(indices)}], but got {batch_dims}")
    if b > axis:
        raise ValueError(f"batch_dims ({b}) must be less than or equal to axis ({axis}).")
    for i in range(b):
        if None not in (params[i], indices[i]) and params[i] != indices[i]:
            raise ValueError(f"params.shape[{i}]: {params[i]} should be equal to indices.shape[{i}]: {indices[i]}")
    return axis, b


def _gather_infer(attrs, types, consts):
    params, indices, axis_t = types
    index_input(indices, "indices")
    index_input(axis_t, "axis", 0)
    axis = flat(consts[2])
    if params.shape is None or indices.shape is None:
        return [TensorType(params.dtype, None)]
    b = attrs["batch_dims"]
    if axis is None:
        b = b + len(indices.shape) if b < 0 else b
        return [TensorType(params.dtype, (None,) * (len(params.shape) + len(indices.shape) - 1 - b))]
    a, b = checked(InferError, _gather_dims, params.shape, indices.shape, axis[0], b)
    return [TensorType(params.dtype, params.shape[:a] + indices.shape[b:] + params.shape[a + 1:])]


def _gather_kernel(env: KernelEnv):
    xp, batch_dims = env.xp, env.attrs["batch_dims"]

    def gather(params, indices, axis):
        a, b = checked(KernelError, _gather_dims, params.shape, indices.shape, host_ints(axis)[0], batch_dims)
        limit = params.shape[a]
        bad = (indices < 0) | (indices >= limit)
        if bool(bad.any()):  # numpy would wrap a negative index; TF refuses it
            where = [int(i) for i in xp.argwhere(bad)[0]]
            raise KernelError(f"indices[{','.join(map(str, where))}] = {int(indices[tuple(where)])} "
                              f"is not in [0, {limit})")
        if not b:
            return xp.take(params, indices, axis=a)
        batch = params.shape[:b]
        flat_params = params.reshape((-1,) + params.shape[b:])
        flat_indices = indices.reshape((-1,) + indices.shape[b:])
        out = xp.stack([xp.take(p, i, axis=a - b) for p, i in zip(flat_params, flat_indices)])
        return out.reshape(batch + out.shape[1:])
    return gather


# ---- dynamic_stitch, parallel_dynamic_stitch ------------------------------------------------------

def _merge_dims(a: tuple | None, b: tuple | None, what: str) -> tuple | None:
    """TF's shape Merge: unknown meets known; two known dims must agree."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise InferError(f"Shapes must be equal rank, but are {len(a)} and {len(b)} for {what}")
    out = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            raise InferError(f"Dimensions must be equal, but are {x} and {y} for {what}")
        out.append(y if x is None else x)
    return tuple(out)


def _stitch_infer(type_name: str):
    """TF's DynamicStitchShapeFunction: [max index + 1 (known when every indices input is a
    constant), *the data's shape past its indices' rank]; each data shape starts with its indices'."""
    def infer(attrs, types, consts):
        if len(types) % 2:
            raise InferError(f"{type_name} takes N indices then N data tensors: {len(types)} inputs")
        n = len(types) // 2
        same_dtype(types[n:], [f"data_{i}" for i in range(n)], type_name)
        extra, top, known = None, -1, True
        for i in range(n):
            idx, data = types[i], types[i + n]
            if idx.dtype != "int32":
                raise InferError(f"{type_name}: indices must be int32, got {idx.dtype} (indices_{i})")
            values = flat(consts[i])
            if values is None:
                known = False
            elif values:
                top = max(top, max(int(v) for v in values))
            if idx.shape is None:
                continue
            if data.shape is None:   # TF's Merge with an unknown shape keeps the other
                continue
            k = len(idx.shape)
            if len(data.shape) < k:
                raise InferError(f"Shape must be at least rank {k} but is rank {len(data.shape)} (data_{i})")
            _merge_dims(tuple(data.shape[:k]), tuple(idx.shape), f"data_{i} and indices_{i}")  # TF's MergePrefix
            rest = tuple(data.shape[k:])
            extra = rest if extra is None else _merge_dims(extra, rest, f"the data past their indices ({type_name})")
        if extra is None:
            return [TensorType(types[n].dtype, None)]
        return [TensorType(types[n].dtype, (top + 1 if known else None,) + extra)]
    return infer


def _stitch_kernel(env: KernelEnv):
    """merged[indices[m][i, ...]] = data[m][i, ...], in input order (a later index wins);
    rows no index names are zeros."""
    xp = env.xp

    def stitch(*xs):
        n = len(xs) // 2
        indices, data = xs[:n], xs[n:]
        for m in range(n):
            if data[m].shape[:indices[m].ndim] != indices[m].shape:
                raise KernelError(f"data[{m}].shape = {format_dims(data[m].shape)} does not start with "
                                  f"indices[{m}].shape = {format_dims(indices[m].shape)}")
        top = max((int(i.max()) for i in indices if i.size), default=-1)
        low = min((int(i.min()) for i in indices if i.size), default=0)
        if low < 0:
            raise KernelError(f"indices[{low}] is out of range")
        tail = data[0].shape[indices[0].ndim:]
        out = xp.zeros(bounded((top + 1,) + tuple(tail), "DynamicStitch's output"), dtype=data[0].dtype)
        for idx, d in zip(indices, data):
            out[idx.reshape(-1)] = d.reshape((-1,) + tuple(tail))
        return out
    return stitch


def _stitch_grad(g, op, grads):
    """TF's `_DynamicStitchGrads`: no gradient for the indices; each data input's is the
    gradient gathered at its indices (`GatherV2`, `GatherV2_1`, ...)."""
    n = len(op.inputs) // 2
    grad = grads[0]
    return [None] * n + [g.make("gather", "GatherV2" + (f"_{i}" if i else ""),
                                [grad, op.inputs[i], g.const("GatherV2" + (f"_{i}" if i else "") + "/axis", 0, "int32")])
                         for i in range(n)]


def _stitch_op(name: str, type_name: str, doc: str) -> OpDef:
    return OpDef(name, type_name, ("inputs",), _stitch_infer(type_name), _stitch_kernel, doc,
                 variadic=True, min_inputs=2, tf_op=type_name,
                 tf_attrs=lambda n, a, i, o: {"N": len(i) // 2, "T": TFType(i[-1].dtype)},
                 tf=lambda c: f"tf.{name}([{', '.join(c.args[:len(c.args) // 2])}], "
                              f"[{', '.join(c.args[len(c.args) // 2:])}]{c.kw})", grad=_stitch_grad)


# ---- pad, pad_v2, mirror_pad ---------------------------------------------------------------------

def _paddings_input(t: TensorType, p: TensorType, pads):
    """The paddings checked against the input as TF's shape functions check them; the output's
    type when it cannot be worked out (unknown rank or paddings), else None."""
    index_input(p, "paddings", 2)
    rows = p.shape[0] if p.shape is not None else None
    if p.shape is not None and p.shape[1] not in (None, 2) or (
            t.shape is not None and rows is not None and rows != len(t.shape)):
        raise InferError(f"The first dimension of paddings must be the rank of inputs"
                         f"{format_dims(p.shape)} {format_dims(t.shape)}")
    if t.shape is None:
        return TensorType(t.dtype, None if rows is None else (None,) * rows)
    if pads is None:
        return TensorType(t.dtype, (None,) * len(t.shape))
    return None


def _pad_infer(mirror: bool):
    def infer(attrs, types, consts):
        t, p = types[0], types[1]
        if len(types) > 2:
            same_dtype((t, types[2]), ("input", "constant_values"), "PadV2")
            need_rank(types[2], 0, "constant_values")
        pads = flat(consts[1])
        unknown = _paddings_input(t, p, pads)
        if unknown is not None:
            return [unknown]
        pairs = checked(InferError, _pad_pairs, t.shape, pads, attrs.get("mode"))
        return [TensorType(t.dtype, tuple(None if d is None else d + a + b for d, (a, b) in zip(t.shape, pairs)))]
    return infer


def _pad_pairs(shape: tuple, pads: list[int], mode: str | None) -> list[tuple[int, int]]:
    pairs = [(pads[2 * i], pads[2 * i + 1]) for i in range(len(pads) // 2)]
    for d, (a, b) in zip(shape, pairs):
        if a < 0 or b < 0:
            raise ValueError(f"Paddings must be non-negative: {a} {b}")
        if mode and d is not None:
            edge = d - (mode == "REFLECT")
            if a > edge or b > edge:
                rel = "less than" if mode == "REFLECT" else "no greater than"
                raise ValueError(f"paddings must be {rel} the dimension size: {a}, {b} not {rel} {d}")
    return pairs


def _pad_kernel(env: KernelEnv):
    xp, mode = env.xp, env.attrs.get("mode")
    np_mode = {"REFLECT": "reflect", "SYMMETRIC": "symmetric"}.get(mode)

    def pad(x, paddings, constant_values=None):
        pairs = checked(KernelError, _pad_pairs, x.shape, host_ints(paddings), mode)
        if len(pairs) != x.ndim:
            raise KernelError(f"The first dimension of paddings must be the rank of inputs[{len(pairs)},2] "
                              f"[{','.join(map(str, x.shape))}]")
        bounded([d + a + b for d, (a, b) in zip(x.shape, pairs)], "Pad's output")
        if np_mode:
            return xp.pad(x, pairs, mode=np_mode)
        if constant_values is None:
            return xp.pad(x, pairs)
        return xp.pad(x, pairs, constant_values=constant_values)
    return pad


def _mirror_pad_grad_infer(attrs, types, consts):
    t, p = types
    pads = flat(consts[1])
    unknown = _paddings_input(t, p, pads)
    if unknown is not None:
        return [unknown]
    out = []
    for d, (a, b) in zip(t.shape, [(pads[2 * i], pads[2 * i + 1]) for i in range(len(pads) // 2)]):
        if a < 0 or b < 0:
            raise InferError("Paddings must be non-negative")
        if d is not None and d - a - b < 0:   # TF's shape function's words
            raise InferError(f"Negative dimension size caused by subtracting {a + b} from {d}")
        out.append(None if d is None else d - a - b)
    return [TensorType(t.dtype, tuple(out))]


def _mirror_pad_grad_kernel(env: KernelEnv):
    """TF's MirrorPadGrad: dimension by dimension, each padded border reversed and added onto
    the part it mirrors (the left border first, then the right)."""
    xp, shift = env.xp, 1 if env.attrs["mode"] == "REFLECT" else 0

    def mirror_pad_grad(x, paddings):
        pads = host_ints(paddings)
        if len(pads) != 2 * x.ndim:
            raise KernelError(f"The first dimension of paddings must be the rank of inputs[{len(pads) // 2},2] "
                              f"[{','.join(map(str, x.shape))}]")
        out = x
        for axis in range(x.ndim):
            a, b = pads[2 * axis], pads[2 * axis + 1]
            n = out.shape[axis] - a - b
            if a < 0 or b < 0:
                raise KernelError(f"Paddings must be non-negative: {a}, {b}")
            if max(a, b) > n - shift:   # TF's messages
                raise KernelError(f"paddings must be less than the output dimension size: {a}, {b} not less than {n}"
                                  if shift else f"paddings must be no greater than the output dimension size: "
                                  f"{a}, {b} greater than {n}")
            if not a and not b:
                continue
            cut = [slice(None)] * out.ndim

            def part(lo, hi):
                cut[axis] = slice(lo, hi)
                return tuple(cut)
            center = out[part(a, a + n)].copy()
            if a:
                center[part(shift, shift + a)] += xp.flip(out[part(0, a)], axis)
            if b:
                center[part(n - shift - b, n - shift)] += xp.flip(out[part(a + n, a + n + b)], axis)
            out = center
        return out if out is not x else x.copy()
    return mirror_pad_grad


def _mirror_pad_grad(g, op, grads):
    """TF's `_MirrorPadGrad`: MirrorPadGrad of the gradient on the forward op's paddings."""
    return [g.make("mirror_pad_grad", "MirrorPadGrad", [grads[0], op.inputs[1]], {"mode": op.attrs["mode"]}), None]


def _mirror_pad_grad_grad(g, op, grads):
    """TF's `_MirrorPadGradGrad`: MirrorPad of the gradient."""
    return [g.make("mirror_pad", "MirrorPad", [grads[0], op.inputs[1]], {"mode": op.attrs["mode"]}), None]


def _pad_mode(value) -> str:
    if value not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"mode must be REFLECT or SYMMETRIC, got {value!r}")
    return value


def _paddings_attrs(n, a, i, o):
    out = {"T": TFType(i[0].dtype), "Tpaddings": TFType(i[1].dtype)}
    if "mode" in a:
        out["mode"] = a["mode"]
    return out

def _concat_grad(g, op, grads):
    """TF's `_ConcatGradHelper`: one value gets the gradient itself; more get `Slice`s of it at
    `ConcatOffset(axis % rank, shapes)` (constant `Shape`s when all are known, else `ShapeN`)."""
    grad, values = grads[0], op.inputs[:-1]
    if len(values) == 1:
        return [grad, None]
    axis = g.reduction_indices(op) if op.attrs.get("axis") is not None else op.inputs[-1]
    if type(grad) is IndexedSlices:
        return _concat_slices_grad(g, op, grad, values, g.constant_here(axis, grad.values)) + [None]
    axis = g.constant_here(axis, grad)   # TF: a constant axis of another context is duplicated
    mod = g.make("floormod", "mod", [axis, rank_tensor(g, values[0])])
    sizes = []
    for x in values:
        s = g.shape(x)
        if not fully_known(s):
            g.make("shape", "Shape" + (f"_{len(sizes)}" if sizes else ""), [x], {"out_type": "int32"})
            shapes = g.make("shape_n", "ShapeN", list(values), {"out_type": "int32"})
            sizes = [g.output(shapes, k) for k in range(len(values))]
            break
        sizes.append(g.const("Shape" + (f"_{len(sizes)}" if sizes else ""), list(s), "int32"))
    if len(sizes) > 16:
        g.unsupported(op, "a concat of more than 16 tensors (TF splits its gradient with SplitV)")
    offsets = g.make("concat_offset", "ConcatOffset", [mod, *sizes])
    out = [g.make("slice", "Slice" + (f"_{k}" if k else ""), [grad, g.output(offsets, k), size])
           for k, size in enumerate(sizes)]
    return out + [None]


def _concat_slices_grad(g, op, grad, values, axis):
    """`_ConcatGradHelper` given an IndexedSlices (a gather of the concat): each input gets an
    IndexedSlices of its own shape. Along axis 0, the rows whose indices fall in the input's range
    (`Where` of `GreaterEqual` and `Less`, indices shifted by the range's start); along another
    axis, every index with the values `Slice`d at the input's columns."""
    static = op.attrs.get("axis")
    static = g.constant_value(op.inputs[-1]) if static is None else static
    static = static[0] if isinstance(static, list) and len(static) == 1 else static
    mod = g.make("floormod", "mod", [axis, rank_tensor(g, values[0])])
    if type(static) is not int:
        g.unsupported(op, "Can only compute IndexedSlices gradient with statically-known concat_dim")
    if static < 0:   # TF: constant_value(array_ops.rank(values[0])), a `Rank_1` of its own
        rank_tensor(g, values[0])
        if g.shape(values[0]) is None:
            g.unsupported(op, "Can only compute IndexedSlices gradient with negative concat_dim when first "
                              "value rank is statically-known.")
        static %= len(g.shape(values[0]))
    sizes = [shape_tensor(g, x) for x in values]
    out = []
    if static > 0:
        mask, begin = _dense_mask_and_begin(g, sizes[0], mod)
        for size in sizes:
            scope = _scoped(g, "Slice")
            tail = g.make("slice", scope, [size, g.const(f"{scope}/begin", [1], "int32"),
                                           g.const(f"{scope}/size", [-1], "int32")])
            new = g.make("slice", "Slice", [grad.values, begin, _concat(g, [[-1], tail])])
            out.append(IndexedSlices(new, grad.indices, size))
            begin = g.make("add", "Add", [begin, g.make("mul", "mul", [size, mask])])
        return out
    dtype = g.dtype(grad.indices)
    start = g.const("Const", 0, dtype)
    for size in sizes:
        scope = _scoped(g, "GatherV2")
        dim = g.make("gather", scope, [size, mod, g.const(f"{scope}/axis", 0, "int32")])
        if dtype != "int32":
            dim = g.make("cast", "Cast", [dim], {"dtype": dtype})
        end = g.make("add", "add", [start, dim])
        inside = g.make("logical_and", "LogicalAnd", [g.make("greater_equal", "GreaterEqual", [grad.indices, start]),
                                                      g.make("less", "Less", [grad.indices, end])])
        picked = g.make("squeeze", "Squeeze", [g.make("where", "Where", [inside])], {"axis": [1]})
        scope = _scoped(g, "GatherV2")
        index = g.make("gather", scope, [grad.indices, picked, g.const(f"{scope}/axis", 0, "int32")])
        index = g.make("sub", "sub", [index, start])
        scope = _scoped(g, "GatherV2")
        rows = g.make("gather", scope, [grad.values, picked, g.const(f"{scope}/axis", 0, "int32")])
        out.append(IndexedSlices(rows, index, size))
        start = end
    return out


def _dense_mask_and_begin(g, size, axis):
    """TF's `_CreateDenseMaskAndBegin`: a mask one at the concat axis, zeros elsewhere, and a
    begin of zeros (int32 Fills)."""
    shape_of_shape = shape_tensor(g, size)
    scope = _scoped(g, "ExpandDims")
    before = g.make("expand_dims", scope, [axis, g.const(f"{scope}/dim", 0, "int32")])
    lead = _zeros(g, before)
    rest = g.make("sub", "sub", [g.make("sub", "sub", [shape_of_shape, axis]), g.const(f"{_scoped(g, 'sub')}/y", 1, "int32")])
    mask = _concat(g, [lead, [1], _zeros(g, rest)])
    return mask, _zeros(g, shape_of_shape)


def _zeros(g, shape):
    """`array_ops.zeros(shape, int32)` of a shape tensor: Fill in its `zeros` scope."""
    scope = _scoped(g, "zeros")
    return g.make("fill", scope, [shape, g.const(f"{scope}/Const", 0, "int32")])


def rank_tensor(g, x):
    """`array_ops.rank(x)`: a Const when x's rank is known, else a Rank node."""
    s = g.shape(x)
    if s is not None:
        return g.const("Rank", len(s), "int32")
    return g.make("rank", "Rank", [x])


def _stack_grad(g, op, grads):
    pieces = g.make("unstack", "unstack", [grads[0]], {"axis": op.attrs["axis"], "num": len(op.inputs)})
    return [g.output(pieces, k) for k in range(len(op.inputs))]


def _unstack_grad(g, op, grads):
    return [g.make("stack", "stack", list(grads), {"axis": op.attrs["axis"]})]


def _transpose_grad(g, op, grads):
    """TF: transpose(grad, invert_permutation(perm))."""
    inverse = g.make("invert_permutation", "InvertPermutation", [op.inputs[1]])
    return [g.make("transpose", "transpose", [grads[0], inverse]), None]


def _tile_grad(g, op, grads):
    """TF's `_TileGrad`: reshape the gradient to [m0, d0, m1, d1, ...] and sum the even axes."""
    multiples = op.inputs[1]
    shape = shape_tensor(g, op.inputs[0], g.dtype(multiples))
    pair = g.make("stack", "stack", [multiples, shape], {"axis": 0})
    rank = len(g.shape(op.inputs[0])) if g.shape(op.inputs[0]) is not None else None
    if rank is None:
        g.unsupported(op, "an input of unknown rank")
    perm = g.const("transpose/perm", [1, 0], "int32")
    flipped = g.make("transpose", "transpose", [pair, perm])
    split_shape = g.make("reshape", "Reshape", [flipped, g.const("Reshape/shape", [-1], "int32")])
    size = g.const("Size", 2 * rank, "int32")
    axes = g.make("range", "range", [g.const("range/start", 0, "int32"), size, g.const("range/delta", 2, "int32")])
    return [g.make("sum", "Sum", [g.make("reshape", "Reshape_1", [grads[0], split_shape]), axes],
                   {"keepdims": False}), None]


def _pad_grad(g, op, grads):
    """TF's `_PadGrad`: the gradient sliced at the paddings' first column, x's size."""
    x, paddings = op.inputs[:2]
    dtype = g.dtype(paddings)
    stacked = g.make("stack", "stack", [rank_tensor(g, x), g.const("stack/1", 1, "int32")], {"axis": 0})
    before = g.make("slice", "Slice", [paddings, g.const("Slice/begin", [0, 0], "int32"), stacked])
    begin = g.make("reshape", "Reshape", [before, g.const("Reshape/shape", [-1], "int32")])
    sizes = shape_tensor(g, x, dtype)
    return [g.make("slice", "Slice_1", [grads[0], begin, sizes])] + [None] * (len(op.inputs) - 1)


def _slice_grad(g, op, grads):
    """TF's `_SliceGrad`: Pad the gradient by [begin, shape - size - begin] per dim."""
    x, begin = op.inputs[:2]
    dtype = g.dtype(begin)
    rank = rank_tensor(g, x)
    slice_size = shape_tensor(g, op.outputs[0], dtype)
    shape = g.make("stack", "stack", [rank, g.const("stack/1", 1, "int32")], {"axis": 0})
    before = g.make("reshape", "Reshape", [begin, shape])
    x_shape = shape_tensor(g, x, dtype, "Shape_1")
    after = g.make("reshape", "Reshape_1", [g.make("sub", "sub_1", [g.make("sub", "sub", [x_shape, slice_size]),
                                                                 begin]), shape])
    paddings = g.make("concat", "concat", [before, after, g.const("concat/axis", 1, "int32")])
    return [g.make("pad", "Pad", [grads[0], paddings]), None, None]


def _strided_slice_grad(g, op, grads):
    """TF: StridedSliceGrad(shape(x), begin, end, strides, grad) with the op's masks; each of the
    four that has a static value (`constant_value`) is a new Const in the op's scope."""
    x, begin, end, strides = op.inputs[:4]
    dtype = g.dtype(begin)
    shape = shape_tensor(g, x, dtype)
    ins = []
    for arg, ref in (("shape", shape), ("begin", begin), ("end", end), ("strides", strides)):
        value = g.constant_value(ref)
        ins.append(ref if value is None else g.const(f"StridedSliceGrad/{arg}", value, dtype))
    attrs = {m: op.attrs[m] for m in MASKS}
    return [g.make("strided_slice_grad", "StridedSliceGrad", [*ins, grads[0]], attrs), None, None, None]


def _strided_slice_grad_grad(g, op, grads):
    """TF's `_StridedSliceGradGrad`: the same strided slice of the gradient."""
    begin, end, strides = op.inputs[1:4]
    return [None, None, None, None, g.make("strided_slice", "StridedSlice", [grads[0], begin, end, strides],
                                           {m: op.attrs[m] for m in MASKS})]


def _cast_grad(g, op, grads):
    """TF: the gradient cast back to the source type, between float types only."""
    src, dst = g.dtype(op.inputs[0]), op.attrs["dtype"]
    floats = ("float16", "float32", "float64", "bfloat16")
    if src in floats and dst in floats:
        return [g.make("cast", "Cast", [grads[0]], {"dtype": src})]
    return [None]

def _split_grad(axis_input: int):
    """TF's `_SplitGrad`/`_SplitVGrad`: the pieces' gradients concatenated along split_dim."""
    def grad_fn(g, op, grads):
        out = [None] * len(op.inputs)
        value = 1 if axis_input == 0 else 0
        out[value] = g.make("concat", "concat", [*grads, op.inputs[axis_input]])
        return out
    return grad_fn


def _reverse_grad(g, op, grads):
    return [g.make("reverse", "ReverseV2", [grads[0], op.inputs[1]]), None]


def _unique_infer(attrs, types, consts):
    x = types[0]
    if x.shape is not None and len(x.shape) != 1:
        raise InferError(f"Shape must be rank 1 but is rank {len(x.shape)} for 'x' (Unique)")
    return [TensorType(x.dtype, (None,)), TensorType(attrs["out_idx"], x.shape if x.shape is not None else (None,))]


def _unique_kernel(env: KernelEnv):
    """TF's Unique: the values in the order they first appear, and each element's position there."""
    xp, idx_type = env.xp, env.attrs["out_idx"]

    def unique(x):
        if x.ndim != 1:
            raise KernelError(f"unique expects a 1D vector, got {format_dims(x.shape)}")
        values, first, inverse = xp.unique(x, return_index=True, return_inverse=True)
        order = xp.argsort(first, kind="stable")
        rank = xp.empty_like(order)
        rank[order] = xp.arange(order.size)
        return x[xp.sort(first)], rank[inverse.reshape(-1)].astype(idx_type)
    return unique


def _gather_grad(g, op, grads):
    """TF's `_GatherV2Grad`: an axis-0 gather's IndexedSlices (values: the gradient reshaped to
    [size(indices)] + params.shape[1:], indices: flattened, dense_shape: Shape(params), a Const
    when known); another axis or batch_dims: the dense gradient (`_axis_gather_grad`)."""
    params, indices = op.inputs[:2]
    with g.colocate_with(params):   # TF: params can be large, so its shape is computed with it
        params_shape = shape_tensor(g, params)
    if len(op.inputs) > 2 and g.constant_value(op.inputs[2]) not in (0, [0]):
        return [_axis_gather_grad(g, op, grads[0], params_shape), None, None]
    return [gather_slices(g, grads[0], indices, params_shape, True)] + [None] * (len(op.inputs) - 1)


def _scoped(g, base: str) -> str:
    """The name TF's `name_scope(base)` takes now in the gradient's scope (the nodes inside it are
    made first: `strided_slice_1/stack`, then `strided_slice_1`)."""
    builder = g.b
    return builder.namer.peek(f"{builder._scope}/{base}").rpartition("/")[2]


def _stack(g, name: str, items: list):
    """`stack(items)` as `_slice_helper` and `concat` convert a list: a Const when every item is a
    Python int, else a Pack of the tensors."""
    if all(type(i) is int for i in items):
        return g.const(name, items, "int32")
    return g.make("stack", name, items, {"axis": 0})


def _slice(g, x, begin: list, end: list, strides: list, **masks):
    """`x[...]` (TF's `_slice_helper`): StridedSlice in its own `strided_slice` scope."""
    scope = _scoped(g, "strided_slice")
    parts = [_stack(g, f"{scope}/{n}", v) for n, v in (("stack", begin), ("stack_1", end), ("stack_2", strides))]
    return g.make("strided_slice", scope, [x] + parts, masks)


def _concat(g, items: list):
    """`array_ops.concat(items, 0)`: the Python lists converted inside its scope (`values_k`)."""
    scope = _scoped(g, "concat")
    refs = [_stack(g, f"{scope}/values_{k}", v) if isinstance(v, list) else v for k, v in enumerate(items)]
    return g.make("concat", scope, refs + [g.const(f"{scope}/axis", 0, "int32")])


def _range(g, start, limit, delta=1):
    """`math_ops.range(start, limit)`: the Python bounds become Consts in its scope."""
    scope = _scoped(g, "range")
    ends = [g.const(f"{scope}/{n}", v, "int32") if type(v) is int else v
            for n, v in (("start", start), ("limit", limit), ("delta", delta))]
    return g.make("range", scope, ends)


def _plus(g, x, value: int):
    """`x + value`: the Python number converted inside the op's own scope (`add_1/y`)."""
    scope = _scoped(g, "add")
    return g.make("add", scope, [x, g.const(f"{scope}/y", value, "int32")])


def _indices_size(g, indices):
    """`expand_dims(size(indices), 0)`."""
    scope = _scoped(g, "ExpandDims")
    return g.make("expand_dims", scope, [size_tensor(g, indices), g.const(f"{scope}/dim", 0, "int32")])


def _axis_gather_grad(g, op, grad, params_shape):
    """TF's `_GatherV2Grad` for another axis or batch_dims: the axis moved next to the batch dims
    (transpose), `_BatchGatherGrad`'s UnsortedSegmentSum over flattened batch offsets, moved back
    and reshaped to the params' shape. Built as TF builds it where the params' and indices' shapes
    are fully known and the axis is a constant: TF's shape inference then makes each Size a Const."""
    params, indices, axis_ref = op.inputs
    pshape, ishape = g.shape(params), g.shape(indices)
    axis = g.constant_value(axis_ref)
    axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
    if not (fully_known(pshape) and fully_known(ishape)) or type(axis) is not int or g.dtype(indices) != "int32":
        g.unsupported(op, "a gather on another axis or with batch_dims needs the params' and int32 indices' shapes "
                          "fully known and a constant axis here (TF's dynamic shape graph is not built)")
    rank, bd = len(pshape), op.attrs.get("batch_dims", 0)
    bd = bd + len(ishape) if bd < 0 else bd
    axis %= rank
    _indices_size(g, indices)   # TF's `indices_size`: made, unused on this path
    # outer_shape = params_shape[:axis]; inner_shape = params_shape[axis:][1:]
    zero, one = g.const("Const", 0, "int32"), g.const("Const_1", 1, "int32")
    outer = _slice(g, params_shape, [zero], [axis_ref], [one], begin_mask=1)
    end, one = g.const("Const_2", 0, "int32"), g.const("Const_3", 1, "int32")
    tail = _slice(g, params_shape, [axis_ref], [end], [one], end_mask=1)
    inner = _slice(g, tail, [1], [0], [1], end_mask=1)
    values_shape = _concat(g, [outer, [-1], inner])
    values_dims = g.const("Size", rank, "int32")
    axis_dims = g.const("Size", axis, "int32")
    outer_batches = _range(g, 0, bd)
    batch_axis = _range(g, bd, axis_dims)
    inner_axes = _range(g, _plus(g, axis_dims, 1), values_dims)
    values = g.make("reshape", "Reshape", [g.dense(grad), values_shape])
    transpose_dims = _concat(g, [outer_batches, [axis_dims], batch_axis, inner_axes])
    values = g.make("transpose", "transpose", [values, transpose_dims])
    shape_t = g.make("gather", "GatherV2", [params_shape, transpose_dims, g.const("GatherV2/axis", 0, "int32")])
    gather_dim = _slice(g, params_shape, [axis_ref], [_plus(g, axis_ref, 1)], [1], shrink_axis_mask=1)
    out = _batch_gather_grad(g, shape_t, values, indices, bd, gather_dim, pshape, ishape, axis)
    back = _concat(g, [outer_batches, _plus(g, batch_axis, 1), [bd], inner_axes])
    out = g.make("transpose", "transpose", [out, back])
    return g.make("reshape", "Reshape", [out, shape_tensor(g, params)])


def _batch_gather_grad(g, shape_t, values, indices, bd, gather_dim, pshape, ishape, axis):
    """TF's `_BatchGatherGrad` (and `_GetBatchIndices`): with batch dims, each index offset by its
    batch's start in the flattened batch; the rows summed by UnsortedSegmentSum."""
    size = _indices_size(g, indices)
    if bd:
        order = list(range(bd)) + [axis] + list(range(bd, axis)) + list(range(axis + 1, len(pshape)))
        # the transposed values' shape: the batch dims, the indices' own dims flattened, the rest
        vshape = [pshape[i] for i in order[:bd]] + [num_elements(tuple(ishape[bd:]))] + \
                 [pshape[i] for i in order[bd + 1:]]
        vshape_ref = g.const("Shape", vshape, "int32")
        outer = _slice(g, vshape_ref, [0], [bd], [1], begin_mask=1)
        tail = _slice(g, vshape_ref, [bd], [0], [1], end_mask=1)
        inner = _slice(g, tail, [1], [0], [1], end_mask=1)
        batch_size = g.make("prod", "Prod", [outer, g.const("Prod/reduction_indices", [0], "int32")], {"keepdims": False})
        flat_shape = _concat(g, [[-1], inner])
        gather_dim = g.make("mul", "mul", [gather_dim, batch_size])
        indices = _batch_indices(g, shape_t, indices, bd, len(ishape))
        values = g.make("reshape", "Reshape", [values, flat_shape])
    indices = g.make("reshape", "Reshape", [indices, size])
    out = g.make("unsorted_segment_sum", "UnsortedSegmentSum", [values, indices, gather_dim])
    if bd:
        out = g.make("reshape", "Reshape", [out, _concat(g, [outer, flat_shape])])
    return out


def _batch_indices(g, shape_t, indices, bd: int, indices_rank: int):
    """TF's `_GetBatchIndices`: indices + each batch position times the rows of the dims after it."""
    accum = g.const("ones", 1, "int32")
    for dim in range(bd, 0, -1):
        dim_value = _slice(g, shape_t, [dim - 1], [dim], [1], shrink_axis_mask=1)
        accum = g.make("mul", "mul", [accum, _slice(g, shape_t, [dim], [dim + 1], [1], shrink_axis_mask=1)])
        dim_indices = _range(g, g.const("zeros", 0, "int32"), dim_value, g.const("ones", 1, "int32"))
        dim_indices = g.make("mul", "mul", [dim_indices, accum])
        before = g.make("tile", "Tile", [g.const("Tile/input", [1], "int32"), g.const("Tile/multiples", [dim - 1], "int32")])
        diff = g.make("sub", "sub", [g.const("Rank", indices_rank, "int32"), g.const("sub/y", dim, "int32")])
        scope = _scoped(g, "Tile")
        after = g.make("tile", scope, [g.const(f"{scope}/input", [1], "int32"),
                                       g.make("stack", f"{scope}/multiples", [diff], {"axis": 0})])
        dim_shape = _concat(g, [before, [dim_value], after])
        indices = g.make("add", "add", [indices, g.make("reshape", "Reshape", [dim_indices, dim_shape])])
    return indices


def _reshape_grad(g, op, grads):
    """TF: reshape back to the input's shape (a constant when known, `-1` for one unknown dim); an
    IndexedSlices made dense first (`_IndexedSlicesToTensorNoWarning`, in the gradient's scope)."""
    grad = g.dense(grads[0])
    shape = g.shape(op.inputs[0])
    if shape is not None and not fully_known(shape) and shape.count(None) == 1 and 0 not in shape:
        target = g.const("Reshape/shape", [-1 if d is None else d for d in shape], "int32")
    else:
        target = shape_tensor(g, op.inputs[0])
    return [g.make("reshape", "Reshape", [grad, target])] + [None] * (len(op.inputs) - 1)


OPS = [
    OpDef("reshape", "Reshape", ("tensor", "shape"), _reshape_infer, _reshape_kernel,
          "A tensor with the same elements in a new shape (-1 infers one dim).", tf="tf.reshape",
          tf_op="Reshape", tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tshape": TFType(i[1].dtype)}, grad=_reshape_grad),
    OpDef("concat", "concat", ("values",), _concat_infer, _concat_kernel,
          "Join tensors along an existing axis (no `axis`: the last input is the axis, as in ConcatV2).",
          variadic=True, attrs=(attr("axis", None, optional_int, "null: the last input is the axis"),),
          helpers=lambda a, on_handle: () if a["axis"] is None else ("axis",),
          tf_op="ConcatV2", tf_helper_values=lambda a, i: [a["axis"]], tf_import=lambda t, c: {},
          tf_attrs=lambda n, a, i, o: {"N": len(i) - 1, "T": TFType(i[0].dtype), "Tidx": TFType(i[-1].dtype)},
          tf=_concat_tf, grad=_concat_grad),
    OpDef("stack", "stack", ("values",), _stack_infer,
          lambda env: (lambda *xs: env.xp.stack(xs, axis=env.attrs["axis"])),
          "Join tensors along a new axis.", variadic=True,
          attrs=(attr("axis", 0, checks.integer),), tf_op="Pack",
          tf_attrs=lambda n, a, i, o: {"N": len(i), "T": TFType(i[0].dtype), "axis": a["axis"]},
          tf_import=lambda t, c: {"axis": t.get("axis", 0)},
          tf=lambda c: f"tf.stack([{', '.join(c.args)}], axis={c.attrs['axis']}{c.kw})", grad=_stack_grad),
    OpDef("split", "split", ("value",), _split_infer, _split_kernel,
          "Split into pieces along an axis; outputs name:K.", multi_output=True,
          attrs=(attr("num_or_size_splits", check=checks.splits),
                 attr("axis", 0, checks.integer)),
          helpers=lambda a, on_handle: ("split_dim",) if isinstance(a["num_or_size_splits"], int)
          else ("size_splits", "split_dim"),
          tf=lambda c: f"tf.split({c.args[0]}, {c.attrs['num_or_size_splits']!r}, "
                       f"axis={c.attrs['axis']}{c.kw})"),
    OpDef("unstack", "unstack", ("value",), _unstack_infer, _unstack_kernel,
          "Unpack along an axis; outputs name:K.", multi_output=True,
          attrs=(attr("axis", 0, checks.integer), attr("num", None, checks.positive)), tf_op="Unpack",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "num": len(o), "axis": a["axis"]},
          tf_import=lambda t, c: {"axis": t.get("axis", 0), "num": t["num"]},
          tf=lambda c: f"tf.unstack({c.args[0]}, num={c.attrs['num']!r}, axis={c.attrs['axis']}{c.kw})",
          grad=_unstack_grad),
    OpDef("shape", "Shape", ("input",),
          lambda a, t, c: [TensorType(a["out_type"], (None,) if t[0].shape is None else (len(t[0].shape),))],
          _shape_kernel, "The runtime shape of a tensor (int32 or out_type), placed with its input.",
          follows_input="metadata", attrs=(attr("out_type", "int32", out_type),),
          tf=lambda c: f"F_shape({c.args[0]}{c.kw})" if c.attrs["out_type"] in ("int32", None) else
          f"tf.raw_ops.Shape(input={c.args[0]}, out_type=tf.{c.attrs['out_type']}{c.kw})", tf_op="Shape",
          tf_import=lambda t, c: {"out_type": t.get("out_type", "int32")},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "out_type": TFType(a["out_type"])},
          grad=no_gradient),
    OpDef("cast", "Cast", ("x",), lambda a, t, c: [TensorType(a["dtype"], t[0].shape)],
          _cast_kernel, "Convert to another dtype.",
          attrs=(attr("dtype", check=checks.dtype),), tf_op="Cast",
          tf_attrs=lambda n, a, i, o: {"SrcT": TFType(i[0].dtype), "DstT": TFType(a["dtype"]), "Truncate": False},
          tf_import=lambda t, c: {"dtype": t["DstT"]},
          tf=lambda c: f"tf.cast({c.args[0]}, tf.{c.attrs['dtype']}{c.kw})", grad=_cast_grad),
    OpDef("split_even", "split", ("split_dim", "value"), _split_even_infer, _split_even_kernel,
          "TF's Split op (tf.split into N equal pieces) as a GraphDef has it; outputs name:K.",
          multi_output=True, attrs=(attr("num_split", check=checks.positive),), tf_op="Split",
          tf_import=lambda t, c: {"num_split": t["num_split"]},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[1].dtype), "num_split": a["num_split"]},
          tf=lambda c: f"tf.raw_ops.Split(axis={c.args[0]}, value={c.args[1]}, "
                       f"num_split={c.attrs['num_split']}{c.kw})", grad=_split_grad(0)),
    OpDef("split_v", "split", ("value", "size_splits", "split_dim"), _split_v_infer, _split_v_kernel,
          "TF's SplitV op (tf.split by sizes, one may be -1) as a GraphDef has it; outputs name:K.",
          multi_output=True, attrs=(attr("num_split", None, checks.positive),), tf_op="SplitV",
          tf_import=lambda t, c: {"num_split": t["num_split"]},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tlen": TFType(i[1].dtype),
                                       "num_split": len(o)},
          tf=lambda c: f"tf.raw_ops.SplitV(value={c.args[0]}, size_splits={c.args[1]}, axis={c.args[2]}, "
                       f"num_split={c.attrs['num_split'] or 'len(' + c.args[1] + ')'}{c.kw})",
          grad=_split_grad(2)),
    OpDef("tile", "Tile", ("input", "multiples"), _tile_infer, _tile_kernel,
          "The input repeated `multiples[i]` times along each dim i.", tf="tf.tile", tf_op="Tile",
          tf_attrs=index_attrs(("Tmultiples", 1)), grad=_tile_grad),
    OpDef("slice", "Slice", ("input", "begin", "size"), _slice_infer, _slice_kernel,
          "The block starting at `begin` of extent `size` (-1: to the end).", tf="tf.slice", tf_op="Slice",
          tf_attrs=index_attrs(("Index", 1)), grad=_slice_grad),
    OpDef("strided_slice", "strided_slice", ("input", "begin", "end", "strides"), _strided_slice_infer,
          _strided_slice_kernel, "Python-style x[b:e:s, ...] with TF's five masks (what x[...] builds).",
          attrs=tuple(attr(m, 0, _mask) for m in MASKS), tf=_strided_tf, tf_op="StridedSlice",
          tf_import=lambda t, c: {m: t.get(m, 0) for m in MASKS},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Index": TFType(i[1].dtype),
                                       **{m: a[m] for m in MASKS}}, grad=_strided_slice_grad),
    OpDef("strided_slice_grad", "StridedSliceGrad", ("shape", "begin", "end", "strides", "dy"),
          _strided_grad_infer, _strided_grad_kernel,
          "The gradient of strided_slice: dy placed where the slice took it from, zeros elsewhere.",
          attrs=tuple(attr(m, 0, _mask) for m in MASKS), tf_op="StridedSliceGrad",
          tf_import=lambda t, c: {m: t.get(m, 0) for m in MASKS},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[4].dtype), "Index": TFType(i[0].dtype),
                                       **{m: a[m] for m in MASKS}},
          tf=lambda c: f"tf.raw_ops.StridedSliceGrad(shape={c.args[0]}, begin={c.args[1]}, end={c.args[2]}, "
                       f"strides={c.args[3]}, dy={c.args[4]}, "
                       + ", ".join(f"{m}={c.attrs[m]}" for m in MASKS) + f"{c.kw})", grad=_strided_slice_grad_grad),
    OpDef("transpose", "transpose", ("x", "perm"), _transpose_infer, _transpose_kernel,
          "Dimensions permuted: output dim i is input dim perm[i].", tf="tf.transpose", tf_op="Transpose",
          tf_attrs=index_attrs(("Tperm", 1)), grad=_transpose_grad),
    OpDef("reverse", "ReverseV2", ("tensor", "axis"), _reverse_infer, _reverse_kernel,
          "The input with the listed axes reversed.", tf="tf.reverse", tf_op="ReverseV2",
          tf_attrs=index_attrs(("Tidx", 1)), grad=_reverse_grad),
    OpDef("gather", "GatherV2", ("params", "indices", "axis"), _gather_infer, _gather_kernel,
          "Slices of params along `axis` at `indices` (TF refuses an index out of range).",
          attrs=(attr("batch_dims", 0, checks.integer),), tf_op="GatherV2",
          tf_import=lambda t, c: {"batch_dims": t.get("batch_dims", 0)},
          tf_attrs=lambda n, a, i, o: {"Tparams": TFType(i[0].dtype), "Tindices": TFType(i[1].dtype),
                                       "Taxis": TFType(i[2].dtype), "batch_dims": a["batch_dims"]},
          tf=lambda c: f"tf.gather({c.args[0]}, {c.args[1]}, axis={c.args[2]}, "
                       f"batch_dims={c.attrs['batch_dims']}{c.kw})", grad=_gather_grad),
    _stitch_op("dynamic_stitch", "DynamicStitch",
               "Interleave data by index (tf.dynamic_stitch): inputs are N int32 indices then N data "
               "tensors; merged[indices[m][i]] = data[m][i], a later index winning."),
    _stitch_op("parallel_dynamic_stitch", "ParallelDynamicStitch",
               "tf.raw_ops.ParallelDynamicStitch: dynamic_stitch where repeated indices may land in any "
               "order (idrun: input order)."),
    OpDef("unique", "Unique", ("x",), _unique_infer, _unique_kernel,
          "The distinct values of a vector in order of first appearance (y: output 0) and each "
          "element's index into them (idx: output 1).", multi_output=True,
          attrs=(attr("out_idx", "int32", out_type),), tf_op="Unique",
          tf_import=lambda t, c: {"out_idx": t.get("out_idx", "int32")},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "out_idx": TFType(a["out_idx"])},
          tf=lambda c: f"tf.unique({c.args[0]}, out_idx=tf.{c.attrs['out_idx']}{c.kw})", grad=no_gradient),
    OpDef("pad", "Pad", ("input", "paddings"), _pad_infer(False), _pad_kernel,
          "Zeros around the input: paddings[i] = [before, after] for dim i.", tf="tf.pad", tf_op="Pad",
          tf_attrs=_paddings_attrs, grad=_pad_grad),
    OpDef("pad_v2", "PadV2", ("input", "paddings", "constant_values"), _pad_infer(False), _pad_kernel,
          "constant_values around the input (tf.pad with constant_values).", typed_with=(0, 2),
          tf=lambda c: f"tf.pad({c.args[0]}, {c.args[1]}, constant_values={c.args[2]}{c.kw})",
          tf_op="PadV2", tf_attrs=_paddings_attrs, grad=_pad_grad),
    OpDef("mirror_pad", "MirrorPad", ("input", "paddings"), _pad_infer(True), _pad_kernel,
          "The input padded with its own mirror image (REFLECT or SYMMETRIC).",
          attrs=(attr("mode", check=_pad_mode),), tf_op="MirrorPad",
          tf_import=lambda t, c: {"mode": t["mode"]}, tf_attrs=_paddings_attrs,
          tf=lambda c: f"tf.pad({c.args[0]}, {c.args[1]}, mode={c.attrs['mode']!r}{c.kw})", grad=_mirror_pad_grad),
    OpDef("mirror_pad_grad", "MirrorPadGrad", ("input", "paddings"), _mirror_pad_grad_infer, _mirror_pad_grad_kernel,
          "The gradient of mirror_pad: each mirrored border folded back onto what it mirrors.",
          attrs=(attr("mode", check=_pad_mode),), tf_op="MirrorPadGrad",
          tf_import=lambda t, c: {"mode": t["mode"]}, tf_attrs=_paddings_attrs,
          tf=lambda c: f"tf.raw_ops.MirrorPadGrad(input={c.args[0]}, paddings={c.args[1]}, "
                       f"mode={c.attrs['mode']!r}{c.kw})", grad=_mirror_pad_grad_grad),
]
