"""`idrun show`: the placed and partitioned graph of one step, as a tree, DOT or JSON."""

from __future__ import annotations

import json
from typing import TextIO

from idrun.errors import UsageError
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions


def _plan_source(pipeline: Pipeline) -> str:
    """The generated step function of the spec's `run:`, as Python (nothing runs)."""
    from idrun.compile.plan import PlanError
    request = pipeline.request
    if not (request.fetch or request.targets):
        raise UsageError("nothing to compile: the spec's run: names no fetch or target "
                         "(give --fetch or --target, or add run.fetch)")
    try:
        return pipeline.session.plan(request).full_source()
    except PlanError as exc:
        raise UsageError(f"cannot compile the step: {exc.message}") from None


def show_graph(path: str, fmt: str, variables: str | None, soft: bool, out: TextIO, color: bool,
               fetch: list[str] | None = None, targets: list[str] | None = None,
               feeds: dict | None = None) -> None:
    from idrun.views.graph import graph_document, render_dot, render_tree
    options = RunOptions(fetch=fetch, targets=targets, feeds=feeds or {}, soft_placement=soft)
    pipeline = Pipeline(path, options, variables)
    spec, placement, step = pipeline.spec, pipeline.placement, pipeline.step
    if fmt == "plan":
        out.write(_plan_source(pipeline))
    elif fmt == "dot":
        out.write(render_dot(spec, placement, step.partition, step.needed))
    elif fmt == "json":
        kinds = pipeline.session.device_kinds()
        json.dump(graph_document(spec, placement, step.partition, kinds), out, indent=1)
        out.write("\n")
    else:
        render_tree(spec, placement, step.partition, step.needed, pipeline.session.device_kinds(),
                    out, color)
