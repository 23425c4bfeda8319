"""Lowering: the step's lines (`_Line`, what each reads and binds) to statements (`_Stmt`)
with each value freed after its last use (`del`), dead buffers of the same shape and
dtype passed as `out=` of elementwise kernels, and, when a step is traced, op order or
clock readings around each item."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

REUSE_MIN_BYTES = 1 << 16  # below this, rebinding a fresh array beats writing into one (PERF.md)
POOL_MAX = 4              # dead buffers kept per (shape, dtype) for reuse


@dataclass(slots=True)
class _Line:
    """One statement of the step before liveness: what it reads and defines."""

    item: int | None
    text: str
    uses: list = field(default_factory=list)
    defs: list = field(default_factory=list)
    where: str = ""              # trailing comment, after a possible `out=`
    buffer: tuple | None = None  # (shape, dtype) when its output may be written into a dead buffer
    elementwise: bool = False    # an elementwise kernel: keeps none of its inputs
    transfer: bool = False
    fusable: tuple | None = None  # (numexpr template, dtype) when it may join a fused kernel
    pending: tuple | None = None  # (node, opdef, device): text and where still to write (`_render`)


def _buffer_key(opdef, out_type, device) -> tuple | None:
    """(shape, dtype) of an elementwise op's output when a dead buffer may take it: a
    fully known, non-scalar shape big enough for writing in place to pay (PERF.md)."""
    if not opdef.elementwise or getattr(device.xp, "__name__", "") != "numpy":
        return None
    shape, bits = out_type.shape, re.search(r"(\d+)$", out_type.dtype)
    if not shape or any(type(d) is not int for d in shape):
        return None
    size = 1 if out_type.dtype == "bool" else int(bits.group(1)) // 8 if bits else 0
    count = 1
    for d in shape:
        count *= d
    if count * size < REUSE_MIN_BYTES:
        return None
    return (tuple(shape), out_type.dtype)


@dataclass(slots=True)
class _Stmt:
    """A statement of the step body: its text, the item it runs, the locals it reads and
    binds (a `del` is its text alone: `chunks` reads the names back from it)."""

    text: str
    item: int | None = None
    uses: tuple = ()
    defs: tuple = ()


def _lower(records: list[_Line], fetched: set[str], record_ops: bool,
           record_times: bool = False) -> list[_Stmt]:
    """Statements with each value freed after its last use, and dead buffers of the same
    shape and dtype passed as `out=` of elementwise kernels.

    A buffer is reused only when it is an elementwise op's own fresh output and every
    reader of it is an elementwise kernel (which keeps nothing): never a fetched value,
    a variable's buffer or a ref view (those come from other kernels), a transfer's
    value (a transfer reads it) or a constant or feed (not defined here).
    """
    last: dict[str, int] = {}
    readers_ok: dict[str, bool] = {}
    key_of: dict[str, tuple | None] = {}
    for pos, line in enumerate(records):
        for v in line.uses:
            last[v] = pos
            if not line.elementwise or line.transfer:
                readers_ok[v] = False
        for v in line.defs:
            key_of[v] = line.buffer
    poolable = {v for v, key in key_of.items()
                if key is not None and v not in fetched and readers_ok.get(v, True)}
    pool: dict[tuple, list[str]] = {}
    out: list[_Stmt] = []
    for pos, line in enumerate(records):
        read, defs = line.uses, line.defs
        dying = []
        if read:   # each local once, in the order read
            for v in (read if len(read) == 1 or (len(read) == 2 and read[0] != read[1])
                      else dict.fromkeys(read)):
                if last[v] == pos and v in key_of and v not in fetched:
                    dying.append(v)
        for v in defs:
            if v not in last and v not in fetched:
                dying.append(v)
        text, freed, buf, uses = line.text, [], None, tuple(read)
        if line.buffer is not None:
            mine = [v for v in dying if v in poolable and key_of[v] == line.buffer
                    and v not in line.defs]
            spare = pool.get(line.buffer)
            if mine:
                buf = mine[0]
            elif spare:
                buf = spare.pop()
                freed.append(buf)
                uses += (buf,)
            if buf is not None:
                text += f", out={buf}"
        if line.where:
            text += ")" + line.where
        text = "    " + text
        if record_times and line.item is not None:
            text = _timed(text, line.item)
        out.append(_Stmt(text, line.item, uses, tuple(line.defs)))
        if record_ops and not record_times and line.item is not None:
            out.append(_Stmt(f"    O.append({line.item})"))
        for v in dying:
            if v in poolable and v != buf and v not in line.defs \
                    and len(pool.setdefault(key_of[v], [])) < POOL_MAX:
                pool[key_of[v]].append(v)
            else:
                freed.append(v)
        if freed:
            out.append(_Stmt("    del " + ", ".join(dict.fromkeys(freed))))
    return out


def _timed(line: str, item: int) -> str:
    """One emitted line with clock readings around its work: O gets (item, start, end).

    A transfer line already reads the clock (`t = clk(); ...; clk() - t`): its end reading is
    kept in `u` and shared with T's seconds, so both record the same interval."""
    code, sep, comment = line.partition("  # ")
    code, comment = code.strip(), sep + comment
    if code.startswith("t = clk(); "):
        work, _, record = code[len("t = clk(); "):].partition("; T.append(")
        record = record.replace("clk() - t", "u - t", 1)
        return f"    t = clk(); {work}; u = clk(); T.append({record}; O.append(({item}, t, u)){comment}"
    if code.startswith("pass"):
        code = "None"
    return f"    t = clk(); {code}; O.append(({item}, t, clk())){comment}"
