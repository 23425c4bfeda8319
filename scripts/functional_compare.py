"""How a GraphDef lowered by `idrun.tf.functional` differs from TF's own lowering of it (the
nodes of a session's partition graph, as scripts/functional_lowering_expectations.py records
them). Needs only protobuf: tests/test_functional_lowering.py uses it without TF."""

from __future__ import annotations

import re

from google.protobuf import text_format

# what the session adds after lowering (placement, XLA bookkeeping): not the lowering's
SESSION_ATTRS = {"_output_shapes", "_XlaHasReferenceVars"}


def _through_identities(tensor: str, ours: dict, kept: set) -> str:
    """`tensor` past the Identity nodes TF's session removes after lowering (the inlined calls'
    `Func/.../output/_N`): follow each Identity that TF's partition graph no longer has."""
    control = tensor.startswith("^")
    name = tensor.lstrip("^")
    while True:
        src = name.split(":")[0]
        node = ours.get(src)
        if src in kept or node is None or node.op != "Identity":
            return ("^" if control else "") + name
        name = node.input[0]


def _colocated_within(attrs: dict, ours: dict) -> dict:
    """TF's attrs less the `_class: loc:@X` entries naming no node of ours (lower_functional
    drops those: import_graph_def refuses them)."""
    if "_class" not in attrs:
        return attrs
    entries = re.findall(r's: "((?:[^"\\]|\\.)*)"', attrs["_class"])
    kept = [e for e in entries if not e.startswith("loc:@") or e[5:] in ours]
    if len(kept) == len(entries):
        return attrs
    rest = {k: v for k, v in attrs.items() if k != "_class"}
    if kept:
        rest["_class"] = "list { " + " ".join(f's: "{e}"' for e in kept) + " }"
    return rest


def differences(lowered, tf_nodes: list[dict]) -> list[str]:
    """One line per TF node that `lowered` lacks or builds otherwise: op type, data inputs in
    order, control inputs as a set, attributes."""
    ours = {n.name: n for n in lowered.node}
    kept = {n["name"] for n in tf_nodes}
    found = []
    for want in tf_nodes:
        name = want["name"]
        node = ours.get(name)
        if node is None:
            found.append(f"{name} ({want['op']}): missing")
            continue
        if node.op != want["op"]:
            found.append(f"{name}: op {node.op}, TF {want['op']}")
        inputs = [_through_identities(i, ours, kept) for i in node.input]
        data, control = [i for i in inputs if not i.startswith("^")], {i for i in inputs if i.startswith("^")}
        if data != [i for i in want["input"] if not i.startswith("^")] or \
                control != {i for i in want["input"] if i.startswith("^")}:
            found.append(f"{name}: inputs {inputs}, TF {want['input']}")
        attrs = {k: text_format.MessageToString(v, as_one_line=True)
                 for k, v in node.attr.items() if k not in SESSION_ATTRS}
        if attrs != _colocated_within(want["attr"], ours):
            found.append(f"{name}: attrs {attrs}, TF {want['attr']}")
    return found
