"""The SPEC 6 JSON document: the contract other tools parse. Keep its keys."""

from __future__ import annotations

import json
from typing import Any, TextIO

from idrun.result import RunResult, to_json_value


def result_document(result: RunResult, extra: dict[str, Any] | None = None) -> dict:
    doc = {
        "graph": result.graph,
        "variables": result.variables,
        "fetch": list(result.fetch),
        "placement": dict(result.placement),
        "steps": [_step(s) for s in result.steps],
        "error": _error(result.error),
        "devices": dict(result.devices),
    }
    doc.update(extra or {})
    return doc


def _step(step) -> dict:
    out = {"step": step.step,
           "values": {k: to_json_value(v) for k, v in step.values.items()},
           "transfers": [t.to_json() for t in step.transfers]}
    if step.ops:  # with --trace: the op order, [node, device] pairs
        out["ops"] = [[node, device] for node, device in step.ops]
    return out


def _error(err: Any) -> dict | None:
    if err is None:
        return None
    doc = {"step": err.step, "node": err.node,
           "location": str(err.loc) if err.loc else None, "message": err.message}
    if err.exit_code == 3:  # a bug in idrun, not in the graph
        doc["internal"] = True
    return doc


def render_json(result: RunResult, out: TextIO, extra: dict[str, Any] | None = None) -> None:
    # one string, one write: json.dump writes per chunk (a syscall each when unbuffered)
    out.write(json.dumps(result_document(result, extra), indent=1, allow_nan=False) + "\n")
