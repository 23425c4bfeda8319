"""Fusion (idrun[fast], numexpr): runs of small elementwise ops become one kernel call,
with results bit for bit those of the unfused plan; traced steps are not fused."""

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import idrun.compile.fusion as fusion_mod
import idrun.compile.plan as plan_mod
from conftest import plan_source, run_spec

pytest.importorskip("numexpr")

UNARY = ["neg", "square", "sqrt", "exp", "log", "tanh"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"]


def _unfused(monkeypatch, path, **options):
    with monkeypatch.context() as m:
        m.setattr(fusion_mod, "_numexpr", False)
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


def _dispatch_levels() -> list[tuple[str, ...]]:
    """numpy's CPU-dispatch settings to test: for each dispatch target numpy was built with
    (on x86-64: X86_V3 (AVX2), X86_V4 and AVX512_ICL/SPR (AVX-512)), the setting that disables
    it and every target above it, once per distinct set of loops this CPU then runs."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # numpy 1.x
        from numpy.core import _multiarray_umath as umath
    dispatch = list(getattr(umath, "__cpu_dispatch__", []))
    features = getattr(umath, "__cpu_features__", {})
    levels, seen = [], {tuple(f for f in dispatch if features.get(f))}
    for k in range(len(dispatch) - 1, -1, -1):
        left = tuple(f for f in dispatch[:k] if features.get(f))
        if left not in seen:
            seen.add(left)
            levels.append(tuple(dispatch[k:]))
    return levels


@pytest.mark.skipif(bool(os.environ.get("NPY_DISABLE_CPU_FEATURES")), reason="already narrowed")
@pytest.mark.parametrize("disabled", _dispatch_levels(), ids=lambda d: "no-" + "-".join(d))
def test_bit_identical_with_cpu_dispatch_narrowed(disabled):
    """The comparisons above, again with numpy running the loops of a CPU without these
    features, so that a CI machine of any CPU also checks the others' (issue 17: float64
    exp was fused and differed from numpy's AVX-512 exp, on AVX-512 machines only)."""
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(disabled))
    probe = subprocess.run([sys.executable, "-c", _SHOW_FEATURES], env=env, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    assert not set(probe.stdout.split()) & set(disabled), probe.stdout  # the narrowing took effect
    tests = Path(__file__).resolve().parent
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests / "test_fusion.py"),
                          "-k", "bit_identical"], env=env, cwd=tests.parent, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and " failed" not in run.stdout


_SHOW_FEATURES = """
try:
    from numpy._core import _multiarray_umath as m
except ImportError:
    from numpy.core import _multiarray_umath as m
print(" ".join(k for k, v in m.__cpu_features__.items() if v))
"""


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


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_transcendentals_are_never_fused(spec_file, dtype):
    # numexpr's exp/log are not numpy's to the last bit on every CPU (issue 17)
    path = spec_file(f"""
    nodes:
      - {{name: x, op: const, dtype: {dtype}, value: [0.5, 2.0]}}
      - {{name: a, op: exp, inputs: [x]}}
      - {{name: b, op: log, inputs: [a]}}
      - {{name: c, op: tanh, inputs: [b]}}
      - {{name: d, op: minimum, inputs: [c, x]}}
    run: {{fetch: [d]}}
    """)
    assert "fz_" not in plan_source(path)


def test_exact_ops_of_both_float_dtypes_fuse(spec_file):
    path = spec_file("""
    nodes:
      - {name: x, op: const, dtype: float64, value: [0.5, 2.0]}
      - {name: a, op: sqrt, inputs: [x]}
      - {name: b, op: div, inputs: [a, x]}
      - {name: c, op: mul, inputs: [b, x]}
    run: {fetch: [c]}
    """)
    assert "fused: 3 ops" in plan_source(path)


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
    monkeypatch.setattr(fusion_mod, "_numexpr", False)
    source = plan_source(path)
    assert "fz_" not in source and "v_b = k_b(v_a, c_x)" in source
