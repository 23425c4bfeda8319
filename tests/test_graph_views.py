"""`idrun show`: the tree and DOT carry transfer counts per edge, control edges and aliases,
and agree with what a traced run moves; names from the spec print as data."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter

import pytest

from conftest import ROOT
from idrun.compile.partition import Partition, TransferSpec
from idrun.graph import TensorRef
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions
from idrun.views.graph import render_dot, transfer_groups
from idrun.views.trace import trace_document

GRAPHS = sorted((ROOT / "graphs").glob("*.yaml"))

REMOTE = """
name: ref read twice remotely
variables: ref
devices: [cpu:0, cpu:1]
nodes:
  - {name: x, op: variable, value: [1.0, 2.0], device: cpu:0}
  - {name: inc, op: assign_add, inputs: [x, [1.0, 1.0]]}
  - device: cpu:1
    nodes:
      - {name: p, op: identity, inputs: [x]}
      - {name: q, op: identity, inputs: [x]}
      - {name: w, op: add, inputs: [p, q], control_inputs: [inc]}
  - {name: al, alias: w}
run: {fetch: [al], steps: 2}
"""

# names are data: rich markup, a trailing backslash, quotes in the graph's name
EVIL = r"""
name: "[/red] evil \"name\" [bold]\\"
devices: [cpu:0, cpu:1]
nodes:
  - {name: 'x\', op: variable, value: 1.0}
  - {name: '[b]', alias: 'x\'}
  - device: cpu:1
    nodes:
      - {name: a, op: identity, inputs: ['x\']}
run: {fetch: [a]}
"""


def test_tree_counts_transfers_per_edge_and_names_their_readers(cli, spec_file):
    res = cli("show", spec_file(REMOTE))
    assert res.exit_code == 0, res.stderr
    lines = [line.strip("│├└─ ") for line in res.stdout.splitlines()]
    assert "send x/read:0 -> cpu:1 ×1 per step (edge; to p, q)" in lines   # one copy, two readers
    assert "recv x/read:0 <- cpu:0 ×1 per step (edge; to p, q)" in lines
    assert "send ^inc -> cpu:1 ×1 per step (control; to w)" in lines
    assert "recv w:0 <- cpu:1 ×1 per step (fetch)" in lines
    assert "w (add) <- p:0, q:0  ^inc  (block)" in lines
    assert "alias al -> w:0 (names it, creates nothing)" in lines


def test_tree_resource_reads_cross_once_each(cli):
    res = cli("show", str(ROOT / "graphs/cross_device_reads.yaml"))
    for reader in "abc":
        assert f"send {reader}/ReadVariableOp:0 -> cpu:1 ×1 per step (edge; to {reader})" in res.stdout


def test_unshared_transfers_are_counted_together():
    # ref edges are never shared (G4): three readers of one ref on cpu:1 are three copies
    ref = TensorRef("x", 0)
    part = Partition(transfers=[TransferSpec(ref, "cpu:0", "cpu:1", "edge")] * 3,
                     edge_transfer={("a", 0): 0, ("b", 0): 1, ("c", 0): 2})
    (group,) = transfer_groups(part)
    assert (group.tensor, group.count, group.consumers) == ("x:0", 3, ["a", "b", "c"])
    assert group.per_step() == "×3 per step" and group.readers() == "edge; to a, b, c"


def test_dot_routes_crossing_edges_through_their_transfer(cli, spec_file):
    res = cli("show", spec_file(REMOTE), "--format", "dot")
    dot = res.stdout
    assert '"send/recv 0" [shape=cds, color=magenta, label="x/read:0\\ncpu:0 -> cpu:1\\n' \
           '×1 per step (edge; to p, q)"];' in dot
    assert '"x/read" -> "send/recv 0" [color=magenta];' in dot
    assert '"send/recv 0" -> "p" [color=magenta];' in dot and '"send/recv 0" -> "q" [color=magenta];' in dot
    assert '"x/read" -> "p"' not in dot                     # not drawn twice
    assert '"inc" -> "send/recv 1" [color=magenta, style=dashed];' in dot   # control: dashed
    assert '"send/recv 1" -> "w" [color=magenta, style=dashed];' in dot
    assert '"alias:al" [shape=plaintext' in dot and '"alias:al" -> "w" [style=dotted' in dot


def test_names_are_data_in_tree_and_dot(cli, spec_file):
    path = spec_file(EVIL)
    res = cli("show", path)
    assert res.exit_code == 0, res.stderr
    first = res.stdout.splitlines()[0]
    assert first.startswith('[/red] evil "name" [bold]\\ (resource variables')
    assert "x\\ (variable)  (default)" in res.stdout
    assert "alias [b] -> x\\:0" in res.stdout
    dot = cli("show", path, "--format", "dot").stdout
    assert dot.startswith('digraph "[/red] evil \\"name\\" [bold]\\\\" {')
    assert '"x\\\\" [label="x\\\\\\nvariable"];' in dot
    assert '"alias:[b]" -> "x\\\\"' in dot


def test_tree_in_color_keeps_names_literal(spec_file):
    from io import StringIO
    from idrun.views.graph import render_tree
    pipeline = Pipeline(spec_file(EVIL))
    out = StringIO()
    step = pipeline.step
    render_tree(pipeline.spec, pipeline.placement, step.partition, step.needed,
                pipeline.session.device_kinds(), out, True)
    assert "[/red] evil" in out.getvalue() and "\x1b[" in out.getvalue()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_dot_renders_with_graphviz(cli, path):
    dot = cli("show", str(path), "--format", "dot").stdout
    res = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True)
    assert res.returncode == 0 and not res.stderr, res.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_evil_names_render_with_graphviz(cli, spec_file):
    dot = cli("show", spec_file(EVIL), "--format", "dot").stdout
    res = subprocess.run(["dot", "-Tplain"], input=dot, capture_output=True, text=True)
    assert res.returncode == 0 and not res.stderr, res.stderr


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.stem)
def test_tree_dot_and_trace_agree(path):
    """What show counts per step is what a traced run moves per step."""
    pipeline = Pipeline(str(path), RunOptions(record_times=True, steps=1))
    step = pipeline.step
    groups = transfer_groups(step.partition)
    shown = Counter({(g.tensor, g.src, g.dst, g.kind): g.count for g in groups})
    dot = render_dot(pipeline.spec, pipeline.placement, step.partition, step.needed)
    assert dot.count("shape=cds") == len(groups)
    for g in groups:
        assert f"×{g.count} per step" in dot
    result = pipeline.run()
    if result.error is not None:  # assert_identity_fail: its step fails before it moves anything
        return
    doc = trace_document(result, pipeline.spec.graph)
    sent = Counter((e["args"]["tensor"], e["args"]["src"], e["args"]["dst"], e["args"]["kind"])
                   for e in doc["traceEvents"] if e["ph"] == "X" and e["cat"] == "transfer"
                   and e["args"]["side"] == "send")
    assert sent == shown


def test_show_json_lists_aliases(cli, spec_file):
    doc = json.loads(cli("show", spec_file(REMOTE), "--format", "json").stdout)
    assert doc["aliases"] == {"al": "w:0"}


def test_run_table_title_keeps_a_trailing_backslash(spec_file, cli):
    res = cli("run", spec_file(EVIL), "--format", "table")
    title = res.stdout.splitlines()[0]
    assert '[/red] evil "name" [bold]\\' in title and "[/bold]" not in title


def test_show_takes_the_step_from_the_command_line(cli, spec_file):
    """--fetch, --target and --feed choose the step shown, as `idrun run` does (an imported
    spec has no run: section)."""
    path = spec_file("""
    nodes:
      - {name: x, op: placeholder, dtype: float32, shape: [2]}
      - {name: v, op: variable, value: [0.0, 0.0]}
      - {name: y, op: add, inputs: [x, v]}
      - {name: inc, op: assign_add, inputs: [v, [1.0, 1.0]]}
    """)
    res = cli("show", path, "--format", "plan")
    assert res.exit_code == 2 and "give --fetch or --target" in res.stderr
    res = cli("show", path, "--format", "plan", "--fetch", "y", "--target", "inc", "--feed", "x=[1.0, 2.0]")
    assert res.exit_code == 0, res.stderr
    assert "fed: x:0" in res.stdout and "k_inc(" in res.stdout and "k_y(" in res.stdout
