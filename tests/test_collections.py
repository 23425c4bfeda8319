"""Collections (`collections:` on entries, `{collection: NAME}` references), the
`batch_normalization` entry and FusedBatchNormV3's gradient, against TensorFlow 2.21.

TF's numbers and node tables come from the programs `idrun export --format tf-python` writes for
these specs, run with tensorflow-cpu 2.21 (`sess.run` values; nodes from `g.as_graph_def()`).
TF 2.21 has no tf.compat.v1.layers (it needs tf_keras), so the exported program builds the layer
as its graph-mode code does (keras' BatchNormalization._fused_batch_norm and
_assign_moving_average, `tf1.nn.fused_batch_norm`, `tf1.assign_sub`); the table below is that
program's graph.
"""

from __future__ import annotations

import pytest

from conftest import ROOT
from idrun.analysis import check_pipeline
from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from idrun.spec import load_spec
from idrun.tf.export_python import export_tf_python
from tests.conftest import run_spec, values

LOSSES = """
nodes:
  - {name: w, op: variable, value: [1.0, 2.0]}
  - {name: l1, op: reduce_sum, inputs: [w], collections: [LOSSES]}
  - {name: l2, op: mul, inputs: [l1, 2.0], collections: [losses]}
  - {name: total, op: add_n, inputs: [{collection: LOSSES}]}
  - {name: l3, op: mul, inputs: [l1, 3.0], collections: [LOSSES, my_terms]}
  - {name: total2, op: add_n, inputs: [{collection: losses}]}
  - {name: terms, op: add_n, inputs: [{collection: my_terms}, l1]}
run: {fetch: [total, total2, terms]}
"""


@pytest.mark.parametrize("mode", ["resource", "ref"])
def test_get_collection_takes_the_members_added_before_it(spec_file, mode):
    """add_n(tf.get_collection('losses')) twice: the second sees l3, the first does not (TF:
    total 9, total2 18, terms 12)."""
    path = spec_file(LOSSES)
    spec = load_spec(path, variables=mode)
    assert [r.node for r in spec.graph.nodes["total"].inputs] == ["l1", "l2"]
    assert [r.node for r in spec.graph.nodes["total2"].inputs] == ["l1", "l2", "l3"]
    assert [r.node for r in spec.graph.nodes["terms"].inputs] == ["l3", "l1"]
    assert spec.collections["losses"] == ["l1", "l2", "l3"]
    assert spec.collections["my_terms"] == ["l3"]
    assert spec.collections["variables"] == spec.collections["trainable_variables"] == ["w"]
    result = run_spec(path, variables=mode)
    assert (values(result, "total"), values(result, "total2"), values(result, "terms")) == ([9.0], [18.0], [12.0])


UPDATES = """
nodes:
  - {name: c, op: variable, value: 0.0}
  - {name: d, op: variable, value: 10.0, trainable: false}
  - {name: inc, op: assign_add, inputs: [c, 1.0], collections: [UPDATE_OPS]}
  - control_dependencies: [{collection: UPDATE_OPS}]
    nodes:
      - {name: after, op: identity, inputs: [c]}
  - {name: dec, op: assign_sub, inputs: [d, 1.0], collections: [UPDATE_OPS]}
  - {name: both, op: identity, inputs: [d], control_inputs: [{collection: UPDATE_OPS}]}
run: {fetch: [after, both], steps: 3}
"""


def test_collection_as_control_inputs(spec_file):
    """A block and an entry's control_inputs on UPDATE_OPS: each depends on the members
    added before it (TF: after 1, 2, 3; both 9, 8, 7)."""
    path = spec_file(UPDATES)
    spec = load_spec(path)
    assert spec.collections["update_ops"] == ["inc", "dec"]
    assert spec.collections["trainable_variables"] == ["c"]
    assert spec.graph.nodes["after/ReadVariableOp"].control_inputs == ("inc",)
    assert set(spec.graph.nodes["both/ReadVariableOp"].control_inputs) == {"inc", "dec"}
    result = run_spec(path)
    assert values(result, "after") == [1.0, 2.0, 3.0]
    assert values(result, "both") == [9.0, 8.0, 7.0]


def test_minimize_var_list_is_trainable_variables_at_that_point(spec_file):
    """TF: var_list = TRAINABLE_VARIABLES when minimize is called: `frozen` (trainable: false)
    and `later` (made after) get no update; loss 4, 2.5600002, 1.6384."""
    path = spec_file("""
    nodes:
      - {name: w, op: variable, value: 2.0}
      - {name: frozen, op: variable, value: 1.0, trainable: false}
      - {name: prod, op: mul, inputs: [w, frozen]}
      - {name: loss, op: square, inputs: [prod]}
      - minimize: loss
        name: train
        optimizer: {type: GradientDescent, learning_rate: 0.1}
      - {name: later, op: variable, value: 5.0}
    run: {fetch: [loss], targets: [train], steps: 3}
    """)
    spec = load_spec(path)
    assert [n for n in spec.graph.nodes if n.startswith("train/update_")] == [
        "train/update_w/ResourceApplyGradientDescent"]
    assert values(run_spec(path), "loss") == [4.0, pytest.approx(2.5600002, rel=1e-7), pytest.approx(1.6384, rel=1e-7)]
    # nothing in the var_list lacks a gradient (`later` is only unused)
    assert [d.code for d in check_pipeline(Pipeline(path))] == ["unused"]


def test_minimize_var_list_from_a_collection(spec_file):
    """var_list=tf.get_collection('my_vars'): only `v` trains; TF 2.21's losses 4, 0.15999998,
    0.0063999975 (the exported program)."""
    path = spec_file("""
    nodes:
      - {name: w, op: variable, value: 2.0}
      - {name: v, op: variable, value: 1.0, collections: [my_vars]}
      - {name: prod, op: mul, inputs: [w, v]}
      - {name: loss, op: square, inputs: [prod]}
      - minimize: loss
        name: train
        optimizer: {type: GradientDescent, learning_rate: 0.1}
        var_list: {collection: my_vars}
    run: {fetch: [loss], targets: [train], steps: 3}
    """)
    assert [n for n in load_spec(path).graph.nodes if n.startswith("train/update_")] == [
        "train/update_v/ResourceApplyGradientDescent"]
    assert values(run_spec(path), "loss") == [4.0, pytest.approx(0.15999998, rel=1e-7),
                                              pytest.approx(0.0063999975, rel=1e-7)]


@pytest.mark.parametrize("text,message,suggestion", [
    ("{name: t, op: add_n, inputs: [{collection: UPDATE_OP}]}", "unknown collection 'UPDATE_OP'", "UPDATE_OPS"),
    ("{name: t, op: add_n, inputs: [{collection: lossses}]}", "unknown collection 'lossses'", "losses"),
    ("{name: t, op: identity, inputs: [a], control_inputs: [{collection: my_ops}]}",
     "unknown collection 'my_ops'", None),
    ("{name: t, op: add_n, inputs: [{collection: LOSSES}]}",
     "collection 'LOSSES' is empty before this entry, so add_n gets no inputs: Inputs must be an "
     "iterable of at least one Tensor/IndexedSlices with the same dtype and shape.", None),
    ("{name: t, op: identity, inputs: [{collection: LOSSES, x: 1}]}", "unknown key 'x' for a collection reference", None),
    ("{name: t, op: identity, inputs: [a], collections: 3}", "`collections` must be a list of collection names", None),
    ("{name: t, op: identity, inputs: [{collection: 3}]}", "`collection` names one collection", None),
])
def test_bad_collection_references_are_located_errors(spec_file, text, message, suggestion):
    path = spec_file(f"""
    nodes:
      - {{name: a, op: const, value: 1.0, collections: [losses]}}
      - {text}
    """)
    if "LOSSES}]}" in text and "x:" not in text:   # an empty collection: nothing added to it
        path = spec_file(f"""
        nodes:
          - {{name: a, op: const, value: 1.0}}
          - {text}
        """)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert message in info.value.message
    assert info.value.loc is not None and info.value.loc.line == 4
    if suggestion:
        assert suggestion in info.value.render()


def test_bad_reference_exits_2_with_location(cli, spec_file):
    path = spec_file("""
    nodes:
      - {name: a, op: const, value: 1.0}
      - {name: t, op: add_n, inputs: [{collection: UPDATE_OP}]}
    """)
    result = cli("run", path)
    assert result.exit_code == 2
    assert f"{path}:4:" in result.stderr and "UPDATE_OPS" in result.stderr


def test_tf_python_export_writes_add_and_get_collection(spec_file):
    text = export_tf_python(spec_file(LOSSES)) + export_tf_python(spec_file(UPDATES, "u.yaml"))
    assert "tf1.add_to_collections([tf1.GraphKeys.LOSSES], T['l1'])" in text
    assert "tf1.add_to_collections([tf1.GraphKeys.LOSSES, 'my_terms'], T['l3'])" in text
    assert ("tf.math.add_n([tf1.get_collection(tf1.GraphKeys.LOSSES)[0], tf1.get_collection(tf1.GraphKeys.LOSSES)[1]]"
            in text)
    assert "g.control_dependencies([*map(OP, tf1.get_collection(tf1.GraphKeys.UPDATE_OPS))])" in text
    assert "g.get_collection_ref(tf1.GraphKeys.TRAINABLE_VARIABLES).remove(T['d'])" in text


# ---- batch_normalization ------------------------------------------------------------------

BN = """
nodes:
  - {name: x, op: const, value: [[[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 1.5]]]]}
  - batch_normalization: x
    training: true
    momentum: 0.9
  - {name: updates, op: group, inputs: [{collection: UPDATE_OPS}]}
run: {fetch: [batch_normalization, batch_normalization/moving_mean], targets: [updates], steps: 2}
"""

# TF 2.21's nodes for the layer (resource variables), less the variables' initializers and
# their own `Read/ReadVariableOp`s: (name, inputs), control inputs as ^name
TF_BN_NODES = [
    ('batch_normalization/AssignMovingAvg/AssignSubVariableOp', ['batch_normalization/AssignMovingAvg/mul', 'batch_normalization/moving_mean']),
    ('batch_normalization/AssignMovingAvg/ReadVariableOp', ['batch_normalization/moving_mean']),
    ('batch_normalization/AssignMovingAvg/ReadVariableOp_1', ['batch_normalization/moving_mean', '^batch_normalization/AssignMovingAvg/AssignSubVariableOp']),
    ('batch_normalization/AssignMovingAvg/mul', ['batch_normalization/AssignMovingAvg/sub', 'batch_normalization/AssignMovingAvg/sub_1']),
    ('batch_normalization/AssignMovingAvg/sub', ['batch_normalization/AssignMovingAvg/sub/x', 'batch_normalization/Const']),
    ('batch_normalization/AssignMovingAvg/sub/x', []),
    ('batch_normalization/AssignMovingAvg/sub_1', ['batch_normalization/AssignMovingAvg/ReadVariableOp', 'batch_normalization/FusedBatchNormV3:1']),
    ('batch_normalization/AssignMovingAvg_1/AssignSubVariableOp', ['batch_normalization/AssignMovingAvg_1/mul', 'batch_normalization/moving_variance']),
    ('batch_normalization/AssignMovingAvg_1/ReadVariableOp', ['batch_normalization/moving_variance']),
    ('batch_normalization/AssignMovingAvg_1/ReadVariableOp_1', ['batch_normalization/moving_variance', '^batch_normalization/AssignMovingAvg_1/AssignSubVariableOp']),
    ('batch_normalization/AssignMovingAvg_1/mul', ['batch_normalization/AssignMovingAvg_1/sub', 'batch_normalization/AssignMovingAvg_1/sub_1']),
    ('batch_normalization/AssignMovingAvg_1/sub', ['batch_normalization/AssignMovingAvg_1/sub/x', 'batch_normalization/Const']),
    ('batch_normalization/AssignMovingAvg_1/sub/x', []),
    ('batch_normalization/AssignMovingAvg_1/sub_1', ['batch_normalization/AssignMovingAvg_1/ReadVariableOp', 'batch_normalization/FusedBatchNormV3:2']),
    ('batch_normalization/Const', []),
    ('batch_normalization/FusedBatchNormV3', ['batch_normalization/FusedBatchNormV3/ReadVariableOp', 'batch_normalization/FusedBatchNormV3/ReadVariableOp_1', 'batch_normalization/ReadVariableOp', 'batch_normalization/ReadVariableOp_1', 'x']),
    ('batch_normalization/FusedBatchNormV3/ReadVariableOp', ['batch_normalization/moving_mean']),
    ('batch_normalization/FusedBatchNormV3/ReadVariableOp_1', ['batch_normalization/moving_variance']),
    ('batch_normalization/ReadVariableOp', ['batch_normalization/gamma']),
    ('batch_normalization/ReadVariableOp_1', ['batch_normalization/beta']),
    ('batch_normalization/beta', []),
    ('batch_normalization/gamma', []),
    ('batch_normalization/moving_mean', []),
    ('batch_normalization/moving_variance', []),
]


def _table(spec, prefix: str) -> list:
    out = []
    for n in spec.graph.nodes.values():
        if n.name.startswith(prefix) and not n.name.endswith("/Read/ReadVariableOp"):
            ins = sorted(str(r).removesuffix(":0") for r in n.inputs) + sorted("^" + c for c in n.control_inputs)
            out.append((n.name, ins))
    return sorted(out)


def test_batch_normalization_builds_tf_layers_nodes(spec_file):
    spec = load_spec(spec_file(BN))
    assert _table(spec, "batch_normalization/") == TF_BN_NODES
    fbn = spec.graph.nodes["batch_normalization/FusedBatchNormV3"]
    assert fbn.attrs["is_training"] is True and fbn.attrs["exponential_avg_factor"] == 1.0
    assert spec.collections["update_ops"] == ["batch_normalization/AssignMovingAvg/AssignSubVariableOp",
                                              "batch_normalization/AssignMovingAvg_1/AssignSubVariableOp"]
    assert spec.collections["trainable_variables"] == ["batch_normalization/gamma", "batch_normalization/beta"]
    assert spec.collections["variables"] == ["batch_normalization/gamma", "batch_normalization/beta",
                                             "batch_normalization/moving_mean", "batch_normalization/moving_variance"]


def test_batch_normalization_ref_mode_updates_are_named_as_the_scope(spec_file):
    """Ref variables: tf1.assign_sub(var, delta, name=scope) is the AssignSub `AssignMovingAvg`."""
    spec = load_spec(spec_file(BN), variables="ref")
    assert spec.collections["update_ops"] == ["batch_normalization/AssignMovingAvg",
                                              "batch_normalization/AssignMovingAvg_1"]
    assert [str(r) for r in spec.graph.nodes["batch_normalization/FusedBatchNormV3"].inputs] == [
        "x:0", "batch_normalization/gamma/read:0", "batch_normalization/beta/read:0",
        "batch_normalization/moving_mean/read:0", "batch_normalization/moving_variance/read:0"]


@pytest.mark.parametrize("mode", ["resource", "ref"])
def test_batch_normalization_values(spec_file, mode):
    """TF: y normalized by the batch's statistics; moving_mean read after the updates (resource:
    a read under control_dependencies) 0.1625, then 0.30875009 (m - (m - 1.625) * (1 - 0.9), the
    decay 1 - 0.9 in float32). (A ref variable's read snapshot is not ordered after the updates:
    only y is compared there.)"""
    path = spec_file("""
    nodes:
      - {name: x, op: const, value: [[[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 1.5]]]]}
      - batch_normalization: x
        training: true
        momentum: 0.9
      - {name: updates, op: group, inputs: [{collection: UPDATE_OPS}]}
      - control_dependencies: [updates]
        nodes: [{name: mean_after, op: identity, inputs: [batch_normalization/moving_mean]}]
    run: {fetch: [batch_normalization, mean_after], steps: 2}
    """)
    result = run_spec(path, variables=mode)
    if mode == "resource":
        assert values(result, "mean_after") == [[pytest.approx(0.16250004, rel=1e-7)] * 2,
                                                [pytest.approx(0.30875009, rel=1e-7)] * 2]
    assert values(result, "batch_normalization")[0][0][0][0] == [pytest.approx(-0.6505918, rel=1e-6),
                                                                pytest.approx(0.21052554, rel=1e-6)]


def test_batch_normalization_inference_makes_no_updates(spec_file):
    spec = load_spec(spec_file("""
    nodes:
      - {name: x, op: const, value: [[[[1.0, 2.0]]]]}
      - batch_normalization: x
        name: bn
    """))
    assert "update_ops" not in spec.collections
    assert spec.graph.nodes["bn/FusedBatchNormV3"].attrs["is_training"] is False


@pytest.mark.parametrize("text,message", [
    ("{batch_normalization: x, fused: false}", "fused (FusedBatchNormV3) only"),
    ("{batch_normalization: x, momentum: fast}", "`momentum` of batch_normalization must be a number"),
    ("{batch_normalization: x, trainig: true}", "unknown key 'trainig'"),
    ("{batch_normalization: v}", "must be a float32 (or float16) NHWC tensor of rank 4"),
])
def test_batch_normalization_errors(spec_file, text, message):
    with pytest.raises(SpecError) as info:
        load_spec(spec_file(f"""
        nodes:
          - {{name: x, op: const, value: [[[[1.0, 2.0]]]]}}
          - {{name: v, op: const, value: [1.0, 2.0]}}
          - {text}
        """))
    assert message in info.value.message and info.value.loc.line == 5


# ---- FusedBatchNormV3's gradient ------------------------------------------------------------

BN_GRAD = """
nodes:
  - {name: x, op: variable, value: [[[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 1.5]]],
                                    [[[0.25, 0.75], [-2.0, 1.0]], [[1.5, 0.0], [-0.5, 2.5]]]]}
  - {name: gamma, op: variable, value: [1.0, 1.0]}
  - {name: beta, op: variable, value: [0.0, 0.0]}
  - {name: mm, op: variable, value: [0.25, -0.5]}
  - {name: mv, op: variable, value: [1.5, 0.75]}
  - {name: FusedBatchNormV3, op: fused_batch_norm, inputs: [x, gamma, beta, mm, mv], is_training: %s}
  - {name: w, op: const, value: [[[[1.0, -2.0], [0.5, 3.0]], [[2.0, 1.0], [-1.0, 0.5]]],
                                 [[[0.3, 0.7], [1.1, -0.4]], [[0.9, 0.2], [-0.6, 1.3]]]]}
  - {name: mul, op: mul, inputs: [FusedBatchNormV3, w]}
  - {name: loss, op: reduce_sum, inputs: [mul]}
  - gradients: loss
    xs: [x, gamma, beta]
    outputs: [dx, dgamma, dbeta]
run: {fetch: [dx, dgamma, dbeta]}
"""

# TF 2.21: tf1.gradients(reduce_sum(tf1.nn.fused_batch_norm(x, gamma, beta, mean=mm, variance=mv,
# epsilon=0.001, is_training=...)[0] * w), [x, gamma, beta]) with the values above
TF_BN_GRADS = {
    True: ([[[[0.3521479070186615, -1.906631350517273], [0.17140014469623566, 1.1155935525894165]],
             [[1.0031706094741821, 0.8437143564224243], [-0.9498977065086365, -0.06087219715118408]]],
            [[[-0.19456234574317932, 0.24518795311450958], [0.17322000861167908, -0.5736389756202698]],
             [[0.3242705464363098, 0.06566926091909409], [-0.8797493577003479, 0.270977258682251]]]],
           [-1.380440354347229, 3.7090423107147217], [4.200000286102295, 4.300000190734863]),
    False: ([[[[0.8162245154380798, -2.3078629970550537], [0.4081122577190399, 3.461794376373291]],
              [[1.6324490308761597, 1.1539314985275269], [-0.8162245154380798, 0.5769657492637634]]],
             [[[0.24486736953258514, 0.8077520132064819], [0.8978469967842102, -0.4615726172924042]],
              [[0.7346020340919495, 0.2307863086462021], [-0.4897347390651703, 1.5001108646392822]]]],
            [-0.020405691117048264, 15.318440437316895], [4.200000286102295, 4.300000190734863]),
}


def _flat(v):
    return [y for x in v for y in _flat(x)] if isinstance(v, list) else [v]


@pytest.mark.parametrize("training", [True, False])
def test_fused_batch_norm_gradient_matches_tf(spec_file, training):
    """Values within a few float32 ulps of TF's (idrun's FusedBatchNormGradV3 kernel sums in
    another order than TF's Eigen reductions, so not bit for bit)."""
    path = spec_file(BN_GRAD % str(training).lower())
    spec = load_spec(path)
    grad = spec.graph.nodes["gradients/FusedBatchNormV3_grad/FusedBatchNormGradV3"]
    assert grad.op == "fused_batch_norm_grad" and grad.attrs["is_training"] is training
    stats = [str(r) for r in grad.inputs[3:]]
    if training:   # TF: the reserve spaces FusedBatchNormV3:3, :4, :5
        assert stats == ["FusedBatchNormV3:3", "FusedBatchNormV3:4", "FusedBatchNormV3:5"]
    else:          # TF: the population mean and variance (its inputs 3, 4), then :5
        fbn = spec.graph.nodes["FusedBatchNormV3"]
        assert stats == [str(fbn.inputs[3]), str(fbn.inputs[4]), "FusedBatchNormV3:5"]
    result = run_spec(path)
    for name, want in zip(("dx", "dgamma", "dbeta"), TF_BN_GRADS[training]):
        got = _flat(values(result, name)[0])
        assert got == pytest.approx(_flat(want), rel=2e-6, abs=1e-6), name


# ---- the gallery and `idrun check` ------------------------------------------------------------

def test_update_ops_not_run_on_the_broken_gallery_spec():
    ds = check_pipeline(Pipeline(str(ROOT / "graphs/batch_norm_update_ops_broken.yaml")))
    assert [(d.code, d.nodes) for d in ds] == [
        ("update-ops-not-run", ["batch_normalization/AssignMovingAvg/AssignSubVariableOp"]),
        ("update-ops-not-run", ["batch_normalization/AssignMovingAvg_1/AssignSubVariableOp"])]
    assert "`batch_normalization/moving_mean`, which it updates, never changes" in ds[0].message
    assert "`control_dependencies: [{collection: UPDATE_OPS}]`" in ds[0].fix


def test_fixed_gallery_spec_is_quiet_and_moves_the_averages():
    path = str(ROOT / "graphs/batch_norm_update_ops_fixed.yaml")
    assert check_pipeline(Pipeline(path)) == []
    means = values(run_spec(path), "moving_mean")
    assert all(a != b for a, b in zip(means, means[1:]))   # TF: they change on every step


@pytest.mark.parametrize("name", ["broken", "fixed"])
def test_gallery_specs_meet_their_expect(cli, name):
    result = cli("run", str(ROOT / f"graphs/batch_norm_update_ops_{name}.yaml"))
    assert result.exit_code == 0, result.stderr


NO_GRADIENT = """
nodes:
  - {name: w, op: variable, value: 2.0}
  - {name: v, op: variable, value: 3.0}
  - {name: u, op: variable, value: 4.0}
  - {name: frozen, op: stop_gradient, inputs: [v]}
  - {name: prod, op: mul, inputs: [w, frozen]}
  - {name: loss, op: square, inputs: [prod]}
  - {name: other, op: mul, inputs: [u, 2.0]}
  - minimize: loss
    name: train
    optimizer: {type: GradientDescent, learning_rate: 0.01}
run: {fetch: [loss, other], targets: [train], steps: 2}
"""


def test_no_gradient_says_why(spec_file):
    """v reaches the loss only through stop_gradient, u not at all: TF's optimizer skips both
    (loss 36, 24.2064: only w moves)."""
    path = spec_file(NO_GRADIENT)
    ds = check_pipeline(Pipeline(path))
    assert [(d.code, d.nodes) for d in ds] == [("no-gradient", ["v", "train"]), ("no-gradient", ["u", "train"])]
    assert "`loss` uses `v` only through `frozen` (stop_gradient), which passes no gradient back" in ds[0].message
    assert [n.message for n in ds[0].notes] == ["`v` is defined here", "`frozen` stops the gradient here"]
    assert "`loss` does not depend on `u`" in ds[1].message
    assert "leave `u` out of the var_list" in ds[1].fix
    assert values(run_spec(path), "loss") == [36.0, pytest.approx(24.2064, rel=1e-7)]


def test_run_section_fetches_and_targets_a_collection(cli, spec_file):
    """sess.run(tf.get_collection(UPDATE_OPS)): the members at run time, every step."""
    path = spec_file("""
    nodes:
      - {name: v, op: variable, value: 1.0}
      - {name: bump, op: assign_add, inputs: [v, 1.0], collections: [UPDATE_OPS]}
      - {name: c, op: const, value: 3.0, collections: [losses]}
    run: {fetch: [v, {collection: LOSSES}], targets: [{collection: UPDATE_OPS}], steps: 2}
    """)
    spec = load_spec(path)
    assert [x.value for x in spec.run.targets] == ["bump"] and [x.value for x in spec.run.fetch] == ["v", "c"]
    assert values(run_spec(path), "c") == [3.0, 3.0]
    bad = spec_file("""
    nodes:
      - {name: v, op: variable, value: 1.0}
    run: {targets: [{collection: UPDATE_OP}]}
    """)
    res = cli("run", bad)
    assert res.exit_code == 2
    assert res.stderr.splitlines()[0] == (f"{bad}:4:17: error: unknown collection 'UPDATE_OP': no entry adds to it "
                                          "(did you mean 'UPDATE_OPS'?)")


def test_a_top_level_collection_by_its_graphkeys_name_is_its_key(spec_file):
    path = spec_file("""
    nodes:
      - {name: v, op: variable, value: 1.0}
      - {name: bump, op: assign_add, inputs: [v, 1.0]}
    collections: {UPDATE_OPS: [bump]}
    run: {fetch: [v], targets: [{collection: update_ops}], steps: 2}
    """)
    spec = load_spec(path)
    assert spec.collections["update_ops"] == ["bump"] and "UPDATE_OPS" not in spec.collections
    assert [t.value for t in spec.run.targets] == ["bump"]
