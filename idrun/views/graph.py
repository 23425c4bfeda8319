"""Views of the placed, partitioned graph: a rich tree, Graphviz DOT and a JSON document.

The transfers shown are those of one step of the spec's `run:` (fetch and
targets), or of the whole graph when the spec names nothing to run. Only the
tree imports rich. Names and strings from the spec are escaped: they are data.
"""

from __future__ import annotations

from typing import TextIO

from idrun.compile.partition import Partition
from idrun.compile.placement import Placement
from idrun.graph import Graph
from idrun.spec import Spec


def _by_device(placement: Placement, names: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {d: [] for d in placement.devices}
    for name in names:
        groups.setdefault(placement.device[name], []).append(name)
    return groups


def _node_label(graph: Graph, name: str) -> str:
    node = graph.nodes[name]
    label = f"{name} ({node.op})"
    if node.inputs:
        label += " <- " + ", ".join(str(r) for r in node.inputs)
    if node.control_inputs:
        label += "  ^" + ", ^".join(node.control_inputs)
    return label


def render_tree(spec: Spec, placement: Placement, part: Partition, needed: list[str],
                kinds: dict[str, str], out: TextIO, color: bool) -> None:
    from rich.tree import Tree
    from idrun.views.table import console
    root = Tree(f"[bold]{spec.name}[/bold] ({spec.variables} variables, "
                f"{len(part.transfers)} transfers per step)")
    for device, names in _by_device(placement, list(spec.graph.nodes)).items():
        branch = root.add(f"[bold cyan]{device}[/bold cyan] [dim]{kinds.get(device, '')}[/dim]")
        for name in names:
            style = "" if name in needed else "[dim]"
            branch.add(f"{style}{_escape(_node_label(spec.graph, name))}  "
                       f"[dim]({_escape(placement.reason[name])})[/dim]")
        for t in part.transfers:
            if t.src == device:
                branch.add(f"[magenta]send[/magenta] {_escape(_tensor(t))} -> {t.dst} [dim]({t.kind})[/dim]")
            if t.dst == device:
                branch.add(f"[magenta]recv[/magenta] {_escape(_tensor(t))} <- {t.src} [dim]({t.kind})[/dim]")
    console(out, color).print(root)


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def _tensor(t) -> str:
    return f"^{t.tensor.node}" if t.kind == "control" else str(t.tensor)


def _dot_id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(spec: Spec, placement: Placement, part: Partition, needed: list[str]) -> str:
    graph = spec.graph
    lines = [f"digraph {_dot_id(spec.name)} {{", "  rankdir=TB;", "  node [shape=box, fontsize=10];"]
    for i, (device, names) in enumerate(_by_device(placement, list(graph.nodes)).items()):
        lines.append(f"  subgraph cluster_{i} {{")
        lines.append(f"    label={_dot_id(device)}; style=rounded;")
        for name in names:
            node = graph.nodes[name]
            style = "" if name in needed else ", style=dashed, fontcolor=gray"
            lines.append(f"    {_dot_id(name)} [label={_dot_id(name + chr(10) + node.op)}{style}];")
        lines.append("  }")
    for name, node in graph.nodes.items():
        for ref in node.inputs:
            label = f", label={_dot_id(str(ref.index))}" if ref.index else ""
            lines.append(f"  {_dot_id(ref.node)} -> {_dot_id(name)} [{label.lstrip(', ')}];")
        for ctrl in node.control_inputs:
            lines.append(f"  {_dot_id(ctrl)} -> {_dot_id(name)} [style=dashed];")
    for i, t in enumerate(part.transfers):
        lines.append(f"  {_dot_id(f'send/recv {i}')} [shape=cds, color=magenta, "
                     f"label={_dot_id(_tensor(t) + chr(10) + t.src + ' -> ' + t.dst)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_document(spec: Spec, placement: Placement, part: Partition, kinds: dict[str, str]) -> dict:
    return {"graph": spec.name, "variables": spec.variables, "devices": kinds,
            "placement": placement.device, "reasons": placement.reason,
            "transfers": [{"tensor": _tensor(t), "src": t.src, "dst": t.dst, "kind": t.kind}
                          for t in part.transfers]}


