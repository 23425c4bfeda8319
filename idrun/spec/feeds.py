"""Feed values: literals, `{file: x.npy}` and `@x.npy`, converted to the fed tensor's type.

A spec's own `{file: ...}` feeds read only files inside the spec's directory tree
(a spec someone sent must not read `../../secret.npy` and print it), unless the
user allows it (`--allow-outside-files`); `--feed NAME=@path` is the user's choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy

from idrun import limits
from idrun.dtypes import literal_type
from idrun.errors import SourceLoc, SpecError, UsageError
from idrun.graph import Graph, TensorRef
from idrun.arrays import host_array, numpy_dtype
from idrun.ops.opaque import UNKNOWN_DTYPE


def feed_value(graph: Graph, ref: TensorRef, value: Any, loc: SourceLoc | None,
               base: Path | None, outside_ok: bool = False) -> Any:
    """A host array for `ref`, or a located error (exit 2). `base`: the spec's directory,
    for the spec's own file feeds (None for the command line's)."""
    t = graph.nodes[ref.node].outputs[ref.index]
    known = t.dtype != UNKNOWN_DTYPE   # an imported opaque node's output: the value's own type
    try:
        if _is_file(value):
            array = _load(value, base, outside_ok)
        else:
            array = _literal(value, t.dtype if known else literal_type(value)[0])
        if known:
            target = numpy_dtype(t.dtype)
            if array.dtype.kind == "c" and numpy.dtype(target).kind != "c":
                raise ValueError(f"its file holds complex values ({array.dtype}), which {t.dtype} "
                                 "cannot hold (TF: Cannot convert a complex tensor to a real one)")
            array = array.astype(target, copy=False)
    except (ValueError, OSError, TypeError) as exc:
        raise _error(loc, f"cannot feed '{ref}': {exc}") from None
    if t.shape is not None and not _fits(array.shape, t.shape):
        shape = "(" + ", ".join("?" if d is None else str(d) for d in t.shape) + ("," if len(t.shape) == 1 else "") + ")"
        raise _error(loc, f"Cannot feed value of shape {array.shape} for Tensor {ref}, "
                          f"which has shape {shape}")
    return array


def _is_file(value: Any) -> bool:
    return (isinstance(value, str) and value.startswith("@")) or (
        isinstance(value, dict) and set(value) == {"file"})


def _load(value: Any, base: Path | None, outside_ok: bool) -> Any:
    path = Path(value[1:] if isinstance(value, str) else value["file"])
    if base is not None:
        path = _inside(base, path, outside_ok)
    limits.check_regular_file(path, "a feed")
    if path.suffix == ".tfrecord":
        return numpy.array(read_tfrecord(path), dtype=object)
    _check_npy_header(path)
    try:
        return numpy.load(path, allow_pickle=False)
    except (ValueError, EOFError):  # numpy's own advice (allow_pickle) would be unsafe
        raise ValueError(f"{path} is not a valid .npy file") from None


def _check_npy_header(path: Path) -> None:
    """An .npy file's declared shape, bounded before numpy allocates it (a 128-byte header can
    declare 10^10 elements)."""
    from numpy.lib import format as npy
    with open(path, "rb") as f:
        try:
            version = npy.read_magic(f)
            shape, _, _ = (npy.read_array_header_1_0(f) if version == (1, 0) else npy.read_array_header_2_0(f))
        except (ValueError, EOFError, OSError):
            return   # numpy.load says what is wrong with it
    count = 1
    for d in shape:
        count *= d
    if count > limits.MAX_TENSOR_ELEMENTS:
        raise ValueError(f"{path} declares {count:,} elements, over the limit of {limits.MAX_TENSOR_ELEMENTS:,} "
                         "(raise it with `idrun --max-tensor-elements N`)")


def _inside(base: Path, path: Path, outside_ok: bool) -> Path:
    """A spec's file feed, refused when it leads out of the spec's directory tree."""
    full = (base / path).resolve()
    if not outside_ok and not full.is_relative_to(base.resolve()):
        raise ValueError(f"'{path}' is outside the spec's directory; a spec may read only files "
                         "below it (pass --allow-outside-files to allow this one)")
    return full


def read_tfrecord(path: Path) -> list[bytes]:
    """The records of a TFRecord file, each record's CRCs checked as TF's reader does (a damaged
    one: `corrupted record at N`, TF's DataLossError)."""
    from idrun.tfrecord import read_records
    return read_records(path.read_bytes(), str(path))


def _literal(value: Any, dtype: str) -> Any:
    literal_type(value, dtype)
    return host_array(value, dtype)


def _fits(shape: tuple, expected: tuple) -> bool:
    return len(shape) == len(expected) and all(e is None or e == s for s, e in zip(shape, expected))


def _error(loc: SourceLoc | None, message: str):
    return SpecError(message, loc) if loc else UsageError(message)
