"""Summary ops give TF's serialized Summary bytes, and `idrun run --summaries DIR` writes them
to an events file TensorBoard reads.

Every expected value below is what TensorFlow 2.21's CPU kernel returned for the same input
(`sess.run` of the call named beside it, graph mode), as hex; the long ones as the sha256 of
TF's bytes. The kernels are deterministic, so the comparisons are exact.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys

import numpy as np
import pytest

from conftest import run_spec
from idrun.ops import REGISTRY
from idrun.ops.opdef import InferError, KernelEnv, KernelError

# the protos come with the extra idrun[tensorboard] (a mark, not importorskip: test_registry
# imports this module)
pytestmark = pytest.mark.skipif(importlib.util.find_spec("tensorboard") is None,
                                reason="needs idrun[tensorboard]")

# tf.compat.v1.summary.scalar("loss", tf.constant(0.25))
SCALAR_LOSS = "0a0b0a046c6f7373150000803e"
# tf.raw_ops.ScalarSummary(tags=["a", "b"], values=tf.constant([1.5, -2.0], tf.float64))
SCALAR_AB = "0a080a0161150000c03f0a080a016215000000c0"
# tf.raw_ops.ScalarSummary(tags="", values=tf.constant(0, tf.int32)): the 0.0 is written (a oneof)
SCALAR_EMPTY_TAG = "0a051500000000"
# tf.raw_ops.ScalarSummary(tags="big", values=tf.constant(2**40 + 1, tf.int64)): rounded to float
SCALAR_I64 = "0a0a0a036269671500008053"
# tf.compat.v1.summary.histogram("weights", [[0.5, -1.25, 3.0], [0.0, 1e-13, -7.5]] float32)
HISTO_WEIGHTS = (
    "0aed010a07776569676874732ae101090000000000001ec01100000000000008401900000000000018402190ffffffff"
    "ff14c0290000000000c45040325876401ddd356d20c0612f354cd6dd1dc0333fe81caf7cf5bfba508d319f88f3bf0000"
    "00000000000011ea2d819997713dfae55a25d31fde3fb03125ee8091e03f68bc10359a0707400d9cc5a029550940ffff"
    "ffffffffef7f3a580000000000000000000000000000f03f0000000000000000000000000000f03f0000000000000000"
    "00000000000000400000000000000000000000000000f03f0000000000000000000000000000f03f0000000000000000")
# tf.raw_ops.HistogramSummary(tag="empty", values=tf.zeros([0])): min DBL_MAX, max -DBL_MAX, one bucket
HISTO_EMPTY = ("0a2f0a05656d7074792a2609ffffffffffffef7f11ffffffffffffefff3208ffffffffffffef7f"
               "3a080000000000000000")
# tf.raw_ops.HistogramSummary(tag="ints", values=tf.constant([1, 2, 2, 300], tf.int32))
HISTO_INTS = (
    "0aaa010a04696e74732aa10109000000000000f03f110000000000c07240190000000000001040210000000000107340"
    "290000000090f9f540323808996919155aed3f2b14facdbe24f03fdc94cd2e8d75ff3fe011f10c744d01408e443a118e"
    "747140694bf31269337340ffffffffffffef7f3a380000000000000000000000000000f03f00000000000000000000000000"
    "0000400000000000000000000000000000f03f0000000000000000")
# tf.raw_ops.HistogramSummary(tag="neg0", values=tf.constant([0.0, -0.0, -3.0, 2.5e-13], tf.float64))
HISTO_NEG0 = (
    "0a8a010a046e6567302a81010900000000000008c01111ea2d819997513d19000000000000104021cdfdffffffff07c0"
    "29000000000000224032280d9cc5a0295509c068bc10359a0707c0000000000000000011ea2d819997713dffffffffff"
    "ffef7f3a280000000000000000000000000000f03f000000000000000000000000000008400000000000000000")
# tf.raw_ops.HistogramSummary(tag="big", values=RandomState(0).randn(1000).astype(float32) * 3)
HISTO_BIG_SHA = "3db18835a8d4f6e051da21e46f47381683a817fcc77c6263132b616c8c6a528e"
# tf.raw_ops.HistogramSummary(tag="d", values=RandomState(3).randn(500) * 1e5) (float64)
HISTO_F64_SHA = "f876d7d1f19f77a50bac7ab5998345c999253d067d5352b995368f3802c318d1"
# tf.raw_ops.MergeSummary(inputs=[tf.stack([scalar("dup", 1.0), scalar("dup", 2.0)]), tf.constant("")])
MERGE_VEC = "0a0a0a03647570150000803f0a0c0a056475705f311500000040"
# tf.compat.v1.summary.image(name, tf.constant(IMAGES[name]), max_outputs=2) for each name
IMAGE_SHA = {
    "u8_rgb": "3305d2b7e24adc45e63defe4482f194695cd8906a56dc29b9138c9d78d3a84eb",
    "f_gray": "2e81caafbb3341f93d05ae9e719247aa61c014b8366cbe6f5e7b38be89b59abd",
    "f_pos": "6c5c3f674fd369528f0e3dcf13d8e8a1a264e0ab6b319ee89ec83058cdc42644",
    "big": "233829842017c37990ac4fa0e0384ffbd69195ddc5b1dc2f28c94d7b64bacab1",
    "grad": "886bb7fa9cea278510f1f403ae2f7826efe6540bbd58bcb396fd410c8a80de21",
    "row": "cc6e97199cfae95bbb2a665f9ceb3b80ea7f0b67901597d761bb3bda75aeda17",
    "col": "7417d3a048cb3eab47f375b3f150001c5e0f4b58263e25e5cb7e33e2eb609250",
    "one": "6b2dc6792dbce99b9b17810f3e35ea3fe7e3f1571ca5d8327334654bbe5cbbab",
    "half": "b033fd669d514605cc6bc03ab4bfb998ea9d936287d3e4807cc99b867ab20d18",
    "bad": "013cc9aab6c02d85082605860f2551eec93a444fcfeb94d662c1d0bb89b667d6",
    "huge": "a84dc42d97b0a37c440f7193328d3b3bdad1c5b245e8ff70260cbc9370fd831e",
}
# tf.raw_ops.ImageSummary(tag="c", tensor=IMAGES["bad"], max_images=1,
#                         bad_color=tf.compat.v1.make_tensor_proto([0, 255, 0], tf.uint8))
IMAGE_BAD_COLOR_SHA = "b180d135908c8aa5e3fadd291da4b1e9969942a0f97c00f712cca381f4ae0087"
# tf.raw_ops.ImageSummary(tag="x", tensor=[[[[0.1], [0.7]], [[-0.3], [0.0]]]] float64, max_images=1)
IMAGE_F64 = ("0a5a0a07782f696d616765224f080210021801224789504e470d0a1a0a0000000d4948445200000002000000020800"
             "00000057dd52f80000000e4944415408996398f49f99e10e0007c10271a8861fd80000000049454e44ae426082")
# tf.raw_ops.ImageSummary(tag="nan", tensor=tf.fill([1, 1, 2, 3], nan), max_images=1): bad_color red
IMAGE_NAN = ("0a5d0a096e616e2f696d6167652250080110021803224889504e470d0a1a0a0000000d494844520000000200000001"
             "08020000007b40e8dd0000000f49444154089963fccfc0c0c0c000000608010149b8c2b40000000049454e44ae426082")


def _images() -> dict[str, np.ndarray]:
    """The images TF encoded above: drawn in this order from one RandomState(1)."""
    rng = np.random.RandomState(1)
    images = {"u8_rgb": rng.randint(0, 256, (2, 5, 7, 3)).astype(np.uint8),
              "f_gray": rng.randn(1, 4, 6, 1).astype(np.float32),
              "f_pos": rng.rand(3, 3, 3, 4).astype(np.float32),
              "big": (np.indices((1, 200, 300, 3)).sum(0) % 256).astype(np.uint8),
              "grad": np.tile(np.linspace(0, 1, 64, dtype=np.float32)[None, None, :, None], (1, 48, 1, 3)),
              "row": rng.randn(1, 1, 9, 3).astype(np.float32),
              "col": rng.rand(1, 9, 1, 1).astype(np.float64) * 5,
              "one": np.full((1, 1, 1, 1), 7, np.uint8),
              "half": (rng.randn(1, 6, 5, 3) * 4).astype(np.float16),
              "bad": np.array([[[[1.0, np.nan, 0.5], [0.25, -0.5, 2.0]],
                                [[np.inf, 0, 0], [0.1, 0.2, 0.3]]]], np.float32)}
    images["huge"] = (rng.rand(1, 150, 160, 3) * 255).astype(np.uint8)
    return images


def kernel(name: str, node: str = "n", **attrs):
    op = REGISTRY[name]
    values = {a.name: a.default for a in op.attrs}
    values.update(attrs)
    return op.kernel(KernelEnv(np, values, (), (), (), node, "resource"))


def text(value) -> np.ndarray:
    return np.array(value.encode() if isinstance(value, str) else [v.encode() for v in value], dtype=object)


def hexed(out: np.ndarray) -> str:
    assert out.shape == () and out.dtype == object
    return bytes(out[()]).hex()


def sha(out: np.ndarray) -> str:
    return hashlib.sha256(bytes(out[()])).hexdigest()


# ---- the bytes, kernel by kernel -----------------------------------------------------------


def test_scalar_summary_is_tfs_bytes():
    scalar = kernel("scalar_summary")
    assert hexed(scalar(text("loss"), np.float32(0.25))) == SCALAR_LOSS
    assert hexed(scalar(text(["a", "b"]), np.array([1.5, -2.0]))) == SCALAR_AB
    assert hexed(scalar(text(""), np.int32(0))) == SCALAR_EMPTY_TAG
    assert hexed(scalar(text("big"), np.int64(2**40 + 1))) == SCALAR_I64


def test_scalar_summary_shape_mismatch_is_tfs_error():
    scalar = kernel("scalar_summary")
    with pytest.raises(KernelError, match=r"^tags and values are not the same shape: \[2\] != \[3\]$"):
        scalar(text(["a", "b"]), np.array([1.0, 2.0, 3.0], np.float32))
    with pytest.raises(KernelError, match=r"^tags and values are not the same shape: \[\] != \[2\] \(tag 'a'\)$"):
        scalar(text("a"), np.array([1.0, 2.0], np.float32))


def test_histogram_summary_is_tfs_bytes():
    histogram = kernel("histogram_summary")
    weights = np.array([[0.5, -1.25, 3.0], [0.0, 1e-13, -7.5]], np.float32)
    assert hexed(histogram(text("weights"), weights)) == HISTO_WEIGHTS
    assert hexed(histogram(text("empty"), np.zeros([0], np.float32))) == HISTO_EMPTY
    assert hexed(histogram(text("ints"), np.array([1, 2, 2, 300], np.int32))) == HISTO_INTS
    # -0.0 after 0.0: TF keeps the first as max (0.0), the bucket of both is 0's upper neighbour
    assert hexed(histogram(text("neg0"), np.array([0.0, -0.0, -3.0, 2.5e-13]))) == HISTO_NEG0
    # 1000 values: sum and sum_squares accumulated in element order, as the kernel's loop
    big = np.random.RandomState(0).randn(1000).astype(np.float32) * 3
    assert sha(histogram(text("big"), big)) == HISTO_BIG_SHA
    assert sha(histogram(text("d"), np.random.RandomState(3).randn(500) * 1e5)) == HISTO_F64_SHA


def test_histogram_summary_errors_are_tfs():
    histogram = kernel("histogram_summary", node="hist")
    with pytest.raises(KernelError, match="^Nan in summary histogram for: hist$"):
        histogram(text("h"), np.array([1.0, np.nan, np.inf], np.float32))
    with pytest.raises(KernelError, match="^Infinity in Histogram for: hist$"):
        histogram(text("h"), np.array([1.0, np.inf, np.nan], np.float32))
    with pytest.raises(KernelError, match="^tags must be scalar$"):
        histogram(text(["h", "i"]), np.array([1.0], np.float32))


@pytest.mark.parametrize("name", sorted(IMAGE_SHA))
def test_image_summary_is_tfs_bytes_png_included(name):
    # uint8 as given; float and half scaled as TF does; PNG filters, zlib stream and chunks as
    # TF's libpng writes them (1-row and 1-column images, stored blocks of the 'huge' noise)
    assert sha(kernel("image_summary", max_images=2)(text(name), _images()[name])) == IMAGE_SHA[name]


def test_image_summary_max_images_one_bad_color_and_float64():
    bad = _images()["bad"]
    out = kernel("image_summary", max_images=1, bad_color=[0, 255, 0])(text("c"), bad)
    assert sha(out) == IMAGE_BAD_COLOR_SHA
    f64 = np.array([[[[0.1], [0.7]], [[-0.3], [0.0]]]])
    assert hexed(kernel("image_summary", max_images=1)(text("x"), f64)) == IMAGE_F64
    nan = np.full((1, 1, 2, 3), np.nan, np.float32)
    assert hexed(kernel("image_summary", max_images=1)(text("nan"), nan)) == IMAGE_NAN


def test_float_images_scale_as_tf():
    # the pixels are tf.io.decode_png of what tf.raw_ops.ImageSummary(max_images=1) encoded
    from idrun.ops.summary import normalize_image
    red = np.array([255, 0, 0, 255], np.uint8)
    # a negative value: scaled by 127/max|x| (in float) around 128, then truncated
    mixed = np.array([[0.1], [0.7], [-0.3], [0.0]])
    assert normalize_image(mixed, red).ravel().tolist() == [146, 255, 73, 128]
    # all non-negative: scaled by 255/max; a non-finite pixel takes bad_color
    positive = np.array([[0.5, 1.0, 0.25], [np.inf, 0.0, 0.0], [2.0, 0.0, 1.0]], np.float32)
    assert normalize_image(positive, red).tolist() == [[63, 127, 31], [255, 0, 0], [255, 0, 127]]
    # all below 1e-6: scale 0
    assert normalize_image(np.full((2, 1), 1e-7, np.float32), red).ravel().tolist() == [0, 0]


def test_image_summary_errors_are_tfs():
    image = kernel("image_summary")
    with pytest.raises(KernelError, match=r"^Tensor must be 4-D with last dim 1, 3, or 4, not \[2,3,3,2\]$"):
        image(text("i"), np.zeros([2, 3, 3, 2], np.float32))
    with pytest.raises(KernelError, match=r"^Tensor must be 4-D with last dim 1, 3, or 4, not \[3,3,1\]$"):
        image(text("i"), np.zeros([3, 3, 1], np.float32))


def test_merge_summary_concatenates_values_and_refuses_a_repeated_tag():
    scalar, merge = kernel("scalar_summary"), kernel("merge_summary")
    both = np.array([bytes(scalar(text("dup"), np.float32(1.0))[()]),
                     bytes(scalar(text("dup_1"), np.float32(2.0))[()])], dtype=object)
    assert hexed(merge(both, text(""))) == MERGE_VEC
    with pytest.raises(KernelError, match="^Duplicate tag dup found in summary inputs $"):
        merge(scalar(text("dup"), np.float32(1.0)), scalar(text("dup"), np.float32(2.0)))
    with pytest.raises(KernelError, match="^Could not parse one of the summary inputs$"):
        merge(text("\xff\xff garbage"))


def test_summary_shape_rules_are_tfs():
    def infer(name, *dtypes_shapes):
        from idrun.graph import TensorType
        op = REGISTRY[name]
        attrs = {a.name: a.default for a in op.attrs}
        return op.infer(attrs, [TensorType(d, s) for d, s in dtypes_shapes], [None] * len(dtypes_shapes))
    from idrun.graph import TensorType
    assert infer("scalar_summary", ("string", (2,)), ("float32", (3,))) == [TensorType("string", ())]
    assert infer("merge_summary", ("string", ()), ("string", None)) == [TensorType("string", ())]
    with pytest.raises(InferError, match="Value passed to parameter 'values' has DataType bool not in list "
                                         "of allowed values: float32, float64, int32, uint8, int16, int8, "
                                         "int64, bfloat16, uint16, float16, uint32, uint64"):
        infer("scalar_summary", ("string", ()), ("bool", ()))
    with pytest.raises(InferError, match="Value passed to parameter 'tensor' has DataType int32 not in list "
                                         "of allowed values: uint8, float32, float16, float64"):
        infer("image_summary", ("string", ()), ("int32", (1, 2, 2, 1)))
    with pytest.raises(InferError, match="Input 'tag' of 'HistogramSummary' Op has type float32 that does "
                                         "not match expected type of string."):
        infer("histogram_summary", ("float32", ()), ("float32", ()))
    with pytest.raises(InferError, match=r"Tensors in list passed to 'inputs' of 'MergeSummary' Op have "
                                         r"types \[float32\] that do not match expected type string."):
        infer("merge_summary", ("float32", ()))


# ---- through a step, and the events file ----------------------------------------------------

SPEC = """\
name: summaries
nodes:
  - {name: w, op: variable, value: [[0.5, -1.25, 3.0], [0.0, 1.0e-13, -7.5]]}
  - {name: loss_tag, op: const, value: loss, dtype: string}
  - {name: weights_tag, op: const, value: weights, dtype: string}
  - {name: loss, op: const, value: 0.25}
  - {name: s, op: scalar_summary, inputs: [loss_tag, loss]}
  - {name: h, op: histogram_summary, inputs: [weights_tag, w]}
  - {name: merged, op: merge_summary, inputs: [s, h]}
  - {name: grow, op: assign_add, inputs: [w, [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]], control_inputs: [merged]}
run: {fetch: [merged, loss], targets: [grow], steps: 3}
"""


def test_summaries_run_through_a_step(spec_file):
    result = run_spec(spec_file(SPEC))
    first = bytes(result.steps[0].values["merged"][()])
    assert first.hex() == SCALAR_LOSS + HISTO_WEIGHTS
    assert bytes(result.steps[1].values["merged"][()]) != first  # the weights grew after step 1


def test_run_summaries_writes_events_tensorboard_reads(cli, spec_file, tmp_path):
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.compat.proto import event_pb2
    logs = tmp_path / "logs"
    res = cli("run", spec_file(SPEC), "--summaries", str(logs), "--format", "json")
    assert res.exit_code == 0, res.stderr
    doc = res.json()  # the summaries print as JSON strings ("b64:..." where not UTF-8)
    import base64
    value = doc["steps"][0]["values"]["merged"]
    assert value.startswith("b64:") and base64.b64decode(value[4:]).hex() == SCALAR_LOSS + HISTO_WEIGHTS
    files = list(logs.iterdir())
    assert len(files) == 1 and files[0].name.startswith("events.out.tfevents.")
    ea = event_accumulator.EventAccumulator(str(logs), size_guidance={event_accumulator.SCALARS: 0,
                                                                       event_accumulator.HISTOGRAMS: 0})
    ea.Reload()
    assert ea.Tags()["scalars"] == ["loss"] and ea.Tags()["histograms"] == ["weights"]
    assert [(e.step, e.value) for e in ea.Scalars("loss")] == [(1, 0.25), (2, 0.25), (3, 0.25)]
    assert [(e.step, e.histogram_value.max) for e in ea.Histograms("weights")] == [(1, 3.0), (2, 4.0), (3, 5.0)]
    # the records themselves: file_version first, then one event per step holding TF's bytes
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
    events = [event_pb2.Event.FromString(r) for r in RawEventFileLoader(str(files[0])).Load()]
    assert events[0].file_version == "brain.Event:2"
    assert [e.step for e in events[1:]] == [1, 2, 3]
    assert events[1].summary.SerializeToString().hex() == SCALAR_LOSS + HISTO_WEIGHTS


def test_run_summaries_needs_a_fetched_summary(cli, spec_file, tmp_path):
    res = cli("run", spec_file(SPEC), "--fetch", "loss", "--summaries", str(tmp_path / "logs"))
    assert res.exit_code == 2 and "--summaries: no fetched tensor is a summary" in res.stderr


def test_run_summaries_into_a_file_is_a_usage_error(cli, spec_file):
    path = spec_file(SPEC)
    res = cli("run", path, "--summaries", path)
    assert res.exit_code == 2 and "not a directory" in res.stderr


def test_summary_op_without_tensorboard_names_the_extra(cli, spec_file, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)  # as if it were missing
    res = cli("run", spec_file(SPEC))
    assert res.exit_code == 2 and "internal error" not in res.stderr and "Traceback" not in res.stderr
    assert "pip install 'idrun[tensorboard]'" in res.stderr


def test_graphdef_export_and_import_keep_image_attributes(spec_file, tmp_path):
    from idrun.pipeline import Pipeline
    from idrun.tf.graphdef import export_graphdef, write_graphdef
    from idrun.tf.graphdef_import import import_graphdef
    path = spec_file("""\
        nodes:
          - {name: tag, op: const, value: img, dtype: string}
          - {name: pixels, op: const, value: [[[[0.5], [1.0]]]]}
          - {name: s, op: image_summary, inputs: [tag, pixels], max_images: 1, bad_color: [0, 255, 0]}
          - {name: merged, op: merge_summary, inputs: [s]}
        run: {fetch: [merged]}
        """)
    gd = export_graphdef(Pipeline(path))
    node = next(n for n in gd.node if n.name == "s")
    assert node.op == "ImageSummary" and node.attr["max_images"].i == 1
    from tensorboard.util import tensor_util
    bad = tensor_util.make_ndarray(node.attr["bad_color"].tensor)
    assert bad.dtype == np.uint8 and bad.tolist() == [0, 255, 0]
    assert next(n for n in gd.node if n.name == "merged").attr["N"].i == 1
    write_graphdef(gd, str(tmp_path / "g.pbtxt"))
    text = import_graphdef(str(tmp_path / "g.pbtxt"), str(tmp_path / "back.yaml"), fetch=["merged"])
    assert "{name: s, op: image_summary, max_images: 1, bad_color: [0, 255, 0], inputs: [tag, pixels]" in text
    again = run_spec(str(tmp_path / "back.yaml")).steps[0].values["merged"]
    assert bytes(again[()]) == bytes(run_spec(path).steps[0].values["merged"][()])


# ---- the TensorBoard export: `_output_shapes` and TensorBoard's RecordWriter ------------------

SHAPES_SPEC = """\
    nodes:
      - {name: p, op: placeholder, dtype: float32, shape: [null, 3]}
      - {name: q, op: placeholder, dtype: float32}
      - {name: x, op: variable, value: [1.0, 2.0]}
      - {name: bump, op: assign_add, inputs: [x, [1.0, 1.0]]}
      - {name: n, op: no_op}
      - control_dependencies: [n, bump]
        nodes:
          - {name: r, op: identity, inputs: [p]}
      - {name: sq, op: shape, inputs: [q]}
      - {name: tot, op: reduce_sum, inputs: [p]}
    run: {fetch: [r, sq, tot], feed: {p: [[1, 2, 3]], q: [[1.0]]}}
    """
# What TF 2.21's `tf.compat.v1.summary.FileWriter(logdir, g)` wrote for this program (exported
# with --format tf-python): each node's `_output_shapes` (as_graph_def(add_shapes=True)); None
# where TF writes none (ops without outputs). TF names the assign's constant `Const`, idrun
# `bump/value`, and the reduction's axes `Const_1`, idrun `tot/Const`.
TF_OUTPUT_SHAPES = {
    "p": "list { shape { dim { size: -1 } dim { size: 3 } } }",
    "q": "list { shape { unknown_rank: true } }",
    "x": "list { shape { } }",                         # VarHandleOp: a scalar resource handle
    "x/Read/ReadVariableOp": "list { shape { dim { size: 2 } } }",
    "bump/value": "list { shape { dim { size: 2 } } }",  # TF: Const
    "bump": None,                                       # AssignAddVariableOp: no outputs
    "ReadVariableOp": "list { shape { dim { size: 2 } } }",
    "n": None,                                          # NoOp
    "r": "list { shape { dim { size: -1 } dim { size: 3 } } }",
    "sq": "list { shape { dim { size: -1 } } }",       # Shape of an unknown rank: a vector
    "tot/Const": "list { shape { dim { size: 2 } } }",  # TF: Const_1, the axes [0, 1]
    "tot": "list { shape { } }",
}


def _events_in(directory):
    from tensorboard.backend.event_processing import event_file_loader
    from tensorboard.compat.proto import event_pb2
    files = sorted(directory.glob("events.out.tfevents.*"))
    assert len(files) == 1, files
    return [event_pb2.Event.FromString(raw)
            for raw in event_file_loader.RawEventFileLoader(str(files[0])).Load()]


def test_tensorboard_graph_has_tfs_output_shapes(cli, spec_file, tmp_path):
    from google.protobuf import text_format
    from tensorboard.compat.proto import graph_pb2
    res = cli("export", spec_file(SHAPES_SPEC), "--format", "tensorboard", "-o", str(tmp_path))
    assert res.exit_code == 0, res.stderr
    graph = next(e.graph_def for e in _events_in(tmp_path) if e.graph_def)
    nodes = {n.name: n for n in graph_pb2.GraphDef.FromString(graph).node}
    got = {name: (text_format.MessageToString(nodes[name].attr["_output_shapes"], as_one_line=True)
                  if "_output_shapes" in nodes[name].attr else None) for name in TF_OUTPUT_SHAPES}
    assert got == TF_OUTPUT_SHAPES
    assert list(nodes["r"].input) == ["p", "^n", "^bump"]   # control edges: TensorBoard dashes them


def test_tensorboard_recvs_carry_the_tensors_shape(tmp_path):
    from tensorboard.compat.proto import graph_pb2
    from idrun.pipeline import Pipeline
    from idrun.tf.tensorboard import export_tensorboard
    export_tensorboard(Pipeline("graphs/cross_device_reads.yaml"), str(tmp_path))
    graph = next(e.graph_def for e in _events_in(tmp_path) if e.graph_def)
    recvs = [n for n in graph_pb2.GraphDef.FromString(graph).node if n.op == "_Recv"]
    assert recvs and all([d.size for d in n.attr["_output_shapes"].list.shape[0].dim] == [2] for n in recvs)
    sends = [n for n in graph_pb2.GraphDef.FromString(graph).node if n.op == "_Send"]
    assert sends and not any("_output_shapes" in n.attr for n in sends)


def test_events_are_written_by_tensorboards_record_writer(cli, spec_file, tmp_path, monkeypatch):
    from tensorboard.summary.writer import record_writer
    written = []
    real = record_writer.RecordWriter.write
    monkeypatch.setattr(record_writer.RecordWriter, "write", lambda self, data: (written.append(data),
                                                                                 real(self, data))[1])
    assert cli("export", spec_file(SHAPES_SPEC), "--format", "tensorboard", "-o",
               str(tmp_path / "tb")).exit_code == 0
    assert cli("run", spec_file(SPEC), "--summaries", str(tmp_path / "run")).exit_code == 0
    events = _events_in(tmp_path / "tb") + _events_in(tmp_path / "run")
    assert written == [e.SerializeToString() for e in events]


@pytest.mark.parametrize("missing", ["tensorboard.summary.writer.record_writer", "tensorboard.compat.proto"])
def test_tensorboard_export_without_the_extra_says_to_install_it(cli, spec_file, tmp_path, monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)   # as if the extra were not installed
    for args in (("export", spec_file(SHAPES_SPEC), "--format", "tensorboard", "-o", str(tmp_path / "tb")),
                 ("run", spec_file(SPEC), "--summaries", str(tmp_path / "run"))):
        res = cli(*args)
        assert res.exit_code == 2, res.stderr
        assert "pip install 'idrun[tensorboard]'" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "tb").exists()   # nothing half-written
