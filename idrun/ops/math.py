"""Elementwise math, matmul and reductions (numpy broadcasting, TF dtypes)."""

from __future__ import annotations

from idrun.dtypes import is_float, is_int, is_numeric
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, OpDef, TFType, attr
from idrun.ops.shapes import broadcast, reduce_shape, same_dtype

BINARY_INPUTS = ("x", "y")


def _binary_infer(op: str, out_dtype: str | None = None, numeric: bool = True):
    def infer(attrs, types, consts):
        dtype = same_dtype(types, BINARY_INPUTS, op)
        if numeric and not is_numeric(dtype):
            raise InferError(f"expects numeric inputs, got {dtype}")
        return [TensorType(out_dtype or dtype, broadcast(types[0].shape, types[1].shape))]
    return infer


def _unary_infer(float_only: bool):
    def infer(attrs, types, consts):
        dtype = types[0].dtype
        ok = is_float(dtype) if float_only else is_numeric(dtype)
        if not ok:
            raise InferError(f"expects a {'float' if float_only else 'numeric'} input, got {dtype}")
        return [types[0]]
    return infer


def _ufunc(name: str):
    return lambda env: getattr(env.xp, name)


def _div_kernel(env: KernelEnv):
    xp = env.xp
    return xp.floor_divide if is_int(env.in_types[0].dtype) else xp.true_divide


def _relu_kernel(env: KernelEnv):
    xp = env.xp
    zero = xp.zeros((), dtype=env.out_types[0].dtype)
    return lambda x: xp.maximum(x, zero)


def _sigmoid_kernel(env: KernelEnv):
    xp = env.xp
    one = xp.ones((), dtype=env.out_types[0].dtype)
    return lambda x: one / (one + xp.exp(-x))


def _binary(name: str, type_name: str, ufunc: str, doc: str, **kw) -> OpDef:
    return OpDef(name, type_name, BINARY_INPUTS, _binary_infer(type_name), _ufunc(ufunc), doc,
                 typed_with=(0, 1), elementwise=True, **kw)


def _unary(name: str, type_name: str, kernel, doc: str, float_only: bool = True, **kw) -> OpDef:
    return OpDef(name, type_name, ("x",), _unary_infer(float_only), kernel, doc, **kw)


def _matmul_infer(attrs, types, consts):
    dtype = same_dtype(types, ("a", "b"), "MatMul")
    a, b = (t.shape for t in types)
    if a is None or b is None:
        return [TensorType(dtype, None)]
    if len(a) != 2 or len(b) != 2:
        raise InferError(f"matmul expects rank-2 inputs, got shapes {list(a)} and {list(b)}")
    m, k1 = reversed(a) if attrs["transpose_a"] else a
    k2, n = reversed(b) if attrs["transpose_b"] else b
    if None not in (k1, k2) and k1 != k2:
        raise InferError(f"Matrix size-incompatible: In[0]: {list(a)}, In[1]: {list(b)}")
    return [TensorType(dtype, (m, n))]


def _matmul_kernel(env: KernelEnv):
    xp, ta, tb = env.xp, env.attrs["transpose_a"], env.attrs["transpose_b"]
    if not (ta or tb):
        return xp.matmul
    return lambda a, b: xp.matmul(a.T if ta else a, b.T if tb else b)


def _reduce_infer(attrs, types, consts):
    t = types[0]
    if not is_numeric(t.dtype):
        raise InferError(f"expects a numeric input, got {t.dtype}")
    return [TensorType(t.dtype, reduce_shape(t.shape, attrs["axis"], attrs["keepdims"]))]


def _reduce_kernel(fname: str):
    def make(env: KernelEnv):
        func = getattr(env.xp, fname)
        axis = env.attrs["axis"]
        axis = tuple(axis) if isinstance(axis, list) else axis
        keep, dtype = env.attrs["keepdims"], env.out_types[0].dtype
        if fname == "mean" and is_int(dtype):
            return lambda x: func(x, axis=axis, keepdims=keep).astype(dtype)
        if fname == "max":
            return lambda x: func(x, axis=axis, keepdims=keep)
        return lambda x: func(x, axis=axis, keepdims=keep, dtype=dtype)
    return make


def _reduce_tf(fn: str):
    return lambda c: f"{fn}({c.args[0]}, axis={c.attrs['axis']!r}, keepdims={c.attrs['keepdims']}{c.kw})"


def _reduce_gd_attrs(name, attrs, ins, outs):
    return {"T": TFType(ins[0].dtype), "Tidx": TFType(ins[1].dtype), "keep_dims": attrs["keepdims"]}


def _reduce_axis_values(attrs, ins):
    """TF's axis constant: every dimension when no axis is given (idrun's helper holds 0)."""
    axis = attrs["axis"]
    if axis is None:
        rank = len(ins[0].shape) if ins[0].shape is not None else 0
        return [list(range(rank))]
    return [axis]


def _reduce_import(tf_attrs, consts):
    axis = consts[1] if len(consts) > 1 else None
    if axis is not None:
        axis = axis.tolist()
    return {"axis": axis, "keepdims": bool(tf_attrs.get("keep_dims", False))}


def _reduce(name: str, type_name: str, fname: str, doc: str) -> OpDef:
    return OpDef(name, type_name, ("input",), _reduce_infer, _reduce_kernel(fname), doc,
                 tf=_reduce_tf(f"tf.{name}"), tf_op=type_name, tf_attrs=_reduce_gd_attrs,
                 tf_helper_values=_reduce_axis_values, tf_import=_reduce_import,
                 attrs=(attr("axis", None, checks.axis, "axes to reduce; none = all"),
                        attr("keepdims", False, checks.boolean)),
                 helpers=lambda a, on_handle: ("Const",) if a["axis"] is None else ("reduction_indices",))


OPS = [
    _binary("add", "Add", "add", "x + y.", tf="tf.add", tf_op="AddV2", tf_import_ops=("Add",)),
    _binary("sub", "Sub", "subtract", "x - y.", tf="tf.subtract", tf_op="Sub"),
    _binary("mul", "Mul", "multiply", "x * y.", tf="tf.multiply", tf_op="Mul"),
    OpDef("div", "RealDiv", BINARY_INPUTS, _binary_infer("RealDiv"), _div_kernel,
          "x / y; floor division for integers, as TF.", typed_with=(0, 1), tf="F_div",
          tf_op="RealDiv", tf_import_ops=("Div",), elementwise=True),
    _binary("maximum", "Maximum", "maximum", "Elementwise max(x, y).", tf="tf.maximum", tf_op="Maximum"),
    _binary("minimum", "Minimum", "minimum", "Elementwise min(x, y).", tf="tf.minimum", tf_op="Minimum"),
    OpDef("equal", "Equal", BINARY_INPUTS, _binary_infer("Equal", "bool", numeric=False), _ufunc("equal"),
          "Elementwise x == y (bool).", typed_with=(0, 1), tf="tf.equal", tf_op="Equal",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "incompatible_shape_error": True},
          elementwise=True),
    _unary("neg", "Neg", _ufunc("negative"), "-x.", float_only=False, tf="tf.negative", tf_op="Neg", elementwise=True),
    _unary("square", "Square", _ufunc("square"), "x * x.", float_only=False, tf="tf.square", tf_op="Square", elementwise=True),
    _unary("sqrt", "Sqrt", _ufunc("sqrt"), "Square root.", tf="tf.sqrt", tf_op="Sqrt", elementwise=True),
    _unary("exp", "Exp", _ufunc("exp"), "e ** x.", tf="tf.exp", tf_op="Exp", elementwise=True),
    _unary("log", "Log", _ufunc("log"), "Natural logarithm.", tf="tf.math.log", tf_op="Log", elementwise=True),
    _unary("relu", "Relu", _relu_kernel, "max(x, 0).", float_only=False, tf="tf.nn.relu", tf_op="Relu"),
    _unary("sigmoid", "Sigmoid", _sigmoid_kernel, "1 / (1 + exp(-x)).", tf="tf.sigmoid", tf_op="Sigmoid"),
    _unary("tanh", "Tanh", _ufunc("tanh"), "Hyperbolic tangent.", tf="tf.tanh", tf_op="Tanh", elementwise=True),
    OpDef("matmul", "MatMul", ("a", "b"), _matmul_infer, _matmul_kernel,
          "Matrix product of two rank-2 tensors.", typed_with=(0, 1),
          attrs=(attr("transpose_a", False, checks.boolean),
                 attr("transpose_b", False, checks.boolean)),
          tf_op="MatMul",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "transpose_a": a["transpose_a"],
                                       "transpose_b": a["transpose_b"]},
          tf_import=lambda t, c: {"transpose_a": bool(t.get("transpose_a", False)),
                                  "transpose_b": bool(t.get("transpose_b", False))},
          tf=lambda c: f"tf.linalg.matmul({c.args[0]}, {c.args[1]}, transpose_a={c.attrs['transpose_a']}, "
                       f"transpose_b={c.attrs['transpose_b']}{c.kw})"),
    _reduce("reduce_sum", "Sum", "sum", "Sum over axes."),
    _reduce("reduce_mean", "Mean", "mean", "Mean over axes."),
    _reduce("reduce_max", "Max", "max", "Max over axes."),
]
