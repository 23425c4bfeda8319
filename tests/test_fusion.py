"""Fusion (idrun[fast], numexpr): runs of small elementwise ops become one kernel call,
with results bit for bit those of the unfused plan; traced steps are not fused."""

import random

import numpy as np
import pytest

import idrun.compile.plan as plan_mod
from conftest import plan_source, run_spec

pytest.importorskip("numexpr")

UNARY = ["neg", "square", "sqrt", "exp", "log", "tanh"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"]


def _unfused(monkeypatch, path, **options):
    with monkeypatch.context() as m:
        m.setattr(plan_mod, "_numexpr", False)
        return run_spec(path, **options)


def _random_spec(rng: random.Random, dtype: str, n_ops: int, shape: int) -> tuple[str, list[str]]:
    def value():
        return "[" + ", ".join(repr(round(rng.uniform(-3, 3), 6)) for _ in range(shape)) + "]"
    lines = ["nodes:"]
    names = []
    for k in range(3):
        lines.append(f"  - {{name: c{k}, op: const, dtype: {dtype}, value: {value()}}}")
        names.append(f"c{k}")
    lines.append(f"  - {{name: s, op: const, dtype: {dtype}, value: {rng.uniform(0.5, 2)!r}}}")
    for i in range(n_ops):
        # mostly a chain on the last value, sometimes a tree or a fan-out from an older one
        a = names[-1] if rng.random() < 0.8 else rng.choice(names)
        if rng.random() < 0.5:
            op = rng.choice(UNARY if dtype != "int32" else ["neg", "square"])
            lines.append(f"  - {{name: n{i}, op: {op}, inputs: [{a}]}}")
        else:
            op = rng.choice(BINARY if dtype != "int32" else ["add", "sub", "mul", "maximum"])
            b = rng.choice(names + ["s"])
            lines.append(f"  - {{name: n{i}, op: {op}, inputs: [{a}, {b}]}}")
        names.append(f"n{i}")
    fetch = [names[-1]] + rng.sample(names[3:], min(2, n_ops))
    lines.append(f"run: {{fetch: [{', '.join(dict.fromkeys(fetch))}]}}")
    return "\n".join(lines) + "\n", list(dict.fromkeys(fetch))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", range(12))
def test_random_chains_are_bit_identical(spec_file, monkeypatch, dtype, seed):
    rng = random.Random(seed)
    text, fetch = _random_spec(rng, dtype, rng.choice([5, 30, 90]), rng.choice([1, 16, 1000]))
    path = spec_file(text)
    got = run_spec(path).steps[0].values
    want = _unfused(monkeypatch, path).steps[0].values
    for name in fetch:
        assert got[name].dtype == want[name].dtype and got[name].shape == want[name].shape
        _assert_same_bits(got[name], want[name])


def _assert_same_bits(got, want):
    """Every bit the same, but for the sign and payload of a NaN: which NaN operand of a
    commutative add/mul propagates is unspecified (IEEE 754), and numpy's own SIMD body
    and tail already differ there."""
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan)
    assert got[~nan].tobytes() == want[~nan].tobytes()


def test_int32_chain_is_bit_identical(spec_file, monkeypatch):
    path = spec_file("""
    nodes:
      - {name: x, op: const, dtype: int32, value: [2147483000, -7, 3, 46341]}
      - {name: c, op: const, dtype: int32, value: 3}
      - {name: a, op: mul, inputs: [x, c]}
      - {name: b, op: square, inputs: [a]}
      - {name: d, op: sub, inputs: [b, c]}
      - {name: e, op: neg, inputs: [d]}
    run: {fetch: [e]}
    """)
    assert "fused: 3 ops" in plan_source(path)
    got = run_spec(path).steps[0].values["e"]
    want = _unfused(monkeypatch, path).steps[0].values["e"]
    assert got.dtype == np.int32 and got.tobytes() == want.tobytes()


def test_chain_is_fused_in_groups_and_fetched_values_stay(spec_file):
    nodes = "\n".join(f"  - {{name: n{i}, op: {'mul' if i % 2 else 'add'}, inputs: [{f'n{i - 1}' if i else 'x'}, c]}}"
                      for i in range(100))
    path = spec_file("nodes:\n  - {name: x, op: const, value: [1.0, 2.0, 3.0]}\n"
                     "  - {name: c, op: const, value: 1.0001}\n" + nodes + "\nrun: {fetch: [n99, n50]}\n")
    source = plan_source(path)
    assert source.count("= fz_") == 4 and "fused: 40 ops" in source
    assert "v_n50 = " in source  # fetched: computed as itself, never inlined


def test_unfusable_ops_and_big_arrays_are_not_fused(spec_file):
    path = spec_file("""
    nodes:
      - {name: x, op: random_uniform, shape: [20000], seed: 1}
      - {name: y, op: const, value: [1.0, 2.0]}
      - {name: a, op: add, inputs: [x, x]}
      - {name: b, op: mul, inputs: [a, a]}
      - {name: t, op: tanh, inputs: [y]}
      - {name: u, op: tanh, inputs: [t]}
      - {name: m, op: maximum, inputs: [u, y]}
    run: {fetch: [b, m]}
    """)
    assert "fz_" not in plan_source(path)


def test_traced_steps_list_every_node(spec_file, monkeypatch):
    path = spec_file("""
    nodes:
      - {name: x, op: const, value: [1.0, 2.0]}
      - {name: a, op: add, inputs: [x, x]}
      - {name: b, op: mul, inputs: [a, x]}
      - {name: d, op: sub, inputs: [b, x]}
    run: {fetch: [d]}
    """)
    assert "fused: 3 ops" in plan_source(path)
    traced = run_spec(path, record_ops=True)
    plain = _unfused(monkeypatch, path, record_ops=True)
    assert traced.steps[0].ops == plain.steps[0].ops
    assert [n for n, _ in traced.steps[0].ops] == ["a", "b", "d"]


def test_without_numexpr_plans_are_unchanged(spec_file, monkeypatch):
    path = spec_file("""
    nodes:
      - {name: x, op: const, value: [1.0, 2.0]}
      - {name: a, op: add, inputs: [x, x]}
      - {name: b, op: mul, inputs: [a, x]}
    run: {fetch: [b]}
    """)
    monkeypatch.setattr(plan_mod, "_numexpr", False)
    source = plan_source(path)
    assert "fz_" not in source and "v_b = k_b(v_a, c_x)" in source
