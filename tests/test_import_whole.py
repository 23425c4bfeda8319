"""`idrun import` keeps the whole GraphDef (tf_opaque nodes), runs what is asked, and runs
imported initializers as TF's `sess.run(init)` does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("tensorboard.compat.proto.graph_pb2")

from idrun.pipeline import Pipeline  # noqa: E402
from idrun.spec.request import RunOptions  # noqa: E402
from idrun.tf.graphdef import export_graphdef  # noqa: E402
from idrun.tf.graphdef_import import import_graphdef, read_graphdef  # noqa: E402
from idrun.views.jsondoc import result_document  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "graphdefs"
SAVER = FIXTURES / "import_whole_summaries_saver.pbtxt"


def idrun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "idrun", *args], capture_output=True, text=True, cwd=ROOT)


def _import(tmp_path: Path, graph: Path, text: str | None = None) -> tuple[Path, str]:
    if text is not None:
        graph = tmp_path / "g.pbtxt"
        graph.write_text(text)
    spec = tmp_path / "s.yaml"
    proc = idrun("import", str(graph), "-o", str(spec))
    assert proc.returncode == 0, proc.stderr
    return spec, proc.stderr


def test_summaries_and_saver_import_and_the_step_runs_as_tf(tmp_path):
    spec, stderr = _import(tmp_path, SAVER)
    # the Saver's SaveV2 and RestoreV2 import as idrun's save_v2 and restore_v2: nothing is kept
    assert "warning:" not in stderr and "tf_opaque" not in spec.read_text()
    text = spec.read_text()
    assert "{name: save/SaveV2, op: save_v2, " \
           "inputs: [save/Const, save/SaveV2/tensor_names, save/SaveV2/shape_and_slices, b, w]}" in text
    assert "{name: save/RestoreV2, op: restore_v2, dtypes: [float32, float32], inputs: [save/Const, " \
           "save/RestoreV2/tensor_names, save/RestoreV2/shape_and_slices], device: '/device:CPU:0'}" in text
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=["loss"], targets=["update"],
                                                          feeds={"x": [1.0, 2.0]}, steps=3)).run())
    rec = json.loads(SAVER.with_suffix(".json").read_text())
    # TF 2.21: sess.run([loss, update], {x: [1, 2]}) three times
    assert [s["values"]["loss"] for s in doc["steps"]] == [s["values"]["loss:0"] for s in rec["steps"]] \
        == [5.0625, 7.5625, 10.562502]


def test_the_savers_save_and_restore_run_as_tfs(tmp_path):
    """`saver.save` runs save/control_dependency with save/Const fed the path; `restore` runs
    save/restore_all: the checkpoint written is read back into the variables."""
    spec, _ = _import(tmp_path, SAVER)
    prefix = str(tmp_path / "model.ckpt")
    proc = idrun("run", str(spec), "--fetch", "save/control_dependency,b,w", "--feed",
                 f"save/Const={json.dumps(prefix)}", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    saved = json.loads(proc.stdout)["steps"][0]["values"]
    assert saved["save/control_dependency"] == prefix
    proc = idrun("run", str(spec), "--fetch", "save/RestoreV2:0,save/RestoreV2:1", "--feed",
                 f"save/Const={json.dumps(prefix)}", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    values = json.loads(proc.stdout)["steps"][0]["values"]
    assert (values["save/RestoreV2:0"], values["save/RestoreV2:1"]) == (saved["b"], saved["w"]) == (0.25, [0.5, -1.0])
    proc = idrun("run", str(spec), "--fetch", "save/RestoreV2:1", "--feed", "save/Const='nowhere'")
    assert proc.returncode == 1 and "node 'save/RestoreV2': Unsuccessful TensorSliceReader constructor: " \
        "Failed to find any matching files for nowhere" in proc.stderr


def _node_defs(gd) -> dict:
    return {n.name: n for n in gd.node}


def test_export_writes_the_saver_back_as_tf_wrote_it(tmp_path):
    spec, _ = _import(tmp_path, SAVER)
    original = _node_defs(read_graphdef(str(SAVER))[0])
    exported = _node_defs(export_graphdef(Pipeline(str(spec))))
    for name in ("save/SaveV2", "save/RestoreV2"):
        theirs, ours = original[name], exported[name]
        # (the device is idrun's placement, as for every op idrun runs)
        assert (ours.op, list(ours.input)) == (theirs.op, list(theirs.input))
        assert ours.attr["dtypes"] == theirs.attr["dtypes"], name


ATTRS = '''
node { name: "a" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "c" op: "NoOp" }
node {
  name: "k" op: "Frobnicate" input: "a" input: "^c" device: "/device:CPU:0"
  attr { key: "T" value { type: DT_FLOAT } }
  attr { key: "h" value { type: DT_RESOURCE } }
  attr { key: "i" value { i: -3 } }
  attr { key: "f" value { f: 0.1 } }
  attr { key: "b" value { b: true } }
  attr { key: "s" value { s: "SAME" } }
  attr { key: "raw" value { s: "\\377\\000x" } }
  attr { key: "shape" value { shape { dim { size: 2 } dim { size: -1 } } } }
  attr { key: "any" value { shape { unknown_rank: true } } }
  attr { key: "t" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 2 } } int_val: 7 } } }
  attr { key: "li" value { list { i: 1 i: 2 } } }
  attr { key: "lt" value { list { type: DT_FLOAT type: DT_VARIANT } } }
  attr { key: "ls" value { list { shape { dim { size: 3 } } shape { unknown_rank: true } } } }
  attr { key: "empty" value { list { } } }
  attr { key: "fn" value { func { name: "body" attr { key: "T" value { type: DT_INT64 } } } } }
  attr { key: "p" value { placeholder: "T" } }
}
node { name: "out" op: "Identity" input: "k" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "other" op: "Identity" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
library { function { signature { name: "body" } } }
'''


def test_every_kind_of_attribute_round_trips(tmp_path):
    spec, stderr = _import(tmp_path, Path(), ATTRS)
    assert "1 op type idrun cannot run yet, kept as opaque nodes: Frobnicate (1 node, first 'k')" in stderr
    assert "the graph's function library (1 functions) is not kept" in stderr
    assert "h: {type: DT_RESOURCE}" in spec.read_text() and "raw: {s_hex: ff0078}" in spec.read_text()
    ours = _node_defs(export_graphdef(Pipeline(str(spec))))["k"]
    theirs = _node_defs(read_graphdef(str(tmp_path / "g.pbtxt"))[0])["k"]
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True)
    # the step that does not need it runs; the one that does names it
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=["other"], feeds={"a": 2.5})).run())
    assert doc["steps"][0]["values"]["other"] == 2.5
    proc = idrun("run", str(spec), "--fetch", "out", "--feed", "a=1.0")
    assert proc.returncode == 2 and "Frobnicate 'k'" in proc.stderr
    # feeding its output prunes it, as TF's feed rewrite does
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=["out"], feeds={"k": 4.0})).run())
    assert doc["steps"][0]["values"]["out"] == 4.0


@pytest.mark.parametrize("body, kept", [
    ('node { name: "c" op: "StatefulPartitionedCall" }', "function calls: StatefulPartitionedCall"),
    ('node { name: "w" op: "StatelessWhile" }', "TF control flow: StatelessWhile (1 node, first 'w')"),
])
def test_control_flow_and_function_calls_import(tmp_path, body, kept):
    spec, stderr = _import(tmp_path, Path(), body + "\n")
    assert kept in stderr
    Pipeline(str(spec)).step  # show, check and explain see the whole graph


def test_kept_nodes_cascade_through_a_chain_in_one_pass(tmp_path):
    """A node kept for its input, read by a later node in the same pass: its output types
    are made when it is kept (an internal KeyError before)."""
    body = ('node { name: "a" op: "FooBar" }\n'
            'node { name: "b" op: "Identity" input: "a" attr { key: "T" value { type: DT_FLOAT } } }\n'
            'node { name: "c" op: "Identity" input: "b" attr { key: "T" value { type: DT_FLOAT } } }\n'
            'node { name: "d" op: "Neg" input: "c" attr { key: "T" value { type: DT_FLOAT } } }\n')
    spec, stderr = _import(tmp_path, Path(), body)
    assert "Identity (1 node, first 'b': its input 'a' is a kept node's output of unknown type)" in stderr
    text = spec.read_text()
    assert "{name: c, op: identity, inputs: [b]}" in text and "{name: d, op: neg, inputs: [c]}" in text
    assert Pipeline(str(spec)).spec.graph.nodes["d"].outputs[0].dtype == "float32"


def test_show_check_explain_and_export_see_kept_nodes(tmp_path):
    spec, _ = _import(tmp_path, SAVER)
    for args in (["show", str(spec)], ["check", str(spec)], ["explain", str(spec), "save/SaveV2"],
                 ["export", str(spec), "--format", "graphdef", "-o", str(tmp_path / "back.pbtxt")]):
        proc = idrun(*args)
        assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, (args, proc.stderr)
    assert 'op: "SaveV2"' in (tmp_path / "back.pbtxt").read_text()


# ---- initialization as TF does it ---------------------------------------------------------

def test_initializer_subgraph_runs_before_step_1(tmp_path):
    graph = FIXTURES / "import_whole_initializer.pbtxt"
    spec, _ = _import(tmp_path, graph)
    text = spec.read_text()
    assert "{name: w, op: variable, dtype: float32, shape: [3]}" in text  # no value: its initializer runs
    assert "{name: u, op: variable, value: [0.5, 0.5, 0.5], dtype: float32}" in text  # a constant folds
    assert "run: {init: [init]}" in text
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=["step"], steps=3)).run())
    # TF 2.21: w = Variable(base * 2 + 1), u = get_variable(constant_initializer(0.5)); sess.run(init),
    # then sess.run(assign_add(u, w)) three times
    assert [s["values"]["step"] for s in doc["steps"]] == [[3.5, 5.5, 7.5], [6.5, 10.5, 14.5], [9.5, 15.5, 21.5]]


def test_init_false_leaves_imported_variables_uninitialized(tmp_path):
    spec, _ = _import(tmp_path, FIXTURES / "import_whole_initializer.pbtxt")
    proc = idrun("run", str(spec), "--fetch", "w/read")
    assert proc.returncode == 0 and "3, 5, 7" in proc.stdout.replace(".0", ""), proc.stdout
    spec.write_text(spec.read_text().replace("run: {init: [init]}", "run: {init: false}"))
    proc = idrun("run", str(spec), "--fetch", "w/read")
    assert proc.returncode == 1 and "Attempting to use uninitialized value w" in proc.stderr


def test_an_initializer_that_needs_a_kept_node_names_it(tmp_path):
    body = (FIXTURES / "import_whole_initializer.pbtxt").read_text().replace('op: "Mul"', 'op: "MulNoNan"')
    spec, _ = _import(tmp_path, Path(), body)
    proc = idrun("run", str(spec), "--fetch", "step")
    assert proc.returncode == 2 and "MulNoNan 'mul'" in proc.stderr, proc.stderr


def test_initialized_value_runs_as_a_default_tf_session(tmp_path):
    from idrun.ops import REGISTRY
    spec, stderr = _import(tmp_path, FIXTURES.parent / "import_whole_initialized_value.pbtxt")
    text = spec.read_text()
    # TF 2.21 builds initialized_value() as StatelessIf(IsVariableInitialized(w), w, Fill): lowered
    # as TF's runtime lowers it (tf/functional.py), a switch per input and a merge per output
    assert "{name: cond/output/_" in text and "op: merge" in text and "op: switch" in text
    assert "tf_op: StatelessIf" not in text and "function library" not in stderr
    proc = idrun("run", str(spec), "--fetch", "step", "--steps", "3", "--format", "json")
    if not {"fill", "is_variable_initialized"} <= set(REGISTRY):  # before the array and state ops
        assert proc.returncode == 2 and "IsVariableInitialized 'IsVariableInitialized'" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    # TF 2.21, tf1.Session() (default config): sess.run(init), then sess.run(assign_add(v, w)) x3
    values = [s["values"]["step"] for s in json.loads(proc.stdout)["steps"]]
    assert values == [[[4.5] * 3] * 2, [[6.0] * 3] * 2, [[7.5] * 3] * 2]


COND = """
variables: ref
expand: false
nodes:
  - {name: w, op: variable, dtype: float32, shape: [2]}
  - {name: p, op: placeholder, dtype: bool, shape: []}
  - {name: d, op: const, value: [7.0, 8.0]}
  - {name: c, op: cond, inputs: [p, w, d], then_outputs: [0], else_outputs: [1]}
run: {fetch: [c]}
"""


def test_cond_reads_a_variable_only_on_the_branch_taken(tmp_path):
    spec = tmp_path / "cond.yaml"
    spec.write_text(COND)
    doc = result_document(Pipeline(str(spec), RunOptions(feeds={"p": False})).run())
    assert doc["steps"][0]["values"]["c"] == [7.0, 8.0]
    proc = idrun("run", str(spec), "--feed", "p=true")
    assert proc.returncode == 1 and "Attempting to use uninitialized value w" in proc.stderr
    spec.write_text(COND.replace("then_outputs: [0], else_outputs: [1]", "then_outputs: [0], else_outputs: [0, 1]"))
    proc = idrun("run", str(spec), "--feed", "p=true")
    assert proc.returncode == 2 and "then_outputs has 1 outputs, else_outputs 2" in proc.stderr


# ---- a Saver's MetaGraphDef ----------------------------------------------------------------

def test_meta_graph_imports_with_its_collections(tmp_path):
    meta = FIXTURES / "import_whole_saver.meta"  # tf1.train.export_meta_graph of the saver program
    spec, stderr = _import(tmp_path, meta)
    assert "{name: save/SaveV2, op: save_v2, " in spec.read_text() and "warning:" not in stderr
    loaded = Pipeline(str(spec)).spec
    assert loaded.collections == {"losses": ["loss:0"], "summaries": ["loss_1:0", "bias:0"],
                                  "train_op": ["update:0"], "trainable_variables": ["w:0", "b:0"],
                                  "variables": ["w:0", "b:0"]}
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=loaded.collections["losses"],
                                                          targets=["update"], feeds={"x": [1.0, 2.0]},
                                                          steps=3)).run())
    # the same program's TF 2.21 values (import_whole_summaries_saver.json)
    assert [s["values"]["loss:0"] for s in doc["steps"]] == [5.0625, 7.5625, 10.562502]


def test_collections_must_name_nodes(tmp_path):
    spec = tmp_path / "c.yaml"
    spec.write_text("nodes:\n  - {name: a, op: const, value: 1.0}\ncollections: {losses: ['a:0', 'nope']}\n")
    proc = idrun("run", str(spec), "--fetch", "a")
    assert proc.returncode == 2 and "collection 'losses': 'nope' names no node of the graph" in proc.stderr


def test_initializer_subgraph_round_trips_through_export(tmp_path):
    spec, _ = _import(tmp_path, FIXTURES / "import_whole_initializer.pbtxt")
    back = tmp_path / "back.pbtxt"
    proc = idrun("export", str(spec), "--format", "graphdef", "-o", str(back))
    assert proc.returncode == 0, proc.stderr
    ops = _node_defs(read_graphdef(str(back))[0])
    # the kept init waits on w's initializer; the written init_1 on u's (folded) and on it
    assert list(ops["init"].input) == ["^w/Assign"] and list(ops["init_1"].input) == ["^u/Assign", "^init"]
    again = tmp_path / "again.yaml"
    assert idrun("import", str(back), "-o", str(again)).returncode == 0
    assert "run: {init: [init_1]}" in again.read_text()
    doc = result_document(Pipeline(str(again), RunOptions(fetch=["step"], steps=2)).run())
    assert [s["values"]["step"] for s in doc["steps"]] == [[3.5, 5.5, 7.5], [6.5, 10.5, 14.5]]
    proc = idrun("export", str(spec))  # tf-python: w starts at zeros, then the runner runs run.init
    assert proc.returncode == 0, proc.stderr   # (TF 2.21 ran this program: step [3.5, 5.5, 7.5], ...)
    assert "T['w'] = tf1.Variable(tf.zeros([3], dtype=tf.float32)" in proc.stdout
    assert "for op in [OP(T['init'])]:" in proc.stdout



COMPLEX = """
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_COMPLEX64 } } }
node { name: "y" op: "Identity" input: "x" attr { key: "T" value { type: DT_COMPLEX64 } } }
node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 2 } } } }
node { name: "n" op: "Neg" input: "c" attr { key: "T" value { type: DT_FLOAT } } }
"""


def test_a_node_idrun_has_but_cannot_read_is_kept_and_so_are_its_consumers(tmp_path):
    spec, stderr = _import(tmp_path, Path(), COMPLEX)
    assert "kept as opaque nodes for dtypes idrun lacks: Placeholder (1 node, first 'x': dtype DT_COMPLEX64 " \
           "has no idrun equivalent); kept as opaque nodes for inputs from kept nodes: Identity (1 node, first " \
           "'y': its input 'x' is a kept node's output of unknown type)" in stderr
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=["n"])).run())
    assert doc["steps"][0]["values"]["n"] == -2.0
    proc = idrun("run", str(spec), "--fetch", "y")
    assert proc.returncode == 2 and "Placeholder 'x' (dtype DT_COMPLEX64 has no idrun equivalent); " \
                                    "Identity 'y' (its input 'x'" in proc.stderr


def test_feeding_a_kept_nodes_output_prunes_it(tmp_path):
    """RestoreV2 stays opaque, but its outputs are typed by its `dtypes`, so the Assign that
    takes one imports as an assign; feeding the output runs it without RestoreV2, as in TF."""
    spec = tmp_path / "saver.yaml"
    proc = idrun("import", str(ROOT / "tests/fixtures/graphdefs/import_whole_saver.meta"), "-o", str(spec))
    assert proc.returncode == 0, proc.stderr
    assert "{name: save/Assign_1, op: assign" in spec.read_text()
    proc = idrun("run", str(spec), "--fetch", "save/Assign_1", "--feed", "save/RestoreV2:1=[3.0, 4.0]",
                 "--feed", "x=[1.0, 2.0]", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["steps"][0]["values"]["save/Assign_1"] == [3.0, 4.0]


def test_many_unreadable_nodes_import_in_one_pass(tmp_path):
    """1,500 nodes whose attributes idrun cannot read: each was a full restart of the entries
    (RecursionError after 20 s); now one pass keeps them all."""
    graph = tmp_path / "many.pbtxt"
    lines = ['node { name: "c" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }']
    lines += [f'node {{ name: "s{i}" op: "Size" input: "c" attr {{ key: "T" value {{ type: DT_FLOAT }} }} '
              f'attr {{ key: "out_type" value {{ type: DT_COMPLEX64 }} }} }}' for i in range(1500)]
    graph.write_text("\n".join(lines) + "\n")
    spec = tmp_path / "many.yaml"
    proc = idrun("import", str(graph), "-o", str(spec))
    assert proc.returncode == 0 and "Size (1500 nodes, first 's0'" in proc.stderr, proc.stderr[-500:]
    assert spec.read_text().count("op: tf_opaque") == 1500


def test_a_const_of_a_dtype_idrun_lacks_as_an_input_is_kept(tmp_path):
    """The consumer read the Const's value outside the guard: an uncaught ValueError (exit 3)."""
    graph = tmp_path / "c.pbtxt"
    graph.write_text(
        'node { name: "s" op: "Size" input: "c" attr { key: "T" value { type: DT_COMPLEX64 } } '
        'attr { key: "out_type" value { type: DT_INT32 } } }\n'
        'node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_COMPLEX64 } } attr { key: "value" '
        'value { tensor { dtype: DT_COMPLEX64 tensor_shape { dim { size: 1 } } scomplex_val: 1 scomplex_val: 2 } } } }\n')
    proc = idrun("import", str(graph), "-o", str(tmp_path / "c.yaml"))
    assert proc.returncode == 0 and "Const (1 node, first 'c'" in proc.stderr, proc.stderr
