"""The graph IR: small records, built once by the spec builder and read-only after.

A `Node` is what TF calls an operation: full name, op type, data inputs
(`TensorRef`s), control inputs (node names), attributes, requested device and
the spec location it came from. A `Graph` is the ordered, read-only set of
nodes plus the alias names that point at tensors. Nothing here runs anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping, NamedTuple

from idrun.errors import SourceLoc, SpecError


class TensorRef(NamedTuple):
    """Output `index` of node `node` (`node:index`). A named tuple: a big graph makes and
    hashes one per edge, and a tuple's constructor and hash are C code."""

    node: str
    index: int = 0

    def __str__(self) -> str:
        return f"{self.node}:{self.index}"


@dataclass(frozen=True, slots=True)
class TensorType:
    """Static dtype and shape; `shape` None means unknown rank, a dim None unknown."""

    dtype: str
    shape: tuple | None

    def __str__(self) -> str:
        dims = "?" if self.shape is None else "[" + ",".join(
            "?" if d is None else str(d) for d in self.shape) + "]"
        return f"{self.dtype}{dims}"


@dataclass(slots=True)
class Node:
    """One operation of the graph; treat it as immutable (not frozen: a big graph makes
    one per node, and a frozen dataclass takes twice as long to make)."""

    name: str
    op: str
    inputs: tuple[TensorRef, ...]
    control_inputs: tuple[str, ...]
    attrs: Mapping[str, Any]
    device: str
    loc: SourceLoc
    outputs: tuple[TensorType, ...] = ()
    ref_inputs: tuple[int, ...] = ()   # input positions taking a variable itself
    is_ref_output: bool = False         # ref-mode variable: its output is the ref
    role: str = ""                      # why the builder made it: "", "read", "literal", ...
    device_from: str = ""               # "explicit" (its own `device:`), "block", or ""
    colocate: str = ""                  # placed with this node (EMA shadows with their input)
    helper_inputs: int = 0              # trailing inputs that are TF's helper constants
    requested: str = ""                 # device string as TF keeps it (`/device:CPU:1`), for F8

    @property
    def real_inputs(self) -> tuple[TensorRef, ...]:
        """The inputs the kernel takes (helper constants only order and place)."""
        return self.inputs[:len(self.inputs) - self.helper_inputs]


@dataclass(frozen=True, slots=True)
class ControlSource:
    """Where one control input of a node came from: a `control_dependencies` block
    ("block"), the node's own `control_inputs` ("control_inputs"), or what TF's Python adds
    itself ("implicit": a group's members, an assign's lazy read, an EMA's updates)."""

    control: str
    loc: SourceLoc | None
    kind: str


@dataclass(frozen=True, slots=True)
class DroppedControl:
    """A control input TF's pruning dropped from `node` (A3, A4). `reason`: "dominated"
    (`by`, a data input, was created in the same block and carries it), "data_input"
    (the control is already a data input) or "enclosing" (an enclosing block, at `by`,
    already holds it)."""

    node: str
    control: str
    loc: SourceLoc | None
    kind: str
    reason: str
    by: str = ""


@dataclass(frozen=True, slots=True)
class AliasBlock:
    """An alias entry written inside `control_dependencies` blocks: it creates no node, so
    the blocks' dependencies (`blocks`: (block location, resolved controls)) attach to
    nothing for its name."""

    alias: str
    loc: SourceLoc | None
    target: TensorRef
    blocks: tuple[tuple[SourceLoc | None, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class EmptyBlock:
    """A `control_dependencies` block (or `control_inputs`) that gave its dependencies to no
    node: `created` nodes were made in it (only variables, which TF makes in init_scope),
    `aliases` the alias entries inside it."""

    loc: SourceLoc | None
    kind: str
    controls: tuple[str, ...]
    created: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass
class Provenance:
    """What the builder knew about control dependencies, for `idrun check` and `explain`:
    per node its control inputs and where each came from, the ones TF's pruning dropped,
    alias entries inside blocks, and blocks that attached to nothing. Computed during the
    build, in one pass; nothing that runs reads it."""

    controls: dict[str, tuple[ControlSource, ...]] = field(default_factory=dict)
    dropped: list[DroppedControl] = field(default_factory=list)
    alias_blocks: list[AliasBlock] = field(default_factory=list)
    empty_blocks: list[EmptyBlock] = field(default_factory=list)


@dataclass
class Graph:
    """Nodes in creation order, and alias names for tensors."""

    nodes: dict[str, Node] = field(default_factory=dict)
    aliases: dict[str, TensorRef] = field(default_factory=dict)
    # resource mode: fetching variable `x` fetches its own read `x/Read/ReadVariableOp`
    fetch_redirects: dict[str, TensorRef] = field(default_factory=dict)
    variables: str = "resource"
    provenance: Provenance | None = field(default=None, repr=False, compare=False)

    def add(self, node: Node) -> None:
        self.nodes[node.name] = node

    def index(self) -> dict[str, int]:
        """Declaration order of every node (the deterministic tie-break)."""
        return {name: i for i, name in enumerate(self.nodes)}

    def closure(self, roots: Iterable[str], stop: frozenset[TensorRef] = frozenset(),
                ) -> set[str]:
        """Nodes reachable backwards from `roots` through data and control inputs.

        An edge whose tensor is in `stop` (a fed tensor) is not followed.
        """
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.nodes[name]
            stack.extend(r.node for r in node.inputs if r not in stop)
            stack.extend(node.control_inputs)
        return seen

    def find_cycle(self) -> list[str] | None:
        """A dependency cycle as a node path `[a, b, a]`, or None."""
        color: dict[str, int] = {}
        for root in self.nodes:
            if root in color:
                continue
            path = _dfs_cycle(self, root, color)
            if path:
                return path
        return None


def _deps(node: Node) -> list[str]:
    return [r.node for r in node.inputs] + list(node.control_inputs)


def _dfs_cycle(graph: Graph, root: str, color: dict[str, int]) -> list[str] | None:
    """Iterative DFS; grey nodes on the stack form the path."""
    stack = [(root, iter(_deps(graph.nodes[root])))]
    color[root] = 1
    path = [root]
    while stack:
        name, deps = stack[-1]
        dep = next(deps, None)
        if dep is None:
            color[name] = 2
            stack.pop()
            path.pop()
        elif color.get(dep) == 1:
            return path[path.index(dep):] + [dep]
        elif dep not in color:
            color[dep] = 1
            path.append(dep)
            stack.append((dep, iter(_deps(graph.nodes[dep]))))
    return None


_NO_ATTRS: Mapping[str, Any] = MappingProxyType({})


def freeze_attrs(attrs: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(attrs)) if attrs else _NO_ATTRS  # most nodes: one shared


def cycle_error(graph: Graph, cycle: list[str]) -> SpecError:
    loc = graph.nodes[cycle[0]].loc
    return SpecError("dependency cycle: " + " -> ".join(cycle), loc)
