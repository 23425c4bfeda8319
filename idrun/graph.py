"""The graph IR: small frozen records, built once by the spec builder.

A `Node` is what TF calls an operation: full name, op type, data inputs
(`TensorRef`s), control inputs (node names), attributes, requested device and
the spec location it came from. A `Graph` is the ordered, read-only set of
nodes plus the alias names that point at tensors. Nothing here runs anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from idrun.errors import SourceLoc, SpecError


@dataclass(frozen=True, slots=True)
class TensorRef:
    """Output `index` of node `node` (`node:index`)."""

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


@dataclass(frozen=True, slots=True)
class Node:
    """One operation of the graph."""

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


@dataclass
class Graph:
    """Nodes in creation order, and alias names for tensors."""

    nodes: dict[str, Node] = field(default_factory=dict)
    aliases: dict[str, TensorRef] = field(default_factory=dict)
    # resource mode: fetching variable `x` fetches its own read `x/Read/ReadVariableOp`
    fetch_redirects: dict[str, TensorRef] = field(default_factory=dict)
    variables: str = "resource"

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


def freeze_attrs(attrs: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(attrs))


def cycle_error(graph: Graph, cycle: list[str]) -> SpecError:
    loc = graph.nodes[cycle[0]].loc
    return SpecError("dependency cycle: " + " -> ".join(cycle), loc)
