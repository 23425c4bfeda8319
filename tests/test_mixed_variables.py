"""Both kinds of variable in one graph: each variable keeps its kind's semantics (a ref
variable's shared `x/read` view and in-place updates, a resource variable's per-consumer
snapshots) in the spec (`resource: true|false` on a variable), `idrun import` (TF 2's
resource global step in a TF1 program of ref variables), `check`, and both exports.
Expected values are TF 2.21's (CPU), from the TF programs named at each test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import run_spec, values
from idrun.analysis import check_pipeline
from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions

pytest.importorskip("tensorboard.compat.proto.graph_pb2")

from idrun.tf.export_python import export_tf_python  # noqa: E402
from idrun.tf.graphdef import export_graphdef  # noqa: E402
from idrun.tf.graphdef_import import import_graphdef  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "graphdefs"

# TF: x = tf1.Variable(0.0, use_resource=False), y = tf1.Variable(0.0, use_resource=True);
# r = tf.identity(x._variable) (x/read's kind of view), ry = tf.raw_ops.ReadVariableOp(y);
# inc = tf1.assign_add(x, 10.0) and incy = tf1.assign_add(y, 10.0), each under
# control_dependencies on its read; sess.run([r, inc, ry, incy]) three times.
VIEW_AND_SNAPSHOT = """
    name: a view and a snapshot in one graph
    nodes:
      - {name: x, op: variable, value: 0.0, resource: false}
      - {name: y, op: variable, value: 0.0}
      - {name: r, op: read, inputs: [x]}
      - {name: ry, op: read, inputs: [y]}
      - {name: inc, op: assign_add, inputs: [x, 10.0], control_inputs: [r]}
      - {name: incy, op: assign_add, inputs: [y, 10.0], control_inputs: [ry]}
    run: {fetch: [r, inc, ry, incy], steps: 3}
"""

# TF: x = tf1.Variable([1., 2.], use_resource=False) and y = tf1.Variable([3., 4.],
# use_resource=True) on /cpu:0; on /cpu:1 a = x + y, b = x * y, c = x - y, out = (a + b) + c;
# upd = tf1.assign_add(x, [.5, .5]), updy = tf1.assign_sub(y, [1., 1.]) under
# control_dependencies([out]); sess.run([out, upd, updy]) with output_partition_graphs, the
# _Send nodes counted: x/read crosses once, y once per consumer (a/, b/, c/ReadVariableOp).
ACROSS_DEVICES = """
    name: both kinds across devices
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: x, op: variable, value: [1.0, 2.0], device: cpu:0, resource: false}
      - {name: y, op: variable, value: [3.0, 4.0], device: cpu:0}
      - device: cpu:1
        nodes:
          - {name: a, op: add, inputs: [x, y]}
          - {name: b, op: mul, inputs: [x, y]}
          - {name: c, op: sub, inputs: [x, y]}
          - {name: s, op: add, inputs: [a, b]}
          - {name: out, op: add, inputs: [s, c]}
      - {name: upd, op: assign_add, inputs: [x, [0.5, 0.5]], control_inputs: [out]}
      - {name: updy, op: assign_sub, inputs: [y, [1.0, 1.0]], control_inputs: [out]}
    run: {fetch: [out, upd, updy], steps: 3}
"""


def test_a_ref_read_is_a_view_and_a_resource_read_a_snapshot_in_one_graph(spec_file):
    result = run_spec(spec_file(VIEW_AND_SNAPSHOT))
    assert values(result, "r") == [10.0, 20.0, 30.0]     # the view shows the update after it
    assert values(result, "inc") == [10.0, 20.0, 30.0]
    assert values(result, "ry") == [0.0, 10.0, 20.0]     # the snapshot does not
    assert values(result, "incy") == [10.0, 20.0, 30.0]


def test_the_graph_mode_is_the_default_a_variable_overrides(spec_file):
    # `variables: ref` with only y marked (resource: true): the same kinds, the same values
    text = VIEW_AND_SNAPSHOT.replace(", resource: false}", "}").replace(
        "{name: y, op: variable, value: 0.0}", "{name: y, op: variable, value: 0.0, resource: true}")
    path = spec_file(text.replace("    nodes:", "    variables: ref\n    nodes:"))
    result = run_spec(path)
    assert values(result, "r") == [10.0, 20.0, 30.0]
    assert values(result, "ry") == [0.0, 10.0, 20.0]
    # and --variables resource makes x resource too: its read is a snapshot then
    assert values(run_spec(path, variables="resource"), "r") == [0.0, 10.0, 20.0]


def test_transfers_follow_each_variables_kind(spec_file):
    result = run_spec(spec_file(ACROSS_DEVICES))
    assert values(result, "out") == [[5.0, 12.0], [6.0, 12.5], [6.0, 12.0]]
    assert values(result, "upd") == [[1.5, 2.5], [2.0, 3.0], [2.5, 3.5]]
    assert values(result, "updy") == [[2.0, 3.0], [1.0, 2.0], [0.0, 1.0]]
    sent = sorted(t.tensor.split(":")[0] for t in result.steps[0].transfers)
    # TF's _Send tensors: a/ReadVariableOp, b/ReadVariableOp, c/ReadVariableOp, x/read, out
    # and a control edge (6 per step)
    assert len(result.steps[0].transfers) == 6
    assert sent.count("x/read") == 1
    assert sum(name.endswith("/ReadVariableOp") for name in sent) == 3


def test_check_counts_repeated_reads_of_the_resource_variable_only(spec_file):
    diags = check_pipeline(Pipeline(spec_file(ACROSS_DEVICES), RunOptions()))
    repeated = [d for d in diags if d.code == "repeated-transfer"]
    assert len(repeated) == 1 and "`y`" in repeated[0].message and "`x`" not in repeated[0].message


def test_a_bad_kind_is_a_located_error(spec_file):
    path = spec_file("""
        name: bad
        nodes:
          - {name: x, op: variable, value: 0.0, resource: yes please}
        run: {fetch: [x]}
    """)
    with pytest.raises(SpecError) as err:
        Pipeline(path, RunOptions()).run()
    assert err.value.loc is not None and err.value.loc.line == 4
    assert "expected true or false" in err.value.message


def test_graphdef_export_writes_each_variables_kind(spec_file):
    gd = export_graphdef(Pipeline(spec_file(VIEW_AND_SNAPSHOT), RunOptions()))
    ops = {n.name: n.op for n in gd.node}
    assert ops["x"] == "VariableV2" and ops["y"] == "VarHandleOp"
    assert ops["r"] == "Identity" and ops["ry"] == "ReadVariableOp"
    assert ops["inc"] == "AssignAdd" and ops["incy"] == "AssignAddVariableOp"
    assert ops["x/Assign"] == "Assign" and ops["y/Assign"] == "AssignVariableOp"
    assert ops["x/read"] == "Identity" and ops["y/Read/ReadVariableOp"] == "ReadVariableOp"


def test_tf_python_export_makes_each_variable_of_its_kind(spec_file):
    program = export_tf_python(spec_file(VIEW_AND_SNAPSHOT))
    assert "use_resource=USE_RESOURCE(False), name='x'" in program
    assert "use_resource=USE_RESOURCE(None), name='y'" in program


def _imported(tmp_path, case: str) -> tuple[str, dict]:
    spec = tmp_path / f"{case}.yaml"
    text = import_graphdef(str(FIXTURES / f"{case}.pbtxt"), str(spec))
    rec = json.loads((FIXTURES / f"{case}.json").read_text())
    return text, rec, spec


def _run_imported(spec, rec):
    opts = RunOptions(fetch=rec["fetch"], targets=rec["targets"] or None, steps=len(rec["steps"]))
    return Pipeline(str(spec), opts).run()


def test_tf2_resource_global_step_in_a_ref_ptb_model_imports_and_trains(tmp_path):
    text, rec, spec = _imported(tmp_path, "mixed_ptb_lm")
    assert "tf_opaque" not in text
    assert "{name: global_step, op: variable, value: 0, dtype: int64, resource: true}" in text
    assert "{name: Model/softmax_w, op: variable" in text and "Model/softmax_w/read, op: read" in text
    result = _run_imported(spec, rec)
    # TF: scripts/graphdef_cases/mixed_variables.py `mixed_ptb_lm`, sess.run([cost, global_norm,
    # final_h, global_step.read_value()], train_op) four times. Float32 LSTM gradients through
    # a while loop, summed in another order than TF's kernels: a relative 1e-6.
    np.testing.assert_allclose(values(result, "Model/cost:0"), [7.470106, 6.8046694, 6.42148, 6.186141],
                               rtol=1e-6)
    np.testing.assert_allclose(values(result, "global_norm/global_norm:0"),
                               [0.8716517, 0.65749377, 0.5112016, 0.41187027], rtol=1e-6)
    assert values(result, "Identity:0") == [0, 1, 2, 3]   # the resource step, read before it moves


def test_momentum_mlp_with_a_resource_step_and_decayed_rate_matches_tf(tmp_path):
    text, rec, spec = _imported(tmp_path, "mixed_mlp_momentum")
    assert "tf_opaque" not in text and "resource: true" in text
    result = _run_imported(spec, rec)
    # TF: `mixed_mlp_momentum` (ApplyMomentum on ref variables, exponential_decay(0.1,
    # global_step, 2, 0.5) on a resource step), four sess.run calls. The float32 Pow and
    # matmuls may round in another order than Eigen: a relative 1e-6.
    np.testing.assert_allclose(values(result, "loss:0"), [0.23765537, 0.23321706, 0.22996594, 0.22861041],
                               rtol=1e-6)
    np.testing.assert_allclose(values(result, "ExponentialDecay:0"), [0.1, 0.07071068, 0.05, 0.03535534],
                               rtol=1e-6)


def test_a_ref_counter_in_a_resource_model_matches_tf(tmp_path):
    text, rec, spec = _imported(tmp_path, "mixed_resource_model")
    # the graph has a ref variable, so its mode is ref and the model's are marked
    assert "variables: ref" in text and "{name: counter, op: variable, value: 0.0, dtype: float32}" in text
    assert "{name: model/w, op: variable" in text and text.count("resource: true") == 2
    assert "tf_opaque" not in text
    result = _run_imported(spec, rec)
    # TF: `mixed_resource_model`, sess.run([loss, count, counter], count) three times
    assert values(result, "loss:0") == pytest.approx([41.0625, 27.380426, 18.692966], rel=1e-6)
    assert values(result, "count:0") == pytest.approx([41.0625, 68.442924, 87.135895], rel=1e-6)
    assert values(result, "counter:0") == values(result, "count:0")   # the ref, after the assign


@pytest.mark.parametrize("case", ["mixed_ptb_lm", "mixed_mlp_momentum", "mixed_resource_model"])
def test_graphdef_export_of_an_imported_mixed_graph_keeps_each_kind(tmp_path, case):
    text, rec, spec = _imported(tmp_path, case)
    gd = export_graphdef(Pipeline(str(spec), RunOptions()))
    from google.protobuf import text_format
    from tensorboard.compat.proto import graph_pb2
    ours = graph_pb2.GraphDef()
    text_format.Parse((FIXTURES / f"{case}.pbtxt").read_text(), ours)
    original = {n.name: n.op for n in ours.node}
    written = {n.name: n.op for n in gd.node}
    kinds = {"VariableV2", "VarHandleOp", "Assign", "AssignVariableOp", "AssignAdd", "AssignAddVariableOp",
             "ApplyMomentum", "ResourceApplyMomentum", "ApplyGradientDescent", "ResourceApplyGradientDescent",
             "ReadVariableOp", "ScatterSub", "ResourceScatterSub"}
    for name, op in original.items():
        if op in kinds and name in written:
            assert written[name] == op, name


def test_a_metagraph_with_both_kinds_imports_and_trains(tmp_path):
    # TF: w = tf1.Variable([1., -2.], use_resource=False), step = get_or_create_global_step(),
    # loss = reduce_sum(square(w - [.5, .5])), train = GradientDescentOptimizer(0.1).minimize(
    # loss, global_step=step, name="train"); tf1.train.export_meta_graph() (text); after three
    # sess.run(train), sess.run([w, step.read_value()]): [0.756, -0.78], 3
    spec = tmp_path / "m.yaml"
    text = import_graphdef(str(FIXTURES / "mixed_variables.meta"), str(spec))
    assert "{name: global_step, op: variable, value: 0, dtype: int64, resource: true}" in text
    pipeline = Pipeline(str(spec), RunOptions(targets=["train"], steps=3))
    pipeline.run()
    cells = pipeline.session.cells
    np.testing.assert_allclose(cells["w"].value, [0.756, -0.78], rtol=1e-6)   # float32 steps
    assert int(cells["global_step"].value) == 3


# TF: w = tf1.Variable([1., -2.], use_resource=False), b = tf1.Variable(0.5, use_resource=True),
# loss = reduce_sum(square(w - b)), MomentumOptimizer(0.1, 0.9).minimize(loss, name="train"),
# sess.run([loss, train]) three times: 6.5, 3.2, 1.2409998; TF names the updates
# train/update_w/ApplyMomentum and train/update_b/ResourceApplyMomentum, and each slot has its
# variable's kind (w/Momentum a VariableV2, b/Momentum a VarHandleOp).
MINIMIZE_BOTH = """
    name: a ref and a resource variable trained by Momentum
    nodes:
      - {name: w, op: variable, value: [1.0, -2.0], resource: false}
      - {name: b, op: variable, value: 0.5}
      - {name: d, op: sub, inputs: [w, b]}
      - {name: sq, op: square, inputs: [d]}
      - {name: loss, op: reduce_sum, inputs: [sq]}
      - minimize: loss
        name: train
        optimizer: {type: Momentum, learning_rate: 0.1, momentum: 0.9}
    run: {targets: [train], fetch: [loss], steps: 3}
"""

# TF: the same w (ref) and a resource global step (get_or_create_global_step()), loss =
# reduce_sum(square(w - [.5, .5])), Momentum minimize with global_step: 6.5, 4.16, 1.3754; the
# step's increment is `train` (AssignAddVariableOp) of `train/Const`.
REF_MODEL_RESOURCE_STEP = """
    name: ref model, resource step
    variables: ref
    nodes:
      - {name: w, op: variable, value: [1.0, -2.0]}
      - {name: global_step, op: variable, value: 0, dtype: int64, trainable: false, resource: true}
      - {name: d, op: sub, inputs: [w, [0.5, 0.5]]}
      - {name: sq, op: square, inputs: [d]}
      - {name: loss, op: reduce_sum, inputs: [sq]}
      - minimize: loss
        name: train
        optimizer: {type: Momentum, learning_rate: 0.1, momentum: 0.9}
        global_step: global_step
    run: {targets: [train], fetch: [loss], steps: 3}
"""


def test_minimize_updates_each_variable_as_its_kind(spec_file):
    path = spec_file(MINIMIZE_BOTH)
    np.testing.assert_array_equal(np.float32(values(run_spec(path), "loss")), np.float32([6.5, 3.2, 1.2409998]))
    ops = {n.name: n.op for n in export_graphdef(Pipeline(path, RunOptions())).node}
    assert ops["w/Momentum"] == "VariableV2" and ops["b/Momentum"] == "VarHandleOp"
    assert ops["train/update_w/ApplyMomentum"] == "ApplyMomentum"
    assert ops["train/update_b/ResourceApplyMomentum"] == "ResourceApplyMomentum"


def test_a_resource_global_step_in_a_ref_spec_counts_as_tf(spec_file):
    path = spec_file(REF_MODEL_RESOURCE_STEP)
    pipeline = Pipeline(path, RunOptions())
    result = pipeline.run()
    np.testing.assert_array_equal(np.float32(values(result, "loss")), np.float32([6.5, 4.16, 1.3754]))
    assert int(pipeline.session.cells["global_step"].value) == 3   # TF: step.eval() after three steps
    ops = {n.name: n.op for n in export_graphdef(Pipeline(path, RunOptions())).node}
    assert ops["global_step"] == "VarHandleOp" and ops["w"] == "VariableV2"
    assert ops["train"] == "AssignAddVariableOp" and ops["train/Const"] == "Const"
    assert ops["train/update_w/ApplyMomentum"] == "ApplyMomentum"
