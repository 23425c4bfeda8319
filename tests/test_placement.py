"""Placement as TF's placer does it (F3-F10), simulated GPUs, and --require-gpu."""

import pytest

from conftest import run_spec, values
from idrun.compile.placement import place
from idrun.spec import load_spec


def placed(spec_file, text, mode="resource", soft=False):
    spec = load_spec(spec_file(text), mode)
    return place(spec.graph, spec.devices, soft)


def test_resource_reads_and_assigns_follow_the_variable_f4(spec_file):
    p = placed(spec_file, """
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: x, op: variable, value: 0.0, device: cpu:0}
      - device: cpu:1
        nodes:
          - {name: inc, op: assign_add, inputs: [x, 1.0]}
          - {name: r, op: read, inputs: [x]}
          - {name: m, op: mul, inputs: [x, 2.0]}
    """)
    assert p.device["inc"] == p.device["r"] == p.device["m/ReadVariableOp"] == "cpu:0"
    assert p.device["m"] == "cpu:1"
    assert p.reason["inc"] == "colocated with variable x"


def test_unplaced_variable_takes_a_members_device(spec_file):
    p = placed(spec_file, """
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: inc, op: assign_add, inputs: [x, 1.0], device: cpu:1}
    """)
    assert p.device["x"] == p.device["inc"] == "cpu:1"


def test_generators_follow_consumers_f6(spec_file):
    p = placed(spec_file, """
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: k1, op: const, value: 1.0}
      - {name: k3, op: const, value: 1.0}
      - {name: k4, op: const, value: 1.0}
      - device: cpu:1
        nodes:
          - {name: a, op: identity, inputs: [k1]}
          - {name: b, op: identity, inputs: [k3]}
          - {name: c, op: no_op, control_inputs: [k4]}
      - {name: d, op: identity, inputs: [k3], device: cpu:0}
      - {name: k5, op: const, value: 1.0, device: cpu:1}
      - {name: e, op: identity, inputs: [k5], device: cpu:0}
    """)
    assert p.device["k1"] == "cpu:1" and p.reason["k1"] == "follows consumer a"
    assert p.device["k3"] == "cpu:0"      # consumers on both devices: default
    assert p.device["k4"] == "cpu:1"      # a control consumer counts
    assert p.device["k5"] == "cpu:1"      # only unplaced generators move


def test_shape_follows_its_input_f7(spec_file):
    p = placed(spec_file, """
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: a, op: const, value: [1.0, 2.0], device: cpu:1}
      - {name: s, op: shape, inputs: [a]}
    """)
    assert p.device["s"] == "cpu:1"


@pytest.mark.parametrize("consumers,expected", [
    ([], "cpu:0"),                      # out-edge to the sink, which requests nothing
    (["cpu:1"], "cpu:1"),               # same requested device in and out
    (["cpu:1", "cpu:1"], "cpu:0"),      # two out-edges
])
def test_identity_heuristic_f8(spec_file, consumers, expected):
    lines = ["devices: [cpu:0, cpu:1]", "nodes:",
             "  - {name: src, op: const, value: 1.0, device: cpu:1}",
             "  - {name: i, op: identity, inputs: [src]}"]
    for n, dev in enumerate(consumers):
        lines.append(f"  - {{name: c{n}, op: neg, inputs: [i], device: {dev}}}")
    p = placed(spec_file, "\n".join(lines) + "\n")
    assert p.device["i"] == expected


def test_placement_sees_the_whole_graph_f9(spec_file):
    base = """
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: k, op: const, value: 1.0}
      - {name: a, op: neg, inputs: [k], device: cpu:1}
    """
    assert placed(spec_file, base).device["k"] == "cpu:1"
    with_unfetched = base.rstrip(" ") + "      - {name: b, op: neg, inputs: [k], device: cpu:0}\n"
    result = run_spec(spec_file(with_unfetched, "g2.yaml"), fetch=["a"])
    assert result.placement["k"] == "cpu:0"
    assert [len(s.transfers) for s in result.steps] == [2]


def test_missing_device_fails_whole_graph_f10(cli, spec_file):
    path = spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: ok, op: const, value: 1.0}
      - {name: bad, op: const, value: 2.0, device: cpu:5}
    run: {fetch: [ok]}
    """)
    res = cli("run", path)
    assert res.exit_code == 2
    assert ("error: Cannot assign a device for operation bad: {{node bad}} was explicitly assigned "
            "to cpu:5 but available devices are [ cpu:0, cpu:1 ]") in res.stderr
    res = cli("run", path, "--soft-placement", "--format", "plain")
    assert res.exit_code == 0 and res.stdout == "ok: 1\ntransfers_per_step: 0\n"
    assert "warning: device 'cpu:5' does not exist" in res.stderr


def test_tf_device_strings_are_normalized(spec_file):
    p = placed(spec_file, """
    nodes:
      - {name: a, op: const, value: 1.0, device: /device:CPU:1}
      - {name: b, op: neg, inputs: [a], device: /job:localhost/replica:0/task:0/device:CPU:1}
      - {name: c, op: neg, inputs: [a], device: "/cpu:*"}
    """)
    assert p.devices == ["cpu:0", "cpu:1"]
    assert p.device["b"] == "cpu:1" and p.device["c"] == "cpu:0"


def test_log_placement_prints_reasons(cli, spec_file):
    path = spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: x, op: variable, value: 0.0, device: cpu:1}
      - {name: y, op: identity, inputs: [x]}
    run: {fetch: [y]}
    """)
    res = cli("run", path, "--log-placement", "--format", "plain")
    assert "x: (variable): cpu:1  [explicit]" in res.stderr
    assert "y/ReadVariableOp: (read): cpu:1  [colocated with variable x]" in res.stderr
    assert "y: (identity): cpu:1  [follows input y/ReadVariableOp]" in res.stderr


GPU_GRAPH = """
devices: [cpu:0, gpu:0]
nodes:
  - {name: w, op: variable, value: [[1.0, 2.0], [3.0, 4.0]], device: gpu:0}
  - {name: x, op: placeholder, dtype: float32, shape: [1, 2]}
  - {name: y, op: matmul, inputs: [x, w], device: gpu:0}
  - {name: inc, op: assign_add, inputs: [w, [[1.0, 1.0], [1.0, 1.0]]], control_inputs: [y]}
  - {name: z, op: identity, inputs: [y], control_inputs: [inc]}
run: {fetch: [z], feed: {x: [[1.0, 1.0]]}, steps: 2}
"""


def test_simulated_gpu_values_and_transfers(spec_file, monkeypatch):
    import idrun.devices as devices
    monkeypatch.setattr(devices, "cuda_available", lambda: False)
    result = run_spec(spec_file(GPU_GRAPH))
    assert result.devices == {"cpu:0": "numpy", "gpu:0": "simulated"}
    assert values(result, "z") == [[[4.0, 6.0]], [[6.0, 8.0]]]
    kinds = [(t.kind, t.src, t.dst, t.bytes) for t in result.steps[0].transfers]
    assert ("feed", "cpu:0", "gpu:0", 8) in kinds
    assert result.placement["z"] == "gpu:0"     # default device prefers gpu:0
    assert len(result.steps[0].transfers) == 2  # x in, z out


def test_require_gpu_fails_without_one(cli, spec_file, monkeypatch):
    import idrun.devices as devices
    monkeypatch.setattr(devices, "cuda_available", lambda: False)
    res = cli("run", spec_file(GPU_GRAPH), "--require-gpu")
    assert res.exit_code == 2
    assert "--require-gpu: no CUDA GPU was found" in res.stderr


@pytest.mark.gpu
def test_cuda_gpu_runs_the_same_graph(spec_file):
    pytest.importorskip("cupy")
    import idrun.devices as devices
    if not devices.cuda_available():
        pytest.skip("no CUDA device")
    result = run_spec(spec_file(GPU_GRAPH))
    assert result.devices["gpu:0"] == "cupy"
    assert values(result, "z") == [[[4.0, 6.0]], [[6.0, 8.0]]]


def test_feeds_are_rewritten_before_placement_fetches_are_not(spec_file):
    # probed in TF: an identity of a fed placeholder no longer follows it (its input is
    # the client's _arg); a fetched identity still follows its input
    text = """
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: ph, op: placeholder, dtype: float32, shape: [2], device: cpu:1}
      - {name: n7, op: identity, inputs: [ph]}
      - {name: n9, op: identity, inputs: [n7], device: cpu:1}
      - {name: src, op: const, value: [1.0, 2.0], device: cpu:1}
      - {name: i2, op: identity, inputs: [src]}
      - {name: out2, op: identity, inputs: [i2], device: cpu:1}
    run: {fetch: [n9, i2], feed: {ph: [1.0, 2.0]}}
    """
    result = run_spec(spec_file(text))
    assert result.placement["n7"] == "cpu:0"
    assert result.placement["i2"] == "cpu:1"


def test_group_noop_goes_where_its_members_variable_is(spec_file):
    p = placed(spec_file, """
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: v, op: variable, value: 1.0, device: cpu:1}
      - {name: a, op: assign_add, inputs: [v, 1.0]}
      - {name: b, op: assign_sub, inputs: [v, 1.0]}
      - {name: g, op: group, inputs: [a, b]}
    """)
    assert p.device["g"] == "cpu:1"      # TF groups by the _UnreadVariable's device
