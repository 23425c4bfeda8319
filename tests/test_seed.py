"""The seed's central demonstration: alias vs identity under control_dependencies."""

import pytest

from conftest import ROOT, run_spec, values

IDENTITY = str(ROOT / "graphs/control_deps_identity.yaml")
ALIAS = str(ROOT / "graphs/control_deps_alias.yaml")


@pytest.mark.parametrize("mode", ["resource", "ref"])
def test_identity_in_control_block_counts_up(mode):
    result = run_spec(IDENTITY, mode)
    assert values(result, "y") == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert result.error is None


@pytest.mark.parametrize("mode", ["resource", "ref"])
def test_alias_in_control_block_prints_zeros(mode):
    result = run_spec(ALIAS, mode)
    assert values(result, "y") == [0.0] * 5


def test_cli_plain_output_and_exit_code(cli):
    res = cli("run", IDENTITY, "--format", "plain")
    assert res.exit_code == 0
    assert res.stdout == "y: 1, 2, 3, 4, 5\n"


def test_cli_json_document_keys(cli):
    res = cli("run", ALIAS, "--format", "json", "--steps", "2")
    doc = res.json()
    assert res.exit_code == 0
    assert list(doc)[:6] == ["graph", "variables", "fetch", "placement", "steps", "error"]
    assert doc["fetch"] == ["y"]
    assert doc["steps"] == [{"step": 1, "values": {"y": 0.0}, "transfers": []},
                            {"step": 2, "values": {"y": 0.0}, "transfers": []}]
    assert doc["error"] is None
    assert doc["placement"]["x"] == "cpu:0"


def test_resource_seed_builds_tf_nodes():
    from idrun.spec import load_spec
    graph = load_spec(IDENTITY).graph
    assert graph.nodes["y/ReadVariableOp"].control_inputs == ("x_plus_1",)
    assert graph.nodes["y"].control_inputs == ()
    assert [str(r) for r in graph.nodes["y"].inputs] == ["y/ReadVariableOp:0"]


def test_ref_seed_puts_edge_on_identity():
    from idrun.spec import load_spec
    graph = load_spec(IDENTITY, "ref").graph
    assert graph.nodes["y"].control_inputs == ("x_plus_1",)
    assert [str(r) for r in graph.nodes["y"].inputs] == ["x/read:0"]
