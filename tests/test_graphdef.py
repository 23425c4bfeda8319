"""GraphDef import/export and the TensorBoard events file (needs the idrun[tensorboard] extra)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("tensorboard.compat.proto.graph_pb2")

from idrun.pipeline import Pipeline  # noqa: E402
from idrun.spec.request import RunOptions  # noqa: E402
from idrun.tf.graphdef import export_graphdef, write_graphdef  # noqa: E402
from idrun.tf.graphdef_import import import_graphdef  # noqa: E402
from idrun.tf.tensorboard import export_tensorboard  # noqa: E402
from idrun.tfrecord import crc32c, tfrecord  # noqa: E402
from idrun.views.jsondoc import result_document  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "graphdefs"
TF_PYTHON = Path(os.environ.get("IDRUN_TF_PYTHON", ROOT / ".venv-tf/bin/python"))  # make conformance's venv


def idrun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "idrun", *args], capture_output=True, text=True, cwd=ROOT)


RECORDS = sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("record", RECORDS)
def test_imported_fixture_runs_as_tf_ran_it(record, tmp_path):
    rec = json.loads((FIXTURES / record).read_text())
    spec = tmp_path / "imported.yaml"
    if rec.get("import_error"):
        proc = idrun("import", str(FIXTURES / rec["graph"]), "-o", str(spec))
        assert proc.returncode == 2 and rec["import_error"] in proc.stderr
        assert "Traceback" not in proc.stderr and "node " in proc.stderr
        return
    import_graphdef(str(FIXTURES / rec["graph"]), str(spec))
    text = spec.read_text()
    assert f"# from {rec['graph']} node" in text
    opts = RunOptions(fetch=rec["fetch"], targets=rec["targets"] or None, feeds=rec["feeds"],
                      steps=len(rec["steps"]))
    if rec.get("run_error"):  # the step needs nodes idrun keeps but cannot run: named at once
        proc = idrun("run", str(spec), "--fetch", ",".join(rec["fetch"]), "--feed",
                     ",".join(f"{k}={v}" for k, v in rec["feeds"].items()))
        assert proc.returncode == 2 and rec["run_error"] in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        return
    doc = result_document(Pipeline(str(spec), opts).run())
    assert doc["error"] is None
    for ours, theirs in zip(doc["steps"], rec["steps"]):
        for name, value in theirs["values"].items():
            assert _same(ours["values"][name], value), (ours["step"], name, ours["values"][name], value)
        assert len(ours["transfers"]) == len(theirs["transfers"])


def _same(ours, theirs) -> bool:
    """TF's value, element by element at any nesting (strings, booleans and "nan" exactly)."""
    if isinstance(theirs, list):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(map(_same, ours, theirs))
    if isinstance(theirs, (str, bool)) or isinstance(ours, (str, bool)) or theirs is None:
        return ours == theirs
    return ours == pytest.approx(theirs, rel=1e-5, abs=1e-6)


def test_import_keeps_tf_names_devices_and_controls(tmp_path):
    text = import_graphdef(str(FIXTURES / "group_barrier_resource.pbtxt"), None)
    assert "expand: false" in text
    assert "{name: both/NoOp_1, op: no_op, control_inputs: [AssignAddVariableOp_1], device: '/device:CPU:1'}" in text
    assert "init" not in [line.split(",")[0] for line in text.splitlines()]
    spec = tmp_path / "s.yaml"
    spec.write_text(text)
    graph = Pipeline(str(spec)).spec.graph
    tf_names = {n.split('"')[1] for n in (FIXTURES / "group_barrier_resource.pbtxt").read_text().splitlines()
                if n.startswith('  name: "')}
    assert set(graph.nodes) <= tf_names  # no node idrun made


def _gd_text(nodes: str) -> str:
    return nodes


@pytest.mark.parametrize("body, message", [
    ('node { name: "a" op: "Identity" input: "missing" }', "names no node"),
    ('node { name: "x" op: "Const" ', "not a text GraphDef"),
])
def test_unrepresentable_graphs_are_located_errors(tmp_path, body, message):
    path = tmp_path / "g.pbtxt"
    path.write_text(body + "\n")
    proc = idrun("import", str(path), "-o", str(tmp_path / "s.yaml"))
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and str(path) in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 3


def test_bad_files_are_one_line_errors(tmp_path):
    truncated = tmp_path / "t.pb"
    truncated.write_bytes((FIXTURES / "seed_identity_resource.pbtxt").read_bytes()[:7] + b"\xff\xff")
    for args in (["import", str(truncated)], ["import", str(tmp_path / "missing.pbtxt")],
                 ["import", str(FIXTURES / "seed_identity_resource.json")],
                 ["export", "graphs/tour.yaml", "--format", "graphdef", "-o", str(tmp_path / "g.json")],
                 ["export", "graphs/tour.yaml", "--format", "graphdef", "-o", str(tmp_path / "no/dir/g.pb")],
                 ["export", "graphs/tour.yaml", "--format", "graphdef"]):
        proc = idrun(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stderr.startswith(("error", str(tmp_path), "/")), proc.stderr


def test_odd_names_stay_data(tmp_path):
    body = ('node { name: "a: b #c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } } '
            'attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape {} float_val: 2 } } } }\n'
            'node { name: "{y}" op: "Identity" input: "a: b #c" attr { key: "T" value { type: DT_FLOAT } } }\n')
    path = tmp_path / "odd.pbtxt"
    path.write_text(body)
    spec = tmp_path / "odd.yaml"
    proc = idrun("import", str(path), "-o", str(spec))
    if proc.returncode != 0:  # a name idrun's names cannot hold: refused at the node, never broken YAML
        assert proc.returncode == 2 and "node " in proc.stderr and "Traceback" not in proc.stderr
        return
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=["{y}"])).run())
    assert doc["steps"][0]["values"]["{y}"] == 2.0


def test_export_round_trip_through_import(tmp_path):
    out = tmp_path / "seed.pbtxt"
    write_graphdef(export_graphdef(Pipeline("graphs/cross_device_reads.yaml")), str(out))
    binary = tmp_path / "seed.pb"
    assert idrun("export", "graphs/cross_device_reads.yaml", "--format", "graphdef", "-o", str(binary)).returncode == 0
    for path in (out, binary):
        spec = tmp_path / (path.suffix[1:] + ".yaml")
        import_graphdef(str(path), str(spec))
        doc = result_document(Pipeline(str(spec), RunOptions(fetch=["out"], steps=2)).run())
        assert doc["steps"][1]["values"]["out"] == [4.0, 8.0]
        assert len(doc["steps"][0]["transfers"]) == 4


@pytest.mark.skipif(not TF_PYTHON.exists(), reason="TensorFlow's venv (.venv-tf) is absent")
def test_exported_graphdef_runs_in_tensorflow(tmp_path):
    jobs = []
    for name, fetch, steps, expect in [("control_deps_identity", "y:0", 5, 5.0),
                                       ("control_deps_alias", "x/Read/ReadVariableOp:0", 5, 0.0),
                                       ("cross_device_reads_ref", "out:0", 2, [4.0, 8.0])]:
        path = tmp_path / f"{name}.pb"
        assert idrun("export", f"graphs/{name}.yaml", "--format", "graphdef", "-o", str(path)).returncode == 0
        jobs.append({"graph": str(path), "fetch": [fetch], "init": "init", "steps": steps, "cpus": 2,
                     "expect": expect})
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    proc = subprocess.run([str(TF_PYTHON), str(ROOT / "scripts/tf_graphdef_batch.py"), str(tmp_path / "jobs.json")],
                          capture_output=True, text=True, timeout=300)
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(jobs), proc.stderr[-2000:]
    for job, result in zip(jobs, results):
        assert "doc" in result, result.get("crash")
        assert result["doc"]["steps"][-1]["values"][job["fetch"][0]] == job["expect"]


# ---- TensorBoard ------------------------------------------------------------------------

def test_crc32c_and_framing_match_tensorboard():
    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
    assert int(masked_crc32c(b"hello")) == int.from_bytes(tfrecord(b"hello")[-4:], "little")


def _events(directory: Path):
    from tensorboard.backend.event_processing import event_file_loader
    files = list(directory.glob("events.out.tfevents.*.idrun"))
    assert len(files) == 1
    return list(event_file_loader.RawEventFileLoader(str(files[0])).Load())


def test_events_file_reads_back(tmp_path):
    from tensorboard.compat.proto import config_pb2, event_pb2, graph_pb2
    export_tensorboard(Pipeline("graphs/cross_device_reads.yaml", RunOptions(record_ops=True)), str(tmp_path))
    events = [event_pb2.Event.FromString(raw) for raw in _events(tmp_path)]
    assert events[0].file_version == "brain.Event:2"
    gd = graph_pb2.GraphDef.FromString(events[1].graph_def)
    ops = {n.name: n for n in gd.node}
    assert ops["x"].op == "VarHandleOp" and ops["a/ReadVariableOp"].op == "ReadVariableOp"
    assert ops["a"].device.endswith("device:CPU:1")
    sends = [n for n in gd.node if n.op == "_Send"]
    recvs = [n for n in gd.node if n.op == "_Recv"]
    assert len(sends) == len(recvs) == 4
    assert all(n.attr["send_device"].s and n.attr["recv_device"].s and n.attr["tensor_name"].s for n in sends)
    assert any(i.endswith("/_1") for i in ops["a"].input)  # the consumer reads the _Recv
    tagged = [e.tagged_run_metadata for e in events if e.HasField("tagged_run_metadata")]
    assert [t.tag for t in tagged] == ["step_1", "step_2"]
    md = config_pb2.RunMetadata.FromString(tagged[0].run_metadata)
    assert {d.device.rsplit(":", 1)[-1] for d in md.step_stats.dev_stats} == {"0", "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tensorboard_serves_the_graph(tmp_path):
    binary = Path(sys.executable).parent / "tensorboard"
    if not binary.exists() and not shutil.which("tensorboard"):
        pytest.skip("the tensorboard command is not installed")
    logdir = tmp_path / "logs"
    assert idrun("export", "graphs/control_deps_identity.yaml", "--format", "tensorboard", "-o",
                 str(logdir)).returncode == 0
    port = _free_port()
    server = subprocess.Popen([str(binary if binary.exists() else shutil.which("tensorboard")), "--logdir",
                               str(logdir), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        runs = None
        while time.time() < deadline:
            try:
                runs = json.loads(urllib.request.urlopen(base + "/data/runs", timeout=2).read())
                if runs:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert runs == ["."], runs
        info = json.loads(urllib.request.urlopen(base + "/data/plugin/graphs/info", timeout=10).read())
        assert info["."]["run_graph"] is True and "step_1" in info["."]["tags"]
        graph = urllib.request.urlopen(base + "/data/plugin/graphs/graph?run=.&conversions=false",
                                       timeout=10).read().decode()
        assert 'op: "AssignAddVariableOp"' in graph
        assert 'input: "^AssignAddVariableOp"' in graph or 'input: "^x_plus_1"' in graph
        assert 'device: "/job:localhost/replica:0/task:0/device:CPU:0"' in graph
        meta = urllib.request.urlopen(base + "/data/plugin/graphs/run_metadata?run=.&tag=step_1", timeout=10).read()
        assert b"step_stats" in meta
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


MISMATCHED = """\
node { name: "a" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 1.0 } } } }
node { name: "b" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } } float_val: 2.5 } } } }
node { name: "s" op: "AddV2" input: "a" input: "b" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "t" op: "Mul" input: "s" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "u" op: "Sub" input: "b" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "o" op: "FooBar" attr { key: "_output_shapes" value { list { shape { dim { size: 5 } } } } }
  attr { key: "T" value { type: DT_FLOAT } } }
node { name: "x" op: "AddV2" input: "o" input: "a" attr { key: "T" value { type: DT_FLOAT } } }
"""


def test_import_keeps_every_node_the_build_refuses(tmp_path):
    """Nodes whose shapes idrun refuses are kept as opaque nodes, each with its reason, and
    their consumers take the kept node's output (its type from `T`)."""
    graph = tmp_path / "g.pbtxt"
    graph.write_text(MISMATCHED)
    proc = idrun("import", str(graph), "-o", str(tmp_path / "s.yaml"))
    assert proc.returncode == 0, proc.stderr
    assert ("kept as opaque nodes for shapes or types idrun refuses: AddV2 (2 nodes, first 's': idrun "
            "cannot build it as written: add 's': Incompatible shapes: [2] vs. [3]), Sub (1 node, first 'u': "
            "idrun cannot build it as written: sub 'u': Incompatible shapes: [3] vs. [2])") in proc.stderr
    text = (tmp_path / "s.yaml").read_text()
    assert "why: 'idrun cannot build it as written: add ''x'': Incompatible shapes: [5] vs. [2]'" in text
    assert "  - {name: t, op: mul, inputs: [s, a]}  # from g.pbtxt node 3\n" in text


def test_import_finds_the_refused_nodes_in_one_build(tmp_path, monkeypatch):
    """Nodes the shape rules refuse are typed as the kept nodes they become and the build
    goes on: 8 refusals take 2 builds (the second checks), not 9, with the same text and
    warning as a build per refusal (each stopping at the first)."""
    from idrun.tf import graphdef_import as gi
    body = MISMATCHED + "".join(
        f'node {{ name: "r{k}" op: "{op}" input: "{x}" input: "{y}" attr {{ key: "T" value {{ type: DT_FLOAT }} }} }}\n'
        f'node {{ name: "c{k}" op: "Neg" input: "r{k}" attr {{ key: "T" value {{ type: DT_FLOAT }} }} }}\n'
        for k, (op, x, y) in enumerate([("AddV2", "a", "b"), ("Mul", "b", "a"), ("MatMul", "a", "b"),
                                        ("Sub", "u", "a"), ("Maximum", "o", "b"), ("AddV2", "s", "b"),
                                        ("Mul", "b", "x"), ("MatMul", "r2", "a"), ("Sub", "a", "b")]))
    graph = tmp_path / "many.pbtxt"
    graph.write_text(body)
    builds, real = [], gi._build_failure

    def counted(*args):
        builds.append(1)
        return real(*args)
    monkeypatch.setattr(gi, "_build_failure", counted)
    gd, lines = gi.read_graphdef(str(graph))
    text, facts = gi.convert(gd, str(graph), lines)
    assert len(builds) == 2 and sum(r.group == "build" for r in facts["opaque"].values()) == 8
    builds.clear()
    monkeypatch.setattr(gi._Refused, "__call__", lambda self, draft, message: None)  # stop at each
    again, facts_again = gi.convert(gd, str(graph), lines)
    assert len(builds) == 9 and again == text
    assert gi._kept_warning(str(graph), facts_again).message == gi._kept_warning(str(graph), facts).message


def test_import_of_an_empty_graphdef_is_refused_located(tmp_path):
    graph = tmp_path / "e.pbtxt"
    graph.write_text("versions { producer: 1 }\n")
    proc = idrun("import", str(graph))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == (f"error: {graph}: the spec: idrun cannot run it as written: `nodes` must be "
                           "a list of node entries, aliases and blocks\n")


def _same_tree(a, b) -> bool:
    """Equal values of the same types all the way down (True == 1 is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_tree(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_tree(x, y) for x, y in zip(a, b))
    return a == b


def test_import_builds_the_entries_it_wrote_as_the_text_reads(tmp_path, monkeypatch):
    """import's check builds the entries `_fast_entry` wrote as they are, not read back from
    its text: over every fixture and refused nodes, the tree is what load_yaml reads from
    the text (types, values, each entry's and value's line), and the import gives the same
    text and warning as building the text itself."""
    from idrun.spec.yamlsrc import load_yaml, loc_of
    from idrun.tf import graphdef_import as gi
    (tmp_path / "mismatched.pbtxt").write_text(MISMATCHED)
    built, real = [], gi._build_failure

    def spy(text, path, lines, written=None, refused=None):
        built.append((text, written))
        return real(text, path, lines, written, refused)
    monkeypatch.setattr(gi, "_build_failure", spy)
    fast = entries = 0
    for rec in sorted(FIXTURES.glob("*.pbtxt")) + [tmp_path / "mismatched.pbtxt"]:
        built.clear()
        gd, lines = gi.read_graphdef(str(rec))
        text, facts = gi.convert(gd, str(rec), lines)
        for written_text, written in built:
            want, got = load_yaml(written_text, "s.yaml"), gi._located(written, "s.yaml")
            assert got is not None and _same_tree(got, want), rec.name
            for k, entry in enumerate(want["nodes"]):
                assert loc_of(got["nodes"], k).line == loc_of(want["nodes"], k).line
                for key in entry:
                    assert loc_of(got["nodes"][k], key).line == loc_of(entry, key).line
            fast, entries = fast + sum(written[3]), entries + len(written[3])
        with monkeypatch.context() as m:
            m.setattr(gi, "_located", lambda written, file: None)   # build the text itself
            again, facts_again = gi.convert(gd, str(rec), lines)
        assert again == text, rec.name
        assert gi._kept_warning(str(rec), facts_again).message == gi._kept_warning(str(rec), facts).message \
            if facts["opaque"] else not facts_again["opaque"]
    assert fast > entries // 2   # most entries are built as written


def test_import_writes_entries_as_pyyaml_would(tmp_path):
    """The importer writes most entries itself (names, `name:K`, ints, bools); the text must
    be what PyYAML's writer gives, entry by entry, over every fixture and hostile names."""
    import yaml
    from idrun.tf import graphdef_import as gi

    def pyyaml(value):
        return yaml.safe_dump(value, default_flow_style=True, width=1 << 30, sort_keys=False).strip()
    values = [{"name": s, "inputs": [s, f"{s}:1"], "n": 3, "b": False} for s in
              ("a", "yes", "Yes", "ON", "null", "n", "_x", "x.y/z-1", "a b", "-a", "1a", "a:b", "é", "a#b")]
    for rec in sorted(FIXTURES.glob("*.pbtxt")):
        gd, lines = gi.read_graphdef(str(rec))
        text, _ = gi.convert(gd, str(rec), lines)
        values += [yaml.safe_load(line.split("  # from ")[0].strip()[2:]) for line in text.splitlines()
                   if line.startswith("  - {")]
    written = 0
    for value in values:
        fast = gi._fast_flow(value)
        if fast is not None:
            written += 1
            assert fast == pyyaml(value), value
        assert gi._flow(value) == pyyaml(value)
    assert written > len(values) // 2   # the fast writer does most of the work
