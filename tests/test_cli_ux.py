"""The command line as a new user meets it (issue 21): layout of `idrun ops`, big values,
help summaries, misplaced global options, timings, the packaged example, the hook."""

from __future__ import annotations

import io

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
