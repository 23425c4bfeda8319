"""repeated-transfer: one variable value crossing to one device several times per step."""

from __future__ import annotations

from idrun.analysis.diagnostic import Diagnostic, Note
from idrun.analysis.facts import Facts


def repeated_transfer(facts: Facts) -> list[Diagnostic]:
    """Resource reads of one variable that cross to one device more than once per step and
    see the same value (no write of the variable between them): one read per consumer (C2).
    Reads on either side of a write are different values (explicit transport): not counted."""
    if facts.graph.variables != "resource" and not facts.graph.mixed():
        return []
    bit, anc, _ = facts.order
    reads_of = {}
    wmask = {}
    for var, (readers, writers) in facts.accesses.items():
        if facts.graph.kind_of(var) != "resource":   # a ref variable's x/read crosses once
            continue
        for r in readers:
            reads_of[r] = var
        mask = 0
        for w in writers:
            mask |= bit[w]
        wmask[var] = mask
    groups: dict[tuple, list] = {}
    for t in facts.step.partition.transfers:
        if t.kind not in ("edge", "fetch") or t.tensor.node not in reads_of:
            continue
        var = reads_of[t.tensor.node]
        version = anc.get(t.tensor.node, 0) & wmask[var]
        groups.setdefault((var, t.dst, version), []).append(t)
    out = []
    for (var, dst, _), items in groups.items():
        if len(items) < 2:
            continue
        readers = [facts.reader_label(t.tensor.node) if t.kind == "edge" else f"the fetch of `{var}`"
                   for t in items]
        size = facts.nbytes(items[0].tensor.node, items[0].tensor.index)
        count = len(items)
        per = f"{size} bytes each, {count * size} bytes per step" if size is not None else "size unknown"
        src = items[0].src
        local = f"{var.rpartition('/')[2]}_local"
        fix = (f"read it once on {dst}: `{{name: {local}, op: identity, inputs: [{var}], "
               f"device: {dst}}}` and use `{local}` in "
               + ", ".join(f"`{r}`" for r in readers if not r.startswith("the fetch")))
        message = (f"variable `{var}` (on {src}) crosses to {dst} {count} times per step ({per}): "
                   f"each resource read is a copy of its own, one per consumer "
                   f"({', '.join(f'`{r}`' for r in readers)}); {fix}")
        notes = [Note(facts.loc(r if not r.startswith("the fetch") else var),
                      f"`{r}` reads `{var}` on {dst} here") for r in readers[:2]]
        out.append(Diagnostic("repeated-transfer", "warning", facts.loc(var), message,
                              [var] + [t.tensor.node for t in items], notes, fix=fix,
                              data={"count": count, "bytes_per_step": None if size is None else count * size,
                                    "src": src, "dst": dst}))
    return out
