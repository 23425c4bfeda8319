"""Run semantics (SPEC 4): pruning, once per step, feeds, failures, ref views, schedules."""

import numpy as np
import pytest

from conftest import run_spec, values


def test_unfetched_op_never_runs(spec_file):
    path = spec_file("""
    nodes:
      - {name: c1, op: variable, value: 0.0}
      - {name: c2, op: variable, value: 0.0}
      - {name: inc1, op: assign_add, inputs: [c1, 1.0]}
      - {name: inc2, op: assign_add, inputs: [c2, 1.0]}
      - {name: b, op: identity, inputs: [c1], control_inputs: [inc1]}
    run: {fetch: [b, c2], steps: 3}
    """)
    result = run_spec(path)
    assert values(result, "b") == [1.0, 2.0, 3.0]
    assert values(result, "c2") == [0.0, 0.0, 0.0]   # inc2's side effect is absent


def test_each_node_runs_once_per_step(spec_file):
    path = spec_file("""
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: inc, op: assign_add, inputs: [x, 1.0]}
      - control_dependencies: [inc]
        nodes:
          - {name: y1, op: identity, inputs: [x]}
          - {name: y2, op: identity, inputs: [x]}
      - {name: z, op: add, inputs: [y1, y2]}
    run: {fetch: [z, inc, inc, y1], steps: 3}
    """)
    result = run_spec(path)
    assert values(result, "z") == [2.0, 4.0, 6.0]
    assert values(result, "inc") == [1.0, 2.0, 3.0]   # fetching an assign: value after it (B4)


def test_split_outputs_by_index(spec_file):
    path = spec_file("""
    nodes:
      - {name: a, op: const, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}
      - {name: sp, op: split, inputs: [a], num_or_size_splits: 3}
      - {name: un, op: unstack, inputs: [a]}
    run: {fetch: ["sp:1", "un:2"]}
    """)
    result = run_spec(path)
    assert values(result, "sp:1") == [[[3.0, 4.0]]]
    assert values(result, "un:2") == [[5.0, 6.0]]


def test_feed_literal_and_npy(spec_file, tmp_path, cli):
    path = spec_file("""
    nodes:
      - {name: ph, op: placeholder, dtype: float32, shape: [2]}
      - {name: y, op: mul, inputs: [ph, 2.0]}
    run: {fetch: [y], feed: {ph: [1, 2]}}
    """)
    assert values(run_spec(path), "y") == [[2.0, 4.0]]
    np.save(tmp_path / "v.npy", np.array([3.0, 4.0], dtype=np.float64))
    res = cli("run", path, "--feed", f"ph=@{tmp_path / 'v.npy'}", "--format", "plain")
    assert res.stdout == "y: [6, 8]\n"
    res = cli("run", path, "--feed", "ph=[1, 2, 3]")
    assert res.exit_code == 2
    assert "Cannot feed value of shape (3,) for Tensor ph:0, which has shape (2,)" in res.stderr


def test_any_tensor_can_be_fed_and_fetched(spec_file, cli):
    path = spec_file("""
    nodes:
      - {name: k, op: const, value: 1.0}
      - {name: z, op: add, inputs: [k, 1.0]}
    run: {fetch: [z, k]}
    """)
    res = cli("run", path, "--feed", "k=10", "--format", "plain")
    assert res.stdout == "z: 11\nk: 10\n"


def test_unfed_placeholder_is_a_step_failure(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: ph, op: placeholder, dtype: float32, shape: [2]}
      - {name: y, op: identity, inputs: [ph]}
    run: {fetch: [y]}
    """)
    res = cli("run", path)
    assert res.exit_code == 1
    assert ("error: step 1: node 'ph': You must feed a value for placeholder tensor 'ph' "
            "with dtype float and shape [2]") in res.stderr


def test_failed_assert_keeps_completed_steps(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: x, op: variable, value: 0}
      - {name: inc, op: assign_add, inputs: [x, 1]}
      - {name: check, op: assert_equal, inputs: [inc, [1, 2]], message: too far}
      - {name: y, op: identity, inputs: [inc], control_inputs: [check]}
    run: {fetch: [y], steps: 5}
    """)
    res = cli("run", path, "--format", "plain")
    assert res.exit_code == 1
    assert res.stdout == ""            # no step completed: no empty value lines
    err = res.stderr.splitlines()[0]
    assert err.startswith(f"{path}:5:5: error: step 1: node 'check': assertion failed: [too far] "
                          "[Condition x == y did not hold element-wise:] [x (check/ReadVariableOp:0) = ] [1] "
                          "[y (check/y:0) = ] [1 2]")


def test_failure_reports_step_node_location_in_json(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: x, op: variable, value: 0}
      - {name: inc, op: assign_add, inputs: [x, 1]}
      - {name: check, op: assert_equal, inputs: [inc, 1], message: only once}
      - {name: y, op: identity, inputs: [inc], control_inputs: [check]}
    run: {fetch: [y], steps: 3}
    """)
    res = cli("run", path, "--format", "json")
    doc = res.json()
    assert res.exit_code == 1
    assert [s["values"]["y"] for s in doc["steps"]] == [1]
    assert doc["error"]["step"] == 2 and doc["error"]["node"] == "check"
    assert doc["error"]["location"] == f"{path}:5:5"
    assert "[only once]" in doc["error"]["message"]


def test_uninitialized_read_fails_in_tf_words(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: y, op: identity, inputs: [x]}
    run: {fetch: [y], init: false}
    """)
    res = cli("run", path)
    assert res.exit_code == 1
    assert "node 'y/ReadVariableOp': Could not find variable x." in res.stderr
    res = cli("run", path, "--variables", "ref")
    assert "node 'x/read': Attempting to use uninitialized value x" in res.stderr


def test_runtime_shape_mismatch_is_a_step_error(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: ph, op: placeholder, dtype: float32, shape: null}
      - {name: y, op: add, inputs: [ph, [1.0, 2.0]]}
    run: {fetch: [y], feed: {ph: [1.0, 2.0, 3.0]}}
    """)
    res = cli("run", path)
    assert res.exit_code == 1
    assert "node 'y':" in res.stderr and "broadcast" in res.stderr


READ_BEFORE_ASSIGN = """
nodes:
  - {name: x, op: variable, value: 0.0}
  - {name: r, op: READER, inputs: [x]}
  - {name: inc, op: assign_add, inputs: [x, 10.0], control_inputs: [r]}
run: {fetch: [r, inc], steps: 3}
"""


@pytest.mark.parametrize("mode,reader,expected", [
    ("resource", "read", [0.0, 10.0, 20.0]),       # a resource read is a snapshot
    ("resource", "identity", [0.0, 10.0, 20.0]),   # an identity reads through one of its own
    ("ref", "read", [10.0, 20.0, 30.0]),           # an explicit read of a ref is a view (C6)
    ("ref", "identity", [10.0, 20.0, 30.0]),       # so is an identity of the shared x/read
])
def test_snapshot_vs_view(spec_file, mode, reader, expected):
    path = spec_file(READ_BEFORE_ASSIGN.replace("READER", reader))
    assert values(run_spec(path, mode), "r") == expected


def test_expect_mismatch_exits_1(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: a, op: const, value: 2.0}
    run: {fetch: [a], steps: 2}
    expect: {a: [2.0, 3.0]}
    """)
    res = cli("run", path, "--format", "plain")
    assert res.exit_code == 1
    assert "expect mismatch: a: step 2: expected 3.0, got 2.0" in res.stderr
    assert cli("run", path, "--no-expect").exit_code == 0


def _respects_edges(graph, ops):
    pos = {n: i for i, (n, _) in enumerate(ops)}
    for name in pos:
        node = graph.nodes[name]
        for dep in [r.node for r in node.inputs] + list(node.control_inputs):
            if dep in pos and pos[dep] > pos[name]:
                return False
    return True


def test_random_schedules_respect_data_and_control_edges(spec_file):
    from idrun.spec import load_spec
    body = ["nodes:", "  - {name: x, op: variable, value: 0.0}"]
    for i in range(12):
        body.append(f"  - {{name: a{i}, op: assign_add, inputs: [x, 1.0]}}")
        body.append(f"  - {{name: r{i}, op: mul, inputs: [x, {i}.0], control_inputs: [a{i}]}}")
    body.append("  - {name: s, op: no_op}")
    path = spec_file("\n".join(body) + "\n")
    graph = load_spec(path).graph
    orders = set()
    for seed in range(20):
        result = run_spec(path, fetch=[f"r{i}" for i in range(12)], steps=2, schedule="random",
                          seed=seed, record_ops=True)
        for step in result.steps:
            assert _respects_edges(graph, step.ops)
            orders.add(tuple(n for n, _ in step.ops))
    assert len(orders) > 10      # the orders really differ


def test_declaration_order_is_deterministic(spec_file):
    path = spec_file("""
    nodes:
      - {name: a, op: const, value: 1.0}
      - {name: p, op: identity, inputs: [a]}
      - {name: q, op: identity, inputs: [a]}
      - {name: s, op: add, inputs: [q, p]}
    run: {fetch: [s]}
    """)
    ops = [run_spec(path, record_ops=True).steps[0].ops for _ in range(3)]
    assert ops[0] == ops[1] == ops[2]
    assert [n for n, _ in ops[0]] == ["p", "q", "s"]


def test_implicit_constant_carries_the_block_edge_under_any_schedule(spec_file):
    # p03 3c: inc2's literal is created in the block, so it (not inc2) gets ^before,
    # and inc2 still runs after before: 0, 10, 20 whatever the schedule
    path = spec_file("""
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: before, op: read, inputs: [x]}
      - control_dependencies: [before]
        nodes: [{name: inc2, op: assign_add, inputs: [x, 10.0]}]
    run: {fetch: [before], targets: [inc2], steps: 3}
    """)
    for seed in range(10):
        assert values(run_spec(path, schedule="random", seed=seed), "before") == [0.0, 10.0, 20.0]


def test_fetching_an_uninitialized_ref_variable_is_tfs_error(spec_file):
    """Before: `w: None, None`, exit 0. TF: FailedPreconditionError, 'Attempting to use
    uninitialized value w'."""
    from conftest import run_spec
    path = spec_file("""
    variables: ref
    nodes:
      - {name: w, op: variable, value: 1.0}
    run: {init: false, fetch: [w], steps: 2}
    """)
    result = run_spec(path)
    assert result.steps == [] and result.error.node == "w"
    assert result.error.message == "Attempting to use uninitialized value w"
