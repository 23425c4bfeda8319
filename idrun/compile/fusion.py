"""Fusion (optional, with numexpr: `idrun[fast]`): a contiguous run of small elementwise
plan lines whose intermediates are read once, inside the run, becomes one numexpr kernel
per tree (see the comment below for which ops, and docs/architecture.md "Which ops fuse,
and why only those"). The plan's generator (`compile/plan.py`) marks fusable lines and
calls `fuse` on its records; untraced steps only."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any, Callable

from idrun.compile.lower import _Line

# Fusion (optional, with numexpr: `idrun[fast]`): a contiguous run of small elementwise
# lines whose intermediates are read once, inside the run, becomes one numexpr kernel
# per tree. Only IEEE-exact operations fuse: each result is the correctly rounded value
# of its inputs, so numexpr and numpy agree bit for bit on every CPU by construction.
# Transcendentals (exp, log, tanh, ...) are left to numpy: their last bit depends on the
# library and on the SIMD path the CPU selects (numexpr's float64 exp differs from numpy's
# AVX-512 exp in ~4.5% of inputs). maximum/minimum are left too: which zero or NaN they
# return is not fixed by IEEE 754, and numpy's SIMD and scalar loops may choose differently.
FUSE_MAX_OPS = 40          # numexpr's compiler is about quadratic and limits nesting
FUSE_MAX_BYTES = 1 << 16   # above this, numpy with `out=` buffers is as fast
_FUSE_OPS = {              # numexpr template per op
    "add": "({0}+{1})", "sub": "({0}-{1})", "mul": "({0}*{1})", "div": "({0}/{1})",
    "neg": "(-{0})", "square": "({0}*{0})", "sqrt": "sqrt({0})"}
_FUSE_DTYPES = {"float32": set(_FUSE_OPS),
                "float64": set(_FUSE_OPS),
                "int32": {"add", "sub", "mul", "neg", "square"}}   # numexpr's int division is not TF's
_FUSE_REPEATS = {t for t in _FUSE_OPS.values() if t.count("{0}") > 1}  # input read twice
# per template: itself with `{}` per argument read, and which argument each one reads
_FUSE_SLOTS = {t: (re.sub(r"\{\d\}", "{}", t), [int(d) for d in re.findall(r"\{(\d)\}", t)])
               for t in _FUSE_OPS.values()}
_numexpr: Any = None
_ne_cache: dict[tuple, Any] = {}


def _load_numexpr():
    """numexpr, imported on first use, one thread; False when it is not installed."""
    global _numexpr
    if _numexpr is None:
        try:
            import numexpr
            numexpr.set_num_threads(1)
            _numexpr = numexpr
        except ImportError:
            _numexpr = False
    return _numexpr


def fusable(node, opdef, device) -> tuple | None:
    if not opdef.elementwise or opdef.multi_output or len(node.outputs) != 1:
        return None
    out = node.outputs[0]
    if node.op not in _FUSE_DTYPES.get(out.dtype, ()) or not out.shape \
            or any(type(d) is not int for d in out.shape) \
            or getattr(device.xp, "__name__", "") != "numpy":
        return None
    count = int(re.search(r"(\d+)$", out.dtype).group(1)) // 8
    for d in out.shape:
        count *= d
    if count > FUSE_MAX_BYTES or not _load_numexpr():
        return None
    return (_FUSE_OPS[node.op], out.dtype)


def fuse(records: list[_Line], fetched: set[str], bind: Callable, where: Callable) -> list[_Line]:
    """Records with each fusable tree of two or more ops replaced by one numexpr call."""
    if not any(line.fusable is not None for line in records):
        return records
    uses = Counter(itertools.chain.from_iterable([line.uses for line in records]))
    out: list[_Line] = []
    run: list[_Line] = []
    producer: dict[str, int] = {}   # a run line's output -> its index in the run
    for line in records:
        if line.fusable is not None and line.item is not None:
            producer[line.defs[0]] = len(run)
            run.append(line)
            continue
        if run:
            out += _fuse_run(run, fetched, uses, bind, where, producer)
            run, producer = [], {}
        out.append(line)
    if run:
        out += _fuse_run(run, fetched, uses, bind, where, producer)
    return out


def _fuse_run(run: list[_Line], fetched: set[str], uses: dict, bind: Callable,
              where: Callable, producer: dict[str, int]) -> list[_Line]:
    ne = _load_numexpr()
    if len(run) == 1:
        return run
    # an input is inlined when its producer is in the run and it has no other reader.
    # Each line's expression is written as its inputs are decided (bottom-up): its text with
    # `{}` for each leaf, and its leaves (the variables read) in the order they appear
    texts: list[str | None] = []
    leaves: list[list | None] = []
    size = []                      # per line: the ops of its tree
    root = [True] * len(run)
    fused = False
    get_producer, repeats, slots_of = producer.get, _FUSE_REPEATS, _FUSE_SLOTS
    for line in run:
        template, dtype = line.fusable
        args = line.uses
        mine = None   # the run lines it inlines (each reads a distinct input, read only here)
        if template not in repeats:   # square: its input once, as a value
            for v in args:
                j = get_producer(v)
                if j is not None and uses[v] == 1 and v not in fetched and run[j].fusable[1] == dtype:
                    if mine is None:
                        mine = [j]
                    else:
                        mine.append(j)
        auto, slots = slots_of[template]
        if mine is None:
            size.append(1)
            texts.append(auto)
            leaves.append([args[p] for p in slots])
            continue
        total = 1
        for j in mine:
            total += size[j]
        if total > FUSE_MAX_OPS:  # drop the largest subtrees (ties as a set iterates)
            kept = set(mine)
            while total > FUSE_MAX_OPS:
                kept.discard(max(kept, key=size.__getitem__))
                total = 1 + sum([size[j] for j in kept])
            mine = [j for j in mine if j in kept]
        size.append(total)
        if not mine:
            texts.append(auto)
            leaves.append([args[p] for p in slots])
            continue
        fused = True
        parts, mine_leaves = [], []
        for p in slots:
            v = args[p]
            j = get_producer(v)
            if j is not None and j in mine:
                root[j] = False
                parts.append(texts[j])
                mine_leaves += leaves[j]
                texts[j] = leaves[j] = None   # read once: by this line
            else:
                parts.append("{}")
                mine_leaves.append(v)
        texts.append(auto.format(*parts))
        leaves.append(mine_leaves)
    if not fused:
        return run
    result = []
    for k, line in enumerate(run):
        if not root[k]:
            continue
        if size[k] == 1:
            result.append(line)
            continue
        names: dict[str, str] = {}
        idents = []
        for v in leaves[k]:
            n = names.get(v)
            if n is None:
                n = names[v] = f"i{len(names)}"
            idents.append(n)
        text = texts[k].format(*idents)
        dtype = line.fusable[1]
        kind = {"float32": float, "float64": ne.necompiler.double,
                "int32": ne.necompiler.int_}[dtype]
        key = (text, dtype, len(names))
        kernel = _ne_cache.get(key)
        if kernel is None:
            kernel = _ne_cache[key] = ne.NumExpr(text, signature=[(n, kind) for n in names.values()])
        name = bind("fz_", line.defs[0][2:] if line.defs[0].startswith("v_") else line.defs[0], kernel)
        comment = (where(line.pending[0]) if line.pending else line.where) \
            + f"; fused: {size[k]} ops in one numexpr kernel"
        args = list(names)
        result.append(_Line(line.item, f"{line.defs[0]} = {name}({', '.join(args)}", args,
                            list(line.defs), where=comment, elementwise=True))
    return result
