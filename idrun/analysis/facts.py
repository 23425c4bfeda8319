"""What several rules need, computed once per spec and only when asked for (linear)."""

from __future__ import annotations

from collections import deque
from functools import cached_property

from idrun.errors import SourceLoc
from idrun.graph import Node
from idrun.ops import REGISTRY
from idrun.ops.shapes import num_elements

ITEMSIZE = {"float16": 2, "float32": 4, "float64": 8, "int8": 1, "int16": 2, "int32": 4,
            "int64": 8, "uint8": 1, "bool": 1}
BUILT = ("read", "snapshot", "literal", "helper", "returned", "assign_read", "group")  # roles


class Facts:
    """One spec through build, placement and partition, with the graph questions rules ask."""

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline
        self.spec = pipeline.spec
        self.graph = self.spec.graph
        self.prov = self.graph.provenance
        self.request = pipeline.request
        self.placement = pipeline.placement
        self.step = pipeline.step
        self.needed = set(self.step.needed)
        self.requested = bool(self.request.fetch or self.request.targets)
        # what run.init runs once before step 1 (a spec's or an imported graph's initializers)
        self.initializing = self.graph.closure(self.request.init_targets) if self.request.init else set()

    # ---- locations and names ---------------------------------------------------
    def loc(self, name_or_loc) -> SourceLoc:
        if isinstance(name_or_loc, SourceLoc):
            return name_or_loc
        if name_or_loc is None:
            return self.spec.loc
        node = self.graph.nodes.get(name_or_loc)
        return node.loc if node is not None and node.loc else self.spec.loc

    def op(self, name: str) -> str:
        return self.graph.nodes[name].op

    def is_user(self, name: str) -> bool:
        """A node the spec's entry wrote (not a read, literal or helper the builder added)."""
        return self.graph.nodes[name].role == ""

    def reader_label(self, name: str) -> str:
        """`a` for `a/ReadVariableOp` (the consumer whose read it is), else the name."""
        node = self.graph.nodes[name]
        if node.role == "read":
            for c in self.consumers[name]:
                return c
        return name

    def run_text(self) -> str:
        parts = []
        if self.request.fetch_names:
            parts.append("fetch " + ", ".join(f"`{n}`" for n in self.request.fetch_names))
        if self.request.targets:
            parts.append("targets " + ", ".join(f"`{n}`" for n in self.request.targets))
        return " and ".join(parts) or "nothing"

    @cached_property
    def dropped_by_node(self) -> dict[str, list]:
        out: dict[str, list] = {}
        for d in self.prov.dropped:
            out.setdefault(d.node, []).append(d)
        return out

    # ---- structure ---------------------------------------------------------------
    @cached_property
    def consumers(self) -> dict[str, list[str]]:
        """Node -> the nodes that take it as a data or control input (graph order)."""
        out: dict[str, list[str]] = {name: [] for name in self.graph.nodes}
        for node in self.graph.nodes.values():
            for ref in node.inputs:
                if node.name not in out[ref.node][-1:]:
                    out[ref.node].append(node.name)
            for dep in node.control_inputs:
                out[dep].append(node.name)
        return out

    @cached_property
    def roots(self) -> list[tuple[str, str]]:
        """(how the run names it, node): each fetch, then each target."""
        out = [(f"fetch `{text}`", ref.node)
               for text, ref in zip(self.request.fetch_names, self.request.fetch)]
        out += [(f"target `{t}`", t) for t in self.request.targets]
        return out

    @cached_property
    def toward_root(self) -> dict[str, tuple[str | None, str]]:
        """Needed node -> (the consumer one step nearer a fetch or target, that root's label):
        one breadth-first search from every root at once, inside the step."""
        out: dict[str, tuple[str | None, str]] = {}
        queue = deque()
        for label, name in self.roots:
            if name not in out:
                out[name] = (None, label)
                queue.append(name)
        while queue:
            name = queue.popleft()
            node = self.graph.nodes[name]
            for dep in [r.node for r in node.inputs] + list(node.control_inputs):
                if dep in self.needed and dep not in out:
                    out[dep] = (name, out[name][1])
                    queue.append(dep)
        return out

    def path_from_root(self, name: str) -> tuple[str, list[str]] | None:
        """(root label, [root node, ..., name]) for a node the step runs, else None."""
        if name not in self.toward_root:
            return None
        path = [name]
        while True:
            nxt, label = self.toward_root[path[-1]]
            if nxt is None:
                return label, path[::-1]
            path.append(nxt)

    @cached_property
    def topo(self) -> list[str]:
        """The step's nodes in a dependency order (Kahn's algorithm, graph order for ties)."""
        needed = self.needed
        indeg = {n: 0 for n in self.step.needed}
        for name in self.step.needed:
            node = self.graph.nodes[name]
            indeg[name] = len({r.node for r in node.inputs if r.node in needed}
                              | {c for c in node.control_inputs if c in needed})
        queue = deque(n for n in self.step.needed if indeg[n] == 0)
        out = []
        while queue:
            name = queue.popleft()
            out.append(name)
            for c in dict.fromkeys(self.consumers[name]):
                if c in indeg:
                    indeg[c] -= 1
                    if indeg[c] == 0:
                        queue.append(c)
        return out

    def preds(self, name: str) -> set[str]:
        node = self.graph.nodes[name]
        return {r.node for r in node.inputs if r.node in self.needed} | \
               {c for c in node.control_inputs if c in self.needed}

    # ---- variables -----------------------------------------------------------------
    def written_variable(self, node: Node) -> str | None:
        """The variable an op writes (an assign, an EMA update), or None."""
        opdef = REGISTRY[node.op]
        if opdef.effect == "write" and node.inputs and 0 in node.ref_inputs:
            return node.inputs[0].node
        return None

    @cached_property
    def accesses(self) -> dict[str, tuple[list[str], list[str]]]:
        """Variable -> (readers, writers) among the nodes the step runs. Resource mode: a
        reader is a node taking the variable itself (a read, a gather on the handle). Ref
        mode: reads are views (`x/read`, identities of it) and the value is taken by their
        consumers, which are the readers. A graph with both kinds takes the ref way, in which
        a resource variable's reads are readers as in resource mode (`_is_snapshot`)."""
        out: dict[str, tuple[list[str], list[str]]] = {}
        views: dict[str, str] = {}
        ref_way = self.graph.variables == "ref" or self.graph.mixed()
        for name in self.topo:
            node = self.graph.nodes[name]
            var = self.written_variable(node)
            if var is not None:
                out.setdefault(var, ([], []))[1].append(name)
                continue
            if REGISTRY[node.op].follows_input == "metadata":
                continue  # shape, is_variable_initialized: they do not read the value
            if ref_way:
                if self._is_snapshot(node):
                    views[name] = node.inputs[0].node
                    continue
                if REGISTRY[node.op].follows_input == "identity" and node.inputs and node.inputs[0].node in views:
                    views[name] = views[node.inputs[0].node]
                    continue
                taken = [views[r.node] for r in node.inputs if r.node in views]
                taken += [node.inputs[p].node for p in node.ref_inputs]
                for var in dict.fromkeys(taken):
                    out.setdefault(var, ([], []))[0].append(name)
                continue
            for pos in node.ref_inputs:
                var = node.inputs[pos].node
                if REGISTRY[self.op(var)].source == "variable":
                    out.setdefault(var, ([], []))[0].append(name)
                    break
        return out

    def _is_snapshot(self, node: Node) -> bool:
        """Ref mode: `x/read`, the view of a variable TF's Python makes (the builder's snapshot,
        or an imported `Identity` of a variable): its consumers take the value, not it."""
        return (node.role == "snapshot" or (node.op == "read" and self.reads_variable(node))) \
            and self.graph.kind_of(node.name) == "ref"

    @cached_property
    def observed(self) -> set[str]:
        """The step's nodes whose value someone sees: what a fetch returns or an op with an
        effect takes (an assign's value, an assert's data), and everything those values are
        computed from. A read outside this set (`x/Read/ReadVariableOp`, which TF's Python
        makes for every resource variable and nothing consumes) cannot show a race. With no
        fetch or target, the step is the whole graph and every sink but such a read counts."""
        roots = [r.node for r in self.request.fetch]
        for name in self.needed:
            node = self.graph.nodes[name]
            opdef = REGISTRY[node.op]
            if opdef.effect or opdef.stateful:
                roots += [r.node for r in node.inputs]
            elif not self.requested and not self.consumers[name] and node.outputs \
                    and not self.made_with_variable(node):
                roots.append(name)
        seen, stack = set(), [r for r in roots if r in self.needed]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack += [r.node for r in self.graph.nodes[name].inputs if r.node in self.needed]
        return seen

    def reads_variable(self, node: Node) -> bool:
        """A plain read of a variable (`read`, or a read the builder made)."""
        return (node.op == "read" or node.role in ("read", "snapshot")) and len(node.inputs) == 1 \
            and REGISTRY[self.op(node.inputs[0].node)].source == "variable"

    def made_with_variable(self, node: Node) -> bool:
        """`x/read` (ref) or `x/Read/ReadVariableOp` (resource): the read of `x` that TF's
        Python makes with every variable, whether or not anything uses it."""
        var = node.inputs[0].node if node.inputs else ""
        return self.reads_variable(node) and node.name in (f"{var}/read", f"{var}/Read/ReadVariableOp")

    @cached_property
    def order(self) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """(bit, ancestors, descendants): a bit for every variable access, and per step node
        the accesses that must run before it and after it, as Python int bitsets. One
        forward and one backward pass over the step: reachability for every variable at
        once, with no per-pair search."""
        bit: dict[str, int] = {}
        for readers, writers in self.accesses.values():
            for name in readers + writers:
                bit.setdefault(name, 1 << len(bit))
        anc: dict[str, int] = {}
        for name in self.topo:
            mask = 0
            for p in self.preds(name):
                mask |= anc[p] | bit.get(p, 0)
            anc[name] = mask
        desc: dict[str, int] = {}
        for name in reversed(self.topo):
            mask = 0
            for c in self.consumers[name]:
                if c in anc:  # in the step
                    mask |= desc[c] | bit.get(c, 0)
            desc[name] = mask
        return bit, anc, desc

    # ---- sizes ------------------------------------------------------------------------
    def nbytes(self, name: str, index: int = 0) -> int | None:
        node = self.graph.nodes[name]
        if index >= len(node.outputs):
            return None
        t = node.outputs[index]
        n = num_elements(t.shape)
        size = ITEMSIZE.get(t.dtype)
        return None if n is None or size is None else n * size
