"""Summaries: each op's output is TF's serialized `Summary` protobuf, a scalar string tensor.

The bytes are those of TF's CPU kernels (core/kernels/summary_op.cc,
summary_image_op.cc, core/lib/histogram/histogram.cc):
- `scalar_summary`: one `Value{tag, simple_value}` per element, the value cast to float32.
- `histogram_summary`: a `HistogramProto` over TF's default bucket limits (+-1e-12 * 1.1^k
  up to 1e20, then +-DBL_MAX, and 0), min, max, num, and sum and sum_squares accumulated in
  double in element order; each run of empty buckets is written as one bucket.
- `image_summary`: up to `max_images` PNGs; float images scaled into uint8 as TF does (by
  255/max, or by 127/max|x| around 128 when any value is negative; non-finite pixels get
  `bad_color`), encoded as TF's libpng 1.6 writes them (see `png`).
- `merge_summary`: the values of every input, in order; a repeated non-empty tag is an error.

The PNG bytes rest on zlib's deflate giving TF's stream for the same settings: true of zlib
1.2.x/1.3.x (Python's usual zlib); a Python built on zlib-ng would give other bytes that
decode to the same pixels.

The messages are built with TensorBoard's protos (`tensorboard.compat.proto.summary_pb2`),
behind the optional extra `idrun[tensorboard]`: a step that runs a summary without it is a
usage error naming the extra (the kernels are bound when a step is compiled).
"""

from __future__ import annotations

import functools
import struct

from idrun.dtypes import FLOATS, INTS
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.gradlib import no_gradient
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.protos import tensorboard_protos

DBL_MAX = 1.7976931348623157e308
REAL = FLOATS + INTS                      # TF's realnumbertypes that idrun has
IMAGE_TYPES = ("uint8", "float32", "float16", "float64")
# TF's words for the allowed types (op_def_library lists every type of the attr's constraint)
REAL_TEXT = "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, uint64"


def summary_pb2():
    """TensorBoard's summary protos, or a usage error (exit 2) naming the extra to install."""
    return tensorboard_protos("compat.proto.summary_pb2", what="summary ops").summary_pb2


# ---- shape rules: a scalar string, as TF's ScalarShape ------------------------------------


def _typed(name: str, got: str, allowed: tuple[str, ...]) -> None:
    if got not in allowed:
        text = REAL_TEXT if allowed is REAL else ", ".join(allowed)
        raise InferError(f"Value passed to parameter '{name}' has DataType {got} not in list of "
                         f"allowed values: {text}")


def _string(op: str, name: str, t: TensorType) -> None:
    if t.dtype != "string":
        raise InferError(f"Input '{name}' of '{op}' Op has type {t.dtype} that does not "
                         "match expected type of string.")


def _summary_infer(op: str, tag: str, values: str, allowed: tuple[str, ...]):
    def infer(attrs, types, consts):
        _string(op, tag, types[0])
        _typed(values, types[1].dtype, allowed)
        return [TensorType("string", ())]
    return infer


def _merge_infer(attrs, types, consts):
    if any(t.dtype != "string" for t in types):
        raise InferError(f"Tensors in list passed to 'inputs' of 'MergeSummary' Op have types "
                         f"[{', '.join(t.dtype for t in types)}] that do not match expected type string.")
    return [TensorType("string", ())]


# ---- kernels -------------------------------------------------------------------------------


def _bytes(value) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _tag(value) -> str:
    try:
        return _bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        raise KernelError(f"tag {_bytes(value)!r} is not UTF-8 (TensorBoard's protos hold text)") from None


def _shape_text(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _serialized(message):
    import numpy
    out = numpy.empty((), dtype=object)
    out[()] = message.SerializeToString()
    return out


def _scalar_kernel(env: KernelEnv):
    import numpy
    pb = summary_pb2()

    def scalar_summary(tags, values):
        tags, values = numpy.asarray(tags, dtype=object), numpy.asarray(values)
        if tags.shape != values.shape:
            single = f" (tag '{_bytes(tags.reshape(-1)[0]).decode('utf-8', 'replace')}')" if tags.size == 1 else ""
            raise KernelError(f"tags and values are not the same shape: {_shape_text(tags.shape)} != "
                              f"{_shape_text(values.shape)}{single}")
        summary = pb.Summary()
        for tag, value in zip(tags.reshape(-1), values.astype(numpy.float32).reshape(-1)):
            summary.value.add(tag=_tag(tag), simple_value=float(value))
        return _serialized(summary)
    return scalar_summary


@functools.lru_cache(maxsize=1)
def _bucket_limits() -> tuple[float, ...]:
    """histogram.cc's default limits: 1e-12 growing by 10% while under 1e20, mirrored, and 0
    (1,549 of them: made once, not on every step's summary)."""
    positive, v = [], 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1
    positive.append(DBL_MAX)
    return tuple([-x for x in reversed(positive)] + [0.0] + positive)


def histogram_proto(pb, values):
    """TF's `Histogram::EncodeToProto(proto, preserve_zero_buckets=false)` of float64 `values`."""
    import numpy
    limits = numpy.array(_bucket_limits())
    n = values.size
    proto = pb.HistogramProto(min=DBL_MAX, max=-DBL_MAX, num=float(n))
    if n:
        counts = numpy.bincount(numpy.searchsorted(limits, values, side="right"),
                                minlength=limits.size)[:limits.size].astype(numpy.float64)
        # Add() keeps the first of equal extremes (-0.0 vs 0.0): argmin/argmax do the same;
        # sums are accumulated in element order, as the kernel's loop does
        proto.min, proto.max = float(values[values.argmin()]), float(values[values.argmax()])
        proto.sum = float(numpy.cumsum(values)[-1])
        proto.sum_squares = float(numpy.cumsum(values * values)[-1])
    else:
        counts = numpy.zeros(limits.size)
    full = counts > 0
    keep = full.copy()                    # every full bucket, and the last of each empty run
    keep[:-1] |= full[1:]
    keep[-1] = True
    proto.bucket_limit.extend(limits[keep].tolist())
    proto.bucket.extend(counts[keep].tolist())
    return proto


def _histogram_kernel(env: KernelEnv):
    import numpy
    pb, node = summary_pb2(), env.node

    def histogram_summary(tag, values):
        tag = numpy.asarray(tag, dtype=object)
        if tag.shape != ():
            raise KernelError("tags must be scalar")
        flat = numpy.asarray(values).astype(numpy.float64).reshape(-1)
        finite = numpy.isfinite(flat)
        if not finite.all():
            first = flat[numpy.argmin(finite)]
            what = "Nan in summary histogram" if first != first else "Infinity in Histogram"
            raise KernelError(f"{what} for: {node}")
        summary = pb.Summary()
        summary.value.add(tag=_tag(tag[()]), histo=histogram_proto(pb, flat))
        return _serialized(summary)
    return histogram_summary


def _merge_kernel(env: KernelEnv):
    import numpy
    pb = summary_pb2()
    from google.protobuf.message import DecodeError

    def merge_summary(*inputs):
        merged, tags = pb.Summary(), set()
        for value in inputs:
            for serialized in numpy.asarray(value, dtype=object).reshape(-1):
                summary = pb.Summary()
                try:
                    summary.ParseFromString(_bytes(serialized))
                except DecodeError:
                    raise KernelError("Could not parse one of the summary inputs") from None
                for v in summary.value:
                    if v.tag and v.tag in tags:
                        raise KernelError(f"Duplicate tag {v.tag} found in summary inputs ")
                    tags.add(v.tag)
                    merged.value.add().CopyFrom(v)
        return _serialized(merged)
    return merge_summary


# ---- images ----------------------------------------------------------------------------------


def normalize_image(values, bad_color):
    """summary_image_op.cc's NormalizeFloatImage: one float image [h*w, depth] -> uint8."""
    import numpy
    dtype = values.dtype
    finite = numpy.isfinite(values).all(axis=1)
    seen = values[finite].astype(numpy.float32)       # min and max in float, as TF
    lo = seen.min() if seen.size else numpy.float32(numpy.inf)
    hi = seen.max() if seen.size else numpy.float32(-numpy.inf)
    threshold = numpy.float32(1e-6)
    if lo < 0:
        top = max(abs(lo), abs(hi))
        scale = numpy.float32(0) if top < threshold else numpy.float32(127) / top
        offset = numpy.float32(128)
    else:
        scale = numpy.float32(0) if hi < threshold else numpy.float32(255) / hi
        offset = numpy.float32(0)
    scaled = values * dtype.type(scale)                # in T, each operation rounded to T
    scaled = scaled + dtype.type(offset)
    image = numpy.where(finite[:, None], scaled, 0).astype(numpy.uint8)   # cast<uint8> truncates
    image[~finite] = bad_color[:values.shape[1]]
    return image


def _image_kernel(env: KernelEnv):
    import numpy
    pb = summary_pb2()
    max_images, bad_color = env.attrs["max_images"], numpy.array(env.attrs["bad_color"], dtype=numpy.uint8)

    def image_summary(tag, tensor):
        tag = numpy.asarray(tag, dtype=object)
        if tag.shape != ():
            raise KernelError("Tags must be a scalar")
        if tensor.ndim != 4 or tensor.shape[3] not in (1, 3, 4):
            raise KernelError(f"Tensor must be 4-D with last dim 1, 3, or 4, not {_shape_text(tensor.shape)}")
        batch, h, w, depth = tensor.shape
        if h * w == 0 or depth == 0:
            raise KernelError(f"input tensor must have non-zero dims. Found: [{batch}, {h}, {w}, {depth}].")
        if tensor.dtype != numpy.uint8 and bad_color.size < depth:
            raise KernelError(f"expected depth <= bad_color.size, got depth = {depth}, "
                              f"bad_color.size = {bad_color.size}")
        base = _tag(tag[()])
        summary = pb.Summary()
        for i in range(min(max_images, batch)):
            pixels = tensor[i].reshape(h * w, depth)
            if tensor.dtype != numpy.uint8:
                pixels = normalize_image(pixels, bad_color)
            value = summary.value.add(tag=f"{base}/image/{i}" if max_images > 1 else f"{base}/image")
            value.image.height, value.image.width, value.image.colorspace = h, w, depth
            value.image.encoded_image_string = png(pixels.reshape(h, w * depth), depth)
        return _serialized(summary)
    return image_summary


def _filtered_rows(rows, bpp: int):
    """The five PNG filters of every row (None, Sub, Up, Average, Paeth), int16 before & 0xff."""
    import numpy
    x = rows.astype(numpy.int16)
    left = numpy.zeros_like(x)
    left[:, bpp:] = x[:, :-bpp]
    up = numpy.zeros_like(x)
    up[1:] = x[:-1]                       # the first row's previous row is zeros
    upleft = numpy.zeros_like(x)
    upleft[:, bpp:] = up[:, :-bpp]
    p = up - upleft                       # libpng's Paeth: pa = |b - c|, pb = |a - c|, pc = |both|
    pc = left - upleft
    pa, pb, pc = numpy.abs(p), numpy.abs(pc), numpy.abs(p + pc)
    paeth = numpy.where((pa <= pb) & (pa <= pc), left, numpy.where(pb <= pc, up, upleft))
    return numpy.stack([x, x - left, x - up, x - (left + up) // 2, x - paeth]) & 0xFF


def png(rows, depth: int) -> bytes:
    """`rows` (uint8, [h, w*depth]) as TF's png::WriteImageToBuffer writes it with libpng 1.6:
    every filter tried per row, the least sum of |byte as signed| kept (the earlier on a tie;
    a 1-row image tries None and Sub, a 1-column one None and Up), zlib level 6, memLevel 9
    and Z_FILTERED (Z_DEFAULT_STRATEGY when only None is tried), the window narrowed to the
    image's size and the header's CINFO rewritten to fit it (libpng's optimize_cmf), IDAT
    chunks of 8192 bytes."""
    import zlib
    import numpy
    h, row_bytes = rows.shape
    w = row_bytes // depth
    allowed = [0, 1, 2, 3, 4]
    if h == 1:
        allowed = [f for f in allowed if f not in (2, 3, 4)]
    if w == 1:
        allowed = [f for f in allowed if f not in (1, 3, 4)]
    filtered = _filtered_rows(rows, depth)[allowed]
    cost = numpy.where(filtered < 128, filtered, 256 - filtered).sum(axis=2)
    best = cost.argmin(axis=0)
    chosen = filtered[best, numpy.arange(h)].astype(numpy.uint8)
    kinds = numpy.array(allowed, dtype=numpy.uint8)[best]
    data = numpy.concatenate([kinds[:, None], chosen], axis=1).tobytes()
    size = (row_bytes + 1) * h if row_bytes < 32768 and h < 32768 else 0xFFFFFFFF
    wbits, half = 15, 1 << 14
    if size <= 16384:
        while size + 262 <= half:
            half >>= 1
            wbits -= 1
    strategy = zlib.Z_FILTERED if allowed != [0] else zlib.Z_DEFAULT_STRATEGY
    z = zlib.compressobj(6, zlib.DEFLATED, wbits, 9, strategy)   # png_io.cc: MAX_MEM_LEVEL
    stream = bytearray(z.compress(data) + z.flush())
    _optimize_cmf(stream, size)
    color = {1: 0, 3: 2, 4: 6}[depth]
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))]
    chunks += [_chunk(b"IDAT", bytes(stream[at:at + 8192])) for at in range(0, len(stream), 8192)]
    chunks.append(_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _optimize_cmf(stream: bytearray, size: int) -> None:
    """libpng's optimize_cmf: the smallest window (CINFO) that covers `size` bytes."""
    cmf = stream[0]
    if size > 16384 or cmf & 0x0F != 8 or cmf & 0xF0 > 0x70:
        return
    cinfo = cmf >> 4
    half = 1 << (cinfo + 7)
    if size > half:
        return
    while True:
        half >>= 1
        cinfo -= 1
        if not (cinfo > 0 and size <= half):
            break
    cmf = (cmf & 0x0F) | (cinfo << 4)
    flg = stream[1] & 0xE0
    flg += 0x1F - ((cmf << 8) + flg) % 0x1F
    stream[0], stream[1] = cmf, flg


def _chunk(kind: bytes, data: bytes) -> bytes:
    import zlib
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bad_color(value) -> list[int]:
    if not isinstance(value, list) or not value or any(
            isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 255 for v in value):
        raise ValueError(f"bad_color must be a list of uint8 values, got {value!r}")
    return value


def _import_image(tf_attrs, consts) -> dict:
    bad = tf_attrs.get("bad_color")
    return {"max_images": tf_attrs.get("max_images", 3),
            "bad_color": [255, 0, 0, 255] if bad is None else [int(v) for v in bad.reshape(-1)]}


def _raw(op: str, *names: str, extra=lambda attrs: ""):
    """The export call: tf.raw_ops, which names the node as TF's own call would (`ScalarSummary`)."""
    def write(c) -> str:
        args = ", ".join(f"{n}={a}" for n, a in zip(names, c.args))
        return f"tf.raw_ops.{op}({args}{extra(c.attrs)}{c.kw})"
    return write


def _image_attrs(attrs) -> str:
    return (f", max_images={attrs['max_images']}, "
            f"bad_color=tf.compat.v1.make_tensor_proto({attrs['bad_color']}, tf.uint8)")


def _t(position: int):
    return lambda n, a, i, o: {"T": TFType(i[position].dtype)}


OPS = [
    OpDef("scalar_summary", "ScalarSummary", ("tags", "values"),
          _summary_infer("ScalarSummary", "tags", "values", REAL), _scalar_kernel,
          "TF's serialized Summary of scalar values, one per tag (tf.compat.v1.summary.scalar).",
          gpu=False, tf_op="ScalarSummary", tf_attrs=_t(1), tf=_raw("ScalarSummary", "tags", "values"),
          grad=no_gradient),   # TF: NotDifferentiable, as the three below
    OpDef("histogram_summary", "HistogramSummary", ("tag", "values"),
          _summary_infer("HistogramSummary", "tag", "values", REAL), _histogram_kernel,
          "TF's serialized Summary of a histogram of the values (tf.compat.v1.summary.histogram).",
          gpu=False, tf_op="HistogramSummary", tf_attrs=_t(1), tf=_raw("HistogramSummary", "tag", "values"),
          grad=no_gradient),
    OpDef("image_summary", "ImageSummary", ("tag", "tensor"),
          _summary_infer("ImageSummary", "tag", "tensor", IMAGE_TYPES), _image_kernel,
          "TF's serialized Summary of up to max_images PNG images of [batch, h, w, 1|3|4] "
          "(tf.compat.v1.summary.image).",
          attrs=(attr("max_images", 3, checks.positive),
                 attr("bad_color", [255, 0, 0, 255], _bad_color)),
          gpu=False, tf_op="ImageSummary", tf_import=_import_image,
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[1].dtype), "max_images": a["max_images"],
                                       "bad_color": ("tensor", a["bad_color"], "uint8")},
          tf=_raw("ImageSummary", "tag", "tensor", extra=_image_attrs), grad=no_gradient),
    OpDef("merge_summary", "MergeSummary", ("inputs",), _merge_infer, _merge_kernel,
          "The values of serialized Summary protos merged into one (tf.compat.v1.summary.merge, "
          "merge_all).", variadic=True, gpu=False, tf_op="MergeSummary",
          tf_attrs=lambda n, a, i, o: {"N": len(i)},
          tf=lambda c: f"tf.raw_ops.MergeSummary(inputs=[{', '.join(c.args)}]{c.kw})", grad=no_gradient),
]
