"""The gradient kernels TF's `tf.gradients` puts in graphs of nn ops (NHWC only): ReluGrad,
SigmoidGrad, TanhGrad, RsqrtGrad, SqrtGrad, ReciprocalGrad, Relu6Grad, EluGrad, BiasAddGrad, Conv2DBackpropInput/Filter, MaxPoolGrad, AvgPoolGrad,
LRNGrad and FusedBatchNormGradV3, and MaxPoolGradGrad (a second-order gradient). Each carries TF's
registered gradient too (the second-order gradients), but for LRNGrad (TF registers none) and
FusedBatchNormGradV3 (not yet).

Their spec names are TF's generated op names (`tf.raw_ops.ReluGrad` -> `relu_grad`); the export
writes `tf.raw_ops` calls. Where TF's CPU kernel has a fixed float order that numpy can follow,
the kernel follows it and matches bit for bit: relu/sigmoid/tanh_grad, max_pool_grad (the first
maximum of a window gets the gradient, summed in output order), avg_pool_grad (each output's
share added in output order) and lrn_grad. The convolution gradients (TF: Eigen contractions
and im2col GEMMs), bias_add_grad and fused_batch_norm_grad (blocked column sums) agree with TF
to float rounding, not bit for bit.
"""

from __future__ import annotations

from idrun.dtypes import is_float
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.nn import (LRN_ATTRS, POOL_ATTRS, Phases, _strides, block_rows, bn_import, bn_tf_attrs,
                          bn_types, check_rank, conv_block, conv_gemm, conv_import, float_input, lrn_import,
                          lrn_sums, lrn_tf_attrs, nhwc, pad_nhwc, pads, patch_blocks, phase_blocks, pool_counts,
                          pool_import, pool_tf_attrs, raw_op, runtime_out, window)
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.shapes import bounded, format_dims, same_dtype
from idrun.ops.gradlib import ones_like, shape_tensor, zeros_like


def _same_infer(op: str, names: tuple[str, ...], shaped_like: int = 0):
    """Float inputs of one dtype; the output is shaped like input `shaped_like`."""
    def infer(attrs, types, consts):
        dtype = same_dtype(types, names, op)
        float_input(types[0], op)
        return [TensorType(dtype, types[shaped_like].shape)]
    return infer


def _relu_grad_kernel(env: KernelEnv):
    dtype = env.out_types[0].dtype
    return lambda gradients, features: gradients * (features > 0).astype(dtype)


PACKET = 8  # floats in one of Eigen's AVX packets (TF's x86 CPU build)


def _sigmoid_grad_kernel(env: KernelEnv):
    one = env.xp.ones((), dtype=env.out_types[0].dtype)

    def sigmoid_grad(y, dy):
        # Eigen's scalar_sigmoid_gradient_op computes whole packets as dy * (y * (1 - y)) and the
        # elements after the last whole packet as dy * y * (1 - y): TF's values use both orders
        out = dy * (y * (one - y))
        tail = out.size % PACKET
        if tail and out.shape == dy.shape == y.shape:
            flat, yf, dyf = out.reshape(-1), y.reshape(-1)[-tail:], dy.reshape(-1)[-tail:]
            flat[-tail:] = dyf * yf * (one - yf)
        return out
    return sigmoid_grad


def _tanh_grad_kernel(env: KernelEnv):
    one = env.xp.ones((), dtype=env.out_types[0].dtype)
    return lambda y, dy: dy * (one - y * y)


def _rsqrt_grad_kernel(env: KernelEnv):
    xp = env.xp
    half = xp.asarray(-0.5, dtype=env.out_types[0].dtype)

    def rsqrt_grad(y, dy):
        # TF's scalar_rsqrt_gradient_op: -0.5 * (dy * y) * (y * y), 0 where dy is 0 (an inf y)
        out = half * ((dy * y) * (y * y))
        return xp.where(dy == 0, xp.zeros((), dtype=out.dtype), out)
    return rsqrt_grad


def _sqrt_grad_kernel(env: KernelEnv):
    xp = env.xp
    half = xp.asarray(0.5, dtype=env.out_types[0].dtype)

    def sqrt_grad(y, dy):
        # TF's scalar_sqrt_gradient_op: (0.5 * dy) / y, 0 where dy is 0
        out = (half * dy) / y
        return xp.where(dy == 0, xp.zeros((), dtype=out.dtype), out)
    return sqrt_grad


def _reciprocal_grad_kernel(env: KernelEnv):
    xp = env.xp

    def reciprocal_grad(y, dy):
        # TF's scalar_inverse_gradient_op: -y * y * dy, 0 where dy is 0
        out = (-y * y) * dy
        return xp.where(dy == 0, xp.zeros((), dtype=out.dtype), out)
    return reciprocal_grad


def _relu6_grad_kernel(env: KernelEnv):
    dtype = env.out_types[0].dtype
    return lambda gradients, features: gradients * ((features > 0) & (features < 6)).astype(dtype)


def _elu_grad_kernel(env: KernelEnv):
    xp = env.xp
    one = xp.ones((), dtype=env.out_types[0].dtype)
    return lambda gradients, outputs: xp.where(outputs < 0, gradients * (outputs + one), gradients)


def _bias_add_grad_infer(attrs, types, consts):
    t = types[0]
    float_input(t, "BiasAddGrad")
    if t.shape is not None and len(t.shape) < 2:
        raise InferError(f"Shape must be at least rank 2 but is rank {len(t.shape)} for 'BiasAddGrad'")
    return [TensorType(t.dtype, (None,) if t.shape is None else t.shape[-1:])]


def _bias_add_grad_kernel(env: KernelEnv):
    xp = env.xp
    return lambda dy: xp.sum(dy.reshape(-1, dy.shape[-1]), axis=0, dtype=dy.dtype)


# ---- convolution ---------------------------------------------------------------------------

CONV_ATTRS = (attr("strides", [1, 1, 1, 1], _strides), attr("padding", check=checks.padding),
              attr("data_format", "NHWC", nhwc))


def _sizes(const, what: str):
    """A constant input_sizes/filter_sizes as 4 dims, or None when it is computed at run time."""
    if const is None:
        return None
    dims = list(const) if isinstance(const, list) else [const]
    if len(dims) != 4:
        raise InferError(f"{what} must be a 4-element vector, got {dims}")
    return tuple(int(d) for d in dims)


def _check_out(op: str, x, f, dy, s, padding: str) -> None:
    """TF's run-time check that out_backprop is the size conv2d(x, f) gives."""
    for d in (1, 2):
        want = runtime_out(x[d], f[d - 1], s[d - 1], padding)
        if want != dy[d]:
            raise KernelError(f"{op}: Size of out_backprop doesn't match computed: actual = {dy[d]}, "
                              f"computed = {want} spatial_dim: {d} input: {x[d]} filter: {f[d - 1]} "
                              f"output: {dy[d]} stride: {s[d - 1]} dilation: 1")


def _conv_types(op: str, types, names):
    dtype = same_dtype(types, names, op)
    if not is_float(dtype):
        raise InferError(f"{op} expects float inputs, got {dtype}")
    return dtype


def _backprop_input_infer(attrs, types, consts):
    if types[0].dtype not in ("int32", "int64"):
        raise InferError(f"input_sizes must be int32 or int64, got {types[0].dtype}")
    dtype = _conv_types("Conv2DBackpropInput", types[1:], ("filter", "out_backprop"))
    check_rank(types[1].shape, 4, "Conv2DBackpropInput")
    check_rank(types[2].shape, 4, "Conv2DBackpropInput")
    sizes = _sizes(consts[0], "input_sizes")
    if sizes is None:  # TF: the batch of out_backprop, the rest unknown
        sizes = (None if types[2].shape is None else types[2].shape[0], None, None, None)
    return [TensorType(dtype, sizes)]


def _backprop_input_kernel(env: KernelEnv):
    xp, s, padding = env.xp, env.attrs["strides"], env.attrs["padding"]

    def conv2d_backprop_input(input_sizes, f, dy):
        n, h, w, c = (int(d) for d in input_sizes)
        _check_out("Conv2DCustomBackpropInput", (n, h, w, c), f.shape, dy.shape, s, padding)
        (pt, pb), (pl, pr) = pads(h, f.shape[0], s[0], padding), pads(w, f.shape[1], s[1], padding)
        kh, kw, _, o = f.shape
        bounded((n, h + pt + pb, w + pl + pr, c), "Conv2DBackpropInput's padded output")
        if tuple(s) == (1, 1) and n * h * w and o <= c:
            # stride 1: the full convolution of dy with the filter turned half round (a matrix
            # product; its patches hold kh*kw*o values a row, col2im's kh*kw*c: the smaller
            # one is taken)
            dy_p = xp.pad(dy, ((0, 0), (kh - 1 - pt, kh - 1 - pb), (kw - 1 - pl, kw - 1 - pr), (0, 0)))
            turned = xp.ascontiguousarray(f[::-1, ::-1].transpose(0, 1, 3, 2))
            dx = conv_gemm(xp, dy_p, turned, (1, 1), (h, w))
            if dx is not None:
                return dx
        # col2im: one matrix product for every window's share, then each offset's add
        oh, ow = dy.shape[1:3]
        block = conv_block(xp, n, oh * ow * kh * kw * c)
        if block is not None and n * oh * ow:
            # transposed, (kh, kw, c) x (images, oh, ow), and added into a (c, images, height,
            # width) buffer, so that each offset's add runs along whole rows, not c values at a time
            dx = xp.zeros((c, n, h + pt + pb, w + pl + pr), dtype=dy.dtype)
            f = f.reshape(kh * kw * c, o)
            for b0 in range(0, n, block):
                b1 = min(n, b0 + block)
                cols = (f @ dy[b0:b1].reshape(-1, o).T).reshape(kh, kw, c, b1 - b0, oh, ow)
                part = dx[:, b0:b1].transpose(1, 2, 3, 0)   # NHWC views of the same memory
                for i in range(kh):
                    for j in range(kw):
                        window(part, i, j, (oh, ow), s)[...] += cols[i, j].transpose(1, 2, 3, 0)
            return xp.ascontiguousarray(dx[:, :, pt:pt + h, pl:pl + w].transpose(1, 2, 3, 0))
        dx = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=dy.dtype)
        # too big to hold at once: one product per window offset
        for i in range(kh):
            for j in range(kw):
                window(dx, i, j, dy.shape[1:3], s)[...] += xp.tensordot(dy, f[i, j], axes=([3], [1]))
        return dx[:, pt:pt + h, pl:pl + w, :]
    return conv2d_backprop_input


def _backprop_filter_infer(attrs, types, consts):
    if types[1].dtype not in ("int32", "int64"):
        raise InferError(f"filter_sizes must be int32 or int64, got {types[1].dtype}")
    dtype = _conv_types("Conv2DBackpropFilter", (types[0], types[2]), ("input", "out_backprop"))
    check_rank(types[0].shape, 4, "Conv2DBackpropFilter")
    check_rank(types[2].shape, 4, "Conv2DBackpropFilter")
    sizes = _sizes(consts[1], "filter_sizes")
    return [TensorType(dtype, sizes or (None,) * 4)]


def _backprop_filter_kernel(env: KernelEnv):
    xp, s, padding = env.xp, env.attrs["strides"], env.attrs["padding"]

    def conv2d_backprop_filter(x, filter_sizes, dy):
        kh, kw, c, o = (int(d) for d in filter_sizes)
        _check_out("Conv2DCustomBackpropFilter", x.shape, (kh, kw), dy.shape, s, padding)
        x, oh, ow = pad_nhwc(xp, xp.ascontiguousarray(x), (kh, kw), s, padding)
        if x.shape[0] * oh * ow == 0:
            return xp.zeros((kh, kw, c, o), dtype=dy.dtype)
        blocks = patch_blocks(xp, x, (kh, kw), s, (oh, ow))
        if blocks is not None:
            dy = xp.ascontiguousarray(dy).reshape(-1, o)
            df, part = xp.zeros((kh * kw * c, o), dtype=dy.dtype), None
            for b0, b1, cols in blocks:   # the products of each block of images, summed
                part = xp.matmul(cols.T, dy[b0 * oh * ow:b1 * oh * ow], out=part)
                df += part
            return df.reshape(kh, kw, c, o)
        df = xp.empty((kh, kw, c, o), dtype=dy.dtype)
        for i in range(kh):
            for j in range(kw):
                df[i, j] = xp.tensordot(window(x, i, j, (oh, ow), s), dy, axes=([0, 1, 2], [0, 1, 2]))
        return df
    return conv2d_backprop_filter


def _conv_tf_attrs(n, a, i, o) -> dict:
    return {"T": TFType(o[0].dtype), "strides": [1, *a["strides"], 1], "padding": a["padding"],
            "data_format": "NHWC", "dilations": [1, 1, 1, 1], "use_cudnn_on_gpu": True,
            "explicit_paddings": []}


def _conv_grad(name: str, tf_type: str, inputs: tuple[str, ...], infer, kernel, doc: str,
               typed_with: tuple[int, ...], grad=None) -> OpDef:
    return OpDef(name, tf_type, inputs, infer, kernel, doc, typed_with=typed_with, attrs=CONV_ATTRS, grad=grad,
                 tf_op=tf_type, tf_attrs=_conv_tf_attrs, tf_import=conv_import,
                 tf=raw_op(tf_type, inputs, lambda a: {"strides": [1, *(a["strides"] or [1, 1]), 1],
                                                       "padding": a["padding"], "data_format": "NHWC"}))


# ---- pooling -------------------------------------------------------------------------------

def _rank4_infer(op: str, names: tuple[str, ...], like: int):
    """Float rank-4 inputs of one dtype; the output is shaped like input `like`."""
    def infer(attrs, types, consts):
        dtype = same_dtype(types, names, op)
        float_input(types[0], op)
        for t in types:
            check_rank(t.shape, 4, op)
        return [TensorType(dtype, types[like].shape or (None,) * 4)]
    return infer


def _pool_export(tf_type: str, inputs: tuple[str, ...]):
    return raw_op(tf_type, inputs, lambda a: {"ksize": [1, *(a["ksize"] or [1, 1]), 1],
                                              "strides": [1, *(a["strides"] or [1, 1]), 1],
                                              "padding": a["padding"]})


def _argmax_offsets(xp, x, k, s, padding: str):
    """The window offset (i * kw + j) of each output's maximum, as TF's CPU kernel picks it: the
    first input in row-major window order that no earlier input is >= (padding never counts)."""
    valid, oh, ow = pad_nhwc(xp, xp.ones((1,) + x.shape[1:3] + (1,), dtype=bool), k, s, padding, False)
    x, _, _ = pad_nhwc(xp, x, k, s, padding)
    best = xp.zeros((x.shape[0], oh, ow, x.shape[3]), dtype=x.dtype)
    have = xp.zeros(best.shape, dtype=bool)
    arg = xp.zeros(best.shape, dtype="int64")
    for i in range(k[0]):
        for j in range(k[1]):
            v = window(x, i, j, (oh, ow), s)
            take = window(valid, i, j, (oh, ow), s) & (~have | (best < v))
            best, arg = xp.where(take, v, best), xp.where(take, i * k[1] + j, arg)
            have |= take
    return arg


def _first_maxima(xp, ph: Phases, x_phases):
    """firsts[i][j] = whether offset (i, j) holds its window's first maximum, for phases with
    no NaN or -inf (the padding -inf): the first input equal to the window's maximum is the
    one TF's strict `<` keeps, and no padding equals a maximum."""
    k = ph.k
    best = ph.under(x_phases, 0, 0).copy()
    for i in range(k[0]):
        for j in range(k[1]):
            if i or j:
                xp.maximum(best, ph.under(x_phases, i, j), out=best)
    left = xp.ones(ph.lanes, dtype=bool)   # lanes whose first maximum is still to come
    firsts = [[None] * k[1] for _ in range(k[0])]
    for i in range(k[0]):
        for j in range(k[1]):
            first = xp.equal(ph.under(x_phases, i, j), best)
            xp.logical_and(first, left, out=first)
            xp.logical_xor(left, first, out=left)
            firsts[i][j] = first
    return lambda i, j: firsts[i][j]


def _route(xp, ph: Phases, grad, first):
    """Each grad added to the input first(i, j) marks under offset (i, j), in output order as
    TF adds them: for one input, the offsets from the last to the first. The lanes not marked
    add +0.0 (their grad's bits masked off), which leaves every sum as it is: the sums start
    at +0.0 and so are never -0.0. grad is on the grid (0.0 in its dropped lanes)."""
    bits = grad.view(f"u{grad.itemsize}")
    ones = xp.asarray(-1).astype(bits.dtype)
    mask, share = xp.empty_like(bits), xp.empty_like(bits)
    out = xp.zeros((*ph.counts, ph.grid[0] * ph.grid[1] * ph.grid[2] * ph.grid[3]), dtype=grad.dtype)
    for i in reversed(range(ph.k[0])):
        for j in reversed(range(ph.k[1])):
            xp.multiply(first(i, j), ones, out=mask)
            xp.bitwise_and(bits, mask, out=share)
            into = ph.under(out, i, j)
            xp.add(into, share.view(grad.dtype), out=into)
    return ph.join(xp, out, grad.dtype)


def _max_pool_grad_kernel(env: KernelEnv):
    xp, k, s, padding = env.xp, env.attrs["ksize"], env.attrs["strides"], env.attrs["padding"]

    def max_pool_grad(orig_input, orig_output, grad):
        n, h, w, c = orig_input.shape
        oh, ow = runtime_out(h, k[0], s[0], padding), runtime_out(w, k[1], s[1], padding)
        if grad.shape[1:3] != (oh, ow):
            raise KernelError(f"grad shape {format_dims(grad.shape)} is not the pool's output shape "
                              f"{format_dims(orig_output.shape)}")
        if orig_input.size == 0 or grad.size == 0:
            return xp.zeros(orig_input.shape, dtype=grad.dtype)
        out = xp.empty(orig_input.shape, dtype=grad.dtype)
        _, blocks = phase_blocks(xp, orig_input.shape, k, s, padding)
        for b0, b1, ph in blocks:
            x = orig_input[b0:b1]
            if bool(xp.min(x) > -xp.inf):   # no NaN, no -inf: the maxima by comparing with the max
                first = _first_maxima(xp, ph, ph.split(xp, x, -xp.inf))
            else:               # TF's loop itself, offset by offset
                arg = ph.on_grid(xp, _argmax_offsets(xp, x, k, s, padding), -1)
                first = (lambda arg: lambda i, j: arg == i * k[1] + j)(arg)
            out[b0:b1] = _route(xp, ph, ph.on_grid(xp, grad[b0:b1], 0), first)
        return out
    return max_pool_grad


def _max_pool_grad_grad_kernel(env: KernelEnv):
    """TF's CPU MaxPoolGradGrad: each output takes the grad at the first input of its window (row
    by row) equal to orig_output there; 0 where none is (a NaN). (In a graph, where the output has
    the grad's shape, TF's kernel may take over the grad's buffer and zero it before reading it,
    and give zeros; idrun gives what the kernel computes.)"""
    xp, k, s, padding = env.xp, env.attrs["ksize"], env.attrs["strides"], env.attrs["padding"]

    def max_pool_grad_grad(orig_input, orig_output, grad):
        if grad.shape != orig_input.shape:
            raise KernelError(f"grad shape {format_dims(grad.shape)} is not orig_input's shape "
                              f"{format_dims(orig_input.shape)}")
        valid, oh, ow = pad_nhwc(xp, xp.ones((1,) + orig_input.shape[1:3] + (1,), dtype=bool), k, s, padding, False)
        if orig_output.shape != (orig_input.shape[0], oh, ow, orig_input.shape[3]):
            raise KernelError(f"orig_output shape {format_dims(orig_output.shape)} is not the pool's output "
                              f"shape {format_dims((orig_input.shape[0], oh, ow, orig_input.shape[3]))}")
        x, _, _ = pad_nhwc(xp, orig_input, k, s, padding)
        g, _, _ = pad_nhwc(xp, grad, k, s, padding)
        out = xp.zeros(orig_output.shape, dtype=grad.dtype)
        found = xp.zeros(orig_output.shape, dtype=bool)
        for i in range(k[0]):
            for j in range(k[1]):
                take = window(valid, i, j, (oh, ow), s) & ~found & (window(x, i, j, (oh, ow), s) == orig_output)
                out = xp.where(take, window(g, i, j, (oh, ow), s), out)
                found |= take
        return out
    return max_pool_grad_grad


def _pool_attrs(op) -> dict:
    return {**{k: op.attrs[k] for k in ("ksize", "strides", "padding")}, "data_format": "NHWC"}


def _max_pool_grad_grad(g, op, grads):
    """TF's `_MaxPoolGradGrad`: zeros to both inputs, MaxPoolGradGrad of the gradient."""
    return [zeros_like(g, op.inputs[0], "zeros_like"), zeros_like(g, op.inputs[1], "zeros_like"),
            g.make("max_pool_grad_grad", "MaxPoolGradGrad", [op.inputs[0], op.inputs[1], grads[0]], _pool_attrs(op))]


def _max_pool_grad_grad_grad(g, op, grads):
    """TF's `_MaxPoolGradGradGrad`: zeros to both inputs, MaxPoolGrad of the gradient."""
    return [zeros_like(g, op.inputs[0], "zeros_like"), zeros_like(g, op.inputs[1], "zeros_like"),
            g.make("max_pool_grad", "MaxPoolGrad", [op.inputs[0], op.inputs[1], grads[0]], _pool_attrs(op))]


def _avg_pool_grad_infer(attrs, types, consts):
    if types[0].dtype != "int32":
        raise InferError(f"orig_input_shape must be int32, got {types[0].dtype}")
    float_input(types[1], "AvgPoolGrad")
    check_rank(types[1].shape, 4, "AvgPoolGrad")
    return [TensorType(types[1].dtype, _sizes(consts[0], "orig_input_shape") or (None,) * 4)]


def _avg_pool_grad_kernel(env: KernelEnv):
    xp, k, s, padding = env.xp, env.attrs["ksize"], env.attrs["strides"], env.attrs["padding"]

    def avg_pool_grad(orig_input_shape, grad):
        n, h, w, c = (int(d) for d in orig_input_shape)
        count = pool_counts(xp, (n, h, w, c), k, s, padding, "float64")
        share = grad * (1 / count).astype(grad.dtype)  # TF: T(1.0 / (rsize * csize)) in double
        (pt, pb), (pl, pr) = pads(h, k[0], s[0], padding), pads(w, k[1], s[1], padding)
        out = xp.zeros((n, h + pt + pb, w + pl + pr, c), dtype=grad.dtype)
        # TF adds each output's share in output order; for one input position that is the
        # window offsets from the last to the first
        for i in reversed(range(k[0])):
            for j in reversed(range(k[1])):
                window(out, i, j, grad.shape[1:3], s)[...] += share
        return out[:, pt:pt + h, pl:pl + w, :]
    return avg_pool_grad


# ---- local response normalization and batch normalization -------------------------------

def _lrn_grad_kernel(env: KernelEnv):
    xp, dtype, r = env.xp, env.out_types[0].dtype, env.attrs["depth_radius"]
    alpha, bias, beta = (xp.asarray(env.attrs[k], dtype=dtype) for k in ("alpha", "bias", "beta"))
    alpha_beta_2 = xp.asarray(-2, dtype=dtype) * alpha * beta
    one = xp.asarray(1, dtype=dtype)

    def shifts(out, x, g, n, a, power, lo: int, hi: int, reach: int, masked: bool):
        """out[lo:hi] = the sum over each shift d (in order) of ((x * a) / n (+ power)) * g,
        with a, n and g read d further on, as TF's loop adds them. `masked`: +0.0 where g == 0,
        as TF skips those channels, with n read as 1 there (TF never divides)."""
        out, x, dyi = out[lo:hi], x[lo:hi], xp.empty(hi - lo, dtype=x.dtype)
        out[...] = 0
        for d in range(-reach, reach + 1):
            at = slice(lo + d, hi + d)
            g_d, n_d = g[at], n[at]
            xp.multiply(x, a[at], out=dyi)
            if masked:
                zero = g_d == 0
                n_d = xp.where(zero, one, n_d)
            xp.divide(dyi, n_d, out=dyi)
            if d == 0:
                xp.add(dyi, power[lo:hi], out=dyi)
            xp.multiply(dyi, g_d, out=dyi)
            if masked:
                xp.copyto(dyi, 0, where=zero)
            xp.add(out, dyi, out=out)

    def lrn_grad(grads, x, y):
        # TF's LaunchLRNGrad<CPU>: for each channel j (in order) with a nonzero gradient, add
        # ((x[k] * ab2[j]) / norm[j] (+ norm[j] ** -beta where k == j)) * grads[j] to out[k]
        depth = x.shape[-1]
        reach = min(r, depth - 1)
        shape = x.shape
        if x.size == 0:
            return xp.zeros_like(x)
        x, grads, y = (xp.ascontiguousarray(v).reshape(-1, depth) for v in (x, grads, y))
        out = xp.empty_like(x)
        # a block of rows at a time (its 2 * reach + 1 shifts of 5 passes then run from cache),
        # each row padded by reach zeros on both sides (norm by ones) and the block read flat:
        # shifted by d along the depth is then the flat block shifted by d, one contiguous pass
        # (the padding's lanes are computed too, and dropped)
        rows, width = x.shape[0], depth + 2 * reach
        block = min(rows, block_rows(xp, rows, width))
        x_p, g_p, n_p, a_p, p_p = (xp.zeros((block, width), dtype=x.dtype) for _ in range(5))
        n_p[...] = 1
        out_p = xp.empty(block * width, dtype=x.dtype)
        flat = [v.reshape(-1) for v in (x_p, g_p, n_p, a_p, p_p)]
        for b0 in range(0, rows, block):
            b1 = min(rows, b0 + block)
            m, inner = b1 - b0, (slice(0, b1 - b0), slice(reach, reach + depth))
            xb = x_p[inner]
            xb[...] = x[b0:b1]
            g_p[inner] = grads[b0:b1]
            norm = n_p[inner]
            norm[...] = lrn_sums(xp, xb * xb, r) * alpha + bias
            # TF's std::pow(float, float) is glibc's powf: the double power, rounded once
            p_p[inner] = (norm.astype("float64") ** -beta.astype("float64")).astype(dtype)
            xp.multiply(alpha_beta_2, y[b0:b1], out=a_p[inner])
            # unmasked first: where g == 0 each product is (finite) * 0 = +-0.0, and adding +-0.0
            # to out (which starts at +0.0 and so is never -0.0) changes nothing; only a
            # non-finite product there (a NaN in out) needs TF's skip, done again masked
            lo, hi = reach, m * width - reach
            shifts(out_p, *flat, lo, hi, reach, False)
            result = out_p[:m * width].reshape(m, width)[:, reach:reach + depth]
            if bool(xp.isnan(result).any()):
                shifts(out_p, *flat, lo, hi, reach, True)
            out[b0:b1] = result
        return out.reshape(shape)
    return lrn_grad


BN_GRAD_INPUTS = ("y_backprop", "x", "scale", "reserve_space_1", "reserve_space_2", "reserve_space_3")


def _bn_grad_infer(attrs, types, consts):
    same_dtype(types[:2], BN_GRAD_INPUTS[:2], "FusedBatchNormGradV3")
    x, depth = bn_types(types, BN_GRAD_INPUTS, "FusedBatchNormGradV3", (2, 3, 4))
    stat, empty = TensorType("float32", (depth,)), TensorType("float32", (0,))
    return [TensorType(x.dtype, x.shape or (None,) * 4), stat, stat, empty, empty]


def _bn_grad_kernel(env: KernelEnv):
    xp, f32 = env.xp, "float32"
    eps, training = xp.asarray(env.attrs["epsilon"], dtype=f32), env.attrs["is_training"]

    def fused_batch_norm_grad(dy, x, scale, mean, variance, _reserve):
        depth = x.shape[3]
        dy2, x2 = dy.reshape(-1, depth).astype(f32), x.reshape(-1, depth).astype(f32)
        rows = xp.float32(x2.shape[0])
        coef0 = 1 / xp.sqrt(variance + eps)
        centered = x2 - mean
        offset_backprop = dy2.sum(axis=0)
        if training:  # the order of TF's FusedBatchNormGrad<CPUDevice>
            scale_backprop = (dy2 * (centered * coef0)).sum(axis=0)
            dy_centered = dy2 - offset_backprop * (xp.float32(1) / rows)
            coef2 = (coef0 * coef0) * ((dy2 * centered).sum(axis=0) / rows)
            dx = (scale * coef0) * (dy_centered - centered * coef2)
        else:  # FusedBatchNormFreezeGrad<CPUDevice>
            dx = dy2 * (coef0 * scale)
            scale_backprop = (dy2 * centered).sum(axis=0) * coef0
        empty = xp.zeros(0, dtype=f32)
        return dx.astype(dy.dtype).reshape(x.shape), scale_backprop, offset_backprop, empty, empty.copy()
    return fused_batch_norm_grad


# ---- their gradients (TF's second-order gradient functions) ---------------------------------
# TF builds most of them under `control_dependencies([grad])`: a node made there that reads
# neither the gradient nor another node made there (a constant, `Square(a)`) gets ^grad.

def _masked_grad_grad(op_name: str, type_name: str):
    """TF's `_ReluGradGrad`, `_Relu6GradGrad`: the same mask on the gradient; zeros to features."""
    def grad_fn(g, op, grads):
        x = op.inputs[1]
        return [g.make(op_name, type_name, [grads[0], x]), zeros_like(g, x, "zeros_like")]
    return grad_fn


def _scalar(g, short: str, value: float, like, grad):
    return g.const(short, value, g.dtype(like), controls=[grad])


def _sigmoid_grad_grad(g, op, grads):
    """TF: `gb = grad * b; return gb - 2.0 * gb * a, sigmoid_grad(a, grad)`."""
    a, b, grad = op.inputs[0], op.inputs[1], grads[0]
    gb = g.make("mul", "mul", [grad, b])
    twice = g.make("mul", "mul_1", [_scalar(g, "mul_1/x", 2.0, grad, grad), gb])
    return [g.make("sub", "sub", [gb, g.make("mul", "mul_2", [twice, a])]),
            g.make("sigmoid_grad", "SigmoidGrad", [a, grad])]


def _times_minus_two_grad_grad(op_name: str, type_name: str):
    """TF's `_TanhGradGrad`, `_ReciprocalGradGrad`: `grad * -2.0 * b * a, <op>_grad(a, grad)`."""
    def grad_fn(g, op, grads):
        a, b, grad = op.inputs[0], op.inputs[1], grads[0]
        scaled = g.make("mul", "mul", [grad, _scalar(g, "mul/y", -2.0, grad, grad)])
        return [g.make("mul", "mul_2", [g.make("mul", "mul_1", [scaled, b]), a]),
                g.make(op_name, type_name, [a, grad])]
    return grad_fn


def _rsqrt_grad_grad(g, op, grads):
    """TF: `-1.5 * grad * b * square(a), rsqrt_grad(a, grad)`."""
    a, b, grad = op.inputs[0], op.inputs[1], grads[0]
    scaled = g.make("mul", "mul_1", [g.make("mul", "mul", [_scalar(g, "mul/x", -1.5, grad, grad), grad]), b])
    square = g.make("square", "Square", [a], controls=[grad.node])
    return [g.make("mul", "mul_2", [scaled, square]), g.make("rsqrt_grad", "RsqrtGrad", [a, grad])]


def _sqrt_grad_grad(g, op, grads):
    """TF: `ga = grad / a; return -ga * y, 0.5 * ga` (y the SqrtGrad's output)."""
    a, grad = op.inputs[0], grads[0]
    ga = g.make("div", "truediv", [grad, a])
    first = g.make("mul", "mul", [g.make("neg", "Neg", [ga]), op.outputs[0]])
    return [first, g.make("mul", "mul_1", [_scalar(g, "mul_1/x", 0.5, grad, grad), ga])]


def _elu_grad_grad(g, op, grads):
    """TF: `elu_grad(grad, elu_x), where(elu_x < 0, grad * gradients, zeros_like(elu_x))`."""
    elu_x, grad = op.inputs[1], grads[0]
    first = g.make("elu_grad", "EluGrad", [grad, elu_x])
    negative = g.make("less", "Less", [elu_x, g.const("Less/y", 0.0, g.dtype(elu_x))])
    scaled = g.make("mul", "mul", [grad, op.inputs[0]])
    return [first, g.make("select", "Select", [negative, scaled, zeros_like(g, elu_x, "zeros_like")])]


def _all_but_last(g, shape, short: str):
    """`shape[:-1]` in graph mode: a StridedSlice with its `stack` constants."""
    stacks = [g.const(f"{short}/stack{suffix}", [v], "int32") for suffix, v in (("", 0), ("_1", -1), ("_2", 1))]
    return g.make("strided_slice", short, [shape, *stacks], {"begin_mask": 1})


def _bias_add_grad_grad(g, op, grads):
    """TF's `_BiasAddGradGrad` (NHWC): the gradient reshaped to [1, ..., 1, C] and tiled to the
    BiasAddGrad input's shape."""
    grad = grads[0]
    shape = shape_tensor(g, op.inputs[0])
    bias_shape = shape_tensor(g, grad, short="Shape_1")
    ones = ones_like(g, _all_but_last(g, shape, "strided_slice"), "ones_like")
    expanded = g.make("concat", "concat", [ones, bias_shape], {"axis": 0})
    mults = g.make("concat", "concat_1", [_all_but_last(g, shape, "strided_slice_1"),
                                          g.const("concat_1/values_1", [1], "int32")], {"axis": 0})
    return [g.make("tile", "Tile", [g.make("reshape", "Reshape", [grad, expanded]), mults])]


def _conv_attrs(op) -> dict:
    return {"strides": op.attrs["strides"], "padding": op.attrs["padding"]}


def _backprop_input_grad(g, op, grads):
    """TF's `_Conv2DBackpropInputGrad`: the filter's gradient and a convolution of the gradient."""
    grad, attrs = grads[0], _conv_attrs(op)
    sizes = shape_tensor(g, op.inputs[1])
    return [None,
            g.make("conv2d_backprop_filter", "Conv2DBackpropFilter", [grad, sizes, op.inputs[2]],
                   {**attrs, "data_format": "NHWC"}),
            g.make("conv2d", "Conv2D", [grad, op.inputs[1]], attrs)]


def _backprop_filter_grad(g, op, grads):
    """TF's `_Conv2DBackpropFilterGrad`: the input's gradient and a convolution by the gradient."""
    grad, attrs = grads[0], _conv_attrs(op)
    sizes = shape_tensor(g, op.inputs[0])
    return [g.make("conv2d_backprop_input", "Conv2DBackpropInput", [sizes, grad, op.inputs[2]],
                   {**attrs, "data_format": "NHWC"}),
            None,
            g.make("conv2d", "Conv2D", [op.inputs[0], grad], attrs)]


def _avg_pool_grad_grad(g, op, grads):
    """TF's `_AvgPoolGradGrad`: stop_gradient of the shape, avg_pool of the gradient."""
    attrs = {k: op.attrs[k] for k in ("ksize", "strides", "padding")}
    return [g.make("stop_gradient", "StopGradient", [op.inputs[0]]),
            g.make("avg_pool", "AvgPool", [grads[0]], attrs)]



def _max_pool_grad_op(name: str, tf_op: str, shaped_like: int, kernel, doc: str, explicit: bool, grad) -> OpDef:
    """MaxPoolGrad and MaxPoolGradGrad: the same inputs, attributes and TF facts; the output is
    shaped like input `shaped_like` (orig_input, orig_output)."""
    inputs = ("orig_input", "orig_output", "grad")
    return OpDef(name, tf_op, inputs, _rank4_infer(tf_op, inputs, shaped_like), kernel, doc,
                 typed_with=(0, 1, 2), attrs=POOL_ATTRS, tf_op=tf_op, tf_attrs=pool_tf_attrs(explicit),
                 tf_import=pool_import, tf=_pool_export(tf_op, inputs), grad=grad)

OPS = [
    OpDef("relu_grad", "ReluGrad", ("gradients", "features"),
          _same_infer("ReluGrad", ("gradients", "features")), _relu_grad_kernel,
          "gradients * (features > 0): the gradient of relu.", typed_with=(0, 1),
          tf=raw_op("ReluGrad", ("gradients", "features")), tf_op="ReluGrad",
          grad=_masked_grad_grad("relu_grad", "ReluGrad")),
    OpDef("sigmoid_grad", "SigmoidGrad", ("y", "dy"), _same_infer("SigmoidGrad", ("y", "dy")),
          _sigmoid_grad_kernel, "dy * y * (1 - y), y = sigmoid(x): the gradient of sigmoid.",
          typed_with=(0, 1), tf=raw_op("SigmoidGrad", ("y", "dy")), tf_op="SigmoidGrad", grad=_sigmoid_grad_grad),
    OpDef("tanh_grad", "TanhGrad", ("y", "dy"), _same_infer("TanhGrad", ("y", "dy")), _tanh_grad_kernel,
          "dy * (1 - y * y), y = tanh(x): the gradient of tanh.", typed_with=(0, 1),
          tf=raw_op("TanhGrad", ("y", "dy")), tf_op="TanhGrad", grad=_times_minus_two_grad_grad("tanh_grad", "TanhGrad")),
    OpDef("rsqrt_grad", "RsqrtGrad", ("y", "dy"), _same_infer("RsqrtGrad", ("y", "dy")), _rsqrt_grad_kernel,
          "-0.5 * dy * y^3, y = rsqrt(x): the gradient of rsqrt (0 where dy is 0).", typed_with=(0, 1),
          tf=raw_op("RsqrtGrad", ("y", "dy")), tf_op="RsqrtGrad", grad=_rsqrt_grad_grad),
    OpDef("sqrt_grad", "SqrtGrad", ("y", "dy"), _same_infer("SqrtGrad", ("y", "dy")), _sqrt_grad_kernel,
          "0.5 * dy / y, y = sqrt(x): the gradient of sqrt (0 where dy is 0).", typed_with=(0, 1),
          tf=raw_op("SqrtGrad", ("y", "dy")), tf_op="SqrtGrad", grad=_sqrt_grad_grad),
    OpDef("reciprocal_grad", "ReciprocalGrad", ("y", "dy"), _same_infer("ReciprocalGrad", ("y", "dy")),
          _reciprocal_grad_kernel, "-dy * y * y, y = 1 / x: the gradient of reciprocal (0 where dy is 0).",
          typed_with=(0, 1), tf=raw_op("ReciprocalGrad", ("y", "dy")), tf_op="ReciprocalGrad",
          grad=_times_minus_two_grad_grad("reciprocal_grad", "ReciprocalGrad")),
    OpDef("relu6_grad", "Relu6Grad", ("gradients", "features"),
          _same_infer("Relu6Grad", ("gradients", "features")), _relu6_grad_kernel,
          "gradients where 0 < features < 6, else 0: the gradient of relu6.", typed_with=(0, 1),
          tf=raw_op("Relu6Grad", ("gradients", "features")), tf_op="Relu6Grad",
          grad=_masked_grad_grad("relu6_grad", "Relu6Grad")),
    OpDef("elu_grad", "EluGrad", ("gradients", "outputs"), _same_infer("EluGrad", ("gradients", "outputs")),
          _elu_grad_kernel, "gradients * (outputs + 1) where outputs < 0, else gradients: the gradient "
          "of elu.", typed_with=(0, 1), tf=raw_op("EluGrad", ("gradients", "outputs")), tf_op="EluGrad",
          grad=_elu_grad_grad),
    OpDef("bias_add_grad", "BiasAddGrad", ("out_backprop",), _bias_add_grad_infer, _bias_add_grad_kernel,
          "Sum over every dimension but the last: the gradient of bias_add for its bias.",
          attrs=(attr("data_format", "NHWC", nhwc),), tf=raw_op("BiasAddGrad", ("out_backprop",)),
          tf_op="BiasAddGrad", tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "data_format": "NHWC"},
          tf_import=lambda t, c: {"data_format": nhwc(t.get("data_format", "NHWC"))}, grad=_bias_add_grad_grad),
    _conv_grad("conv2d_backprop_input", "Conv2DBackpropInput", ("input_sizes", "filter", "out_backprop"),
               _backprop_input_infer, _backprop_input_kernel,
               "The gradient of conv2d for its NHWC input (of shape input_sizes): conv2d_transpose.", (1, 2),
               _backprop_input_grad),
    _conv_grad("conv2d_backprop_filter", "Conv2DBackpropFilter", ("input", "filter_sizes", "out_backprop"),
               _backprop_filter_infer, _backprop_filter_kernel,
               "The gradient of conv2d for its HWIO filter (of shape filter_sizes).", (0, 2),
               _backprop_filter_grad),
    _max_pool_grad_op("max_pool_grad", "MaxPoolGrad", 0, _max_pool_grad_kernel,
                      "The gradient of max_pool: each grad goes to its window's first maximum.", True,
                      _max_pool_grad_grad),
    _max_pool_grad_op("max_pool_grad_grad", "MaxPoolGradGrad", 1, _max_pool_grad_grad_kernel,
                      "The gradient of max_pool_grad: each window's grad at its first maximum.", False,
                      _max_pool_grad_grad_grad),
    OpDef("avg_pool_grad", "AvgPoolGrad", ("orig_input_shape", "grad"), _avg_pool_grad_infer,
          _avg_pool_grad_kernel, "The gradient of avg_pool: each grad shared by its window's inputs.",
          typed_with=(1,), attrs=POOL_ATTRS, tf_op="AvgPoolGrad", tf_import=pool_import,
          tf_attrs=lambda n, a, i, o: pool_tf_attrs(False)(n, a, i[1:], o),
          tf=_pool_export("AvgPoolGrad", ("orig_input_shape", "grad")), grad=_avg_pool_grad_grad),
    OpDef("lrn_grad", "LRNGrad", ("input_grads", "input_image", "output_image"),
          _rank4_infer("LRNGrad", ("input_grads", "input_image", "output_image"), 1), _lrn_grad_kernel, "The gradient of local_response_normalization.", typed_with=(0, 1, 2),
          attrs=LRN_ATTRS, tf_op="LRNGrad", tf_attrs=lrn_tf_attrs, tf_import=lrn_import,
          tf=raw_op("LRNGrad", ("input_grads", "input_image", "output_image"), lambda a: {
              k: a[k] for k in ("depth_radius", "bias", "alpha", "beta")})),
    OpDef("fused_batch_norm_grad", "FusedBatchNormGradV3", BN_GRAD_INPUTS, _bn_grad_infer, _bn_grad_kernel,
          "The gradient of fused_batch_norm: outputs x_backprop, scale_backprop, offset_backprop and "
          "two empty reserve spaces.", multi_output=True,
          attrs=(attr("epsilon", 0.0001, checks.number), attr("is_training", True, checks.boolean),
                 attr("data_format", "NHWC", nhwc)),
          tf_op="FusedBatchNormGradV3", tf_attrs=bn_tf_attrs, tf_import=bn_import,
          tf=raw_op("FusedBatchNormGradV3", BN_GRAD_INPUTS, lambda a: {
              "epsilon": a["epsilon"], "is_training": a["is_training"], "data_format": "NHWC"})),
]
