"""The steps as they ran, as a Chrome trace event file (`idrun run --trace-out FILE.json`).

Perfetto (https://ui.perfetto.dev) and `chrome://tracing` open it. The layout
(docs/seeing-it.md):
- one process per device, named by `process_name` metadata (`cpu:0`,
  `gpu:0 (simulated)`), in the placement's device order, with three threads:
  `steps` (a `step N` slice per step), `ops` (a complete event per op) and
  `send/recv` (a slice per transfer on each side);
- a flow arrow per transfer: `ph: s` inside the send slice on the source
  device, `ph: f` with `bp: e` inside the recv slice on the destination, one
  shared `id`, `cat` and `name`;
- times in microseconds from the first step's start, as the session's clock
  measured them around each kernel call and transfer (`record_times`).

Stdlib only. Names from the spec are data: JSON carries them as they are.
"""

from __future__ import annotations

import json
from typing import Any

from idrun.errors import UsageError
from idrun.graph import Graph
from idrun.result import RunResult, StepResult
from idrun.views.plain import device_label

STEPS_TID, OPS_TID, TRANSFERS_TID = 1, 2, 3
THREADS = ((STEPS_TID, "steps"), (OPS_TID, "ops"), (TRANSFERS_TID, "send/recv"))
TRANSFER_CAT = "transfer"


def trace_document(result: RunResult, graph: Graph, spec_path: str = "") -> dict:
    """The whole trace of a run's finished steps (steps without timings are left out)."""
    timed = [s for s in result.steps if s.timing is not None]
    devices = list(result.devices)
    for step in timed:  # every device an event lands on gets a track, named or not
        devices += [d for _, d in step.ops if d not in devices]
        devices += [d for t in step.transfers for d in (t.src, t.dst) if d not in devices]
    pid = {d: i + 1 for i, d in enumerate(devices)}
    events: list[dict] = []
    for device, p in pid.items():
        events.append(_meta("process_name", p, 0, name=device_label(result, device)))
        events.append(_meta("process_sort_index", p, 0, sort_index=p))
        for tid, name in THREADS:
            events.append(_meta("thread_name", p, tid, name=name))
            events.append(_meta("thread_sort_index", p, tid, sort_index=tid))
    origin = timed[0].timing.start if timed else 0.0
    flows = _Flows()
    for step in timed:
        events += _step_events(step, graph, pid, origin, flows)
    other = {"graph": result.graph, "spec": spec_path, "variables": result.variables,
             "steps": len(timed), "clock": "time.perf_counter; ts in µs from the first step's start",
             "generator": "idrun run --trace-out"}
    if result.error is not None:
        err = result.error
        other["error"] = {"step": err.step, "node": err.node, "message": err.message,
                          "location": str(err.loc) if err.loc else None}
        end = _us(timed[-1].timing.end, origin) if timed else 0.0
        events.append({"ph": "i", "s": "g", "name": f"step {err.step} failed", "cat": "error",
                       "pid": pid[devices[0]] if devices else 1, "tid": STEPS_TID, "ts": end,
                       "args": other["error"]})
    return {"traceEvents": events, "displayTimeUnit": "ns", "otherData": other}


class _Flows:
    """Flow ids, unique across the whole file."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def _step_events(step: StepResult, graph: Graph, pid: dict[str, int], origin: float,
                 flows: _Flows) -> list[dict]:
    timing = step.timing
    start = _us(timing.start, origin)
    args = {"step": step.step}
    if step.control_flow:   # the branches taken and the iterations, on the step's slice
        args["control_flow"] = step.control_flow
    events = [_slice(f"step {step.step}", "step", pid[d], STEPS_TID, start, _us(timing.end, origin),
                     args) for d in pid]
    for (name, device), (t0, t1) in zip(step.ops, timing.ops):
        node = graph.nodes.get(name)
        args = {"node": name, "op": node.op if node else "?",
                "location": str(node.loc) if node and node.loc else None, "step": step.step}
        events.append(_slice(name, "op", pid[device], OPS_TID, _us(t0, origin), _us(t1, origin), args))
    for index, (record, (t0, t1)) in enumerate(zip(step.transfers, timing.transfers)):
        ts, end = _us(t0, origin), _us(t1, origin)
        args = {"tensor": record.tensor, "src": record.src, "dst": record.dst, "kind": record.kind,
                "bytes": record.bytes, "step": step.step, "transfer": index}
        flow = flows.next()
        src, dst = pid[record.src], pid[record.dst]
        events.append(_slice(f"send {record.tensor}", TRANSFER_CAT, src, TRANSFERS_TID, ts, end,
                             dict(args, side="send", flow=flow)))
        events.append(_slice(f"recv {record.tensor}", TRANSFER_CAT, dst, TRANSFERS_TID, ts, end,
                             dict(args, side="recv", flow=flow)))
        # both sides are the one copy's interval; the arrow starts a quarter in, ends three quarters
        quarter = (end - ts) / 4
        events.append({"ph": "s", "id": flow, "cat": TRANSFER_CAT, "name": record.tensor,
                       "pid": src, "tid": TRANSFERS_TID, "ts": round(ts + quarter, 3)})
        events.append({"ph": "f", "bp": "e", "id": flow, "cat": TRANSFER_CAT, "name": record.tensor,
                       "pid": dst, "tid": TRANSFERS_TID, "ts": round(end - quarter, 3)})
    events.sort(key=lambda e: e["ts"])  # stable: the step slices first, a slice before its flow
    return events


def _us(t: float, origin: float) -> float:
    return round((t - origin) * 1e6, 3)


def _slice(name: str, cat: str, pid: int, tid: int, ts: float, end: float, args: dict) -> dict:
    return {"ph": "X", "name": name, "cat": cat, "pid": pid, "tid": tid, "ts": ts,
            "dur": round(max(end - ts, 0.0), 3), "args": args}


def _meta(kind: str, pid: int, tid: int, **args: Any) -> dict:
    return {"ph": "M", "name": kind, "pid": pid, "tid": tid, "args": args}


class TraceFile:
    """A run observer that streams the trace as steps end: the file is opened before the run
    (a path that cannot be written is an error before step 1), each step's events are written
    when it ends (memory stays flat over 10^6 steps), and the devices' tracks and the run's
    facts close the document when the run ends, failed or not (`on_finish` runs in the
    session's `finally`). A write that fails later is kept as `error` (a UsageError) for the
    command to report after the values: nothing computed is lost."""

    def __init__(self, path: str, graph: Graph, spec_path: str = "") -> None:
        self.path, self.graph, self.spec_path = path, graph, spec_path
        self.error: UsageError | None = None
        try:
            self.file = open(path, "w", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--trace-out: cannot write '{path}': {exc.strerror or exc}") from None
        self.file.write('{"traceEvents": [')
        self.pid: dict[str, int] = {}
        self.flows = _Flows()
        self.origin: float | None = None
        self.first = True
        self.steps = 0
        self.last_end = 0.0

    def on_start(self, result: RunResult) -> None:
        for device in result.devices:
            self._pid(device)

    def _pid(self, device: str) -> int:
        if device not in self.pid:
            self.pid[device] = len(self.pid) + 1
        return self.pid[device]

    def _write(self, events: list[dict]) -> None:
        if self.error is not None or not events:
            return
        try:
            text = ",\n".join(json.dumps(e) for e in events)
            self.file.write(("" if self.first else ",\n") + text)
            self.first = False
        except OSError as exc:
            self.error = UsageError(f"--trace-out: cannot write '{self.path}': {exc.strerror or exc}")

    def on_step_end(self, step: StepResult) -> None:
        if step.timing is None:
            return
        for _, device in step.ops:
            self._pid(device)
        for t in step.transfers:
            self._pid(t.src)
            self._pid(t.dst)
        if self.origin is None:
            self.origin = step.timing.start
        self.steps += 1
        self.last_end = _us(step.timing.end, self.origin)
        self._write(_step_events(step, self.graph, self.pid, self.origin, self.flows))

    def on_finish(self, result: RunResult) -> None:
        events = []
        for device, p in self.pid.items():
            events.append(_meta("process_name", p, 0, name=device_label(result, device)))
            events.append(_meta("process_sort_index", p, 0, sort_index=p))
            for tid, name in THREADS:
                events.append(_meta("thread_name", p, tid, name=name))
                events.append(_meta("thread_sort_index", p, tid, sort_index=tid))
        other = {"graph": result.graph, "spec": self.spec_path, "variables": result.variables,
                 "steps": self.steps, "clock": "time.perf_counter; ts in µs from the first step's start",
                 "generator": "idrun run --trace-out"}
        if result.error is not None:
            err = result.error
            other["error"] = {"step": err.step, "node": err.node, "message": err.message,
                              "location": str(err.loc) if err.loc else None}
            events.append({"ph": "i", "s": "g", "name": f"step {err.step} failed", "cat": "error",
                           "pid": next(iter(self.pid.values()), 1), "tid": STEPS_TID, "ts": self.last_end,
                           "args": other["error"]})
        self._write(events)
        try:
            self.file.write('], "displayTimeUnit": "ns", "otherData": ' + json.dumps(other) + "}\n")
            self.file.close()
        except OSError as exc:
            if self.error is None:
                self.error = UsageError(f"--trace-out: cannot write '{self.path}': {exc.strerror or exc}")
