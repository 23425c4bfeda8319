"""Plain text: one line per fetch (`y: 1, 2, 3`), and the trace as text."""

from __future__ import annotations

from typing import TextIO

from idrun.result import RunResult, StepResult
from idrun.views.fmt import format_bytes, format_seconds, format_value


def render_plain(result: RunResult, out: TextIO, multi_device: bool = False) -> None:
    for name in result.fetch:
        values = ", ".join(format_value(s.values[name]) for s in result.steps)
        out.write(f"{name}: {values}\n")
    if multi_device:
        counts = ", ".join(str(len(s.transfers)) for s in result.steps)
        out.write(f"transfers_per_step: {counts}\n")


def trace_lines(step: StepResult) -> list[str]:
    """A step's transfers and op order, readable at a glance."""
    lines = [f"step {step.step}: {len(step.transfers)} transfer"
             f"{'s' * (len(step.transfers) != 1)}, {format_bytes(sum(t.bytes for t in step.transfers))}"]
    for t in step.transfers:
        lines.append(f"  {t.kind:<7} {t.tensor:<32} {t.src} -> {t.dst}  "
                     f"{format_bytes(t.bytes):>9}  {format_seconds(t.seconds)}")
    if step.ops:
        lines.append("  ops: " + ", ".join(f"{n} @{d}" for n, d in step.ops))
    return lines


def render_trace(result: RunResult, out: TextIO) -> None:
    out.write("trace (graph as built: grappler-style rewrites off, as TF-SEMANTICS G11)\n")
    for step in result.steps:
        out.write("\n".join(trace_lines(step)) + "\n")
