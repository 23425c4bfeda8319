"""Rich tables for terminals; the only view that imports rich."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table

from idrun.result import RunResult
from idrun.views.fmt import format_bytes, format_value
from idrun.views.plain import device_label, trace_lines


def console(out: TextIO, color: bool, width: int | None = None) -> Console:
    return Console(file=out, force_terminal=color, no_color=not color, width=width,
                   highlight=False, soft_wrap=False)


def render_table(result: RunResult, out: TextIO, color: bool, multi_device: bool = False,
                 width: int | None = None) -> None:
    table = Table()
    table.add_column("step", justify="right", style="dim")
    for name in result.fetch:
        table.add_column(name, justify="right")
    if multi_device:
        table.add_column("transfers", justify="right", style="cyan")
        table.add_column("bytes", justify="right", style="cyan")
    for step in result.steps:
        row = [str(step.step)] + [format_value(step.values[n]) for n in result.fetch]
        if multi_device:
            row += [str(len(step.transfers)), format_bytes(sum(t.bytes for t in step.transfers))]
        table.add_row(*row)
    con = console(out, color, width)
    devices = ", ".join(device_label(result, d) for d in result.devices)
    con.print(f"[bold]{_escape(result.graph)}[/bold]  [dim]{_escape(devices)}[/dim]")
    con.print(table)


def _escape(text: str) -> str:
    """Spec text inside markup, as data (a trailing backslash would escape the closing tag)."""
    from rich.markup import escape
    return escape(text)


def render_trace_rich(result: RunResult, out: TextIO, color: bool) -> None:
    con = console(out, color)
    con.print("[dim]trace (the graph as built: TF's graph rewrites off, so every op and transfer is shown)[/dim]")
    for step in result.steps:
        lines = trace_lines(step, result)
        con.print(f"[bold]{lines[0]}[/bold]")
        for line in lines[1:]:
            con.print(line, markup=False)
