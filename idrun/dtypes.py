"""TF dtypes by name, and the dtype and shape of Python literals.

Python floats are float32 and ints int32 unless a dtype is asked for (TF's
`convert_to_tensor`). Stdlib only: numpy is not needed to type a graph.
"""

from __future__ import annotations

from typing import Any

FLOATS = ("float16", "float32", "float64")
INTS = ("int8", "int16", "int32", "int64", "uint8")
DTYPES = FLOATS + INTS + ("bool", "string")
# handles that kernels pass as Python objects (never a spec's dtype): a TensorArray's or
# stack's (TF's DT_RESOURCE) and a TensorList (TF's DT_VARIANT); see ops/tensor_arrays.py
RESOURCE, VARIANT = "resource", "variant"

# TF's short names, used in messages that quote TF ("with dtype float").
TF_NAMES = {"float16": "half", "float32": "float", "float64": "double", "string": "string"}

Shape = tuple  # of int | None; None for the whole shape means unknown rank

_INT32_RANGE = (-(2**31), 2**31 - 1)


def normalize_dtype(name: Any) -> str:
    """A dtype name as idrun spells it; raises ValueError for an unknown one."""
    if not isinstance(name, str):
        raise ValueError(f"dtype must be a string, got {name!r}")
    key = name.strip().lower()
    key = _SYNONYMS.get(key, key)
    if key.startswith("tf."):
        key = key[3:]
    if key not in DTYPES:
        raise ValueError(f"unknown dtype '{name}'{_suggestion(key)} (one of {', '.join(DTYPES)})")
    return key


_SYNONYMS = {"float": "float32", "double": "float64", "half": "float16",
             "int": "int32", "str": "string", "bytes": "string"}


def _suggestion(key: str) -> str:
    """`; did you mean 'float32'?` for a misspelt dtype (`flaot32`), else ''."""
    import difflib   # only on an error
    close = difflib.get_close_matches(key, DTYPES + tuple(_SYNONYMS), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean '{close[0]}'?"


def is_float(dtype: str) -> bool:
    return dtype in FLOATS


def is_int(dtype: str) -> bool:
    return dtype in INTS


def is_numeric(dtype: str) -> bool:
    return dtype in FLOATS or dtype in INTS


def tf_name(dtype: str) -> str:
    """TF's spelling of a dtype in error messages (`float`, `int32`)."""
    return TF_NAMES.get(dtype, dtype)


MAX_RANK = 32  # numpy's arrays have at most 64 dimensions; TF kernels far fewer


def literal_type(value: Any, dtype: str | None = None) -> tuple[str, Shape]:
    """(dtype, shape) of a literal, converted to `dtype` when given."""
    shape = _literal_shape(value)
    leaves = list(_leaves(value))
    natural = _natural_dtype(leaves)
    if dtype is None:
        return natural, shape
    _check_convertible(leaves, natural, dtype)
    return dtype, shape


def _literal_shape(value: Any, depth: int = 0) -> Shape:
    if depth > MAX_RANK:
        raise ValueError(f"nested more than {MAX_RANK} levels deep (a tensor of rank over {MAX_RANK})")
    if not isinstance(value, list):
        if value is None or isinstance(value, dict):
            raise ValueError(f"not a tensor literal: {value!r}")
        return ()
    if not value:
        return (0,)
    shapes = {_literal_shape(v, depth + 1) for v in value}
    if len(shapes) != 1:
        raise ValueError("ragged nested list: every row must have the same shape")
    return (len(value),) + shapes.pop()


def _leaves(value: Any):
    if isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _natural_dtype(leaves: list) -> str:
    kinds = {_leaf_kind(v) for v in leaves}
    if not kinds:
        return "float32"
    if kinds == {"bool"}:
        return "bool"
    if kinds == {"string"}:
        return "string"
    if kinds <= {"int"}:
        in_range = all(_INT32_RANGE[0] <= v <= _INT32_RANGE[1] for v in leaves)
        if not in_range:
            _check_int_range(leaves, "int64")
        return "int32" if in_range else "int64"
    if kinds <= {"int", "float"}:
        return "float32"
    raise ValueError("mixed literal: " + " and ".join(sorted(kinds)) + " in one tensor")


def _leaf_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (str, bytes)):
        return "string"
    raise ValueError(f"not a tensor literal: {value!r}")


def _check_int_range(leaves: list, dtype: str) -> None:
    """TF's error for a Python int a tensor of `dtype` cannot hold."""
    bits = int(dtype.lstrip("uint") or 64)
    low, high = (0, 2 ** bits - 1) if dtype.startswith("u") else (-2 ** (bits - 1), 2 ** (bits - 1) - 1)
    for v in leaves:
        if isinstance(v, int) and not isinstance(v, bool) and not low <= v <= high:
            raise ValueError(f"Can't convert Python int {v} to {dtype}: it is outside "
                             f"[{low}, {high}]")


def _check_convertible(leaves: list, natural: str, dtype: str) -> None:
    if is_int(dtype) and leaves:
        _check_int_range(leaves, dtype)
    if not leaves or natural == dtype:
        return
    if is_float(dtype) and (is_int(natural) or is_float(natural)):
        return
    if is_int(dtype) and is_int(natural):
        return
    if is_int(dtype) and is_float(natural) and all(float(v).is_integer() for v in leaves):
        return
    bad = next(v for v in leaves if _leaf_kind(v) != natural or natural != dtype)
    raise ValueError(f"expected {dtype}, got {bad!r} of type '{type(bad).__name__}'")
