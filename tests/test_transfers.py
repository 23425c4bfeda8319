"""Transfers per step match TF's partitioner with graph optimizations off (G1-G10)."""

import pytest

from conftest import run_spec, values


def transfers(result, step=0):
    return [(t.kind, t.tensor, t.src, t.dst) for t in result.steps[step].transfers]


def count(result):
    return [len(s.transfers) for s in result.steps]


SEED = """
devices: [cpu:0, cpu:1]
nodes:
  - {{name: x, op: variable, value: 0.0, device: "{xdev}"}}
  - {{name: x_plus_1, op: assign_add, inputs: [x, 1.0]}}
  - control_dependencies: [x_plus_1]
    nodes:
      - {{{y}}}
run: {{fetch: [y], steps: 3}}
"""
IDENTITY_ON_1 = "name: y, op: identity, inputs: [x], device: cpu:1"
IDENTITY_UNPLACED = "name: y, op: identity, inputs: [x]"
ALIAS = "name: y, alias: x"


@pytest.mark.parametrize("mode,xdev,y,vals,per_step", [   # G10, row by row
    ("resource", "cpu:0", ALIAS, [0.0] * 3, 0),
    ("resource", "cpu:0", IDENTITY_ON_1, [1.0, 2.0, 3.0], 2),
    ("ref", "cpu:0", ALIAS, [0.0] * 3, 0),
    ("ref", "cpu:0", IDENTITY_ON_1, [1.0, 2.0, 3.0], 3),
    ("resource", "cpu:1", ALIAS, [0.0] * 3, 1),
    ("resource", "cpu:1", IDENTITY_UNPLACED, [1.0, 2.0, 3.0], 1),
    ("ref", "cpu:1", ALIAS, [0.0] * 3, 1),
    ("ref", "cpu:1", IDENTITY_UNPLACED, [1.0, 2.0, 3.0], 2),
])
def test_seed_graph_transfers_g10(spec_file, mode, xdev, y, vals, per_step):
    result = run_spec(spec_file(SEED.format(xdev=xdev, y=y)), mode)
    assert values(result, "y") == vals
    assert count(result) == [per_step] * 3


def test_g10_resource_identity_on_cpu1_names_the_read(spec_file):
    result = run_spec(spec_file(SEED.format(xdev="cpu:0", y=IDENTITY_ON_1)))
    assert transfers(result) == [("edge", "y/ReadVariableOp:0", "cpu:0", "cpu:1"),
                                 ("fetch", "y:0", "cpu:1", "cpu:0")]


def test_g10_ref_identity_sends_control_separately(spec_file):
    result = run_spec(spec_file(SEED.format(xdev="cpu:0", y=IDENTITY_ON_1)), "ref")
    kinds = sorted(t[0] for t in transfers(result))
    assert kinds == ["control", "edge", "fetch"]
    assert [t.bytes for t in result.steps[0].transfers if t.kind == "control"] == [0]


G9 = """
devices: [cpu:0, cpu:1]
nodes:
  - {{name: x, op: variable, value: [1.0, 2.0], device: cpu:0}}
  - device: cpu:1
    nodes:
      {reader}
      - {{name: a, op: add, inputs: [{src}, 1.0]}}
      - {{name: b, op: mul, inputs: [{src}, 2.0]}}
      - {{name: c, op: sub, inputs: [{src}, 1.0]}}
      - {{name: ab, op: add, inputs: [a, b]}}
      - {{name: s, op: add, inputs: [ab, c]}}
run: {{fetch: [s]}}
"""


def _g9(spec_file, mode, with_identity):
    reader = "- {name: xi, op: identity, inputs: [x]}" if with_identity else ""
    text = G9.format(reader=reader, src="xi" if with_identity else "x")
    return run_spec(spec_file(text), mode)


@pytest.mark.parametrize("mode,with_identity,expected", [
    ("resource", False, 4), ("resource", True, 2), ("ref", False, 2)])
def test_remote_variable_reads_g9(spec_file, mode, with_identity, expected):
    result = _g9(spec_file, mode, with_identity)
    assert values(result, "s") == [[4.0, 8.0]]
    assert count(result) == [expected]


def test_data_transfer_shared_by_consumers_and_fetch_g2_g5(spec_file):
    # 5A: 3 consumers on cpu:1 share one transfer; 5B: consumer on cpu:0 + fetched twice = 1
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: k, op: const, value: [1.0, 2.0], device: cpu:1}
      - {name: mul, op: mul, inputs: [k, 1.0], device: cpu:1}
      - {name: r, op: add, inputs: [mul, 1.0], device: cpu:0}
    run: {fetch: [mul, r, mul]}
    """))
    assert count(result) == [1]
    assert transfers(result) == [("edge", "mul:0", "cpu:1", "cpu:0")]


def test_distinct_fetched_tensors_cost_distinct_transfers_g5(spec_file):
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - device: cpu:1
        nodes:
          - {name: mul, op: mul, inputs: [[1.0, 2.0], 2.0]}
          - {name: b, op: identity, inputs: [mul]}
    run: {fetch: [b, mul]}
    """))
    assert count(result) == [2]


def test_one_transfer_per_output_slot_e4(spec_file):
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: sp, op: split, inputs: [[1.0, 2.0, 3.0]], num_or_size_splits: 3, device: cpu:0}
      - device: cpu:1
        nodes:
          - {name: p, op: add, inputs: [sp, "sp:0"]}
          - {name: q, op: add, inputs: [p, "sp:2"]}
    run: {fetch: [q]}
    """))
    assert values(result, "q") == [[5.0]]
    assert count(result) == [3]


def test_control_edges_are_separate_and_deduplicated_g3(spec_file):
    # 5D: assign on cpu:0 -> 2 identities on cpu:1 by control only: 1 control + result
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: v, op: variable, value: 0.0, device: cpu:0}
      - {name: inc, op: assign_add, inputs: [v, 1.0]}
      - device: cpu:1
        nodes:
          - {name: k, op: const, value: 5.0}
          - {name: mul, op: mul, inputs: [k, 2.0]}
          - {name: y1, op: identity, inputs: [mul], control_inputs: [inc]}
          - {name: y2, op: identity, inputs: [mul], control_inputs: [inc]}
          - {name: s_on1, op: add, inputs: [y1, y2]}
      - {name: r, op: identity, inputs: [s_on1], device: cpu:0}
    run: {fetch: [r]}
    """))
    assert values(result, "r") == [20.0]
    assert sorted(t[0] for t in transfers(result)) == ["control", "edge"]


def test_data_and_control_from_one_op_are_two_transfers_g3(spec_file):
    # 5K: mul feeds y by data and z by control, both on cpu:1: 2 + result = 3
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: mul, op: mul, inputs: [[1.0, 2.0], 2.0], device: cpu:0}
      - device: cpu:1
        nodes:
          - {name: y, op: identity, inputs: [mul]}
          - {name: z, op: add, inputs: [y, 1.0], control_inputs: [mul]}
    run: {fetch: [z]}
    """))
    assert count(result) == [3]


def test_ref_edges_are_not_shared_g4(spec_file):
    # p13 3: a ref assign's output (float32_ref) read by two ops on cpu:0 and fetched:
    # edge_5_a, edge_7_a, edge_15_a, one transfer per edge, nothing shared
    text = """
    variables: ref
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: v, op: variable, value: [1.0, 2.0], device: cpu:1}
      - {name: a, op: assign_add, inputs: [v, [1.0, 1.0]], device: cpu:1}
      - device: cpu:0
        nodes:
          - {name: c1, op: mul, inputs: [a, 2.0]}
          - {name: c2, op: add, inputs: [a, 1.0]}
    run: {fetch: [c1, c2, a], steps: 2}
    """
    result = run_spec(spec_file(text))
    assert values(result, "c1") == [[4.0, 6.0], [6.0, 8.0]]
    assert values(result, "a") == [[2.0, 3.0], [3.0, 4.0]]
    assert count(result) == [3, 3]
    assert [t[1] for t in transfers(result)] == ["a:0"] * 3
    resource = run_spec(spec_file(text.replace("variables: ref", "variables: resource"), "r.yaml"))
    # resource: each use of the `_UnreadVariable` reads anew on cpu:1 (c1/ReadVariableOp, ...)
    assert count(resource) == [3, 3]
    assert values(resource, "c1") == [[4.0, 6.0], [6.0, 8.0]]
    assert sorted(t[1] for t in transfers(resource)) == [
        "ReadVariableOp:0", "c1/ReadVariableOp:0", "c2/ReadVariableOp:0"]


def test_feeds_enter_at_cpu0_g6(spec_file):
    # 5F: placeholder under cpu:1 with 2 consumers there: 1 feed + 2 results = 3
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - device: cpu:1
        nodes:
          - {name: ph, op: placeholder, dtype: float32, shape: [2]}
          - {name: a, op: add, inputs: [ph, 1.0]}
          - {name: b, op: mul, inputs: [ph, 3.0]}
    run: {fetch: [a, b, ph], feed: {ph: [1.0, 2.0]}}
    """))
    kinds = sorted(t[0] for t in transfers(result))
    assert kinds == ["feed", "fetch", "fetch"]
    assert values(result, "ph") == [[1.0, 2.0]]


def test_targets_cost_nothing_and_group_sends_one_control_g7(spec_file):
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: a, op: variable, value: 0.0, device: cpu:0}
      - {name: b, op: variable, value: 0.0, device: cpu:1}
      - {name: ia, op: assign_add, inputs: [a, 1.0]}
      - {name: ib, op: assign_add, inputs: [b, 1.0]}
      - {name: both, op: group, inputs: [ia, ib]}
    run: {targets: [both], steps: 2}
    """))
    assert count(result) == [1, 1]
    assert transfers(result)[0][0] == "control"


@pytest.mark.parametrize("elements,consumers_on,expected", [
    (2, ["cpu:0", "cpu:1"], 1),     # 5M: replicated, only b's result crosses
    (16, ["cpu:0", "cpu:1"], 1),
    (17, ["cpu:0", "cpu:1"], 2),    # too big: k is sent
    (2, ["cpu:1", "cpu:1"], 2),     # 5L: all consumers on one remote device: sent, + s
])
def test_small_constants_are_replicated_g8(spec_file, elements, consumers_on, expected):
    value = ", ".join(["1.0"] * elements)
    result = run_spec(spec_file(f"""
    devices: [cpu:0, cpu:1]
    nodes:
      - {{name: k, op: const, value: [{value}], device: cpu:0}}
      - {{name: a, op: identity, inputs: [k], device: {consumers_on[0]}}}
      - {{name: b, op: identity, inputs: [k], device: {consumers_on[1]}}}
      - {{name: s, op: add, inputs: [a, b], device: cpu:1}}
    run: {{fetch: [{"s" if consumers_on[0] == "cpu:1" else "a, b"}]}}
    """))
    assert count(result) == [expected]


def test_replicated_constant_keeps_its_control_input_on_each_copy(spec_file):
    # conformance seed 2179: k6 has ^n5 and consumers on both devices; the cpu:1 copy
    # still waits for n5, so one control transfer crosses
    result = run_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: n5, op: no_op, device: cpu:0}
      - control_dependencies: [n5]
        nodes: [{name: k6, op: const, value: [2.0, 0.5]}]
      - {name: n7, op: identity, inputs: [k6], device: cpu:1}
      - {name: n8, op: identity, inputs: [k6], device: cpu:0}
    run: {fetch: [n7, n8]}
    """))
    assert sorted(t[0] for t in transfers(result)) == ["control", "fetch"]


def test_split_pieces_do_not_alias_a_ref_variable(spec_file):
    result = run_spec(spec_file("""
    variables: ref
    nodes:
      - {name: v, op: variable, value: [1.0, 2.0]}
      - {name: sp, op: split, inputs: [v], num_or_size_splits: 2}
      - {name: inc, op: assign_add, inputs: [v, [10.0, 10.0]], control_inputs: [sp]}
    run: {fetch: ["sp:1"], targets: [inc]}
    """))
    assert values(result, "sp:1") == [[2.0]]     # TF copies unaligned split pieces
