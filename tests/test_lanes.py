"""Lanes (compile/lanes.py): a step's devices side by side on threads give the values, the
transfers (in order) and the errors of the one-function step."""

from __future__ import annotations

import subprocess
import sys

import numpy
import pytest

from idrun.compile import lanes
from idrun.devices.blas import limit_this_thread
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions


def two_towers(tmp_path, n: int = 384, extra: str = "", bad_tower: bool = False, bad_host: bool = False) -> str:
    """Weights and a new random input each step on cpu:0, a tower of products on each of
    gpu:0 and gpu:1, the loss on cpu:0, and a step counter updated after it; with `bad_tower` tower 1 takes the log of a value that
    turns negative at step 4 (CheckNumerics fails there); with `bad_host` the towers' input
    fails its CheckNumerics on cpu:0 at step 1."""
    tower = """
  - {{name: h{i}, op: matmul, inputs: [x, w], device: gpu:{i}}}
  - {{name: t{i}, op: tanh, inputs: [h{i}], device: gpu:{i}}}
  - {{name: g{i}, op: matmul, inputs: [t{i}, w], device: gpu:{i}}}
  - {{name: s{i}, op: reduce_sum, inputs: [g{i}], device: gpu:{i}}}"""
    bad = """
  - {name: shifted, op: sub, inputs: [2.5, step], device: gpu:1}
  - {name: logged, op: log, inputs: [shifted], device: gpu:1}
  - {name: checked, op: check_numerics, inputs: [logged], message: tower 1, device: gpu:1}
  - {name: s1b, op: add, inputs: [s1, checked], device: gpu:1}""" if bad_tower else ""
    loss_in = "s1b" if bad_tower else "s1"
    x = "x0" if bad_host else "x"
    host = """
  - {name: minus, op: log, inputs: [-1.0], device: cpu:0}
  - {name: bad, op: check_numerics, inputs: [minus], message: host input, device: cpu:0}
  - {name: x, op: add, inputs: [x0, bad], device: cpu:0}""" if bad_host else ""
    text = f"""name: two towers
devices: [cpu:0, gpu:0, gpu:1]
nodes:
  - {{name: w, op: fill, inputs: [[{n}, {n}], 0.01], device: cpu:0}}
  - {{name: step, op: variable, value: 0.0, device: cpu:0}}
  - {{name: {x}, op: random_normal, shape: [{n}, {n}], seed: 3, device: cpu:0}}{host}{tower.format(i=0)}{tower.format(i=1)}{bad}
  - {{name: loss, op: add, inputs: [s0, {loss_in}], device: cpu:0}}
  - {{name: update, op: assign_add, inputs: [step, 1.0], control_inputs: [loss]}}{extra}
run: {{fetch: [loss, s0, s1], targets: [update], steps: 4}}
"""
    path = tmp_path / "towers.yaml"
    path.write_text(text)
    return str(path)


def run(spec: str, parallel: str):
    pipeline = Pipeline(spec, RunOptions(parallel=parallel))
    result = pipeline.run()
    sources = [plan.source for plan in pipeline.session._plans.values()]
    return result, sources


def transfers(result):
    return [[(t.tensor, t.src, t.dst, t.bytes, t.kind) for t in s.transfers] for s in result.steps]


def test_lanes_give_the_one_function_steps_values_and_transfers(tmp_path):
    spec = two_towers(tmp_path)
    serial, serial_src = run(spec, "off")
    parallel, parallel_src = run(spec, "on")
    assert serial.error is None and parallel.error is None
    assert not any("def lane_" in s for s in serial_src)
    assert any("def lane_1" in s and "run_lanes(" in s for s in parallel_src)
    assert len(parallel.steps) == 4
    for a, b in zip(serial.steps, parallel.steps):
        assert a.values.keys() == b.values.keys()
        for name in a.values:
            assert numpy.array_equal(a.values[name], b.values[name]), (a.step, name)
    losses = [s.values["loss"] for s in parallel.steps]
    assert len(set(map(float, losses))) == 4
    assert transfers(parallel) == transfers(serial)
    assert len(transfers(parallel)[0]) == 6   # x and w to each tower, each sum back (fetched from there)


def test_auto_uses_lanes_only_where_two_devices_have_heavy_work(tmp_path):
    heavy = two_towers(tmp_path)
    _, sources = run(heavy, "auto")
    assert any("def lane_" in s for s in sources)
    (tmp_path / "small").mkdir()
    small = two_towers(tmp_path / "small", n=8)
    result, sources = run(small, "auto")
    assert result.error is None
    assert not any("def lane_" in s for s in sources)
    _, sources = run(small, "on")
    assert any("def lane_" in s for s in sources)


def test_a_failure_in_a_lane_is_the_steps_error_with_its_node(tmp_path):
    spec = two_towers(tmp_path, bad_tower=True)
    serial, _ = run(spec, "off")
    parallel, sources = run(spec, "on")
    assert any("def lane_" in s for s in sources)
    assert serial.error is not None and parallel.error is not None
    assert (parallel.error.step, parallel.error.node) == (serial.error.step, serial.error.node) == (4, "checked")
    assert parallel.error.message == serial.error.message
    assert "tower 1" in parallel.error.message
    assert len(parallel.steps) == len(serial.steps) == 3   # the steps before it are kept


def test_ops_with_shared_effects_keep_one_function(tmp_path):
    spec = two_towers(tmp_path, extra="\n  - {name: shown, op: print, inputs: [s0, [s0]], device: gpu:0}")
    text = open(spec).read().replace("targets: [update]", "targets: [update, shown]")
    open(spec, "w").write(text)
    result, sources = run(spec, "on")
    assert result.error is None
    assert not any("def lane_" in s for s in sources)


def test_a_failure_before_the_other_lanes_can_start_ends_the_step(tmp_path):
    """The host lane fails before it sends the towers anything: their waits wake up and the
    command ends with the located error (exit 1), not a hang."""
    spec = two_towers(tmp_path, bad_host=True)
    proc = subprocess.run([sys.executable, "-m", "idrun", "run", spec, "--parallel", "on", "--format", "plain"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "host input" in proc.stderr and "'bad'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_blas_threads_are_limited_per_thread_and_restored():
    previous = limit_this_thread(1)
    if previous is None:
        pytest.skip("no OpenBLAS with a per-thread setting under this numpy")
    try:
        assert limit_this_thread(1) == 1
    finally:
        limit_this_thread(previous)


def test_waits_keep_only_what_an_earlier_wait_does_not_cover():
    # lane 0: items 0, 2, 4; lane 1: items 1, 3 (order 0..4); 3 needs 0 and 2; 1 needs 0
    waits, signals = lanes._waits([0, 1, 2, 3, 4], [0, 1, 0, 1, 0], [[], [0], [], [0, 2], [3]])
    assert waits == {1: [0], 3: [2], 4: [3]}
    assert signals == [0, 2, 3]


def test_a_traced_step_in_lanes_keeps_the_steps_order_with_overlapping_times(tmp_path):
    """--trace-out's clock readings come from the lanes: the ops and transfers are listed in
    the one-function step's order, and the two towers' products overlap in time."""
    spec = two_towers(tmp_path, n=512)
    results = {}
    for parallel in ("off", "on"):
        pipeline = Pipeline(spec, RunOptions(parallel=parallel, record_times=True, steps=2))
        results[parallel] = pipeline.run()
        assert results[parallel].error is None
    serial, parallel = results["off"], results["on"]
    for a, b in zip(serial.steps, parallel.steps):
        assert a.ops == b.ops
        assert [t.tensor for t in a.transfers] == [t.tensor for t in b.transfers]
        assert len(b.timing.ops) == len(b.ops) and len(b.timing.transfers) == len(b.transfers)

    def overlap(step) -> bool:   # each tower started before the other ended
        spans = {name: step.timing.ops[k] for k, (name, _) in enumerate(step.ops)}
        return spans["h0"][0] < spans["g1"][1] and spans["h1"][0] < spans["g0"][1]
    assert any(overlap(step) for step in parallel.steps)


def test_two_devices_failing_in_one_step_report_the_first_in_the_steps_order(tmp_path):
    """gpu:0's add comes first in the step's order and cpu:0's mul second; both fail on a
    3-element feed. The one-function step reports 'g'; the lanes must too, whichever thread
    fails first in time (found by an adversarial review: the lanes reported 'h')."""
    spec = tmp_path / "two.yaml"
    spec.write_text("""devices: [cpu:0, gpu:0]
nodes:
  - {name: x, op: placeholder, dtype: float32, shape: [null]}
  - {name: g, op: add, inputs: [x, [1.0, 2.0]], device: gpu:0}
  - {name: h, op: mul, inputs: [x, [3.0, 4.0]], device: cpu:0}
run: {fetch: [g, h], steps: 3}
""")
    errors = []
    for parallel in ("off", "on", "on", "on"):
        pipeline = Pipeline(str(spec), RunOptions(parallel=parallel, feeds={"x": [1.0, 2.0, 3.0]}))
        result = pipeline.run()
        if parallel == "on":
            assert any("def lane_" in p.source for p in pipeline.session._plans.values())
        errors.append((result.error.step, result.error.node, result.error.message))
    assert errors == [(1, "g", errors[0][2])] * 4
