"""`idrun explain SPEC NODE`: one node, in words: runs or not and why, where its control
inputs came from, what TF dropped, its device and transfers."""

from __future__ import annotations

import sys
from typing import TextIO

from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions


def explain(path: str, node: str, fmt: str = "text", fetch: list[str] | None = None,
            targets: list[str] | None = None, variables: str | None = None, soft: bool = False,
            out: TextIO | None = None) -> int:
    from idrun.analysis import Facts
    from idrun.analysis.explain import explain_node
    from idrun.views.check import render_explain_json, render_explain_text
    out = out or sys.stdout
    pipeline = Pipeline(path, RunOptions(fetch=fetch, targets=targets, soft_placement=soft), variables)
    doc = explain_node(Facts(pipeline), node)
    if fmt == "json":
        render_explain_json(doc, out)
    else:
        render_explain_text(doc, out)
    return 0
