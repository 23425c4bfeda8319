"""compile_plan: everything a step needs, decided once per signature.

Policy: a Plan is compiled for one (fetch, targets, fed tensors, order),
from a `Step`: the graph pruned to what the fetches and targets need (B1)
and partitioned into per-device work with transfers (see `partition`). It
orders ops and transfers legally, binds every kernel to its device's array
module, and materializes constants once. The result is one generated Python function:
a flat sequence of kernel calls on local variables, with no dict lookups,
graph traversal or validation per step (PERF.md: a flat call costs what a
hand-written numpy call does).

The step function is `step(F, T, O)`: F the fed values, T a list receiving
(transfer index, seconds, value) as transfers happen, O a list receiving
item indexes when op order is recorded (`record_ops`), or (item index, start,
end) clock readings around every kernel call and transfer when times are
recorded (`record_times`, for `--trace-out`). Neither mode adds anything to
the default step. It returns the fetched values. When a kernel raises,
`locate_failure` maps the traceback line back to the node.
"""

from __future__ import annotations

import itertools
import keyword
import linecache
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable


from idrun.arrays import materialize
from idrun.devices.transfer import make_transfer
from idrun.dtypes import tf_name
from idrun.graph import Graph, Node, TensorRef
from idrun.ops import REGISTRY
from idrun.ops.opdef import KernelEnv
from idrun.ops.shapes import format_dims
from idrun.ops.state import VariableCell
from idrun.compile.partition import CLIENT, Partition, TransferSpec, partition
from idrun.schedule import declaration_order, random_order

_plan_count = itertools.count(1)


class PlanError(Exception):
    """A step cannot run at all (an unfed placeholder); the session reports it."""

    def __init__(self, node: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


@dataclass(frozen=True, slots=True)
class _Item:
    """One thing a step does: run a node, or perform a transfer."""

    key: tuple            # declaration-order tie-break
    node: str | None      # op items
    transfer: int | None  # transfer items: index into Partition.transfers


@dataclass
class Plan:
    transfers: list[TransferSpec]
    items: list[_Item]
    device_of: dict[str, str]
    step: Callable
    line_items: dict[int, int]
    source: str = field(repr=False, default="")  # the generated step function (`show --format plan`)
    filename: str = "<idrun-plan>"               # its name in tracebacks, pdb and linecache
    timed: bool = False                          # O receives (item, start, end), not item

    def item_node(self, index: int) -> str:
        item = self.items[index]
        if item.node is not None:
            return item.node
        return self.transfers[item.transfer].tensor.node

    def locate_failure(self, exc: BaseException) -> str | None:
        """The node whose kernel raised `exc`, from the generated code's line."""
        tb = exc.__traceback__
        node = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename and tb.tb_lineno in self.line_items:
                node = self.item_node(self.line_items[tb.tb_lineno])
            tb = tb.tb_next
        return node


@dataclass
class PlanRequest:
    graph: Graph
    device_of: dict[str, str]
    devices: dict[str, Any]           # name -> Device
    cells: dict[str, VariableCell]
    fetch: list[TensorRef]
    targets: list[str]
    fed: list[TensorRef]
    rng: random.Random | None = None  # None: declaration order
    record_ops: bool = False
    clock: Callable[[], float] = time.perf_counter
    states: dict = field(default_factory=dict)  # node -> kernel state kept by the session
    record_times: bool = False        # O receives (item, start, end) per op and transfer


def needed_nodes(graph: Graph, fetch: list[TensorRef], targets: list[str],
                 fed: set[TensorRef]) -> list[str]:
    """What one step runs (B1): everything fetches and targets need, in declaration order;
    a fed tensor's producer is not followed."""
    roots = [r.node for r in fetch if r not in fed] + list(targets)
    index = graph.index()
    return sorted(graph.closure(roots, frozenset(fed)), key=index.__getitem__)


@dataclass
class Step:
    """What one step runs (in declaration order) and what it moves between devices."""

    needed: list[str]
    partition: Partition


def partition_step(graph: Graph, device_of: dict[str, str], fetch: list[TensorRef],
                   targets: list[str], fed: list[TensorRef]) -> Step:
    """Prune to what the fetches and targets need (B1), then partition it (see `partition`)."""
    needed = needed_nodes(graph, fetch, targets, set(fed))
    return Step(needed, partition(graph, device_of, needed, fetch, set(fed)))


def compile_plan(req: PlanRequest, step: Step) -> Plan:
    """Order a partitioned step, bind its kernels and generate its step function."""
    graph = req.graph
    _check_placeholders(graph, step.needed)
    items = _items(graph, step.needed, step.partition, graph.index())
    order = _order(graph, items, step.partition, req.rng)
    return _Generator(req, step.partition, items, step.needed).build(order)


def _check_placeholders(graph: Graph, needed: list[str]) -> None:
    for name in needed:
        node = graph.nodes[name]
        if REGISTRY[node.op].source == "placeholder":
            t = node.outputs[0]
            raise PlanError(name, f"You must feed a value for placeholder tensor '{name}' with "
                                  f"dtype {tf_name(t.dtype)} and shape {format_dims(t.shape)} "
                                  f"(--feed {name}=VALUE, or run.feed in the spec)")


def _items(graph: Graph, needed: list[str], part: Partition, index: dict[str, int]) -> list[_Item]:
    # sources are bound, not run; a constant with control inputs stays an item so that
    # what it orders (an implicit constant carrying a block's edge, A3) stays ordered
    items = [_Item((index[n], 0, 0), n, None) for n in needed
             if REGISTRY[graph.nodes[n].op].kernel is not None or graph.nodes[n].control_inputs]
    for i, spec in enumerate(part.transfers):
        key = (-1, 0, i) if spec.kind == "feed" else (index[spec.tensor.node], 1, i)
        items.append(_Item(key, None, i))
    items.sort(key=lambda it: it.key)
    return items


def _order(graph: Graph, items: list[_Item], part: Partition, rng) -> list[int]:
    """A legal order of items through data, control and transfer edges."""
    position = {it.node: i for i, it in enumerate(items) if it.node is not None}
    xfer_pos = {it.transfer: i for i, it in enumerate(items) if it.transfer is not None}
    deps: list[list[int]] = []
    for it in items:
        if it.transfer is not None:
            spec = part.transfers[it.transfer]
            src = position.get(spec.tensor.node)
            deps.append([] if spec.kind == "feed" or src is None else [src])
            continue
        node = graph.nodes[it.node]
        mine = [xfer_pos[part.edge_transfer[(it.node, p)]] if (it.node, p) in part.edge_transfer
                else position.get(r.node) for p, r in enumerate(node.inputs)]
        mine += [xfer_pos[part.control_transfer[(it.node, c)]] if (it.node, c) in part.control_transfer
                 else position.get(c) for c in node.control_inputs]
        mine += [xfer_pos[i] for i in part.replica_controls.get(it.node, ())]
        deps.append([d for d in mine if d is not None])
    return random_order(deps, rng) if rng is not None else declaration_order(deps)


class _Generator:
    """Writes the step function's source and binds its free variables."""

    def __init__(self, req: PlanRequest, part: Partition, items: list[_Item], needed: list[str]):
        self.req, self.part, self.items, self.needed = req, part, items, needed
        self.fed = set(req.fed)
        self.bound: dict[str, Any] = {}
        self.tensor_var: dict[tuple, str] = {}   # (node, slot, device) -> variable name
        self.recv_var: dict[int, str] = {}       # transfer index -> variable it arrives in
        self.used: set[str] = {"F", "T", "O", "t", "u", "clk", "step"}
        self.lines: list[str] = []
        self.line_items: dict[int, int] = {}

    def build(self, order: list[int]) -> Plan:
        self._bind_sources()
        self.lines = self._header() + ["def step(F, T, O):"]
        self.lines += [f"    {v} = F[{i}]  # fed: {ref}" for i, (ref, v) in enumerate(self._fed_vars())]
        for i in order:
            self._emit(i)
        self.lines.append("    return (" + "".join(f"{v}, " for v in self._fetch_vars()) + ")")
        source = "\n".join(self.lines) + "\n"
        filename = f"<idrun-plan {next(_plan_count)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(self.bound)
        exec(compile(source, filename, "exec"), namespace)
        return Plan(self.part.transfers, self.items, self.req.device_of,
                    namespace["step"], self.line_items, source, filename, self.req.record_times)

    def _header(self) -> list[str]:
        req = self.req
        return [f"# one step: fetch {[str(r) for r in req.fetch]}, targets {req.targets}, "
                f"fed {[str(r) for r in req.fed]}",
                "# F: fed values; T: transfers as (index, seconds, value); O: op order when traced"
                + ("; timed: O gets (item, start, end)" if req.record_times else "")]

    def _ident(self, prefix: str, name: str) -> str:
        """A fresh Python name that reads as the node's (`v_x_plus_1`, `k_tower_z`)."""
        base = prefix + re.sub(r"\W", "_", name)
        ident, n = base, 1
        while ident in self.used or keyword.iskeyword(ident):
            n += 1
            ident = f"{base}_{n}"
        self.used.add(ident)
        return ident

    def _bind(self, prefix: str, name: str, value: Any) -> str:
        ident = self._ident(prefix, name)
        self.bound[ident] = value
        return ident

    def _bind_sources(self) -> None:
        """Constants (once per device that holds them) and variable cells."""
        self.bound["clk"] = self.req.clock
        for name in self.needed:
            node = self.req.graph.nodes[name]
            home = self.req.device_of[name]
            source = REGISTRY[node.op].source
            if source == "const" and TensorRef(name, 0) not in self.fed:
                for device in sorted({home} | self.part.replicated.get(name, set())):
                    value = self.req.devices[device].put(materialize(node))
                    label = name if device == home else f"{name}@{device}"
                    self.tensor_var[(name, 0, device)] = self._bind("c_", label, value)
            elif source == "variable":
                self.tensor_var[(name, 0, home)] = self._bind("var_", name, self.req.cells[name])

    def _fed_vars(self) -> list[tuple[TensorRef, str]]:
        out = []
        for ref in self.req.fed:
            var = self._ident("f_", str(ref))
            self.tensor_var[(ref.node, ref.index, CLIENT)] = var
            out.append((ref, var))
        return out

    def _local_var(self, ref: TensorRef, device: str) -> str:
        """The variable holding `ref` on `device` when no transfer brings it there: the fed
        value (at the client), a replica of a constant, or the producer's own output."""
        if ref in self.fed:
            return self.tensor_var[(ref.node, ref.index, CLIENT)]
        return self.tensor_var.get((ref.node, ref.index, device)) or self.tensor_var[
            (ref.node, ref.index, self.req.device_of[ref.node])]

    def _input_var(self, consumer: str, pos: int, ref: TensorRef) -> str:
        if (consumer, pos) in self.part.edge_transfer:
            return self.recv_var[self.part.edge_transfer[(consumer, pos)]]
        return self._local_var(ref, self.req.device_of[consumer])

    def _fetch_vars(self) -> list[str]:
        return [self.recv_var[self.part.fetch_transfer[ref]] if ref in self.part.fetch_transfer
                else self._local_var(ref, CLIENT) for ref in self.req.fetch]

    def _emit(self, i: int) -> None:
        item = self.items[i]
        self.line_items[len(self.lines) + 1] = i
        line = self._transfer_line(item.transfer) if item.transfer is not None else self._op_line(item.node)
        if self.req.record_times:
            line = _timed(line, i)
        self.lines.append(line)
        if self.req.record_ops and not self.req.record_times:
            self.lines.append(f"    O.append({i})")

    def _op_line(self, name: str) -> str:
        node = self.req.graph.nodes[name]
        where = _comment(f"{name} ({node.op}) on {self.req.device_of[name]}, {node.loc}")
        if REGISTRY[node.op].kernel is None:
            return f"    pass{where}: a constant, ordered by its control inputs"
        device = self.req.devices[self.req.device_of[name]]
        args = ", ".join(self._input_var(name, p, r) for p, r in enumerate(node.real_inputs))
        outs = [self._ident("v_", name if len(node.outputs) == 1 else f"{name}_{k}")
                for k in range(len(node.outputs))]
        for k, var in enumerate(outs):
            self.tensor_var[(name, k, device.name)] = var
        state = self.req.states.setdefault(name, {})
        kernel = self._bind("k_", name, bind_kernel(self.req.graph, node, device, state))
        call = f"{kernel}({args})"
        if not outs:
            return f"    {call}{where}"
        if REGISTRY[node.op].multi_output:
            return f"    {', '.join(outs)}, = {call}{where}"
        return f"    {outs[0]} = {call}{where}"

    def _transfer_line(self, index: int) -> str:
        spec = self.part.transfers[index]
        what = _comment(f"{spec.kind} {spec.tensor if spec.kind != 'control' else '^' + spec.tensor.node}: "
                        f"{spec.src} -> {spec.dst}")
        if spec.kind == "control":
            return f"    T.append(({index}, 0.0, None)){what}"
        src = self._transfer_source(spec)
        move = self._bind("send_", f"{index}_{spec.tensor.node}",
                          make_transfer(self.req.devices[spec.src], self.req.devices[spec.dst]))
        var = self.recv_var[index] = self._ident("recv_", f"{index}_{spec.tensor.node}")
        return f"    t = clk(); {var} = {move}({src}); T.append(({index}, clk() - t, {var})){what}"

    def _transfer_source(self, spec: TransferSpec) -> str:
        ref = spec.tensor
        if spec.kind == "feed":
            return self.tensor_var[(ref.node, ref.index, CLIENT)]
        return self.tensor_var[(ref.node, ref.index, spec.src)]


def _timed(line: str, item: int) -> str:
    """One emitted line with clock readings around its work: O gets (item, start, end).

    A transfer line already reads the clock (`t = clk(); ...; clk() - t`): its end reading is
    kept in `u` and shared with T's seconds, so both record the same interval."""
    code, sep, comment = line.partition("  # ")
    code, comment = code.strip(), sep + comment
    if code.startswith("t = clk(); "):
        work, _, record = code[len("t = clk(); "):].partition("; T.append(")
        record = record.replace("clk() - t", "u - t", 1)
        return f"    t = clk(); {work}; u = clk(); T.append({record}; O.append(({item}, t, u)){comment}"
    if code.startswith("pass"):
        code = "None"
    return f"    t = clk(); {code}; O.append(({item}, t, clk())){comment}"


def _comment(text: str) -> str:
    """A trailing comment: text from the spec, control characters made visible."""
    return "  # " + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def bind_kernel(graph: Graph, node: Node, device: Any, state: dict | None = None) -> Callable:
    """The node's kernel bound to the device's array module."""
    opdef = REGISTRY[node.op]
    in_types = tuple(graph.nodes[r.node].outputs[r.index] for r in node.real_inputs)
    env = KernelEnv(xp=device.xp, attrs=node.attrs, in_types=in_types,
                    in_names=tuple(str(r) for r in node.real_inputs), out_types=node.outputs,
                    node=node.name, variables=graph.variables, device=device,
                    state={} if state is None else state, ref_positions=node.ref_inputs)
    return opdef.kernel(env)
