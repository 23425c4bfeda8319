"""`idrun run`: load, place, run, render, check `expect:`; returns the exit code."""

from __future__ import annotations

import sys
from typing import TextIO

from idrun.commands.interrupts import StopOnSignal
from idrun.errors import ExpectError, SpecError, UsageError
from idrun.records import Record
from idrun.pipeline import Pipeline
from idrun.spec.expect import ExpectChecker, past_expect, unchecked
from idrun.spec.request import RunOptions
from idrun.views.diagnostics import report
from idrun.views.fmt import printable
from idrun.views.progress import ProgressBar


class RunCommand(Record):
    spec_path: str
    fmt: str
    color: bool
    variables: str | None
    trace: bool
    trace_out: str | None    # --trace-out: a Chrome trace event file of the steps
    summaries: str | None    # --summaries DIR: the fetched summaries in an events file
    log_placement: bool
    require_gpu: bool
    check: bool
    debug: bool
    progress: bool           # a progress bar on stderr (the CLI decides: a terminal, not CI)
    save: str | None         # --save DIR: TF checkpoints of the variables (runtime/checkpoints.py)
    save_every: int | None   # --save-every N: also every N steps
    keep: int                # --keep K: the last K checkpoints stay
    restore: str | None      # --restore DIR_OR_PREFIX: variables from a checkpoint, not initialized
    full_values: bool        # --full-values: every element in plain/table (not numpy's summary)
    timings: bool            # --no-timings: transfer seconds null (json) or `-` (text)
    out: TextIO
    err: TextIO

    def __init__(self, spec_path: str, fmt: str = "plain", color: bool = False,
                 variables: str | None = None, trace: bool = False, trace_out: str | None = None,
                 summaries: str | None = None, log_placement: bool = False, require_gpu: bool = False,
                 check: bool = True, debug: bool = False, progress: bool = False, save: str | None = None,
                 save_every: int | None = None, keep: int = 5, restore: str | None = None,
                 full_values: bool = False, timings: bool = True,
                 out: TextIO = None, err: TextIO = None) -> None:
        self.spec_path = spec_path
        self.fmt = fmt
        self.color = color
        self.variables = variables
        self.trace = trace
        self.trace_out = trace_out
        self.summaries = summaries
        self.log_placement = log_placement
        self.require_gpu = require_gpu
        self.check = check
        self.debug = debug
        self.progress = progress
        self.save = save
        self.save_every = save_every
        self.keep = keep
        self.restore = restore
        self.full_values = full_values
        self.timings = timings
        self.out = out
        self.err = err
        self.__post_init__()

    def __post_init__(self) -> None:
        self.out = self.out or sys.stdout
        self.err = self.err or sys.stderr

    def execute(self, **options) -> int:
        from idrun.views.stream import BufferedOut
        self.out = BufferedOut(self.out)
        try:
            with StopOnSignal() as interrupts:   # from the start: a load can be interrupted too
                return self._execute(interrupts, options)
        finally:
            self.out.flush()

    def _execute(self, interrupts: StopOnSignal, options: dict) -> int:
        pipeline = Pipeline(self.spec_path, RunOptions(record_ops=self.trace,
                                                       record_times=self.trace_out is not None,
                                                       **options), self.variables)
        spec, placement = pipeline.spec, pipeline.placement
        request = pipeline.request
        for warning in pipeline.warnings:
            report(warning, self.err)
        if not (request.fetch or request.targets):
            where = spec.run.loc or spec.loc
            raise SpecError("nothing to run: the spec's run: section names no fetch or target "
                            "(give --fetch NAME or --target NAME, or add run.fetch)", where)
        self._check_gpu(pipeline.session)
        if self.log_placement:
            self._log_placement(spec, placement)
        expect = {k: v.value for k, v in spec.expect.items()} if self.check else {}
        checker = ExpectChecker(expect, request.fetch_names)
        view = self._view(len(placement.devices) > 1)
        observers = [view, checker] + ([ProgressBar(request.steps, self.err)] if self.progress else [])
        trace_file = None
        if self.trace_out is not None:
            from idrun.views.trace import TraceFile
            trace_file = TraceFile(self.trace_out, spec.graph, self.spec_path)
            observers.append(trace_file)
        summary_file = None
        if self.summaries is not None:
            from idrun.tf.summaries import SummaryFile
            summary_file = SummaryFile(self.summaries, spec.graph, request)
            observers.append(summary_file)
        saver = self._checkpoints(pipeline.session, request)
        if saver is not None:
            observers.append(saver)
        result = pipeline.session.run(request, tuple(observers) + (interrupts,), keep_steps=False,
                                      stop=interrupts.stop)
        mismatches = checker.finish(result)
        self._note_unchecked(expect, result, checker.count)
        view.finish(result, self._extra(mismatches))
        self.out.flush()  # the values before any error (a pipe with 2>&1 keeps that order)
        self._note_simulated(result)
        if request.steps == 0 and result.error is None:   # a silent exit 0 reads like a failure
            self.err.write("note: 0 steps: the graph was built, placed and initialized; no step ran\n")
        file_errors = [f.error for f in (trace_file, summary_file, saver) if f is not None and f.error is not None]
        for error in file_errors:  # after the values: what was computed is shown
            report(error, self.err)
        if result.error is not None:
            report(result.error, self.err, self.debug)
            return result.error.exit_code
        if file_errors:
            return file_errors[0].exit_code
        if mismatches:
            for m in mismatches:
                self.err.write(printable(f"expect mismatch: {m.render()}") + "\n")
            return ExpectError.exit_code
        return 0

    def _checkpoints(self, session, request):
        """--restore: the variables from a checkpoint (the run then initializes nothing);
        --save: the observer that writes checkpoints, numbered on from the restored step."""
        if self.save is None and self.save_every is not None:
            raise UsageError("--save-every needs --save DIR")
        start = 0
        if self.restore is not None:
            from idrun.runtime.checkpoints import checkpoint_step, restore
            request.init = False
            start = checkpoint_step(restore(session, self.restore))
        if self.save is None:
            return None
        from idrun.runtime.checkpoints import CheckpointWriter
        return CheckpointWriter(session, self.save, self.save_every or 0, self.keep, start)

    def _view(self, multi: bool):
        from idrun.views import stream
        if self.fmt == "json":
            return stream.JsonStream(self.out, self.timings)
        if self.fmt == "jsonl":
            return stream.JsonlStream(self.out, self.timings)
        if self.fmt == "table":
            return stream.TableStream(self.out, self.color, multi, self.trace, full_values=self.full_values,
                                      timings=self.timings)
        return stream.PlainStream(self.out, multi, self.trace, self.full_values, self.timings)

    def _extra(self, mismatches) -> dict | None:
        if not self.check:
            return None
        from idrun.result import to_json_value  # nan/inf as the strings the document uses
        return {"expect": {"ok": not mismatches, "mismatches": [
            {k: to_json_value(v) for k, v in vars(m).items()} for m in mismatches]}}

    def _note_unchecked(self, expect, result, steps: int) -> None:
        if self.fmt in ("json", "jsonl"):
            return
        skipped, past = unchecked(expect, result), past_expect(expect, result, steps)
        if skipped:
            self.err.write(printable("note: not fetched, so not checked: " + ", ".join(skipped)) + "\n")
        if past:
            self.err.write(printable("note: past the steps expect: lists, so not checked: " + ", ".join(past)) + "\n")

    def _note_simulated(self, result) -> None:
        from idrun.views.plain import simulated_note
        note = simulated_note(result)
        if note and self.fmt not in ("json", "jsonl"):
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
            self.err.write(printable(f"{name}: ({node.op}): {device}  [{placement.reason[name]}]") + "\n")

