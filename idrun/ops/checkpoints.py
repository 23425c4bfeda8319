"""Checkpoints: save_v2, restore_v2 (TF's SaveV2 and RestoreV2, what `tf.compat.v1.train.Saver`
builds), reading and writing TF's V2 tensor bundle (`idrun/tf/checkpoint.py`).

Both take `[prefix, tensor_names, shape_and_slices, ...]` as TF does: a scalar string
prefix (the bundle is `PREFIX.index` and `PREFIX.data-00000-of-00001`), a vector of keys
and a vector of slice specs, which must be empty strings (idrun saves and restores whole
tensors). save_v2 then takes the tensors (a variable itself is saved by its value) and
writes the bundle atomically; it has no output. restore_v2 has one output per key, of the
dtypes in `dtypes`, shapes unknown until run (TF's shape rule: the slice's shape, unknown
for a whole tensor). The `checkpoint` state file is written by Saver's Python, not by
these ops (`idrun run --save` writes it).
"""

from __future__ import annotations

from typing import Any

from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opaque import _AnyPosition
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.state import VariableCell

FIXED = ("prefix", "tensor_names", "shape_and_slices")


def _dtypes(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("expected a non-empty list of dtypes (TF's dtypes)")
    return [checks.dtype(v) for v in value]


def _check_fixed(op: str, types, count: int | None) -> None:
    """TF's shape rules for prefix (scalar), tensor_names and shape_and_slices (vectors of
    the tensors' count), all strings."""
    for name, t in zip(FIXED, types):
        if t.dtype != "string":
            raise InferError(f"Input '{name}' of '{op}' Op has type {t.dtype} that does not match "
                             "expected type of string.")
    prefix, names, slices = types[:3]
    if prefix.shape is not None and len(prefix.shape) != 0:
        raise InferError(f"Shape must be rank 0 but is rank {len(prefix.shape)} for '{op}' (prefix)")
    for name, t in (("tensor_names", names), ("shape_and_slices", slices)):
        if t.shape is None:
            continue
        if len(t.shape) != 1:
            raise InferError(f"Shape must be rank 1 but is rank {len(t.shape)} for '{op}' ({name})")
        if count is not None and t.shape[0] is not None and t.shape[0] != count:
            raise InferError(f"Dimension 0 in both shapes must be equal, but are {t.shape[0]} and {count} "
                             f"for '{op}' ({name} and the {count} tensors)")


def _save_infer(attrs, types, consts):
    if len(types) < 4:
        raise InferError("SaveV2 takes prefix, tensor_names, shape_and_slices and at least one tensor")
    _check_fixed("SaveV2", types, len(types) - 3)
    return []


def _restore_infer(attrs, types, consts):
    if len(types) != 3:
        raise InferError(f"RestoreV2 takes prefix, tensor_names and shape_and_slices, got {len(types)} inputs")
    _check_fixed("RestoreV2", types, len(attrs["dtypes"]))
    return [TensorType(d, None) for d in attrs["dtypes"]]


def _text(value: Any) -> str:
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _texts(value: Any) -> list[str]:
    import numpy
    return [_text(v) for v in numpy.asarray(value, dtype=object).ravel()]


def _whole(op: str, names: list[str], slices: list[str], count: int) -> None:
    if len(names) != count or len(slices) != count:
        raise KernelError(f"{op}: tensor_names ({len(names)}) and shape_and_slices ({len(slices)}) "
                          f"must each have {count} elements")
    sliced = [n for n, s in zip(names, slices) if s]
    if sliced:
        raise KernelError(f"{op}: '{sliced[0]}' has a shape_and_slices spec; idrun saves and restores "
                          "whole tensors only (empty strings)")


def _save_kernel(env: KernelEnv):
    dtypes = [t.dtype for t in env.in_types[3:]]

    def save_v2(prefix, tensor_names, shape_and_slices, *tensors):
        from idrun.tf.checkpoint import CheckpointError, write_bundle
        import numpy
        names, slices = _texts(tensor_names), _texts(shape_and_slices)
        _whole("SaveV2", names, slices, len(tensors))
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise KernelError(f"Duplicate tensor name in SaveV2: {dup}")
        values = {}
        for name, dtype, value in zip(names, dtypes, tensors):
            if isinstance(value, VariableCell):
                if value.value is None:
                    raise KernelError(f"Attempting to use uninitialized value {value.name}")
                value = value.value
            values[name] = (dtype, numpy.asarray(env.device.get(value) if env.device is not None else value))
        path = _text(prefix)
        try:
            write_bundle(path, values)
        except (OSError, CheckpointError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise KernelError(f"{path}: {reason}") from None
        return None
    return save_v2


def _restore_kernel(env: KernelEnv):
    dtypes = list(env.attrs["dtypes"])

    def restore_v2(prefix, tensor_names, shape_and_slices):
        from idrun.tf.checkpoint import Bundle, CheckpointError, INDEX_SUFFIX
        import os
        names, slices = _texts(tensor_names), _texts(shape_and_slices)
        _whole("RestoreV2", names, slices, len(dtypes))
        path = _text(prefix)
        if not os.path.exists(path + INDEX_SUFFIX):
            raise KernelError(f"Unsuccessful TensorSliceReader constructor: Failed to find any matching "
                              f"files for {path}")
        try:
            bundle = Bundle(path)
            out = []
            for name, dtype in zip(names, dtypes):
                entry = bundle.entries.get(name)
                if entry is None:
                    raise KernelError(f"Key {name} not found in checkpoint")
                if entry.dtype != dtype:
                    raise KernelError(f"tensor_name = {name}; expected dtype {dtype} does not equal "
                                      f"original dtype {entry.dtype}")
                out.append(env.device.put(bundle.tensor(name)) if env.device is not None else bundle.tensor(name))
        except CheckpointError as exc:
            raise KernelError(str(exc)) from None
        return tuple(out)
    return restore_v2


def _call(fn: str, keyword: str, extra) -> Any:
    def write(c) -> str:
        args = list(c.args) + ["None"] * (3 - len(c.args))   # [prefix, names, slices, tensors...]
        prefix, names, slices, *rest = args
        return (f"tf.raw_ops.{fn}(prefix={prefix}, tensor_names={names}, shape_and_slices={slices}, "
                f"{keyword}={extra(rest, c)}{c.kw})")
    return write


OPS = [
    OpDef("save_v2", "SaveV2", ("inputs",), _save_infer, _save_kernel,
          "Writes the tensors to TF's V2 checkpoint at prefix (PREFIX.index and "
          "PREFIX.data-00000-of-00001), keyed by tensor_names: inputs are [prefix, tensor_names, "
          "shape_and_slices (empty strings), t0, t1, ...]; a variable is saved by its value.",
          variadic=True, min_inputs=4, variable_inputs=_AnyPosition((3,)), stateful=True, gpu=False,
          tf_op="SaveV2",
          tf_attrs=lambda n, a, i, o: {"dtypes": [TFType(t.dtype) for t in i[3:]]},
          tf=_call("SaveV2", "tensors", lambda rest, c: "[" + ", ".join(rest) + "]")),
    OpDef("restore_v2", "RestoreV2", ("inputs",), _restore_infer, _restore_kernel,
          "Reads the tensors tensor_names of TF's V2 checkpoint at prefix, one output each of the "
          "dtypes in `dtypes`: inputs are [prefix, tensor_names, shape_and_slices (empty strings)].",
          attrs=(attr("dtypes", check=_dtypes),),
          variadic=True, min_inputs=3, multi_output=True, stateful=True, gpu=False,
          tf_op="RestoreV2",
          tf_attrs=lambda n, a, i, o: {"dtypes": [TFType(d) for d in a["dtypes"]]},
          tf_import=lambda t, c: {"dtypes": list(t["dtypes"])},
          tf=_call("RestoreV2", "dtypes", lambda rest, c: "[" + ", ".join(
              f"tf.{d}" for d in c.attrs["dtypes"] or ()) + "]")),
]
