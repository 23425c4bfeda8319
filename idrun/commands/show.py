"""`idrun show`: the placed and partitioned graph of one step, as a tree, DOT or JSON."""

from __future__ import annotations

import json
from typing import TextIO

from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions


def show_graph(path: str, fmt: str, variables: str | None, soft: bool, out: TextIO, color: bool) -> None:
    from idrun.views.graph import graph_document, render_dot, render_tree
    pipeline = Pipeline(path, RunOptions(soft_placement=soft), variables)
    spec, placement, step = pipeline.spec, pipeline.placement, pipeline.step
    if fmt == "dot":
        out.write(render_dot(spec, placement, step.partition, step.needed))
    elif fmt == "json":
        kinds = pipeline.session.device_kinds()
        json.dump(graph_document(spec, placement, step.partition, kinds), out, indent=1)
        out.write("\n")
    else:
        render_tree(spec, placement, step.partition, step.needed, pipeline.session.device_kinds(),
                    out, color)
