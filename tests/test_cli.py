"""The command line as a user meets it: version, ops, formats, light imports, graphs."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

GRAPHS = sorted((ROOT / "graphs").glob("*.yaml"))


def test_light_commands_do_not_import_numpy_or_rich():
    code = ("import sys; from idrun.cli import main\n"
            "try:\n    main({cmd!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('numpy', 'rich', 'cupy') if m in sys.modules))")
    for cmd in (["--version"], ["ops"], ["ops", "--format", "json"], ["schema"], ["completion", "bash"]):
        out = subprocess.run([sys.executable, "-c", code.format(cmd=cmd)], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        assert out.strip().splitlines()[-1] == "[]", cmd


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "idrun", "--version"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("idrun, version ")


def test_the_process_entry_skips_teardown_but_flushes_and_runs_atexit():
    code = ("import atexit, sys; atexit.register(lambda: print('atexit ran'))\n"
            "from idrun.cli import entry\n"
            "sys.argv = ['idrun'] + sys.argv[1:]\nentry()")
    seed = str(ROOT / "graphs/control_deps_identity.yaml")
    ok = subprocess.run([sys.executable, "-c", code, "run", seed, "--format", "plain"], cwd=ROOT,
                        capture_output=True, text=True)
    assert (ok.returncode, ok.stdout) == (0, "y: 1, 2, 3, 4, 5\natexit ran\n")
    bad = subprocess.run([sys.executable, "-c", code, "run", "missing.yaml"], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "no such file" in bad.stderr and bad.stdout == "atexit ran\n"


def test_ops_lists_every_registered_op(cli):
    from idrun.ops import REGISTRY
    res = cli("ops", "--format", "plain")
    listed = [line.split()[0] for line in res.stdout.splitlines()[1:]]   # after the header
    assert listed == list(REGISTRY)
    assert "matmul" in listed and "assert_equal" in listed
    rows = {r["op"]: r for r in cli("ops", "--format", "json").json()}
    assert rows["split"]["attributes"] == ["num_or_size_splits", "axis"]
    assert rows["identity"]["type"] == "Identity"


def test_table_streams_rows_and_pipes_get_plain(cli):
    path = str(ROOT / "graphs/control_deps_identity.yaml")
    res = cli("run", path, "--format", "table")
    lines = res.stdout.splitlines()
    assert lines[1].split() == ["step", "y"] and [l.split() for l in lines[2:]] == [
        [str(i), str(i)] for i in range(1, 6)]
    assert "\x1b[" not in res.stdout
    res = cli("run", path)                       # not a terminal: plain
    assert res.stdout == "y: 1, 2, 3, 4, 5\n"


def test_trace_shows_transfers_and_op_order(cli):
    res = cli("run", str(ROOT / "graphs/cross_device_reads.yaml"), "--trace", "--steps", "1")
    assert "step 1: 4 transfers, 32 B" in res.stdout
    assert "edge    a/ReadVariableOp:0" in res.stdout
    assert "ops: a/ReadVariableOp @cpu:0, a @cpu:1" in res.stdout


def test_show_dot_has_clusters_and_dashed_control_edges(cli):
    res = cli("show", str(ROOT / "graphs/control_deps_identity.yaml"), "--format", "dot")
    assert res.exit_code == 0
    assert 'subgraph cluster_0' in res.stdout and 'label="cpu:0"' in res.stdout
    assert '"x_plus_1" -> "y/ReadVariableOp" [style=dashed];' in res.stdout


def test_target_runs_for_effect_only(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: v, op: variable, value: 0.0}
      - {name: inc, op: assign_add, inputs: [v, 1.0]}
    """)
    res = cli("run", path, "--target", "inc", "--fetch", "v", "--steps", "3", "--format", "plain")
    # v's read is unordered with inc (a race in TF, C5); declaration order reads first
    assert res.stdout == "v: 0, 1, 2\n"


@pytest.mark.parametrize("path", GRAPHS, ids=[p.name for p in GRAPHS])
def test_every_example_graph_meets_its_expect(cli, path: Path):
    res = cli("run", str(path), "--format", "json")
    doc = res.json()
    assert doc["expect"]["ok"], doc["expect"]["mismatches"]
    from idrun.spec.expect import ERROR_KEY
    from idrun.spec import load_spec
    if ERROR_KEY in load_spec(str(path)).expect:
        assert res.exit_code == 1 and doc["error"]["node"]      # fails as its expect says
    else:
        assert res.exit_code == 0, res.stderr


def test_schema_file_is_current_and_validates_every_graph(cli):
    import json
    import yaml
    jsonschema = pytest.importorskip("jsonschema")
    res = cli("schema")
    assert json.loads(res.stdout) == json.loads((ROOT / "idrun.schema.json").read_text())
    schema = json.loads(res.stdout)
    for path in GRAPHS:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"nodes": [{"op": "identty"}]}, schema)


DOC_EXAMPLES = sorted((ROOT / "docs/examples").glob("*.yaml"))
FAILS_ON_PURPOSE = {"fails_at_step_2.yaml": 1, "missing_device.yaml": 2}


@pytest.mark.parametrize("path", DOC_EXAMPLES, ids=[p.name for p in DOC_EXAMPLES])
def test_every_docs_example_runs_as_the_docs_say(cli, path):
    res = cli("run", str(path))
    assert res.exit_code == FAILS_ON_PURPOSE.get(path.name, 0), res.stderr
    assert "Traceback" not in res.stderr
