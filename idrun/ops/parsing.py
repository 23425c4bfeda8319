"""parse_example: serialized tf.train.Example records -> dense tensors, sorted by key (E5)."""

from __future__ import annotations

from typing import Any

from idrun.graph import TensorType
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, attr, py_literal

KINDS = {"float32": "float_list", "int64": "int64_list", "string": "bytes_list"}
TF_KIND_NAMES = {"float32": "float", "int64": "int64", "string": "string"}


def _features(value: Any) -> dict:
    if not isinstance(value, dict) or not value:
        raise ValueError("features must map each key to {shape: [...], dtype: float32|int64|string}")
    from idrun.dtypes import normalize_dtype
    from idrun.ops import checks
    out = {}
    for key, spec in value.items():
        if not isinstance(spec, dict) or set(spec) - {"shape", "dtype", "default"}:
            raise ValueError(f"feature '{key}' needs {{shape, dtype, default?}}")
        dtype = normalize_dtype(spec.get("dtype", "float32"))
        if dtype not in KINDS:
            raise ValueError(f"feature '{key}': dtype must be float32, int64 or string, got {dtype}")
        shape = checks.shape(spec.get("shape", []))
        if None in shape:
            raise ValueError(f"feature '{key}': a dense feature needs a fully known shape")
        out[str(key)] = {"shape": shape, "dtype": dtype, "default": spec.get("default")}
    return out


def _infer(attrs, types, consts):
    if types[0].dtype != "string":
        raise InferError(f"serialized must be a string tensor, got {types[0].dtype}")
    batch = types[0].shape
    if batch is not None and len(batch) > 1:
        raise InferError(f"serialized must be a vector of records, got shape {list(batch)}")
    lead = () if batch == () else ((batch[0],) if batch else (None,))
    return [TensorType(f["dtype"], lead + tuple(f["shape"]))
            for _, f in sorted(attrs["features"].items())]


def _kernel(env: KernelEnv):
    import numpy
    from idrun.ops.example_proto import example_class
    cls, xp = example_class(), env.xp
    features = sorted(env.attrs["features"].items())

    def dense(record: bytes, key: str, spec: dict):
        msg = cls()
        msg.ParseFromString(record)
        if key in msg.features.feature:
            feature = msg.features.feature[key]
            kind = feature.WhichOneof("kind")
            if kind != KINDS[spec["dtype"]]:
                raise KernelError(f"Feature: {key}. Data types don't match. Expected type: "
                                  f"{TF_KIND_NAMES[spec['dtype']]}, Actual type: {kind}")
            values = list(getattr(feature, kind).value)
        elif spec["default"] is not None:
            values = spec["default"] if isinstance(spec["default"], list) else [spec["default"]]
        else:
            raise KernelError(f"Feature: {key} (data type: {TF_KIND_NAMES[spec['dtype']]}) is "
                              "required but could not be found.")
        size = int(numpy.prod(spec["shape"], dtype=numpy.int64))
        if len(values) != size:
            raise KernelError(f"Key: {key}. Can't parse serialized Example: expected "
                              f"{size} values for shape {spec['shape']}, got {len(values)}")
        dtype = object if spec["dtype"] == "string" else spec["dtype"]
        return numpy.array(values, dtype=dtype).reshape(spec["shape"])

    def parse_example(serialized):
        records = numpy.asarray(serialized, dtype=object)
        flat = records.reshape(-1)
        outs = []
        for key, spec in features:
            rows = [dense(bytes(r), key, spec) for r in flat]
            stacked = numpy.stack(rows) if rows else numpy.zeros((0, *spec["shape"]))
            outs.append(xp.asarray(stacked.reshape(records.shape + tuple(spec["shape"]))))
        return tuple(outs)
    return parse_example


OPS = [
    OpDef("parse_example", "ParseExample", ("serialized",), _infer, _kernel,
          "Dense features of serialized tf.train.Example records; outputs name:K by sorted key.",
          attrs=(attr("features", check=_features),), multi_output=True, gpu=False,
          tf=lambda c: f"F_parse_example({c.args[0]}, {py_literal(c.attrs['features'])}{c.kw})"),
]
