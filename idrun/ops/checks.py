"""Attribute normalizers: take a YAML value, return it clean or raise ValueError."""

from __future__ import annotations

from typing import Any

from idrun.dtypes import normalize_dtype


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def positive(value: Any) -> int:
    if integer(value) <= 0:
        raise ValueError(f"expected a positive integer, got {value!r}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def dtype(value: Any) -> str:
    return normalize_dtype(value)


def axis(value: Any) -> int | list[int] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return [integer(v) for v in value]
    return integer(value)


def shape(value: Any) -> list | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError(f"expected a list of dimensions, got {value!r}")
    dims = []
    for d in value:
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0):
            raise ValueError(f"a dimension must be a non-negative integer or null, got {d!r}")
        dims.append(d)
    return dims


def splits(value: Any) -> int | list[int]:
    if isinstance(value, list):
        return [integer(v) for v in value]
    return positive(value)


def padding(value: Any) -> str:
    if value not in ("SAME", "VALID"):
        raise ValueError(f"padding must be SAME or VALID, got {value!r}")
    return value


def anything(value: Any) -> Any:
    return value
