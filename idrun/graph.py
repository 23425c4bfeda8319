"""The graph IR: small records, built once by the spec builder and read-only after.

A `Node` is what TF calls an operation: full name, op type, data inputs
(`TensorRef`s), control inputs (node names), attributes, requested device and
the spec location it came from. A `Graph` is the ordered, read-only set of
nodes plus the alias names that point at tensors. Nothing here runs anything.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from idrun.errors import SourceLoc, SpecError
from idrun.records import FACTORY, Frozen, Record, setfield

# Plain classes, not dataclasses (idrun.records says why); each keeps the constructor,
# repr, equality and hash of the dataclass it replaces.


def node_of(name: str) -> str:
    """The node a tensor name names: `a` for `a:1` or `a` (a TF collection's item, a fetch)."""
    node, sep, index = name.rpartition(":")
    return node if sep and index.isdigit() else name


class TensorRef(NamedTuple):
    """Output `index` of node `node` (`node:index`). A named tuple: a big graph makes and
    hashes one per edge, and a tuple's constructor and hash are C code."""

    node: str
    index: int = 0

    def __str__(self) -> str:
        return f"{self.node}:{self.index}"


class TensorType(Frozen):
    """Static dtype and shape; `shape` None means unknown rank, a dim None unknown."""

    __slots__ = ("dtype", "shape")
    dtype: str
    shape: tuple | None

    def __init__(self, dtype: str, shape: tuple | None) -> None:
        setfield(self, "dtype", dtype)
        setfield(self, "shape", shape)

    def __str__(self) -> str:
        dims = "?" if self.shape is None else "[" + ",".join(
            "?" if d is None else str(d) for d in self.shape) + "]"
        return f"{self.dtype}{dims}"


class Node(Record):
    """One operation of the graph; treat it as immutable (not frozen: a big graph makes one
    per node, and frozen fields take about twice as long to set).

    outputs: static types; ref_inputs: input positions taking a variable itself;
    is_ref_output: a ref-mode variable (its output is the ref); role: why the builder
    made it ("", "read", "literal", ...); device_from: "explicit" (its own `device:`),
    "block", or ""; colocate: placed with this node (EMA shadows with their input);
    helper_inputs: trailing inputs that are TF's helper constants; requested: the device
    string as TF keeps it (`/device:CPU:1`), for F8.
    """

    __slots__ = ("name", "op", "inputs", "control_inputs", "attrs", "device", "loc", "outputs",
                 "ref_inputs", "is_ref_output", "role", "device_from", "colocate", "helper_inputs",
                 "requested")
    name: str
    op: str
    inputs: tuple[TensorRef, ...]
    control_inputs: tuple[str, ...]
    attrs: Mapping[str, Any]
    device: str
    loc: SourceLoc
    outputs: tuple[TensorType, ...]
    ref_inputs: tuple[int, ...]
    is_ref_output: bool
    role: str
    device_from: str
    colocate: str
    helper_inputs: int
    requested: str

    def __init__(self, name: str, op: str, inputs: tuple[TensorRef, ...], control_inputs: tuple[str, ...],
                 attrs: Mapping[str, Any], device: str, loc: SourceLoc, outputs: tuple[TensorType, ...] = (),
                 ref_inputs: tuple[int, ...] = (), is_ref_output: bool = False, role: str = "",
                 device_from: str = "", colocate: str = "", helper_inputs: int = 0,
                 requested: str = "") -> None:
        self.name = name
        self.op = op
        self.inputs = inputs
        self.control_inputs = control_inputs
        self.attrs = attrs
        self.device = device
        self.loc = loc
        self.outputs = outputs
        self.ref_inputs = ref_inputs
        self.is_ref_output = is_ref_output
        self.role = role
        self.device_from = device_from
        self.colocate = colocate
        self.helper_inputs = helper_inputs
        self.requested = requested

    @property
    def real_inputs(self) -> tuple[TensorRef, ...]:
        """The inputs the kernel takes (helper constants only order and place)."""
        return self.inputs[:len(self.inputs) - self.helper_inputs]


class ControlSource(Frozen):
    """Where one control input of a node came from: a `control_dependencies` block
    ("block"), the node's own `control_inputs` ("control_inputs"), or what TF's Python adds
    itself ("implicit": a group's members, an assign's lazy read, an EMA's updates)."""

    __slots__ = ("control", "loc", "kind")
    control: str
    loc: SourceLoc | None
    kind: str

    def __init__(self, control: str, loc: SourceLoc | None, kind: str) -> None:
        setfield(self, "control", control)
        setfield(self, "loc", loc)
        setfield(self, "kind", kind)


class DroppedControl(Frozen):
    """A control input TF's pruning dropped from `node` (A3, A4). `reason`: "dominated"
    (`by`, a data input, was created in the same block and carries it), "data_input"
    (the control is already a data input) or "enclosing" (an enclosing block, at `by`,
    already holds it)."""

    __slots__ = ("node", "control", "loc", "kind", "reason", "by")
    node: str
    control: str
    loc: SourceLoc | None
    kind: str
    reason: str
    by: str

    def __init__(self, node: str, control: str, loc: SourceLoc | None, kind: str, reason: str,
                 by: str = "") -> None:
        setfield(self, "node", node)
        setfield(self, "control", control)
        setfield(self, "loc", loc)
        setfield(self, "kind", kind)
        setfield(self, "reason", reason)
        setfield(self, "by", by)


class AliasBlock(Frozen):
    """An alias entry written inside `control_dependencies` blocks: it creates no node, so
    the blocks' dependencies (`blocks`: (block location, resolved controls)) attach to
    nothing for its name."""

    __slots__ = ("alias", "loc", "target", "blocks")
    alias: str
    loc: SourceLoc | None
    target: TensorRef
    blocks: tuple[tuple[SourceLoc | None, tuple[str, ...]], ...]

    def __init__(self, alias: str, loc: SourceLoc | None, target: TensorRef,
                 blocks: tuple[tuple[SourceLoc | None, tuple[str, ...]], ...]) -> None:
        setfield(self, "alias", alias)
        setfield(self, "loc", loc)
        setfield(self, "target", target)
        setfield(self, "blocks", blocks)


class EmptyBlock(Frozen):
    """A `control_dependencies` block (or `control_inputs`) that gave its dependencies to no
    node: `created` nodes were made in it (only variables, which TF makes in init_scope),
    `aliases` the alias entries inside it."""

    __slots__ = ("loc", "kind", "controls", "created", "aliases")
    loc: SourceLoc | None
    kind: str
    controls: tuple[str, ...]
    created: tuple[str, ...]
    aliases: tuple[str, ...]

    def __init__(self, loc: SourceLoc | None, kind: str, controls: tuple[str, ...],
                 created: tuple[str, ...] = (), aliases: tuple[str, ...] = ()) -> None:
        setfield(self, "loc", loc)
        setfield(self, "kind", kind)
        setfield(self, "controls", controls)
        setfield(self, "created", created)
        setfield(self, "aliases", aliases)


class Provenance(Record):
    """What the builder knew about control dependencies, for `idrun check` and `explain`:
    per node its control inputs and where each came from, the ones TF's pruning dropped,
    alias entries inside blocks, and blocks that attached to nothing. Computed during the
    build, in one pass; nothing that runs reads it."""

    controls: dict[str, tuple[ControlSource, ...]]
    dropped: list[DroppedControl]
    alias_blocks: list[AliasBlock]
    empty_blocks: list[EmptyBlock]

    def __init__(self, controls: dict[str, tuple[ControlSource, ...]] = FACTORY,
                 dropped: list[DroppedControl] = FACTORY, alias_blocks: list[AliasBlock] = FACTORY,
                 empty_blocks: list[EmptyBlock] = FACTORY) -> None:
        self.controls = {} if controls is FACTORY else controls
        self.dropped = [] if dropped is FACTORY else dropped
        self.alias_blocks = [] if alias_blocks is FACTORY else alias_blocks
        self.empty_blocks = [] if empty_blocks is FACTORY else empty_blocks


class Graph:
    """Nodes in creation order, and alias names for tensors.

    fetch_redirects (resource mode): fetching variable `x` fetches its own read
    `x/Read/ReadVariableOp`. provenance: left out of repr and ==.
    """

    nodes: dict[str, Node]
    aliases: dict[str, TensorRef]
    fetch_redirects: dict[str, TensorRef]
    variables: str
    provenance: Provenance | None
    __hash__ = None   # mutable: unhashable, as a dataclass with eq

    def __init__(self, nodes: dict[str, Node] = FACTORY, aliases: dict[str, TensorRef] = FACTORY,
                 fetch_redirects: dict[str, TensorRef] = FACTORY, variables: str = "resource",
                 provenance: Provenance | None = None) -> None:
        self.nodes = {} if nodes is FACTORY else nodes
        self.aliases = {} if aliases is FACTORY else aliases
        self.fetch_redirects = {} if fetch_redirects is FACTORY else fetch_redirects
        self.variables = variables
        self.provenance = provenance
        # `minimize` entries (spec/gradients.py): (train op, loss, entry location, variables of its
        # var_list that no gradient reaches); `idrun check`'s no-gradient reads it
        self.training: list[tuple] = []
        # device -> where the spec first asked for it (`device:`), for placement's error
        self.device_locs: dict[str, SourceLoc] = {}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return ((self.nodes, self.aliases, self.fetch_redirects, self.variables)
                    == (other.nodes, other.aliases, other.fetch_redirects, other.variables))
        return NotImplemented

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}(nodes={self.nodes!r}, aliases={self.aliases!r}, "
                f"fetch_redirects={self.fetch_redirects!r}, variables={self.variables!r})")

    def add(self, node: Node) -> None:
        self.nodes[node.name] = node

    def kind_of(self, name: str) -> str:
        """"resource" or "ref": the kind of variable `name`, or of the variable an op on a
        variable works on (its first ref input, through the nodes that pass a variable on).
        A variable's own `resource:` decides; without it, and for every other node, the
        graph's mode (`variables:`) does."""
        seen = set()
        node = self.nodes.get(name)
        while node is not None and node.name not in seen:
            seen.add(node.name)
            if node.op == "variable":
                own = node.attrs.get("resource")
                return self.variables if own is None else ("resource" if own else "ref")
            if not node.ref_inputs or node.ref_inputs[0] >= len(node.inputs):
                break
            node = self.nodes.get(node.inputs[node.ref_inputs[0]].node)
        return self.variables

    def mixed(self) -> bool:
        """Whether a variable's kind differs from the graph's mode."""
        return any(n.op == "variable" and self.kind_of(n.name) != self.variables for n in self.nodes.values())

    def index(self) -> dict[str, int]:
        """Declaration order of every node (the deterministic tie-break)."""
        return {name: i for i, name in enumerate(self.nodes)}

    def closure(self, roots: Iterable[str], stop: frozenset[TensorRef] = frozenset(),
                within: set[str] | None = None) -> set[str]:
        """Nodes reachable backwards from `roots` through data and control inputs.

        An edge whose tensor is in `stop` (a fed tensor) is not followed; with `within` (a
        branch's or loop body's nodes), neither is an edge to a node outside it.
        """
        seen: set[str] = set()
        stack = list(roots) if within is None else [r for r in roots if r in within]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.nodes[name]
            deps = [r.node for r in node.inputs if r not in stop] + list(node.control_inputs)
            stack.extend(deps if within is None else [d for d in deps if d in within])
        return seen

    def find_cycle(self) -> list[str] | None:
        """A dependency cycle as a node path `[a, b, a]`, or None."""
        return find_cycle(self.nodes, lambda name: dependencies(self, self.nodes[name]))


def dependencies(graph: Graph, node: Node) -> list[str]:
    """What a node waits for; a while loop's back edge (next_iteration into merge) is no
    dependency: it is the one edge by which a graph may close a cycle."""
    from idrun.ops.control_flow import flow_op
    if flow_op(node.op, node.attrs) == "merge":
        nodes = graph.nodes
        inputs = [r.node for r in node.inputs
                  if flow_op(nodes[r.node].op, nodes[r.node].attrs) != "next_iteration"]
    else:
        inputs = [r.node for r in node.inputs]
    return inputs + list(node.control_inputs)


def find_cycle(names: Iterable[str], deps: Callable[[str], Iterable[str]]) -> list[str] | None:
    """A cycle among `names` as a path `[a, b, a]` (an iterative DFS; the grey nodes on the
    stack form the path), or None. `deps(name)` lists what a name waits for."""
    color: dict[str, int] = {}
    for root in names:
        if root in color:
            continue
        stack = [(root, iter(deps(root)))]
        color[root] = 1
        path = [root]
        while stack:
            name, waits = stack[-1]
            dep = next(waits, None)
            if dep is None:
                color[name] = 2
                stack.pop()
                path.pop()
            elif color.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            elif dep not in color:
                color[dep] = 1
                path.append(dep)
                stack.append((dep, iter(deps(dep))))
    return None


_NO_ATTRS: Mapping[str, Any] = MappingProxyType({})


def freeze_attrs(attrs: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(attrs)) if attrs else _NO_ATTRS  # most nodes: one shared


def cycle_error(graph: Graph, cycle: list[str],
                written: Callable[[str, str], tuple[SourceLoc, str] | None] | None = None) -> SpecError:
    """The cycle `[a, b, a]` as an error at the edge that closes it: the first one that waits
    for a node declared later (a cycle has one: every other edge points back), where the spec
    wrote it (`written(node, dep)`: its location and what it is), the path starting there."""
    index = graph.index()
    edges = list(zip(cycle, cycle[1:]))
    start = next((i for i, (node, dep) in enumerate(edges) if index[dep] > index[node]), 0)
    node, dep = edges[start]
    path = cycle[start:-1] + cycle[:start] + [node]
    where = written(node, dep) if written else None
    if where is None:
        return SpecError("dependency cycle: " + " -> ".join(path), graph.nodes[node].loc)
    return SpecError(f"dependency cycle: {' -> '.join(path)} (the {where[1]} '{dep}' here closes it)", where[0])
