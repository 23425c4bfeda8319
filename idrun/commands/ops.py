"""`idrun ops`: every op of the registry, its inputs, attributes and doc (no numpy)."""

from __future__ import annotations

from typing import TextIO

from idrun.ops import REGISTRY
from idrun.ops.opdef import MISSING, OpDef


def _attrs(op: OpDef) -> str:
    parts = [a.name + ("" if a.required else "?") for a in op.attrs]
    return ", ".join(parts) or "-"


def op_rows() -> list[dict]:
    """One row of display strings per op (`inputs` "[x, y]", `attributes` "axis?"): the text
    views and docs/ops.md (scripts/gen_ops_doc.py)."""
    return [{"op": op.name, "type": op.type_name, "inputs": op.arity_text(),
             "attributes": _attrs(op), "stateful": op.stateful, "doc": op.doc,
             "defaults": {a.name: a.default for a in op.attrs if a.default is not MISSING}}
            for op in REGISTRY.values()]


def op_documents() -> list[dict]:
    """One object per op for `--format json`: lists and flags, not display text.
    `inputs` are the input names in TF's order (`variadic`: the first names a list of one
    or more tensors); `attributes` are the names in order, `required` those without a
    default, `defaults` the others' default values."""
    return [{"op": op.name, "type": op.type_name, "inputs": list(op.inputs), "variadic": op.variadic,
             "attributes": [a.name for a in op.attrs],
             "required": [a.name for a in op.attrs if a.default is MISSING],
             "stateful": op.stateful, "doc": op.doc,
             "defaults": {a.name: a.default for a in op.attrs if a.default is not MISSING}}
            for op in REGISTRY.values()]


def list_ops(out: TextIO, fmt: str, color: bool, names: tuple = ()) -> None:
    """Every op, or those a name matches: its spec name or TF type, whole (case aside) or in part."""
    from idrun.views.ops import render_ops
    rows = op_documents() if fmt == "json" else op_rows()
    if names:
        wanted = [n.lower() for n in names]
        rows = [r for r in rows if any(w in r["op"].lower() or w in r["type"].lower() for w in wanted)]
        if not rows:
            from idrun.errors import UsageError, did_you_mean
            raise UsageError(f"no op matches {', '.join(repr(n) for n in names)}", None,
                             did_you_mean(names[0], [op.name for op in REGISTRY.values()]))
    render_ops(rows, out, fmt, color)
