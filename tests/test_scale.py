"""Big graphs stay linear: a chunked step keeps the values that cross chunks in one dict
(`S`), read where they are read and popped where the flat step frees them, so a DAG's
O(n) live values cost O(n) source, not O(n) per chunk; and `show`'s tree is written line
by line exactly as rich's Tree renders it."""

import io
import random
import re

import numpy as np
import pytest

import idrun.compile.fusion as fusion_mod
import idrun.compile.plan as plan_mod
import idrun.views.graph as graph_mod
from conftest import plan_source, run_spec
from idrun.pipeline import Pipeline
from test_graph_views import EVIL, REMOTE

N = 20000  # float32[20000] = 80 KB: above the reuse threshold, above numexpr's


def dag(n: int, size: int = 4, seed: int = 1, late_feed: bool = False) -> str:
    """Op i reads op i-1 and a random earlier op (as bench.py's dag_spec); a placeholder
    read again at the end, early ops fetched: every kind of value crosses chunks."""
    rng = random.Random(seed)
    ops = ["add", "mul", "sub", "maximum", "exp", "neg"]
    lines = ["nodes:", f"  - {{name: x, op: placeholder, dtype: float32, shape: [{size}]}}",
             f"  - {{name: n0, op: random_uniform, shape: [{size}], seed: 3}}"]
    for i in range(1, n):
        op = ops[rng.randrange(len(ops))]
        if op == "exp":   # bounded: exp of a value in (-1, 1)
            lines.append(f"  - {{name: t{i}, op: tanh, inputs: [n{i - 1}]}}")
            lines.append(f"  - {{name: n{i}, op: exp, inputs: [t{i}]}}")
        elif op == "neg":
            lines.append(f"  - {{name: n{i}, op: neg, inputs: [n{i - 1}]}}")
        else:
            lines.append(f"  - {{name: n{i}, op: {op}, inputs: [n{i - 1}, n{rng.randrange(i)}]}}")
    last = f"n{n - 1}"
    if late_feed:
        lines.append(f"  - {{name: end, op: add, inputs: [{last}, x]}}")
        last = "end"
    lines.append(f"run: {{fetch: [{last}, n1, n2], feed: {{x: [{', '.join(['0.5'] * size)}]}}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("numexpr", [True, False])
@pytest.mark.parametrize("size", [4, N])
def test_chunked_dag_gives_the_flat_steps_values(spec_file, monkeypatch, numexpr, size):
    path = spec_file(dag(120, size, late_feed=True))
    if not numexpr:
        monkeypatch.setattr(fusion_mod, "_numexpr", False)
    whole = run_spec(path, steps=2).steps[1].values
    flat = plan_source(path)
    assert "def step(F, T, O):" in flat and "S[" not in flat
    if size == N:
        assert "out=" in flat   # dead buffers reused, across chunks below
    monkeypatch.setattr(plan_mod, "CHUNK_LINES", 9)
    chunked = plan_source(path)
    assert "def step_4(F, T, O, S):" in chunked and "S.pop('v_" in chunked
    if size == N:
        assert re.search(r"out=S(\['|\.pop\(')v_", chunked)   # a buffer from an earlier chunk
    for options in ({}, {"record_ops": True}, {"record_times": True}):
        got = run_spec(path, steps=2, **options).steps[1].values
        assert got.keys() == whole.keys()
        for k in whole:
            assert got[k].tobytes() == whole[k].tobytes(), (options, k)


def test_chunked_step_frees_each_value_where_the_flat_one_does(spec_file, monkeypatch):
    path = spec_file(dag(150, N))
    monkeypatch.setattr(fusion_mod, "_numexpr", False)
    flat = plan_source(path)
    freed = [v for line in flat.splitlines() if line.startswith("    del ")
             for v in line[8:].split(", ")]
    monkeypatch.setattr(plan_mod, "CHUNK_LINES", 9)
    chunked = plan_source(path)
    assert "def step_10(" in chunked
    dels = [v for line in chunked.splitlines() if line.startswith("    del ")
            for v in line[8:].split(", ")]
    pops = re.findall(r"S\.pop\('(\w+)'\)", chunked)
    assert sorted(dels + pops) == sorted(freed)   # each once: a del, or a pop at the last read
    # and so the peak is the flat step's: nothing is kept for a later chunk longer than needed
    peaks = []
    for lines in (10 ** 9, 9):
        monkeypatch.setattr(plan_mod, "CHUNK_LINES", lines)
        pipeline = Pipeline(path)
        session, request = pipeline.session, pipeline.request
        session.initialize()
        peaks.append(_peak(session.plan(request)))
    assert peaks[1] <= peaks[0] + N * 4 // 2, peaks   # the same tensors, a dict's bytes more


def _peak(plan) -> int:
    """Peak traced bytes of one step (numpy reports its buffers to tracemalloc)."""
    import tracemalloc
    x = np.full(N, 0.5, np.float32)
    plan.step((x,), [], [])
    tracemalloc.start()
    try:
        plan.step((x,), [], [])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_chunk_hand_offs_are_linear_in_the_graph(spec_file, monkeypatch):
    """Source per node stays flat as the DAG grows (handing every live value to every later
    chunk made it grow with n), and a chunk takes only F, T, O and S."""
    monkeypatch.setattr(fusion_mod, "_numexpr", False)
    monkeypatch.setattr(plan_mod, "CHUNK_LINES", 40)
    per_node = []
    for n in (300, 1200):
        source = plan_source(spec_file(dag(n), f"dag{n}.yaml"))
        heads = re.findall(r"^def (\w+)\((.*)\):", source, re.M)
        assert len(heads) > n // 60 and all(a == "F, T, O, S" for name, a in heads if name != "step")
        per_node.append(len(source) / n)
    assert per_node[1] < 1.15 * per_node[0], per_node


def test_a_failure_in_a_chunk_names_its_node_when_values_cross(spec_file, monkeypatch, cli):
    path = spec_file(dag(60).replace("run: {fetch: [n59, n1, n2]",
                                     "  - {name: bad, op: assert_equal, inputs: [n3, n58]}\n"
                                     "run: {targets: [bad], fetch: [n1, n2]"))
    monkeypatch.setattr(plan_mod, "CHUNK_LINES", 7)
    assert "S['v_n3']" in plan_source(path) or "S.pop('v_n3')" in plan_source(path)
    res = cli("run", path, "--format", "plain")
    assert res.exit_code == 1 and "bad" in res.stderr, res.stderr


@pytest.mark.parametrize("spec", [REMOTE, EVIL, "wide"])
@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("width", [None, 24, 50, 80])
def test_tree_is_written_as_rich_renders_it(spec_file, monkeypatch, spec, color, width):
    if spec == "wide":   # wide characters, a name longer than the console: wrapped
        spec = ("name: \"名前 " + "x" * 90 + "\"\ndevices: [cpu:0, cpu:1]\nnodes:\n"
                "  - {name: " + "v" * 60 + ", op: variable, value: 1.0}\n"
                "  - {name: al, alias: " + "v" * 60 + "}\n"
                "  - {name: b, op: identity, inputs: [" + "v" * 60 + "], device: cpu:1}\n"
                "run: {fetch: [b]}\n")
    import idrun.views.table as table
    made = table.console
    monkeypatch.setattr(table, "console", lambda out, c, w=None: made(out, c, width or w))
    pipeline = Pipeline(spec_file(spec))
    step = pipeline.step
    args = (pipeline.spec, pipeline.placement, step.partition, step.needed,
            pipeline.session.device_kinds())
    ours = io.StringIO()
    graph_mod.render_tree(*args, ours, color)
    monkeypatch.setattr(graph_mod, "_tree_lines", lambda root, con: None)   # rich's Tree itself
    theirs = io.StringIO()
    graph_mod.render_tree(*args, theirs, color)
    assert ours.getvalue() == theirs.getvalue()
    assert ("\x1b[" in ours.getvalue()) == color
