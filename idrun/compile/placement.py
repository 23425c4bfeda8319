"""Placement: a device for every node of the whole graph, and why (SPEC 5, F1-F10).

Policy, applied to the whole graph, not only what a step runs (F9):
1. A node's requested device (its own `device:` or its block's) must exist
   in the graph's devices; otherwise placement fails for the whole graph
   (F10), unless soft placement moves it to cpu:0 with a warning.
2. A variable, its reads and its assigns form one colocation group on the
   variable's device, overriding what members ask for (F4). A variable with
   no device takes the first device a member asks for (resource mode; ref
   assigns are built under colocate_with(var) and ask for nothing). In ref
   mode an explicit `read` is an identity built under colocate_with(var): it
   is in the group too (TF's `read_value()`, an identity with no colocation,
   is `op: identity` of the variable's ref and is not forced).
3. First pass: every node that is not a heuristic candidate gets its group's
   device, its requested device, or the default (cpu:0; gpu:0 when the graph
   has a GPU and the op has a GPU kernel).
4. Placement sees the step's feeds as TF's rewrite makes them: a fed
   tensor's consumers read it from an `_arg` on cpu:0 that asks for no
   device (so placement depends on what is fed). Fetches are not rewritten
   before placement: a fetched identity or constant places as if unfetched
   (probed: a fetched generator still follows its one consumer).
5. The first pass runs in graph order, as TF's placer does: an op built
   under colocate_with(x) takes x's device (F5); `shape` goes with its input
   (F7) and an identity with one in-edge and one out-edge whose input and
   output request the same device string goes with its input (F8: the strings
   as TF keeps them, so `/device:CPU:1` and `/job:localhost/.../device:CPU:1`
   differ; no out-edge means the graph sink, which requests none), each when
   its input is already placed. Second pass: a generator (no inputs, one
   non-ref output) goes with its consumers, data and control, when they are
   all on one device (F6).
"""

from __future__ import annotations

from typing import Iterable

from idrun.devices.names import DeviceSpec, parse_device
from idrun.errors import SourceLoc, SpecError, SpecWarning
from idrun.graph import Graph, Node, TensorRef
from idrun.ops import REGISTRY
from idrun.records import FACTORY, Record

CLIENT = "cpu:0"


class Placement(Record):
    device: dict[str, str]
    reason: dict[str, str]
    devices: list[str]
    warnings: list[SpecError]

    def __init__(self, device: dict[str, str] = FACTORY, reason: dict[str, str] = FACTORY,
                 devices: list[str] = FACTORY, warnings: list[SpecError] = FACTORY) -> None:
        self.device = {} if device is FACTORY else device
        self.reason = {} if reason is FACTORY else reason
        self.devices = [] if devices is FACTORY else devices
        self.warnings = [] if warnings is FACTORY else warnings


def graph_devices(graph: Graph, declared: list[str] | None) -> list[str]:
    """The graph's devices: `devices:` if given, else cpu:0 and those nodes name."""
    if declared:
        return list(dict.fromkeys([CLIENT] + declared)) if CLIENT not in declared else list(declared)
    found = [CLIENT]
    for node in graph.nodes.values():
        if not node.device:   # asks for none (DeviceSpec() is not complete)
            continue
        spec = parse_device(node.device)
        if spec.is_complete and str(spec) not in found:
            found.append(str(spec))
    return found


SINK = "\0sink"  # the graph sink: the out-edge of a node nobody consumes; requests no device


def place(graph: Graph, declared: list[str] | None = None, soft: bool = False,
          fed: Iterable[TensorRef] = ()) -> Placement:
    """Place every node for one set of fed tensors; raises SpecError naming the first
    impossible request."""
    result = Placement(devices=graph_devices(graph, declared))
    nodes, registry = graph.nodes, REGISTRY
    # one pass: what nodes ask for (only those that ask: '' is the rest), raising in graph
    # order, and which nodes may need their out-edges (generators, identities: F6, F8)
    requested: dict[str, str] = {}
    wanted = set()
    for name, node in nodes.items():
        if node.device:
            requested[name] = _requested(node, result, soft, graph.device_locs, declared)
        if not node.inputs or registry[node.op].follows_input == "identity":
            wanted.add(name)
    groups = _colocation_groups(graph)
    group_device = _group_devices(graph, groups, requested, result.devices)
    fed = frozenset(fed)
    users = _users(graph, fed, wanted)
    second = []
    anchors = {}   # node -> the node it is placed with (colocate_with, F5), when any
    device, reason, get_requested = result.device, result.reason, requested.get
    has_gpu = "gpu:0" in result.devices  # see `_default`
    for name, node in nodes.items():   # TF's first pass, in graph order
        opdef = registry[node.op]
        anchor = node.colocate
        if not anchor:   # `_colocation_input`, inline
            index = opdef.colocate_input
            if index is not None and index not in node.ref_inputs and index < len(node.inputs):
                anchor = node.inputs[index].node
        if anchor:
            anchors[name] = anchor
        if name in groups:
            var = groups[name]
            device[name], why = group_device[var]
            reason[name] = why if name == var else f"colocated with variable {var}"
        elif anchor in device:
            device[name], reason[name] = device[anchor], f"colocated with {anchor}"
        elif ask := get_requested(name):
            device[name] = ask
            reason[name] = node.device_from or "block"
        elif not node.inputs and len(node.outputs) == 1 and not node.is_ref_output \
                and opdef.source != "variable":   # `_is_generator`, inline
            second.append(name)
        elif opdef.follows_input:    # shape and identity follow an input placed before them
            _place_candidate(graph, node, users, result, fed)
        else:   # `_default`, inline
            device[name], reason[name] = ("gpu:0" if has_gpu and opdef.gpu else CLIENT), "default"
    for name in second:
        _place_candidate(graph, graph.nodes[name], users, result, fed)
    _colocate(anchors, groups, result)   # groups whose anchor is placed late (EMA shadows)
    return result


def _colocate(anchors: dict[str, str], groups: dict[str, str], result: Placement) -> None:
    """TF's colocate_with: a node (and its variable's group) goes where its anchor is (F5)."""
    members_of: dict[str, list[str]] = {}
    for member, var in groups.items():
        members_of.setdefault(var, []).append(member)
    for name, anchor in anchors.items():   # in graph order
        if name in groups and groups[name] != name or anchor not in result.device:
            continue
        for member in members_of.get(name, [name]):
            result.device[member] = result.device[anchor]
            result.reason[member] = f"colocated with {anchor}"


def _colocation_input(node: Node) -> str:
    index = REGISTRY[node.op].colocate_input
    if index is None or index in node.ref_inputs or index >= len(node.inputs):
        return ""
    return node.inputs[index].node


def _users(graph: Graph, fed: frozenset, wanted: set[str]) -> dict[str, list[str]]:
    """Out-edges of the `wanted` nodes after TF's feed rewrite: one entry per edge."""
    users: dict[str, list[str]] = {name: [] for name in wanted}
    fed_nodes = {ref.node for ref in fed}  # a str lookup first: TensorRef hashes in Python
    for node in graph.nodes.values():
        for ref in node.inputs:
            if ref.node in wanted and not (ref.node in fed_nodes and ref in fed):
                users[ref.node].append(node.name)
        if node.control_inputs:
            for dep in node.control_inputs:
                if dep in wanted:
                    users[dep].append(node.name)
    return users


def _requested(node: Node, result: Placement, soft: bool, device_locs: dict[str, SourceLoc],
               declared: list[str] | None) -> str:
    """The concrete device a node asks for, or '' when it asks for none. A device that does not
    exist is TF's error, with what to do, at the `device:` that asked for it."""
    if not node.device:
        return ""
    spec = parse_device(node.device)
    if not spec.is_complete:
        return _first_match(spec, result.devices)
    name = str(spec)
    if name in result.devices:
        return name
    if soft and spec.is_local:
        result.warnings.append(SpecWarning(
            f"device '{name}' does not exist; soft placement puts '{node.name}' on {CLIENT}", node.loc))
        return CLIENT
    where = "the spec's `devices:` does not list it" if declared else "no `devices:` declares it"
    raise SpecError(
        f"Cannot assign a device for operation {node.name}: {{{{node {node.name}}}}} was explicitly "
        f"assigned to {name} but available devices are [ {', '.join(result.devices)} ]. Make sure "
        f"the device specification refers to a valid device. ({where}: add {name} to `devices:`, or "
        f"run with --soft-placement to put what asks for it on {CLIENT})",
        device_locs.get(node.device, node.loc))


def _first_match(spec: DeviceSpec, devices: list[str]) -> str:
    """A partial request (`cpu:*`, `/job:localhost`): the first device it fits, if it names a job."""
    if spec.is_local and spec.type in (None, "cpu"):
        return ""
    for name in devices:
        d = parse_device(name)
        if all(getattr(spec, f) in (None, getattr(d, f)) for f in ("job", "task", "type", "index")):
            return name
    return ""


def _colocation_groups(graph: Graph) -> dict[str, str]:
    """Member node -> its variable, for variables, their reads and assigns (F4)."""
    groups = {}
    for name, node in graph.nodes.items():
        opdef = REGISTRY[node.op]
        if opdef.source == "variable":
            groups[name] = name
        elif node.ref_inputs and opdef.variable_group:
            groups[name] = node.inputs[node.ref_inputs[0]].node
    return groups


def _group_devices(graph: Graph, groups: dict[str, str], requested: dict[str, str],
                   devices: list[str]) -> dict[str, tuple[str, str]]:
    """Variable -> (device, why) for each colocation group."""
    out: dict[str, tuple[str, str]] = {}
    for member, var in groups.items():
        if member == var and requested.get(var):
            out[var] = (requested[var], graph.nodes[var].device_from or "block")
    for member, var in groups.items():
        # ref assigns are built under colocate_with(var): they ask for nothing of their own (F4)
        if var not in out and requested.get(member) and graph.kind_of(var) == "resource":
            out[var] = (requested[member], f"asked for by {member}")
    for var in set(groups.values()):
        out.setdefault(var, (_default(graph.nodes[var], devices), "default"))
    return out


def _default(node: Node, devices: list[str]) -> str:
    if "gpu:0" in devices and REGISTRY[node.op].gpu:
        return "gpu:0"
    return CLIENT


def _is_candidate(node: Node) -> bool:
    return _is_generator(node) or bool(REGISTRY[node.op].follows_input)


def _is_generator(node: Node) -> bool:
    return not node.inputs and len(node.outputs) == 1 and not node.is_ref_output \
        and REGISTRY[node.op].source != "variable"


def _place_candidate(graph: Graph, node: Node, users: dict[str, list[str]],
                     result: Placement, fed: frozenset) -> None:
    name = node.name
    if _is_generator(node) and users[name]:
        places = {result.device.get(u) for u in users[name]}
        if len(places) == 1 and None not in places:
            result.device[name] = places.pop()
            result.reason[name] = f"follows consumer {users[name][0]}"
            return
    follows = REGISTRY[node.op].follows_input
    if follows == "metadata" or (follows == "identity" and _identity_follows(graph, node, users, fed)):
        source = node.inputs[0]
        if source in fed:
            result.device[name], result.reason[name] = CLIENT, "follows its feed (on cpu:0)"
            return
        if source.node in result.device:
            result.device[name] = result.device[source.node]
            result.reason[name] = f"follows input {source.node}"
            return
    result.device[name], result.reason[name] = _default(node, result.devices), "default"


def _identity_follows(graph: Graph, node: Node, users: dict[str, list[str]], fed: frozenset) -> bool:
    """TF 2.x's MatchIdentityOperation (F8): one in-edge, one out-edge, and the two ends
    request the same device string (a feed's `_arg` and the graph sink request none)."""
    if len(node.inputs) + len(node.control_inputs) != 1:
        return False
    out_edges = users[node.name]
    if len(out_edges) > 1:
        return False
    src_request = "" if node.inputs[0] in fed else _request_string(graph.nodes[node.inputs[0].node])
    dst = out_edges[0] if out_edges else SINK
    dst_request = "" if dst == SINK else _request_string(graph.nodes[dst])
    return src_request == dst_request


def _request_string(node: Node) -> str:
    """The requested device as TF compares it: the raw string, not the normalized device
    (`/device:CPU:1` and `/job:localhost/replica:0/task:0/device:CPU:1` differ, F8)."""
    if node.requested or not node.device:
        return node.requested
    return parse_device(node.device).tf_string()
