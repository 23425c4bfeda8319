"""TF's own random numbers: Philox4x32-10 and the distributions of TF's CPU kernels, in numpy.

Bit for bit what TF 2.21's stateful random ops give on CPU (RandomUniform,
RandomStandardNormal, TruncatedNormal, RandomUniformInt, RandomShuffle):

- `core/lib/random/philox_random.h`: a 64-bit key and a 128-bit counter; the
  op's attributes make them as `PhiloxRandom(seed, seed2)` does (key = seed,
  counter words 2-3 = seed2). One call turns the counter into four uint32
  words (ten rounds) and then adds one to it.
- `core/util/guarded_philox_random.h`: each run of the op reserves
  `output_count * 256` calls (`ReserveRandomOutputs(n, 256)`, random_op.cc) by
  skipping the op's counter that far, so each step draws new numbers;
  RandomShuffle reserves `(n - 1 + 3) // 4` calls (`ReserveSamples32`).
- `core/kernels/random_op_cpu.h`: the output is filled in groups of one
  distribution result (4 floats, 2 doubles) per generator call, the last group
  cut short; the sharding over threads skips to each group's call, so the
  result does not depend on the threads. TruncatedNormal takes a variable
  number of words per group: group g starts at call `g * 256` (floats) or
  `g * 128` (doubles) and reads words one at a time (SingleSampleAdapter).
- `core/lib/random/random_distributions.h` and `random_distributions_utils.h`:
  uint32 -> float in [1, 2) minus 1, two uint32 -> double likewise, the
  Box-Muller transform with TF's float types, truncation at |x| < 2, and
  `lo + bits % (hi - lo)` for integers.

Box-Muller's functions are glibc's, as TF calls them: float32 uses logf and
sincosf, written out below in numpy from glibc's sources (the float64 steps
they take, then one rounding); float64 uses log, sin and cos through Python's
math module, which calls the same libm. Checked bit for bit against TF on
millions of values (tests/test_random_tf.py pins a sample).
"""

from __future__ import annotations

import math

import numpy as np

MASK32 = 0xFFFFFFFF
MASK128 = (1 << 128) - 1
_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_LOW = np.uint64(MASK32)
_SHIFT = np.uint64(32)
RESERVED_PER_OUTPUT = 256       # random_op.cc: ReserveRandomOutputs(size, 256)
TRUNCATE = 2.0                  # TruncatedNormalDistribution::kTruncateValue


class PhiloxState:
    """One op's generator (GuardedPhiloxRandom): a key and a counter that each run skips."""

    __slots__ = ("key", "counter")

    def __init__(self, seed: int, seed2: int) -> None:
        self.key = seed & ((1 << 64) - 1)
        self.counter = (seed2 & ((1 << 64) - 1)) << 64

    def reserve(self, calls: int) -> int:
        """The counter to use now; skips `calls` generator calls past it (ReserveSamples128)."""
        start = self.counter
        self.counter = (self.counter + calls) & MASK128
        return start


def philox(key: int, counters: np.ndarray | int, calls: int | None = None) -> np.ndarray:
    """Philox4x32-10 of each 128-bit counter: words (n, 4) as uint32.

    `counters` is a base counter (int) and `calls` the count of consecutive ones, or an
    array of (n, 2) uint64 counter halves (low, high)."""
    if calls is not None:
        lo, hi = _consecutive(counters, calls)
    else:
        lo, hi = counters[:, 0], counters[:, 1]
    c0, c1, c2, c3 = lo & _LOW, lo >> _SHIFT, hi & _LOW, hi >> _SHIFT
    k0, k1 = key & MASK32, key >> 32
    for round_ in range(10):
        if round_:
            k0, k1 = (k0 + _W0) & MASK32, (k1 + _W1) & MASK32
        p0, p1 = c0 * _M0, c2 * _M1
        c0, c1, c2, c3 = (p1 >> _SHIFT) ^ c1 ^ np.uint64(k0), p1 & _LOW, (p0 >> _SHIFT) ^ c3 ^ np.uint64(k1), p0 & _LOW
    return np.stack([c0, c1, c2, c3], axis=-1).astype(np.uint32)


def _consecutive(base: int, calls: int) -> tuple[np.ndarray, np.ndarray]:
    """The low and high 64 bits of counters base, base + 1, ... (a 128-bit add, as SkipOne)."""
    base_lo, base_hi = base & ((1 << 64) - 1), base >> 64
    lo = np.uint64(base_lo) + np.arange(calls, dtype=np.uint64)
    hi = np.full(calls, base_hi, dtype=np.uint64)
    hi[lo < np.uint64(base_lo)] += np.uint64(1)
    return lo, hi


def counters_at(base: int, offsets: np.ndarray) -> np.ndarray:
    """(n, 2) counter halves of base + offsets (offsets uint64, carry into the high half)."""
    base_lo, base_hi = base & ((1 << 64) - 1), base >> 64
    lo = np.uint64(base_lo) + offsets.astype(np.uint64)
    hi = np.full(lo.shape, base_hi, dtype=np.uint64)
    hi[lo < np.uint64(base_lo)] += np.uint64(1)
    return np.stack([lo, hi], axis=-1)


# ---- uint32 words -> numbers (random_distributions_utils.h) ---------------------------

def words_to_float(words: np.ndarray) -> np.ndarray:
    """Uint32ToFloat: 23 random mantissa bits under exponent 127, minus 1.0f."""
    bits = (words.astype(np.uint32) & np.uint32(0x7FFFFF)) | np.uint32(127 << 23)
    return bits.view(np.float32) - np.float32(1.0)


def words_to_double(hi_words: np.ndarray, lo_words: np.ndarray) -> np.ndarray:
    """Uint64ToDouble(x0, x1): 20 bits of x0 and all of x1 as the mantissa, minus 1.0."""
    man = ((hi_words.astype(np.uint64) & np.uint64(0xFFFFF)) << _SHIFT) | lo_words.astype(np.uint64)
    return (man | np.uint64(1023 << 52)).view(np.float64) - 1.0


def words_to_half(words: np.ndarray) -> np.ndarray:
    """Uint16ToHalf: the low 10 bits as the mantissa under exponent 15, minus half 1.0."""
    bits = (words.astype(np.uint16) & np.uint16(0x3FF)) | np.uint16(15 << 10)
    return bits.view(np.float16) - np.float16(1.0)


def box_muller_float(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BoxMullerFloat: u1 clamped at 1e-7f, v1 = float(2 * M_PI * u), sqrtf(-2 logf(u1)), sincosf."""
    u1 = np.maximum(words_to_float(x0), np.float32(1e-7))
    v1 = (2.0 * np.pi * words_to_float(x1).astype(np.float64)).astype(np.float32)
    u2 = np.sqrt(np.float32(-2.0) * glibc_logf(u1))
    sin, cos = glibc_sincosf(v1)
    return sin * u2, cos * u2


def box_muller_double(x0, x1, x2, x3) -> tuple[np.ndarray, np.ndarray]:
    """BoxMullerDouble: u1 from (x0, x1) clamped at 1e-7, v1 = 2 * M_PI * u(x2, x3), glibc's
    log, sin and cos (Python's math module calls the same libm)."""
    u1 = np.maximum(words_to_double(x0, x1), 1e-7)
    v1 = 2 * np.pi * words_to_double(x2, x3)
    u2 = np.sqrt(-2.0 * _libm(math.log, u1))
    return _libm(math.sin, v1) * u2, _libm(math.cos, v1) * u2


def _libm(fn, values: np.ndarray) -> np.ndarray:
    flat = values.reshape(-1).tolist()
    return np.fromiter(map(fn, flat), dtype=np.float64, count=len(flat)).reshape(values.shape)


# ---- glibc's logf and sincosf (sysdeps/ieee754/flt-32, glibc >= 2.28), in float64 as they are --
# Only the inputs Box-Muller gives: logf of [1e-7, 1), sincosf of [0, 2 pi). These routines and
# their tables come from Arm's optimized-routines (math/logf.c, math/sincosf.c; Szabolcs Nagy),
# published under "MIT OR Apache-2.0 WITH LLVM-exception" and contributed to glibc from there.

_h = float.fromhex
_LOGF_TAB = np.array([
    (_h('0x1.661ec79f8f3bep+0'), _h('-0x1.57bf7808caadep-2')), (_h('0x1.571ed4aaf883dp+0'), _h('-0x1.2bef0a7c06ddbp-2')),
    (_h('0x1.49539f0f010bp+0'), _h('-0x1.01eae7f513a67p-2')), (_h('0x1.3c995b0b80385p+0'), _h('-0x1.b31d8a68224e9p-3')),
    (_h('0x1.30d190c8864a5p+0'), _h('-0x1.6574f0ac07758p-3')), (_h('0x1.25e227b0b8eap+0'), _h('-0x1.1aa2bc79c81p-3')),
    (_h('0x1.1bb4a4a1a343fp+0'), _h('-0x1.a4e76ce8c0e5ep-4')), (_h('0x1.12358f08ae5bap+0'), _h('-0x1.1973c5a611cccp-4')),
    (_h('0x1.0953f419900a7p+0'), _h('-0x1.252f438e10c1ep-5')), (_h('0x1p+0'), _h('0x0p+0')),
    (_h('0x1.e608cfd9a47acp-1'), _h('0x1.aa5aa5df25984p-5')), (_h('0x1.ca4b31f026aap-1'), _h('0x1.c5e53aa362eb4p-4')),
    (_h('0x1.b2036576afce6p-1'), _h('0x1.526e57720db08p-3')), (_h('0x1.9c2d163a1aa2dp-1'), _h('0x1.bc2860d22477p-3')),
    (_h('0x1.886e6037841edp-1'), _h('0x1.1058bc8a07ee1p-2')), (_h('0x1.767dcf5534862p-1'), _h('0x1.4043057b6ee09p-2'))])
_LOGF_LN2 = _h('0x1.62e42fefa39efp-1')
_LOGF_A = (_h('-0x1.00ea348b88334p-2'), _h('0x1.5575b0be00b6ap-2'), _h('-0x1.ffffef20a4123p-2'))


def glibc_logf(x: np.ndarray) -> np.ndarray:
    """glibc's logf (e_logf.c) for normal positive x below 1."""
    ix = x.astype(np.float32).view(np.uint32)
    tmp = ix - np.uint32(0x3F330000)
    i = (tmp >> np.uint32(19)) % np.uint32(16)
    k = (tmp.view(np.int32) >> np.int32(23)).astype(np.float64)
    z = (ix - (tmp & np.uint32(0xFF800000))).view(np.float32).astype(np.float64)
    invc, logc = _LOGF_TAB[i, 0], _LOGF_TAB[i, 1]
    r = z * invc - 1
    y0 = logc + k * _LOGF_LN2
    r2 = r * r
    y = _LOGF_A[1] * r + _LOGF_A[2]
    y = _LOGF_A[0] * r2 + y
    return (y * r2 + (y0 + r)).astype(np.float32)


_HPI_INV, _HPI = _h('0x1.45F306DC9C883p+23'), _h('0x1.921FB54442D18p0')
_SINCOS_C = (_h('0x1p0'), _h('-0x1.ffffffd0c621cp-2'), _h('0x1.55553e1068f19p-5'), _h('-0x1.6c087e89a359dp-10'), _h('0x1.99343027bf8c3p-16'))
_SINCOS_S = (_h('-0x1.555545995a603p-3'), _h('0x1.1107605230bc4p-7'), _h('-0x1.994eb3774cf24p-13'))


def _abstop12(x: np.ndarray) -> np.ndarray:
    return (x.view(np.uint32) >> np.uint32(20)) & np.uint32(0x7FF)


def glibc_sincosf(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """glibc's sincosf (s_sincosf.c, sincosf_poly.h) for 0 <= y < 120."""
    y = y.astype(np.float32)
    top = _abstop12(y)
    small = top < _abstop12(np.array([_h('0x1.921FB54442D18p-1')], dtype=np.float32))[0]
    x = y.astype(np.float64)
    n = np.where(small, 0, ((x * _HPI_INV).astype(np.int32) + 0x800000) >> 24)
    x = np.where(small, x, x - n * _HPI)
    sign = np.where((n & 3) == 1, -1.0, np.where((n & 3) == 2, -1.0, 1.0))
    # the 2nd table entry negates every cosine coefficient: the same as negating the sum (exact)
    neg_cos = np.where(n & 2, np.float32(-1.0), np.float32(1.0))
    xs, x2 = x * sign, x * x
    x4, x3 = x2 * x2, x2 * xs
    c0, c1, c2, c3, c4 = _SINCOS_C
    s = xs + x3 * _SINCOS_S[0]
    c = (c0 + x2 * c1) + x4 * c2
    sin_poly = (s + (x3 * x2) * (_SINCOS_S[1] + x2 * _SINCOS_S[2])).astype(np.float32)
    cos_poly = (c + (x4 * x2) * (c3 + x2 * c4)).astype(np.float32) * neg_cos
    odd = (n & 1).astype(bool)
    sin, cos = np.where(odd, cos_poly, sin_poly), np.where(odd, sin_poly, cos_poly)
    tiny = top < _abstop12(np.array([_h('0x1p-12')], dtype=np.float32))[0]
    return np.where(tiny, y, sin), np.where(tiny, np.float32(1.0), cos)


# ---- the kernels' fills (random_op_cpu.h) ---------------------------------------------

def _per_call(dtype: str) -> int:
    """Outputs one generator call gives for a fixed-count distribution."""
    return 2 if dtype in ("float64", "int64") else 4


def uniform(key: int, counter: int, size: int, dtype: str) -> np.ndarray:
    """RandomUniform: UniformDistribution<PhiloxRandom, dtype>, `size` values in [0, 1)."""
    words = philox(key, counter, -(-size // _per_call(dtype)))
    if dtype == "float64":
        return words_to_double(words[:, 0::2], words[:, 1::2]).reshape(-1)[:size]
    convert = words_to_half if dtype == "float16" else words_to_float
    return convert(words.reshape(-1)[:size])


def normal(key: int, counter: int, size: int, dtype: str) -> np.ndarray:
    """RandomStandardNormal: NormalDistribution<PhiloxRandom, dtype> (Box-Muller per pair)."""
    words = philox(key, counter, -(-size // _per_call(dtype)))
    if dtype == "float64":
        d0, d1 = box_muller_double(words[:, 0], words[:, 1], words[:, 2], words[:, 3])
        return np.stack([d0, d1], axis=-1).reshape(-1)[:size]
    f0, f1 = box_muller_float(words[:, 0::2].reshape(-1), words[:, 1::2].reshape(-1))
    out = np.stack([f0, f1], axis=-1).reshape(-1)[:size]
    return out.astype(np.float16) if dtype == "float16" else out


def truncated_normal(key: int, counter: int, size: int, dtype: str) -> np.ndarray:
    """TruncatedNormal: per group (4 floats or 2 doubles) a fresh generator at call
    g * group * 256 / 4, drawing Box-Muller pairs and keeping |x| < 2 until the group is full."""
    group = 2 if dtype == "float64" else 4
    groups = -(-size // group)
    stride = group * RESERVED_PER_OUTPUT // 4
    out = np.zeros((groups, group), dtype=np.float64 if dtype == "float64" else np.float32)
    filled = np.zeros(groups, dtype=np.int64)
    pending = np.arange(groups, dtype=np.uint64)
    call = 0
    while pending.size:
        # a few calls at a time for the groups not yet full; nearly all finish in the first
        batch = 2 if call == 0 else 1
        offsets = pending[:, None] * np.uint64(stride) + np.arange(call, call + batch, dtype=np.uint64)
        words = philox(key, counters_at(counter, offsets.reshape(-1))).reshape(len(pending), -1)
        cand = _truncation_candidates(words, dtype)
        _take_in_order(out, filled, pending.astype(np.int64), cand, group)
        pending = pending[filled[pending.astype(np.int64)] < group]
        call += batch
    values = out.reshape(-1)[:size]
    return values.astype(np.float16) if dtype == "float16" else values


def _truncation_candidates(words: np.ndarray, dtype: str) -> np.ndarray:
    """Each group's Box-Muller outputs in the order the kernel tries them: (groups, k)."""
    if dtype == "float64":
        quads = words.reshape(len(words), -1, 4)
        d0, d1 = box_muller_double(quads[..., 0], quads[..., 1], quads[..., 2], quads[..., 3])
        return np.stack([d0, d1], axis=-1).reshape(len(words), -1)
    f0, f1 = box_muller_float(words[:, 0::2], words[:, 1::2])
    return np.stack([f0, f1], axis=-1).reshape(len(words), -1)


def _take_in_order(out, filled, rows, cand, group) -> None:
    """Append each row's candidates with |x| < 2, in order, until its group is full."""
    keep = np.abs(cand) < cand.dtype.type(TRUNCATE)
    rank = np.cumsum(keep, axis=1) - 1 + filled[rows][:, None]
    take = keep & (rank < group)
    r, c = np.nonzero(take)
    out[rows[r], rank[r, c]] = cand[r, c]
    filled[rows] = np.minimum(filled[rows] + keep.sum(axis=1), group)


def uniform_int(key: int, counter: int, size: int, dtype: str, lo: int, hi: int) -> np.ndarray:
    """RandomUniformInt: lo + bits % (hi - lo), 32 bits a value (int32) or 64 (int64)."""
    words = philox(key, counter, -(-size // _per_call(dtype)))
    if dtype == "int64":
        bits = words[:, 0::2].astype(np.uint64) | (words[:, 1::2].astype(np.uint64) << _SHIFT)
        span = np.uint64((hi - lo) & ((1 << 64) - 1))
        return (np.uint64(lo & ((1 << 64) - 1)) + bits.reshape(-1)[:size] % span).view(np.int64)
    span = np.uint32((hi - lo) & MASK32)
    return (np.int64(lo) + (words.reshape(-1)[:size] % span).astype(np.int64)).astype(np.int32)


def shuffle_permutation(key: int, counter: int, n: int) -> np.ndarray:
    """RandomShuffle's order of rows: for i in 0..n-2 swap i with i + word_i % (n - i)."""
    perm = np.arange(n)
    if n <= 1:
        return perm
    words = philox(key, counter, -(-(n - 1) // 4)).reshape(-1)[:n - 1].astype(np.int64)
    picks = np.arange(n - 1) + words % np.arange(n, 1, -1)
    for i, j in enumerate(picks.tolist()):  # sequential swaps: each depends on the last
        perm[i], perm[j] = perm[j], perm[i]
    return perm


def shuffle_calls(n: int) -> int:
    """Generator calls RandomShuffle reserves for n rows: ReserveSamples32(n - 1)."""
    return (n - 1 + 3) // 4 if n > 1 else 0
