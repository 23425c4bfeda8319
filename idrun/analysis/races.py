"""unordered-read-write: a read and a write of one variable with no path between them."""

from __future__ import annotations

from idrun.analysis.diagnostic import Diagnostic, Note
from idrun.analysis.facts import Facts

MAX_PER_VARIABLE = 20  # enough to see the pattern; the count says how many more


def unordered_pairs(facts: Facts) -> list[tuple[str, str, str]]:
    """(variable, reader, writer) for each read and write of one step with no data or control
    path either way, the read's value seen by a fetch or an effect. Per writer one bitset
    test against all the variable's readers."""
    if not facts.requested and not facts.spec.expand:
        return []   # an imported graph with no run: no step to race in (TF never runs it whole)
    bit, anc, desc = facts.order
    observed = facts.observed
    out = []
    for var, (readers, writers) in facts.accesses.items():
        readers = [r for r in readers if r in observed]  # a value no one sees shows no race
        if not readers or not writers:
            continue
        rmask = 0
        for r in readers:
            rmask |= bit[r]
        by_bit = {bit[r]: r for r in readers}
        found = 0
        for w in writers:
            loose = rmask & ~(anc[w] | desc[w] | bit[w])
            while loose and found < MAX_PER_VARIABLE:
                low = loose & -loose
                loose ^= low
                out.append((var, by_bit[low], w))
                found += 1
    return out


def unordered_read_write(facts: Facts) -> list[Diagnostic]:
    out = []
    for var, reader, writer in unordered_pairs(facts):
        who = facts.reader_label(reader)
        through = f" (through `{reader}`)" if who != reader else ""
        snapshot = facts.graph.nodes[reader].role == "snapshot"
        if snapshot:
            through = f" (the read that fetching `{var}` runs)"
            fix = (f"fetch an `op: identity` of `{var}` made under `control_dependencies: "
                   f"[{writer}]` to read after the write, or run `{writer}` in a step of its own")
        else:
            fix = (f"order them: put the read under `control_dependencies: [{writer}]` (an "
                   f"`op: identity` of `{var}`) to read after the write, or give `{writer}` "
                   f"`control_inputs: [{who}]` to read before it")
        message = (f"`{who}` reads `{var}`{through} and `{writer}` writes it in the same step with "
                   f"no data or control path between them: the value read depends on op order "
                   f"(TF: nondeterministic); {fix}")
        out.append(Diagnostic("unordered-read-write", "warning", facts.loc(who), message,
                              [who, writer, var] + ([reader] if who != reader else []),
                              [Note(facts.loc(writer), f"`{writer}` writes `{var}` here")], fix=fix,
                              data={"variable": var, "reader": reader, "writer": writer}))
    return out
