"""The op registry as a rich table, plain text or JSON (no numpy; rich only for the table)."""

from __future__ import annotations

import json
from typing import TextIO

COLUMNS = ("op", "type", "inputs", "attributes", "doc")


def render_ops(rows: list[dict], out: TextIO, fmt: str, color: bool) -> None:
    if fmt == "json":
        json.dump(rows, out, indent=1, default=str)
        out.write("\n")
    elif fmt == "table":
        _table(rows, out, color)
    else:
        _plain(rows, out)


def _plain(rows: list[dict], out: TextIO) -> None:
    """A header, then one line per op, columns as wide as their widest cell over every row
    (aligned in a pipe and in `less -S`; the doc, last, is never padded)."""
    widths = [max(len(col), *(len(r[col]) for r in rows)) for col in COLUMNS[:-1]]
    for cells in [list(COLUMNS)] + [[r[col] for col in COLUMNS] for r in rows]:
        out.write("  ".join(c.ljust(w) for c, w in zip(cells, widths)) + "  " + cells[-1] + "\n")


def _words(text: str) -> int:
    return max(len(w) for w in text.split())


def _table(rows: list[dict], out: TextIO, color: bool) -> None:
    """A table that breaks lines between words only, three columns: the op's name over its
    TF type (dim), as wide as the longest; its inputs over its attributes (dim), as wide as
    the longest word in either; the doc in the rest. A terminal too narrow for a readable doc
    column gets one block per op instead (name and type, then the rest indented)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text
    from idrun.views.table import console
    con = console(out, color)
    first = max(len(r[k]) for r in rows for k in ("op", "type"))
    second = max(16, *(_words(r[k]) for r in rows for k in ("inputs", "attributes")))
    doc = con.width - first - second - 2 * 3   # 2 gaps: a space and its padding
    if doc < 30:
        _blocks(rows, con)
        return
    table = Table(title=f"{len(rows)} ops", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  show_edge=False)
    for header, width in (("op / type", first), ("inputs / attributes", second), ("doc", doc)):
        table.add_column(header, width=width, overflow="fold")
    for r in rows:  # cells as Text: `[x, y]` is data, not markup
        name = Text(r["op"], style="bold")
        name.append("\n" + r["type"], style="dim")
        args = Text(r["inputs"])
        args.append("\n" + r["attributes"], style="dim")
        table.add_row(name, args, Text(r["doc"]), end_section=True)
    con.print(table)


def _blocks(rows: list[dict], con) -> None:
    from rich.text import Text
    con.print(f"{len(rows)} ops")
    for r in rows:
        head = Text(r["op"], style="bold")
        head.append(f"  {r['type']}", style="dim")
        con.print(head)
        for label in ("inputs", "attributes", "doc"):
            line = Text(f"  {label}: ", style="dim")
            line.append(r[label])
            con.print(line)
