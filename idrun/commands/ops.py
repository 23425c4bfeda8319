"""`idrun ops`: the registry as a table, plain text or JSON (no numpy needed)."""

from __future__ import annotations

import json
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


def render_ops(out: TextIO, fmt: str, color: bool) -> None:
    rows = op_rows()
    if fmt == "json":
        json.dump(rows, out, indent=1, default=str)
        out.write("\n")
    elif fmt == "table":
        from rich.table import Table
        from idrun.views.table import console
        table = Table(title=f"{len(rows)} ops", title_justify="left")
        for col in ("op", "type", "inputs", "attributes", "doc"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["op"], r["type"], r["inputs"], r["attributes"], r["doc"])
        console(out, color).print(table)
    else:
        width = max(len(r["op"]) for r in rows)
        for r in rows:
            out.write(f"{r['op']:<{width}}  {r['type']:<20} inputs {r['inputs']:<16} "
                      f"attrs {r['attributes']:<32} {r['doc']}\n")
