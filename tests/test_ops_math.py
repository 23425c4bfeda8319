"""The math, reduction and scan ops of issue 18 against TF 2.21's own values.

Every expected value below is what TF printed for the same inputs: the row's op built
with tf.compat.v1 in graph mode on constants of the row's literals (tf.add_n,
tf.pow, tf.math.floordiv, tf.math.floormod, tf.math.squared_difference,
tf.math.divide_no_nan, tf.not_equal, tf.greater, ..., tf.math.argmax(output_type=),
tf.math.cumsum, tf.math.unsorted_segment_sum, tf.raw_ops.BatchMatMulV2) and run by a
Session with grappler off (scripts/tf_common.config). Rows compare bit for bit: dtype,
NaN, and the sign of zero.
"""

import numpy as np
import pytest
import yaml

from conftest import run_spec

CASES = [
    # the raw reductions (tf.raw_ops.Sum, ...): axes as a tensor input, TF's values
    ("{op: sum, inputs: [[[1.0, 2.0], [3.0, 4.0]], [0]]}", "float32", "[4.0, 6.0]"),
    ("{op: mean, inputs: [[[1, 2], [4, 5]], [0]]}", "int32", "[2, 3]"),
    ("{op: max, inputs: [[[1.0, 7.0], [3.0, 4.0]], [-1]], keepdims: true}", "float32", "[[7.0], [4.0]]"),
    ("{op: min, inputs: [[[1.0, 7.0], [3.0, 4.0]], [0, 1]]}", "float32", "1.0"),
    ("{op: prod, inputs: [[[1.0, 7.0], [3.0, 4.0]], [1]]}", "float32", "[7.0, 12.0]"),
    ("{op: all, inputs: [[[true, false], [true, true]], [1]]}", "bool", "[false, true]"),
    ("{op: any, inputs: [[[true, false], [false, false]], [1]]}", "bool", "[true, false]"),
    ("{op: add_n, inputs: [[1.5, -2.0], [3.25, 4.0], [0.5, 1.0]]}", "float32", "[5.25, 3.0]"),
    ("{op: pow, inputs: [[2, -3, 7, 0], [3, 3, 0, 0]]}", "int32", "[8, -27, 1, 1]"),
    ("{op: pow, inputs: [[2.0, 0.5, -8.0, 0.0], [0.5, -2.0, 1.0, -1.0]]}", "float32", "[1.4142135, 4.0, -8.0, .inf]"),
    ("{op: floordiv, inputs: [[7, -7, 7, -7, -2147483648], [2, 2, -2, -2, -1]]}", "int32",
     "[3, -4, -4, 3, -2147483648]"),
    # floor(x / y): 1 / 0.1 rounds to 10 in float32 (numpy's floor_divide says 9)
    ("{op: floordiv, inputs: [[7.0, -7.0, 1.0, -0.0, 1.0], [2.0, 2.0, 0.1, 3.0, 0.0]]}", "float32",
     "[3.0, -4.0, 10.0, -0.0, .inf]"),
    ("{op: floormod, inputs: [[7, -7, 7, -7, 0], [2, 2, -2, -2, 3]]}", "int32", "[1, 1, -1, -1, 0]"),
    # a zero keeps x's sign (numpy's remainder gives y's)
    ("{op: floormod, inputs: [[7.5, -7.5, -4.0, 4.0, 5.0], [2.0, 2.0, 2.0, -2.0, -.inf]]}", "float32",
     "[1.5, 0.5, -0.0, 0.0, -.inf]"),
    ("{op: squared_difference, inputs: [[1.5, -2.0, 3.0], [4.0, 2.0, 3.0]]}", "float32", "[6.25, 16.0, 0.0]"),
    ("{op: squared_difference, inputs: [[3, -100000], [5, 100000]]}", "int32", "[4, 1345294336]"),
    ("{op: divide_no_nan, inputs: [[1.0, .nan, 3.0, .inf], [0.0, 0.0, 2.0, -0.0]]}", "float32",
     "[0.0, 0.0, 1.5, 0.0]"),
    ("{op: not_equal, inputs: [[1.0, 2.0, .nan], [1.0, 3.0, .nan]]}", "bool", "[false, true, true]"),
    ("{op: greater, inputs: [[1, 2, 3], 2]}", "bool", "[false, false, true]"),
    ("{op: greater_equal, inputs: [[1.0, 2.0, .nan], 2.0]}", "bool", "[false, true, false]"),
    ("{op: less, inputs: [[1, 2, 3], 2]}", "bool", "[true, false, false]"),
    ("{op: less_equal, inputs: [[1.0, 2.0, .nan], 2.0]}", "bool", "[true, true, false]"),
    ("{op: logical_and, inputs: [[true, true, false, false], [true, false, true, false]]}", "bool",
     "[true, false, false, false]"),
    ("{op: logical_or, inputs: [[true, true, false, false], [true, false, true, false]]}", "bool",
     "[true, true, true, false]"),
    ("{op: logical_not, inputs: [[true, false]]}", "bool", "[false, true]"),
    # under 8 elements TF takes its scalar path: exactly 1 / sqrt(x), 1 / x
    ("{op: rsqrt, inputs: [[4.0, 2.0, 0.0, -0.0, -1.0, .inf, 3.0]]}", "float32",
     "[0.5, 0.70710677, .inf, -.inf, .nan, 0.0, 0.57735026]"),
    ("{op: reciprocal, inputs: [[4.0, 3.0, 0.0, -0.0, .inf, 7.0]]}", "float32",
     "[0.25, 0.33333334, .inf, -.inf, 0.0, 0.14285715]"),
    ("{op: floor, inputs: [[-0.5, 0.5, -0.0, 2.0, -2.5]]}", "float32", "[-1.0, 0.0, -0.0, 2.0, -3.0]"),
    ("{op: ceil, inputs: [[-0.5, 0.5, -0.0, 2.0, -2.5]]}", "float32", "[-0.0, 1.0, -0.0, 2.0, -2.0]"),
    ("{op: abs, inputs: [[-2147483648, -3, 0, 5]]}", "int32", "[-2147483648, 3, 0, 5]"),
    ("{op: abs, inputs: [[-0.0, -2.5, .nan]]}", "float32", "[0.0, 2.5, .nan]"),
    ("{op: sign, inputs: [[-2.0, -0.0, 0.0, 3.0, .nan, -.inf]]}", "float32", "[-1.0, 0.0, 0.0, 1.0, .nan, -1.0]"),
    ("{op: sign, inputs: [[-7, 0, 9]]}", "int32", "[-1, 0, 1]"),
    ("{op: reduce_prod, inputs: [[[1.5, 2.0], [3.0, -4.0]]], axis: 0}", "float32", "[4.5, -8.0]"),
    ("{op: reduce_prod, inputs: [[100000, 100000, 3]]}", "int32", "-64771072"),
    ("{op: reduce_min, inputs: [[[1.0, 2.0], [3.0, 0.5]]], axis: 1, keepdims: true}", "float32", "[[1.0], [0.5]]"),
    ("{op: reduce_min, inputs: [[1.0, .nan, 0.0]]}", "float32", ".nan"),
    ("{op: reduce_all, inputs: [[[true, false], [true, true]]], axis: 1}", "bool", "[false, true]"),
    ("{op: reduce_any, inputs: [[[true, false], [false, false]]], axis: 1}", "bool", "[true, false]"),
    ("{op: reduce_all, inputs: [[[true, true], [true, true]]]}", "bool", "true"),
    ("{op: argmax, inputs: [[[1.0, 5.0, 5.0], [7.0, 2.0, 1.0]]], axis: 1}", "int64", "[1, 0]"),
    ("{op: argmax, inputs: [[1.0, .nan, 3.0, .nan]]}", "int64", "2"),
    ("{op: argmax, inputs: [[.nan, .nan]]}", "int64", "0"),
    ("{op: argmax, inputs: [[false, true, true]], output_type: int32}", "int32", "1"),
    ("{op: argmin, inputs: [[[1.0, 5.0, 5.0], [7.0, 2.0, 1.0]]], axis: -2, output_type: int32}", "int32",
     "[0, 1, 1]"),
    ("{op: argmin, inputs: [[2, 1, 1, 3]]}", "int64", "1"),
    ("{op: cumsum, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], axis: 1}", "float32",
     "[[1.0, 3.0, 6.0], [4.0, 9.0, 15.0]]"),
    ("{op: cumsum, inputs: [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]], axis: 0, exclusive: true}", "float32",
     "[[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]"),
    ("{op: cumsum, inputs: [[1, 2, 3, 4]], exclusive: true, reverse: true}", "int32", "[9, 7, 4, 0]"),
    ("{op: cumsum, inputs: [[1.0, 2.0, 3.0]], reverse: true}", "float32", "[6.0, 5.0, 3.0]"),
    ("{op: unsorted_segment_sum, inputs: [[1.0, 2.0, 3.0, 4.0], [0, -1, 2, 0], 4]}", "float32",
     "[5.0, 0.0, 3.0, 0.0]"),
    ("{op: unsorted_segment_sum, inputs: [[[1, 2], [3, 4], [5, 6]], [1, 1, 0], 2]}", "int32", "[[5, 6], [4, 6]]"),
    ("{op: batch_matmul, inputs: [[[[1.0, 2.0]], [[3.0, 4.0]]], [[[1.0], [10.0]]]]}", "float32",
     "[[[21.0]], [[43.0]]]"),
    ("{op: batch_matmul, inputs: [[[[1.0, 2.0], [3.0, 4.0]]], [[[1.0, 0.0], [0.0, 2.0]]]], adj_x: true, "
     "adj_y: true}", "float32", "[[[1.0, 6.0], [2.0, 8.0]]]"),
]


def run_one(spec_file, entry: str, fetch: str = "out", steps: int = 1, nodes: str = ""):
    path = spec_file("nodes:\n" + nodes + "  - {name: out, " + entry[1:] + "\n"
                     f"run: {{fetch: [{fetch}], steps: {steps}}}\n")
    return run_spec(path)


def assert_bits(actual, expected) -> None:
    """Equal as TF's values are: dtype, shape, every bit (all NaNs alike)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    if expected.dtype.kind == "f":
        same = (actual == expected) & (np.signbit(actual) == np.signbit(expected))
        assert (same | (np.isnan(actual) & np.isnan(expected))).all(), f"{actual!r} != {expected!r}"
    else:
        assert (actual == expected).all(), f"{actual!r} != {expected!r}"


@pytest.mark.parametrize("entry,dtype,expected", CASES, ids=[c[0].split(",")[0][5:] for c in CASES])
def test_op_gives_tfs_values(spec_file, entry, dtype, expected):
    result = run_one(spec_file, entry)
    assert result.error is None
    assert_bits(np.asarray(result.steps[0].values["out"]), np.asarray(yaml.safe_load(expected), dtype=dtype))


def ulps(a, b) -> int:
    return int(np.max(np.abs(np.asarray(a).view(np.int32).astype(np.int64) - np.asarray(b).view(np.int32))))


# What TF printed for 8 float32 elements, one AVX packet: Eigen's approximations (rsqrt
# and rcp with a Newton step, its vectorized pow) are off by 1-2 ulps, and by how much
# depends on the CPU's rsqrt/rcp tables. idrun gives the correctly rounded 1 / sqrt(x),
# 1 / x, pow: within 3 ulps of TF (the module docstring of idrun/ops/math.py says so).
PACKET_X = [2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0]
PACKET_Y = [0.5, 1.5, -0.5, 2.5, 0.3, -1.7, 0.9, 1.1]
PACKETS = [
    ("rsqrt", [PACKET_X], [0.7071067, 0.57735026, 0.4472136, 0.37796447, 0.30151132, 0.27735007,
                           0.2425356, 0.22941571]),
    ("reciprocal", [PACKET_X], [0.49999997, 0.3333333, 0.19999999, 0.14285713, 0.090909086, 0.07692307,
                                0.058823526, 0.052631576]),
    ("pow", [PACKET_X, PACKET_Y], [1.4142135, 5.1961527, 0.4472136, 129.64182, 2.0531363, 0.012773098,
                                   12.80572, 25.505215]),
]


@pytest.mark.parametrize("op,inputs,tf_values", PACKETS, ids=[p[0] for p in PACKETS])
def test_vectorized_float32_ops_are_within_3_ulps_of_tf(spec_file, op, inputs, tf_values):
    result = run_one(spec_file, f"{{op: {op}, inputs: {inputs}}}")
    ours, theirs = result.steps[0].values["out"], np.float32(tf_values)
    assert 0 < ulps(ours, theirs) <= 3   # 0 would mean TF's packets changed: tighten the docs


def test_add_n_adds_in_tfs_order(spec_file):
    # 2**24 + 1 rounds back to 2**24: TF's AddN adds the first 11 % 8 = 3 inputs, then the
    # other 8 together (out += in3 + ... + in10), so TF printed 16777224 where a left fold
    # gives 16777216 (tf.add_n of these 11 tensors, grappler off)
    inputs = [[16777216.0]] + [[1.0]] * 10
    result = run_one(spec_file, f"{{op: add_n, inputs: {inputs}}}")
    assert result.steps[0].values["out"].tolist() == [16777224.0]
    result = run_one(spec_file, f"{{op: add_n, inputs: {[[16777216.0]] + [[1.0]] * 16}}}")
    assert result.steps[0].values["out"].tolist() == [16777224.0]  # 9 first, then 8 (TF: the same)


def test_float16_rsqrt_rounds_once_from_float32(spec_file):
    # tf.math.rsqrt on float16 [3, 5, 7, 0.1]: Eigen computes in float32 and rounds once
    result = run_one(spec_file, "{op: rsqrt, inputs: [x]}",
                     nodes="  - {name: x, op: const, value: [3.0, 5.0, 7.0, 0.1], dtype: float16}\n")
    expected = (np.float32(1) / np.sqrt(np.float16([3.0, 5.0, 7.0, 0.1]).astype(np.float32))).astype(np.float16)
    assert_bits(result.steps[0].values["out"], expected)


# What TF's kernels said (InvalidArgumentError), for the same inputs
RUN_ERRORS = [
    ("{op: floordiv, inputs: [[1, 2], [1, 0]]}", "Integer division by zero"),
    ("{op: floormod, inputs: [[1, 2], [1, 0]]}", "Integer division by zero"),
    ("{op: div, inputs: [[7, -7], [2, 0]]}", "Integer division by zero"),   # tf.compat.v1.div
    ("{op: pow, inputs: [[2, 1], [1, -1]]}", "Integers to negative integer powers are not allowed"),
    ("{op: unsorted_segment_sum, inputs: [[[1.0, 2.0], [3.0, 4.0]], [[0, 1], [2, 0]], 2]}",
     "segment_ids[1,0] = 2 is out of range [0, 2)"),
    ("{op: unsorted_segment_sum, inputs: [[1.0, 2.0], [0, 1], n]}", "Input num_segments == -1 must not be negative."),
    ("{op: argmax, inputs: [e]}", "Reduction axis 0 is empty in shape [0,3]"),
    ("{op: add_n, inputs: [[1.0, 2.0], p]}",
     "Inputs to operation AddN of type AddN must have the same size and shape.  Input 0: [2] != input 1: [1]"),
]
RUN_ERROR_NODES = """\
  - {name: n, op: placeholder, dtype: int32, shape: []}
  - {name: e, op: reshape, inputs: [[], [0, 3]]}
  - {name: p, op: placeholder, dtype: float32, shape: [null]}
"""


@pytest.mark.parametrize("entry,message", RUN_ERRORS, ids=[e[0].split(",")[0][5:] for e in RUN_ERRORS])
def test_run_errors_are_tfs(spec_file, entry, message):
    path = spec_file("nodes:\n" + RUN_ERROR_NODES + "  - {name: out, " + entry[1:] + "\n"
                     "run: {fetch: [out], feed: {n: -1, p: [1.0]}}\n")
    result = run_spec(path)
    assert type(result.error).__name__ == "StepError" and result.error.node == "out"
    assert message in result.error.message


def test_empty_reductions_give_tfs_identities(spec_file):
    # tf.reduce_min / reduce_max / reduce_prod of a float32 and an int32 tensor of shape [0, 2]
    result = run_spec(spec_file("""
    nodes:
      - {name: e, op: reshape, inputs: [[], [0, 2]]}
      - {name: ei, op: cast, inputs: [e], dtype: int32}
      - {name: a, op: reduce_min, inputs: [e]}
      - {name: b, op: reduce_max, inputs: [e], axis: 0}
      - {name: c, op: reduce_min, inputs: [ei], axis: 0}
      - {name: d, op: reduce_max, inputs: [ei]}
      - {name: p, op: reduce_prod, inputs: [e], axis: 0}
    run: {fetch: [a, b, c, d, p]}
    """))
    got = {k: v.tolist() for k, v in result.steps[0].values.items()}
    assert got == {"a": float("inf"), "b": [float("-inf")] * 2, "c": [2147483647] * 2, "d": -2147483648,
                   "p": [1.0, 1.0]}


# Build-time errors: TF's Python raised these (TypeError/ValueError) for the same inputs
BUILD_ERRORS = [
    ("{op: floor, inputs: [[1, 2]]}", "Value passed to parameter 'x' has DataType int32 not in list of allowed "
                                      "values: float16, float32, float64"),
    ("{op: logical_and, inputs: [[true], [1]]}",
     "Input 'y' of 'LogicalAnd' Op has type int32 that does not match expected type of bool"),
    ("{op: reduce_all, inputs: [[1.0]]}", "Input 'input' of 'All' Op has type float32 that does not match"),
    ("{op: add_n, inputs: [[[1.0, 2.0]], [[1.0], [2.0]]]}",
     "Dimension 0 in both shapes must be equal, but are 1 and 2. Shapes are [1,2] and [2,1]."),
    ("{op: add_n, inputs: [[1.0], [1]]}",
     "Tensors in list passed to 'inputs' of 'AddN' Op have types [float32, int32] that don't all match."),
    ("{op: batch_matmul, inputs: [[[[1.0, 2.0]]], [[[1.0, 2.0]]]]}", "Dimensions must be equal, but are 2 and 1"),
    ("{op: batch_matmul, inputs: [[1.0], [[1.0]]]}", "Shape must be at least rank 2 but is rank 1"),
    ("{op: argmax, inputs: [[[1.0]]], axis: 2}",
     "Dimension (2) must be in the range [-2, 2), where 2 is the number of dimensions in the input."),
    ("{op: cumsum, inputs: [[1.0]], axis: 1}", "ScanOp: Expected scan axis in the range [-1, 1), but got 1"),
    ("{op: unsorted_segment_sum, inputs: [[[1.0], [2.0]], [0, 1, 1], 2]}", "Dimensions must be equal, but are 2 and 3"),
    ("{op: unsorted_segment_sum, inputs: [[1.0], [0], -1]}",
     "Dimension size, given by scalar input 2, must be non-negative but is -1"),
    ("{op: squared_difference, inputs: [[true], [true]]}", "DataType bool not in list of allowed values"),
]


@pytest.mark.parametrize("entry,message", BUILD_ERRORS, ids=[e[0].split(",")[0][5:] for e in BUILD_ERRORS])
def test_build_errors_are_located_and_in_tfs_words(spec_file, entry, message):
    from idrun.errors import SpecError
    from idrun.spec import load_spec
    path = spec_file("nodes:\n  - {name: out, " + entry[1:] + "\n")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert message in err.value.message and err.value.loc.line == 2


def test_shapes_follow_tfs_rules(spec_file):
    from idrun.spec import load_spec
    path = spec_file("""
    nodes:
      - {name: a, op: placeholder, dtype: float32, shape: [2, null]}
      - {name: b, op: placeholder, dtype: float32, shape: [null, 3]}
      - {name: ids, op: placeholder, dtype: int32, shape: [null]}
      - {name: n, op: placeholder, dtype: int32, shape: []}
      - {name: x, op: placeholder, dtype: float32, shape: [2, 1, 3, 4]}
      - {name: y, op: placeholder, dtype: float32, shape: [5, 4, 6]}
      - {name: s, op: add_n, inputs: [a, b]}
      - {name: m, op: batch_matmul, inputs: [x, y]}
      - {name: u, op: unsorted_segment_sum, inputs: [b, ids, 7]}
      - {name: un, op: unsorted_segment_sum, inputs: [b, ids, n]}
      - {name: am, op: argmax, inputs: [x], axis: -1, output_type: int32}
      - {name: g, op: greater, inputs: [a, [1.0, 2.0, 3.0]]}
    """)
    out = {name: (node.outputs[0].dtype, node.outputs[0].shape)
           for name, node in load_spec(path).graph.nodes.items()}
    # tf.add_n, tf.matmul, tf.math.unsorted_segment_sum, tf.math.argmax, tf.greater on
    # placeholders of these shapes: TF's static shapes
    assert out["s"] == ("float32", (2, 3))
    assert out["m"] == ("float32", (2, 5, 3, 6))
    assert out["u"] == ("float32", (7, 3)) and out["un"] == ("float32", (None, 3))
    assert out["am"] == ("int32", (2, 1, 3))
    assert out["g"] == ("bool", (2, 3))


ALL_OPS_SPEC = """
nodes:
  - {name: x, op: placeholder, dtype: float32, shape: [2, 3]}
  - {name: i, op: const, value: [[7, -7, 3], [2, 9, -4]]}
  - {name: b, op: greater, inputs: [x, 1.0]}
  - {name: ge, op: greater_equal, inputs: [x, 2.0]}
  - {name: lt, op: less, inputs: [i, 3]}
  - {name: le, op: less_equal, inputs: [i, 3]}
  - {name: ne, op: not_equal, inputs: [i, 3]}
  - {name: land, op: logical_and, inputs: [b, ne]}
  - {name: lor, op: logical_or, inputs: [land, lt]}
  - {name: lnot, op: logical_not, inputs: [lor]}
  - {name: all, op: reduce_all, inputs: [lnot], axis: 1}
  - {name: any, op: reduce_any, inputs: [le]}
  - {name: s, op: add_n, inputs: [x, x, x]}
  - {name: p, op: pow, inputs: [i, 2]}
  - {name: fd, op: floordiv, inputs: [i, 2]}
  - {name: fm, op: floormod, inputs: [x, 1.25]}
  - {name: rs, op: rsqrt, inputs: [[4.0, 2.0]]}
  - {name: rc, op: reciprocal, inputs: [x]}
  - {name: sd, op: squared_difference, inputs: [x, s]}
  - {name: ab, op: abs, inputs: [i]}
  - {name: sg, op: sign, inputs: [x]}
  - {name: dn, op: divide_no_nan, inputs: [x, [0.0, 2.0, 4.0]]}
  - {name: fl, op: floor, inputs: [x]}
  - {name: ce, op: ceil, inputs: [x]}
  - {name: pr, op: reduce_prod, inputs: [x], axis: 0}
  - {name: mn, op: reduce_min, inputs: [i]}
  - {name: am, op: argmax, inputs: [x], axis: 1}
  - {name: an, op: argmin, inputs: [i], output_type: int32}
  - {name: cs, op: cumsum, inputs: [x], axis: 1, exclusive: true, reverse: true}
  - {name: us, op: unsorted_segment_sum, inputs: [x, [1, 0], 3]}
  - {name: bm, op: batch_matmul, inputs: [[[[1.0, 2.0], [3.0, 4.0]]], x]}
  - {name: bt, op: batch_matmul, inputs: [x, x], adj_y: true}
"""
ALL_OPS_FETCH = ["all", "any", "s", "p", "fd", "fm", "rs", "rc", "sd", "ab", "sg", "dn", "fl", "ce", "pr", "mn",
                 "am", "an", "cs", "us", "bm", "bt"]
ALL_OPS_FEED = {"x": [[1.5, -2.0, 3.0], [4.0, -0.5, 2.0]]}


def test_graphdef_export_imports_back_and_runs_in_tensorflow(spec_file, tmp_path):
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    import json
    import os
    import subprocess
    from pathlib import Path
    from conftest import ROOT
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    from idrun.tf.graphdef import export_graphdef, write_graphdef
    from idrun.tf.graphdef_import import import_graphdef
    from idrun.views.jsondoc import result_document
    path = spec_file(ALL_OPS_SPEC)
    opts = RunOptions(fetch=ALL_OPS_FETCH, feeds=ALL_OPS_FEED)
    ours = result_document(Pipeline(path, opts).run())["steps"][0]["values"]
    graph = tmp_path / "all.pbtxt"
    write_graphdef(export_graphdef(Pipeline(path)), str(graph))
    imported = tmp_path / "imported.yaml"
    import_graphdef(str(graph), str(imported))
    assert result_document(Pipeline(str(imported), opts).run())["steps"][0]["values"] == ours
    tf_python = Path(os.environ.get("IDRUN_TF_PYTHON", ROOT / ".venv-tf/bin/python"))
    if not tf_python.exists():
        pytest.skip("TensorFlow's venv (.venv-tf or IDRUN_TF_PYTHON) is absent")
    job = {"graph": str(graph), "fetch": [f"{n}:0" for n in ALL_OPS_FETCH], "init": "init", "steps": 1,
           "feeds": {"x:0": ALL_OPS_FEED["x"]}}
    (tmp_path / "jobs.json").write_text(json.dumps([job]))
    proc = subprocess.run([str(tf_python), str(ROOT / "scripts/tf_graphdef_batch.py"), str(tmp_path / "jobs.json")],
                          capture_output=True, text=True, timeout=300)
    doc = json.loads(proc.stdout.splitlines()[0])["doc"]
    assert {k[:-2]: v for k, v in doc["steps"][0]["values"].items()} == ours  # tensors of < 8: exact


def test_tf_python_export_calls(cli, spec_file):
    res = cli("export", spec_file(ALL_OPS_SPEC))
    assert res.exit_code == 0
    for call in ["tf.math.add_n([OUT(T['x'], 0), OUT(T['x'], 0), OUT(T['x'], 0)], name='s')",
                 "tf.math.argmax(OUT(T['x'], 0), axis=1, output_type=tf.int64, name='am')",
                 "tf.math.cumsum(OUT(T['x'], 0), axis=1, exclusive=True, reverse=True, name='cs')",
                 "tf.raw_ops.BatchMatMulV2(x=OUT(T['x'], 0), y=OUT(T['x'], 0), adj_x=False, adj_y=True, name='bt')",
                 "tf.reduce_all(OUT(T['lnot'], 0), axis=1, keepdims=False, name='all')"]:
        assert call in res.stdout


def test_import_keeps_an_argmax_of_a_computed_axis_opaque(spec_file, tmp_path):
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from conftest import opaque_entry
    from idrun.errors import IdrunError
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    from idrun.tf.graphdef_import import import_graphdef
    graph = tmp_path / "g.pbtxt"
    graph.write_text("""node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "a" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } } }
node { name: "m" op: "ArgMax" input: "x" input: "a"
  attr { key: "T" value { type: DT_FLOAT } } attr { key: "Tidx" value { type: DT_INT32 } }
  attr { key: "output_type" value { type: DT_INT64 } } }
""")
    spec = tmp_path / "g.yaml"
    assert "dimension is not a constant" in opaque_entry(import_graphdef(str(graph), str(spec)), "m")
    with pytest.raises(IdrunError) as err:   # only a run that needs it fails, naming it
        Pipeline(str(spec), RunOptions(fetch=["m"])).run()
    assert "ArgMax 'm'" in err.value.message


def test_compound_elementwise_kernels_write_into_reused_buffers(spec_file, tmp_path):
    # 20000 float32 (80 KB): the plan passes a dying input as `out=`; each kernel must read
    # its inputs before it writes (floor(x / y), (x - y)**2, 1 / sqrt(x), integer checks)
    rng = np.random.default_rng(0)
    a = rng.uniform(-50, 150, 20000).astype(np.float32)
    i = rng.integers(-1000, 1000, 20000).astype(np.int32)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "i.npy", i)
    path = spec_file(f"""
    nodes:
      - {{name: a, op: placeholder, dtype: float32, shape: [20000]}}
      - {{name: i, op: placeholder, dtype: int32, shape: [20000]}}
      - {{name: b, op: floordiv, inputs: [a, 3.0]}}
      - {{name: c, op: squared_difference, inputs: [b, a]}}
      - {{name: d, op: rsqrt, inputs: [c]}}
      - {{name: e, op: reciprocal, inputs: [d]}}
      - {{name: f, op: pow, inputs: [e, 0.5]}}
      - {{name: s, op: sign, inputs: [f]}}
      - {{name: ii, op: floordiv, inputs: [i, 7]}}
      - {{name: ij, op: pow, inputs: [ii, 2]}}
    run: {{fetch: [s, f, ij], feed: {{a: "@{tmp_path / 'a.npy'}", i: "@{tmp_path / 'i.npy'}"}}}}
    """)
    from conftest import plan_source
    assert "k_c(v_b, f_a_0, out=v_b)" in plan_source(path) and "out=v_ii" in plan_source(path)
    values = run_spec(path).steps[0].values
    with np.errstate(all="ignore"):
        f = np.power(np.float32(1) / (np.float32(1) / np.sqrt(np.square(np.floor(a / np.float32(3)) - a))),
                     np.float32(0.5))
    assert_bits(values["f"], f)
    assert_bits(values["s"], np.sign(f))
    assert_bits(values["ij"], np.floor_divide(i, 7) ** 2)


def test_batch_matmul_v1_and_v3_import_as_batch_matmul(tmp_path):
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from idrun.errors import SpecError
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    from idrun.tf.graphdef_import import import_graphdef
    const = ('node {{ name: "{0}" op: "Const" attr {{ key: "dtype" value {{ type: DT_FLOAT }} }} attr {{ key: "value" '
             'value {{ tensor {{ dtype: DT_FLOAT tensor_shape {{ dim {{ size: 1 }} dim {{ size: 2 }} dim {{ size: 2 }} }} '
             'float_val: 1 float_val: 2 float_val: 3 float_val: 4 }} }} }} }}\n')
    mm = ('node {{ name: "{0}" op: "{1}" input: "a" input: "a" {2} '
          'attr {{ key: "adj_x" value {{ b: true }} }} }}\n')
    v3 = 'attr { key: "Ta" value { type: DT_FLOAT } } attr { key: "Tb" value { type: DT_FLOAT } } ' \
         'attr { key: "Tout" value { type: DT_%s } }'
    graph = tmp_path / "g.pbtxt"
    graph.write_text(const.format("a") + mm.format("v1", "BatchMatMul", 'attr { key: "T" value { type: DT_FLOAT } }')
                     + mm.format("v3", "BatchMatMulV3", v3 % "FLOAT"))
    spec = tmp_path / "g.yaml"
    import_graphdef(str(graph), str(spec))
    values = Pipeline(str(spec), RunOptions(fetch=["v1", "v3"])).run().steps[0].values
    assert values["v1"].tolist() == values["v3"].tolist() == [[[10.0, 14.0], [14.0, 20.0]]]  # a^T a
    graph.write_text(const.format("a") + mm.format("v3", "BatchMatMulV3", v3 % "DOUBLE"))
    from conftest import opaque_entry
    assert "BatchMatMulV3 of mixed types" in opaque_entry(import_graphdef(str(graph), None), "v3")


def test_raw_sum_over_computed_axes(spec_file):
    """TF's gradient graphs sum over axes they compute (BroadcastGradientArgs): the axes are
    known only when the step runs, and so is the output's shape."""
    from conftest import run_spec
    path = spec_file("""
    nodes:
      - {name: x, op: placeholder, dtype: float32, shape: [null, 3]}
      - {name: r, op: rank, inputs: [x]}
      - {name: axes, op: range, inputs: [0, r, 1]}
      - {name: all, op: sum, inputs: [x, axes]}
      - {name: kept, op: sum, inputs: [x, axes], keepdims: true}
      - {name: two, op: add, inputs: [r, 0]}
      - {name: bad, op: sum, inputs: [x, two]}
    run: {fetch: [all, kept], feed: {x: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}}
    """)
    from idrun.spec import load_spec
    nodes = load_spec(path).graph.nodes
    assert nodes["all"].outputs[0].shape is None and nodes["kept"].outputs[0].shape == (None, None)
    values = run_spec(path).steps[0].values
    assert float(values["all"]) == 21.0 and values["kept"].tolist() == [[21.0]]
    failed = run_spec(path, fetch=["bad"])
    assert "Invalid reduction dimension (2 for input with 2 dimension(s)" in failed.error.message
