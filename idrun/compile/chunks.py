"""A long step as a chain of functions ("chunks"), and its source compiled one function
at a time.

Past `plan.CHUNK_LINES` statements the step is split (a 100,000-line function is slow
to compile). The chunks share the step's dict `S`: a value bound in one chunk and read in
a later one lives in `S` under its own name (`S['v_x'] = k_x(...)`, read as `S['v_x']`),
its last read taking it out (`S.pop('v_x')`) where the flat function has `del v_x`, so it
is freed at the same point. Values read only where they are bound stay plain locals.
Every value is written once and read where it is read: linear in the graph, where handing
each live value on from chunk to chunk is not (a random DAG keeps O(n) values live).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from idrun.compile.lower import _Stmt


def write_chunks(lines: list[str], chunks: list[list[_Stmt]], fed: list[str], fed_vars: list[str],
                 ret: str, fetched: list[str], bound: dict, write: Callable[[list[_Stmt]], None]) -> None:
    """Append the chained step to `lines`: `step_1` .. `step_K` (each written by `write`,
    which appends to `lines`, after the fed lines for the first and before `ret` for the
    last), then `step`, which makes `S` and calls them in turn. `bound`: the plan's globals."""
    shared = _shared(chunks, fed_vars, fetched, bound)
    if shared:
        fed = [_in_dict(line, [v]) if v in shared else line for line, v in zip(fed, fed_vars)]
        ret = _in_dict(ret, [v for v in dict.fromkeys(fetched) if v in shared])
    last = len(chunks) - 1
    for k, chunk in enumerate(chunks):
        lines.append(f"def step_{k + 1}(F, T, O, S):")
        if k == 0:
            lines += fed
        write(_with_shared(chunk, shared) if shared else chunk)
        if k == last:
            lines.append(ret)
    lines.append("def step(F, T, O):")
    lines.append("    S = {}  # the values one chunk binds and a later one reads")
    lines += [f"    step_{k + 1}(F, T, O, S)" for k in range(last)]
    lines.append(f"    return step_{last + 1}(F, T, O, S)")


def _shared(chunks: list[list[_Stmt]], fed: list[str], fetched: list[str], bound: dict) -> set[str]:
    """The locals that one chunk binds and a later one reads: each name a chunk reads but
    does not bind (a value is bound before it is read, once), less the plan's globals
    (`bound`: constants, variables, kernels) and the fed values in the first chunk, which
    binds them; fetched values are read by the last chunk. One chunk's names at a time."""
    shared: set[str] = set()
    first, last = set(fed), len(chunks) - 1
    for k, chunk in enumerate(chunks):
        mine = {v for stmt in chunk for v in stmt.defs}
        if k == 0:
            mine |= first
        shared.update(v for stmt in chunk for v in stmt.uses if v not in mine and v not in bound)
        if k == last:
            shared.update(v for v in fetched if v not in mine and v not in bound)
    return shared


def _in_dict(text: str, names: list[str], popped: set[str] = frozenset()) -> str:
    """A line with each of `names` (shared values it reads or binds) in its code, not its
    comment, read from or bound in `S`; for each name in `popped` its last mention (the
    last read: arguments are evaluated left to right, `out=` last) a `S.pop`."""
    code, sep, comment = text.partition("  # ")
    spans = []
    for v in names:   # each whole-word mention (`v_n1` is no mention in `v_n12`)
        n, i = len(v), code.find(v)
        while i >= 0:
            j = i + n
            if (i == 0 or not _word_char(code[i - 1])) and (j == len(code) or not _word_char(code[j])):
                spans.append((i, j, v))
            i = code.find(v, j)
    if not spans:
        return text
    spans.sort()
    last = {v: i for i, (_, _, v) in enumerate(spans)} if popped else {}
    parts, pos = [], 0
    for k, (i, j, v) in enumerate(spans):
        parts += (code[pos:i], f"S.pop({v!r})" if v in popped and last[v] == k else f"S[{v!r}]")
        pos = j
    parts.append(code[pos:])
    return "".join(parts) + sep + comment


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _with_shared(chunk: list[_Stmt], shared: set[str]) -> list[_Stmt]:
    """A chunk's statements with its shared values in `S` (see the module's doc): a
    `del` of one becomes a `S.pop` at its last read, in the statement before the `del`."""
    pops: dict[int, set[str]] = {}     # statement index -> shared names its last read pops
    reader: dict[str, int] = {}        # shared name -> the last statement so far reading it
    out = list(chunk)
    for i, stmt in enumerate(chunk):
        if stmt.text.startswith("    del "):
            freed = stmt.text[8:].split(", ")
            mine = [v for v in freed if v in shared]
            if mine:
                for v in mine:
                    pops.setdefault(reader[v], set()).add(v)
                kept = [v for v in freed if v not in shared]
                out[i] = _Stmt("    del " + ", ".join(kept)) if kept else None
            continue
        for v in stmt.uses:
            if v in shared:
                reader[v] = i
    for i, stmt in enumerate(chunk):
        if out[i] is stmt and (stmt.uses or stmt.defs):
            names = [v for v in stmt.uses if v in shared] + [v for v in stmt.defs if v in shared]
            if names:
                out[i] = _Stmt(_in_dict(stmt.text, list(dict.fromkeys(names)), pops.get(i, frozenset())),
                               stmt.item, stmt.uses, stmt.defs)
    return [stmt for stmt in out if stmt is not None]


def _compiled(lines: list[str], source: str, filename: str) -> Iterator[Any]:
    """The step's code; a chained step one function at a time, with the line numbers of the
    whole source (compiling 200,000 lines at once holds their whole syntax tree: 8 KB a
    node of a 100,000-node chain without numexpr)."""
    starts = [i for i, line in enumerate(lines) if line.startswith("def ")]
    if len(starts) < 3:
        yield compile(source, filename, "exec")
        return
    for start, end in zip(starts, starts[1:] + [len(lines)]):
        yield _moved(compile("\n".join(lines[start:end]) + "\n", filename, "exec"), start)


def _moved(code: Any, lines: int) -> Any:
    """`code` with every line number `lines` further on (line tables count from
    co_firstlineno), its nested functions too."""
    consts = tuple(_moved(c, lines) if type(c) is type(code) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=consts)
