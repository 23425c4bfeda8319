"""idrun check: one graph that fires each rule and a near miss that does not; the gallery;
exit codes; the json, github and sarif shapes; a large spec; imported graphs."""

import json

import pytest

from conftest import ROOT
from idrun.analysis import RULES, check_pipeline
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions

GRAPHS = sorted((ROOT / "graphs").glob("*.yaml"))


def diagnostics(path, **options):
    return check_pipeline(Pipeline(path, RunOptions(**options)))


def codes(path, **options):
    return sorted(d.code for d in diagnostics(path, **options))


# ---- one firing graph and one near miss per rule --------------------------------------
CASES = {
    "alias-under-control": (
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - control_dependencies: [inc]
            nodes: [{name: y, alias: x}]
        run: {fetch: [y], targets: [inc]}
        """,
        # near miss: the alias names an identity made in the block, which waits for inc
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - control_dependencies: [inc]
            nodes:
              - {name: xi, op: identity, inputs: [x]}
              - {name: y, alias: xi}
        run: {fetch: [y]}
        """),
    "op-outside-cond": (
        """
        nodes:
          - {name: p, op: placeholder, dtype: bool, shape: []}
          - {name: count, op: variable, value: 0.0}
          - {name: bump, op: assign_add, inputs: [count, 1.0]}
          - cond: p
            outputs: [y]
            true_fn:
              nodes:
                - control_dependencies: [bump]
                  nodes: [{name: taken, op: const, value: 1.0}]
              return: [taken]
            false_fn:
              nodes: [{name: skipped, op: const, value: 0.0}]
              return: [skipped]
        run: {fetch: [y], feed: {p: false}}
        """,
        # near miss: the same assign made inside the branch (docs/check.md's right example)
        """
        nodes:
          - {name: p, op: placeholder, dtype: bool, shape: []}
          - {name: count, op: variable, value: 0.0}
          - cond: p
            outputs: [y]
            true_fn:
              nodes:
                - {name: bump, op: assign_add, inputs: [count, 1.0]}
                - control_dependencies: [bump]
                  nodes: [{name: taken, op: const, value: 1.0}]
              return: [taken]
            false_fn:
              nodes: [{name: skipped, op: const, value: 0.0}]
              return: [skipped]
        run: {fetch: [y], feed: {p: false}}
        """),
    "update-ops-not-run": (
        """
        nodes:
          - {name: mean, op: variable, value: 0.0}
          - {name: update, op: assign, inputs: [mean, 1.0]}
          - {name: w, op: variable, value: 1.0}
          - {name: train, op: assign_sub, inputs: [w, 0.1]}
        collections: {update_ops: [update]}
        run: {targets: [train]}
        """,
        # near miss: the train op waits on the update ops, as TF1's fix makes it
        """
        nodes:
          - {name: mean, op: variable, value: 0.0}
          - {name: update, op: assign, inputs: [mean, 1.0]}
          - {name: w, op: variable, value: 1.0}
          - {name: train, op: assign_sub, inputs: [w, 0.1], control_inputs: [update]}
        collections: {update_ops: [update]}
        run: {targets: [train]}
        """),
    "no-gradient": (
        """
        nodes:
          - {name: w, op: variable, value: 2.0}
          - {name: unused_w, op: variable, value: 5.0}
          - {name: loss, op: square, inputs: [w]}
          - minimize: loss
            name: train
            optimizer: {type: GradientDescent, learning_rate: 0.1}
        run: {fetch: [loss], targets: [train]}
        """,
        # near miss: the variable the loss does not use is not trainable (TF leaves it out)
        """
        nodes:
          - {name: w, op: variable, value: 2.0}
          - {name: unused_w, op: variable, value: 5.0, trainable: false}
          - {name: loss, op: square, inputs: [w]}
          - minimize: loss
            name: train
            optimizer: {type: GradientDescent, learning_rate: 0.1}
        run: {fetch: [loss, unused_w], targets: [train]}
        """),
    "empty-control-block": (
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - control_dependencies: [inc]
            nodes:
              - {name: v, op: variable, value: 1.0}
        run: {fetch: [x], targets: [inc]}
        """,
        # near miss: the block also creates an op, which takes the dependency
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - control_dependencies: [inc]
            nodes:
              - {name: v, op: variable, value: 1.0}
              - {name: y, op: identity, inputs: [x]}
        run: {fetch: [y, v]}
        """),
    "never-runs": (
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - {name: y, op: identity, inputs: [x]}
        run: {fetch: [y]}
        """,
        # near miss: the read waits for the assign
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - {name: y, op: identity, inputs: [x], control_inputs: [inc]}
        run: {fetch: [y]}
        """),
    "unordered-read-write": (
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - {name: y, op: identity, inputs: [x]}
        run: {fetch: [y], targets: [inc]}
        """,
        # near miss: the same step, ordered by a control input
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: y, op: identity, inputs: [x]}
          - {name: inc, op: assign_add, inputs: [x, 1.0], control_inputs: [y]}
        run: {fetch: [y], targets: [inc]}
        """),
    "repeated-transfer": (
        """
        devices: [cpu:0, cpu:1]
        nodes:
          - {name: x, op: variable, value: [1.0, 2.0], device: cpu:0}
          - device: cpu:1
            nodes:
              - {name: a, op: add, inputs: [x, 1.0]}
              - {name: b, op: add, inputs: [x, a]}
        run: {fetch: [b]}
        """,
        # near miss: one identity on cpu:1 reads it once
        """
        devices: [cpu:0, cpu:1]
        nodes:
          - {name: x, op: variable, value: [1.0, 2.0], device: cpu:0}
          - device: cpu:1
            nodes:
              - {name: xi, op: identity, inputs: [x]}
              - {name: a, op: add, inputs: [xi, 1.0]}
              - {name: b, op: add, inputs: [xi, a]}
        run: {fetch: [b]}
        """),
    "dropped-control-input": (
        """
        nodes:
          - {name: c, op: const, value: 1.0}
          - {name: z, op: identity, inputs: [c], control_inputs: [c]}
        run: {fetch: [z]}
        """,
        # near miss: the dependency is on something that is not a data input
        """
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: c, op: const, value: 1.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - {name: z, op: identity, inputs: [c], control_inputs: [inc]}
        run: {fetch: [z]}
        """),
    "unused": (
        """
        nodes:
          - {name: a, op: const, value: 1.0}
          - {name: b, op: add, inputs: [a, 1.0]}
          - {name: c, op: mul, inputs: [a, 2.0]}
        run: {fetch: [b]}
        """,
        # near miss: both are fetched
        """
        nodes:
          - {name: a, op: const, value: 1.0}
          - {name: b, op: add, inputs: [a, 1.0]}
          - {name: c, op: mul, inputs: [a, 2.0]}
        run: {fetch: [b, c]}
        """),
}


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(spec_file, code):
    fires, _ = CASES[code]
    assert code in codes(spec_file(fires))


@pytest.mark.parametrize("code", sorted(CASES))
def test_near_miss_is_clean(spec_file, code):
    _, near = CASES[code]
    assert codes(spec_file(near)) == []


def test_empty_block_with_nothing_in_it(spec_file):
    path = spec_file("""
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - control_dependencies: [inc]
            nodes: []
          - {name: y, op: identity, inputs: [x]}
        run: {fetch: [y], targets: [inc]}
        """)
    assert "empty-control-block" in codes(path)


def test_control_inputs_on_a_variable_attach_to_nothing(spec_file):
    path = spec_file("""
        nodes:
          - {name: c, op: const, value: 1.0}
          - {name: v, op: variable, value: 1.0, control_inputs: [c]}
        run: {fetch: [v, c]}
        """)
    [d] = diagnostics(path)
    assert d.code == "empty-control-block" and "variable `v`" in d.message


def test_dominated_drop_by_a_user_input_is_reported(spec_file):
    path = spec_file("""
        nodes:
          - {name: c, op: const, value: 1.0}
          - {name: p, op: print, inputs: [c]}
          - control_dependencies: [p]
            nodes:
              - {name: a, op: identity, inputs: [c]}
              - {name: b, op: identity, inputs: [a]}
        run: {fetch: [b]}
        """)
    [d] = diagnostics(path)
    assert d.code == "dropped-control-input" and d.data["reason"] == "dominated"
    assert "`a`" in d.message and d.nodes[:2] == ["b", "p"]


def test_ref_mode_race_is_on_the_consumer(spec_file):
    path = spec_file("""
        variables: ref
        nodes:
          - {name: x, op: variable, value: 0.0}
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - {name: y, op: add, inputs: [x, 0.0]}
          - {name: v, op: identity, inputs: [x]}      # a fetched view: read at the end
        run: {fetch: [y, v], targets: [inc]}
        """)
    ds = diagnostics(path)
    assert [(d.code, d.nodes[0]) for d in ds] == [("unordered-read-write", "y")]


def test_writes_either_side_of_a_remote_read_are_not_repeated_transfers():
    assert codes(str(ROOT / "graphs/explicit_transport.yaml")) == []


# ---- the gallery --------------------------------------------------------------------
GALLERY = {  # graph -> the rules its point is about; every other graph is clean
    "control_deps_alias.yaml": {"alias-under-control", "never-runs"},
    "cifar_loss_averages_alias.yaml": {"alias-under-control", "never-runs"},
    "cross_device_reads.yaml": {"repeated-transfer"},
    "gpu_variable_reads.yaml": {"repeated-transfer"},
    "tour.yaml": {"unused"},  # tower/z shows devices; the run fetches only y
    "batch_norm_update_ops_broken.yaml": {"update-ops-not-run"},  # train op without UPDATE_OPS
}


@pytest.mark.parametrize("path", GRAPHS, ids=lambda p: p.name)
def test_gallery_graph_is_clean_or_fires_its_point(path):
    assert set(codes(str(path))) == GALLERY.get(path.name, set())


def test_seed_alias_names_the_alias_the_block_and_the_assign():
    ds = diagnostics(str(ROOT / "graphs/control_deps_alias.yaml"))
    alias = next(d for d in ds if d.code == "alias-under-control")
    assert (alias.loc.line, alias.loc.col) == (11, 16)
    assert "`y`" in alias.message and "x_plus_1" in alias.message and "op: identity" in alias.message
    assert (alias.notes[0].loc.line, alias.notes[0].loc.col) == (9, 27)
    never = next(d for d in ds if d.code == "never-runs")
    assert never.nodes == ["x_plus_1"] and "fetch `y`" in never.message and "targets" in never.message


# ---- the command: exit codes, formats ----------------------------------------------
SEED = str(ROOT / "graphs/control_deps_alias.yaml")
CLEAN = str(ROOT / "graphs/control_deps_identity.yaml")


def test_exit_codes(cli, spec_file):
    assert cli("check", CLEAN).exit_code == 0
    assert cli("check", SEED).exit_code == 1
    assert cli("check", SEED, "--fail-on", "never").exit_code == 0
    tour = str(ROOT / "graphs/tour.yaml")
    assert cli("check", tour).exit_code == 0            # info only
    assert cli("check", tour, "--fail-on", "info").exit_code == 1
    bad = spec_file("nodes:\n  - {name: a, op: nope}\n")
    res = cli("check", bad, CLEAN)
    assert res.exit_code == 2 and ":2:" in res.stderr and "error: unknown op" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert cli("check", "no/such.yaml").exit_code == 2
    assert cli("check").exit_code == 2
    assert cli("check", CLEAN, "--fetch", "nope").exit_code == 2


def test_text_output(cli):
    res = cli("check", SEED)
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"{SEED}:8:5: warning[never-runs]: `x_plus_1`")
    assert any(line.startswith(f"{SEED}:11:16: warning[alias-under-control]: alias `y`") for line in lines)
    assert any(line.startswith(f"{SEED}:9:27: note: ") for line in lines)
    assert "2 warnings" in res.stderr


def test_json_shape(cli):
    doc = cli("check", SEED, "--format", "json").json()
    assert set(doc) >= {"diagnostics"}
    for d in doc["diagnostics"]:
        assert {"code", "severity", "file", "line", "col", "message", "nodes"} <= set(d)
    assert [d["code"] for d in doc["diagnostics"]] == ["never-runs", "alias-under-control"]


def test_format_from_environment(cli):
    res = cli("check", SEED, env={"IDRUN_OUTPUT_FORMAT": "json"})
    assert "diagnostics" in res.json()
    assert cli("check", SEED, env={"IDRUN_OUTPUT_FORMAT": "bogus"}).exit_code == 2
    assert cli("check", SEED, "--format", "text", env={"IDRUN_OUTPUT_FORMAT": "json"}).stdout.startswith(SEED)


def test_github_escaping():
    from idrun.analysis import Diagnostic, Note
    from idrun.errors import SourceLoc
    from idrun.views.check import render_github
    import io
    d = Diagnostic("never-runs", "warning", SourceLoc("a,b:c%.yaml", 3, 4), "50% of\r\nit",
                   notes=[Note(SourceLoc("f.yaml", 1, 2), "here")])
    out = io.StringIO()
    render_github([d], out)
    assert out.getvalue() == ("::warning file=a%2Cb%3Ac%25.yaml,line=3,col=4,title=idrun (never-runs)::"
                              "50%25 of%0D%0Ait%0Anote: f.yaml:1:2: here\n")


def test_github_format(cli):
    out = cli("check", SEED, "--format", "github").stdout.splitlines()
    assert out[0].startswith(f"::warning file={SEED.replace(':', '%3A')},line=8,col=5,title=idrun (never-runs)::")
    info = cli("check", str(ROOT / "graphs/tour.yaml"), "--format", "github").stdout
    assert info.startswith("::notice ")


def test_sarif_shape(cli):
    doc = cli("check", SEED, "--format", "sarif").json()
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= set(RULES)
    r = run["results"][0]
    assert r["ruleId"] == "never-runs" and r["level"] == "warning"
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith("graphs/control_deps_alias.yaml")   # a URI: tests/test_sarif.py
    assert loc["region"] == {"startLine": 8, "startColumn": 5, "endLine": 8, "endColumn": 55}
    assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == "never-runs"


def test_spec_error_in_machine_formats(cli, spec_file):
    bad = spec_file("nodes:\n  - {name: a, op: nope}\n")
    res = cli("check", bad, "--format", "json")
    assert res.exit_code == 2
    [d] = res.json()["diagnostics"]
    assert d["code"] == "spec-error" and d["severity"] == "error" and d["line"] == 2
    sarif = cli("check", bad, "--format", "sarif").json()
    assert sarif["runs"][0]["results"][0]["level"] == "error"


def test_schedules_show_distinct_values(cli, spec_file):
    path = spec_file(CASES["unordered-read-write"][0])
    doc = cli("check", path, "--schedules", "8", "--format", "json").json()
    [d] = doc["diagnostics"]
    assert d["schedules"]["runs"] == 10 and d["schedules"]["distinct"] == 2   # 8 random + 2 chosen
    by_value = {v["value"]: v["orders"] for v in d["schedules"]["values"]}
    assert set(by_value) == {"0.0", "1.0"}
    assert "read last" in by_value["1.0"] and "write last" in by_value["0.0"]


def test_schedules_delay_a_read_that_random_orders_run_early(cli, spec_file):
    """The EMA-after-apply race of the CIFAR-10 tutorial, small: the read is ready at once and
    the write only after a long chain, so random orders all read first; read-last proves it."""
    chain = "\n".join(f"  - {{name: g{i}, op: mul, inputs: [g{i - 1}, 1.0]}}" for i in range(1, 40))
    path = spec_file(f"""
nodes:
  - {{name: w, op: variable, value: 0.0}}
  - {{name: g0, op: const, value: 1.0}}
{chain}
  - {{name: apply, op: assign_add, inputs: [w, g39]}}
  - {{name: seen, op: identity, inputs: [w]}}
run: {{fetch: [seen], targets: [apply]}}
""")
    [d] = cli("check", path, "--schedules", "4", "--format", "json").json()["diagnostics"]
    by_value = {v["value"]: v["orders"] for v in d["schedules"]["values"]}
    assert by_value == {"0.0": ["0", "1", "2", "3", "write last"], "1.0": ["read last"]}


def test_spec_text_is_data_in_colored_output():
    """Rich styles spans; it never parses a message as markup, and control characters from
    a spec are shown escaped."""
    import io
    from idrun.analysis import Diagnostic
    from idrun.errors import SourceLoc
    from idrun.views.check import render_text
    d = Diagnostic("unused", "info", SourceLoc("g.yaml", 1, 2), "`[bold]x[/bold]` \x1b]0;title\x07")
    out = io.StringIO()
    render_text([d], out, color=True)
    text = out.getvalue()
    assert "[bold]x[/bold]" in text and "\\x1b]0;title\\x07" in text and "\x07" not in text


def test_check_finds_every_race_on_a_large_spec(tmp_path):
    """10,000 nodes, 15 races among 1,500 groups: each found once, nothing else reported.
    (What check costs against the build is a figure of `make bench`, not a timed test.)"""
    path = tmp_path / "big.yaml"
    path.write_text(big_spec(1500))
    pipeline = Pipeline(str(path))
    assert len(pipeline.spec.graph.nodes) >= 10_000
    ds = check_pipeline(pipeline)
    assert [d.code for d in ds] == ["unordered-read-write"] * 15
    assert [d.nodes[:2] for d in ds] == [[f"r{i}", f"u{i}"] for i in range(0, 1500, 100)]


def big_spec(groups: int) -> str:
    """Per group: a variable, a read, an assign after the read and a sum after the assign;
    every 100th group's assign is a target with no order against its read (a race)."""
    lines = ["nodes:"]
    targets = []
    for i in range(groups):
        racy = i % 100 == 0
        lines.append(f"  - {{name: v{i}, op: variable, value: 1.0}}")
        lines.append(f"  - {{name: r{i}, op: identity, inputs: [v{i}]}}")
        order = "" if racy else f", control_inputs: [r{i}]"
        lines.append(f"  - {{name: u{i}, op: assign_add, inputs: [v{i}, 1.0]{order}}}")
        prev = f"s{i - 1}" if i else f"r{i}"
        after = "" if racy else f", control_inputs: [u{i}]"
        lines.append(f"  - {{name: s{i}, op: add, inputs: [{prev}, r{i}]{after}}}")
        if racy:
            targets.append(f"u{i}")
    lines.append(f"run: {{fetch: [s{groups - 1}], targets: [{', '.join(targets)}]}}")
    return "\n".join(lines) + "\n"


# ---- imported graphs: silent on what TF's Python made, loud on a real race (issue 18) ----

_FIXTURES = ROOT / "tests" / "fixtures" / "graphdefs"


@pytest.mark.parametrize("graph", sorted(p.name for p in _FIXTURES.glob("*.pbtxt")
                                         if p.name != "cifar_loss_averages_ref.pbtxt"))
def test_check_is_silent_on_graphs_tf_built(graph, tmp_path):
    """`x/read` (a ref view), `x/Read/ReadVariableOp` (made with every resource variable,
    consumed by nothing), `ReadVariableOp` after an assign: no race, nothing to remove.
    With no run, an imported graph has no step to race in; with TF's own run, only real races.
    (cross_device_reads keeps its repeated-transfer warning: that one is real.)"""
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from idrun.tf.graphdef_import import import_graphdef
    spec = tmp_path / "g.yaml"
    import_graphdef(str(_FIXTURES / graph), str(spec))
    record = json.loads((_FIXTURES / graph.replace(".pbtxt", ".json")).read_text())
    for fetch in (None, record["fetch"]):     # the whole graph, then TF's own run
        opts = RunOptions(fetch=fetch, targets=record["targets"] or None) if fetch else RunOptions()
        found = [(d.code, d.nodes[:2]) for d in check_pipeline(Pipeline(str(spec), opts))]
        expected = REAL_RACES.get(graph, []) if fetch else []
        assert [f for f in found if f[0] in ("unordered-read-write", "unused")] == expected


# TF's own run of these races for real: the CIFAR-10 tutorial's train_op waits on the
# gradient apply and the variable averages, which nothing orders (issue 18's example), and
# the averages' num_updates reads global_step while the apply increments it.
REAL_RACES = {"real_cifar10_train_ref.pbtxt": [
    ("unordered-read-write", ["ExponentialMovingAverage/num_updates", "GradientDescent"])] + [
    ("unordered-read-write", [f"ExponentialMovingAverage/AssignMovingAvg{k}/sub_1",
                              f"GradientDescent/update_{var}/ApplyGradientDescent"])
    for k, var in zip(["", "_1", "_2", "_3", "_4", "_5", "_6", "_7", "_8", "_9"],
                      [f"{layer}/{kind}" for layer in ("conv1", "conv2", "local3", "local4", "softmax_linear")
                       for kind in ("weights", "biases")])]}


def test_check_reports_a_race_through_a_ref_view(spec_file):
    """The same view, read by an op that nothing orders against the assign: a real race
    (the reader is the view's consumer, where TF takes the value)."""
    path = spec_file("""
    variables: ref
    expand: false
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: x/read, op: read, inputs: [x]}
      - {name: inc/value, op: const, value: 1.0}
      - {name: inc, op: assign_add, inputs: [x, inc/value]}
      - {name: two, op: const, value: 2.0}
      - {name: y, op: mul, inputs: [x/read, two]}
    run: {fetch: [y], targets: [inc]}
    """)
    ds = check_pipeline(Pipeline(path))
    assert [(d.code, d.data["reader"], d.data["writer"]) for d in ds] == [("unordered-read-write", "y", "inc")]


def test_check_reports_an_unused_read_only_when_someone_wrote_it(spec_file):
    path = spec_file("""
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: seen, op: add, inputs: [x, 1.0]}
      - {name: unseen, op: mul, inputs: [x, 3.0]}
    run: {fetch: [seen]}
    """)
    assert [(d.code, d.nodes) for d in check_pipeline(Pipeline(path))] == [("unused", ["unseen"])]


def test_is_variable_initialized_does_not_race_with_an_assign(spec_file):
    path = spec_file("""
    variables: ref
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: ok, op: is_variable_initialized, inputs: [x]}
      - {name: inc, op: assign_add, inputs: [x, 1.0]}
    run: {fetch: [ok], targets: [inc]}
    """)
    assert [d.code for d in check_pipeline(Pipeline(path))] == []


@pytest.mark.parametrize("program,expected", [
    ("real_update_ops_broken.meta", ["batch_normalization/AssignSubVariableOp",
                                     "batch_normalization/AssignSubVariableOp_1"]),
    ("real_update_ops_fixed.meta", [])])
def test_update_ops_the_train_op_never_runs(program, expected, tmp_path):
    """tf.layers-style batch norm saved by TF (a MetaGraphDef with UPDATE_OPS): without
    control_dependencies on UPDATE_OPS the moving averages never change, and check says so."""
    pytest.importorskip("tensorboard.compat.proto.meta_graph_pb2")
    from idrun.tf.graphdef_import import import_graphdef
    spec = tmp_path / "g.yaml"
    import_graphdef(str(_FIXTURES / program), str(spec))
    ds = check_pipeline(Pipeline(str(spec), RunOptions(fetch=["Mean:0", "moving_mean_after:0"])))
    assert [(d.code, d.nodes) for d in ds] == [("update-ops-not-run", [n]) for n in expected]
    assert all("tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))" in d.message for d in ds)
