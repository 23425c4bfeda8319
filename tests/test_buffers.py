"""The step frees each value after its last use and reuses dead buffers as `out=` of
elementwise kernels: never a fetched value, a variable's buffer or a ref view; huge steps
are chunked into several functions with the same results."""

import numpy as np
import pytest

import idrun.compile.fusion as fusion_mod
import idrun.compile.plan as plan_mod
from conftest import plan_source, run_spec
from idrun.pipeline import Pipeline

N = 20000  # float32[20000] = 80 KB: above the reuse threshold


def test_chain_frees_and_reuses(spec_file):
    path = spec_file(f"""
    nodes:
      - {{name: x, op: random_uniform, shape: [{N}], seed: 1}}
      - {{name: c, op: const, value: 1.5}}
      - {{name: a, op: add, inputs: [x, c]}}
      - {{name: b, op: mul, inputs: [a, c]}}
      - {{name: d, op: sub, inputs: [b, c]}}
      - {{name: e, op: exp, inputs: [d]}}
    run: {{fetch: [e]}}
    """)
    source = plan_source(path)
    assert "out=v_a" in source and "out=v_b" in source and "del v_x" in source
    assert "v_e = k_e(v_d, out=v_d)" in source
    got = run_spec(path).steps[0].values["e"]
    assert got.dtype == np.float32 and got.shape == (N,)


def test_fetched_value_is_never_overwritten(spec_file):
    path = spec_file(f"""
    nodes:
      - {{name: x, op: random_uniform, shape: [{N}], seed: 2}}
      - {{name: c, op: const, value: 2.0}}
      - {{name: a, op: add, inputs: [x, c]}}
      - {{name: b, op: mul, inputs: [a, c]}}
      - {{name: d, op: mul, inputs: [b, c]}}
    run: {{fetch: [a, b, d, x]}}
    """)
    source = plan_source(path)
    assert "out=v_a" not in source and "out=v_b" not in source
    v = run_spec(path).steps[0].values
    c = np.float32(2.0)
    assert np.array_equal(v["a"], v["x"] + c)
    assert np.array_equal(v["b"], (v["x"] + c) * c)
    assert np.array_equal(v["d"], (v["x"] + c) * c * c)


@pytest.mark.parametrize("variables", ["resource", "ref"])
def test_variable_buffers_and_ref_views_are_never_reused(spec_file, variables):
    path = spec_file(f"""
    nodes:
      - {{name: w, op: variable, value: {[1.0] * N}}}
      - {{name: c, op: const, value: 3.0}}
      - {{name: r, op: identity, inputs: [w]}}
      - {{name: a, op: add, inputs: [r, c]}}
      - {{name: s, op: assign, inputs: [w, a]}}
      - control_dependencies: [s]
        nodes:
          - {{name: b, op: mul, inputs: [w, c]}}
      - {{name: d, op: add, inputs: [b, c]}}
      - {{name: e, op: sub, inputs: [d, c]}}
    run: {{fetch: [e, s], steps: 3}}
    """)
    result = run_spec(path, variables=variables)
    expect_w = 1.0
    for step in result.steps:
        expect_w += 3.0
        assert np.all(step.values["s"] == expect_w)
        assert np.all(step.values["e"] == expect_w * 3.0)
    source = plan_source(path, variables)
    assert "out=v_a" not in source  # `a` is stored into the variable by the assign


def test_tiny_tensors_are_rebound_not_reused(spec_file, monkeypatch):
    monkeypatch.setattr(fusion_mod, "_numexpr", False)  # unfused (see test_fusion)
    path = spec_file("""
    nodes:
      - {name: x, op: const, value: [1.0, 2.0]}
      - {name: a, op: add, inputs: [x, 1.0]}
      - {name: b, op: mul, inputs: [a, 2.0]}
    run: {fetch: [b]}
    """)
    source = plan_source(path)
    assert "out=" not in source and "del v_a" in source


def test_chunked_step_gives_the_same_values(spec_file, monkeypatch):
    lines = ["nodes:", "  - {name: v, op: const, value: [1.0, 2.0, 3.0]}", "  - {name: c, op: const, value: 1.0001}"]
    prev = "v"
    for i in range(60):
        lines.append(f"  - {{name: n{i}, op: {'mul' if i % 2 else 'add'}, inputs: [{prev}, c]}}")
        prev = f"n{i}"
    lines.append(f"run: {{fetch: [{prev}, n7]}}")
    path = spec_file("\n".join(lines))
    monkeypatch.setattr(fusion_mod, "_numexpr", False)  # one line per op (fused chains: test_fusion)
    whole = run_spec(path).steps[0].values
    monkeypatch.setattr(plan_mod, "CHUNK_LINES", 7)
    assert "def step_3(" in plan_source(path)
    chunked = run_spec(path).steps[0].values
    for k in whole:
        assert np.array_equal(whole[k], chunked[k])


def test_group_with_10000_members_builds(spec_file):
    lines = ["nodes:", "  - {name: x, op: variable, value: 0.0}"]
    lines += [f"  - {{name: a{i}, op: assign_add, inputs: [x, 1.0]}}" for i in range(10000)]
    lines += ["  - {name: g, op: group, inputs: [" + ", ".join(f"a{i}" for i in range(10000)) + "]}"]
    path = spec_file("\n".join(lines))
    graph = Pipeline(path).spec.graph
    assert len(graph.nodes["g"].control_inputs) == 10000


@pytest.mark.parametrize("fmt", ["json", "plain"])
def test_run_output_is_written_once(spec_file, fmt):
    import io
    from idrun.commands.run import RunCommand

    class Counting(io.StringIO):
        writes = 0

        def write(self, text):
            Counting.writes += 1
            return super().write(text)

    path = spec_file("""
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: inc, op: assign_add, inputs: [x, 1.0]}
    run: {fetch: [inc], steps: 50}
    """)
    out = Counting()
    assert RunCommand(path, fmt=fmt, out=out, err=io.StringIO(), trace=True).execute() == 0
    assert Counting.writes == 1 and "50" in out.getvalue()


def test_a_failure_in_a_later_chunk_names_its_node(spec_file, monkeypatch, cli):
    lines = ["nodes:", "  - {name: v, op: placeholder, dtype: float32, shape: [3]}",
             "  - {name: c, op: const, value: 1.0}"]
    prev = "v"
    for i in range(40):
        lines.append(f"  - {{name: n{i}, op: add, inputs: [{prev}, c]}}")
        prev = f"n{i}"
    lines.append(f"  - {{name: check, op: assert_equal, inputs: [{prev}, v]}}")
    lines.append("run: {targets: [check], feed: {v: [1.0, 2.0, 3.0]}}")
    path = spec_file("\n".join(lines))
    monkeypatch.setattr(fusion_mod, "_numexpr", False)
    monkeypatch.setattr(plan_mod, "CHUNK_LINES", 7)  # each chunk compiled on its own
    assert "def step_5(" in plan_source(path)
    res = cli("run", path, "--format", "plain")
    assert res.exit_code == 1 and "check" in res.stderr and f"{path}:44:" in res.stderr
