"""What a run produced: per-step values, transfers and op order. Stdlib only."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """One transfer that happened in a step (SPEC 6 `transfers` entry)."""

    tensor: str
    src: str
    dst: str
    bytes: int
    kind: str
    seconds: float

    def to_json(self) -> dict:
        return {"tensor": self.tensor, "src": self.src, "dst": self.dst, "bytes": self.bytes,
                "kind": self.kind, "seconds": self.seconds}


@dataclass(frozen=True, slots=True)
class StepTiming:
    """When a step and each of its ops and transfers ran: the session's clock in seconds
    (`time.perf_counter`), recorded only when asked for (`record_times`, `--trace-out`)."""

    start: float
    end: float
    ops: list[tuple[float, float]]        # (start, end) of each StepResult.ops entry
    transfers: list[tuple[float, float]]  # (start, end) of each StepResult.transfers entry


@dataclass
class StepResult:
    step: int
    values: dict[str, Any]                 # fetch name -> host array
    transfers: list[TransferRecord] = field(default_factory=list)
    ops: list[tuple[str, str]] = field(default_factory=list)  # (node, device) in run order
    timing: StepTiming | None = None       # with record_times only


@dataclass
class RunResult:
    graph: str
    variables: str
    fetch: list[str]
    placement: dict[str, str]
    steps: list[StepResult] = field(default_factory=list)
    error: Any = None                      # a StepError, or None
    devices: dict[str, str] = field(default_factory=dict)  # name -> "numpy" | "cupy" | "simulated"


def to_json_value(value: Any) -> Any:
    """A fetched value as JSON: numbers, bools, strings, nested lists; NaN/inf as strings."""
    if hasattr(value, "tolist"):
        if getattr(value, "dtype", None) is not None and value.dtype.kind == "f":
            return _floats(value)
        value = value.tolist()
    return _plain(value)


def _floats(array: Any) -> Any:
    """float32 values by their shortest repr (0.1, not 0.10000000149011612)."""
    if array.ndim == 0:
        return _float(float(str(array[()])))
    return [_floats(row) for row in array]


def _float(x: float) -> Any:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return "b64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, float):
        return _float(value)
    return value
