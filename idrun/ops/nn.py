"""Neural-network ops (array-module generic, NHWC only): conv2d, bias_add, embedding_lookup,
pooling, local response normalization, softmax and its losses, batch normalization, and the
activations TF1 models use. The gradient kernels are in `nn_grad`.

Padding is TF's: SAME pads `max((out - 1) * stride + k - size, 0)` with the smaller half on
top/left, VALID none. Where TF's CPU kernel has a fixed order of float operations that numpy
can follow (max_pool, avg_pool, relu6, adjust_contrast) the kernel follows it, so the values
are TF's bit for bit; where TF uses Eigen's vectorized exp/log or reductions (softmax, the
cross entropies, lrn, l2_loss, fused_batch_norm, elu) they agree to a few ulps.
"""

from __future__ import annotations

from idrun.dtypes import is_float, is_int, is_numeric
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr, py_literal
from idrun.ops.shapes import bounded, broadcast, format_dims, same_dtype
from idrun.ops.gradlib import shape_tensor
from idrun.ops.state import _read_kernel, embedding_lookup_grad


def hw(what: str):
    """A normalizer of `ksize`/`strides`: `2`, `[2, 2]` or TF's `[1, 2, 2, 1]` -> [h, w]."""
    def check(value) -> list[int]:
        if isinstance(value, int) and not isinstance(value, bool):
            return [checks.positive(value)] * 2
        if isinstance(value, list) and len(value) == 4 and value[0] == value[3] == 1:
            return [checks.positive(value[1]), checks.positive(value[2])]
        if isinstance(value, list) and len(value) == 2:
            return [checks.positive(v) for v in value]
        raise ValueError(f"{what} must be N, [h, w] or [1, h, w, 1] (NHWC: nothing on the batch "
                         f"or depth dimension), got {value!r}")
    return check


_strides = hw("strides")


def nhwc(value) -> str:
    """`data_format`: idrun runs NHWC only."""
    if value != "NHWC":
        raise ValueError(f"data_format {value!r} is not supported: idrun runs NHWC only "
                         "(transpose the input to NHWC)")
    return value


def tf_window(t: dict, key: str) -> list[int]:
    """An imported NHWC `ksize`/`strides` list -> [h, w] (refusing NCHW and dilations)."""
    nhwc(t.get("data_format", "NHWC"))
    if any(d != 1 for d in t.get("dilations", [1, 1, 1, 1])):
        raise ValueError(f"dilations {list(t['dilations'])} are not supported (only 1)")
    if t.get("padding") == "EXPLICIT":
        raise ValueError("padding EXPLICIT is not supported (SAME or VALID)")
    return hw(key)(list(t.get(key, [1, 1, 1, 1])))


def conv_import(t: dict, consts) -> dict:
    """An imported Conv2D (or its gradient): NHWC strides and padding; NCHW, dilations and
    EXPLICIT padding are refused (tf_window)."""
    return {"strides": tf_window(t, "strides"), "padding": t["padding"]}


def raw_op(tf_type: str, inputs: tuple[str, ...], attrs=lambda a: {}):
    """An export writer calling `tf.raw_ops.<tf_type>` (for ops TF's Python wraps in more ops)."""
    def write(c) -> str:
        args = [f"{n}={v}" for n, v in zip(inputs, c.args)]
        args += [f"{k}={py_literal(v)}" for k, v in attrs(c.attrs).items()]
        return f"tf.raw_ops.{tf_type}({', '.join(args)}{c.kw})"
    return write


def conv_out(size, k: int, stride: int, padding: str):
    if size is None:
        return None
    if padding == "SAME":
        return -(-size // stride)
    return (size - k) // stride + 1


def pads(size: int, k: int, stride: int, padding: str) -> tuple[int, int]:
    """TF's (before, after) padding of one spatial dimension."""
    if padding == "VALID":
        return 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


MAX_WINDOW = 1 << 16   # window positions: each is one pass over the tensor in Python
PATCH_BUDGET = 1 << 25  # elements of an im2col matrix (128 MB of float32); past it, one pass per offset
CONV_BLOCK = 1 << 23   # elements of a block's im2col matrix on numpy (32 MB of float32: few, big products)
CACHE_ELEMENTS = 1 << 16  # elements of one array in a kernel's block (256 KB of float32: several fit in L2)


def on_cpu(xp) -> bool:
    """Whether the array module is numpy (whose passes are worth keeping in cache)."""
    return getattr(xp, "__name__", "") == "numpy"


def block_rows(xp, rows: int, row_elements: int) -> int:
    """How many rows a kernel takes at a time: about CACHE_ELEMENTS elements on numpy, so
    that its passes over a block run from cache, every row at once on another array module
    (where each pass is a launch)."""
    if not on_cpu(xp):
        return max(rows, 1)
    return max(1, CACHE_ELEMENTS // max(row_elements, 1))


def check_window(k) -> None:
    """A window's positions are bounded: each is one pass over the tensor."""
    if k[0] * k[1] > MAX_WINDOW:
        raise KernelError(f"a {k[0]}x{k[1]} window has {k[0] * k[1]:,} positions, over idrun's limit of "
                          f"{MAX_WINDOW:,} (each position is one pass over the tensor)")


def pad_nhwc(xp, x, k, s, padding: str, fill=0):
    """x padded as TF pads it for a k window at stride s, and the output's (height, width).
    The window and the padded tensor are bounded first: a 20000x20000 window over a 2x2
    input is a step error here, not hours of passes or gigabytes of padding."""
    check_window(k)
    (pt, pb), (pl, pr) = pads(x.shape[1], k[0], s[0], padding), pads(x.shape[2], k[1], s[1], padding)
    bounded((x.shape[0], x.shape[1] + pt + pb, x.shape[2] + pl + pr, x.shape[3]), "the padded input")
    if pt or pb or pl or pr:
        x = xp.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=fill)
    return x, (x.shape[1] - k[0]) // s[0] + 1, (x.shape[2] - k[1]) // s[1] + 1


def window(x, i: int, j: int, out: tuple[int, int], s):
    """The values of a padded x under window offset (i, j) for every output position."""
    return x[:, i:i + s[0] * (out[0] - 1) + 1:s[0], j:j + s[1] * (out[1] - 1) + 1:s[1], :]


def conv_block(xp, n: int, per_image: int):
    """How many of n images a convolution's matrix product takes at a time, per_image elements
    of its matrix each: about CONV_BLOCK elements on numpy (the copy and the product then run
    from cache), as many as PATCH_BUDGET holds elsewhere; None when one image is past it."""
    if per_image > PATCH_BUDGET:
        return None
    return min(n, max(1, (CONV_BLOCK if on_cpu(xp) else PATCH_BUDGET) // max(per_image, 1)))


def patch_blocks(xp, x, k, s, out):
    """im2col a block of images at a time: (b0, b1, cols) for each block, cols the
    (images * oh * ow, kh * kw * c) matrix of every (kh, kw, c) window of images b0:b1 of a
    padded NHWC x, one row per output position, so that a convolution is a matrix product
    (BLAS) per block rather than kh * kw small ones (blocks of conv_block images; cols is one
    buffer, rewritten for the next block). None when one image's matrix is past PATCH_BUDGET
    (the caller makes one pass per window offset)."""
    n, _, _, c = x.shape
    block = conv_block(xp, n, out[0] * out[1] * k[0] * k[1] * c)
    if block is None:
        return None
    buf = xp.empty((block, out[0], out[1], k[0], k[1], c), dtype=x.dtype)
    sn, sh, sw, sc = x.strides

    def blocks():
        for b0 in range(0, n, block):
            b1 = min(n, b0 + block)
            view = xp.lib.stride_tricks.as_strided(
                x[b0:], (b1 - b0, out[0], out[1], k[0], k[1], c), (sn, sh * s[0], sw * s[1], sh, sw, sc))
            cols = buf[:b1 - b0]
            cols[...] = view
            yield b0, b1, cols.reshape(-1, k[0] * k[1] * c)
    return blocks()


def conv_gemm(xp, x, f, s, out):
    """conv2d of a padded NHWC x with an HWIO f as one matrix product per block of images
    (patch_blocks), or None when one image's patches are too big."""
    kh, kw, c, o = f.shape
    blocks = patch_blocks(xp, x, (kh, kw), s, out)
    if blocks is None:
        return None
    n, rows = x.shape[0], out[0] * out[1]
    result = xp.empty((n * rows, o), dtype=x.dtype)
    f = f.reshape(kh * kw * c, o)
    for b0, b1, cols in blocks:
        xp.matmul(cols, f, out=result[b0 * rows:b1 * rows])
    return result.reshape(n, out[0], out[1], o)


class Phases:
    """A pool's padded input split by stride phase, for whole passes over contiguous memory.

    Phase (a, b) is a (images, hq, wq, c) grid whose (y, x) holds the padded input's
    (a + sh * y, b + sw * x): window offset (i, j) of output (y, x) is then phase
    (i % sh, j % sw) at (y + i // sh, x + j // sw), and read flat, every output's input under
    offset (i, j) is one slice of a phase, `lanes` long from `offset(i, j)`. The grid is
    (oh + (kh - 1) // sh, ow + (kw - 1) // sw): its lanes past an output row are computed too
    and dropped."""

    def __init__(self, k, s, pads_hw, size_hw, out_hw, images: int, c: int):
        self.k, self.s, self.pads, self.size, self.out = k, s, pads_hw, size_hw, out_hw
        self.counts = (min(s[0], k[0]), min(s[1], k[1]))    # phases a window reaches
        self.grid = (images, out_hw[0] + (k[0] - 1) // s[0], out_hw[1] + (k[1] - 1) // s[1], c)
        size = images * self.grid[1] * self.grid[2] * c
        self.lanes = size - self.offset(k[0] - 1, k[1] - 1)

    def offset(self, i: int, j: int) -> int:
        return ((i // self.s[0]) * self.grid[2] + j // self.s[1]) * self.grid[3]

    def spans(self, a: int, b: int):
        """(grid slices, input slices) of the inputs phase (a, b) holds (none: padding)."""
        out = []
        for d, p in ((0, a), (1, b)):
            s, pad, size, cells = self.s[d], self.pads[d], self.size[d], self.grid[1 + d]
            first = 0 if p >= pad else -(-(pad - p) // s)   # the first cell on an input
            start = p + s * first - pad
            count = max(0, min(cells - first, -(-(size - start) // s)))
            out.append((slice(first, first + count), slice(start, start + s * (count - 1) + 1, s)))
        return (out[0][0], out[1][0]), (out[0][1], out[1][1])

    def split(self, xp, x, fill):
        """x (images, h, w, c) as the phases' flat arrays, `fill` where the input is padding."""
        phases = xp.full((*self.counts, *self.grid), fill, dtype=x.dtype)
        for a in range(self.counts[0]):
            for b in range(self.counts[1]):
                (gy, gx), (iy, ix) = self.spans(a, b)
                phases[a, b, :, gy, gx] = x[:, iy, ix]
        return phases.reshape(*self.counts, -1)

    def join(self, xp, phases, dtype):
        """The (images, h, w, c) input that flat phases (as split makes them) stand for; 0
        where no window reaches."""
        phases = phases.reshape(*self.counts, *self.grid)
        out = xp.zeros((self.grid[0], *self.size, self.grid[3]), dtype=dtype)
        for a in range(self.counts[0]):
            for b in range(self.counts[1]):
                (gy, gx), (iy, ix) = self.spans(a, b)
                out[:, iy, ix] = phases[a, b, :, gy, gx]
        return out

    def on_grid(self, xp, v, fill):
        """An (images, oh, ow, ...) output-shaped v laid on the grid, flat, `lanes` long."""
        grid = xp.full(self.grid, fill, dtype=v.dtype)
        grid[:, :self.out[0], :self.out[1]] = v
        return grid.reshape(-1)[:self.lanes]

    def off_grid(self, grid):
        """The (images, oh, ow, c) outputs of a flat grid whose first `lanes` are them."""
        return grid.reshape(self.grid)[:, :self.out[0], :self.out[1]]

    def under(self, phases, i: int, j: int):
        """The flat inputs under window offset (i, j) of every output lane."""
        at = self.offset(i, j)
        return phases[i % self.s[0], j % self.s[1], at:at + self.lanes]


def phase_blocks(xp, shape, k, s, padding: str):
    """A pool over an NHWC shape a block of images at a time (block_rows of them, so that its
    passes over a block run from cache): the output's (height, width) and an iterator of
    (b0, b1, Phases of images b0:b1). The window and the padded input are bounded first."""
    n, h, w, c = shape
    check_window(k)
    (pt, pb), (pl, pr) = pads(h, k[0], s[0], padding), pads(w, k[1], s[1], padding)
    bounded((n, h + pt + pb, w + pl + pr, c), "the padded input")
    out = (h + pt + pb - k[0]) // s[0] + 1, (w + pl + pr - k[1]) // s[1] + 1
    block = max(1, min(n, block_rows(xp, n, out[0] * out[1] * c)))

    def blocks():
        for b0 in range(0, n, block):
            b1 = min(n, b0 + block)
            yield b0, b1, Phases(k, s, (pt, pl), (h, w), out, b1 - b0, c)
    return out, blocks()


def check_rank(shape, rank: int, op: str) -> None:
    if shape is not None and len(shape) != rank:
        raise InferError(f"Shape must be rank {rank} but is rank {len(shape)} for '{op}' "
                         f"with input shapes: {format_dims(shape)}")


def float_input(t: TensorType, op: str) -> TensorType:
    if not is_float(t.dtype):
        raise InferError(f"{op} expects a float input, got {t.dtype}")
    return t


def spatial_out(size, k: int, s: int, padding: str):
    """An output size as TF's shape functions compute it (None when unknown); a VALID window
    larger than the input is TF's error."""
    if size is not None and padding == "VALID" and size < k:
        raise InferError(f"Negative dimension size caused by subtracting {k} from {size}")
    return conv_out(size, k, s, padding)


def runtime_out(size: int, k: int, s: int, padding: str) -> int:
    """An output size as TF's kernels compute it (C++ division: a VALID window up to one stride
    past the input gives 0), or TF's error when it would be negative."""
    if padding == "SAME":
        return -(-size // s)
    q = size - k + s
    out = q // s if q >= 0 else -(-q // s)
    if out < 0:
        raise KernelError(f"Computed output size would be negative: {out} [input_size: {size}, "
                          f"effective_filter_size: {k}, stride: {s}]")
    return out


def _conv2d_infer(attrs, types, consts):
    dtype = same_dtype(types, ("input", "filter"), "Conv2D")
    x, f = types[0].shape, types[1].shape
    if x is not None and len(x) != 4 or f is not None and len(f) != 4:
        raise InferError("conv2d needs a rank-4 NHWC input and a rank-4 HWIO filter")
    if x is None or f is None:
        return [TensorType(dtype, None)]
    if None not in (x[3], f[2]) and x[3] != f[2]:
        raise InferError(f"input depth {x[3]} does not match filter in-channels {f[2]}")
    sh, sw = attrs["strides"]
    h, w = conv_out(x[1], f[0], sh, attrs["padding"]), conv_out(x[2], f[1], sw, attrs["padding"])
    if (h is not None and h <= 0) or (w is not None and w <= 0):
        raise InferError(f"filter {list(f[:2])} is larger than the input {list(x[1:3])} (VALID)")
    return [TensorType(dtype, (x[0], h, w, f[3]))]


def _conv2d_kernel(env: KernelEnv):
    xp, (sh, sw), padding = env.xp, env.attrs["strides"], env.attrs["padding"]

    def conv2d(x, f):
        kh, kw, c, o = f.shape
        x, oh, ow = pad_nhwc(xp, xp.ascontiguousarray(x), (kh, kw), (sh, sw), padding)
        if x.shape[0] * oh * ow == 0:
            return xp.zeros((x.shape[0], oh, ow, o), dtype=x.dtype)
        y = conv_gemm(xp, x, f, (sh, sw), (oh, ow))
        if y is not None:
            return y
        out = xp.zeros((x.shape[0], oh, ow, o), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                out += xp.tensordot(window(x, i, j, (oh, ow), (sh, sw)), f[i, j], axes=([3], [0]))
        return out
    return conv2d


def _bias_add_infer(attrs, types, consts):
    dtype = same_dtype(types, ("value", "bias"), "BiasAdd")
    value, bias = types[0].shape, types[1].shape
    if bias is not None and len(bias) != 1:
        raise InferError(f"bias must be rank 1, got shape {list(bias)}")
    if value is not None and bias is not None and None not in (value[-1], bias[0]) and value[-1] != bias[0]:
        raise InferError(f"bias of size {bias[0]} does not match the last dimension {value[-1]}")
    return [TensorType(dtype, value)]


def _embedding_infer(attrs, types, consts):
    params, ids = types
    if not is_int(ids.dtype):
        raise InferError(f"ids must be integers, got {ids.dtype}")
    if params.shape is None or ids.shape is None:
        return [TensorType(params.dtype, None)]
    return [TensorType(params.dtype, tuple(ids.shape) + tuple(params.shape[1:]))]


def _embedding_kernel(env: KernelEnv):
    xp = env.xp
    if 0 in env.ref_positions:  # params is the variable itself: gather where it lives
        read = _read_kernel(env)  # TF's error for a variable never initialized
        return lambda cell, ids: xp.take(read(cell), ids, axis=0)
    return lambda params, ids: xp.take(params, ids, axis=0)


# ---- pooling -----------------------------------------------------------------------------

def _pool_infer(op: str, numeric: bool):
    def infer(attrs, types, consts):
        t = types[0]
        if not (is_numeric(t.dtype) if numeric else is_float(t.dtype)):
            raise InferError(f"{op} expects a {'numeric' if numeric else 'float'} input, got {t.dtype}")
        check_rank(t.shape, 4, op)
        if t.shape is None:
            return [TensorType(t.dtype, (None,) * 4)]
        (kh, kw), (sh, sw), pad = attrs["ksize"], attrs["strides"], attrs["padding"]
        n, h, w, c = t.shape
        return [TensorType(t.dtype, (n, spatial_out(h, kh, sh, pad), spatial_out(w, kw, sw, pad), c))]
    return infer


def _empty_pool(xp, x, k, s, padding):
    """The output of a pool with no output positions (a VALID window past the input), else None."""
    oh = [runtime_out(x.shape[1 + d], k[d], s[d], padding) for d in (0, 1)]
    if min(oh) == 0:
        return xp.zeros((x.shape[0], oh[0], oh[1], x.shape[3]), dtype=x.dtype)
    return None


def _max_pool_kernel(env: KernelEnv):
    xp, k, s, padding = env.xp, env.attrs["ksize"], env.attrs["strides"], env.attrs["padding"]
    dtype = env.out_types[0].dtype
    lowest = float("-inf") if is_float(dtype) else xp.iinfo(dtype).min

    def max_pool(x):
        empty = _empty_pool(xp, x, k, s, padding)
        if empty is not None:
            return empty
        (oh, ow), blocks = phase_blocks(xp, x.shape, k, s, padding)
        out = xp.empty((x.shape[0], oh, ow, x.shape[3]), dtype=x.dtype)
        # padded with values that never win, as TF skips padding
        for b0, b1, ph in blocks:
            phases = ph.split(xp, x[b0:b1], lowest)
            grid = xp.empty(phases.shape[-1], dtype=x.dtype)
            best = grid[:ph.lanes]
            best[...] = ph.under(phases, 0, 0)
            for i in range(k[0]):
                for j in range(k[1]):
                    if i or j:
                        xp.maximum(best, ph.under(phases, i, j), out=best)
            out[b0:b1] = ph.off_grid(grid)
        return out
    return max_pool


def pool_counts(xp, shape, k, s, padding: str, dtype):
    """How many input positions (not padding) each output position of a pool averages."""
    ones = xp.ones((1, shape[1], shape[2], 1), dtype=dtype)
    ones, oh, ow = pad_nhwc(xp, ones, k, s, padding)
    count = xp.zeros((1, oh, ow, 1), dtype=dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            count += window(ones, i, j, (oh, ow), s)
    return count


def _avg_pool_kernel(env: KernelEnv):
    xp, k, s, padding = env.xp, env.attrs["ksize"], env.attrs["strides"], env.attrs["padding"]

    def avg_pool(x):
        empty = _empty_pool(xp, x, k, s, padding)
        if empty is not None:
            return empty
        count = pool_counts(xp, x.shape, k, s, padding, x.dtype)
        x, oh, ow = pad_nhwc(xp, x, k, s, padding)
        # TF's SpatialAvgPool adds a window's inputs to 0 row by row, then divides by the count
        out = xp.zeros((x.shape[0], oh, ow, x.shape[3]), dtype=x.dtype)
        for i in range(k[0]):
            for j in range(k[1]):
                out += window(x, i, j, (oh, ow), s)
        return out / count
    return avg_pool


POOL_ATTRS = (attr("ksize", check=hw("ksize"), doc="window [h, w] (or TF's [1, h, w, 1])"),
              attr("strides", check=hw("strides"), doc="[h, w] (or TF's [1, h, w, 1])"),
              attr("padding", check=checks.padding), attr("data_format", "NHWC", nhwc))


def pool_tf_attrs(explicit: bool):
    def make(n, a, i, o):
        out = {"T": TFType(i[0].dtype), "ksize": [1, *a["ksize"], 1], "strides": [1, *a["strides"], 1],
               "padding": a["padding"], "data_format": "NHWC"}
        if explicit:
            out["explicit_paddings"] = []
        return out
    return make


def pool_import(t, c) -> dict:
    return {"ksize": tf_window(t, "ksize"), "strides": tf_window(t, "strides"), "padding": t["padding"]}


def _pool_tf(fn: str):
    return lambda c: (f"{fn}({c.args[0]}, ksize=[1, {', '.join(map(str, c.attrs['ksize'] or []))}, 1], "
                      f"strides=[1, {', '.join(map(str, c.attrs['strides'] or []))}, 1], "
                      f"padding={c.attrs['padding']!r}{c.kw})")


# ---- local response normalization ----------------------------------------------------------

def _depth_radius(value) -> int:
    radius = checks.integer(value)
    if not 0 <= radius < 2**31:   # TF: an int32 attribute, and its kernel's check
        raise ValueError(f"depth_radius = {radius} larger than int max" if radius >= 0
                         else f"depth_radius = {radius} must be non-negative")
    return radius


LRN_ATTRS = (attr("depth_radius", 5, _depth_radius), attr("bias", 1.0, checks.number),
             attr("alpha", 1.0, checks.number), attr("beta", 0.5, checks.number))


def lrn_tf_attrs(n, a, i, o) -> dict:
    return {"T": TFType(i[0].dtype), "depth_radius": a["depth_radius"], "bias": a["bias"],
            "alpha": a["alpha"], "beta": a["beta"]}


def lrn_import(t, c) -> dict:
    return {k: t.get(k, d.default) for k, d in zip(("depth_radius", "bias", "alpha", "beta"), LRN_ATTRS)}


def lrn_sums(xp, sq, radius: int):
    """sum of sq[..., k] for k in [j - radius, j + radius] (clipped to the depth), for each j."""
    depth = sq.shape[-1]
    radius = min(radius, max(depth - 1, 0))   # past the depth a window holds only zeros
    padded = xp.pad(sq, [(0, 0)] * (sq.ndim - 1) + [(radius, radius)]) if radius > 0 else sq
    out = xp.zeros_like(sq)
    for k in range(2 * radius + 1 if radius > 0 else 1):
        out += padded[..., k:k + depth]
    return out


def _lrn_infer(attrs, types, consts):
    float_input(types[0], "LRN")
    check_rank(types[0].shape, 4, "LRN")
    return [TensorType(types[0].dtype, types[0].shape or (None,) * 4)]


def _lrn_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.out_types[0].dtype
    radius = env.attrs["depth_radius"]
    alpha, bias, beta = (xp.asarray(env.attrs[k], dtype=dtype) for k in ("alpha", "bias", "beta"))

    def lrn(x):
        norm = lrn_sums(xp, x * x, radius) * alpha + bias
        if beta == 1:
            return x * (1 / norm)
        if beta == 0.5:
            return x * (1 / xp.sqrt(norm))
        return x * xp.exp(xp.log(norm) * -beta)  # TF's formula (Eigen's exp and log)
    return lrn


def _lrn_grad(g, op, grads):
    """TF's `_LRNGrad`: LRNGrad(grad, input, output) with the op's attributes."""
    attrs = {k: op.attrs[k] for k in ("depth_radius", "bias", "alpha", "beta")}
    return [g.make("lrn_grad", "LRNGrad", [grads[0], op.inputs[0], op.outputs[0]], attrs)]


# ---- softmax and the cross entropies -------------------------------------------------------

def _softmax_infer(op: str):
    def infer(attrs, types, consts):
        t = types[0]
        float_input(t, op)
        if t.shape is not None and len(t.shape) < 1:
            raise InferError(f"Shape must be at least rank 1 but is rank 0 for '{op}'")
        return [t]
    return infer


def _softmax_kernel(log: bool):
    def make(env: KernelEnv):
        xp = env.xp

        def softmax(x):
            shifted = x - xp.max(x, axis=-1, keepdims=True)
            if log:
                return shifted - xp.log(xp.sum(xp.exp(shifted), axis=-1, keepdims=True))
            e = xp.exp(shifted)
            return e * (1 / xp.sum(e, axis=-1, keepdims=True))
        return softmax
    return make


def _xent_infer(attrs, types, consts):
    dtype = same_dtype(types, ("features", "labels"), "SoftmaxCrossEntropyWithLogits")
    float_input(types[0], "SoftmaxCrossEntropyWithLogits")
    logits, labels = types[0].shape, types[1].shape
    if logits is None or labels is None:
        return [TensorType(dtype, (None,)), TensorType(dtype, (None, None))]
    try:
        shape = broadcast(logits, labels)
    except InferError:
        raise InferError(f"logits and labels must be broadcastable: logits_size={format_dims(logits)} "
                         f"labels_size={format_dims(labels)}") from None
    if len(shape) != 2:
        raise InferError("logits and labels must be either 2-dimensional, or broadcasted to be "
                         f"2-dimensional, got {format_dims(logits)} and {format_dims(labels)}")
    return [TensorType(dtype, shape[:1]), TensorType(dtype, shape)]


def _xent_kernel(env: KernelEnv):
    xp = env.xp

    def softmax_cross_entropy_with_logits(logits, labels):
        logits, labels = xp.broadcast_arrays(logits, labels)
        shifted = logits - xp.max(logits, axis=1, keepdims=True)
        sum_exp = xp.sum(xp.exp(shifted), axis=1, keepdims=True)
        loss = xp.sum(labels * (xp.log(sum_exp) - shifted), axis=1)
        return loss, xp.exp(shifted) / sum_exp - labels
    return softmax_cross_entropy_with_logits


def _sparse_xent_infer(attrs, types, consts):
    logits, labels = types
    float_input(logits, "SparseSoftmaxCrossEntropyWithLogits")
    if labels.dtype not in ("int32", "int64"):
        raise InferError(f"labels must be int32 or int64, got {labels.dtype}")
    if logits.shape is not None and len(logits.shape) != 2:
        raise InferError(f"logits must be 2-D, but got shape {format_dims(logits.shape)}")
    if labels.shape is not None and len(labels.shape) != 1:
        raise InferError(f"labels must be 1-D, but got shape {format_dims(labels.shape)}")
    batch, depth = logits.shape if logits.shape is not None else (None, None)
    if labels.shape is not None:
        if None not in (batch, labels.shape[0]) and batch != labels.shape[0]:
            raise InferError("logits and labels must have the same first dimension, got logits shape "
                             f"{format_dims(logits.shape)} and labels shape {format_dims(labels.shape)}")
        batch = batch if batch is not None else labels.shape[0]
    return [TensorType(logits.dtype, (batch,)), TensorType(logits.dtype, (batch, depth))]


def _sparse_xent_kernel(env: KernelEnv):
    xp = env.xp

    def sparse_softmax_cross_entropy_with_logits(logits, labels):
        depth = logits.shape[1]
        bad = (labels < 0) | (labels >= depth)
        if bool(bad.any()):
            first = int(labels[bad][0])
            raise KernelError(f"Received a label value of {first} which is outside the valid range of "
                              f"[0, {depth}).  Label values: {' '.join(str(int(v)) for v in labels)}")
        shifted = logits - xp.max(logits, axis=1, keepdims=True)
        sum_exp = xp.sum(xp.exp(shifted), axis=1, keepdims=True)
        rows = xp.arange(logits.shape[0])
        loss = xp.log(sum_exp[:, 0]) - shifted[rows, labels]
        backprop = xp.exp(shifted) / sum_exp
        backprop[rows, labels] -= 1
        return loss, backprop
    return sparse_softmax_cross_entropy_with_logits


# ---- batch normalization -------------------------------------------------------------------

BN_INPUTS = ("x", "scale", "offset", "mean", "variance")


def bn_types(types, names, op: str, stats: tuple[int, ...]):
    """x's type and the channel count, checking scale/offset (and `stats`) are float32 [C]."""
    x = types[1] if op.startswith("FusedBatchNormGrad") else types[0]
    if x.dtype not in ("float16", "float32"):
        raise InferError(f"{op} expects x of float16 or float32, got {x.dtype}")
    check_rank(x.shape, 4, op)
    depth = None if x.shape is None else x.shape[3]
    for k in stats:
        t = types[k]
        if t.dtype != "float32":
            raise InferError(f"{op} expects {names[k]} of float32, got {t.dtype}")
        check_rank(t.shape, 1, op)
        if t.shape is not None and None not in (t.shape[0], depth) and t.shape[0] != depth:
            raise InferError(f"{names[k]} must have the same number of elements as the channels of x, "
                             f"got {t.shape[0]} and {depth}")
    return x, depth


def _bn_infer(attrs, types, consts):
    running = not attrs["is_training"] or attrs["exponential_avg_factor"] != 1
    x, depth = bn_types(types, BN_INPUTS, "FusedBatchNormV3", (1, 2, 3, 4) if running else (1, 2))
    stat = TensorType("float32", (depth,))
    return [TensorType(x.dtype, x.shape or (None,) * 4), stat, stat, stat, stat, TensorType("float32", None)]


def _bn_kernel(env: KernelEnv):
    xp, f32 = env.xp, "float32"
    eps = xp.asarray(env.attrs["epsilon"], dtype=f32)
    factor = xp.asarray(env.attrs["exponential_avg_factor"], dtype=f32)
    training, dtype = env.attrs["is_training"], env.out_types[0].dtype

    def fused_batch_norm(x, scale, offset, mean, variance):
        depth = x.shape[3]
        rows = x.reshape(-1, depth).astype(f32)
        if training:
            n = rows.shape[0]
            batch_mean = rows.sum(axis=0) * xp.asarray(1 / xp.float32(n), dtype=f32)
            centered = rows - batch_mean
            batch_var = (centered * centered).sum(axis=0) * xp.asarray(1 / xp.float32(n), dtype=f32)
        else:
            batch_mean, batch_var, centered = mean, variance, rows - mean
        y = (centered * ((1 / xp.sqrt(batch_var + eps)) * scale) + offset).astype(dtype)
        zero = xp.zeros((), dtype=f32)
        if not training:
            zeros = xp.zeros(depth, dtype=f32)  # what TF's CPU kernel leaves in them
            return y.reshape(x.shape), mean.copy(), variance.copy(), zeros, zeros.copy(), zero
        adjust = xp.float32(n) / xp.float32(max(n - 1, 1))  # Bessel's correction
        new_mean, new_var = batch_mean, batch_var * adjust
        if factor != 1:
            new_mean = (1 - factor) * mean + factor * batch_mean
            new_var = (1 - factor) * variance + (factor * adjust) * batch_var
        return y.reshape(x.shape), new_mean, new_var, batch_mean, batch_var, zero
    return fused_batch_norm


def _fused_batch_norm_grad(g, op, grads):
    """TF's `_FusedBatchNormV3Grad` (`_BaseFusedBatchNormGrad`, version 2): one
    FusedBatchNormGradV3 on the op's reserve spaces (training) or its population mean and
    variance inputs (inference); gradients for x, scale and offset, none for mean and variance."""
    training = op.attrs["is_training"]
    stats = [op.outputs[3], op.outputs[4]] if training else [op.inputs[3], op.inputs[4]]
    dx = g.make("fused_batch_norm_grad", "FusedBatchNormGradV3",
                [grads[0], op.inputs[0], op.inputs[1], *stats, op.outputs[5]],
                {"epsilon": op.attrs["epsilon"], "is_training": training, "data_format": "NHWC"})
    return [dx, g.output(dx, 1), g.output(dx, 2), None, None]


def bn_tf_attrs(n, a, i, o) -> dict:
    x = i[1] if len(i) == 6 else i[0]
    return {"T": TFType(x.dtype), "U": TFType("float32"), "epsilon": a["epsilon"],
            "data_format": "NHWC", "is_training": a["is_training"],
            **({} if len(i) == 6 else {"exponential_avg_factor": a["exponential_avg_factor"]})}


def bn_import(t, c) -> dict:
    nhwc(t.get("data_format", "NHWC"))
    out = {"epsilon": t.get("epsilon", 0.0001), "is_training": bool(t.get("is_training", True))}
    if "exponential_avg_factor" in t:
        out["exponential_avg_factor"] = t["exponential_avg_factor"]
    return out


# ---- activations and the rest ---------------------------------------------------------------

def _elementwise_infer(op: str, numeric: bool):
    def infer(attrs, types, consts):
        t = types[0]
        if not (is_numeric(t.dtype) if numeric else is_float(t.dtype)):
            raise InferError(f"{op} expects a {'numeric' if numeric else 'float'} input, got {t.dtype}")
        return [t]
    return infer


def _relu6_kernel(env: KernelEnv):
    xp, dtype = env.xp, env.out_types[0].dtype
    zero, six = xp.zeros((), dtype=dtype), xp.asarray(6, dtype=dtype)
    return lambda x: xp.minimum(xp.maximum(x, zero), six)


def _elu_kernel(env: KernelEnv):
    xp = env.xp
    return lambda x: xp.where(x < 0, xp.exp(x) - 1, x)


def _l2_loss_kernel(env: KernelEnv):
    xp, half = env.xp, env.xp.asarray(0.5, dtype=env.out_types[0].dtype)
    return lambda x: xp.sum(x * x * half, dtype=x.dtype)


def _adjust_contrast_infer(attrs, types, consts):
    images, factor = types
    if images.dtype not in ("float16", "float32") or factor.dtype != "float32":
        raise InferError(f"AdjustContrastv2 expects float images and a float32 contrast_factor, "
                         f"got {images.dtype} and {factor.dtype}")
    if images.shape is not None and len(images.shape) < 3:
        raise InferError(f"input must be at least 3-D, got shape {format_dims(images.shape)}")
    if factor.shape is not None and len(factor.shape) != 0:
        raise InferError(f"contrast_factor must be scalar: {format_dims(factor.shape)}")
    return [images]


def _adjust_contrast_kernel(env: KernelEnv):
    xp = env.xp

    def adjust_contrast(images, factor):
        shape, f32 = images.shape, "float32"
        x = images.astype(f32).reshape(-1, shape[-3] * shape[-2], shape[-1])
        # TF's CPU kernel: sum each image by folding it in half until one pixel is left ...
        size, acc = x.shape[1], x
        while size > 1:
            right = size // 2
            left = size - right
            acc = xp.concatenate([acc[:, left:left + right] + acc[:, :right], acc[:, right:left]], axis=1)
            size = left
        mean = acc[:, :1] * (xp.float32(1) / xp.float32(max(x.shape[1], 1)))
        # ... then output = mean + factor * (input - mean), in that order
        return (mean + factor.astype(f32) * (x - mean)).astype(images.dtype).reshape(shape)
    return adjust_contrast


def _bias_add_grad(g, op, grads):
    grad = grads[0]
    return [grad, g.make("bias_add_grad", "BiasAddGrad", [grad])]


def _l2_loss_grad(g, op, grads):
    return [g.make("mul", "mul", [op.inputs[0], grads[0]])]


def _expand_last(g, vec, mat):
    """TF's `_BroadcastMul(vec, mat)`: expand_dims(vec, -1) * mat."""
    dim = g.const("ExpandDims/dim", -1, "int32")
    return g.make("mul", "mul", [g.make("expand_dims", "ExpandDims", [vec, dim]), mat])


def _sparse_xent_grad(g, op, grads):
    if grads[1] is not None and not g.is_zeros(grads[1]):
        g.unsupported(op, "a gradient through the backprop output of the cross entropy")
    return [_expand_last(g, grads[0], op.outputs[1]), None]


def _xent_grad(g, op, grads):
    if grads[1] is not None and not g.is_zeros(grads[1]):
        g.unsupported(op, "a gradient through the backprop output of the cross entropy")
    # TF: `_BroadcastMul(grad_loss, softmax_grad)`, and for labels `_BroadcastMul(grad_loss,
    # -nn_ops.log_softmax(logits))`
    grad = _expand_last(g, grads[0], op.outputs[1])
    log_softmax = g.make("log_softmax", "LogSoftmax", [op.inputs[0]])
    neg = g.make("neg", "Neg", [log_softmax])
    dim = g.const("ExpandDims_1/dim", -1, "int32")
    return [grad, g.make("mul", "mul_1", [g.make("expand_dims", "ExpandDims_1", [grads[0], dim]), neg])]


def _softmax_grad(g, op, grads):
    """TF: `(grad - reduce_sum(grad * softmax, -1, keepdims=True)) * softmax`."""
    softmax = op.outputs[0]
    product = g.make("mul", "mul", [grads[0], softmax])
    summed = g.make("reduce_sum", "Sum", [product], {"axis": -1, "keepdims": True})
    return [g.make("mul", "mul_1", [g.make("sub", "sub", [grads[0], summed]), softmax])]


def _conv2d_grad(g, op, grads):
    """TF: `ShapeN` of input and filter, then Conv2DBackpropInput and Conv2DBackpropFilter."""
    shapes = g.make("shape_n", "ShapeN", [op.inputs[0], op.inputs[1]], {"out_type": "int32"})
    attrs = {"strides": op.attrs["strides"], "padding": op.attrs["padding"], "data_format": "NHWC"}
    return [g.make("conv2d_backprop_input", "Conv2DBackpropInput",
                   [g.output(shapes, 0), op.inputs[1], grads[0]], attrs),
            g.make("conv2d_backprop_filter", "Conv2DBackpropFilter",
                   [op.inputs[0], g.output(shapes, 1), grads[0]], attrs)]


def _max_pool_grad(g, op, grads):
    attrs = {k: op.attrs[k] for k in ("ksize", "strides", "padding")}
    return [g.make("max_pool_grad", "MaxPoolGrad", [op.inputs[0], op.outputs[0], grads[0]],
                   {**attrs, "data_format": "NHWC"})] + [None] * (len(op.inputs) - 1)


def _avg_pool_grad(g, op, grads):
    """TF: AvgPoolGrad(shape(input) as int32, grad)."""
    attrs = {k: op.attrs[k] for k in ("ksize", "strides", "padding")}
    shape = shape_tensor(g, op.inputs[0])
    return [g.make("avg_pool_grad", "AvgPoolGrad", [shape, grads[0]], {**attrs, "data_format": "NHWC"})]


def _log_softmax_grad(g, op, grads):
    """TF: `grad - reduce_sum(grad, -1, keepdims=True) * exp(log_softmax)`."""
    softmax = g.make("exp", "Exp", [op.outputs[0]])
    summed = g.make("reduce_sum", "Sum", [grads[0]], {"axis": -1, "keepdims": True})
    return [g.make("sub", "sub", [grads[0], g.make("mul", "mul", [summed, softmax])])]


def _relu6_grad(g, op, grads):
    return [g.make("relu6_grad", "Relu6Grad", [grads[0], op.outputs[0]])]


def _elu_grad(g, op, grads):
    return [g.make("elu_grad", "EluGrad", [grads[0], op.outputs[0]])]


OPS = [
    OpDef("conv2d", "Conv2D", ("input", "filter"), _conv2d_infer, _conv2d_kernel,
          "2-D convolution of an NHWC input with an HWIO filter.", typed_with=(0, 1),
          attrs=(attr("strides", [1, 1, 1, 1], _strides), attr("padding", check=checks.padding)),
          tf=lambda c: f"tf.nn.conv2d({c.args[0]}, {c.args[1]}, strides=[1, {c.attrs['strides'][0]}, "
                       f"{c.attrs['strides'][1]}, 1], padding={c.attrs['padding']!r}{c.kw})",
          tf_op="Conv2D",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "strides": [1, *a["strides"], 1],
                                       "padding": a["padding"], "data_format": "NHWC",
                                       "dilations": [1, 1, 1, 1], "use_cudnn_on_gpu": True},
          tf_import=conv_import, grad=_conv2d_grad),
    OpDef("bias_add", "BiasAdd", ("value", "bias"), _bias_add_infer,
          lambda env: env.xp.add, "value + bias along the last dimension.", typed_with=(0, 1),
          tf="tf.nn.bias_add", tf_op="BiasAdd",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "data_format": "NHWC"}, grad=_bias_add_grad),
    OpDef("embedding_lookup", "embedding_lookup", ("params", "ids"), _embedding_infer,
          _embedding_kernel, "Rows of params by id: a gather with params (built under "
          "colocate_with(params), as TF's), then `<name>/Identity`, which the name refers to.",
          variable_inputs=(0,), colocate_input=0, returns_identity=True, variable_group=True,
          tf="tf.nn.embedding_lookup",
          helpers=lambda a, on_handle: () if on_handle else ("axis",),  # ResourceGather: none
          grad=embedding_lookup_grad),
    OpDef("max_pool", "MaxPool", ("input",), _pool_infer("MaxPool", True), _max_pool_kernel,
          "Max over each ksize window at strides (NHWC; SAME or VALID as TF pads).", attrs=POOL_ATTRS,
          tf=_pool_tf("tf1.nn.max_pool"), tf_op="MaxPool", tf_attrs=pool_tf_attrs(True), tf_import=pool_import, grad=_max_pool_grad),
    OpDef("avg_pool", "AvgPool", ("value",), _pool_infer("AvgPool", False), _avg_pool_kernel,
          "Mean over each ksize window at strides; SAME windows average their inputs only (NHWC).",
          attrs=POOL_ATTRS, tf=_pool_tf("tf1.nn.avg_pool"), tf_op="AvgPool", tf_attrs=pool_tf_attrs(False),
          tf_import=pool_import, grad=_avg_pool_grad),
    OpDef("local_response_normalization", "LRN", ("input",), _lrn_infer, _lrn_kernel,
          "x / (bias + alpha * sum of x^2 over depth_radius channels each side) ** beta (tf.nn.lrn).",
          attrs=LRN_ATTRS, tf_op="LRN", tf_attrs=lrn_tf_attrs, tf_import=lrn_import,
          tf=lambda c: f"tf.nn.local_response_normalization({c.args[0]}, "
                       f"depth_radius={c.attrs['depth_radius']}, bias={c.attrs['bias']}, "
                       f"alpha={c.attrs['alpha']}, beta={c.attrs['beta']}{c.kw})", grad=_lrn_grad),
    OpDef("softmax", "Softmax", ("logits",), _softmax_infer("Softmax"), _softmax_kernel(False),
          "exp(x) / sum(exp(x)) along the last axis.", tf="tf.nn.softmax", tf_op="Softmax", grad=_softmax_grad),
    OpDef("log_softmax", "LogSoftmax", ("logits",), _softmax_infer("LogSoftmax"), _softmax_kernel(True),
          "x - log(sum(exp(x))) along the last axis.", tf="tf.nn.log_softmax", tf_op="LogSoftmax",
          grad=_log_softmax_grad),
    OpDef("softmax_cross_entropy_with_logits", "SoftmaxCrossEntropyWithLogits", ("features", "labels"),
          _xent_infer, _xent_kernel, "TF's kernel on [batch, classes] logits and label distributions: "
          "outputs loss [batch] and backprop (softmax - labels).", multi_output=True, typed_with=(0, 1),
          tf=raw_op("SoftmaxCrossEntropyWithLogits", ("features", "labels")),
          tf_op="SoftmaxCrossEntropyWithLogits", grad=_xent_grad),
    OpDef("sparse_softmax_cross_entropy_with_logits", "SparseSoftmaxCrossEntropyWithLogits",
          ("features", "labels"), _sparse_xent_infer, _sparse_xent_kernel,
          "TF's kernel on [batch, classes] logits and class ids [batch]: outputs loss [batch] and "
          "backprop (softmax - one_hot(labels)).", multi_output=True,
          tf=raw_op("SparseSoftmaxCrossEntropyWithLogits", ("features", "labels")),
          tf_op="SparseSoftmaxCrossEntropyWithLogits",
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tlabels": TFType(i[1].dtype)}, grad=_sparse_xent_grad),
    OpDef("l2_loss", "L2Loss", ("t",), lambda a, t, c: [TensorType(float_input(t[0], "L2Loss").dtype, ())],
          _l2_loss_kernel, "sum(t ** 2) / 2.", tf="tf.nn.l2_loss", tf_op="L2Loss", grad=_l2_loss_grad),
    OpDef("fused_batch_norm", "FusedBatchNormV3", BN_INPUTS, _bn_infer, _bn_kernel,
          "Batch normalization of NHWC x per channel: outputs y, batch_mean, batch_variance and TF's "
          "reserve spaces (mean and variance are [] unless is_training is false).", multi_output=True,
          attrs=(attr("epsilon", 0.001, checks.number), attr("is_training", True, checks.boolean),
                 attr("exponential_avg_factor", 1.0, checks.number), attr("data_format", "NHWC", nhwc)),
          tf=raw_op("FusedBatchNormV3", BN_INPUTS, lambda a: {
              "epsilon": a["epsilon"], "is_training": a["is_training"],
              "exponential_avg_factor": a["exponential_avg_factor"], "data_format": "NHWC"}),
          tf_op="FusedBatchNormV3", tf_attrs=bn_tf_attrs, tf_import=bn_import, grad=_fused_batch_norm_grad),
    OpDef("relu6", "Relu6", ("features",), _elementwise_infer("Relu6", True), _relu6_kernel,
          "min(max(x, 0), 6).", tf="tf.nn.relu6", tf_op="Relu6", grad=_relu6_grad),
    OpDef("elu", "Elu", ("features",), _elementwise_infer("Elu", False), _elu_kernel,
          "exp(x) - 1 where x < 0, else x.", tf="tf.nn.elu", tf_op="Elu", grad=_elu_grad),
    OpDef("adjust_contrast", "AdjustContrastv2", ("images", "contrast_factor"), _adjust_contrast_infer,
          _adjust_contrast_kernel, "(x - mean) * contrast_factor + mean, the mean per image and channel "
          "over [..., height, width, channels].",
          tf=raw_op("AdjustContrastv2", ("images", "contrast_factor")), tf_op="AdjustContrastv2"),
]
