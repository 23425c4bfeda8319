"""Each op's kernel and inference, run through a real step."""

import pytest

from conftest import run_spec, values

CASES = [
    ("{op: add, inputs: [[1.0, 2.0], 1.0]}", [2.0, 3.0]),
    ("{op: sub, inputs: [[1.0, 2.0], 1.0]}", [0.0, 1.0]),
    ("{op: mul, inputs: [[1.0, 2.0], 3.0]}", [3.0, 6.0]),
    ("{op: div, inputs: [[1.0, 3.0], 2.0]}", [0.5, 1.5]),
    ("{op: div, inputs: [[7, -7], 2]}", [3, -4]),               # floor division for ints
    ("{op: neg, inputs: [[1.0, -2.0]]}", [-1.0, 2.0]),
    ("{op: square, inputs: [[3.0]]}", [9.0]),
    ("{op: sqrt, inputs: [[9.0]]}", [3.0]),
    ("{op: exp, inputs: [[0.0, 1.0]]}", [1.0, pytest.approx(2.7182817)]),
    ("{op: log, inputs: [[1.0, 4.0]]}", [0.0, pytest.approx(1.3862944)]),
    ("{op: maximum, inputs: [[1.0, 5.0], 2.0]}", [2.0, 5.0]),
    ("{op: minimum, inputs: [[1.0, 5.0], 2.0]}", [1.0, 2.0]),
    ("{op: equal, inputs: [[1, 2], 2]}", [False, True]),
    ("{op: relu, inputs: [[-1.0, 2.0]]}", [0.0, 2.0]),
    ("{op: sigmoid, inputs: [[0.0, 2.0]]}", [0.5, pytest.approx(0.8807971)]),
    ("{op: tanh, inputs: [[0.5, -2.0]]}", [pytest.approx(0.46211716), pytest.approx(-0.9640276)]),
    ("{op: matmul, inputs: [[[1.0, 2.0]], [[3.0], [4.0]]]}", [[11.0]]),
    ("{op: matmul, inputs: [[[1.0, 2.0]], [[3.0, 4.0]]], transpose_b: true}", [[11.0]]),
    ("{op: reduce_sum, inputs: [[[1.0, 2.0], [3.0, 4.0]]], axis: 0}", [4.0, 6.0]),
    ("{op: reduce_mean, inputs: [[[1.0, 2.0], [3.0, 4.0]]]}", 2.5),
    ("{op: reduce_max, inputs: [[[1.0, 2.0], [3.0, 4.0]]], axis: 1, keepdims: true}", [[2.0], [4.0]]),
    ("{op: reshape, inputs: [[1.0, 2.0, 3.0, 4.0], [2, -1]]}", [[1.0, 2.0], [3.0, 4.0]]),
    ("{op: concat, inputs: [[1.0], [2.0, 3.0]], axis: 0}", [1.0, 2.0, 3.0]),
    ("{op: stack, inputs: [[1.0], [2.0]], axis: 1}", [[1.0, 2.0]]),
    ("{op: shape, inputs: [[[1.0, 2.0, 3.0]]]}", [1, 3]),
    ("{op: cast, inputs: [[1.7, -1.7]], dtype: int32}", [1, -1]),
    ("{op: identity, inputs: [[1.0]]}", [1.0]),
    ("{op: print, inputs: [[1, 2]], message: 'P: '}", [1, 2]),
    ("{op: cond, inputs: [false, [1.0, 2.0], [3.0, 4.0]], then_outputs: [0], else_outputs: [1]}", [3.0, 4.0]),
]


@pytest.mark.parametrize("entry,expected", CASES, ids=[c[0].split(",")[0][5:] for c in CASES])
def test_op_kernel(spec_file, entry, expected):
    path = spec_file("nodes:\n  - {name: out, " + entry[1:] + "\nrun: {fetch: [out]}\n")
    assert values(run_spec(path), "out") == [expected]


@pytest.mark.parametrize("mode", ["resource", "ref"])
@pytest.mark.parametrize("op,expected", [
    ("assign", [[3.0, 4.0], [3.0, 4.0]]),
    ("assign_add", [[4.0, 6.0], [7.0, 10.0]]),
    ("assign_sub", [[-2.0, -2.0], [-5.0, -6.0]]),
])
def test_variable_update_kernels_and_read(spec_file, mode, op, expected):
    path = spec_file(f"""
    variables: {mode}
    nodes:
      - {{name: v, op: variable, value: [1.0, 2.0]}}
      - {{name: u, op: {op}, inputs: [v, [3.0, 4.0]]}}
      - {{name: r, op: read, inputs: [v], control_inputs: [u]}}
    run: {{fetch: [r], steps: 2}}
    """)
    assert values(run_spec(path), "r") == expected


def test_split_with_sizes_and_unstack_axis(spec_file):
    path = spec_file("""
    nodes:
      - {name: a, op: const, value: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}
      - {name: sp, op: split, inputs: [a], num_or_size_splits: [1, 2], axis: 1}
      - {name: un, op: unstack, inputs: [a], axis: 1}
    run: {fetch: ["sp:1", "un:2"]}
    """)
    result = run_spec(path)
    assert values(result, "sp:1") == [[[2.0, 3.0], [5.0, 6.0]]]
    assert values(result, "un:2") == [[3.0, 6.0]]


def test_print_logs_tf_style(spec_file, capsys):
    path = spec_file("nodes:\n  - {name: p, op: print, inputs: [[1, 2, 3, 4]], message: 'P: '}\n"
                     "run: {fetch: [p]}\n")
    run_spec(path)
    assert capsys.readouterr().err == "P: [1 2 3...]\n"


def test_passing_assert_lets_the_anchored_value_through(spec_file):
    path = spec_file("""
    nodes:
      - {name: ph, op: placeholder, dtype: float32, shape: [2, 3]}
      - {name: s, op: shape, inputs: [ph]}
      - {name: ok, op: assert_equal, inputs: [s, [2, 3]], message: bad shape}
      - {name: checked, op: identity, inputs: [ph], control_inputs: [ok]}
    run: {fetch: [checked], feed: {ph: [[1, 2, 3], [4, 5, 6]]}}
    """)
    assert values(run_spec(path), "checked") == [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]
