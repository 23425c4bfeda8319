"""`idrun explain SPEC NODE`: one node in a TF user's words, as a JSON-ready dict."""

from __future__ import annotations

from idrun.analysis.control_flow import where_text
from idrun.analysis.facts import Facts
from idrun.errors import UsageError
from idrun.graph import node_of
from idrun.ops import REGISTRY
from idrun.spec.request import close_names

KINDS = {"block": "control_dependencies block", "control_inputs": "control_inputs",
         "implicit": "added by TF's Python"}
REASONS = {"dominated": "dominated: data input `{by}` was created in the same block and carries it",
           "data_input": "already a data input",
           "enclosing": "already held by an enclosing block ({by})"}


def explain_node(facts: Facts, text: str) -> dict:
    """Whether the node runs and why, its inputs and where each control input came from, what
    TF's pruning dropped, its device and why, and its transfers per step."""
    graph = facts.graph
    alias = None
    name = text
    if text in graph.aliases and text not in graph.nodes:
        target = graph.aliases[text]
        name = target.node
        blocks = [ab for ab in facts.prov.alias_blocks if ab.alias == text]
        alias = {"name": text, "of": str(target), "created_node": False,
                 "control_dependencies": [{"from": str(loc), "controls": list(cs)}
                                          for ab in blocks for loc, cs in ab.blocks]}
    if name not in graph.nodes and node_of(name) in graph.nodes:   # `y:0`, as --fetch takes it
        name = node_of(name)
    if name not in graph.nodes:
        raise UsageError(f"no node or alias '{text}' in {facts.spec.path}", None,
                         close_names(graph, text))
    node = graph.nodes[name]
    runs = name in facts.needed
    doc = {
        "node": name,
        "op": node.op,
        "variable_kind": graph.kind_of(name) if (node.op == "variable" or node.ref_inputs) and graph.mixed() else None,
        "location": str(node.loc) if node.loc else None,
        "role": node.role or "entry",
        "runs": runs,
        "why": _why(facts, name, alias),
        "path": (facts.path_from_root(name) or ("", []))[1],
        "inputs": [{"name": str(r), "op": graph.nodes[r.node].op} for r in node.inputs],
        "control_inputs": [{"name": c.control, "from": str(c.loc) if c.loc else None,
                            "kind": KINDS.get(c.kind, c.kind)}
                           for c in facts.prov.controls.get(name, ())],
        "dropped_control_inputs": [{"name": d.control, "from": str(d.loc) if d.loc else None,
                                    "reason": REASONS[d.reason].format(by=d.by),
                                    "code": d.reason}
                                   for d in facts.dropped_by_node.get(name, ())],
        "device": facts.placement.device[name],
        "placement_reason": facts.placement.reason[name],
        "transfers": _transfers(facts, name),
        "effect": REGISTRY[node.op].effect or None,
    }
    if alias:
        doc["alias"] = alias
    return doc


def _why(facts: Facts, name: str, alias: dict | None) -> str:
    body = _why_body(facts, name)
    node = facts.graph.nodes[name]
    if node.op == "tf_opaque" and name in facts.needed:   # an imported node idrun cannot run
        reason = node.attrs.get("why") or f"idrun has no kernel for TF's {node.attrs.get('tf_op', '?')}"
        body += (f"; but idrun cannot run it ({reason}), so `idrun run` of this step fails before "
                 "step 1, naming it (feed its outputs, or fetch what does not need it)")
    where = where_text(facts, name)
    if where:
        body += f"; {where}"
    if not alias:
        return body
    return _alias_prefix(name, alias) + body[:1].upper() + body[1:]


def _alias_prefix(name: str, alias: dict) -> str:
    prefix = ""
    if alias:
        prefix = (f"`{alias['name']}` is an alias of `{alias['of']}`: it created no node")
        if alias["control_dependencies"]:
            blocks = ", ".join(b["from"] for b in alias["control_dependencies"])
            many = len(alias["control_dependencies"]) > 1
            prefix += (f", so the control_dependencies block{'s' * many} around it ({blocks}) "
                       f"attach{'' if many else 'es'} to nothing for it")
        prefix += f"; `{name}` is the node it names. "
    return prefix


def _why_body(facts: Facts, name: str) -> str:
    prefix = ""
    if not facts.requested:
        return prefix + "the run names no fetch or target, so the whole graph is shown as one step"
    found = facts.path_from_root(name)
    if found:
        label, path = found
        if len(path) == 1:
            return prefix + f"it is the {label}"
        return prefix + f"the {label} needs it: " + " <- ".join(path)
    fed = {ref.node for ref in facts.request.feeds}
    if name in fed:
        return prefix + "its value is fed, so it does not run"
    users = facts.consumers[name]
    text = f"nothing the run asks for ({facts.run_text()}) reaches it"
    if users:
        text += "; its consumers (" + ", ".join(f"`{u}`" for u in users[:6]) + \
                (", ..." if len(users) > 6 else "") + ") do not run either"
    else:
        text += "; nothing consumes it"
    for eb in facts.prov.empty_blocks:
        if name in eb.controls:
            text += (f"; the control_dependencies block at {eb.loc} lists it but gives it to no node"
                     + (f" (it holds only alias{'es' * (len(eb.aliases) > 1)} "
                        + ", ".join(f"`{a}`" for a in eb.aliases) + ")" if eb.aliases else ""))
    if REGISTRY[facts.op(name)].effect:
        text += f"; to run it, make a fetched op depend on it, or add `{name}` to `run.targets`"
    return prefix + text


def _transfers(facts: Facts, name: str) -> list[dict]:
    out = []
    for index, t in enumerate(facts.step.partition.transfers):
        if t.tensor.node != name and not _receives(facts, name, index):
            continue
        direction = "send" if t.tensor.node == name else "recv"
        size = 0 if t.kind == "control" else facts.nbytes(t.tensor.node, t.tensor.index)
        out.append({"direction": direction,
                    "tensor": f"^{t.tensor.node}" if t.kind == "control" else str(t.tensor),
                    "src": t.src, "dst": t.dst, "kind": t.kind, "bytes": size})
    return out


def _receives(facts: Facts, name: str, index: int) -> bool:
    part = facts.step.partition
    node = facts.graph.nodes[name]
    if any(part.edge_transfer.get((name, i)) == index for i in range(len(node.inputs))):
        return True
    return any(part.control_transfer.get((name, c)) == index for c in node.control_inputs)
