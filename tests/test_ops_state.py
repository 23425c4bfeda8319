"""The variable updates TF1 programs run: the optimizers' apply_* kernels, scatter_*,
is_variable_initialized, assert with its data, control_trigger. Expected values are TF
2.21's (CPU), from the TF calls named at each table; float32 results are compared bit for
bit except where a test says why not."""

import numpy as np
import pytest

from conftest import run_spec, values
from idrun.analysis import check_pipeline
from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions

W16 = [0.1 * k - 0.7 for k in range(16)]
G16 = [0.05 * ((k * 7) % 11) - 0.2 for k in range(16)]

# op, {variable: initial value} (the variable first, then its slots), the other inputs in
# TF's order, attributes, and what TF gave: per step, the variable and slots after the update.
# TF: tf.raw_ops.<Op>(var, ..., **attrs) on ref variables and tf.raw_ops.Resource<Op> on
# resource variables (the same numbers), identities of each variable under a control
# dependency on the update, three Session.run calls.
APPLY = {
    "gd": ("apply_gradient_descent", {"var": [1.0, -2.0, 0.5]}, [0.1, [0.5, -1.0, 0.3]], {},
           [[[0.95, -1.9, 0.47]], [[0.9, -1.8, 0.44]], [[0.84999996, -1.6999999, 0.41]]]),
    "momentum": ("apply_momentum", {"var": [1.0, -2.0], "accum": [0.1, 0.2]}, [0.05, [0.3, -0.7], 0.9], {},
                 [[[0.9805, -1.974], [0.39000002, -0.52]], [[0.94795, -1.9156], [0.651, -1.168]],
                  [[0.903655, -1.8280399], [0.8859, -1.7512]]]),
    "nesterov": ("apply_momentum", {"var": [1.0, -2.0], "accum": [0.1, 0.2]}, [0.05, [0.3, -0.7], 0.9],
                 {"use_nesterov": True},
                 [[[0.96745, -1.9416], [0.39000002, -0.52]], [[0.923155, -1.8540399], [0.651, -1.168]],
                  [[0.86828953, -1.7402359], [0.8859, -1.7512]]]),
    # 8 elements: one whole AVX packet, TF's vectorized path
    "adam": ("apply_adam", {"var": W16[:8], "m": [0.0] * 8, "v": [0.0] * 8},
             [0.9, 0.999, 0.01, 0.9, 0.999, 1e-8, G16[:8]], {},
             [[[-0.69, -0.61, -0.49000007, -0.41, -0.30999997, -0.19000003, -0.109999985, -0.009999936],
               [-0.020000005, 0.015000004, -0.0050000013, 0.030000009, 0.010000003, -0.010000003, 0.025000006,
                0.0050000013],
               [3.9999486e-05, 2.2499711e-05, 2.4999679e-06, 8.9998844e-05, 9.9998715e-06, 9.9998715e-06,
                6.2499195e-05, 2.4999679e-06]],
              [[-0.6765616, -0.62343836, -0.47656175, -0.42343837, -0.32343835, -0.17656167, -0.12343836,
                -0.023438264],
               [-0.03800001, 0.02850001, -0.0095000025, 0.05700002, 0.019000005, -0.019000005, 0.04750001,
                0.0095000025],
               [7.9958976e-05, 4.497692e-05, 4.997436e-06, 0.00017990769, 1.9989744e-05, 1.9989744e-05,
                0.00012493589, 4.997436e-06]],
              [[-0.66090757, -0.6390924, -0.4609078, -0.43909237, -0.33909234, -0.16090769, -0.13909236,
                -0.039092228],
               [-0.054200016, 0.04065001, -0.013550004, 0.08130002, 0.027100008, -0.027100008, 0.067750014,
                0.013550004],
               [0.0001198785, 6.7431654e-05, 7.4924064e-06, 0.00026972662, 2.9969626e-05, 2.9969626e-05,
                0.00018731016, 7.4924064e-06]]]),
    "adam_nesterov": ("apply_adam", {"var": [1.0, -2.0], "m": [0.0, 0.0], "v": [0.0, 0.0]},
                      [0.81, 0.998, 0.01, 0.9, 0.999, 1e-8, [0.3, -0.7]], {"use_nesterov": True},
                      [[[0.9858579, -1.9858578], [0.030000009, -0.070000015], [8.9998844e-05, 0.00048999366]],
                       [[0.9715912, -1.9715911], [0.05700002, -0.13300003], [0.00017990769, 0.0009794973]],
                       [[0.95680517, -1.9568051], [0.08130002, -0.18970004], [0.00026972662, 0.0014685115]]]),
    "rmsprop": ("apply_rms_prop", {"var": [1.0, -2.0], "ms": [1.0, 1.0], "mom": [0.0, 0.0]},
                [0.01, 0.9, 0.5, 1e-10, [0.1, -0.2]], {},
                [[[0.9989465, -1.9978964], [0.90099996, 0.904], [0.0010535076, -0.002103516]],
                 [[0.9973099, -1.9946328], [0.81189996, 0.81759995], [0.001636564, -0.0032636279]],
                 [[0.9953226, -1.9906758], [0.73170996, 0.7398399], [0.001987325, -0.0039570183]]]),
    "adagrad": ("apply_adagrad", {"var": [1.0, -2.0], "accum": [0.1, 0.1]}, [0.1, [0.3, -0.7]], {},
                [[[0.9311753, -1.9088677], [0.19, 0.59]], [[0.8744806, -1.8415102], [0.28, 1.0799999]],
                 [[0.8251609, -1.785644], [0.37, 1.5699999]]]),
    "adagrad_fixed": ("apply_adagrad", {"var": [1.0, -2.0], "accum": [0.1, 0.1]}, [0.1, [0.3, -0.7]],
                      {"update_slots": False},
                      [[[0.9051317, -1.7786405], [0.1, 0.1]], [[0.8102634, -1.557281], [0.1, 0.1]],
                       [[0.7153951, -1.3359215], [0.1, 0.1]]]),
    "adagrad_v2": ("apply_adagrad_v2", {"var": [1.0, -2.0], "accum": [0.1, 0.1]}, [0.1, 1e-7, [0.3, -0.7]], {},
                   [[[0.9311753, -1.9088678], [0.19, 0.59]], [[0.8744806, -1.8415103], [0.28, 1.0799999]],
                    [[0.8251609, -1.7856442], [0.37, 1.5699999]]]),
}

# TF: tf.raw_ops.ApplyAdagrad on 16 elements (two AVX packets): TF's packet rsqrt is an
# estimate refined by one Newton step, not 1/sqrt, so idrun (1/sqrt, as TF's scalar path)
# can differ from it by an ulp or two.
ADAGRAD16 = [[[-0.64654773, -0.6428572, -0.48438263, -0.46882474, -0.33015114, -0.16984886, -0.16201738,
               -0.015617378, 0.14285715, 0.14654775, 0.3, 0.45345226, 0.45714286, 0.6156174, 0.6311753, 0.7698489],
              [0.14, 0.1225, 0.1025, 0.19, 0.11, 0.11, 0.1625, 0.1025, 0.1225, 0.14, 0.1, 0.14, 0.1225, 0.1025,
               0.19, 0.11]],
             [[-0.59940726, -0.6822491, -0.4689523, -0.52551943, -0.35901865, -0.14098135, -0.21472201,
               -0.031047715, 0.18224907, 0.0994073, 0.3, 0.5005927, 0.41775092, 0.6310477, 0.5744806, 0.74098134],
              [0.18, 0.14500001, 0.105, 0.28, 0.12, 0.12, 0.225, 0.105, 0.14500001, 0.18, 0.1, 0.18, 0.14500001,
               0.105, 0.28, 0.12]],
             [[-0.5567671, -0.71889997, -0.45370245, -0.5748391, -0.38675368, -0.11324634, -0.26134723,
               -0.046297573, 0.2188999, 0.056767154, 0.3, 0.54323286, 0.3811001, 0.6462976, 0.5251609, 0.71324635],
              [0.22000001, 0.16750002, 0.107499994, 0.37, 0.13, 0.13, 0.2875, 0.107499994, 0.16750002,
               0.22000001, 0.1, 0.22000001, 0.16750002, 0.107499994, 0.37, 0.13]]]


def _apply_spec(mode, op, variables, args, attrs, steps=3):
    lines = [f"variables: {mode}", "nodes:"]
    lines += [f"  - {{name: {name}, op: variable, value: {value!r}}}" for name, value in variables.items()]
    extra = "".join(f", {k}: {str(v).lower()}" for k, v in attrs.items())
    lines.append(f"  - {{name: u, op: {op}, inputs: {list(variables) + args!r}{extra}}}".replace("'", ""))
    lines += [f"  - {{name: r_{name}, op: read, inputs: [{name}], control_inputs: [u]}}" for name in variables]
    lines.append(f"run: {{fetch: [{', '.join('r_' + n for n in variables)}], steps: {steps}}}")
    return "\n".join(lines) + "\n"


def _error(path, **feeds) -> str:
    """The message of the step error a run with these feeds ends in."""
    result = run_spec(path, feeds=feeds)
    assert result.error is not None and not result.steps
    return result.error.message


def _steps(result, variables):
    per_name = [values(result, f"r_{n}") for n in variables]
    return [[v[s] for v in per_name] for s in range(len(per_name[0]))]


@pytest.mark.parametrize("mode", ["ref", "resource"])
@pytest.mark.parametrize("case", sorted(APPLY))
def test_apply_ops_match_tf_bit_for_bit(spec_file, mode, case):
    op, variables, args, attrs, expected = APPLY[case]
    result = run_spec(spec_file(_apply_spec(mode, op, variables, args, attrs)))
    ours = np.asarray(_steps(result, variables), np.float32)
    assert ours.tobytes() == np.asarray(expected, np.float32).tobytes()


@pytest.mark.parametrize("mode", ["ref", "resource"])
def test_adagrad_on_whole_packets_is_within_two_ulp_of_tf(spec_file, mode):
    variables = {"var": W16, "accum": [0.1] * 16}
    result = run_spec(spec_file(_apply_spec(mode, "apply_adagrad", variables, [0.1, G16], {})))
    ours = np.asarray(_steps(result, variables), np.float32)
    np.testing.assert_array_max_ulp(ours, np.asarray(ADAGRAD16, np.float32), maxulp=2)
    assert np.array_equal(ours[:, 1], np.asarray(ADAGRAD16, np.float32)[:, 1])  # accum: exact


@pytest.mark.parametrize("entry,message", [
    ("{name: u, op: apply_gradient_descent, inputs: [w, [0.1], [1.0, 1.0]]}",
     "Shape must be rank 0 but is rank 1 for 'alpha'"),
    ("{name: u, op: apply_gradient_descent, inputs: [w, 0.1, [1.0, 1.0, 1.0]]}",
     "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3]."),
    ("{name: u, op: apply_momentum, inputs: [w, w, 0.1, [[1.0, 1.0]], 0.9]}",
     "Shapes must be equal rank, but are 1 and 2"),
    ("{name: u, op: apply_gradient_descent, inputs: [w, 0.1, d]}",  # d: an int32 const
     "Input 'delta' of 'ApplyGradientDescent' Op has type int32 that does not match type float32"),
    ("{name: u, op: apply_gradient_descent, inputs: [[1.0, 2.0], 0.1, [1.0, 1.0]]}",
     "must name a variable"),
])
def test_apply_shape_and_type_errors_use_tf_words(spec_file, entry, message):
    path = spec_file("nodes:\n  - {name: w, op: variable, value: [1.0, 2.0]}\n"
                     f"  - {{name: d, op: const, value: [1, 1]}}\n  - {entry}\n")
    with pytest.raises(SpecError) as err:
        run_spec(path)
    assert message in err.value.message


@pytest.mark.parametrize("mode", ["ref", "resource"])
def test_apply_checks_fed_shapes_as_tf_kernel(spec_file, mode):
    # TF (both modes): "var and delta do not have the same shape[2] [3]", "alpha is not a scalar: [1]"
    path = spec_file(f"""
    variables: {mode}
    nodes:
      - {{name: w, op: variable, value: [1.0, 2.0]}}
      - {{name: lr, op: placeholder, dtype: float32}}
      - {{name: g, op: placeholder, dtype: float32}}
      - {{name: u, op: apply_gradient_descent, inputs: [w, lr, g]}}
    run: {{targets: [u]}}
    """)
    assert _error(path, lr=0.1, g=[1.0, 1.0, 1.0]) == "var and delta do not have the same shape[2] [3]"
    assert _error(path, lr=[0.1], g=[1.0, 1.0]) == "alpha is not a scalar: [1]"


def test_an_apply_is_a_write_for_check(spec_file):
    path = spec_file("""
    nodes:
      - {name: w, op: variable, value: [1.0, 2.0]}
      - {name: y, op: mul, inputs: [w, 2.0]}
      - {name: u, op: apply_gradient_descent, inputs: [w, 0.1, [1.0, 1.0]]}
    run: {fetch: [y], targets: [u]}
    """)
    ds = check_pipeline(Pipeline(path, RunOptions()))
    assert [d.code for d in ds] == ["unordered-read-write"]


# ---- scatter_* ----------------------------------------------------------------------
# TF: tf.compat.v1.scatter_add/sub/update on [[1, 2], [3, 4], [5, 6]] (ref and resource
# variables alike), one step each
SCATTER = [
    ("scatter_add", "[0, 0, 2]", "[[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]", [[4.0, 5.0], [3.0, 4.0], [8.0, 9.0]]),
    ("scatter_add", "[0, 2]", "10.0", [[11.0, 12.0], [3.0, 4.0], [15.0, 16.0]]),
    ("scatter_update", "[0, 0]", "[[7.0, 7.0], [8.0, 8.0]]", [[8.0, 8.0], [3.0, 4.0], [5.0, 6.0]]),
    ("scatter_sub", "[[0], [1]]", "[[[1.0, 1.0]], [[2.0, 2.0]]]", [[0.0, 1.0], [1.0, 2.0], [5.0, 6.0]]),
]


@pytest.mark.parametrize("mode", ["ref", "resource"])
@pytest.mark.parametrize("op,indices,updates,expected", SCATTER)
def test_scatter_ops_match_tf(spec_file, mode, op, indices, updates, expected):
    path = spec_file(f"""
    variables: {mode}
    nodes:
      - {{name: t, op: variable, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}}
      - {{name: s, op: {op}, inputs: [t, {indices}, {updates}]}}
      - {{name: r, op: read, inputs: [t], control_inputs: [s]}}
    run: {{fetch: [r]}}
    """)
    assert values(run_spec(path), "r") == [expected]


@pytest.mark.parametrize("mode", ["ref", "resource"])
def test_scatter_errors_are_tfs(spec_file, mode):
    path = spec_file(f"""
    variables: {mode}
    nodes:
      - {{name: t, op: variable, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}}
      - {{name: i, op: placeholder, dtype: int32}}
      - {{name: p, op: placeholder, dtype: float32}}
      - {{name: s, op: scatter_add, inputs: [t, i, p]}}
      - {{name: r, op: read, inputs: [t], control_inputs: [s]}}
    run: {{fetch: [r]}}
    """)
    # TF: "indices[1,0] = 7 is not in [0, 3)"; "Must have updates.shape = ..."
    assert _error(path, i=[[0, 1], [7, 1]], p=np.ones((2, 2, 2)).tolist()) == "indices[1,0] = 7 is not in [0, 3)"
    assert _error(path, i=[0, -1], p=[[1.0, 1.0], [2.0, 2.0]]) == "indices[1] = -1 is not in [0, 3)"
    assert _error(path, i=[0, 1], p=[1.0, 1.0, 1.0]) == (
        "Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], got "
        "updates.shape [3], indices.shape [2], params.shape [3,2]")
    assert values(run_spec(path, feeds={"i": [0], "p": [[1.0, 1.0]]}), "r") == [[[2.0, 3.0], [3.0, 4.0], [5.0, 6.0]]]


def test_scatter_static_shape_error(spec_file):
    path = spec_file("""
    nodes:
      - {name: t, op: variable, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}
      - {name: s, op: scatter_add, inputs: [t, [0, 1], [1.0, 2.0]]}
    """)
    with pytest.raises(SpecError, match="Shapes must be equal rank, but are 1 and 2"):
        run_spec(path)


def test_resource_scatter_leaves_an_earlier_read_alone_and_ref_scatter_shows_in_a_view(spec_file):
    text = """
    variables: {mode}
    nodes:
      - {{name: t, op: variable, value: [1.0, 2.0]}}
      - {{name: before, op: identity, inputs: [t]}}
      - {{name: s, op: scatter_add, inputs: [t, [0], [5.0]], control_inputs: [before]}}
    run: {{fetch: [before], targets: [s]}}
    """
    assert values(run_spec(spec_file(text.format(mode="resource"))), "before") == [[1.0, 2.0]]
    assert values(run_spec(spec_file(text.format(mode="ref"), "ref.yaml")), "before") == [[6.0, 2.0]]


# ---- is_variable_initialized, assert, control_trigger ---------------------------------
@pytest.mark.parametrize("mode", ["ref", "resource"])
def test_is_variable_initialized_and_a_passing_assert(spec_file, mode):
    path = spec_file(f"""
    variables: {mode}
    nodes:
      - {{name: x, op: variable, value: [1, 2, 3]}}
      - {{name: ready, op: is_variable_initialized, inputs: [x]}}
      - {{name: msg, op: const, value: "not ready:"}}
      - {{name: check, op: assert, inputs: [ready, msg, x]}}
      - {{name: t, op: control_trigger}}
      - {{name: out, op: identity, inputs: [ready], control_inputs: [check, t]}}
    run: {{fetch: [out], steps: 3}}
    """)
    assert values(run_spec(path), "out") == [True, True, True]


def test_failing_assert_says_what_tf_says(spec_file):
    # TF: tf.raw_ops.Assert(condition=False, data=["x =", [[1, 2], [3, 4]], [0.1, 1/3]], summarize=3)
    # fails with "assertion failed: [x =] [[1 2][3...]...] [0.1 0.333333343]"
    path = spec_file("""
    nodes:
      - {name: c, op: placeholder, dtype: bool, shape: []}
      - {name: msg, op: const, value: "x ="}
      - {name: check, op: assert, inputs: [c, msg, [[1, 2], [3, 4]], [0.1, 0.33333334]]}
    run: {targets: [check]}
    """)
    assert _error(path, c=False) == "assertion failed: [x =] [[1 2][3...]...] [0.1 0.333333343]"
    assert run_spec(path, feeds={"c": True}).error is None
    vector = spec_file("nodes:\n  - {name: check, op: assert, inputs: [[true], 1]}\nrun: {targets: [check]}\n",
                       "vec.yaml")
    assert _error(vector) == "In[0] should be a scalar: [1]"  # TF refuses rank 1 too


def test_assert_condition_must_be_bool(spec_file):
    path = spec_file("nodes:\n  - {name: check, op: assert, inputs: [1.0, 2]}\n")
    with pytest.raises(SpecError, match="Input 'condition' of 'Assert' Op has type float32 that does not "
                                        "match expected type of bool"):
        run_spec(path)


def test_print_and_assert_equal_format_as_tf(spec_file, capsys):
    # TF: tf1.Print(x, [x], message="P: ") on [[1.5, 2.0], [0.1, 4.0]] logs "P: [[1.5 2][0.1...]...]"
    path = spec_file("nodes:\n  - {name: p, op: print, inputs: [[[1.5, 2.0], [0.1, 4.0]]], message: 'P: '}\n"
                     "run: {fetch: [p]}\n")
    run_spec(path)
    assert capsys.readouterr().err == "P: [[1.5 2][0.1...]...]\n"


# ---- GraphDef: export and import back ---------------------------------------------------
@pytest.mark.parametrize("mode", ["ref", "resource"])
def test_updates_round_trip_through_a_graphdef(spec_file, tmp_path, mode):
    pytest.importorskip("tensorboard")
    from idrun.tf.graphdef import export_graphdef, write_graphdef
    from idrun.tf.graphdef_import import import_graphdef
    op, variables, args, attrs, expected = APPLY["adam_nesterov"]
    text = _apply_spec(mode, op, variables, args, attrs).replace("\nrun:", """
  - {name: t, op: variable, value: [[1.0, 2.0], [3.0, 4.0]]}
  - {name: s, op: scatter_sub, inputs: [t, [1], [[0.5, 0.5]]], control_inputs: [u]}
  - {name: ready, op: is_variable_initialized, inputs: [t]}
  - {name: msg, op: const, value: "t:"}
  - {name: check, op: assert, inputs: [ready, msg, [1, 2]], summarize: 1}
  - {name: r_t, op: read, inputs: [t], control_inputs: [s, check]}
run:""").replace("fetch: [", "fetch: [r_t, ")
    gd = export_graphdef(Pipeline(spec_file(text)))
    types = {n.op for n in gd.node}
    prefix = "Resource" if mode == "resource" else ""
    assert {f"{prefix}ApplyAdam", f"{prefix}ScatterSub", "Assert"} <= types
    assert ("VarIsInitializedOp" if mode == "resource" else "IsVariableInitialized") in types
    adam = next(n for n in gd.node if n.op.endswith("ApplyAdam"))
    assert adam.attr["use_nesterov"].b and list(adam.attr["_class"].list.s) == [b"loc:@var"]
    write_graphdef(gd, str(tmp_path / "g.pbtxt"))
    import_graphdef(str(tmp_path / "g.pbtxt"), str(tmp_path / "back.yaml"))
    fetch = ["r_t"] + [f"r_{n}" for n in variables]
    result = Pipeline(str(tmp_path / "back.yaml"), RunOptions(fetch=fetch, steps=3)).run()
    assert np.asarray(_steps(result, variables), np.float32).tobytes() == np.asarray(expected, np.float32).tobytes()
    assert values(result, "r_t")[-1] == [[1.0, 2.0], [1.5, 2.5]]


# the kernels these tests run (tests/test_registry.py)
KERNEL_TESTS = {
    **{APPLY[c][0]: test_apply_ops_match_tf_bit_for_bit for c in APPLY},
    "scatter_add": test_scatter_ops_match_tf, "scatter_sub": test_scatter_ops_match_tf,
    "scatter_update": test_scatter_ops_match_tf,
    "is_variable_initialized": test_is_variable_initialized_and_a_passing_assert,
    "assert": test_failing_assert_says_what_tf_says,
    "control_trigger": test_is_variable_initialized_and_a_passing_assert,
}
