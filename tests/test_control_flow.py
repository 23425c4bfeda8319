"""TF 1.x control flow (switch, merge, enter, exit, next_iteration, loop_cond): raised to
regions (compile/regions.py) and run as Python if/while (runtime/flow.py).

The values here are TF 2.21's (tf.compat.v1, control flow v2 off) for the same graphs:
`tests/fixtures/graphdefs/cf1_*` hold TF's records, written by
scripts/graphdef_cases/control_flow_v1.py; `make conformance` compares all of them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy
import pytest

from idrun.compile.regions import raise_regions
from idrun.pipeline import Pipeline
from idrun.views.jsondoc import result_document
from idrun.spec.request import RunOptions
from idrun.tf.graphdef_import import import_graphdef

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "graphdefs"

COND = """\
nodes:
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - {name: x, op: const, value: [1.0, 2.0]}
  - {name: cond/Switch, op: switch, inputs: [x, p]}
  - {name: cond/double, op: mul, inputs: ['cond/Switch:1', 2.0]}
  - {name: cond/neg, op: neg, inputs: ['cond/Switch']}
  - {name: cond/Merge, op: merge, inputs: [cond/neg, cond/double]}
  - {name: y, op: add, inputs: [cond/Merge, 1.0]}
run: {fetch: [y, 'cond/Merge:1']}
"""

LOOP = """\
nodes:
  - {name: n, op: placeholder, dtype: int32, shape: []}
  - {name: i0, op: const, value: 0, dtype: int32}
  - {name: w/Enter, op: enter, inputs: [i0], frame_name: w}
  - {name: w/n, op: enter, inputs: [n], frame_name: w, is_constant: true}
  - {name: w/Merge, op: merge, inputs: [w/Enter, w/NextIteration]}
  - {name: w/Less, op: less, inputs: [w/Merge, w/n]}
  - {name: w/LoopCond, op: loop_cond, inputs: [w/Less]}
  - {name: w/Switch, op: switch, inputs: [w/Merge, w/LoopCond]}
  - {name: w/Identity, op: identity, inputs: ['w/Switch:1']}
  - {name: w/add, op: add, inputs: [w/Identity, 3]}
  - {name: w/NextIteration, op: next_iteration, inputs: [w/add]}
  - {name: w/Exit, op: exit, inputs: [w/Switch]}
run: {fetch: [w/Exit]}
"""


def _run(tmp_path, text: str, **opts) -> dict:
    spec = tmp_path / "g.yaml"
    spec.write_text(text)
    return result_document(Pipeline(str(spec), RunOptions(**opts)).run())


@pytest.mark.parametrize("pred, y, index", [(True, [3.0, 5.0], 1), (False, [0.0, -1.0], 0)])
def test_switch_and_merge_run_the_branch_taken(tmp_path, pred, y, index):
    doc = _run(tmp_path, COND, feeds={"p": pred})
    assert doc["error"] is None
    assert doc["steps"][0]["values"] == {"y": y, "cond/Merge:1": index}


def test_a_while_loop_runs_its_iterations(tmp_path):
    spec = tmp_path / "g.yaml"
    spec.write_text(LOOP)
    result = Pipeline(str(spec), RunOptions(feeds={"n": 10}, steps=2, record_ops=True)).run()
    assert [s.values["w/Exit"] for s in result.steps] == [12, 12]   # 0, 3, 6, 9, 12
    ran = [node for node, _ in result.steps[0].ops]   # the predicate 5 times, the body 4
    assert ran.count("w/Less") == 5 and ran.count("w/add") == 4 and ran[-1] == "w/<loop>"


def test_a_loop_that_never_iterates_gives_its_initial_values(tmp_path):
    doc = _run(tmp_path, LOOP, feeds={"n": 0})
    assert doc["steps"][0]["values"]["w/Exit"] == 0


def test_regions_of_a_cond_and_a_loop(tmp_path):
    spec = tmp_path / "c.yaml"
    spec.write_text(COND)
    p = Pipeline(str(spec))
    raised = raise_regions(p.spec.graph, p.placement.device)
    (region,) = raised.regions.values()
    assert region.kind == "cond" and region.merges == ["cond/Merge"] and region.switches == ["cond/Switch"]
    assert raised.context["cond/double"] == (("cond", "p:0@cond", 1),)
    assert raised.context["cond/neg"] == (("cond", "p:0@cond", 0),)
    assert raised.context["y"] == ()


def test_a_value_read_past_its_branch_is_a_step_error(tmp_path):
    text = COND.replace("  - {name: y, op: add, inputs: [cond/Merge, 1.0]}",
                        "  - {name: y, op: add, inputs: [cond/Merge, cond/double]}")
    doc = _run(tmp_path, text, feeds={"p": True})
    assert doc["error"] is not None and "cond/double" in json.dumps(doc["error"])


@pytest.mark.parametrize("case", ["cf1_cond_branches", "cf1_while_counter", "cf1_nested_cond_in_while",
                                  "cf1_while_rnn", "cf1_seed_batch_norm"])
def test_tf1_control_flow_imports_and_gives_tfs_values(tmp_path, case):
    rec = json.loads((FIXTURES / f"{case}.json").read_text())
    spec = tmp_path / "g.yaml"
    import_graphdef(str(FIXTURES / rec["graph"]), str(spec))
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=rec["fetch"], targets=rec["targets"] or None,
                                                         feeds=rec["feeds"], steps=len(rec["steps"]))).run())
    assert doc["error"] is None
    for ours, theirs in zip(doc["steps"], rec["steps"]):
        for name, value in theirs["values"].items():
            numpy.testing.assert_allclose(ours["values"][name], value, rtol=1e-5, err_msg=name)


def test_the_pitfall_an_op_made_outside_the_branch_runs_every_step(tmp_path):
    """cf1_cond_branches: `bump_outside` is created outside tf.cond and used inside the true
    branch: it runs on each of 4 steps; `bump_inside`, made in the branch, runs only at the
    2 steps that take it (TF: outside 4.0, inside 2.0 after step 4)."""
    rec = json.loads((FIXTURES / "cf1_cond_branches.json").read_text())
    spec = tmp_path / "g.yaml"
    import_graphdef(str(FIXTURES / rec["graph"]), str(spec))
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=rec["fetch"], steps=4)).run())
    seen = [(s["values"]["outside_now:0"], s["values"]["inside_now:0"]) for s in doc["steps"]]
    assert seen == [(1.0, 1.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)]


V2 = ROOT / "tests" / "fixtures" / "graphdefs_v2"
V2_RUN = sorted(p.stem for p in V2.glob("cfv2_*.json")
                if not {"skip", "run_error", "import_error"} & set(json.loads(p.read_text())))


@pytest.mark.parametrize("case", V2_RUN)
def test_tf2_functional_control_flow_is_lowered_and_gives_tfs_values(tmp_path, case):
    """TF 2's If/While/PartitionedCall (with their FunctionDefs), lowered as TF's runtime
    lowers them (tf/functional.py), then raised to regions: TF's values, step by step."""
    rec = json.loads((V2 / f"{case}.json").read_text())
    spec = tmp_path / "g.yaml"
    import_graphdef(str(V2 / rec["graph"]), str(spec))
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=rec["fetch"], targets=rec["targets"] or None,
                                                         feeds=rec["feeds"], steps=len(rec["steps"]))).run())
    assert doc["error"] is None, doc["error"]
    for ours, theirs in zip(doc["steps"], rec["steps"]):
        for name, value in theirs["values"].items():
            numpy.testing.assert_allclose(ours["values"][name], value, rtol=1e-5, err_msg=name)


def test_identity_n_passes_each_input(tmp_path):
    text = """\
nodes:
  - {name: a, op: const, value: [1.0, 2.0]}
  - {name: b, op: const, value: 3, dtype: int32}
  - {name: both, op: identity_n, inputs: [a, b]}
run: {fetch: ['both:0', 'both:1']}
"""
    doc = _run(tmp_path, text)
    assert doc["steps"][0]["values"] == {"both:0": [1.0, 2.0], "both:1": 3}


KERNEL_TESTS = {op: test_a_while_loop_runs_its_iterations
                for op in ("enter", "exit", "next_iteration", "loop_cond", "control_flow_region")}
KERNEL_TESTS.update({op: test_switch_and_merge_run_the_branch_taken for op in ("switch", "merge")})
KERNEL_TESTS["identity_n"] = test_identity_n_passes_each_input
KERNEL_TESTS["resource_identity"] = test_tf2_functional_control_flow_is_lowered_and_gives_tfs_values


# ---- spec entries build TF's graph ---------------------------------------------------------

SPEC_COND = """\
nodes:
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - {name: x, op: const, value: [1.0, 2.0]}
  - {name: y, op: const, value: 3.0}
  - {name: a, op: variable, value: 0.0}
  - {name: up, op: assign_add, inputs: [a, 1.0]}
  - control_dependencies: [up]
    nodes:
      - cond: p
        outputs: [r0, r1]
        true_fn:
          nodes: [{name: double, op: mul, inputs: [x, 2.0]}]
          return: [double, y]
        false_fn:
          nodes:
            - {name: neg, op: neg, inputs: [x]}
            - {name: yy, op: add, inputs: [y, y]}
          return: [neg, yy]
  - control_dependencies: [r0]
    nodes:
      - {name: z, op: identity, inputs: [r1]}
run: {fetch: [r0, z]}
"""

# TF 2.21, tf.compat.v1 with control flow v2 off, the same program in Python:
# `with tf1.control_dependencies([up]): r0, r1 = tf.cond(p, t, f, name="cond")`, t returning
# (tf.multiply(x, 2.0, name="double"), y), f (tf.negative(x, name="neg"), tf.add(y, y, name="yy"));
# `with tf1.control_dependencies([r0]): z = tf.identity(r1, name="z")`. Node: (op, sorted inputs).
TF_COND_NODES = {
    "cond/Switch": ("Switch", ["^up", "p", "p"]),
    "cond/switch_t": ("Identity", ["cond/Switch:1"]),
    "cond/switch_f": ("Identity", ["cond/Switch"]),
    "cond/pred_id": ("Identity", ["^up", "p"]),
    "cond/double/y": ("Const", ["^cond/switch_t", "^up"]),
    "cond/double": ("Mul", ["cond/double/Switch:1", "cond/double/y"]),
    "cond/double/Switch": ("Switch", ["cond/pred_id", "x"]),
    "cond/Switch_1": ("Switch", ["cond/pred_id", "y"]),
    "cond/neg": ("Neg", ["^up", "cond/neg/Switch"]),
    "cond/neg/Switch": ("Switch", ["cond/pred_id", "x"]),
    "cond/yy": ("AddV2", ["^up", "cond/yy/Switch", "cond/yy/Switch"]),
    "cond/yy/Switch": ("Switch", ["cond/pred_id", "y"]),
    "cond/Merge": ("Merge", ["cond/double", "cond/neg"]),
    "cond/Merge_1": ("Merge", ["cond/Switch_1:1", "cond/yy"]),
    "z": ("Identity", ["^cond/Merge", "cond/Merge_1"]),
}


def _graphdef_nodes(tmp_path, text: str) -> dict:
    pytest.importorskip("tensorboard")
    from idrun.tf.graphdef import export_graphdef
    spec = tmp_path / "g.yaml"
    spec.write_text(text)
    return {n.name: (n.op, sorted(n.input)) for n in export_graphdef(Pipeline(str(spec))).node}


def test_a_cond_entry_builds_tfs_nodes(tmp_path):
    ours = _graphdef_nodes(tmp_path, SPEC_COND)
    assert {k: ours.get(k) for k in TF_COND_NODES} == TF_COND_NODES
    assert not [n for n in ours if n.startswith("cond/") and n not in TF_COND_NODES]


@pytest.mark.parametrize("pred, r0, z", [(True, [2.0, 4.0], 3.0), (False, [-1.0, -2.0], 6.0)])
def test_a_cond_entry_gives_tfs_values(tmp_path, pred, r0, z):
    doc = _run(tmp_path, SPEC_COND, feeds={"p": pred}, steps=2)
    assert [s["values"] for s in doc["steps"]] == [{"r0": r0, "z": z}] * 2
    assert doc["steps"][0]["control_flow"] == [{"region": "cond/<cond>", "kind": "cond",
                                                "true": int(pred), "false": int(not pred)}]


def test_a_while_loop_entry_builds_tfs_loop_nodes(tmp_path):
    """The loop machinery of graphs/while_counter.yaml, node for node as TF 2.21 built the same
    program (tests/fixtures/graphdefs/cf1_while_counter.pbtxt, control flow v1)."""
    import re
    text = (ROOT / "graphs" / "while_counter.yaml").read_text()
    ours = _graphdef_nodes(tmp_path, text)
    tf = {}
    for m in re.finditer(r'node \{\n  name: "([^"]+)"\n  op: "([^"]+)"\n((?:  input: "[^"]+"\n)*)',
                         (FIXTURES / "cf1_while_counter.pbtxt").read_text()):
        tf[m.group(1)] = (m.group(2), sorted(re.findall(r'input: "([^"]+)"', m.group(3))))
    machinery = [n for n, (op, _) in tf.items() if op in ("Enter", "Merge", "Switch", "Identity", "NextIteration",
                                                         "Exit", "LoopCond") and n.count("/") == 1]
    assert len(machinery) == 19
    # the body's own nodes are named in the spec (i_next, s_next), TF's Python names them add_1, add_2
    renamed = {"while/i_next": "while/add_1", "while/s_next": "while/add_2"}
    got = {n: (ours[n][0], sorted(renamed.get(i, i) for i in ours[n][1])) for n in machinery}
    assert got == {n: tf[n] for n in machinery}


def test_a_variable_read_inside_a_branch_reads_the_switched_handle(tmp_path):
    text = """\
nodes:
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - {name: v, op: variable, value: 5.0}
  - cond: p
    outputs: [y]
    true_fn:
      nodes: [{name: twice, op: mul, inputs: [v, 2.0]}]
      return: [twice]
    false_fn:
      return: [v]
run: {fetch: [y]}
"""
    ours = _graphdef_nodes(tmp_path, text)
    assert ours["cond/twice/ReadVariableOp"] == ("ReadVariableOp", ["cond/twice/ReadVariableOp/Switch:1"])
    assert ours["cond/twice/ReadVariableOp/Switch"] == ("Switch", ["cond/pred_id", "v"])
    assert [_run(tmp_path, text, feeds={"p": b})["steps"][0]["values"]["y"] for b in (True, False)] == [10.0, 5.0]


TWO_DEVICES = """\
devices: [cpu:0, cpu:1]
nodes:
  - {name: x, op: const, value: [1.0, 2.0], device: cpu:1}
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - cond: p
    outputs: [y]
    true_fn:
      nodes: [{name: d, op: mul, inputs: [x, 2.0], device: cpu:0}]
      return: [d]
    false_fn:
      nodes: [{name: e, op: neg, inputs: [x], device: cpu:0}]
      return: [e]
  - {name: z, op: add, inputs: [y, 1.0], device: cpu:0}
run: {fetch: [z]}
"""


@pytest.mark.parametrize("pred, z", [(True, [3.0, 5.0]), (False, [0.0, -1.0])])
def test_a_cond_on_two_devices_sends_what_tf_sends(tmp_path, pred, z):
    """TF 2.21 (the spec's tf-python export, one step): 3 sends whatever the predicate:
    cond/pred_id to the switches' device (they are colocated with x), and each branch's
    switch output to cpu:0; the branch not taken sends its dead tensor's marker (0 bytes)."""
    doc = _run(tmp_path, TWO_DEVICES, feeds={"p": pred})
    step = doc["steps"][0]
    assert step["values"]["z"] == z
    sent = {(t["tensor"], t["src"], t["dst"]): t["bytes"] for t in step["transfers"]}
    taken, dead = ("cond/d/Switch:1", "cond/e/Switch:0") if pred else ("cond/e/Switch:0", "cond/d/Switch:1")
    assert sent == {("cond/pred_id:0", "cpu:0", "cpu:1"): 1, (taken, "cpu:1", "cpu:0"): 8,
                    (dead, "cpu:1", "cpu:0"): 0}


def test_an_ema_made_in_a_branch_runs_in_ref_mode_as_tf(cli):
    """The shadow's `x/read` is made with the variable, outside the cond (TF's init_scope), so
    the false branch's capture of it is outside the true branch. TF 2.21's `mean` for
    graphs/seed_batch_norm_cond.yaml with ref variables (its tf-python export)."""
    spec = str(Path(__file__).resolve().parent.parent / "graphs/seed_batch_norm_cond.yaml")
    res = cli("run", spec, "--variables", "ref", "--format", "json", "--no-expect")
    assert res.exit_code == 0, res.stderr
    assert [s["values"]["mean"] for s in res.json()["steps"]] == [
        [1.25, 2.375], [0.625, 1.1875], [0.625, 1.1875], [1.25, 2.375], [0.9375, 1.78125]]


SPEC_VARIABLE_LOOP_VAR = """\
variables: {mode}
nodes:
  - {{name: w, op: variable, value: [1.0, 2.0]}}
  - {{name: i0, op: const, value: 0}}
  - while_loop: [i0, w]
    outputs: [n, out]
    cond:
      args: [i, v]
      nodes: [{{name: more, op: less, inputs: [i, 3]}}]
      return: [more]
    body:
      args: [i, v]
      nodes: [{{name: i1, op: add, inputs: [i, 1]}}, {{name: v1, op: mul, inputs: [v, 2.0]}}]
      return: [i1, v1]
run: {{fetch: [out], steps: 2}}
"""


@pytest.mark.parametrize("mode, read", [("resource", "ReadVariableOp"), ("ref", "w/read")])
def test_a_variable_as_a_loop_variable_enters_as_its_value(tmp_path, mode, read):
    """tf1.while_loop(c, b, [i0, w]) converts w: TF 2.21 (control flow v1) enters `ReadVariableOp`
    (resource, made before the loop's scope) or `w/read` (ref), and gives [8, 16] each step."""
    text = SPEC_VARIABLE_LOOP_VAR.format(mode=mode)
    doc = _run(tmp_path, text)
    assert doc["error"] is None
    assert [s["values"] for s in doc["steps"]] == [{"out": [8.0, 16.0]}] * 2
    assert _graphdef_nodes(tmp_path, text)["while/Enter_1"] == ("Enter", [read])
