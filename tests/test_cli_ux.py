"""The command line as a new user meets it (issue 21): layout of `idrun ops`, big values,
help summaries, misplaced global options, timings, the packaged example, the hook."""

from __future__ import annotations

import io
import re

import pytest

from conftest import ROOT


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _ops_on_terminal(monkeypatch, columns: int) -> str:
    from idrun.commands.ops import op_rows
    from idrun.views.ops import render_ops
    monkeypatch.setenv("COLUMNS", str(columns))
    out = _Terminal()
    render_ops(op_rows(), out, "table", color=False)
    return out.getvalue()


def test_ops_plain_is_aligned_over_every_row(cli):
    lines = cli("ops", "--format", "plain").stdout.splitlines()
    assert lines[0].split() == ["op", "type", "inputs", "attributes", "doc"]
    # every column starts where the header's does, on every line (widths from all rows)
    starts = [lines[0].index(h) for h in ("type", "inputs", "attributes", "doc")]
    for line in lines[1:]:
        for s in starts:
            assert line[s - 2:s] == "  " and line[s] != " ", line
    split = next(line for line in lines if line.startswith("split "))
    assert split.split("  ")[0] == "split" and "num_or_size_splits, axis?" in split
    longest = next(line for line in lines if line.startswith("sparse_softmax_cross_entropy_with_logits "))
    assert "SparseSoftmaxCrossEntropyWithLogits" in longest


def test_ops_json_gives_lists_not_display_text(cli):
    rows = {r["op"]: r for r in cli("ops", "--format", "json").json()}
    assert rows["split"] == {
        "op": "split", "type": "split", "inputs": ["value"], "variadic": False,
        "attributes": ["num_or_size_splits", "axis"], "required": ["num_or_size_splits"],
        "stateful": False, "doc": rows["split"]["doc"], "defaults": {"axis": 0}}
    assert rows["add_n"]["inputs"] == ["inputs"] and rows["add_n"]["variadic"] is True
    assert rows["matmul"]["inputs"] == ["a", "b"]
    assert rows["const"]["inputs"] == [] and rows["variable"]["stateful"] is True


def test_ops_table_on_a_120_column_terminal_never_splits_a_word(monkeypatch):
    from idrun.commands.ops import op_rows
    text = _ops_on_terminal(monkeypatch, 120)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 120
    assert lines[1].split() == ["op", "/", "type", "inputs", "/", "attributes", "doc"]
    words = set(text.split())
    for r in op_rows():   # every name, type and doc word whole on some line
        assert r["op"] in words and r["type"] in words, r["op"]
        for w in r["doc"].split():
            assert w in words, (r["op"], w)
    assert "sparse_softmax_cross_entropy_with_logits" in words


def test_ops_table_on_a_narrow_terminal_is_one_block_per_op(monkeypatch):
    text = _ops_on_terminal(monkeypatch, 60)
    assert "split  split\n  inputs: [value]\n  attributes: num_or_size_splits, axis?\n" in text


BIG = """
nodes:
  - {name: r, op: range, inputs: [0, 1000000, 1]}
  - {name: m, op: reshape, inputs: [r, [1000, 1000]]}
run: {fetch: [m], steps: 1}
"""


def test_a_big_value_is_summarised_as_numpy_prints_it(cli, spec_file):
    import numpy as np
    path = spec_file(BIG)
    res = cli("run", path)
    rows = [f"[{i * 1000}, {i * 1000 + 1}, {i * 1000 + 2}, ..., {i * 1000 + 997}, {i * 1000 + 998}, {i * 1000 + 999}]"
            for i in (0, 1, 2, 997, 998, 999)]
    assert res.stdout == "m: [" + ", ".join(rows[:3]) + ", ..., " + ", ".join(rows[3:]) + "]\n"
    # numpy's own summary of the same array has the same items in the same places
    with np.printoptions(threshold=1000, edgeitems=3):
        assert str(np.arange(10**6).reshape(1000, 1000)).split()[:5] == ["[[", "0", "1", "2", "..."]
    full = cli("run", path, "--full-values").stdout
    assert full.startswith("m: [[0, 1, 2, 3, 4,") and full.count(", ") == 10**6 - 1
    doc = cli("run", path, "--format", "json").json()       # machine output stays whole
    assert np.array_equal(doc["steps"][0]["values"]["m"], np.arange(10**6).reshape(1000, 1000))


def test_a_value_at_the_threshold_is_whole():
    import numpy as np
    from idrun.views.fmt import format_value
    assert format_value(np.arange(1000)) == "[" + ", ".join(map(str, range(1000))) + "]"
    assert format_value(np.arange(1001)) == "[0, 1, 2, ..., 998, 999, 1000]"
    assert format_value(np.array([b"a"] * 2000, dtype=object)) == "[a, a, a, ..., a, a, a]"


def test_table_widens_for_a_later_wider_row(cli):
    res = cli("run", str(ROOT / "graphs/control_deps_identity.yaml"), "--format", "table", "--steps", "12",
              "--no-expect")
    rows = res.stdout.splitlines()[1:]
    assert rows[0].split() == ["step", "y"] and rows[-1] == "  12  12"
    assert rows[-3] == "  10  10" and rows[1] == "   1  1"   # row 10 widened the y column


def test_table_clips_a_value_wider_than_the_terminal(spec_file):
    from idrun.commands.run import RunCommand
    out, err = _Terminal(), io.StringIO()
    import os
    os.environ["COLUMNS"] = "80"
    try:
        code = RunCommand(spec_file(BIG), fmt="table", out=out, err=err).execute(steps=1)
    finally:
        del os.environ["COLUMNS"]
    lines = out.getvalue().splitlines()
    assert code == 0 and len(lines[2]) <= 80 and lines[2].endswith("…")
    assert lines[3].startswith("(a value wider than its column is cut at …")


def test_trace_columns_line_up_with_job_devices_and_long_names(cli):
    res = cli("run", str(ROOT / "graphs/distributed_embeddings.yaml"), "--trace", "--steps", "1", "--no-timings")
    rows = [line for line in res.stdout.splitlines() if line.startswith(("  edge", "  fetch"))]
    assert len(rows) == 5
    for column in ("/job:", "->", " B "):
        assert len({row.index(column) for row in rows}) == 1, column
    assert rows[3].split() == ["edge", "worker1/table_copy/ReadVariableOp:0", "/job:ps/task:0/cpu:0", "->",
                               "/job:worker/task:1/cpu:0", "128", "B", "-"]


def test_json_seconds_are_rounded_to_the_nanosecond():
    from idrun.result import TransferRecord as Transfer
    from idrun.views.jsondoc import _transfer
    import numpy as np
    t = Transfer("x:0", "cpu:0", "cpu:1", 8, "edge", float(np.float32(1.102e-06)))
    assert t.seconds == 1.102000055652752e-06   # the noise the document used to show
    assert _transfer(t, True)["seconds"] == 1.102e-06
    assert _transfer(t, False) == {"tensor": "x:0", "src": "cpu:0", "dst": "cpu:1", "bytes": 8, "kind": "edge",
                                   "seconds": None}


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_no_timings_makes_multi_device_output_byte_reproducible(fmt):
    import subprocess
    import sys
    cmd = [sys.executable, "-m", "idrun", "run", str(ROOT / "graphs/distributed_embeddings.yaml"),
           "--steps", "3", "--format", fmt]
    runs = [subprocess.run(cmd + ["--no-timings"], cwd=ROOT, capture_output=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and b'"seconds": null' in runs[0] and b'"seconds": 0' not in runs[0]
    timed = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True).stdout
    assert b'"seconds": null' not in timed and b'"seconds": ' in timed


def test_help_gives_each_command_a_whole_phrase(cli):
    from idrun.cli import main
    text = cli("--help").stdout
    commands = text.split("Commands:\n")[1].splitlines()
    assert len(commands) == len(main.commands)
    for line in commands:
        name, summary = line.split(None, 1)
        assert name in main.commands and summary.endswith(".") and not summary.endswith("..."), line
    assert "  explain     Explain whether NODE runs and why, its device and transfers.\n" in text


@pytest.mark.parametrize("args, hint", [
    (["--debug"], "--debug is a global option: put it before the command: idrun --debug run ..."),
    (["--max-nodes", "5"], "--max-nodes is a global option: put it before the command: idrun --max-nodes N run ..."),
    (["--max-spec-mb=9"], "--max-spec-mb is a global option: put it before the command: idrun --max-spec-mb N run"),
])
def test_a_global_option_after_the_command_says_where_it_goes(cli, args, hint):
    res = cli("run", str(ROOT / "graphs/tour.yaml"), *args)
    assert res.exit_code == 2 and "No such option" in res.stderr and hint in res.stderr
    assert res.stdout == ""
    assert cli("--debug", "run", str(ROOT / "graphs/control_deps_identity.yaml")).exit_code == 0


def test_an_unknown_option_gets_no_global_hint(cli):
    res = cli("run", str(ROOT / "graphs/tour.yaml"), "--bogus")
    assert res.exit_code == 2 and "global option" not in res.stderr


@pytest.mark.parametrize("flag", ["--fetch", "--target"])
def test_an_empty_fetch_list_is_named_as_the_command_lines(cli, flag):
    res = cli("run", str(ROOT / "graphs/tour.yaml"), flag, "", "--format", "json")
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == (f"error: {flag} '': the list given on the command line is empty (give {flag} "
                          f"NAME[,NAME...], or leave {flag} out to use the spec's run: section)\n")
    assert "run: section names no fetch" not in res.stderr


def test_example_lists_and_prints_the_packaged_specs(cli, tmp_path):
    listing = cli("example").stdout.splitlines()
    assert listing[0].split() == ["seed", "the", "seed", "graph:", "control_deps_identity"]
    assert ["tour", "identity-anchored", "control", "dependency"] in [line.split() for line in listing]
    assert len({re.match(r"\S+\s+", line).end() for line in listing}) == 1   # one column of descriptions
    assert not any(line.startswith("parse_example_named") for line in listing)   # needs its data file
    seed = cli("example", "seed")
    assert seed.exit_code == 0 and seed.stdout.startswith("name: identity-anchored control dependency\n")
    spec = tmp_path / "seed.yaml"
    spec.write_text(seed.stdout)
    assert cli("run", str(spec)).stdout == "y: 1, 2, 3, 4, 5\n"
    assert cli("example", "tour.yaml").stdout == (ROOT / "graphs/tour.yaml").read_text().split("\n", 1)[1]
    bad = cli("example", "sed")
    assert bad.exit_code == 2 and bad.stderr == (
        "error: no example named 'sed'; did you mean 'seed'? (`idrun example` lists them)\n")


def test_the_wheel_carries_the_examples_and_the_license():
    import hashlib
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0" and project["project"]["license-files"] == ["LICENSE"]
    assert project["tool"]["setuptools"]["package-data"]["idrun"] == ["examples/*.yaml"]
    # the Apache License 2.0 as apache.org publishes it (LICENSE-2.0.txt), unchanged
    assert hashlib.md5((ROOT / "LICENSE").read_bytes()).hexdigest() == "3b83ef96387f14655fc854ddc3c6bd57"
    assert (ROOT / "idrun/examples/control_deps_identity.yaml").read_bytes() == (
        ROOT / "graphs/control_deps_identity.yaml").read_bytes()


def test_the_pre_commit_hook_skips_yaml_that_is_not_a_spec(tmp_path, capsys):
    import yaml
    from idrun import precommit
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    assert hook["entry"] == "python -m idrun.precommit" and hook["files"] == r"\.ya?ml$"
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "k8s.yaml").write_text("kind: Pod\nnodes: 1\n---\nkind: Service\n")
    (tmp_path / "cf.yaml").write_text("Resources: !Ref x\n")
    (tmp_path / "broken.yaml").write_text("nodes:\n  - {name: x, op: variable, value: [1\n")
    others = [str(tmp_path / n) for n in ("docker-compose.yml", "k8s.yaml", "cf.yaml")]
    assert precommit.main(others) == 0
    err = capsys.readouterr().err
    assert f"idrun check: skipped {others[0]}: not an idrun spec (no top-level nodes:)\n" in err
    assert err.count("skipped") == 3
    good, bad = str(ROOT / "graphs/control_deps_identity.yaml"), str(ROOT / "graphs/control_deps_alias.yaml")
    assert precommit.main([others[0], good]) == 0
    assert precommit.main([others[0], bad]) == 1                       # the spec's warnings still fail it
    assert precommit.main(["--fail-on", "never", others[0], bad]) == 0  # args pass through
    assert precommit.main([str(tmp_path / "broken.yaml")]) == 2        # a broken spec is still checked
    (tmp_path / "two.yaml").write_text((ROOT / "graphs/tour.yaml").read_text() + "---\na: 1\n")
    assert precommit.main([str(tmp_path / "two.yaml")]) == 2           # so is one with a stray document
    assert "broken.yaml:2:38: error: malformed YAML" in capsys.readouterr().err


def test_readme_feed_example_runs_and_names_no_missing_spec(cli):
    import shlex
    readme = (ROOT / "README.md").read_text()
    assert "img=@image.npy" not in readme and "G9" not in readme
    line = next(l for l in readme.splitlines() if l.startswith("idrun run graphs/gpu_matmul.yaml --feed"))
    args = shlex.split(line.split("#")[0])[1:]
    res = cli(*args)
    assert res.exit_code == 0 and res.stdout.startswith("z: [[11, 16]], [[16, 21]], [[21, 26]]\n")   # [2, 3] @ w, w + 1 per step
    assert "![graphs/cross_device_reads.yaml in TensorBoard" in readme
    for spec in ("cross_device_reads", "identity_copies_once", "cross_device_reads_ref"):
        assert "G9" not in (ROOT / f"graphs/{spec}.yaml").read_text()


def test_table_trace_wraps_the_op_list_between_items(monkeypatch):
    from idrun.commands.run import RunCommand
    monkeypatch.setenv("COLUMNS", "100")
    out = _Terminal()
    code = RunCommand(str(ROOT / "graphs/distributed_embeddings.yaml"), fmt="table", trace=True, timings=False,
                      out=out, err=io.StringIO()).execute(steps=1)
    lines = out.getvalue().splitlines()
    assert code == 0 and max(len(line) for line in lines if "->" not in line) <= 100
    start = next(i for i, line in enumerate(lines) if line.startswith("  ops: "))
    ops = [lines[start]] + [line for line in lines[start + 1:] if line.startswith("       ")]
    assert len(ops) > 1
    items = " ".join(line.strip() for line in ops)[len("ops: "):].split(", ")
    assert items[0] == "worker0/lookup @/job:ps/task:0/cpu:0" and len(items) == 10
    assert all(line.rstrip().endswith(",") for line in ops[:-1])   # a break only after an item


def test_example_stays_light():
    import subprocess
    import sys
    code = ("import sys; from idrun.cli import main\n"
            "try:\n    main(['example', 'seed'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('numpy', 'rich', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_steps_past_expect_say_they_were_not_checked(cli):
    tour = str(ROOT / "graphs/tour.yaml")   # expect: y for 5 steps
    res = cli("run", tour, "--steps", "7", "--format", "plain")
    assert res.exit_code == 0 and res.stderr == "note: past the steps expect: lists, so not checked: y (steps 6-7)\n"
    assert cli("run", tour, "--steps", "6", "--format", "plain").stderr.endswith("y (step 6)\n")
    assert cli("run", tour, "--steps", "5", "--format", "plain").stderr == ""


def test_ops_lists_the_ops_a_name_matches(cli):
    res = cli("ops", "split", "--format", "json")
    assert res.exit_code == 0
    assert [d["op"] for d in res.json()] == ["split", "split_even", "split_v", "tensor_array_split_v3",
                                             "tensor_list_split"]
    assert [d["op"] for d in cli("ops", "MatMul", "--format", "json").json()] == ["matmul", "batch_matmul"]
    bad = cli("ops", "splitt")
    assert bad.exit_code == 2 and "no op matches 'splitt' (did you mean 'split'" in bad.stderr
