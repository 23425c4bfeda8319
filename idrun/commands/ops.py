"""`idrun ops`: every op of the registry, its inputs, attributes and doc (no numpy)."""

from __future__ import annotations

from typing import TextIO

from idrun.ops import REGISTRY
from idrun.ops.opdef import MISSING, OpDef


def _attrs(op: OpDef) -> str:
    parts = [a.name + ("" if a.required else "?") for a in op.attrs]
    return ", ".join(parts) or "-"


def op_rows() -> list[dict]:
    return [{"op": op.name, "type": op.type_name, "inputs": op.arity_text(),
             "attributes": _attrs(op), "stateful": op.stateful, "doc": op.doc,
             "defaults": {a.name: a.default for a in op.attrs if a.default is not MISSING}}
            for op in REGISTRY.values()]


def list_ops(out: TextIO, fmt: str, color: bool) -> None:
    from idrun.views.ops import render_ops
    render_ops(op_rows(), out, fmt, color)
