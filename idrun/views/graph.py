"""Views of the placed, partitioned graph: a rich tree, Graphviz DOT and a JSON document.

The transfers shown are those of one step of the spec's `run:` (fetch and
targets), or of the whole graph when the spec names nothing to run. Every
view says the same things the trace of `idrun run --trace-out` shows:
- transfers grouped per (tensor, source, destination, kind), with how many
  cross per step and who reads them there (`x/read:0 -> cpu:1 ×1 per step`;
  a ref edge, never shared, crosses once per consumer: `×3`);
- control edges as `^name` (the tree) and dashed (DOT);
- aliases, which create nothing, as labels pointing at the tensor they name.

Only the tree imports rich, and it builds `Text` objects, never markup. Names
and strings from the spec are data: control characters are shown escaped,
DOT strings are quoted and escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from idrun.compile.partition import Partition, TransferSpec
from idrun.compile.placement import Placement
from idrun.graph import Graph, TensorRef
from idrun.spec import Spec
from idrun.views.diagnostics import printable


@dataclass
class TransferGroup:
    """The transfers of one step that move the same tensor the same way."""

    tensor: str                 # `x/read:0`, or `^x_plus_1` for a control transfer
    src: str
    dst: str
    kind: str                   # edge | control | fetch | feed
    node: str                   # the producing node (the control source)
    indexes: list[int] = field(default_factory=list)      # into Partition.transfers
    consumers: list[str] = field(default_factory=list)    # nodes on dst that read it
    fetched: bool = False       # also (or only) brings a fetch to the client

    @property
    def count(self) -> int:
        return len(self.indexes)

    def per_step(self) -> str:
        return f"×{self.count} per step"

    def readers(self) -> str:
        who = list(self.consumers) + (["fetch"] if self.fetched and self.kind != "fetch" else [])
        return f"{self.kind}; to {', '.join(who)}" if who else self.kind


def transfer_groups(part: Partition) -> list[TransferGroup]:
    """The step's transfers grouped, in the order they were first decided."""
    groups: dict[tuple, TransferGroup] = {}
    of_index: dict[int, TransferGroup] = {}
    for i, t in enumerate(part.transfers):
        key = (_tensor(t), t.src, t.dst, t.kind)
        group = groups.setdefault(key, TransferGroup(*key, t.tensor.node))
        group.indexes.append(i)
        of_index[i] = group
    readers = [(c, i) for (c, _), i in part.edge_transfer.items()]
    readers += [(c, i) for (c, _), i in part.control_transfer.items()]
    readers += [(c, i) for c, ids in part.replica_controls.items() for i in ids]
    for consumer, i in readers:
        if consumer not in of_index[i].consumers:
            of_index[i].consumers.append(consumer)
    for i in part.fetch_transfer.values():
        of_index[i].fetched = True
    return list(groups.values())


def _aliases_of(graph: Graph) -> dict[str, list[tuple[str, TensorRef]]]:
    """Node -> the aliases naming one of its outputs."""
    out: dict[str, list[tuple[str, TensorRef]]] = {}
    for alias, ref in graph.aliases.items():
        out.setdefault(ref.node, []).append((alias, ref))
    return out


def _by_device(placement: Placement, names: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {d: [] for d in placement.devices}
    for name in names:
        groups.setdefault(placement.device[name], []).append(name)
    return groups


def _node_label(graph: Graph, name: str) -> str:
    node = graph.nodes[name]
    label = f"{name} ({node.op})"
    if node.inputs:
        label += " <- " + ", ".join([str(r) for r in node.inputs])
    if node.control_inputs:
        label += "  ^" + ", ^".join(node.control_inputs)
    return label


def _plain(text: str) -> str:
    """Spec text on one line, as data: control characters, newlines and tabs escaped."""
    return printable(text).replace("\n", "\\n").replace("\t", "\\t")


def render_tree(spec: Spec, placement: Placement, part: Partition, needed: list[str],
                kinds: dict[str, str], out: TextIO, color: bool) -> None:
    """The tree: root, a branch per device, a leaf per node (aliases below it) and per
    transfer group. Written line by line, byte for byte as rich's Tree renders it (one
    string a line: linear and cheap for 100,000 nodes, where a Tree object per node took
    2/3 of `show`), rich wrapping only a label wider than the console; through rich's
    Tree itself where the console draws ASCII guides."""
    from idrun.views.table import console
    con = console(out, color)
    root = _tree_rows(spec, placement, part, needed, kinds)
    lines = _tree_lines(root, con)
    if lines is not None:
        out.write("".join(lines))
        return
    from rich.text import Text
    from rich.tree import Tree

    def tree(row: _Row, into=None):
        label = Text.assemble(*row.parts)
        node = Tree(label) if into is None else into.add(label)
        for child in row.children:
            tree(child, node)
        return node
    con.print(tree(root))


@dataclass
class _Row:
    """A line of the tree: its text as (text, style) parts, and the rows below it."""

    parts: tuple
    children: list = field(default_factory=list)


def _tree_rows(spec: Spec, placement: Placement, part: Partition, needed: list[str],
               kinds: dict[str, str]) -> _Row:
    graph, needed_set = spec.graph, set(needed)
    groups = transfer_groups(part)
    aliases = _aliases_of(graph)
    root = _Row(((_plain(spec.name), "bold"),
                 f" ({_variables_label(graph)}, {len(part.transfers)} transfers per step)"))
    for device, names in _by_device(placement, list(graph.nodes)).items():
        branch = _Row(((_plain(device), "bold cyan"), " ", (_plain(kinds.get(device, "")), "dim")))
        root.children.append(branch)
        leaves = branch.children
        for name in names:
            style = "" if name in needed_set else "dim"
            leaf = _Row(((_plain(_node_label(graph, name)), style), "  ",
                         (f"({_plain(placement.reason[name])})", "dim")))
            for alias, ref in aliases.get(name, ()):
                leaf.children.append(_Row((("alias ", "yellow"), _plain(alias), f" -> {_plain(str(ref))}",
                                           (" (names it, creates nothing)", "dim"))))
            leaves.append(leaf)
        for g in groups:
            if g.src == device:
                leaves.append(_Row((("send ", "magenta"), _plain(f"{g.tensor} -> {g.dst} "),
                                    (g.per_step(), "bold"), (f" ({_plain(g.readers())})", "dim"))))
            if g.dst == device:
                leaves.append(_Row((("recv ", "magenta"), _plain(f"{g.tensor} <- {g.src} "),
                                    (g.per_step(), "bold"), (f" ({_plain(g.readers())})", "dim"))))
    return root


def _tree_lines(root: _Row, con) -> list[str] | None:
    """The tree's lines as rich's Tree writes them on `con`: its guides, each style's escape
    codes as `con` renders them, a label wider than the console wrapped by rich with the
    guide continued below it; None where guides would be ASCII (rich draws those)."""
    from rich.cells import cell_len
    options = con.options
    if options.ascii_only or options.legacy_windows:
        return None
    width = options.max_width
    codes: dict[str, tuple[str, str]] = {"": ("", "")}  # style -> (before, after) on `con`
    lines: list[str] = []
    stack = [(root, "", "", "")]   # (row, its guide, the guide of its wrapped lines, its children's)
    while stack:
        row, guide, wrapped, inner = stack.pop()
        text, cells = [], len(guide)
        for piece in row.parts:
            if type(piece) is str:
                text.append(piece)
                cells += len(piece) if piece.isascii() else cell_len(piece)
            elif piece[0]:
                code = codes.get(piece[1]) or _style_codes(con, piece[1], codes)
                text += (code[0], piece[0], code[1])
                cells += len(piece[0]) if piece[0].isascii() else cell_len(piece[0])
        if cells <= width:
            lines.append(guide + "".join(text) + "\n")
        else:
            lines += _wrapped(con, row, width - len(guide), guide, wrapped)
        children = row.children
        for k in range(len(children) - 1, -1, -1):
            last = k == len(children) - 1
            below = inner + ("    " if last else "│   ")
            stack.append((children[k], inner + ("└── " if last else "├── "), below, below))
    return lines


def _style_codes(con, style: str, codes: dict) -> tuple[str, str]:
    """What `con` writes before and after a text in `style` (nothing without color)."""
    from rich.text import Text
    with con.capture() as cap:
        con.print(Text("\0", style=style), end="")
    before, after = cap.get().split("\0")
    codes[style] = (before, after)
    return before, after


def _wrapped(con, row: _Row, width: int, guide: str, wrapped: str) -> list[str]:
    """A label wider than the console, wrapped by rich to what the guide leaves."""
    from rich.text import Text
    with con.capture() as cap:
        con.print(Text.assemble(*row.parts), width=width)
    out = cap.get().splitlines(True)
    return [guide + out[0]] + [wrapped + line for line in out[1:]]


def _tensor(t: TransferSpec) -> str:
    return f"^{t.tensor.node}" if t.kind == "control" else str(t.tensor)


def _dot_str(*lines: str) -> str:
    """A quoted DOT string: each piece escaped (backslash, quote, control characters), pieces
    joined by DOT's `\\n` line break."""
    def one(text: str) -> str:
        text = printable(text).replace("\\", "\\\\").replace('"', '\\"')
        return text.replace("\n", "\\n").replace("\t", " ")
    return '"' + "\\n".join(one(s) for s in lines) + '"'


def _dot_id(name: str) -> str:
    return _dot_str(name)


def _control_flow_contexts(spec: Spec, placement: Placement) -> tuple[dict, dict]:
    """Each node's cond branches and loops (compile/regions.py), and a label per frame: the
    DOT output draws each as a cluster inside its device's."""
    from idrun.compile.regions import RaiseError, has_control_flow, raise_regions
    if not has_control_flow(spec.graph):
        return {}, {}
    try:
        raised = raise_regions(spec.graph, placement.device)
    except RaiseError:
        return {}, {}
    labels = {}
    for region in raised.regions.values():
        if region.kind == "cond":
            labels[region.frame + (1,)] = f"{region.name}: true branch"
            labels[region.frame + (0,)] = f"{region.name}: false branch"
        else:
            labels[region.frame] = f"{region.name}: while loop (frame {region.frame[1]})"
    return {n: c for n, c in raised.context.items() if n in spec.graph.nodes}, labels


def render_dot(spec: Spec, placement: Placement, part: Partition, needed: list[str]) -> str:
    graph, needed_set = spec.graph, set(needed)
    groups = transfer_groups(part)
    lines = [f"digraph {_dot_id(spec.name)} {{", "  rankdir=TB;", "  node [shape=box, fontsize=10];"]
    contexts, labels = _control_flow_contexts(spec, placement)
    clusters = iter(range(1 << 62))
    for device, names in _by_device(placement, list(graph.nodes)).items():
        lines.append(f"  subgraph cluster_{next(clusters)} {{")
        lines.append(f"    label={_dot_id(device)}; style=rounded;")
        open_ctx: tuple = ()
        for name in sorted(names, key=lambda n: contexts.get(n, ())):   # stable: spec order within
            ctx = contexts.get(name, ())
            while open_ctx and ctx[:len(open_ctx)] != open_ctx:   # leave what it is not in
                open_ctx = open_ctx[:-1]
                lines.append("    " + "  " * len(open_ctx) + "}")
            while len(open_ctx) < len(ctx):   # enter each cond branch and loop it is in
                frame = ctx[len(open_ctx)]
                pad = "    " + "  " * len(open_ctx)
                lines.append(f"{pad}subgraph cluster_{next(clusters)} {{")
                lines.append(f"{pad}  label={_dot_id(labels.get(frame, str(frame)))}; style=dashed; "
                             f"color={'blue' if frame[0] == 'loop' else 'darkgreen'};")
                open_ctx = ctx[:len(open_ctx) + 1]
            node = graph.nodes[name]
            style = "" if name in needed_set else ", style=dashed, fontcolor=gray"
            pad = "    " + "  " * len(open_ctx)
            lines.append(f"{pad}{_dot_id(name)} [label={_dot_str(name, node.op)}{style}];")
        while open_ctx:
            open_ctx = open_ctx[:-1]
            lines.append("    " + "  " * len(open_ctx) + "}")
        lines.append("  }")
    # edges that cross in this step go through their transfer's node
    group_of = {i: g_index for g_index, g in enumerate(groups) for i in g.indexes}
    via = {key: group_of[i] for key, i in (*part.edge_transfer.items(), *part.control_transfer.items())}
    for name, node in graph.nodes.items():
        for pos, ref in enumerate(node.inputs):
            if (name, pos) in via:
                continue
            label = f"label={_dot_id(str(ref.index))}" if ref.index else ""
            lines.append(f"  {_dot_id(ref.node)} -> {_dot_id(name)} [{label}];")
        for ctrl in node.control_inputs:
            if (name, ctrl) not in via:
                lines.append(f"  {_dot_id(ctrl)} -> {_dot_id(name)} [style=dashed];")
    for g_index, g in enumerate(groups):
        tid = _dot_id(f"send/recv {g_index}")
        dashed = ", style=dashed" if g.kind == "control" else ""
        lines.append(f"  {tid} [shape=cds, color=magenta{dashed}, label="
                     f"{_dot_str(g.tensor, f'{g.src} -> {g.dst}', f'{g.per_step()} ({g.readers()})')}];")
        label = f", label={_dot_id(g.tensor.rsplit(':', 1)[1])}" if g.kind != "control" and not \
            g.tensor.endswith(":0") else ""
        lines.append(f"  {_dot_id(g.node)} -> {tid} [color=magenta{dashed}{label}];")
        for consumer in g.consumers:
            lines.append(f"  {tid} -> {_dot_id(consumer)} [color=magenta{dashed}];")
    for alias, ref in graph.aliases.items():
        aid = _dot_id(f"alias:{alias}")  # ':' is in no node name: no clash
        lines.append(f"  {aid} [shape=plaintext, fontcolor=darkgoldenrod, label={_dot_str(alias)}];")
        lines.append(f"  {aid} -> {_dot_id(ref.node)} [style=dotted, color=darkgoldenrod, "
                     f"fontcolor=darkgoldenrod, fontsize=9, label={_dot_str(f'alias of {ref}')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _variables_label(graph) -> str:
    """`ref variables`, or with the variables of the other kind named (a mixed graph)."""
    other = [n.name for n in graph.nodes.values() if n.op == "variable" and graph.kind_of(n.name) != graph.variables]
    if not other:
        return f"{graph.variables} variables"
    kind = "resource" if graph.variables == "ref" else "ref"
    names = ", ".join(other[:3]) + (f" and {len(other) - 3} more" if len(other) > 3 else "")
    return f"{graph.variables} variables; {kind}: {names}"


def graph_document(spec: Spec, placement: Placement, part: Partition, kinds: dict[str, str]) -> dict:
    return {"graph": spec.name, "variables": spec.variables, "devices": kinds,
            "placement": placement.device, "reasons": placement.reason,
            "transfers": [{"tensor": _tensor(t), "src": t.src, "dst": t.dst, "kind": t.kind}
                          for t in part.transfers],
            "aliases": {a: str(r) for a, r in spec.graph.aliases.items()}}
