"""Rules on what the step runs: effects it never reaches, nodes nothing needs."""

from __future__ import annotations

from idrun.analysis.diagnostic import Diagnostic, Note
from idrun.analysis.facts import BUILT, Facts
from idrun.graph import node_of
from idrun.ops import REGISTRY

WHAT = {"write": "updates `{var}`", "average": "updates moving averages", "check": "checks a condition",
        "print": "prints", "dequeue": "dequeues a batch"}


def _skipped_effects(facts: Facts) -> list[str]:
    """Effectful nodes outside the step, one per spec entry (an EMA, not its updates)."""
    if not facts.requested or not facts.spec.expand:
        return []   # an imported graph is what TF's Python built: nothing in it is the user's to remove
    seen_locs = set()
    out = []
    for name, node in facts.graph.nodes.items():
        if name in facts.needed or name in facts.initializing or not REGISTRY[node.op].effect:
            continue
        if node.loc in seen_locs:
            continue
        seen_locs.add(node.loc)
        out.append(name)
    return out


def never_runs(facts: Facts) -> list[Diagnostic]:
    """A stateful op (assign, EMA, assert, print, queue) the fetches and targets never reach."""
    out = []
    update_ops = {node_of(i) for i in facts.spec.collections.get("update_ops", [])}
    for name in _skipped_effects(facts):
        if name in update_ops:
            continue   # update-ops-not-run says it, with the fix TF1 programs use
        node = facts.graph.nodes[name]
        effect = REGISTRY[node.op].effect
        var = facts.written_variable(node)
        what = WHAT[effect].format(var=var)
        how, notes, fix = _how(facts, name, var)
        message = (f"`{name}` ({node.op}, {what}) never runs: nothing the run asks for "
                   f"({facts.run_text()}) reaches it. {how}")
        out.append(Diagnostic("never-runs", "warning", facts.loc(name), message, [name], notes, fix=fix))
    return out


def update_ops_not_run(facts: Facts) -> list[Diagnostic]:
    """A member of the UPDATE_OPS collection (a MetaGraphDef's, or the spec's `collections:`)
    that the run never reaches: TF1's "my batch norm's moving mean never changes"."""
    if not facts.requested:
        return []
    out = []
    for item in facts.spec.collections.get("update_ops", []):
        name = node_of(item)
        if name in facts.needed or name not in facts.graph.nodes:
            continue
        var = facts.written_variable(facts.graph.nodes[name])
        what = f"`{var}`, which it updates," if var else "what it updates (a batch norm's moving mean or variance)"
        fix = (f"build the train op under a control dependency on the UPDATE_OPS collection (TF1: "
               f"`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)): train_op = "
               f"opt.minimize(loss)`; in a spec, put the `minimize` entry in a block with "
               f"`control_dependencies: [{{collection: UPDATE_OPS}}]`), or run `{name}` with it "
               f"(`--target {name}`)")
        message = (f"`{name}` is in UPDATE_OPS, but nothing the run asks for ({facts.run_text()}) reaches "
                   f"it: {what} never changes; {fix}")
        out.append(Diagnostic("update-ops-not-run", "warning", facts.loc(name), message, [name], fix=fix))
    return out


def no_gradient(facts: Facts) -> list[Diagnostic]:
    """A variable that a `minimize` entry's var_list holds (by default every trainable variable)
    but that no gradient from the loss reaches: TF's apply_gradients skips it, so it never
    changes; when no variable at all has one TF fails with "No gradients provided for any
    variable" (a build error here too). Says why: the loss does not use it, or uses it only
    through ops that pass no gradient back (stop_gradient...)."""
    out = []
    for train, loss, loc, missing in getattr(facts.graph, "training", ()):
        above = _ancestors(facts, node_of(loss))
        for var in missing:
            blockers = _blockers(facts, var, above) if var in above else []
            if var not in above:
                why = f"`{loss}` does not depend on `{var}`"
                fix = (f"leave `{var}` out of the var_list (`var_list: [...]` on the minimize entry, or "
                       f"`trainable: false` on `{var}`), or make `{loss}` use it")
            else:
                through = ", ".join(f"`{b}` ({facts.graph.nodes[b].op})" for b in blockers) or \
                    "ops that pass no gradient back (integer tensors, or ops TF gives no gradient)"
                why = f"`{loss}` uses `{var}` only through {through}, which pass{'es' * (len(blockers) < 2)} no gradient back"
                fix = (f"if `{var}` should train, let `{loss}` use it without that op; else leave it out "
                       f"of the var_list (`var_list: [...]`, or `trainable: false` on `{var}`)")
            message = (f"`{train}` minimizes `{loss}` over `{var}`, but {why}: no gradient reaches `{var}` and "
                       f"the optimizer never updates it (TF's apply_gradients skips it without a word; only "
                       f"when no variable has one does TF fail, \"No gradients provided for any "
                       f"variable\"); {fix}")
            notes = [Note(facts.loc(var), f"`{var}` is defined here")]
            notes += [Note(facts.loc(b), f"`{b}` stops the gradient here") for b in blockers[:3]]
            out.append(Diagnostic("no-gradient", "warning", facts.loc(loc), message, [var, train],
                                  notes, fix=fix))
    return out


def _ancestors(facts: Facts, name: str) -> set[str]:
    """The nodes `name` depends on through data inputs, itself included."""
    seen, stack = set(), [name]
    while stack:
        n = stack.pop()
        if n in seen or n not in facts.graph.nodes:
            continue
        seen.add(n)
        stack.extend(r.node for r in facts.graph.nodes[n].inputs)
    return seen


def _blockers(facts: Facts, var: str, above: set[str]) -> list[str]:
    """The ops between `var` and the loss whose registered gradient passes nothing back
    (TF's NotDifferentiable: stop_gradient...), first met from the variable."""
    from idrun.ops.gradlib import no_gradient as none_back
    consumers: dict[str, list[str]] = {}
    for n in above:
        for r in facts.graph.nodes[n].inputs:
            consumers.setdefault(r.node, []).append(n)
    out, seen, stack = [], set(), [var]
    while stack:
        n = stack.pop()
        for c in sorted(consumers.get(n, ())):
            if c in seen:
                continue
            seen.add(c)
            if REGISTRY[facts.graph.nodes[c].op].grad is none_back:
                out.append(c)
            else:
                stack.append(c)
    return out


def _how(facts: Facts, name: str, var: str | None) -> tuple[str, list[Note], str]:
    """Which fetch was meant to run it, and how to make it: an alias in a block, a reader of
    its variable, a user of what it checks; else `targets:`."""
    target_fix = f"add `{name}` to `run.targets` (or `--target {name}`)"
    fetched = set(facts.request.fetch_names)
    for ab in facts.prov.alias_blocks:
        if any(name in controls for _, controls in ab.blocks):
            who = f"The fetch `{ab.alias}`" if ab.alias in fetched else f"`{ab.alias}`"
            ident = f"{{name: {ab.alias.rpartition('/')[2]}, op: identity, inputs: [{ab.target.node}]}}"
            return (f"{who} was meant to run it: `{ab.alias}` is an alias inside the "
                    f"control_dependencies block on `{name}`, and an alias creates no node; make it "
                    f"`{ident}` so that every use of `{ab.alias}` runs `{name}` first, or {target_fix}",
                    [Note(facts.loc(ab.loc), f"alias `{ab.alias}` is here")], ident)
    for eb in facts.prov.empty_blocks:
        if name in eb.controls:
            return (f"The control_dependencies block on it creates no node; anchor an "
                    f"`op: identity` inside it and use that, or {target_fix}",
                    [Note(facts.loc(eb.loc), "the block is here")], target_fix)
    if var is not None:
        readers = facts.accesses.get(var, ([], []))[0]
        if readers:
            reader = facts.reader_label(readers[0])
            label, path = facts.path_from_root(readers[0])
            where = "" if path[0] == reader else f" (in `{reader}`)"
            return (f"The {label} reads `{var}`{where} without it; to read "
                    f"`{var}` after the update, read it through "
                    f"`control_dependencies: [{name}]` with `{{op: identity, inputs: [{var}]}}` "
                    f"inside, or {target_fix} (then order the read against it)",
                    [Note(facts.loc(reader), f"`{reader}` reads `{var}` here")], target_fix)
    node = facts.graph.nodes[name]
    for ref in node.inputs:
        if ref.node in facts.needed and facts.is_user(ref.node):
            label, _ = facts.path_from_root(ref.node)
            return (f"The {label} uses `{ref.node}`, which it takes; anchor it: inside "
                    f"`control_dependencies: [{name}]` write `{{name: {ref.node}_checked, op: "
                    f"identity, inputs: [{ref.node}]}}` and use that instead, or {target_fix}",
                    [Note(facts.loc(ref.node), f"`{ref.node}` is made here")], target_fix)
    return f"To run it every step, {target_fix}", [], target_fix


def unused(facts: Facts) -> list[Diagnostic]:
    """A node the run does not need and that has no effect; reported at the end of each dead
    chain (the nodes only it uses are counted, not listed)."""
    if not facts.requested or not facts.spec.expand:
        return []   # an imported graph is what TF's Python built: nothing in it is the user's to remove
    graph = facts.graph
    fed = {ref.node for ref in facts.request.feeds}
    dead = {n for n, node in graph.nodes.items()
            if n not in facts.needed and n not in fed and n not in facts.initializing and not REGISTRY[node.op].effect}
    out = []
    for name in graph.nodes:
        if name not in dead or not facts.is_user(name):
            continue
        if not facts.consumers[name] and facts.reads_variable(graph.nodes[name]):
            continue  # `x/read`, a ReadVariableOp: TF's Python makes them; nothing to remove
        if _covered(facts, name, dead):
            continue
        node = graph.nodes[name]
        message = (f"`{name}` ({node.op}) is not needed by the run ({facts.run_text()}) and has "
                   f"no effect: it never runs; fetch it (`--fetch {name}`) or remove it")
        out.append(Diagnostic("unused", "info", facts.loc(name), message, [name]))
    return out


def _covered(facts: Facts, name: str, dead: set[str]) -> bool:
    """Used by another dead user node (through a read or literal at most), or by an effect that
    never runs (never-runs says it): its report would say the same."""
    graph = facts.graph
    stack, seen = list(facts.consumers[name]), set()
    while stack:
        c = stack.pop()
        if c in seen:
            continue
        seen.add(c)
        node = graph.nodes[c]
        if c not in facts.needed and REGISTRY[node.op].effect:
            return True
        if c in dead and facts.is_user(c):
            return True
        if node.role in BUILT and c in dead:
            stack.extend(facts.consumers[c])
    return False
