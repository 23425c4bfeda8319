"""The fast paths of the nn gradient kernels against the plain loops they replace.

lrn_grad and max_pool_grad follow TF's float order bit for bit (tests/test_ops_nn.py holds
TF's values); their kernels take faster routes (cache blocks, no mask where it cannot change a
bit, window adds instead of a scatter) that must give the very same bits. The references here
are the previous kernels: the per-element loops written out with numpy, as TF's CPU kernels run
them. Each case is built to reach a route's edge: zeros in the gradient (TF skips them), ties,
NaN, infinities, -0.0, padding, and sizes that do not fill a block.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the cases overflow on purpose

from idrun.graph import TensorType
from idrun.ops import nn, nn_grad
from idrun.ops.nn import lrn_sums, pad_nhwc, pads, window
from idrun.ops.opdef import KernelEnv

OPS = {o.name: o for o in nn.OPS + nn_grad.OPS}


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
    "rows past a block": dict(shape=(9, 31, 17, 64)),
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
