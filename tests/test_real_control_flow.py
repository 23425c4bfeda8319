"""Control flow as TF's own library puts it into real TF1 programs, imported and run.

The programs are scripts/graphdef_cases/real_control_flow.py (control flow v1, fixtures
tests/fixtures/graphdefs/realcf1_*) and real_control_flow_v2.py (the same programs with TF 2's
default control flow v2, tests/fixtures/graphdefs_v2/realcf2_*). The values hard-coded here are
what TF 2.21 printed for them: `Session.run(fetch, feed_dict=...)` per step, as
`scripts/make_graphdef_fixtures.py realcf1_NAME realcf2_NAME` runs them; both forms gave the
same numbers. Floats of the training programs are compared to 1e-6 relative (TF's reductions
and its fused ops sum in another order than numpy); integers, flips and branches exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy
import pytest
from click.testing import CliRunner

from idrun.cli import main
from idrun.errors import IdrunError
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions
from idrun.tf.graphdef_import import import_graphdef
from idrun.views.jsondoc import result_document

ROOT = Path(__file__).resolve().parent.parent
FORMS = {"v1": (ROOT / "tests" / "fixtures" / "graphdefs", "realcf1_"),
         "v2": (ROOT / "tests" / "fixtures" / "graphdefs_v2", "realcf2_"),
         # TF 1.x's defaults (as under disable_v2_behavior): v1 control flow, ref variables
         "v1ref": (ROOT / "tests" / "fixtures" / "graphdefs", "realcf1ref_")}


def _record(form: str, program: str) -> tuple[Path, dict]:
    folder, prefix = FORMS[form]
    path = folder / f"{prefix}{program}.json"
    return path, json.loads(path.read_text())


def _import(form: str, program: str, tmp_path: Path) -> tuple[Path, dict]:
    path, rec = _record(form, program)
    spec = tmp_path / f"{program}.yaml"
    import_graphdef(str(path.parent / rec["graph"]), str(spec))
    return spec, rec


def _run(form: str, program: str, tmp_path: Path, steps: int | None = None) -> list[list]:
    """idrun's values per step, in the record's fetch order."""
    spec, rec = _import(form, program, tmp_path)
    opts = RunOptions(fetch=rec["fetch"], targets=rec["targets"] or None, feeds=rec["feeds"],
                      steps=steps or len(rec["steps"]))
    doc = result_document(Pipeline(str(spec), opts).run())
    assert doc["error"] is None, doc["error"]
    return [[step["values"][name] for name in rec["fetch"]] for step in doc["steps"]]


def _close(ours, theirs, rtol=1e-6):
    numpy.testing.assert_allclose(numpy.asarray(ours, dtype=numpy.float64), numpy.asarray(theirs), rtol=rtol,
                                  atol=1e-7)


BOTH = pytest.mark.parametrize("form", ["v1", "v2"])


@BOTH
def test_layers_batch_norm_training_placeholder_and_update_ops(form, tmp_path):
    """tf.layers.batch_normalization(training=<tensor>): batch statistics and the moving-average
    updates (UPDATE_OPS, control dependencies of the train op) on training steps 1 and 3; the
    moving statistics, unchanged, on steps 2 and 4."""
    tf = [  # loss, moving_mean, moving_variance, gamma after the step
        (1.0202203, [-0.022666669, -0.0024166661, -0.04131667], [0.9123348, 0.92349833, 0.92876726],
         [0.9558956, 0.9218903, 0.94120973]),
        (0.32269683, [-0.022666669, -0.0024166661, -0.04131667], [0.9123348, 0.92349833, 0.92876726],
         [0.9557757, 0.90028787, 0.9216271]),
        (0.8795625, [-0.04306667, -0.004591665, -0.07850167], [0.83343613, 0.8546468, 0.86465776],
         [0.91459584, 0.8287975, 0.8680436]),
        (0.2989728, [-0.04306667, -0.004591665, -0.07850167], [0.83343613, 0.8546468, 0.86465776],
         [0.91446877, 0.807422, 0.8502657]),
    ]
    ours = _run(form, "layers_batch_norm", tmp_path)
    assert len(ours) == 4
    for got, want in zip(ours, tf):
        for a, b in zip(got, want):
            _close(a, b)


def test_layers_batch_norm_fused_trained_through_a_v1_cond(tmp_path):
    """The fused path of tf.layers.batch_normalization(training=<tensor>), trained: tf.gradients
    of a v1 cond is a second cond on the forward pred_id whose branches read the forward
    branch's values (FusedBatchNormGradV3 reads its reserve space; zeros_like of the unused
    outputs). Steps 1 and 3 train on batch statistics, 2 and 4 use the moving ones (TF's values,
    loss and beta after each step, the moving statistics moved only on 1 and 3)."""
    tf = [(1.9968042, [-0.00043062455, 0.0005543744, 0.0026074974], [0.06666667, 0.06666667, 0.06666666]),
          (1.0084494, [-0.00043062455, 0.0005543744, 0.0026074974], [0.13154936, 0.12546326, 0.1127761]),
          (1.6090139, [-0.00085694285, 0.0011032051, 0.0051889196], [0.18944606, 0.18376572, 0.17192437]),
          (0.79084015, [-0.00085694285, 0.0011032051, 0.0051889196], [0.24588719, 0.23505834, 0.21229675])]
    ours = _run("v1", "layers_batch_norm_fused", tmp_path)
    for (loss, moving_mean, _, beta), want in zip(ours, tf):
        _close(loss, want[0])
        _close(moving_mean, want[1], rtol=1e-5)   # a difference of two close means
        _close(beta, want[2])


def test_layers_batch_norm_fused_v2_needs_tf_optional_ops(tmp_path):
    """The v2 form's If gradient passes the forward branch's intermediates as TF's Optional
    variants (OptionalFromValue/OptionalGetValue), which idrun does not run: the run names them."""
    spec, rec = _import("v2", "layers_batch_norm_fused", tmp_path)
    with pytest.raises(IdrunError, match="OptionalFromValue"):
        Pipeline(str(spec), RunOptions(fetch=rec["fetch"], feeds=rec["feeds"], steps=1)).run()


@BOTH
def test_layers_batch_norm_after_a_dense_layer_trains_through_the_conds(form, tmp_path):
    """The same layer after a dense layer: the gradient goes through the statistics' conds
    (tf.gradients of a cond) into the dense kernel. TF's loss per step and the kernel after 4."""
    ours = _run(form, "layers_batch_norm_hidden", tmp_path)
    _close([step[0] for step in ours], [1.0980186, 0.32671976, 0.9095298, 0.26995638])
    _close(ours[-1][4], [[0.60334206, -0.901114, 0.32174888], [0.4497953, -0.03363338, -0.55190706],
                         [-0.5448871, 0.61164117, -0.60126054]], rtol=1e-5)


@BOTH
def test_random_flip_is_tf_philox_draw(form, tmp_path):
    """tf.image.random_flip_left_right(seed=7) then random_flip_up_down(seed=9), graph seed 5: a
    cond on a Philox draw per step. TF flipped left-right at steps 1, 2, 3, 5 and up-down at 2, 4."""
    image = numpy.arange(24, dtype=numpy.float32).reshape(2, 4, 3)
    lr_flips, ud_flips = [True, True, True, False, True], [False, True, False, True, False]
    ours = _run(form, "random_flip", tmp_path)
    for (lr, ud), flip_lr, flip_ud in zip(ours, lr_flips, ud_flips):
        want_lr = image[:, ::-1] if flip_lr else image
        assert numpy.array_equal(numpy.asarray(lr), want_lr)
        assert numpy.array_equal(numpy.asarray(ud), want_lr[::-1] if flip_ud else want_lr)


@BOTH
def test_zero_fraction_summary(form, tmp_path):
    """The CIFAR-10 tutorial's _activation_summary: zero_fraction (a cond on the size) and its
    scalar summary's bytes."""
    ours = _run(form, "zero_fraction", tmp_path)
    assert [round(step[0], 7) for step in ours] == [0.6666667, 0.6666667, 0.8333333, 0.8333333]
    _, rec = _record(form, "zero_fraction")
    assert ours[-1][1] == rec["steps"][-1]["values"]["local3/sparsity:0"] == "\n\x16\n\x0flocal3/sparsity\x15UUU?"


@BOTH
def test_assert_non_negative_identity(form, tmp_path):
    ours = _run(form, "assert_identity", tmp_path)
    assert [step[0] for step in ours] == [[0.25, 1.0, 4.0], [2.25, 0.0, 9.0], [6.25, 1.0, 16.0]]


@BOTH
def test_assert_in_cond_fails_the_step_with_tf_message(form, tmp_path):
    """Fed so that the assert's guard takes the failing branch: the step fails with TF's text."""
    spec, rec = _import(form, "assert_identity", tmp_path)
    opts = RunOptions(fetch=rec["fetch"], feeds={"x:0": [float("nan"), 1.0, 2.0]}, steps=1)
    doc = result_document(Pipeline(str(spec), opts).run())
    assert doc["error"] is not None and "d must be >= 0" in json.dumps(doc["error"])


@pytest.mark.parametrize("form,program", [("v1", "ema_resource"), ("v2", "ema_resource"), ("v1ref", "ema")])
def test_ema_of_trained_variables(form, program, tmp_path):
    """The CIFAR-10 tutorial's variable moving averages (decay 0.9 with num_updates) after the
    gradient update, over resource variables (ref ones in v1ref); shadows initialized through initialized_value()."""
    tf = [
        (0.81554854, [[-0.543979, 0.70493394], [-0.56569165, 0.81296057], [-0.042238146, 0.21763468]],
         [0.07711668, 0.11348568]),
        (0.763908, [[-0.53129935, 0.6673482], [-0.5439995, 0.7880753], [-0.062161315, 0.2117652]],
         [0.055493034, 0.12634756]),
        (0.71904194, [[-0.51883155, 0.6308445], [-0.5233944, 0.76403636], [-0.081438616, 0.20580108]],
         [0.03662944, 0.1376945]),
    ]
    ours = _run(form, program, tmp_path)
    for got, want in zip(ours, tf):
        for a, b in zip(got, want):
            _close(a, b)


@pytest.mark.parametrize("form", ["v1", "v2", "v1ref"])
def test_learning_rate_switched_on_global_step(form, tmp_path):
    ours = _run(form, "lr_schedule", tmp_path)
    assert [step[1] for step in ours] == pytest.approx([0.1, 0.1, 0.01, 0.01])
    _close([step[0] for step in ours], [3.188894, 2.9978752, 2.8963957, 2.888292])
    _close(ours[-1][2], [[0.7691835], [-0.50968605]])


@BOTH
def test_case_nested_conds(form, tmp_path):
    ours = _run(form, "case", tmp_path)
    assert [step[0] for step in ours] == [[3.0, 0.5], [10.0, -2.5], [-2.0, 0.5], [3.0, 0.5]]


@BOTH
def test_switch_case_is_a_lowered_case(form, tmp_path):
    """tf.switch_case builds a Case in both forms (TF 2.21); imported, its _SwitchN opens one of
    three branches by index."""
    ours = _run(form, "switch_case", tmp_path)
    assert [step[0] for step in ours] == [[10.0, -2.5], [-2.0, 0.5], [3.0, 0.5], [10.0, -2.5]]


@BOTH
def test_while_with_print_and_assert(form, tmp_path, capfd):
    ours = _run(form, "while_print_assert", tmp_path, steps=1)
    assert ours == [[5, 6.0]]
    # TF printed the same lines on stderr (tf1.Print: message, then [data] per tensor)
    assert capfd.readouterr().err.splitlines()[-5:] == [
        "i, acc = [0][1]", "i, acc = [1][1]", "i, acc = [2][1.5]", "i, acc = [3][2.5]", "i, acc = [4][4]"]


@pytest.mark.parametrize("form,program", [("v1", "while_assign"), ("v1", "while_assign_resource"),
                                          ("v2", "while_assign")])
def test_while_body_assign_add(form, program, tmp_path):
    ours = _run(form, program, tmp_path)
    assert ours == [[3, 1.5], [3, 3.0], [3, 4.5]]


def _programs():
    out = []
    for form, (folder, prefix) in FORMS.items():
        out += [(form, p.stem[len(prefix):]) for p in sorted(folder.glob(f"{prefix}*.json"))]
    return out


@pytest.mark.parametrize("form,program", _programs())
def test_commands_on_imported_spec(form, program, tmp_path):
    """show, check, explain (a cond's merge or a loop's exit, and a node inside a branch or loop)
    and export --format graphdef run without a traceback; check is quiet on what TF made."""
    spec, rec = _import(form, program, tmp_path)
    runner = CliRunner()
    for args in (["show", str(spec)], ["export", str(spec), "--format", "graphdef", "-o", str(tmp_path / "g.pbtxt")]):
        res = runner.invoke(main, args)
        assert res.exit_code == 0, (args, res.output)
    res = runner.invoke(main, ["check", str(spec)])
    assert res.exit_code == 0 and "no problems" in res.output, res.output
    names = [line.split("name: ", 1)[1].split(",", 1)[0] for line in spec.read_text().splitlines()
             if line.lstrip().startswith("- {name: ")]
    inner = [n for n in names if any(k in n for k in ("/Merge", "/Exit", "/then/", "/else/", "/body/", "/cond/",
                                                       "/while/", "/branch"))][:3]
    for node in inner or names[-1:]:
        res = runner.invoke(main, ["explain", str(spec), node])
        assert res.exit_code in (0, 1), (node, res.output)
        assert res.exception is None or isinstance(res.exception, SystemExit), (node, repr(res.exception))


SWITCH_N = """\
nodes:
  - {name: i, op: placeholder, dtype: int32, shape: []}
  - {name: x, op: const, value: [1.0, 2.0]}
  - {name: c/branch_index, op: switch_n, inputs: [i, i], num_outs: 3}
  - {name: c/x, op: switch_n, inputs: [x, i], num_outs: 3}
  - {name: c/b0, op: add, inputs: ['c/x', 1.0]}
  - {name: c/b1, op: mul, inputs: ['c/x:1', 5.0]}
  - {name: c/b2, op: neg, inputs: ['c/x:2']}
  - {name: c/merge, op: merge, inputs: [c/b0, c/b1, c/b2]}
run: {fetch: ['c/merge', 'c/merge:1']}
"""


@pytest.mark.parametrize("index,value", [(0, [2.0, 3.0]), (1, [5.0, 10.0]), (2, [-1.0, -2.0]),
                                         (7, [-1.0, -2.0]), (-1, [-1.0, -2.0])])
def test_switch_n_takes_branch_by_index(index, value, tmp_path):
    """_SwitchN as TF's kernel: output `index`, the last one when out of range (TF:
    `if (output_index < 0 || output_index >= num_outs) output_index = num_outs - 1`)."""
    spec = tmp_path / "s.yaml"
    spec.write_text(SWITCH_N)
    doc = result_document(Pipeline(str(spec), RunOptions(feeds={"i": index}, steps=1)).run())
    assert doc["error"] is None, doc["error"]
    values = doc["steps"][0]["values"]
    assert values["c/merge"] == value and values["c/merge:1"] == (index if 0 <= index < 3 else 2)
    assert doc["steps"][0]["control_flow"] == [{"region": "c/<cond>", "kind": "case",
                                                 "branches": {str(index if 0 <= index < 3 else 2): 1}}]


def test_switch_n_index_must_be_int32(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text(SWITCH_N.replace("dtype: int32", "dtype: int64"))
    with pytest.raises(IdrunError, match="_SwitchN's output_index must be int32, got int64"):
        Pipeline(str(spec), RunOptions(feeds={"i": 1}, steps=1)).run()


RSQRT_GRAD = """\
nodes:
  - {name: y, op: const, value: [0.3, 1.7, 2.9, 0.01, 5.0, 0.001, 0.77, 3.3, 0.5], dtype: DT}
  - {name: dy, op: const, value: [1.5, -0.25, 0.0, 2.0, -3.0, 0.7, 1000.0, -0.001, 0.1], dtype: DT}
  - {name: g, op: rsqrt_grad, inputs: [y, dy]}
run: {fetch: [g]}
"""


@pytest.mark.parametrize("dtype,tf", [
    # tf.raw_ops.RsqrtGrad(y=y, dy=dy) in TF 2.21 on CPU, float32 then float64
    ("float32", [-0.020250001922249794, 0.6141250133514404, 0.0, -9.999999974752427e-07, 187.5,
                 -3.5000005671470547e-10, -228.26649475097656, 0.017968500033020973, -0.0062500000931322575]),
    ("float64", [-0.020249999999999997, 0.6141249999999999, 0.0, -1.0000000000000002e-06, 187.5, -3.5e-10,
                 -228.26649999999998, 0.0179685, -0.00625]),
])
def test_rsqrt_grad_is_tf_bit_for_bit(dtype, tf, tmp_path):
    """RsqrtGrad (tf.layers batch norm's gradient through rsqrt(variance + eps))."""
    spec = tmp_path / "g.yaml"
    spec.write_text(RSQRT_GRAD.replace("DT", dtype))
    doc = result_document(Pipeline(str(spec), RunOptions(steps=1)).run())
    assert doc["error"] is None, doc["error"]
    assert numpy.array_equal(numpy.asarray(doc["steps"][0]["values"]["g"], dtype=dtype), numpy.asarray(tf, dtype=dtype))


KERNEL_TESTS = {"switch_n": test_switch_n_takes_branch_by_index, "rsqrt_grad": test_rsqrt_grad_is_tf_bit_for_bit}
