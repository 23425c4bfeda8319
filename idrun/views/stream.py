"""Run output written as the steps complete, in memory that does not grow with the steps.

Each format is a session observer: `on_start` when the run begins (placement and
devices known), `on_step_end` per finished step, then `finish(result, extra)` once
the run has ended, however it ended, so whatever completed is always written.
- `json`: the same document as `views.jsondoc`, written key by key: the header,
  each step as it completes, then `error`, `devices` and the extras.
- `jsonl`: one object per line, flushed: a header line (graph, variables, fetch,
  placement, devices), one line per step (the keys of a `steps[]` entry), and a
  final line with `error` (and `expect`).
- `plain`: `name: v1, v2, ...` per fetch. Each line is spooled (past 64 KiB to a
  temporary file), so a million steps cost disk, not memory.
- `table`: a header, then one row per step as it completes (rich).
Text from the spec (names, string values) is data: escaped for rich, printed as is
in plain and JSON (which quote it).
"""

from __future__ import annotations

import os
from typing import Any, Iterator, TextIO

from idrun.result import RunResult, StepResult
from idrun.views.fmt import format_bytes, format_value, printable
from idrun.views.jsondoc import error_document, step_document
from idrun.views.plain import device_label, trace_lines


class BufferedOut:
    """Output gathered and written in large pieces: one `write()` per 64 KiB, or when a view
    flushes (jsonl, each line; every view at its end). With PYTHONUNBUFFERED=1, common in CI
    and containers, each small write would otherwise be a system call."""

    LIMIT = 1 << 16

    def __init__(self, out: TextIO) -> None:
        self.out, self.parts, self.size = out, [], 0
        try:
            self.fd = out.fileno()  # a real file: written with os.write, whole (see _drain)
        except (AttributeError, OSError, ValueError):
            self.fd = None

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.LIMIT:
            self._drain()
        return len(text)

    def _drain(self) -> None:
        if not self.parts:
            return
        text, self.parts, self.size = "".join(self.parts), [], 0
        if self.fd is None:
            self.out.write(text)
            return
        # a signal (Ctrl-C, SIGTERM) arriving while a pipe is full must not drop the rest of
        # the piece, as a buffered text stream can: write the bytes ourselves until all are out
        self.out.flush()
        data = memoryview(text.encode(self.encoding, "replace"))
        while data:
            data = data[os.write(self.fd, data):]

    def flush(self) -> None:
        self._drain()
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()

    @property
    def encoding(self) -> str:
        return getattr(self.out, "encoding", "utf-8")


def _dumps(value: Any) -> str:
    import json   # here: plain and table output do not need it (start-up)
    return json.dumps(value, allow_nan=False)


class JsonStream:
    """The SPEC JSON document, streamed; keys and their order as `result_document`."""

    def __init__(self, out: TextIO, timings: bool = True) -> None:
        self.out, self.timings = out, timings
        self.first = True

    def on_start(self, result: RunResult) -> None:
        head = {"graph": result.graph, "variables": result.variables, "fetch": list(result.fetch),
                "placement": dict(result.placement)}
        self.out.write("{\n" + "".join(f" {_dumps(k)}: {_dumps(v)},\n" for k, v in head.items())
                       + ' "steps": [')

    def on_step_end(self, step: StepResult) -> None:
        self.out.write(("\n  " if self.first else ",\n  ") + _dumps(step_document(step, self.timings)))
        self.first = False

    def finish(self, result: RunResult, extra: dict | None) -> None:
        tail = {"error": error_document(result.error), "devices": dict(result.devices), **(extra or {})}
        self.out.write(("\n ]" if not self.first else "]") + ",\n"
                       + ",\n".join(f" {_dumps(k)}: {_dumps(v)}" for k, v in tail.items()) + "\n}\n")
        self.out.flush()


class JsonlStream:
    """One JSON object per line, flushed line by line (for `tail -f` and pipes)."""

    def __init__(self, out: TextIO, timings: bool = True) -> None:
        self.out, self.timings = out, timings

    def _line(self, obj: dict) -> None:
        self.out.write(_dumps(obj) + "\n")
        self.out.flush()

    def on_start(self, result: RunResult) -> None:
        self._line({"graph": result.graph, "variables": result.variables, "fetch": list(result.fetch),
                    "placement": dict(result.placement), "devices": dict(result.devices)})

    def on_step_end(self, step: StepResult) -> None:
        self._line(step_document(step, self.timings))

    def finish(self, result: RunResult, extra: dict | None) -> None:
        self._line({"error": error_document(result.error), **(extra or {})})


class _Spool:
    """Text kept until the run ends (a line that grows with every step): in memory up to
    about `LIMIT` bytes, then on disk, so a million steps cost disk, not memory (and a short
    run never creates a temporary file, or imports tempfile)."""

    LIMIT = 1 << 16

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.file: TextIO | None = None
        self.empty = True

    def add(self, text: str, sep: str = ", ") -> None:
        text = text if self.empty else sep + text
        self.empty = False
        if self.file is not None:
            self.file.write(text)
            return
        self.parts.append(text)
        self.size += len(text) + 64   # with the list's and the str's own overhead
        if self.size > self.LIMIT:
            import tempfile
            self.file = tempfile.TemporaryFile("w+", encoding="utf-8")
            self.file.write("".join(self.parts))
            self.parts, self.size = [], 0

    def chunks(self) -> Iterator[str]:
        """The text, in pieces; the spool is closed after."""
        if self.file is None:
            yield from self.parts
            self.parts = []
            return
        self.file.seek(0)
        while chunk := self.file.read(1 << 16):
            yield chunk
        self.file.close()

    def copy_to(self, out: TextIO) -> None:
        for chunk in self.chunks():
            out.write(chunk)

    def lines(self) -> Iterator[str]:
        """The text line by line, without the newlines; the spool is closed after."""
        rest = ""
        for chunk in self.chunks():
            *whole, rest = (rest + chunk).split("\n")
            yield from whole
        if rest:
            yield rest


class PlainStream:
    """`y: 1, 2, 3` per fetch, `transfers_per_step: ...`, then the trace (with --trace)."""

    def __init__(self, out: TextIO, multi_device: bool, trace: bool, full_values: bool = False,
                 timings: bool = True) -> None:
        self.out, self.multi, self.trace, self.full = out, multi_device, trace, full_values
        self.timings = timings
        self.lines: dict[str, _Spool] = {}
        self.trace_spool = _Spool() if trace else None
        self.result: RunResult | None = None

    def on_start(self, result: RunResult) -> None:
        self.result = result
        names = list(result.fetch) + (["transfers_per_step"] if self.multi else [])
        self.lines = {name: _Spool() for name in names}

    def on_step_end(self, step: StepResult) -> None:
        for name in self.result.fetch:
            self.lines[name].add(printable(format_value(step.values[name], self.full), lines=False))
        if self.multi:
            self.lines["transfers_per_step"].add(str(len(step.transfers)))
        if self.trace_spool is not None:
            self.trace_spool.add(printable("\n".join(trace_lines(step, self.result, self.timings))) + "\n", sep="")

    def finish(self, result: RunResult, extra: dict | None) -> None:
        if self.lines and next(iter(self.lines.values())).empty:   # no step completed: no lines
            return
        for name, spool in self.lines.items():
            self.out.write(printable(f"{name}: ", lines=False))
            spool.copy_to(self.out)
            self.out.write("\n")
        if self.trace_spool is not None:
            self.out.write("trace (the graph as built: TF's graph rewrites off, so every op and "
                           "transfer is shown)\n")
            self.trace_spool.copy_to(self.out)


class TableStream:
    """A rich table printed row by row as steps complete; the trace follows the rows.

    Column widths start from the header and the first row and grow when a later row has a
    wider cell (that row and the ones after line up with it; rows already printed stay). On
    a terminal a value cell is clipped with `…` so that a row fits its width (a note then
    says so); off a terminal nothing is clipped."""

    def __init__(self, out: TextIO, color: bool, multi_device: bool, trace: bool,
                 width: int | None = None, full_values: bool = False, timings: bool = True) -> None:
        from idrun.views.table import console
        self.timings = timings
        self.con = console(out, color, width)
        self.multi, self.trace, self.full = multi_device, trace, full_values
        self.trace_spool = _Spool() if trace else None
        self.widths: list[int] = []
        self.clip: int | None = None
        self.clipped = False
        self.result: RunResult | None = None

    def on_start(self, result: RunResult) -> None:
        from rich.markup import escape
        self.result = result
        devices = ", ".join(device_label(result, d) for d in result.devices)
        self.con.print(f"[bold]{escape(printable(result.graph))}[/bold]  [dim]{escape(devices)}[/dim]",
                       soft_wrap=self.con.width >= 10_000)   # a terminal: wrapped between words
        self.header = ["step"] + [printable(f, lines=False) for f in result.fetch] + (
            ["transfers", "bytes"] if self.multi else [])
        if self.con.width < 10_000 and result.fetch:   # a terminal: a row fits its width
            fixed = len(str(10**9)) + (len("transfers") + 10 + 4 if self.multi else 0)
            self.clip = max(12, (self.con.width - fixed) // len(result.fetch) - 2)

    def on_step_end(self, step: StepResult) -> None:
        values = [printable(format_value(step.values[n], self.full), lines=False) for n in self.result.fetch]
        if self.clip is not None:
            self.clipped |= any(len(v) > self.clip for v in values)
            values = [v if len(v) <= self.clip else v[:self.clip - 1] + "…" for v in values]
        row = [str(step.step)] + values
        if self.multi:
            row += [str(len(step.transfers)), format_bytes(sum(t.bytes for t in step.transfers))]
        if not self.widths:
            self.widths = [max(len(h), len(c)) for h, c in zip(self.header, row)]
            self._print(self.header, "bold")
        else:
            self.widths = [max(w, len(c)) for w, c in zip(self.widths, row)]
        self._print(row, "")
        if self.trace_spool is not None:
            self.trace_spool.add(printable("\n".join(trace_lines(step, self.result, self.timings))) + "\n", sep="")

    def _print(self, cells: list[str], style: str) -> None:
        from rich.text import Text
        line = Text()
        for i, (cell, width) in enumerate(zip(cells, self.widths)):
            cell_style = style or ("dim" if i == 0 else "cyan" if self.multi and i >= len(cells) - 2 else "")
            line.append(("  " if i else "") + cell.rjust(width), style=cell_style)
        self.con.print(line, soft_wrap=True)

    def finish(self, result: RunResult, extra: dict | None) -> None:
        if not self.widths:
            self.con.print("(no step completed)", style="dim")
        if self.clipped:
            self.con.print("(a value wider than its column is cut at …; --format plain prints each on "
                           "one line)", style="dim", soft_wrap=True)
        if self.trace_spool is not None:
            self.con.print("[dim]trace (the graph as built: TF's graph rewrites off, so every op and "
                           "transfer is shown)[/dim]", soft_wrap=True)
            for line in self.trace_spool.lines():
                self.con.print(self._wrap(line), markup=False, highlight=False, soft_wrap=True)

    def _wrap(self, line: str) -> str:
        """On a terminal, a trace line longer than its width (the `ops:` list) is wrapped
        between items, not inside a name, the rest indented under the first item."""
        if len(line) <= self.con.width or self.con.width >= 10_000:
            return line
        import textwrap
        indent = " " * (line.index(": ") + 2) if ": " in line[:40] else "    "
        glued = line.replace(" @", "\x00@")   # `node @device` stays on one line
        return "\n".join(textwrap.wrap(glued, self.con.width, subsequent_indent=indent, break_long_words=False,
                                        break_on_hyphens=False)).replace("\x00", " ")
