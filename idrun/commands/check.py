"""`idrun check SPEC...`: build, place and partition each spec for its run, report what will
bite (nothing runs unless --schedules); returns the exit code (0, 1 at/above --fail-on, 2)."""

from __future__ import annotations

import sys
from typing import TextIO

from idrun.errors import IdrunError, SourceLoc
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions
from idrun.views.diagnostics import report

FORMATS = ("text", "json", "github", "sarif")
FAIL_ON = ("warning", "info", "never")


def _error_diagnostic(err: IdrunError, path: str, code: str = "spec-error", severity: str = "error"):
    """A spec error (or a warning: `spec-warning`) as a diagnostic, for the machine formats."""
    from idrun.analysis import Diagnostic
    prefix = (f"{err.loc}: " if err.loc else "") + f"{err.kind}: "
    return Diagnostic(code, severity, err.loc or SourceLoc(path, 1, 1), err.render()[len(prefix):])


def _warnings(pipeline: Pipeline) -> list:
    """What the builder, the request and placement warned about, as far as the pipeline got
    (a spec that fails to place still keeps its builder's warnings)."""
    done = pipeline.__dict__
    found = list(done["spec"].warnings) if "spec" in done else []
    if "placement" in done:
        found += done["placement"].warnings
    return found


def _note_whole_graph(pipeline: Pipeline, path: str, err: TextIO) -> None:
    """A spec with no fetch or target (an imported graph has no `run:`): the step is the whole
    graph, so the rules about what a step leaves out (never-runs, update-ops-not-run) say
    nothing. Said once, with the step a MetaGraphDef's train_op collection names."""
    request, collections = pipeline.request, pipeline.spec.collections
    if request.fetch or request.targets or not collections.get("update_ops"):
        return
    train = collections.get("train_op") or []
    hint = f" (its train_op collection: --target {','.join(train)})" if train else ""
    err.write(f"{path}: note: nothing is fetched or targeted (no `run:` section, no --fetch/--target), so the "
              f"whole graph is the step and update-ops-not-run cannot tell what a training step leaves out; "
              f"name the step to check it{hint}\n")


def check_specs(paths: list[str], fmt: str = "text", fail_on: str = "warning",
                fetch: list[str] | None = None, targets: list[str] | None = None,
                variables: str | None = None, soft: bool = False, schedules: int = 0,
                color: bool = False, out: TextIO | None = None, err: TextIO | None = None,
                feeds: dict | None = None) -> int:
    from idrun.analysis import at_or_above, check_pipeline
    from idrun.analysis.schedules import prove
    from idrun.views import check as view
    out, err = out or sys.stdout, err or sys.stderr
    options = RunOptions(fetch=fetch, targets=targets, soft_placement=soft, feeds=feeds or {})
    diagnostics, counted, failed = [], [], 0   # counted: what text shows on stderr but counts
    for path in paths:
        pipeline, error = Pipeline(path, options, variables), None
        try:
            found = check_pipeline(pipeline)
            if schedules:
                prove(lambda o, p=path: Pipeline(p, o, variables), options, pipeline.request, found,
                      schedules)
        except IdrunError as exc:
            if exc.exit_code == 3:
                raise
            failed, error = failed + 1, exc
            found = [_error_diagnostic(exc, path)]
        warned = _warnings(pipeline)
        if fmt == "text" and error is None:
            _note_whole_graph(pipeline, path, err)
        if fmt == "text":
            # on stderr with the source line and a caret, as `run` shows them; counted in the
            # summary and against --fail-on as the machine formats count them
            for problem in warned + ([error] if error else []):
                report(problem, err)
            counted += [_error_diagnostic(w, path, "spec-warning", "warning") for w in warned]
            diagnostics += [d for d in found if d.code != "spec-error"]
            continue
        found += [_error_diagnostic(w, path, "spec-warning", "warning") for w in warned]
        found.sort(key=lambda d: (d.loc.file, d.loc.line, d.loc.col, d.code))
        diagnostics += found
    if fmt == "json":
        view.render_json(diagnostics, out)
    elif fmt == "github":
        view.render_github(diagnostics, out)
    elif fmt == "sarif":
        from idrun import __version__
        from idrun.analysis import RULE_DOCS, RULE_HELP, RULE_TITLES, RULES, SPEC_DOCS, SPEC_RULES
        view.render_sarif(diagnostics, out, {**RULES, **SPEC_RULES}, {**RULE_DOCS, **SPEC_DOCS}, __version__,
                          RULE_TITLES, RULE_HELP)
    else:
        view.render_text(diagnostics, out, color)
        err.write(view.summary(diagnostics + counted, len(paths), failed) + "\n")
    if failed:
        return 2
    return 1 if any(at_or_above(d.severity, fail_on) for d in diagnostics + counted) else 0
