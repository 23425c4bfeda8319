"""Shape and layout ops: reshape, concat, stack, split, unstack, shape, cast."""

from __future__ import annotations

from idrun.dtypes import is_int
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, OpDef, TFType, attr
from idrun.ops.shapes import norm_axis, num_elements, same_dtype


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
    dtype = same_dtype(types, [f"values_{i}" for i in range(len(types))], "ConcatV2")
    shapes = [t.shape for t in types]
    if any(s is None for s in shapes):
        return [TensorType(dtype, None)]
    rank = len(shapes[0])
    if rank == 0 or any(len(s) != rank for s in shapes):
        raise InferError("concat needs inputs of one rank >= 1, got shapes "
                         + ", ".join(str(list(s)) for s in shapes))
    axis = norm_axis(attrs["axis"], rank)
    out = list(shapes[0])
    for s in shapes[1:]:
        for i, (a, b) in enumerate(zip(out, s)):
            if i != axis and None not in (a, b) and a != b:
                raise InferError(f"Dimension {i} in both shapes must be equal: "
                                 f"{list(shapes[0])} vs {list(s)}")
    dims = [s[axis] for s in shapes]
    out[axis] = None if None in dims else sum(dims)
    return [TensorType(dtype, tuple(out))]


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
    xp = env.xp
    return lambda x: xp.asarray(x.shape, dtype="int32")


def _cast_kernel(env: KernelEnv):
    dtype = env.attrs["dtype"]
    return lambda x: x.astype(dtype)


OPS = [
    OpDef("reshape", "Reshape", ("tensor", "shape"), _reshape_infer, _reshape_kernel,
          "A tensor with the same elements in a new shape (-1 infers one dim).", tf="tf.reshape",
          tf_op="Reshape", tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tshape": TFType(i[1].dtype)}),
    OpDef("concat", "concat", ("values",), _concat_infer,
          lambda env: (lambda *xs: env.xp.concatenate(xs, axis=env.attrs["axis"])),
          "Join tensors along an existing axis.", variadic=True,
          attrs=(attr("axis", check=checks.integer),), helpers=lambda a, on_handle: ("axis",),
          tf_op="ConcatV2", tf_helper_values=lambda a, i: [a["axis"]],
          tf_attrs=lambda n, a, i, o: {"N": len(i) - 1, "T": TFType(i[0].dtype), "Tidx": TFType("int32")},
          tf=lambda c: f"tf.concat([{', '.join(c.args)}], axis={c.attrs['axis']}{c.kw})"),
    OpDef("stack", "stack", ("values",), _stack_infer,
          lambda env: (lambda *xs: env.xp.stack(xs, axis=env.attrs["axis"])),
          "Join tensors along a new axis.", variadic=True,
          attrs=(attr("axis", 0, checks.integer),), tf_op="Pack",
          tf_attrs=lambda n, a, i, o: {"N": len(i), "T": TFType(i[0].dtype), "axis": a["axis"]},
          tf_import=lambda t, c: {"axis": t.get("axis", 0)},
          tf=lambda c: f"tf.stack([{', '.join(c.args)}], axis={c.attrs['axis']}{c.kw})"),
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
          tf=lambda c: f"tf.unstack({c.args[0]}, num={c.attrs['num']!r}, axis={c.attrs['axis']}{c.kw})"),
    OpDef("shape", "Shape", ("input",),
          lambda a, t, c: [TensorType("int32", None if t[0].shape is None else (len(t[0].shape),))],
          _shape_kernel, "The runtime shape of a tensor (int32), placed with its input.",
          follows_input="metadata", tf="F_shape", tf_op="Shape",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "out_type": TFType("int32")}),
    OpDef("cast", "Cast", ("x",), lambda a, t, c: [TensorType(a["dtype"], t[0].shape)],
          _cast_kernel, "Convert to another dtype.",
          attrs=(attr("dtype", check=checks.dtype),), tf_op="Cast",
          tf_attrs=lambda n, a, i, o: {"SrcT": TFType(i[0].dtype), "DstT": TFType(a["dtype"]), "Truncate": False},
          tf_import=lambda t, c: {"dtype": t["DstT"]},
          tf=lambda c: f"tf.cast({c.args[0]}, tf.{c.attrs['dtype']}{c.kw})"),
]
