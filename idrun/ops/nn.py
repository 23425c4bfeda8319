"""Neural-network ops: conv2d, bias_add, embedding_lookup (array-module generic)."""

from __future__ import annotations

from idrun.dtypes import is_int
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, OpDef, TFType, attr
from idrun.ops.shapes import same_dtype
from idrun.ops.state import _read_kernel


def _strides(value) -> list[int]:
    """`2`, `[2, 2]` or TF's `[1, 2, 2, 1]` -> [sh, sw]."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [checks.positive(value)] * 2
    if isinstance(value, list) and len(value) == 4 and value[0] == value[3] == 1:
        return [checks.positive(value[1]), checks.positive(value[2])]
    if isinstance(value, list) and len(value) == 2:
        return [checks.positive(v) for v in value]
    raise ValueError(f"strides must be N, [sh, sw] or [1, sh, sw, 1], got {value!r}")


def conv_out(size, k: int, stride: int, padding: str):
    if size is None:
        return None
    if padding == "SAME":
        return -(-size // stride)
    return (size - k) // stride + 1


def _conv2d_infer(attrs, types, consts):
    dtype = same_dtype(types, ("input", "filter"), "Conv2D")
    x, f = types[0].shape, types[1].shape
    if x is not None and len(x) != 4 or f is not None and len(f) != 4:
        raise InferError("conv2d needs a rank-4 NHWC input and a rank-4 HWIO filter")
    if x is None or f is None:
        return [TensorType(dtype, None)]
    if None not in (x[3], f[2]) and x[3] != f[2]:
        raise InferError(f"input depth {x[3]} does not match filter in-channels {f[2]}")
    sh, sw = attrs["strides"]
    h, w = conv_out(x[1], f[0], sh, attrs["padding"]), conv_out(x[2], f[1], sw, attrs["padding"])
    if (h is not None and h <= 0) or (w is not None and w <= 0):
        raise InferError(f"filter {list(f[:2])} is larger than the input {list(x[1:3])} (VALID)")
    return [TensorType(dtype, (x[0], h, w, f[3]))]


def _pads(size: int, k: int, stride: int, padding: str) -> tuple[int, int]:
    if padding == "VALID":
        return 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def _conv2d_kernel(env: KernelEnv):
    xp, (sh, sw), padding = env.xp, env.attrs["strides"], env.attrs["padding"]

    def conv2d(x, f):
        kh, kw = f.shape[0], f.shape[1]
        (pt, pb), (pl, pr) = _pads(x.shape[1], kh, sh, padding), _pads(x.shape[2], kw, sw, padding)
        if pt or pb or pl or pr:
            x = xp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
        oh, ow = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
        out = xp.zeros((x.shape[0], oh, ow, f.shape[3]), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                patch = x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]
                out += xp.tensordot(patch, f[i, j], axes=([3], [0]))
        return out
    return conv2d


def _bias_add_infer(attrs, types, consts):
    dtype = same_dtype(types, ("value", "bias"), "BiasAdd")
    value, bias = types[0].shape, types[1].shape
    if bias is not None and len(bias) != 1:
        raise InferError(f"bias must be rank 1, got shape {list(bias)}")
    if value is not None and bias is not None and None not in (value[-1], bias[0]) and value[-1] != bias[0]:
        raise InferError(f"bias of size {bias[0]} does not match the last dimension {value[-1]}")
    return [TensorType(dtype, value)]


def _embedding_infer(attrs, types, consts):
    params, ids = types
    if not is_int(ids.dtype):
        raise InferError(f"ids must be integers, got {ids.dtype}")
    if params.shape is None or ids.shape is None:
        return [TensorType(params.dtype, None)]
    return [TensorType(params.dtype, tuple(ids.shape) + tuple(params.shape[1:]))]


def _embedding_kernel(env: KernelEnv):
    xp = env.xp
    if 0 in env.ref_positions:  # params is the variable itself: gather where it lives
        read = _read_kernel(env)  # TF's error for a variable never initialized
        return lambda cell, ids: xp.take(read(cell), ids, axis=0)
    return lambda params, ids: xp.take(params, ids, axis=0)


OPS = [
    OpDef("conv2d", "Conv2D", ("input", "filter"), _conv2d_infer, _conv2d_kernel,
          "2-D convolution of an NHWC input with an HWIO filter.", typed_with=(0, 1),
          attrs=(attr("strides", [1, 1, 1, 1], _strides), attr("padding", check=checks.padding)),
          tf=lambda c: f"tf.nn.conv2d({c.args[0]}, {c.args[1]}, strides=[1, {c.attrs['strides'][0]}, "
                       f"{c.attrs['strides'][1]}, 1], padding={c.attrs['padding']!r}{c.kw})",
          tf_op="Conv2D",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "strides": [1, *a["strides"], 1],
                                       "padding": a["padding"], "data_format": "NHWC",
                                       "dilations": [1, 1, 1, 1], "use_cudnn_on_gpu": True},
          tf_import=lambda t, c: {"strides": list(t.get("strides", [1, 1, 1, 1]))[1:3],
                                  "padding": t["padding"]}),
    OpDef("bias_add", "BiasAdd", ("value", "bias"), _bias_add_infer,
          lambda env: env.xp.add, "value + bias along the last dimension.", typed_with=(0, 1),
          tf="tf.nn.bias_add", tf_op="BiasAdd",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "data_format": "NHWC"}),
    OpDef("embedding_lookup", "embedding_lookup", ("params", "ids"), _embedding_infer,
          _embedding_kernel, "Rows of params by id: a gather with params (built under "
          "colocate_with(params), as TF's), then `<name>/Identity`, which the name refers to.",
          variable_inputs=(0,), colocate_input=0, returns_identity=True, variable_group=True,
          tf="tf.nn.embedding_lookup",
          helpers=lambda a, on_handle: () if on_handle else ("axis",)),  # ResourceGather: none
]
