"""The op registry as a rich table, plain text or JSON (no numpy)."""

from __future__ import annotations

import json
from typing import TextIO


def render_ops(rows: list[dict], out: TextIO, fmt: str, color: bool) -> None:
    if fmt == "json":
        json.dump(rows, out, indent=1, default=str)
        out.write("\n")
    elif fmt == "table":
        from rich.table import Table
        from rich.text import Text
        from idrun.views.table import console
        table = Table(title=f"{len(rows)} ops", title_justify="left")
        for col in ("op", "type", "inputs", "attributes", "doc"):
            table.add_column(col, overflow="fold")
        for r in rows:  # cells as Text: `[x, y]` is data, not markup
            table.add_row(*(Text(r[k]) for k in ("op", "type", "inputs", "attributes", "doc")))
        console(out, color).print(table)
    else:
        width = max(len(r["op"]) for r in rows)
        for r in rows:
            out.write(f"{r['op']:<{width}}  {r['type']:<20} inputs {r['inputs']:<16} "
                      f"attrs {r['attributes']:<32} {r['doc']}\n")
