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


def _error_diagnostic(err: IdrunError, path: str):
    """A spec error as a diagnostic, for the machine formats."""
    from idrun.analysis import Diagnostic
    prefix = (f"{err.loc}: " if err.loc else "") + f"{err.kind}: "
    return Diagnostic("spec-error", "error", err.loc or SourceLoc(path, 1, 1), err.render()[len(prefix):])


def check_specs(paths: list[str], fmt: str = "text", fail_on: str = "warning",
                fetch: list[str] | None = None, targets: list[str] | None = None,
                variables: str | None = None, soft: bool = False, schedules: int = 0,
                color: bool = False, out: TextIO | None = None, err: TextIO | None = None,
                feeds: dict | None = None) -> int:
    from idrun.analysis import RULE_DOCS, RULES, at_or_above, check_pipeline
    from idrun.analysis.schedules import prove
    from idrun.views import check as view
    out, err = out or sys.stdout, err or sys.stderr
    options = RunOptions(fetch=fetch, targets=targets, soft_placement=soft, feeds=feeds or {})
    diagnostics, failed = [], 0
    for path in paths:
        pipeline = Pipeline(path, options, variables)
        try:
            found = check_pipeline(pipeline)
            if schedules:
                prove(lambda o, p=path: Pipeline(p, o, variables), options, pipeline.request, found,
                      schedules)
            if fmt == "text":
                for warning in pipeline.warnings:
                    report(warning, err)
        except IdrunError as exc:
            if exc.exit_code == 3:
                raise
            failed += 1
            if fmt == "text":
                report(exc, err)
            found = [_error_diagnostic(exc, path)]
        diagnostics.extend(d for d in found if fmt != "text" or d.code != "spec-error")
    if fmt == "json":
        view.render_json(diagnostics, out)
    elif fmt == "github":
        view.render_github(diagnostics, out)
    elif fmt == "sarif":
        from idrun import __version__
        view.render_sarif(diagnostics, out, RULES, RULE_DOCS, __version__)
    else:
        view.render_text(diagnostics, out, color)
        err.write(view.summary(diagnostics, len(paths), failed) + "\n")
    if failed:
        return 2
    return 1 if any(at_or_above(d.severity, fail_on) for d in diagnostics) else 0
