"""TF's random ops with TF's own numbers: random_uniform, random_normal, truncated_normal,
random_shuffle, and their raw forms for shapes computed at run time.

Each op is what TF's Python function returns, as one node: `tf.random.uniform(shape,
minval, maxval, dtype, seed)` is RandomUniform (or RandomUniformInt) and, unless
minval/maxval are the integers 0 and 1, TF's `* (maxval - minval) + minval` in the
dtype; `tf.random.normal` and `tf.random.truncated_normal` are RandomStandardNormal
and TruncatedNormal then `* stddev + mean`. The values are TF's bit for bit on CPU
(idrun/ops/philox.py): the generator is keyed by the node's TF seeds and its counter
is kept by the session (`KernelEnv.state`), so each step draws TF's next numbers.

Seeds follow TF's `get_seed`: `seed` is the op seed, `graph_seed` the graph's
(`tf.compat.v1.set_random_seed`). An op seed alone gives the TF attributes
(seed=87654321, seed2=seed); both give (graph_seed, seed); neither gives (0, 0), for
which TF draws a fresh random key each session and idrun derives one from the node's
name, so a run repeats. A graph seed without an op seed is refused: TF would number
the seedless ops of the graph. An imported node keeps its TF attributes this way
(`idrun import`). Its shape input is a helper constant (`<op>/shape`); where it is computed
(tf.nn.dropout's `RandomUniform(Shape(x))`), or RandomUniformInt's bounds are, the node
becomes the raw op (`random_uniform_raw`, `random_standard_normal_raw`,
`truncated_normal_raw`, `random_uniform_int_raw`: tf.raw_ops.* with the shape as a tensor
input), which reads the shape each run and draws the same numbers from the same stream.
Their names are TF's generated op names (gen_random_ops.random_uniform ...) with `_raw`,
since three of those are the attribute forms' names already.
"""

from __future__ import annotations

from idrun.dtypes import is_float
from idrun.errors import SpecError
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.gradlib import no_gradient
from idrun.ops.math import check_allowed
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.shape_ops import flat
from idrun.ops.shapes import bounded, format_dims

DEFAULT_GRAPH_SEED = 87654321     # tensorflow/python/framework/random_seed.py
MAXINT32 = 2**31 - 1              # get_seed truncates seeds modulo this
UNIFORM_DTYPES = ("float16", "float32", "float64", "int32", "int64")
NORMAL_DTYPES = ("float16", "float32", "float64")


def tf_seeds(seed: int | None, graph_seed: int | None) -> tuple[int, int]:
    """The node's TF attributes (seed, seed2), as TF's `random_seed.get_seed` makes them."""
    if graph_seed is not None:
        if seed is None:
            raise InferError("a `graph_seed` needs an op `seed` too (TF numbers the seedless ops of a "
                             "seeded graph)")
        seeds = (graph_seed % MAXINT32, seed % MAXINT32)
    elif seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, seed % MAXINT32)
    else:
        return (0, 0)
    return (0, MAXINT32) if seeds == (0, 0) else seeds


def _import_seeds(tf_attrs: dict) -> dict:
    """A node's TF (seed, seed2) as idrun's `seed` and `graph_seed` (see tf_seeds)."""
    first, second = tf_attrs.get("seed", 0), tf_attrs.get("seed2", 0)
    if (first, second) == (0, 0):
        return {}
    if first == DEFAULT_GRAPH_SEED:
        return {"seed": second}
    return {"graph_seed": first, "seed": second}


def _number(value):
    """A bound as written: TF's Python treats the integers 0 and 1 apart from 0.0 and 1.0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return value


def _shape_of(attrs) -> tuple:
    shape = attrs["shape"]
    if shape is None or None in shape:
        raise InferError("random ops need a fully known `shape`")
    return tuple(shape)


def _uniform_infer(attrs, types, consts):
    dtype = attrs["dtype"]
    if dtype not in UNIFORM_DTYPES:
        raise InferError(f"Argument `dtype` got invalid value {dtype}. Accepted dtypes are "
                         f"{', '.join(UNIFORM_DTYPES)}.")
    if not is_float(dtype):
        if attrs["maxval"] is None:
            raise InferError(f"Must specify maxval for integer dtype {dtype}")
        lo, hi = attrs["minval"], attrs["maxval"]
        if not (isinstance(lo, int) and isinstance(hi, int)):
            raise InferError(f"minval and maxval must be integers for dtype {dtype}")
        if lo >= hi:
            raise InferError(f"Need minval < maxval, got {lo} >= {hi}")
    tf_seeds(attrs["seed"], attrs["graph_seed"])
    return [TensorType(dtype, _shape_of(attrs))]


def _uniform_int_infer(attrs, types, consts):
    if attrs["dtype"] not in ("int32", "int64"):
        raise InferError(f"RandomUniformInt makes int32 or int64, got {attrs['dtype']}")
    return _uniform_infer(attrs, types, consts)


def _normal_infer(attrs, types, consts):
    if attrs["dtype"] not in NORMAL_DTYPES:
        raise InferError(f"random values must be a float dtype (float16, float32, float64), "
                         f"got {attrs['dtype']}")
    tf_seeds(attrs["seed"], attrs["graph_seed"])
    return [TensorType(attrs["dtype"], _shape_of(attrs))]


def _stream(env: KernelEnv):
    """The node's Philox generator: made once per session, shared by every plan."""
    from idrun.ops import philox
    if "philox" not in env.state:
        seed, seed2 = tf_seeds(env.attrs["seed"], env.attrs["graph_seed"])
        if (seed, seed2) == (0, 0):   # TF: a fresh random key; idrun: one from the name
            import zlib
            seed = zlib.crc32(env.node.encode("utf-8"))
        env.state["philox"] = philox.PhiloxState(seed, seed2)
    return philox, env.state["philox"]


def _sampler(env: KernelEnv, draw):
    """`sample(shape)` drawing `draw(philox, key, counter, size, dtype)`: each run reserves
    size * 256 generator calls, as TF's ReserveRandomOutputs(size, 256). The shape is the
    attribute's, or (the raw ops) the one the shape input holds at that run."""
    philox, stream = _stream(env)
    dtype = env.out_types[0].dtype

    def sample(shape: tuple):
        size = 1
        for d in bounded(shape, "the random tensor"):
            size *= d
        counter = stream.reserve(size * philox.RESERVED_PER_OUTPUT)
        return draw(philox, stream.key, counter, size, dtype).reshape(shape)
    return sample


def _uniform_kernel(env: KernelEnv):
    a, xp, shape = env.attrs, env.xp, env.out_types[0].shape
    if not is_float(a["dtype"]):
        lo, hi = a["minval"], a["maxval"]
        sample = _sampler(env, lambda p, k, c, n, d: p.uniform_int(k, c, n, d, lo, hi))
        return lambda: xp.asarray(sample(shape))
    sample = _draw(env, "uniform")
    import numpy as np
    dtype = np.dtype(a["dtype"])
    lo, hi = dtype.type(a["minval"]), dtype.type(1 if a["maxval"] is None else a["maxval"])
    if _raw_uniform(a):
        return lambda: xp.asarray(sample(shape))
    if a["minval"] == 0 and isinstance(a["minval"], int):   # TF: multiply(result, maxval)
        return lambda: xp.asarray(sample(shape) * hi)
    span = hi - lo                                             # TF: result * (max - min) + min
    return lambda: xp.asarray(sample(shape) * span + lo)


def _raw_uniform(a) -> bool:
    """TF's Python makes RandomUniform alone for the integer bounds 0 and 1 (maxval None is 1)."""
    def is_int(value, n):
        return isinstance(value, int) and value == n
    return is_int(a["minval"], 0) and (a["maxval"] is None or is_int(a["maxval"], 1))


def _draw(env: KernelEnv, draw_name: str):
    """The sampler of a float distribution of idrun/ops/philox.py (uniform, normal, truncated_normal)."""
    return _sampler(env, lambda p, k, c, n, d: getattr(p, draw_name)(k, c, n, d))


def _scaled_kernel(draw_name: str):
    def kernel(env: KernelEnv):
        import numpy as np
        sample, xp, shape = _draw(env, draw_name), env.xp, env.out_types[0].shape
        dtype = np.dtype(env.attrs["dtype"])
        mean, stddev = dtype.type(env.attrs["mean"]), dtype.type(env.attrs["stddev"])
        return lambda: xp.asarray(sample(shape) * stddev + mean)   # TF: rnd * stddev, then + mean
    return kernel


def _shuffle_infer(attrs, types, consts):
    tf_seeds(attrs["seed"], attrs["graph_seed"])
    return [types[0]]


def _shuffle_kernel(env: KernelEnv):
    philox, stream = _stream(env)
    xp = env.xp

    def shuffle(value):
        if value.size <= 1 or value.shape[0] <= 1:  # TF copies it through, reserving nothing
            return value
        n = value.shape[0]
        counter = stream.reserve(philox.shuffle_calls(n))
        perm = philox.shuffle_permutation(stream.key, counter, n)
        return value[xp.asarray(perm)]
    return shuffle


# ---- TF export and import ---------------------------------------------------------------

def _seed_kw(a) -> str:
    return "" if a["seed"] is None else f", seed={a['seed']}"


def _with_graph_seed(a, call: str) -> str:
    """TF reads the graph's seed when the op is made: set it around the call."""
    if a["graph_seed"] is None:
        return call
    return f"(setattr(g, 'seed', {a['graph_seed']}), {call}, setattr(g, 'seed', None))[1]"


def _uniform_tf(c) -> str:
    a = c.attrs
    bounds = f"minval={a['minval']!r}" + ("" if a["maxval"] is None else f", maxval={a['maxval']!r}")
    return _with_graph_seed(a, f"tf.random.uniform({a['shape']!r}, {bounds}, dtype=tf.{a['dtype']}"
                               f"{_seed_kw(a)}{c.kw})")


def _normal_tf(function: str):
    def write(c) -> str:
        a = c.attrs
        return _with_graph_seed(a, f"{function}({a['shape']!r}, mean={a['mean']!r}, "
                                   f"stddev={a['stddev']!r}, dtype=tf.{a['dtype']}{_seed_kw(a)}{c.kw})")
    return write


def _shuffle_tf(c) -> str:
    return _with_graph_seed(c.attrs, f"tf.random.shuffle({c.args[0]}{_seed_kw(c.attrs)}{c.kw})")


def _tf_seed_attrs(a) -> dict:
    seed, seed2 = tf_seeds(a["seed"], a["graph_seed"])
    return {"seed": seed, "seed2": seed2}


def _graphdef_attrs(name: str, single: bool, a) -> dict:
    """The TF op's attributes, when TF's Python makes that op alone; else a SpecError."""
    if not single:
        raise SpecError(f"export: '{name}' is several TF ops, or another TF op type, in TF's "
                        "Python (bounds, mean or stddev other than the defaults, or integers); "
                        "idrun's GraphDef export writes only the plain op (use --format tf-python)")
    return {"T": TFType("int32"), "dtype": TFType(a["dtype"]), **_tf_seed_attrs(a)}


def _import_shape(consts) -> list:
    if not consts or consts[0] is None:
        raise ValueError("its shape input is not a constant; idrun's random ops need a constant shape")
    return [int(d) for d in flat(consts[0])]


def _float_import(raw_name: str):
    """A node's idrun attributes: the attribute form for a constant shape, else the raw op."""
    def read(tf_attrs, consts) -> dict:
        if consts and consts[0] is None:   # computed: tf.nn.dropout's RandomUniform(Shape(x))
            return {"op": raw_name, "dtype": tf_attrs["dtype"], **_import_seeds(tf_attrs)}
        return {"shape": _import_shape(consts), "dtype": tf_attrs["dtype"], **_import_seeds(tf_attrs)}
    return read


def _uniform_int_import(tf_attrs, consts) -> dict:
    if len(consts) == 3 and None in consts:   # a computed shape, minval or maxval
        return {"op": "random_uniform_int_raw", **_import_seeds(tf_attrs)}
    if len(consts) < 3:
        raise ValueError("it has no minval and maxval inputs")
    return {"shape": _import_shape(consts), "dtype": tf_attrs["Tout"], "minval": int(consts[1]),
            "maxval": int(consts[2]), **_import_seeds(tf_attrs)}


def _uniform_int_attrs(name: str, a, in_types) -> dict:
    if any(t.dtype != a["dtype"] for t in in_types[1:]):
        raise SpecError(f"export: '{name}': its minval and maxval constants are not {a['dtype']} "
                        "(use --format tf-python)")
    return {"T": TFType("int32"), "Tout": TFType(a["dtype"]), **_tf_seed_attrs(a)}


def _uniform_helpers(a, on_handle) -> tuple[str, ...]:
    """The constants TF's Python makes: `shape`, and `min`/`max` for RandomUniformInt's inputs."""
    return ("shape",) if is_float(a["dtype"]) or a["dtype"] not in UNIFORM_DTYPES else ("shape", "min", "max")


def _uniform_helper_values(a, in_types) -> list:
    return [a["shape"], a["minval"], a["maxval"]]


_SEEDS = (attr("seed", None, checks.integer, "TF's op seed (tf.random.*(seed=...))"),
          attr("graph_seed", None, checks.integer, "the graph's seed (tf.compat.v1.set_random_seed)"))
_SHAPED = (attr("shape", check=checks.shape),) + _SEEDS
_SCALE = (attr("mean", 0.0, checks.number), attr("stddev", 1.0, checks.number),
          attr("dtype", "float32", checks.dtype))


def _normal_op(name: str, tf_op: str, draw: str, doc: str, function: str, raw_name: str) -> OpDef:
    return OpDef(name, name, (), _normal_infer, _scaled_kernel(draw), doc, attrs=_SHAPED + _SCALE,
                 stateful=True, helpers=lambda a, on_handle: ("shape",),
                 tf_helper_values=lambda a, i: [a["shape"]], tf=_normal_tf(function), tf_op=tf_op,
                 tf_attrs=lambda n, a, i, o: _graphdef_attrs(n, a["mean"] == 0 and a["stddev"] == 1, a),
                 tf_import=_float_import(raw_name), grad=no_gradient)   # TF: NotDifferentiable


# ---- the raw ops (tf.raw_ops.RandomUniform, ...): the shape is a tensor input ------------
# What `idrun import` makes of a random op whose shape input is computed: tf.nn.dropout on a
# [None, n] tensor draws RandomUniform(Shape(x)), initializers draw shapes they compute.
# Each run reads the shape and reserves size * 256 generator calls, as TF's kernel does, from
# the same per-node stream (`_stream`) as the attribute forms. The output's shape is the
# constant's, if the shape is one; else its rank is the shape input's static length, if known.

def _raw_shape(types, consts) -> tuple | None:
    """The output shape TF infers from a shape input (MakeShapeFromShapeTensor)."""
    t = types[0]
    check_allowed(t.dtype, ("int32", "int64"), "shape")
    if t.shape is not None and len(t.shape) != 1:
        raise InferError(f"Shape must be rank 1 but is rank {len(t.shape)} (the shape input: "
                         f"{format_dims(t.shape)})")
    dims = flat(consts[0])
    if dims is not None:
        for d in dims:
            if d < -1:
                raise InferError(f"Invalid value in tensor used for shape: {d}")
        return tuple(None if d == -1 else d for d in dims)
    if t.shape is not None and t.shape[0] is not None:
        return (None,) * t.shape[0]
    return None


def _raw_float_infer(attrs, types, consts):
    check_allowed(attrs["dtype"], NORMAL_DTYPES, "dtype")
    tf_seeds(attrs["seed"], attrs["graph_seed"])
    return [TensorType(attrs["dtype"], _raw_shape(types, consts))]


def _raw_int_infer(attrs, types, consts):
    shape = _raw_shape(types, consts)
    for t, param in zip(types[1:], ("minval", "maxval")):
        check_allowed(t.dtype, ("int32", "int64"), param)
        if t.shape is not None and t.shape != ():
            raise InferError(f"{param} must be a scalar; got a tensor of shape {format_dims(t.shape)}")
    if types[1].dtype != types[2].dtype:
        raise InferError(f"minval and maxval must have the same dtype (TF's Tout), got {types[1].dtype} "
                         f"and {types[2].dtype}")
    tf_seeds(attrs["seed"], attrs["graph_seed"])
    return [TensorType(types[1].dtype, shape)]


def _run_shape(value) -> tuple:
    """The shape a shape input holds at run time, checked as TF's AllocateOutputWithShape."""
    if value.ndim != 1:
        raise KernelError(f"shape must be a vector of {{int32,int64}}, got shape {format_dims(value.shape)}")
    dims = tuple(int(d) for d in value.tolist())
    for d in dims:
        if d < 0:
            raise KernelError(f"Dimension {d} must be >= 0")
    return dims


def _raw_float_kernel(draw_name: str):
    def kernel(env: KernelEnv):
        sample, xp = _draw(env, draw_name), env.xp
        return lambda shape: xp.asarray(sample(_run_shape(shape)))
    return kernel


def _raw_int_kernel(env: KernelEnv):
    xp = env.xp

    def uniform_int(shape, minval, maxval):
        for value, param in ((minval, "minval"), (maxval, "maxval")):
            if value.ndim:
                raise KernelError(f"{param} must be 0-D, got shape {format_dims(value.shape)}")
        dims = _run_shape(shape)
        lo, hi = int(minval), int(maxval)
        if 0 not in dims and lo >= hi:   # TF: checked after the early exit for an empty output
            raise KernelError(f"Need minval < maxval, got {lo} >= {hi}")
        sample = _sampler(env, lambda p, k, c, n, d: p.uniform_int(k, c, n, d, lo, hi))
        return xp.asarray(sample(dims))
    return uniform_int


def _raw_seed_kw(a) -> str:
    seed, seed2 = tf_seeds(a["seed"], a["graph_seed"])
    return f"seed={seed}, seed2={seed2}"


def _raw_float_op(name: str, tf_op: str, draw: str, doc: str) -> OpDef:
    return OpDef(name, tf_op, ("shape",), _raw_float_infer, _raw_float_kernel(draw),
                 f"tf.raw_ops.{tf_op}: {doc}, shaped by the shape input at each run (imported computed shapes).",
                 attrs=_SEEDS + (attr("dtype", "float32", checks.dtype),), stateful=True, tf_op=tf_op,
                 grad=no_gradient,   # TF: NotDifferentiable
                 tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "dtype": TFType(a["dtype"]),
                                              **_tf_seed_attrs(a)},
                 tf=lambda c: f"tf.raw_ops.{tf_op}(shape={c.args[0]}, dtype=tf.{c.attrs['dtype']}, "
                              f"{_raw_seed_kw(c.attrs)}{c.kw})")


RAW_OPS = [
    _raw_float_op("random_uniform_raw", "RandomUniform", "uniform", "TF's uniform samples in [0, 1)"),
    _raw_float_op("random_standard_normal_raw", "RandomStandardNormal", "normal",
                  "TF's standard normal samples (Box-Muller)"),
    _raw_float_op("truncated_normal_raw", "TruncatedNormal", "truncated_normal",
                  "TF's standard normal samples within 2 of 0"),
    OpDef("random_uniform_int_raw", "RandomUniformInt", ("shape", "minval", "maxval"), _raw_int_infer,
          _raw_int_kernel, "tf.raw_ops.RandomUniformInt: TF's integers in [minval, maxval), of minval's dtype, "
          "shaped by the shape input at each run (imported computed shapes or bounds).",
          attrs=_SEEDS, stateful=True, typed_with=(1, 2), tf_op="RandomUniformInt",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tout": TFType(i[1].dtype), **_tf_seed_attrs(a)},
          tf=lambda c: f"tf.raw_ops.RandomUniformInt(shape={c.args[0]}, minval={c.args[1]}, maxval={c.args[2]}, "
                       f"{_raw_seed_kw(c.attrs)}{c.kw})"),
]


_BOUNDS = (attr("minval", 0, _number), attr("maxval", None, _number))

OPS = [
    OpDef("random_uniform", "random_uniform", (), _uniform_infer, _uniform_kernel,
          "TF's uniform samples in [minval, maxval) (floats, or int32/int64 with maxval), new each step.",
          attrs=_SHAPED + _BOUNDS + (attr("dtype", "float32", checks.dtype),),
          stateful=True, helpers=_uniform_helpers, tf_helper_values=_uniform_helper_values,
          tf=_uniform_tf, tf_op="RandomUniform",
          tf_attrs=lambda n, a, i, o: _graphdef_attrs(n, is_float(a["dtype"]) and _raw_uniform(a), a),
          tf_import=_float_import("random_uniform_raw"), grad=no_gradient),   # TF: NotDifferentiable
    OpDef("random_uniform_int", "random_uniform", (), _uniform_int_infer, _uniform_kernel,
          "TF's RandomUniformInt: integers in [minval, maxval), new each step (TF's tf.random.uniform "
          "with an integer dtype).",
          attrs=_SHAPED + _BOUNDS + (attr("dtype", "int32", checks.dtype),),
          stateful=True, helpers=_uniform_helpers, tf_helper_values=_uniform_helper_values,
          tf=_uniform_tf, tf_op="RandomUniformInt", tf_attrs=lambda n, a, i, o: _uniform_int_attrs(n, a, i),
          tf_import=_uniform_int_import),
    _normal_op("random_normal", "RandomStandardNormal", "normal",
               "TF's normal samples (Box-Muller) * stddev + mean, new each step.", "tf.random.normal",
               "random_standard_normal_raw"),
    _normal_op("truncated_normal", "TruncatedNormal", "truncated_normal",
               "TF's normal samples within 2 of 0, * stddev + mean, new each step.",
               "tf.random.truncated_normal", "truncated_normal_raw"),
    OpDef("random_shuffle", "RandomShuffle", ("value",), _shuffle_infer, _shuffle_kernel,
          "The rows of value in TF's random order, new each step.", attrs=_SEEDS, stateful=True,
          tf=_shuffle_tf, tf_op="RandomShuffle",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), **_tf_seed_attrs(a)},
          tf_import=lambda t, c: _import_seeds(t), grad=no_gradient),   # TF: NotDifferentiable
    *RAW_OPS,
]
