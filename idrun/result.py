"""What a run produced: per-step values, transfers and op order. Stdlib only."""

from __future__ import annotations

import math
from typing import Any

from idrun.records import FACTORY, Frozen, Record, setfield


class TransferRecord(Frozen):
    """One transfer that happened in a step (SPEC 6 `transfers` entry)."""

    __slots__ = ("tensor", "src", "dst", "bytes", "kind", "seconds")
    tensor: str
    src: str
    dst: str
    bytes: int
    kind: str
    seconds: float

    def __init__(self, tensor: str, src: str, dst: str, bytes: int, kind: str, seconds: float) -> None:
        setfield(self, "tensor", tensor)
        setfield(self, "src", src)
        setfield(self, "dst", dst)
        setfield(self, "bytes", bytes)
        setfield(self, "kind", kind)
        setfield(self, "seconds", seconds)

    def to_json(self) -> dict:
        return {"tensor": self.tensor, "src": self.src, "dst": self.dst, "bytes": self.bytes,
                "kind": self.kind, "seconds": self.seconds}


class StepTiming(Frozen):
    """When a step and each of its ops and transfers ran: the session's clock in seconds
    (`time.perf_counter`), recorded only when asked for (`record_times`, `--trace-out`)."""

    __slots__ = ("start", "end", "ops", "transfers")
    start: float
    end: float
    ops: list[tuple[float, float]]        # (start, end) of each StepResult.ops entry
    transfers: list[tuple[float, float]]  # (start, end) of each StepResult.transfers entry

    def __init__(self, start: float, end: float, ops: list[tuple[float, float]],
                 transfers: list[tuple[float, float]]) -> None:
        setfield(self, "start", start)
        setfield(self, "end", end)
        setfield(self, "ops", ops)
        setfield(self, "transfers", transfers)


class StepResult(Record):
    step: int
    values: dict[str, Any]                 # fetch name -> host array
    transfers: list[TransferRecord]
    ops: list[tuple[str, str]]             # (node, device) in run order
    timing: StepTiming | None              # with record_times only
    control_flow: list[dict]               # per cond: the branches taken; per loop: iterations

    def __init__(self, step: int, values: dict[str, Any], transfers: list[TransferRecord] = FACTORY,
                 ops: list[tuple[str, str]] = FACTORY, timing: StepTiming | None = None,
                 control_flow: list[dict] = FACTORY) -> None:
        self.step = step
        self.values = values
        self.transfers = [] if transfers is FACTORY else transfers
        self.ops = [] if ops is FACTORY else ops
        self.timing = timing
        self.control_flow = [] if control_flow is FACTORY else control_flow


def control_flow_summary(records: list[tuple]) -> list[dict]:
    """What a step's conds and loops did, per region in the order they first ran: a cond's
    count of true and false branches taken, a loop's runs and iterations (a region inside a
    loop runs once per iteration)."""
    out: dict[str, dict] = {}
    for kind, region, value in records:
        if kind == "branch" and type(value) is int:   # an n-way cond (a lowered Case): the index
            doc = out.setdefault(region, {"region": region, "kind": "case", "branches": {}})
            doc["branches"][str(value)] = doc["branches"].get(str(value), 0) + 1
        elif kind == "branch":
            doc = out.setdefault(region, {"region": region, "kind": "cond", "true": 0, "false": 0})
            doc["true" if value else "false"] += 1
        else:
            doc = out.setdefault(region, {"region": region, "kind": "while_loop", "runs": 0, "iterations": 0})
            doc["runs"] += 1
            doc["iterations"] += value
    return list(out.values())


def region_scope(region: str) -> str:
    """A region's name scope, as a user wrote it: `cond` for the region `cond/<cond>`."""
    return region.rpartition("/<")[0] or region


def control_flow_text(doc: dict) -> str:
    """`the cond 'cond' took the true branch`, `the while loop 'rnn' ran 4 iterations`: a region
    by its kind and its name scope (the JSON's `region`, `cond/<cond>`, less its `/<kind>` tail)."""
    kind = {"cond": "cond", "case": "case", "while_loop": "while loop"}.get(doc["kind"], doc["kind"])
    region = f"the {kind} '{region_scope(doc['region'])}'"
    if doc["kind"] == "case":
        counts = sorted(doc["branches"].items(), key=lambda kv: int(kv[0]))
        if len(counts) == 1 and counts[0][1] == 1:
            return f"{region} took branch {counts[0][0]}"
        return f"{region} took branch " + ", ".join(f"{k} {n}x" for k, n in counts)
    if doc["kind"] == "cond":
        taken = [b for b in ("true", "false") if doc[b]]
        if doc["true"] + doc["false"] == 1:
            return f"{region} took the {taken[0]} branch"
        return f"{region} took true {doc['true']}x, false {doc['false']}x"
    runs = "" if doc["runs"] == 1 else f" in {doc['runs']} runs"
    return f"{region} ran {doc['iterations']} iteration{'s' * (doc['iterations'] != 1)}{runs}"


class RunResult(Record):
    graph: str
    variables: str
    fetch: list[str]
    placement: dict[str, str]
    steps: list[StepResult]
    error: Any                             # a StepError, or None
    devices: dict[str, str]                # name -> "numpy" | "cupy" | "simulated"

    def __init__(self, graph: str, variables: str, fetch: list[str], placement: dict[str, str],
                 steps: list[StepResult] = FACTORY, error: Any = None,
                 devices: dict[str, str] = FACTORY) -> None:
        self.graph = graph
        self.variables = variables
        self.fetch = fetch
        self.placement = placement
        self.steps = [] if steps is FACTORY else steps
        self.error = error
        self.devices = {} if devices is FACTORY else devices


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
            import base64   # rare: bytes values only; not at start-up
            return "b64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, float):
        return _float(value)
    return value
