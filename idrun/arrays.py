"""Host arrays of a spec's values: numpy arrays of a TF dtype (strings as bytes objects).

Ground floor: imports numpy, nothing of idrun but the graph records.
"""

from __future__ import annotations

from typing import Any

import numpy

from idrun.graph import Node


def numpy_dtype(dtype: str) -> Any:
    return object if dtype == "string" else numpy.dtype(dtype)


def materialize(node: Node) -> Any:
    """A const or variable's value as a host array of its dtype."""
    return host_array(node.attrs["value"], node.outputs[0].dtype)


def host_array(value: Any, dtype: str) -> Any:
    if dtype == "string":
        return numpy.array(_encode(value), dtype=object)
    return numpy.array(value, dtype=numpy_dtype(dtype))


def _encode(value: Any) -> Any:
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value.encode("utf-8") if isinstance(value, str) else value
