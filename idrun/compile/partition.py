"""Partitioning: which values cross between devices in one step (G1-G8).

Given the placed graph, the nodes a step runs, its fetches and its feeds,
`partition` decides every transfer of the step, as TF's graph partitioner
does with grappler off:
- one transfer per (source node, output slot, destination device), shared by
  every consumer there and by a fetch to cpu:0 (G2, G5); ref-typed edges are
  never shared (G4);
- one 0-byte control transfer per (source node, destination device), apart
  from data transfers (G3);
- a fetched tensor not on cpu:0 crosses once unless it already crosses for a
  consumer on cpu:0 (G5); a fed tensor enters at cpu:0 and crosses once per
  other device that consumes it (G6);
- a constant of at most 16 elements on a CPU, with several out-edges and no
  control out-edges, whose consumers are on two or more devices, is
  replicated on each of them instead of sent (G8).
"""

from __future__ import annotations

from idrun.graph import Graph, TensorRef

REGION_OP = "control_flow_region"   # a cond or loop raised to one node (compile/regions.py)
from idrun.ops import REGISTRY
from idrun.ops.shapes import num_elements
from idrun.records import FACTORY, Frozen, Record, setfield

CLIENT = "cpu:0"
REPLICATE_MAX_ELEMENTS = 16


class TransferSpec(Frozen):
    """One send/recv pair of a step."""

    __slots__ = ("tensor", "src", "dst", "kind")
    tensor: TensorRef        # for control transfers, output 0 of the source node
    src: str
    dst: str
    kind: str                # edge | control | fetch | feed

    def __init__(self, tensor: TensorRef, src: str, dst: str, kind: str) -> None:
        setfield(self, "tensor", tensor)
        setfield(self, "src", src)
        setfield(self, "dst", dst)
        setfield(self, "kind", kind)


class Partition(Record):
    transfers: list[TransferSpec]
    # (consumer, input position) -> index of the transfer it reads, when remote
    edge_transfer: dict[tuple[str, int], int]
    # (consumer, control source) -> index of the control transfer it waits on
    control_transfer: dict[tuple[str, str], int]
    # fetched tensor -> index of the transfer that brings it to cpu:0
    fetch_transfer: dict[TensorRef, int]
    # const node -> devices that get their own copy
    replicated: dict[str, set[str]]
    # node -> every control transfer it waits on (several for a replicated constant)
    replica_controls: dict[str, list[int]]

    def __init__(self, transfers: list[TransferSpec] = FACTORY,
                 edge_transfer: dict[tuple[str, int], int] = FACTORY,
                 control_transfer: dict[tuple[str, str], int] = FACTORY,
                 fetch_transfer: dict[TensorRef, int] = FACTORY, replicated: dict[str, set[str]] = FACTORY,
                 replica_controls: dict[str, list[int]] = FACTORY) -> None:
        self.transfers = [] if transfers is FACTORY else transfers
        self.edge_transfer = {} if edge_transfer is FACTORY else edge_transfer
        self.control_transfer = {} if control_transfer is FACTORY else control_transfer
        self.fetch_transfer = {} if fetch_transfer is FACTORY else fetch_transfer
        self.replicated = {} if replicated is FACTORY else replicated
        self.replica_controls = {} if replica_controls is FACTORY else replica_controls


def partition(graph: Graph, device_of: dict[str, str], needed: list[str],
              fetch: list[TensorRef], fed: set[TensorRef]) -> Partition:
    """The transfers of one step; see the module docstring for the rules."""
    if set(device_of.values()) <= {CLIENT}:  # every node at the client: nothing crosses
        return Partition()
    part = Partition(replicated=_replicated(graph, device_of, needed, fetch, fed))
    shared: dict[tuple, int] = {}
    nodes, replicated = graph.nodes, part.replicated
    fed_nodes = {ref.node for ref in fed}  # a str lookup first: TensorRef hashes in Python
    for name in needed:
        node = nodes[name]
        if node.op == REGION_OP:   # a cond or loop: its switches and enters move what they take
            continue               # (runtime/flow.py), each on its own device
        dst = device_of[name]
        for pos, ref in enumerate(node.inputs):
            # the common case first, inline: a producer on the same device (G1)
            if device_of[ref.node] == dst and not (ref.node in fed_nodes and ref in fed):
                continue
            index = _data_transfer(graph, device_of, part, shared, ref, dst, fed)
            if index is not None:
                part.edge_transfer[(name, pos)] = index
        for src_node in node.control_inputs:
            # a replicated constant keeps its control inputs on every copy (G8)
            for copy_dst in sorted(replicated.get(name, {dst})):
                if device_of[src_node] == copy_dst:
                    continue
                key = ("control", src_node, copy_dst)
                index = _shared(part, shared, key, TransferSpec(
                    TensorRef(src_node, 0), device_of[src_node], copy_dst, "control"))
                part.control_transfer.setdefault((name, src_node), index)
                part.replica_controls.setdefault(name, []).append(index)
    for ref in dict.fromkeys(fetch):
        index = _fetch_transfer(graph, device_of, part, shared, ref, fed)
        if index is not None:
            part.fetch_transfer[ref] = index
    return part


def _shared(part: Partition, shared: dict, key: tuple | None, spec: TransferSpec) -> int:
    if key is not None and key in shared:
        return shared[key]
    part.transfers.append(spec)
    index = len(part.transfers) - 1
    if key is not None:
        shared[key] = index
    return index


def _data_transfer(graph, device_of, part, shared, ref: TensorRef, dst: str, fed) -> int | None:
    if ref in fed:
        if dst == CLIENT:
            return None
        return _shared(part, shared, ("data", ref, dst), TransferSpec(ref, CLIENT, dst, "feed"))
    if dst in part.replicated.get(ref.node, ()):
        return None
    src = device_of[ref.node]
    if src == dst:
        return None
    key = None if graph.nodes[ref.node].is_ref_output else ("data", ref, dst)
    return _shared(part, shared, key, TransferSpec(ref, src, dst, "edge"))


def _fetch_transfer(graph, device_of, part, shared, ref: TensorRef, fed) -> int | None:
    if ref in fed or CLIENT in part.replicated.get(ref.node, ()):
        return None
    if device_of[ref.node] == CLIENT:
        return None
    key = ("data", ref, CLIENT)
    return _shared(part, shared, key, TransferSpec(ref, device_of[ref.node], CLIENT, "fetch"))


def _replicated(graph: Graph, device_of, needed, fetch, fed) -> dict[str, set[str]]:
    """Constants TF's ReplicateConstantsPass copies to each consumer device (G8)."""
    nodes = graph.nodes
    # only small constants on a CPU can be replicated: collect consumer devices for those
    candidates = {name for name in needed if REGISTRY[nodes[name].op].source == "const"
                  and device_of[name].rsplit("/", 1)[-1].startswith("cpu") and _small(nodes[name])}
    if not candidates:
        return {}
    edges: dict[str, list[str]] = {}
    has_control_out: set[str] = set()
    fed_nodes = {ref.node for ref in fed}
    for name in needed:
        node = nodes[name]
        for ref in node.inputs:
            if ref.node in candidates and not (ref.node in fed_nodes and ref in fed):
                edges.setdefault(ref.node, []).append(device_of[name])
        if node.control_inputs:
            has_control_out.update(node.control_inputs)
    for ref in fetch:
        if ref.node in candidates and ref not in fed:
            edges.setdefault(ref.node, []).append(CLIENT)
    return {name: set(dsts) for name, dsts in edges.items()
            if len(dsts) > 1 and name not in has_control_out and len(set(dsts)) > 1}


def _small(node) -> bool:
    n = num_elements(node.outputs[0].shape) if node.outputs else None
    return n is not None and n <= REPLICATE_MAX_ELEMENTS
