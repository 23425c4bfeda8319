"""The fast paths of the nn kernels against the plain loops they replace.

lrn_grad, max_pool_grad and max_pool follow TF's float order bit for bit (tests/test_ops_nn.py
holds TF's values); their kernels take faster routes (blocks that stay in cache, no mask where
it cannot change a bit, stride phases, masked window adds instead of a scatter) that must give
the very same bits. The references here are the previous kernels, written out with numpy as
TF's CPU kernels run. Each case is built to reach a route's edge: zeros in the gradient (TF
skips them), ties, NaN, infinities, -0.0, padding, gaps between windows, and sizes that do not
fill a block. The convolutions (BLAS order, not TF's) are held to a float64 reference.
"""

import numpy as np
import pytest

from idrun.graph import TensorType
from idrun.ops import nn, nn_grad
from idrun.ops.nn import lrn_sums, pad_nhwc, pads, window
from idrun.ops.opdef import KernelEnv

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the cases overflow on purpose

OPS = {o.name: o for o in nn.OPS + nn_grad.OPS}


@pytest.fixture(params=["one block", "small blocks"], autouse=True)
def blocks(request, monkeypatch):
    """Each case runs in the blocks the kernels choose and in blocks of a few rows (an image or
    less), so that some blocks take the fast path and their neighbours the exact one."""
    if request.param == "small blocks":
        monkeypatch.setattr(nn, "CACHE_ELEMENTS", 100)


def kernel(op: str, dtype="float32", **attrs):
    """The kernel of `op` as a plan binds it on the CPU."""
    env = KernelEnv(np, attrs, (), (), (TensorType(dtype, None),), "n", "resource")
    return OPS[op].kernel(env)


def same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.view(f"u{got.itemsize}"), want.view(f"u{want.itemsize}"))


# ---- lrn_grad --------------------------------------------------------------------------------

def lrn_grad_reference(grads, x, y, r, alpha, bias, beta):
    """The previous kernel: every shift over the whole tensor, TF's skip of g == 0 as a mask."""
    dtype = x.dtype
    alpha, bias, beta = (np.asarray(v, dtype=dtype) for v in (alpha, bias, beta))
    one = np.asarray(1, dtype=dtype)
    norm = lrn_sums(np, x * x, r) * alpha + bias
    power = (norm.astype("float64") ** -beta.astype("float64")).astype(dtype)
    ab2 = np.asarray(-2, dtype=dtype) * alpha * beta * y
    out = np.zeros_like(x)
    depth = x.shape[-1]
    reach = min(r, depth - 1)
    pad = [(0, 0)] * (x.ndim - 1) + [(reach, reach)]
    grads_p, norm_p, ab2_p = (np.pad(v, pad) for v in (grads, norm, ab2))
    for d in range(-reach, reach + 1):
        at = (Ellipsis, slice(reach + d, reach + d + depth))
        g, n, a = grads_p[at], norm_p[at], ab2_p[at]
        zero = g == 0
        with np.errstate(all="ignore"):
            dyi = (x * a) / np.where(zero, one, n)
            if d == 0:
                dyi = dyi + power
            dyi = dyi * g
        dyi[zero] = 0
        out += dyi
    return out


def _lrn_case(rng, shape, dtype, zeros=0.5, special=()):
    x = rng.standard_normal(shape).astype(dtype) * 2
    g = rng.standard_normal(shape).astype(dtype) * 1e-3
    g[rng.random(shape) < zeros] = 0
    g[rng.random(shape) < 0.05] *= -0.0
    for where, value in special:
        where(x, g)[...] = value
    norm = lrn_sums(np, x * x, 4) * np.asarray(1e-4, dtype) + np.asarray(1.0, dtype)
    with np.errstate(all="ignore"):
        y = x / norm ** np.asarray(0.75, dtype)
    return g, x, y.astype(dtype)


LRN_CASES = {
    "cifar-like": dict(shape=(3, 5, 7, 64)),
    "no zeros": dict(shape=(2, 3, 3, 16), zeros=0.0),
    "all zeros": dict(shape=(2, 3, 3, 16), zeros=1.0),
    "depth 1": dict(shape=(4, 3, 3, 1)),
    "depth 3 radius 4": dict(shape=(5, 2, 2, 3)),
    "rows past a block": dict(shape=(5, 23, 11, 64)),
    "inf x where g is 0": dict(shape=(2, 4, 4, 8), special=[(lambda x, g: x[0, 1, 1, 2:5], np.inf),
                                                            (lambda x, g: g[0, 1, 1, 1:6], 0)]),
    "nan x": dict(shape=(2, 4, 4, 8), special=[(lambda x, g: x[1, 2, 3, 4:5], np.nan)]),
    "nan and inf g": dict(shape=(2, 4, 4, 8), special=[(lambda x, g: g[1, 0, 0, 4:5], np.nan),
                                                       (lambda x, g: g[0, 3, 0, 0:1], -np.inf)]),
    "huge x (products overflow)": dict(shape=(2, 3, 3, 8), special=[(lambda x, g: x[0, 0, 0, :], 3e38)]),
    "zero x": dict(shape=(2, 3, 3, 8), special=[(lambda x, g: x[1, :, :, ::2], 0.0)]),
}


@pytest.mark.parametrize("case", LRN_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_lrn_grad_fast_path_gives_the_previous_kernels_bits(case, dtype):
    rng = np.random.default_rng(sum(map(ord, case)))
    g, x, y = _lrn_case(rng, dtype=dtype, **LRN_CASES[case])
    for r, alpha, bias, beta in ((4, 1e-4 / 9, 1.0, 0.75), (2, 0.25, 2.0, 0.5), (0, 1.0, 0.5, 1.0)):
        got = kernel("lrn_grad", dtype, depth_radius=r, alpha=alpha, bias=bias, beta=beta)(g, x, y)
        same_bits(got, lrn_grad_reference(g, x, y, r, alpha, bias, beta))


def test_lrn_grad_zero_bias_divides_by_zero_only_where_tf_does():
    """bias 0 and x == 0: norm is 0, so (x * ab2) / norm is NaN; TF skips it where g == 0."""
    rng = np.random.default_rng(3)
    g, x, y = _lrn_case(rng, (2, 3, 3, 8), "float32")
    x[0, 1] = 0
    y[0, 1] = 0
    got = kernel("lrn_grad", depth_radius=1, alpha=1.0, bias=0.0, beta=0.75)(g, x, y)
    want = lrn_grad_reference(g, x, y, 1, 1.0, 0.0, 0.75)
    same_bits(got, want)
    assert np.isnan(want).any() and not np.isnan(want[1]).any()


# ---- max_pool_grad ---------------------------------------------------------------------------

def max_pool_grad_reference(x, grad, k, s, padding):
    """The previous kernel: TF's loop over each window (the first input no earlier one is >=
    wins; padding never: _argmax_offsets, which the kernel keeps for blocks with NaN or -inf
    and tests/test_ops_nn.py holds to TF's values), then every grad added at its winner in
    output order (np.add.at)."""
    n, h, w, c = x.shape
    arg = nn_grad._argmax_offsets(np, x, k, s, padding)
    oh, ow = arg.shape[1:3]
    pt, pl = pads(h, k[0], s[0], padding)[0], pads(w, k[1], s[1], padding)[0]
    rows = np.arange(oh).reshape(1, -1, 1, 1) * s[0] + arg // k[1] - pt
    cols = np.arange(ow).reshape(1, 1, -1, 1) * s[1] + arg % k[1] - pl
    flat = ((np.arange(n).reshape(-1, 1, 1, 1) * h + rows) * w + cols) * c + np.arange(c)
    out = np.zeros(n * h * w * c, dtype=grad.dtype)
    np.add.at(out, flat.reshape(-1), grad.reshape(-1))
    return out.reshape(x.shape)


def _pool_case(rng, shape, dtype, levels, k, s, padding, x_special=(), g_special=()):
    """x with few distinct values (many ties, -0.0 among the zeros) and a grad of mixed signs."""
    x = (rng.integers(-levels, levels + 1, shape) / 2).astype(dtype)
    x[(x == 0) & (rng.random(shape) < 0.5)] = -0.0
    oh = [(-(-d // st) if padding == "SAME" else (d - kk) // st + 1) for d, kk, st in zip(shape[1:3], k, s)]
    g = rng.standard_normal((shape[0], *oh, shape[3])).astype(dtype)
    g[rng.random(g.shape) < 0.2] = 0.0
    g[rng.random(g.shape) < 0.1] = -0.0
    for where, value in x_special:
        where(x)[...] = value
    for where, value in g_special:
        where(g)[...] = value
    return x, g


POOL_CASES = {
    "cifar pool1": dict(shape=(5, 24, 24, 64), levels=3, k=(3, 3), s=(2, 2), padding="SAME"),
    "ties everywhere": dict(shape=(3, 7, 9, 5), levels=0, k=(3, 3), s=(2, 2), padding="SAME"),
    "valid, odd window": dict(shape=(2, 9, 8, 3), levels=2, k=(3, 2), s=(2, 3), padding="VALID"),
    "gaps (stride past window)": dict(shape=(2, 9, 9, 3), levels=2, k=(2, 2), s=(3, 3), padding="SAME"),
    "window 1": dict(shape=(2, 4, 4, 3), levels=2, k=(1, 1), s=(1, 1), padding="SAME"),
    "overlap stride 1": dict(shape=(3, 6, 5, 4), levels=1, k=(3, 3), s=(1, 1), padding="SAME"),
    "many images": dict(shape=(41, 8, 8, 16), levels=4, k=(3, 3), s=(2, 2), padding="SAME"),
    "nan in x": dict(shape=(3, 7, 7, 4), levels=2, k=(3, 3), s=(2, 2), padding="SAME",
                     x_special=[(lambda x: x[1, 2:4, 1:3, 1:3], np.nan), (lambda x: x[2, 0, 0, :], np.nan)]),
    "-inf in x": dict(shape=(3, 7, 7, 4), levels=2, k=(3, 3), s=(2, 2), padding="SAME",
                      x_special=[(lambda x: x[0, 5:7, 4:7, :], -np.inf), (lambda x: x[2, :, :, 1], -np.inf)]),
    "+inf in x": dict(shape=(3, 7, 7, 4), levels=2, k=(3, 3), s=(2, 2), padding="SAME",
                      x_special=[(lambda x: x[1, 1:5:2, 2:6:3, :], np.inf)]),
    "nan and inf in grad": dict(shape=(3, 7, 7, 4), levels=1, k=(3, 3), s=(2, 2), padding="SAME",
                                g_special=[(lambda g: g[0, 1, 1:3, :], np.nan), (lambda g: g[1, 0, :, 2], np.inf),
                                           (lambda g: g[2, 3, 3, :], -np.inf)]),
}


@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_max_pool_grad_fast_path_gives_the_previous_kernels_bits(case, dtype):
    spec = POOL_CASES[case]
    x, g = _pool_case(np.random.default_rng(sum(map(ord, case))), dtype=dtype, **spec)
    k, s, padding = spec["k"], spec["s"], spec["padding"]
    mp = kernel("max_pool", dtype, ksize=list(k), strides=list(s), padding=padding)(x)
    got = kernel("max_pool_grad", dtype, ksize=list(k), strides=list(s), padding=padding)(x, mp, g)
    same_bits(got, max_pool_grad_reference(x, g, k, s, padding))


# ---- the convolutions ------------------------------------------------------------------------

def conv_reference(x, f, s, padding):
    """conv2d in float64, one window offset at a time."""
    kh, kw, c, o = f.shape
    x_p, oh, ow = pad_nhwc(np, x.astype("float64"), (kh, kw), s, padding)
    out = np.zeros((x.shape[0], oh, ow, o))
    for i in range(kh):
        for j in range(kw):
            out += np.tensordot(window(x_p, i, j, (oh, ow), s), f[i, j].astype("float64"), axes=([3], [0]))
    return out


CONVS = {   # x shape, filter shape, strides, padding
    "cifar conv2": ((5, 12, 12, 64), (5, 5, 64, 64), (1, 1), "SAME"),
    "cifar conv1 (c < o)": ((5, 9, 9, 3), (5, 5, 3, 16), (1, 1), "SAME"),
    "strided": ((3, 9, 8, 4), (3, 3, 4, 5), (2, 2), "SAME"),
    "valid, wide stride": ((3, 10, 11, 2), (3, 2, 2, 3), (3, 2), "VALID"),
    "o < c": ((4, 6, 7, 5), (3, 3, 5, 2), (1, 1), "VALID"),
}


@pytest.mark.parametrize("case", CONVS)
def test_convolutions_in_blocks_of_images_match_a_float64_reference(case, monkeypatch):
    """conv2d and its two gradients take the im2col products a block of images at a time (and
    conv2d_backprop_input's col2im transposed): with one image a block, an uneven last block,
    and every image at once, they give the float64 convolution to float32 rounding (BLAS sums
    in an order of its own, as TF's Eigen contractions do)."""
    xs, fs, s, padding = CONVS[case]
    rng = np.random.default_rng(sum(map(ord, case)))
    x, f = rng.standard_normal(xs).astype("float32"), rng.standard_normal(fs).astype("float32")
    y = conv_reference(x, f, s, padding)
    dy = rng.standard_normal(y.shape).astype("float32")
    # the gradients in float64: dx = the adjoint of conv(., f), df = the adjoint of conv(x, .)
    dx = np.zeros(xs)
    df = np.zeros(fs)
    (pt, _), (pl, _) = pads(xs[1], fs[0], s[0], padding), pads(xs[2], fs[1], s[1], padding)
    x_p, oh, ow = pad_nhwc(np, x.astype("float64"), fs[:2], s, padding)
    dx_p = np.zeros(x_p.shape)
    for i in range(fs[0]):
        for j in range(fs[1]):
            window(dx_p, i, j, (oh, ow), s)[...] += np.tensordot(dy.astype("float64"), f[i, j], axes=([3], [1]))
            df[i, j] = np.tensordot(window(x_p, i, j, (oh, ow), s), dy, axes=([0, 1, 2], [0, 1, 2]))
    dx = dx_p[:, pt:pt + xs[1], pl:pl + xs[2]]
    per_image = [oh * ow * fs[0] * fs[1] * fs[2], y.shape[1] * y.shape[2] * fs[0] * fs[1] * fs[3]]
    terms = fs[0] * fs[1] * max(fs[2], fs[3])   # sums of N(0, 1) products: float32 rounding grows with them
    for block in (1, 2, 10 ** 9):   # images a block
        monkeypatch.setattr(nn, "CONV_BLOCK", block * min(per_image) + 1)
        attrs = dict(strides=list(s), padding=padding)
        np.testing.assert_allclose(kernel("conv2d", **attrs)(x, f), y, rtol=1e-5, atol=1e-6 * terms)
        np.testing.assert_allclose(kernel("conv2d_backprop_input", **attrs, data_format="NHWC")(
            np.array(xs), f, dy), dx, rtol=1e-5, atol=1e-6 * terms)
        np.testing.assert_allclose(kernel("conv2d_backprop_filter", **attrs, data_format="NHWC")(
            x, np.array(fs), dy), df, rtol=1e-5, atol=1e-6 * xs[0] * oh * ow)


# ---- max_pool, in blocks ------------------------------------------------------------------

@pytest.mark.parametrize("case", POOL_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float16", "int32"])
def test_max_pool_in_blocks_gives_the_whole_tensors_bits(case, dtype):
    """max_pool pads a block of images at a time into one buffer: the same maximum passes as
    over the whole padded tensor (NaN and -inf included)."""
    spec = POOL_CASES[case]
    x, _ = _pool_case(np.random.default_rng(sum(map(ord, case))), dtype="float32", **spec)
    x = np.nan_to_num(x, nan=7, neginf=-9, posinf=9).astype(dtype) if dtype == "int32" else x.astype(dtype)
    k, s, padding = spec["k"], spec["s"], spec["padding"]
    lowest = np.iinfo(dtype).min if dtype == "int32" else -np.inf
    x_p, oh, ow = pad_nhwc(np, x, k, s, padding, lowest)
    want = window(x_p, 0, 0, (oh, ow), s).copy()
    for i in range(k[0]):
        for j in range(k[1]):
            np.maximum(want, window(x_p, i, j, (oh, ow), s), out=want)
    same_bits(kernel("max_pool", dtype, ksize=list(k), strides=list(s), padding=padding)(x), want)


# ---- another array module ----------------------------------------------------------------------

class _OtherModule:
    """numpy under another name: the kernels take every row at once off numpy (each pass there
    is a launch), the route a GPU array module takes."""
    __name__ = "not-numpy"

    def __getattr__(self, name):
        return getattr(np, name)


@pytest.mark.parametrize("op", ["lrn_grad", "max_pool_grad", "max_pool", "conv2d", "conv2d_backprop_input",
                                "conv2d_backprop_filter"])
def test_kernels_on_another_array_module_take_whole_tensors_and_give_the_same_bits(op):
    assert not nn.on_cpu(_OtherModule()) and nn.on_cpu(np)
    rng = np.random.default_rng(11)
    x, g = _pool_case(rng, (5, 9, 9, 8), "float32", 2, (3, 3), (2, 2), "SAME")
    f = rng.standard_normal((3, 3, 8, 8)).astype("float32")
    dy = rng.standard_normal((5, 9, 9, 8)).astype("float32")
    pool = dict(ksize=[3, 3], strides=[2, 2], padding="SAME")
    conv = dict(strides=[1, 1], padding="SAME", data_format="NHWC")
    args, attrs = {
        "lrn_grad": ((dy, x, x / 2), dict(depth_radius=2, alpha=0.1, bias=1.0, beta=0.75)),
        "max_pool_grad": ((x, x[:, ::2, ::2], g), pool),
        "max_pool": ((x,), pool),
        "conv2d": ((x, f), conv),
        "conv2d_backprop_input": ((np.array(x.shape), f, dy), conv),
        "conv2d_backprop_filter": ((x, np.array(f.shape), dy), conv),
    }[op]
    env = KernelEnv(_OtherModule(), attrs, (), (), (TensorType("float32", None),), "n", "resource")
    same_bits(OPS[op].kernel(env)(*args), kernel(op, **attrs)(*args))
