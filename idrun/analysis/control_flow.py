"""Conds and while loops for `check` and `explain`: where a node is, and the pitfall.

`op-outside-cond`: a stateful op (an assign, an EMA, an assert, a print...) or a control
dependency made *outside* a `tf.cond` but used only inside one of its branches runs on
every step, whatever the predicate: only ops made inside a branch function belong to the
branch (TF 1.x's CondContext adds the ops created while it builds the branch). The fix
is to create it inside the branch function.
"""

from __future__ import annotations

from idrun.analysis.diagnostic import Diagnostic, Note
from idrun.analysis.facts import Facts
from idrun.compile.regions import RaiseError, has_control_flow, raise_regions
from idrun.ops import REGISTRY
from idrun.result import region_scope


def regions_of(facts: Facts):
    """The raised control flow of the spec (compile/regions.py), once; None without any."""
    if not hasattr(facts, "_raised"):
        facts._raised = None
        if has_control_flow(facts.graph):
            try:
                facts._raised = raise_regions(facts.graph, facts.placement.device)
            except RaiseError:
                pass
    return facts._raised


def frame_text(raised, frame: tuple) -> str:
    """`the true branch of the cond 'cond'`, `the while loop 'rnn'`."""
    for region in raised.regions.values():
        if frame[:2] == region.frame:
            scope = region_scope(region.name)
            if region.kind == "cond":
                return f"the {'true' if frame[2] else 'false'} branch of the cond '{scope}'"
            return f"the while loop '{scope}'"
    return str(frame)


def where_text(facts: Facts, name: str) -> str | None:
    """For `explain`: the branch or loop a node is in, and what that means for when it runs."""
    raised = regions_of(facts)
    if raised is None or not raised.context.get(name):
        return None
    ctx = raised.context[name]
    inner = ctx[-1]
    text = f"it is in {frame_text(raised, inner)}"
    if len(ctx) > 1:
        text += " (inside " + ", inside ".join(frame_text(raised, f) for f in reversed(ctx[:-1])) + ")"
    if inner[0] == "cond":
        return text + ": it runs only on steps whose predicate takes that branch, and only if what the branch returns needs it or an op outside the cond waits on it"
    return text + ": it runs once per iteration (the loop's predicate, or its body), when what the loop computes needs it"


def _branch_uses(raised, graph, name: str) -> set[tuple]:
    """Where `name` is used: each consumer's context, seeing through a cond's capture switch
    (its output k is used in branch k) and counting control edges."""
    out = set()
    for consumer in graph_consumers(graph).get(name, ()):
        node = graph.nodes[consumer]
        if node.role == "assign_read":   # a resource assign's lazy read: only what uses it counts
            continue
        ctx = raised.context.get(consumer, ())
        if node.op in ("switch", "switch_n") and node.inputs[0].node == name and consumer in _switch_keys(raised):
            key = _switch_keys(raised)[consumer]
            for user in graph_consumers(graph).get(consumer, ()):
                for r in graph.nodes[user].inputs:
                    if r.node == consumer:
                        out.add(ctx + (("cond", key, r.index),))
            continue
        out.add(ctx)
    return out


def _switch_keys(raised) -> dict:
    keys = getattr(raised, "_switch_keys", None)
    if keys is None:
        keys = {}
        for region in raised.regions.values():
            if region.kind == "cond":
                for s in region.switches:
                    keys[s] = region.frame[1]
        raised._switch_keys = keys
    return keys


_CONSUMERS: dict[int, dict] = {}


def graph_consumers(graph) -> dict[str, list[str]]:
    key = id(graph)
    if key not in _CONSUMERS:
        _CONSUMERS.clear()
        out: dict[str, list[str]] = {}
        for n, node in graph.nodes.items():
            for r in node.inputs:
                out.setdefault(r.node, []).append(n)
            for c in node.control_inputs:
                out.setdefault(c, []).append(n)
        _CONSUMERS[key] = out
    return _CONSUMERS[key]


def op_outside_cond(facts: Facts) -> list[Diagnostic]:
    raised = regions_of(facts)
    if raised is None:
        return []
    graph = facts.graph
    out = []
    for name, node in graph.nodes.items():
        opdef = REGISTRY[node.op]
        used_as_control = any(name in graph.nodes[c].control_inputs for c in graph_consumers(graph).get(name, ()))
        if not (opdef.effect or used_as_control) or node.op in ("switch", "merge", "enter", "exit"):
            continue
        mine = raised.context.get(name, ())
        uses = _branch_uses(raised, graph, name)
        branches = {u[len(mine)] for u in uses if len(u) > len(mine) and u[:len(mine)] == mine}
        if not uses or len(branches) != 1 or any(len(u) <= len(mine) for u in uses):
            continue
        frame = next(iter(branches))
        if frame[0] != "cond":
            continue
        where = frame_text(raised, frame)
        side = "true_fn" if frame[2] else "false_fn"
        what = f"{node.op}" + (f", {opdef.effect}" if opdef.effect else "")
        fix = f"create `{name}` inside the branch (under `{side}`'s nodes), so that it runs only when that branch is taken"
        message = (f"`{name}` ({what}) is made outside the cond but used only in {where}: it runs on "
                   f"every step, whatever the predicate (only ops made inside a branch belong to it); {fix}")
        users = [u for u in graph_consumers(graph).get(name, ()) if graph.nodes[u].role != "assign_read"]
        notes = [Note(facts.loc(users[0]), f"used here, by `{users[0]}`")] if users else []
        out.append(Diagnostic("op-outside-cond", "warning", facts.loc(name), message, [name], notes, fix=fix))
    return out
