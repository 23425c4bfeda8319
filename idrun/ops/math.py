"""Elementwise math, add_n and matmul (numpy broadcasting, TF dtypes and TF's CPU values).

Where TF's CPU kernel is not numpy's ufunc the kernel computes what TF's does:
FloorDiv is floor(x / y) for floats (numpy's floor_divide is not), FloorMod keeps
fmod's zero sign (numpy's remainder gives y's), integer division by zero and
integers to negative powers fail with TF's message, AddN adds in TF's order.
TF's float32 Rsqrt and Reciprocal and its float32 and float64 Pow run Eigen's
vectorized approximations on whole packets (8 floats with AVX): up to 3 ulps from
the correctly rounded value idrun gives, equal to it on tensors of under 8
elements (TF's scalar path); float16 and the other float64 results are TF's.
"""

from __future__ import annotations

from functools import reduce

from idrun.dtypes import is_float, is_int, is_numeric
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.shapes import broadcast, format_dims, same_dtype
from idrun.ops.gradlib import fully_known, no_gradient, reduce_gradient_args, same_full_shapes, ones_like, zeros_like

BINARY_INPUTS = ("x", "y")
# TF's allowed dtypes of an op's input, as far as idrun has them
FLOATS = ("float16", "float32", "float64")
SIGNED = FLOATS + ("int8", "int16", "int32", "int64")
REALS = SIGNED + ("uint8",)
BOOL = ("bool",)


def check_allowed(dtype: str, allowed: tuple[str, ...] | None, param: str = "x", op: str = "") -> None:
    """TF's type check of one input, in TF's words."""
    if allowed is None or dtype in allowed:
        return
    if allowed == BOOL:
        raise InferError(f"Input '{param}' of '{op}' Op has type {dtype} that does not match "
                         f"expected type of bool")
    raise InferError(f"Value passed to parameter '{param}' has DataType {dtype} not in list of "
                     f"allowed values: {', '.join(allowed)}")


def _binary_infer(op: str, out_dtype: str | None = None, numeric: bool = True,
                  allowed: tuple[str, ...] | None = None):
    def infer(attrs, types, consts):
        if allowed == BOOL:  # LogicalAnd/Or: TF checks each input against bool
            for t, name in zip(types, BINARY_INPUTS):
                check_allowed(t.dtype, BOOL, name, op)
        dtype = same_dtype(types, BINARY_INPUTS, op)
        if allowed is not None:
            check_allowed(dtype, allowed)
        elif numeric and not is_numeric(dtype):
            raise InferError(f"expects numeric inputs, got {dtype}")
        return [TensorType(out_dtype or dtype, broadcast(types[0].shape, types[1].shape))]
    return infer


def _unary_infer(float_only: bool, allowed: tuple[str, ...] | None = None, op: str = ""):
    def infer(attrs, types, consts):
        dtype = types[0].dtype
        if allowed is not None:
            check_allowed(dtype, allowed, "x", op)
        elif not (is_float(dtype) if float_only else is_numeric(dtype)):
            raise InferError(f"expects a {'float' if float_only else 'numeric'} input, got {dtype}")
        return [types[0]]
    return infer


def _ufunc(name: str):
    return lambda env: getattr(env.xp, name)




def _relu_kernel(env: KernelEnv):
    xp = env.xp
    zero = xp.zeros((), dtype=env.out_types[0].dtype)
    return lambda x: xp.maximum(x, zero)


def _sigmoid_kernel(env: KernelEnv):
    xp = env.xp
    one = xp.ones((), dtype=env.out_types[0].dtype)
    return lambda x: one / (one + xp.exp(-x))


def _rsqrt_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.out_types[0].dtype
    one = xp.ones((), dtype="float32" if dtype == "float16" else dtype)
    if dtype == "float16":  # Eigen's half: in float32, rounded once at the end
        def rsqrt_half(x, out=None):
            value = xp.divide(one, xp.sqrt(x.astype("float32")))
            if out is None:
                return value.astype(dtype)
            out[...] = value
            return out
        return rsqrt_half

    def rsqrt(x, out=None):  # 1 / sqrt(x), each rounded (TF's scalar path)
        root = xp.sqrt(x, out=out)
        return xp.divide(one, root, out=root)
    return rsqrt


def _reciprocal_kernel(env: KernelEnv):
    xp = env.xp
    one = xp.ones((), dtype=env.out_types[0].dtype)
    return lambda x, out=None: xp.divide(one, x, out=out)


def _nonzero_divisor(xp, y) -> None:
    if not xp.all(y):
        raise KernelError("Integer division by zero")


def _pow_kernel(env: KernelEnv):
    xp = env.xp
    if not is_int(env.in_types[0].dtype):
        return xp.power

    def int_pow(x, y, out=None):
        if (y < 0).any():
            raise KernelError("Integers to negative integer powers are not allowed")
        return xp.power(x, y, out=out)
    return int_pow


def _floordiv_kernel(env: KernelEnv):
    xp = env.xp
    if is_int(env.in_types[0].dtype):
        def int_floordiv(x, y, out=None):
            _nonzero_divisor(xp, y)
            return xp.floor_divide(x, y, out=out)
        return int_floordiv

    def floordiv(x, y, out=None):  # TF: floor(x / y); numpy's floor_divide rounds otherwise
        quotient = xp.true_divide(x, y, out=out)
        return xp.floor(quotient, out=quotient)
    return floordiv


def _div_kernel(env: KernelEnv):
    """tf.compat.v1.div: floor division for integers (by zero fails), else x / y."""
    return _floordiv_kernel(env) if is_int(env.in_types[0].dtype) else env.xp.true_divide


def _floormod_kernel(env: KernelEnv):
    xp = env.xp
    if is_int(env.in_types[0].dtype):
        def int_floormod(x, y):
            _nonzero_divisor(xp, y)
            return xp.remainder(x, y)  # Python's sign rule, as TF's
        return int_floormod

    def floormod(x, y):  # TF: fmod, plus y where the signs differ; a zero keeps x's sign
        mod = xp.fmod(x, y)
        return xp.where((mod != 0) & ((y < 0) != (mod < 0)), mod + y, mod)
    return floormod


def _squared_difference_kernel(env: KernelEnv):
    xp = env.xp

    def squared_difference(x, y, out=None):
        diff = xp.subtract(x, y, out=out)
        return xp.multiply(diff, diff, out=diff)
    return squared_difference


def _divide_no_nan_kernel(env: KernelEnv):
    xp = env.xp
    zero = xp.zeros((), dtype=env.out_types[0].dtype)
    return lambda x, y: xp.where(y == 0, zero, xp.true_divide(x, y))


def _binary(name: str, type_name: str, kernel, doc: str, allowed: tuple[str, ...] | None = None,
            out_dtype: str | None = None, elementwise: bool = True, **kw) -> OpDef:
    """A broadcasting op of two inputs of one dtype; `kernel` is a ufunc's name or a factory."""
    numeric = out_dtype is None
    return OpDef(name, type_name, BINARY_INPUTS, _binary_infer(type_name, out_dtype, numeric, allowed),
                 _ufunc(kernel) if isinstance(kernel, str) else kernel, doc,
                 typed_with=(0, 1), elementwise=elementwise, tf_op=kw.pop("tf_op", type_name), **kw)


def _unary(name: str, type_name: str, kernel, doc: str, float_only: bool = True,
           allowed: tuple[str, ...] | None = None, **kw) -> OpDef:
    return OpDef(name, type_name, ("x",), _unary_infer(float_only, allowed, type_name),
                 _ufunc(kernel) if isinstance(kernel, str) else kernel, doc, **kw)


def _compare(name: str, type_name: str, doc: str, tf: str) -> OpDef:
    return _binary(name, type_name, name, doc, allowed=REALS, out_dtype="bool", tf=tf, grad=no_gradient)


def _logical(name: str, type_name: str, doc: str, tf: str) -> OpDef:
    return _binary(name, type_name, name, doc, allowed=BOOL, out_dtype="bool", tf=tf,
                   tf_attrs=lambda n, a, i, o: {}, grad=no_gradient)


def _add_n_infer(attrs, types, consts):
    dtypes = [t.dtype for t in types]
    if len(set(dtypes)) > 1:
        raise InferError(f"Tensors in list passed to 'inputs' of 'AddN' Op have types "
                         f"[{', '.join(dtypes)}] that don't all match.")
    check_allowed(dtypes[0], REALS, "inputs")
    shape = None
    for t in types:  # TF merges the shapes: no broadcasting
        if t.shape is None:
            continue
        if shape is None:
            shape = t.shape
            continue
        if len(t.shape) != len(shape):
            raise InferError(f"Shapes must be equal rank, but are {len(shape)} and {len(t.shape)}")
        for i, (a, b) in enumerate(zip(shape, t.shape)):
            if None not in (a, b) and a != b:
                raise InferError(f"Dimension {i} in both shapes must be equal, but are {a} and {b}. "
                                 f"Shapes are {format_dims(shape)} and {format_dims(t.shape)}.")
        shape = tuple(b if a is None else a for a, b in zip(shape, t.shape))
    return [TensorType(dtypes[0], shape)]


def _add_n_kernel(env: KernelEnv):
    """TF's AddNOp: the first n % 8 inputs (8 or 9 when that leaves none or one) left to
    right, then `out += (a + ... + h)` for each further 8: float sums round as TF's."""
    xp = env.xp
    check = any(t.shape is None or None in t.shape for t in env.in_types)

    def add_n(*xs):
        if check:
            for i, x in enumerate(xs[1:], 1):
                if x.shape != xs[0].shape:
                    raise KernelError(f"Inputs to operation AddN of type AddN must have the same size and "
                                      f"shape.  Input 0: {format_dims(xs[0].shape)} != input {i}: "
                                      f"{format_dims(x.shape)}")
        if len(xs) == 1:
            return xs[0].copy()
        head = {0: 8, 1: 9}.get(len(xs) % 8, len(xs) % 8)
        out = reduce(xp.add, xs[:head])
        for k in range(head, len(xs), 8):
            out = out + reduce(xp.add, xs[k:k + 8])
        return out
    return add_n


def _add_n_grad(g, op, grads):
    """TF's `_AddNGrad`: the gradient, as it is, to every input."""
    return [grads[0]] * len(op.inputs)


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


BATCH_MATMUL_TYPES = ("float16", "float32", "float64", "int16", "int32", "int64", "uint8")


def _batch_matmul_infer(attrs, types, consts):
    dtype = same_dtype(types, BINARY_INPUTS, "BatchMatMulV2")
    check_allowed(dtype, BATCH_MATMUL_TYPES)
    a, b = (t.shape for t in types)
    for s in (a, b):
        if s is not None and len(s) < 2:
            raise InferError(f"Shape must be at least rank 2 but is rank {len(s)}")
    if a is None or b is None:
        return [TensorType(dtype, None)]
    m, k1 = reversed(a[-2:]) if attrs["adj_x"] else a[-2:]
    k2, n = reversed(b[-2:]) if attrs["adj_y"] else b[-2:]
    if None not in (k1, k2) and k1 != k2:
        raise InferError(f"Dimensions must be equal, but are {k1} and {k2}: input shapes "
                         f"{format_dims(a)} and {format_dims(b)}")
    return [TensorType(dtype, broadcast(a[:-2], b[:-2]) + (m, n))]


def _batch_matmul_kernel(env: KernelEnv):
    xp, adj_x, adj_y = env.xp, env.attrs["adj_x"], env.attrs["adj_y"]
    if not (adj_x or adj_y):
        return xp.matmul
    return lambda x, y: xp.matmul(xp.swapaxes(x, -1, -2) if adj_x else x,
                                  xp.swapaxes(y, -1, -2) if adj_y else y)


def _batch_matmul_import(tf_attrs, consts):
    types = {tf_attrs[k] for k in ("Ta", "Tb", "Tout") if k in tf_attrs}
    if len(types) > 1:
        raise ValueError(f"BatchMatMulV3 of mixed types {sorted(types)}: idrun multiplies one dtype")
    return {"adj_x": bool(tf_attrs.get("adj_x", False)), "adj_y": bool(tf_attrs.get("adj_y", False))}


def _tf_bool(attrs, *names: str) -> str:
    return "".join(f", {n}={attrs[n]}" for n in names)


def _add_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    if same_full_shapes(g, x, y, grad):
        return [grad, grad]
    return list(reduce_gradient_args(g, x, y, grad, grad))


def _sub_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    if same_full_shapes(g, x, y, grad):
        return [grad, g.make("neg", "Neg", [grad])]
    gx, gy = reduce_gradient_args(g, x, y, grad, g.make("neg", "Neg", [grad]))
    return [gx, gy]


def _mul_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    if same_full_shapes(g, x, y, grad) and g.dtype(grad) in ("int32", "float32"):
        return [g.make("mul", "Mul", [grad, y]), g.make("mul", "Mul_1", [grad, x])]
    gx = g.make("mul", "Mul", [grad, y])
    gy = g.make("mul", "Mul_1", [x, grad])
    return list(reduce_gradient_args(g, x, y, gx, gy))


def _product_grads(mm, grad, a, b, t_a: bool, t_b: bool):
    """The two gradients of a (batch) matrix product, as TF's `_MatMulGrad` and `_BatchMatMulV2`
    make them for each transpose (adjoint) flag: mm(short name, x, y, t_x, t_y)."""
    if not t_a and not t_b:
        return mm("MatMul", grad, b, False, True), mm("MatMul_1", a, grad, True, False)
    if not t_a and t_b:
        return mm("MatMul", grad, b, False, False), mm("MatMul_1", grad, a, True, False)
    if t_a and not t_b:
        return mm("MatMul", b, grad, False, True), mm("MatMul_1", a, grad, False, False)
    return mm("MatMul", b, grad, True, True), mm("MatMul_1", grad, a, True, True)


def _matmul_grad(g, op, grads):
    def mm(short, x, y, ta, tb):
        return g.make("matmul", short, [x, y], {"transpose_a": ta, "transpose_b": tb})
    return list(_product_grads(mm, grads[0], op.inputs[0], op.inputs[1],
                               bool(op.attrs.get("transpose_a")), bool(op.attrs.get("transpose_b"))))


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


def _neg_grad(g, op, grads):
    return [g.make("neg", "Neg", [grads[0]])]


def _exp_grad(g, op, grads):
    """TF: `grad * y` (under control_dependencies([grad]), a data input already)."""
    return [g.make("mul", "mul", [grads[0], op.outputs[0]])]


def _log_grad(g, op, grads):
    """TF: `with control_dependencies([grad]): grad * reciprocal(x)`."""
    inv = g.make("reciprocal", "Reciprocal", [op.inputs[0]], controls=[grads[0].node])
    return [g.make("mul", "mul", [grads[0], inv])]


def _sqrt_grad(g, op, grads):
    return [g.make("sqrt_grad", "SqrtGrad", [op.outputs[0], grads[0]])]


def _rsqrt_grad(g, op, grads):
    return [g.make("rsqrt_grad", "RsqrtGrad", [op.outputs[0], grads[0]])]


def _reciprocal_grad(g, op, grads):
    return [g.make("reciprocal_grad", "ReciprocalGrad", [op.outputs[0], grads[0]])]


def _abs_grad(g, op, grads):
    return [g.make("mul", "mul", [grads[0], g.make("sign", "Sign", [op.inputs[0]])])]


def _sign_grad(g, op, grads):
    """TF's `_SignGrad`: zeros shaped like the input."""
    return [zeros_like(g, op.inputs[0], "zeros_like")]


def _real_div_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    gx = g.make("div", "RealDiv", [grad, y])
    neg = g.make("neg", "Neg", [x])
    gy = g.make("mul", "mul", [grad, g.make("div", "RealDiv_2", [g.make("div", "RealDiv_1", [neg, y]), y])])
    return list(reduce_gradient_args(g, x, y, gx, gy))


def _div_no_nan_grad(g, op, grads):
    grad = grads[0]
    x, y = op.inputs[:2]
    gx = g.make("divide_no_nan", "div_no_nan", [grad, y])
    neg = g.make("neg", "Neg", [x])
    inner = g.make("divide_no_nan", "div_no_nan_1", [neg, y])
    gy = g.make("mul", "mul", [grad, g.make("divide_no_nan", "div_no_nan_2", [inner, y])])
    return list(reduce_gradient_args(g, x, y, gx, gy))


def _maximum_minimum_grad(selector: str, short: str):
    """TF's `_MaximumMinimumGrad`: the gradient to x where selector(x, y), else to y."""
    def grad_fn(g, op, grads):
        grad = grads[0]
        x, y = op.inputs[:2]
        zeros = zeros_like(g, grad, "zeros_like")
        mask = g.make(selector, short, [x, y])
        gx = g.make("select_v2", "SelectV2", [mask, grad, zeros])
        gy = g.make("select_v2", "SelectV2_1", [mask, zeros, grad])
        return list(reduce_gradient_args(g, x, y, gx, gy))
    return grad_fn


def _squared_difference_grad(g, op, grads):
    """TF: `with control_dependencies([grad]): scalar_mul(2.0, grad) * (x - y)`."""
    grad = grads[0]
    x, y = op.inputs[:2]
    two = g.const("scalar", 2.0, g.dtype(grad), controls=[grad])
    diff = g.make("sub", "sub", [x, y], controls=[grad.node])
    x_grad = g.make("mul", "mul", [g.make("mul", "Mul", [two, grad]), diff])
    if same_full_shapes(g, x, y, grad):
        return [x_grad, g.make("neg", "Neg", [x_grad])]
    return list(reduce_gradient_args(g, x, y, x_grad, g.make("neg", "Neg", [x_grad])))


def _floormod_grad(g, op, grads):
    """TF's `_FloorModGrad`: grad to x, grad * -floor(x / y) to y (each reduced to its shape)."""
    grad = grads[0]
    x, y = op.inputs[:2]
    gy = g.make("mul", "mul", [grad, g.make("neg", "Neg", [g.make("floordiv", "FloorDiv", [x, y])])])
    return list(reduce_gradient_args(g, x, y, grad, gy))


def _pow_grad(g, op, grads):
    """TF's `_PowGrad`: grad * y * x^(y-1), and grad * z * log(x) where x > 0 (0 elsewhere)."""
    grad = grads[0]
    x, y = op.inputs[:2]
    dtype = g.dtype(x)
    one = g.const("sub/y", 1.0 if dtype.startswith("float") else 1, dtype)
    power = g.make("pow", "Pow", [x, g.make("sub", "sub", [y, one])])
    gx = g.make("mul", "mul_1", [g.make("mul", "mul", [grad, y]), power])
    zero = g.const("Greater/y", 0.0 if dtype.startswith("float") else 0, dtype)
    mask = g.make("greater", "Greater", [x, zero])
    safe_x = g.make("select", "Select", [mask, x, ones_like(g, x, "ones_like")])
    log_x = g.make("select", "Select_1", [mask, g.make("log", "Log", [safe_x]), zeros_like(g, x, "zeros_like")])
    gy = g.make("mul", "mul_3", [g.make("mul", "mul_2", [grad, op.outputs[0]]), log_x])
    return list(reduce_gradient_args(g, x, y, gx, gy))


def _batch_matmul_grad(g, op, grads):
    """TF's `_BatchMatMulV2`: the MatMul gradients per batch; batch dims that broadcast are an error yet."""
    x, y = op.inputs[:2]

    def mm(short, a, b, ax, ay):
        return g.make("batch_matmul", short, [a, b], {"adj_x": ax, "adj_y": ay})
    gx, gy = _product_grads(mm, grads[0], x, y, bool(op.attrs.get("adj_x")), bool(op.attrs.get("adj_y")))
    sx, sy = g.shape(x), g.shape(y)
    if not (fully_known(sx) and fully_known(sy) and sx[:-2] == sy[:-2]) and (
            sx is None or sy is None or len(sx) > 2 or len(sy) > 2):
        g.unsupported(op, "batch dimensions that broadcast or are not known (TF reduces the "
                          "gradients over them; idrun does not yet)")
    return [gx, gy]



OPS = [
    _binary("add", "Add", "add", "x + y.", tf="tf.add", tf_op="AddV2", tf_import_ops=("Add",), grad=_add_grad),
    _binary("sub", "Sub", "subtract", "x - y.", tf="tf.subtract", grad=_sub_grad),
    _binary("mul", "Mul", "multiply", "x * y.", tf="tf.multiply", grad=_mul_grad),
    _binary("div", "RealDiv", _div_kernel, "x / y; floor division for integers, as TF.", tf="F_div",
            tf_import_ops=("Div",), grad=_real_div_grad),
    _binary("maximum", "Maximum", "maximum", "Elementwise max(x, y).", tf="tf.maximum",
            grad=_maximum_minimum_grad("greater_equal", "GreaterEqual")),
    _binary("minimum", "Minimum", "minimum", "Elementwise min(x, y).", tf="tf.minimum",
            grad=_maximum_minimum_grad("less_equal", "LessEqual")),
    _binary("pow", "Pow", _pow_kernel, "x ** y; integers to negative powers fail, as TF.", allowed=SIGNED,
            tf="tf.pow", grad=_pow_grad),
    _binary("floordiv", "floordiv", _floordiv_kernel, "floor(x / y); integer division by zero fails.",
            allowed=REALS, tf="tf.math.floordiv", tf_op="FloorDiv", grad=no_gradient),
    _binary("floormod", "FloorMod", _floormod_kernel, "x - floor(x / y) * y, the sign of y (TF's FloorMod).",
            allowed=REALS, elementwise=False, tf="tf.math.floormod", grad=_floormod_grad),
    _binary("squared_difference", "SquaredDifference", _squared_difference_kernel, "(x - y) * (x - y).",
            allowed=FLOATS + ("int32", "int64"), tf="tf.math.squared_difference",
            grad=_squared_difference_grad),
    _binary("divide_no_nan", "div_no_nan", _divide_no_nan_kernel, "x / y, and 0 where y is 0.",
            allowed=FLOATS, elementwise=False, tf="tf.math.divide_no_nan", tf_op="DivNoNan",
            grad=_div_no_nan_grad),
    OpDef("equal", "Equal", BINARY_INPUTS, _binary_infer("Equal", "bool", numeric=False), _ufunc("equal"),
          "Elementwise x == y (bool).", typed_with=(0, 1), tf="tf.equal", tf_op="Equal",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "incompatible_shape_error": True},
          elementwise=True, grad=no_gradient),
    OpDef("not_equal", "NotEqual", BINARY_INPUTS, _binary_infer("NotEqual", "bool", numeric=False),
          _ufunc("not_equal"), "Elementwise x != y (bool).", typed_with=(0, 1), tf="tf.not_equal",
          tf_op="NotEqual", elementwise=True, grad=no_gradient,
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "incompatible_shape_error": True}),
    _compare("greater", "Greater", "Elementwise x > y (bool).", "tf.greater"),
    _compare("greater_equal", "GreaterEqual", "Elementwise x >= y (bool).", "tf.greater_equal"),
    _compare("less", "Less", "Elementwise x < y (bool).", "tf.less"),
    _compare("less_equal", "LessEqual", "Elementwise x <= y (bool).", "tf.less_equal"),
    _logical("logical_and", "LogicalAnd", "Elementwise x and y of bools.", "tf.logical_and"),
    _logical("logical_or", "LogicalOr", "Elementwise x or y of bools.", "tf.logical_or"),
    _unary("logical_not", "LogicalNot", "logical_not", "Elementwise not x of bools.", allowed=BOOL,
           tf="tf.logical_not", tf_op="LogicalNot", tf_attrs=lambda n, a, i, o: {}, elementwise=True,
           grad=no_gradient),
    _unary("neg", "Neg", "negative", "-x.", float_only=False, tf="tf.negative", tf_op="Neg", elementwise=True,
           grad=_neg_grad),
    _unary("square", "Square", "square", "x * x.", float_only=False, tf="tf.square", tf_op="Square",
           elementwise=True, grad=_square_grad),
    _unary("sqrt", "Sqrt", "sqrt", "Square root.", tf="tf.sqrt", tf_op="Sqrt", elementwise=True,
           grad=_sqrt_grad),
    _unary("rsqrt", "Rsqrt", _rsqrt_kernel, "1 / sqrt(x) (TF's float32 packets: within 3 ulps).",
           allowed=FLOATS, tf="tf.math.rsqrt", tf_op="Rsqrt", elementwise=True,
           grad=_rsqrt_grad),
    _unary("reciprocal", "Reciprocal", _reciprocal_kernel, "1 / x (TF's float32 packets: within 3 ulps).",
           allowed=FLOATS, tf="tf.math.reciprocal", tf_op="Reciprocal", tf_import_ops=("Inv",),
           elementwise=True, grad=_reciprocal_grad),
    _unary("exp", "Exp", "exp", "e ** x.", tf="tf.exp", tf_op="Exp", elementwise=True, grad=_exp_grad),
    _unary("log", "Log", "log", "Natural logarithm.", tf="tf.math.log", tf_op="Log", elementwise=True, grad=_log_grad),
    _unary("floor", "Floor", "floor", "Largest integer not above x.", allowed=FLOATS, tf="tf.floor",
           tf_op="Floor", elementwise=True, grad=no_gradient),
    _unary("ceil", "Ceil", "ceil", "Smallest integer not below x.", allowed=FLOATS, tf="tf.math.ceil",
           tf_op="Ceil", elementwise=True, grad=no_gradient),
    _unary("abs", "Abs", "absolute", "|x| (the lowest integer stays itself, as TF).", allowed=SIGNED,
           tf="tf.abs", tf_op="Abs", elementwise=True, grad=_abs_grad),
    _unary("sign", "Sign", "sign", "-1, 0 or 1 by the sign of x (NaN stays NaN).", allowed=SIGNED,
           tf="tf.sign", tf_op="Sign", elementwise=True, grad=_sign_grad),
    _unary("relu", "Relu", _relu_kernel, "max(x, 0).", float_only=False, tf="tf.nn.relu", tf_op="Relu", grad=_relu_grad),
    _unary("sigmoid", "Sigmoid", _sigmoid_kernel, "1 / (1 + exp(-x)).", tf="tf.sigmoid", tf_op="Sigmoid", grad=_sigmoid_grad),
    _unary("tanh", "Tanh", "tanh", "Hyperbolic tangent.", tf="tf.tanh", tf_op="Tanh", elementwise=True, grad=_tanh_grad),
    OpDef("add_n", "AddN", ("inputs",), _add_n_infer, _add_n_kernel,
          "Sum of tensors of one shape and dtype, added in TF's order.", variadic=True,
          tf=lambda c: f"tf.math.add_n([{', '.join(c.args)}]{c.kw})",
          tf_op="AddN", tf_attrs=lambda n, a, i, o: {"N": len(i), "T": TFType(i[0].dtype)}, grad=_add_n_grad),
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
                       f"transpose_b={c.attrs['transpose_b']}{c.kw})", grad=_matmul_grad),
    OpDef("batch_matmul", "BatchMatMulV2", BINARY_INPUTS, _batch_matmul_infer, _batch_matmul_kernel,
          "Matrix products over broadcast batch dims (rank >= 2); adj_x/adj_y transpose.", typed_with=(0, 1),
          attrs=(attr("adj_x", False, checks.boolean), attr("adj_y", False, checks.boolean)),
          tf_op="BatchMatMulV2", tf_import_ops=("BatchMatMul", "BatchMatMulV3"),
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "adj_x": a["adj_x"], "adj_y": a["adj_y"]},
          tf_import=_batch_matmul_import,
          tf=lambda c: f"tf.raw_ops.BatchMatMulV2(x={c.args[0]}, y={c.args[1]}"
                       f"{_tf_bool(c.attrs, 'adj_x', 'adj_y')}{c.kw})", grad=_batch_matmul_grad),
]
