"""`idrun run`: load, place, run, render, check `expect:`; returns the exit code."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from typing import TextIO

from idrun.errors import ExpectError, UsageError
from idrun.pipeline import Pipeline
from idrun.spec.expect import check_expect, unchecked
from idrun.spec.request import RunOptions
from idrun.views.diagnostics import report


@dataclass
class RunCommand:
    spec_path: str
    fmt: str = "plain"
    color: bool = False
    variables: str | None = None
    trace: bool = False
    log_placement: bool = False
    require_gpu: bool = False
    check: bool = True
    debug: bool = False
    out: TextIO = None
    err: TextIO = None

    def __post_init__(self) -> None:
        self.out = self.out or sys.stdout
        self.err = self.err or sys.stderr

    def execute(self, **options) -> int:
        pipeline = Pipeline(self.spec_path, RunOptions(record_ops=self.trace, **options), self.variables)
        spec, placement = pipeline.spec, pipeline.placement
        for warning in pipeline.warnings:
            report(warning, self.err)
        self._check_gpu(pipeline.session)
        if self.log_placement:
            self._log_placement(spec, placement)
        result = pipeline.run()
        multi = len(placement.devices) > 1
        mismatches = self._expect(spec, result) if self.check else []
        self._render_buffered(result, multi, mismatches)
        self._note_simulated(result)
        if result.error is not None:
            report(result.error, self.err, self.debug)
            return result.error.exit_code
        if mismatches:
            for m in mismatches:
                self.err.write(f"expect mismatch: {m.render()}\n")
            return ExpectError.exit_code
        return 0

    def _expect(self, spec, result):
        expect = {k: v.value for k, v in spec.expect.items()}
        skipped = unchecked(expect, result)
        if skipped and self.fmt != "json":
            self.err.write("note: not fetched, so not checked: " + ", ".join(skipped) + "\n")
        return check_expect(expect, result)

    def _render_buffered(self, result, multi: bool, mismatches) -> None:
        """The document built in a buffer of its own and written once (with
        PYTHONUNBUFFERED=1 every small write would be a syscall)."""
        if self.fmt == "table":  # rich sizes its output to the real stream
            self._render(result, multi, mismatches)
            return
        out, buffer = self.out, io.StringIO()
        self.out = buffer
        try:
            self._render(result, multi, mismatches)
        finally:
            self.out = out
        out.write(buffer.getvalue())

    def _render(self, result, multi: bool, mismatches) -> None:
        if self.fmt == "json":
            from idrun.views.jsondoc import render_json
            extra = {"expect": {"ok": not mismatches,
                                "mismatches": [vars(m) for m in mismatches]}} if self.check else None
            render_json(result, self.out, extra)
            return
        if self.fmt == "table":
            from idrun.views.table import render_table, render_trace_rich
            render_table(result, self.out, self.color, multi)
            if self.trace:
                render_trace_rich(result, self.out, self.color)
            return
        from idrun.views.plain import render_plain, render_trace
        render_plain(result, self.out, multi)
        if self.trace:
            render_trace(result, self.out)

    def _note_simulated(self, result) -> None:
        from idrun.views.plain import simulated_note
        note = simulated_note(result)
        if note and self.fmt != "json":
            self.err.write(note + "\n")

    def _check_gpu(self, session) -> None:
        gpus = [d for d in session.devices.values() if d.kind == "gpu"]
        if self.require_gpu and (not gpus or any(d.simulated for d in gpus)):
            if not gpus:
                reason = "the graph uses no gpu device"
            else:
                from idrun.devices import cuda_reason
                reason = (f"no CUDA GPU was found ({cuda_reason()}); gpu devices would be simulated "
                          "(install idrun[gpu] on a machine with one)")
            raise UsageError(f"--require-gpu: {reason}")

    def _log_placement(self, spec, placement) -> None:
        for name, node in spec.graph.nodes.items():
            device = placement.device[name]
            self.err.write(f"{name}: ({node.op}): {device}  [{placement.reason[name]}]\n")

