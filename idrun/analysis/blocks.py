"""Rules on control dependencies, from the builder's provenance (graph.Provenance)."""

from __future__ import annotations

from idrun.analysis.diagnostic import Diagnostic, Note
from idrun.analysis.facts import Facts


def _names(names) -> str:
    return ", ".join(names)


def _ordered_by_target(facts: Facts, target: str, controls: tuple[str, ...]) -> bool:
    """The alias's target itself waits for every control (it was made in the block)."""
    have = {c.control for c in facts.prov.controls.get(target, ())}
    have |= {d.control for d in facts.dropped_by_node.get(target, ())}
    return all(c in have for c in controls)


def alias_under_control(facts: Facts) -> list[Diagnostic]:
    """An alias entry inside control_dependencies: it creates no node, so nothing named by it
    waits for the block (the seed question's `y = x`)."""
    out = []
    for ab in facts.prov.alias_blocks:
        target = ab.target.node
        controls = tuple(dict.fromkeys(c for _, cs in ab.blocks for c in cs))
        if not controls or _ordered_by_target(facts, target, controls):
            continue
        shown = target if ab.target.index == 0 else str(ab.target)
        fix = f"{{name: {ab.alias.rpartition('/')[2]}, op: identity, inputs: [{shown}]}}"
        block_loc = ab.blocks[-1][0]
        message = (f"alias `{ab.alias}` (= `{shown}`) is inside control_dependencies([{_names(controls)}]), "
                   f"but an alias creates no node: nothing named `{ab.alias}` waits for "
                   f"{_names(f'`{c}`' for c in controls)}, so reading `{ab.alias}` reads `{shown}` "
                   f"as it is; use `op: identity`: `{fix}`")
        out.append(Diagnostic("alias-under-control", "warning", facts.loc(ab.loc), message,
                              [ab.alias, target, *controls],
                              [Note(facts.loc(block_loc), "the control_dependencies block is here")],
                              fix=fix))
    return out


def empty_control_block(facts: Facts) -> list[Diagnostic]:
    """A control_dependencies block (or control_inputs) whose dependencies reach no node."""
    out = []
    for eb in facts.prov.empty_blocks:
        if eb.aliases and not eb.created:
            continue  # alias-under-control says it, naming the alias
        deps = _names(f"`{c}`" for c in eb.controls)
        if eb.kind == "control_inputs":
            node = eb.created[-1] if eb.created else "?"
            message = (f"`control_inputs` of variable `{node}` attach to nothing: TF makes "
                       f"variables in init_scope, outside control dependencies, so nothing waits "
                       f"for {deps}; put them on the op that must run after, e.g. an `op: identity` "
                       f"of `{node}`")
            nodes = [node, *eb.controls]
        elif eb.created:
            made = [n for n in eb.created if facts.is_user(n)]
            message = (f"control_dependencies([{_names(eb.controls)}]) creates only variables "
                       f"({_names(f'`{n}`' for n in made)}), which TF makes in init_scope, "
                       f"outside control dependencies: nothing waits for {deps}; create the ops "
                       f"that must run after them inside the block (an `op: identity` of the value)")
            nodes = [*made, *eb.controls]
        else:
            message = (f"control_dependencies([{_names(eb.controls)}]) creates no node, so nothing "
                       f"waits for {deps}; create the ops that must run after them inside the "
                       f"block (an `op: identity` of the value you read)")
            nodes = list(eb.controls)
        out.append(Diagnostic("empty-control-block", "warning", facts.loc(eb.loc), message, nodes,
                              fix="create an op (e.g. `op: identity`) inside the block"))
    return out


REASONS = {
    "dominated": "its data input `{by}` was created in the same block and already waits for it",
    "data_input": "`{control}` is already a data input of `{node}`",
    "enclosing": "an enclosing block ({by}) already holds it",
}


def dropped_control_input(facts: Facts) -> list[Diagnostic]:
    """A control input TF's pruning drops, where the user wrote the node (and, for a
    dominated one, the input that carries it): info, it still runs in order."""
    out = []
    for d in facts.prov.dropped:
        if not facts.is_user(d.node):
            continue
        if d.reason == "dominated" and not facts.is_user(d.by):
            continue  # a read, literal or helper made with the node: TF's own detail
        source = "the control_dependencies block" if d.kind == "block" else "its `control_inputs`"
        why = REASONS[d.reason].format(by=d.by, control=d.control, node=d.node)
        message = (f"`{d.node}` gets no control input on `{d.control}` from {source}: TF's "
                   f"pruning drops it because {why}; `{d.node}` still runs after `{d.control}`")
        notes = [Note(facts.loc(d.loc), f"the dependency on `{d.control}` is listed here")]
        out.append(Diagnostic("dropped-control-input", "info", facts.loc(d.node), message,
                              [d.node, d.control] + ([d.by] if d.reason == "dominated" else []),
                              notes, data={"reason": d.reason}))
    return out
