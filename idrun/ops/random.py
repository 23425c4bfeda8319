"""Seeded random tensors: random_normal, random_uniform.

idrun's own generator (PCG64 via the array module's `default_rng`), one
stream per node kept by the session, so a run is reproducible and each step
draws new values. Not comparable with TF's generator.
"""

from __future__ import annotations

from idrun.dtypes import is_float
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, OpDef, attr


def _infer(attrs, types, consts):
    if not is_float(attrs["dtype"]):
        raise InferError(f"random values must be a float dtype, got {attrs['dtype']}")
    if attrs["shape"] is None or None in attrs["shape"]:
        raise InferError("random ops need a fully known `shape`")
    return [TensorType(attrs["dtype"], tuple(attrs["shape"]))]


def _generator(env: KernelEnv):
    """The node's stream: made once per session, shared by every plan."""
    if "rng" not in env.state:
        seed = env.attrs["seed"]
        if seed is None:
            import zlib   # only for an unseeded op, when its kernel is made
            seed = zlib.crc32(env.node.encode("utf-8"))
        env.state["rng"] = env.xp.random.default_rng(seed)
    return env.state["rng"]


def _normal_kernel(env: KernelEnv):
    rng, a = _generator(env), env.attrs
    shape, dtype = tuple(a["shape"]), env.out_types[0].dtype
    mean, std = env.xp.asarray(a["mean"], dtype), env.xp.asarray(a["stddev"], dtype)
    return lambda: (rng.standard_normal(shape).astype(dtype) * std + mean)


def _uniform_kernel(env: KernelEnv):
    rng, a = _generator(env), env.attrs
    shape, dtype = tuple(a["shape"]), env.out_types[0].dtype
    low, span = env.xp.asarray(a["minval"], dtype), env.xp.asarray(a["maxval"] - a["minval"], dtype)
    return lambda: (rng.random(shape).astype(dtype) * span + low)


_COMMON = (attr("shape", check=checks.shape), attr("seed", None, checks.integer),
           attr("dtype", "float32", checks.dtype))

OPS = [
    OpDef("random_normal", "random_normal", (), _infer, _normal_kernel,
          "Normal samples, new each step (seeded; a default seed from the node name).",
          attrs=_COMMON + (attr("mean", 0.0, checks.number), attr("stddev", 1.0, checks.number)),
          stateful=True, tf_unsupported="TF's own generator draws other numbers"),
    OpDef("random_uniform", "random_uniform", (), _infer, _uniform_kernel,
          "Uniform samples in [minval, maxval), new each step (seeded).",
          attrs=_COMMON + (attr("minval", 0.0, checks.number), attr("maxval", 1.0, checks.number)),
          stateful=True, tf_unsupported="TF's own generator draws other numbers"),
]
