"""idrun explain: runs or not and why, control inputs and where they came from, what TF's
pruning dropped, aliases, device and transfers; the JSON keys are a contract."""

from conftest import ROOT

KEYS = {"node", "runs", "why", "control_inputs", "dropped_control_inputs", "device",
        "placement_reason", "transfers"}
ALIAS = str(ROOT / "graphs/control_deps_alias.yaml")
IDENTITY = str(ROOT / "graphs/control_deps_identity.yaml")


def explain(cli, *args):
    res = cli("explain", *args, "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = res.json()
    assert KEYS <= set(doc)
    return doc


def test_json_keys_and_item_keys(cli):
    doc = explain(cli, IDENTITY, "y/ReadVariableOp")
    assert doc["runs"] is True
    [c] = doc["control_inputs"]
    assert {"name", "from"} <= set(c) and c["name"] == "x_plus_1"
    assert c["from"] == f"{IDENTITY}:9:27"
    doc = explain(cli, IDENTITY, "y")
    [d] = doc["dropped_control_inputs"]
    assert {"name", "from", "reason"} <= set(d)
    assert d["name"] == "x_plus_1" and d["reason"].startswith("dominated")


def test_an_assign_that_never_runs(cli):
    doc = explain(cli, ALIAS, "x_plus_1")
    assert doc["runs"] is False
    assert "fetch `y`" in doc["why"] and "alias `y`" in doc["why"] and "run.targets" in doc["why"]
    assert doc["device"] == "cpu:0" and doc["placement_reason"] == "colocated with variable x"


def test_an_alias_names_its_node_and_created_nothing(cli):
    doc = explain(cli, ALIAS, "y")
    assert doc["node"] == "x" and doc["alias"]["name"] == "y" and doc["alias"]["created_node"] is False
    assert doc["alias"]["control_dependencies"][0]["controls"] == ["x_plus_1"]
    assert "created no node" in doc["why"]


def test_control_inputs_from_control_inputs(cli, spec_file):
    path = spec_file("""
        nodes:
          - {name: c, op: const, value: 1.0}
          - {name: p, op: print, inputs: [c]}
          - {name: z, op: identity, inputs: [c], control_inputs: [p]}
        run: {fetch: [z]}
        """)
    doc = explain(cli, path, "z")
    assert doc["control_inputs"][0]["name"] == "p"
    assert doc["control_inputs"][0]["kind"] == "control_inputs"
    assert doc["why"].startswith("it is the fetch `z`")


def test_transfers_per_step(cli):
    doc = explain(cli, str(ROOT / "graphs/cross_device_reads.yaml"), "a/ReadVariableOp")
    assert doc["transfers"] == [{"direction": "send", "tensor": "a/ReadVariableOp:0", "src": "cpu:0",
                                 "dst": "cpu:1", "kind": "edge", "bytes": 8}]
    doc = explain(cli, str(ROOT / "graphs/cross_device_reads.yaml"), "a")
    assert [t["direction"] for t in doc["transfers"]] == ["recv"]
    assert doc["device"] == "cpu:1" and doc["placement_reason"] == "block"


def test_text_output(cli):
    res = cli("explain", ALIAS, "x_plus_1")
    assert res.exit_code == 0
    assert res.stdout.startswith(f"x_plus_1 (assign_add) at {ALIAS}:8:5\n")
    assert "  runs:           no: " in res.stdout


def test_unknown_node_is_a_usage_error(cli):
    res = cli("explain", ALIAS, "x_plus")
    assert res.exit_code == 2 and "no node or alias 'x_plus'" in res.stderr and "x_plus_1" in res.stderr
    assert "Traceback" not in res.stderr
    res = cli("explain", "no/such.yaml", "x")
    assert res.exit_code == 2


def test_an_unknown_node_suggests_written_names_not_builder_made_ones(cli):
    res = cli("explain", str(ROOT / "graphs/tour.yaml"), "towr")
    assert res.exit_code == 2
    assert res.stderr.strip().endswith("(did you mean 'tower/z'?)")   # not the literal's tower/z/y


def test_format_from_environment(cli):
    assert "node" in cli("explain", ALIAS, "y", env={"IDRUN_OUTPUT_FORMAT": "json"}).json()
    assert cli("explain", ALIAS, "y", env={"IDRUN_OUTPUT_FORMAT": "sarif"}).stdout.startswith("x (variable)")


def test_explain_says_an_opaque_node_in_the_step_will_fail_the_run(cli, tmp_path):
    import pytest
    pytest.importorskip("tensorboard.compat.proto.meta_graph_pb2")
    from idrun.tf.graphdef_import import import_graphdef
    spec = tmp_path / "saver.yaml"
    import_graphdef(str(ROOT / "tests/fixtures/graphdefs/import_whole_saver.meta"), str(spec))
    # RestoreV2 runs now (save_v2/restore_v2): kept as an op type idrun has no kernel for instead
    text = spec.read_text().replace("op: restore_v2, dtypes: [float32, float32]",
                                    "op: tf_opaque, tf_op: RestoreSlice, outputs: [{dtype: float32}, {dtype: float32}]")
    assert "tf_op: RestoreSlice" in text
    spec.write_text(text)
    res = cli("explain", str(spec), "save/RestoreV2", "--fetch", "save/restore_all", "--format", "json")
    doc = res.json()
    assert doc["runs"] is True and "idrun cannot run it (idrun has no kernel for TF's RestoreSlice)" in doc["why"]
    assert "fails before step 1" in doc["why"]


def test_explain_takes_a_tensor_name_and_says_where_a_control_input_came_from(cli):
    """The new user's run: `explain SPEC y:0` failed though `--fetch y:0` works, and an
    implicit control input read `from added by TF's Python`."""
    from conftest import ROOT
    res = cli("explain", str(ROOT / "graphs/tour.yaml"), "y:0")
    assert res.exit_code == 0 and res.stdout.startswith("y (identity)")
    res = cli("explain", str(ROOT / "graphs/tour.yaml"), "ReadVariableOp")
    assert "^x_plus_1  added by TF's Python (" in res.stdout and "from added" not in res.stdout
