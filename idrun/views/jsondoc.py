"""The SPEC 6 JSON document: the contract other tools parse. Keep its keys."""

from __future__ import annotations

from typing import Any

from idrun.result import RunResult, to_json_value


def result_document(result: RunResult, extra: dict[str, Any] | None = None, timings: bool = True) -> dict:
    doc = {
        "graph": result.graph,
        "variables": result.variables,
        "fetch": list(result.fetch),
        "placement": dict(result.placement),
        "steps": [step_document(s, timings) for s in result.steps],
        "error": error_document(result.error),
        "devices": dict(result.devices),
    }
    doc.update(extra or {})
    return doc


def step_document(step, timings: bool = True) -> dict:
    """A `steps[]` entry. A transfer's `seconds` is rounded to the nanosecond (the clock's
    own resolution: no float noise such as 1.1020001693395898e-06); without `timings`
    (run --no-timings) it is null, so that the document is byte-reproducible."""
    out = {"step": step.step,
           "values": {k: to_json_value(v) for k, v in step.values.items()},
           "transfers": [_transfer(t, timings) for t in step.transfers]}
    if step.ops:  # with --trace: the op order, [node, device] pairs
        out["ops"] = [[node, device] for node, device in step.ops]
    if step.control_flow:  # a graph with conds or loops: the branches taken, the iterations
        out["control_flow"] = step.control_flow
    return out


def _transfer(transfer, timings: bool) -> dict:
    doc = transfer.to_json()
    seconds = doc.get("seconds")
    doc["seconds"] = round(float(seconds), 9) if timings and seconds is not None else None
    return doc


def error_document(err: Any) -> dict | None:
    if err is None:
        return None
    doc = {"step": err.step, "node": err.node,
           "location": str(err.loc) if err.loc else None, "message": err.message}
    if err.exit_code == 3:  # a bug in idrun, not in the graph
        doc["internal"] = True
    return doc
