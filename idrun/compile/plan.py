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

With numexpr (`idrun[fast]`) small elementwise runs are fused into one kernel
call per tree (`compile/fusion.py`), bit for bit the unfused results; untraced steps only.

Beside this module: `lower` turns the step's lines into statements (`del` after the
last use, `out=` buffers, trace lines); `chunks` splits a long step into functions
sharing one dict and compiles it one function at a time.
"""

from __future__ import annotations

import itertools
import keyword
import linecache
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

if TYPE_CHECKING:
    import random


from idrun.arrays import materialize
from idrun.devices.transfer import make_transfer
from idrun.dtypes import tf_name
from idrun.errors import SourceLoc
from idrun.graph import Graph, Node, TensorRef
from idrun.ops import REGISTRY
from idrun.ops.opdef import KernelEnv
from idrun.ops.shapes import format_dims
from idrun.ops.state import VariableCell
from idrun.compile.chunks import _compiled, write_chunks
from idrun.compile.fusion import fusable, fuse
from idrun.compile.lanes import Aborted, LaneSplit, lane_statements, run_lanes, split_lanes, wait
from idrun.compile.lower import _buffer_key, _Line, _lower, _Stmt
from idrun.compile.partition import CLIENT, Partition, TransferSpec, partition
from idrun.compile.regions import REGION_OP
from idrun.schedule import declaration_order, random_order

_plan_count = itertools.count(1)
# what `re.sub(r"\W", "_", name)` does to an ASCII name, as one str.translate
_NON_WORD = str.maketrans({chr(c): "_" for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


class PlanError(Exception):
    """A step cannot run at all (an unfed placeholder); the session reports it."""

    def __init__(self, node: str, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class _Item(NamedTuple):
    """One thing a step does: run a node, or perform a transfer (a tuple: one per node of
    a step, made cheaply)."""

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
    region_kernels: list = field(default_factory=list)   # conds' and loops' kernels (`full_source`)

    def full_source(self) -> str:
        """The step function, then each cond's branches and each loop's predicate and body
        (runtime/flow.py compiles them as plans of their own), nested ones after."""
        parts = [self.source]
        for label, plan in self.sub_plans():
            parts.append(f"\n# {label}\n" + plan.full_source())
        return "".join(parts)

    def sub_plans(self) -> list:
        return [pair for kernel in self.region_kernels for pair in kernel.sub_plans]

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
    late: frozenset = frozenset()     # nodes run only when nothing else is ready (check --schedules)
    # a region's branch or loop body (runtime/flow.py): values it reads from outside, passed
    # in F after the fed values, each on its producer's device; and how a region node's
    # kernel is made (it runs steps of its own)
    args: list[TensorRef] = field(default_factory=list)
    region_kernel: Callable | None = None
    lanes: str = "auto"               # devices side by side (compile/lanes.py): auto, on (when it can), off


def needed_nodes(graph: Graph, fetch: list[TensorRef], targets: list[str],
                 fed: set[TensorRef]) -> list[str]:
    """What one step runs (B1): everything fetches and targets need, in declaration order;
    a fed tensor's producer is not followed."""
    roots = [r.node for r in fetch if r not in fed] + list(targets)
    if fed:
        seen = graph.closure(roots, frozenset(fed))
    else:  # Graph.closure without a stop set: no TensorRef hashed per edge
        nodes = graph.nodes
        seen, stack = set(roots), list(dict.fromkeys(roots))
        add, push, pop = seen.add, stack.append, stack.pop
        while stack:   # each name pushed once, when first seen
            node = nodes[pop()]
            for r in node.inputs:
                if r.node not in seen:
                    add(r.node)
                    push(r.node)
            if node.control_inputs:
                for c in node.control_inputs:
                    if c not in seen:
                        add(c)
                        push(c)
    if len(seen) == len(graph.nodes):  # the whole graph
        return list(graph.nodes)
    if 4 * len(seen) >= len(graph.nodes):  # most of the graph: one scan, no sort
        return [name for name in graph.nodes if name in seen]
    index = graph.index()
    return sorted(seen, key=index.__getitem__)


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
    items, sources, forward = _items(graph, step.needed, step.partition)
    if forward and req.rng is None and not req.late:  # what declaration_order returns, without a heap
        order = range(len(items))
    else:
        order = _order(graph, items, step.partition, req.rng, req.late)
    return _Generator(req, step.partition, items, sources).build(list(order))


def _unfed_placeholder(node: Node) -> PlanError:
    t = node.outputs[0]
    return PlanError(node.name, f"You must feed a value for placeholder tensor '{node.name}' with "
                                f"dtype {tf_name(t.dtype)} and shape {format_dims(t.shape)} "
                                f"(--feed {node.name}=VALUE, or run.feed in the spec)")


def _items(graph: Graph, needed: list[str], part: Partition) -> tuple[list[_Item], list[str], bool]:
    """What the step runs, in one pass over it: its items (ops, and transfers in their
    places), its sources (constants and variables, bound once), and whether (without
    transfers) every item comes after the items it reads and waits for, the common case
    (then declaration order is that order); an unfed placeholder raises PlanError."""
    # sources are bound, not run; a constant with control inputs stays an item so that
    # what it orders (an implicit constant carrying a block's edge, A3) stays ordered.
    # Sort keys are positions in `needed` (declaration order): a transfer's source is needed.
    nodes, registry, new = graph.nodes, REGISTRY, tuple.__new__
    items, sources = [], []
    # forwardness: an input's producer is either seen already (needed before it) or no
    # item at all; a needed producer declared later may be an item, so it is decided after
    seen: set[str] = set()
    later: list[tuple[int, str]] = []  # (item index, a producer not seen when it came)
    for name in needed:
        node = nodes[name]
        opdef = registry[node.op]
        if opdef.kernel is not None or node.control_inputs:
            for r in node.inputs:
                if r.node not in seen:
                    later.append((len(items), r.node))
            if node.control_inputs:
                for c in node.control_inputs:
                    if c not in seen:
                        later.append((len(items), c))
            items.append(new(_Item, (name, None)))
        seen.add(name)
        if opdef.source:
            if opdef.source == "placeholder":
                raise _unfed_placeholder(node)
            if opdef.source in ("const", "variable"):
                sources.append(name)
    if not part.transfers:
        forward = True
        if later:
            position = {it.node: i for i, it in enumerate(items)}
            get = position.get
            forward = all(get(producer, -1) < i for i, producer in later)
        return items, sources, forward
    # transfers in declaration order too: feeds first, the others after their source
    position = {n: k for k, n in enumerate(needed)}
    keyed = [((position[it.node], 0, 0), it) for it in items]
    for i, spec in enumerate(part.transfers):
        source = position.get(spec.tensor.node)   # None: a region's argument, there from the start
        key = (-1, 0, i) if spec.kind == "feed" or source is None else (source, 1, i)
        keyed.append((key, new(_Item, (None, i))))
    keyed.sort(key=lambda pair: pair[0])
    return [it for _, it in keyed], sources, False


def _order(graph: Graph, items: list[_Item], part: Partition, rng, late: frozenset = frozenset()) -> list[int]:
    """A legal order of items through data, control and transfer edges."""
    position = {it.node: i for i, it in enumerate(items) if it.node is not None}
    deps = _deps(graph, items, part, position) if part.transfers else _op_deps(graph, items, position)
    if rng is None and not late and all(not mine or max(mine) < i for i, mine in enumerate(deps)):
        return list(range(len(items)))
    if rng is not None:
        return random_order(deps, rng)
    return declaration_order(deps, frozenset(position[n] for n in late if n in position))


def _op_deps(graph: Graph, items: list[_Item], position: dict[str, int]) -> list[list[int]]:
    """Per item the items it waits for, in a step without transfers: producers only."""
    nodes, get = graph.nodes, position.get
    deps: list[list[int]] = []
    for it in items:
        node = nodes[it.node]
        mine = [get(r.node) for r in node.inputs]
        if node.control_inputs:
            mine += [get(c) for c in node.control_inputs]
        deps.append([d for d in mine if d is not None] if None in mine else mine)
    return deps


def _deps(graph: Graph, items: list[_Item], part: Partition, position: dict[str, int]) -> list[list[int]]:
    """Per item the items it waits for: producers, and transfers where values cross."""
    xfer_pos = {it.transfer: i for i, it in enumerate(items) if it.transfer is not None}
    nodes = graph.nodes
    edge_transfer, control_transfer = part.edge_transfer, part.control_transfer
    deps: list[list[int]] = []
    for it in items:
        if it.transfer is not None:
            spec = part.transfers[it.transfer]
            src = position.get(spec.tensor.node)
            deps.append([] if spec.kind == "feed" or src is None else [src])
            continue
        node = nodes[it.node]
        mine = [xfer_pos[edge_transfer[(it.node, p)]] if (it.node, p) in edge_transfer
                else position.get(r.node) for p, r in enumerate(node.inputs)]
        mine += [xfer_pos[control_transfer[(it.node, c)]] if (it.node, c) in control_transfer
                 else position.get(c) for c in node.control_inputs]
        mine += [xfer_pos[i] for i in part.replica_controls.get(it.node, ())]
        deps.append([d for d in mine if d is not None])
    return deps


class _Generator:
    """Writes the step function's source and binds its free variables."""

    def __init__(self, req: PlanRequest, part: Partition, items: list[_Item], sources: list[str]):
        self.req, self.part, self.items, self.sources = req, part, items, sources
        self.fed = set(req.fed)
        self.nodes = req.graph.nodes
        self.device_of, self.devices = req.device_of, req.devices
        self.local = not self.fed and not part.edge_transfer  # see `_op_line`
        self.bound: dict[str, Any] = {}
        self.tensor_var: dict[tuple, str] = {}   # (node, slot, device) -> variable name
        self.recv_var: dict[int, str] = {}       # transfer index -> variable it arrives in
        self.used: set[str] = {"F", "T", "O", "S", "t", "u", "clk", "step"}
        self.lines: list[str] = []
        self.line_items: dict[int, int] = {}
        self._elementwise_meta: dict[tuple, tuple] = {}     # (op, dtype, shape, device) -> (buffer, fusable, Device)
        self._elementwise_kernels: dict[tuple, Callable] = {}  # see `_kernel`

    def build(self, order: list[int]) -> Plan:
        self._bind_sources()
        self._fed_bound = self._fed_vars()
        fed = [f"    {v} = F[{i}]  # fed: {ref}" for i, (ref, v) in enumerate(self._fed_bound)]
        fed += self._arg_lines(len(fed))
        self.records: list[_Line] = []
        items, records = self.items, self.records
        for i in order:
            item = items[i]
            records.append(self._op_line(i, item.node) if item.transfer is None
                           else self._transfer_line(i, item.transfer))
        fetched = self._fetched = self._fetch_vars()
        lanes = self._lanes(order)
        if lanes is None and not (self.req.record_ops or self.req.record_times):  # traced: every node its own line
            self.records = fuse(self.records, set(fetched), self._bind, self._where)
        for line in self.records:
            if line.pending is not None:
                self._render(line)
        self.lines = self._header()
        if lanes is not None:
            self._write_lanes(fed, lanes, order)
        else:
            body = _lower(self.records, set(fetched), self.req.record_ops, self.req.record_times)
            ret = "    return (" + "".join(f"{v}, " for v in fetched) + ")"
            self._write_body(fed, body, ret)
        source = "\n".join(self.lines) + "\n"
        filename = f"<idrun-plan {next(_plan_count)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(self.bound)
        for code in _compiled(self.lines, source, filename):
            exec(code, namespace)
        regions = [v for v in self.bound.values() if hasattr(v, "sub_plans")]
        return Plan(self.part.transfers, self.items, self.req.device_of,
                    namespace["step"], self.line_items, source, filename, self.req.record_times, regions)

    def _lanes(self, order: list[int]) -> LaneSplit | None:
        """The step's lanes (`compile/lanes.py`) when its devices' work is worth threads: a step
        in its one order whose op order is not shown (`--trace`; `--trace-out`'s clock readings
        are kept, in the step's order), not a region's, short enough for one function a lane."""
        req = self.req
        if req.lanes == "off" or req.record_ops or req.rng is not None or req.late \
                or req.args or len(self.records) > CHUNK_LINES:
            return None
        graph, items, part = req.graph, self.items, self.part

        def deps() -> list[list[int]]:
            position = {it.node: i for i, it in enumerate(items) if it.node is not None}
            return _deps(graph, items, part, position) if part.transfers else _op_deps(graph, items, position)
        return split_lanes(graph, items, order, part, self.device_of, self.devices, deps, req.lanes == "on")

    def _write_lanes(self, fed: list[str], split: LaneSplit, order: list[int]) -> None:
        """One function per lane, each running its items in the step's order, waiting where
        it reads another lane's work; `step` runs them (`lanes.run_lanes`). A value one lane
        binds and another reads, or the step returns, lives in the step's dict `S`."""
        per_lane: list[list[_Line]] = [[] for _ in split.names]
        for line in self.records:
            per_lane[split.lane_of[line.item]].append(line)
        defined = {v: k for k, lines in enumerate(per_lane) for line in lines for v in line.defs}
        shared = {v for v in self._fetched if v in defined}
        shared.update(v for k, lines in enumerate(per_lane) for line in lines for v in line.uses
                      if defined.get(v, k) != k)
        signals, waits = set(split.signals), split.waits
        position = {item: k for k, item in enumerate(order)}
        host = split.names.index("host") if "host" in split.names else 0
        lanes = [k for k, lines in enumerate(per_lane) if lines]
        lanes.sort(key=lambda k: k != host)     # this thread runs the host's lane
        for k in lanes:
            self.lines.append(f"def lane_{k}(F, T, O, S, E, X):  # {split.names[k]}")
            self.lines += fed
            body = _lower(per_lane[k], shared | set(self._fetched), False, self.req.record_times)
            self._write_lines(lane_statements(body, shared, waits, signals, position) or [_Stmt("    pass")])
        self.bound.update(run_lanes=run_lanes, wait=wait, Aborted=Aborted, POS=position,
                          TPOS={it.transfer: position[i] for i, it in enumerate(self.items) if it.transfer is not None},
                          SIGNALS={j: position[j] for j in sorted(signals)},
                          failed_at=_failure_position(self.line_items, position))
        main, others = lanes[0], "".join(f"lane_{k}, " for k in lanes[1:])
        self.lines.append("def step(F, T, O):")
        self.lines.append("    S = {}  # the values one lane binds and another reads or the step returns")
        self.lines.append(f"    run_lanes(lane_{main}, ({others}), SIGNALS, failed_at, F, T, O, S)")
        self.lines.append("    T.sort(key=lambda e: TPOS[e[0]])  # the transfers in the step's order")
        if self.req.record_times:
            self.lines.append("    O.sort(key=lambda e: POS[e[0]])  # (item, start, end) in the step's order")
        self.lines += fed
        ret = "".join(f"S[{v!r}], " if v in shared else f"{v}, " for v in self._fetched)
        self.lines.append(f"    return ({ret})")

    def _write_body(self, fed: list[str], body: list, ret: str) -> None:
        """One flat function; past CHUNK_LINES lines, a chain of functions sharing the step's
        dict `S` (a 100,000-line function is slow to compile; see `chunks.write_chunks`)."""
        chunks: list[list[_Stmt]] = [[]]
        for stmt in body:  # a chunk starts at an item, never at the `del` or trace line after one
            if len(chunks[-1]) >= CHUNK_LINES and stmt.item is not None:
                chunks.append([])
            chunks[-1].append(stmt)
        if len(chunks) == 1:
            self.lines.append("def step(F, T, O):")
            self.lines += fed
            self._write_lines(chunks[0])
            self.lines.append(ret)
            return
        write_chunks(self.lines, chunks, fed, [v for _, v in self._fed_bound], ret, self._fetched,
                     self.bound, self._write_lines)

    def _write_lines(self, stmts: list) -> None:
        for stmt in stmts:
            if stmt.item is not None:
                self.line_items[len(self.lines) + 1] = stmt.item
            self.lines.append(stmt.text)

    def _header(self) -> list[str]:
        req = self.req
        return [f"# one step: fetch {[str(r) for r in req.fetch]}, targets {req.targets}, "
                f"fed {[str(r) for r in req.fed]}",
                "# F: fed values; T: transfers as (index, seconds, value); O: op order when traced"
                + ("; timed: O gets (item, start, end)" if req.record_times else "")]

    def _ident(self, prefix: str, name: str) -> str:
        """A fresh Python name that reads as the node's (`v_x_plus_1`, `k_tower_z`)."""
        base = prefix + (name if name.isascii() and name.isidentifier() else _word(name))
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
        for name in self.sources:
            node = self.req.graph.nodes[name]
            home = self.req.device_of[name]
            source = REGISTRY[node.op].source
            if source == "const" and not (self.fed and TensorRef(name, 0) in self.fed):
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

    def _arg_lines(self, start: int) -> list[str]:
        """A region's values from outside, on their producers' devices (see PlanRequest.args)."""
        lines = []
        for i, ref in enumerate(self.req.args):
            var = self._ident("a_", str(ref))
            self.tensor_var[(ref.node, ref.index, self.req.device_of[ref.node])] = var
            self._fed_bound.append((ref, var))
            lines.append(f"    {var} = F[{start + i}]  # from outside the region: {ref}")
        return lines

    def _local_var(self, ref: TensorRef, device: str) -> str:
        """The variable holding `ref` on `device` when no transfer brings it there: the fed
        value (at the client), a replica of a constant, or the producer's own output."""
        if ref in self.fed:
            return self.tensor_var[(ref.node, ref.index, CLIENT)]
        return self.tensor_var.get((ref.node, ref.index, device)) or self.tensor_var[
            (ref.node, ref.index, self.req.device_of[ref.node])]

    def _fetch_vars(self) -> list[str]:
        return [self.recv_var[self.part.fetch_transfer[ref]] if ref in self.part.fetch_transfer
                else self._local_var(ref, CLIENT) for ref in self.req.fetch]

    def _op_line(self, i: int, name: str) -> "_Line":
        # the hot path of a big plan: one call per node, with the lookups inlined
        node = self.nodes[name]
        device_name = self.device_of[name]
        opdef = REGISTRY[node.op]
        if opdef.kernel is None:
            return _Line(i, f"pass{self._where(node)}: a constant, ordered by its control inputs")
        tensor_var = self.tensor_var
        if self.local:  # nothing fed, nothing moved: each input is its producer's variable here
            get = tensor_var.get
            args = []
            for r in (node.inputs if not node.helper_inputs else node.real_inputs):
                var = get((r.node, r.index, device_name))
                args.append(var if var is not None else self._home_var(r))
        else:
            args = self._args(node, device_name)
        outputs = node.outputs
        if len(outputs) == 1:
            var = "v_" + (name if name.isascii() and name.isidentifier() else _word(name))
            used = self.used
            if var in used:
                var = self._ident("v_", name)
            else:
                used.add(var)
            outs = [var]
            tensor_var[(name, 0, device_name)] = var
        else:
            outs = [self._ident("v_", f"{name}_{k}") for k in range(len(outputs))]
            for k, var in enumerate(outs):
                tensor_var[(name, k, device_name)] = var
        if outs and opdef.elementwise and not opdef.multi_output:
            out = outputs[0]
            key = (node.op, out.dtype, out.shape, device_name)
            meta = self._elementwise_meta.get(key)
            if meta is None:
                device = self.devices[device_name]
                meta = self._elementwise_meta[key] = (_buffer_key(opdef, out, device),
                                                      fusable(node, opdef, device), device)
            # text, comment and kernel come later (`_render`), for the lines fusion keeps
            return _Line(i, "", args, outs, "", meta[0], True, False, meta[1], (node, opdef, meta[2]))
        if node.op == REGION_OP:   # runs steps of its own: it records into T and O too
            kernel = self._bind("k_", name, self.req.region_kernel(node, self.req))
            args = ["T", "O"] + args
        else:
            kernel = self._bind("k_", name, self._kernel(node, opdef, self.req.devices[device_name]))
        call = f"{kernel}({', '.join(args)}"
        if not outs:
            return _Line(i, f"{call}){self._where(node)}", args)
        if opdef.multi_output:
            return _Line(i, f"{', '.join(outs)}, = {call}){self._where(node)}", args, outs)
        return _Line(i, f"{outs[0]} = {call}", args, outs, self._where(node))

    def _args(self, node: Node, device_name: str) -> list[str]:
        """The variables a node's kernel reads: what a transfer brought, a fed value, or its
        producer's output on this device."""
        tensor_var, edge_transfer, fed, name = self.tensor_var, self.part.edge_transfer, self.fed, node.name
        args = []
        for p, r in enumerate(node.real_inputs):
            if edge_transfer and (name, p) in edge_transfer:
                args.append(self.recv_var[edge_transfer[(name, p)]])
            elif fed and r in fed:
                args.append(tensor_var[(r.node, r.index, CLIENT)])
            else:
                args.append(tensor_var.get((r.node, r.index, device_name)) or self._home_var(r))
        return args

    def _home_var(self, ref: TensorRef) -> str:
        return self.tensor_var[(ref.node, ref.index, self.req.device_of[ref.node])]

    def _where(self, node: Node) -> str:
        """The trailing comment of a node's line: name, op, device, spec location."""
        loc = node.loc
        if type(loc) is SourceLoc:   # its __str__, without the call
            return _comment(f"{node.name} ({node.op}) on {self.device_of[node.name]}, "
                            f"{loc.file}:{loc.line}:{loc.col}")
        return _comment(f"{node.name} ({node.op}) on {self.device_of[node.name]}, {loc}")

    def _render(self, line: "_Line") -> None:
        """An elementwise line's text, comment and kernel, once fusion has kept it."""
        node, opdef, device = line.pending
        name = node.name
        kernel = "k_" + name   # `_bind`, inline for a name that is an identifier and free
        if name.isascii() and name.isidentifier() and kernel not in self.used:
            self.used.add(kernel)
            self.bound[kernel] = self._kernel(node, opdef, device)
        else:
            kernel = self._bind("k_", name, self._kernel(node, opdef, device))
        line.text = f"{line.defs[0]} = {kernel}({', '.join(line.uses)}"
        line.where = self._where(node)
        line.pending = None

    def _kernel(self, node: Node, opdef, device) -> Callable:
        """`bind_kernel`, once per (op, input and output types, device) for elementwise ops:
        their kernels are the array module's ufuncs, functions of those alone (no state,
        no node name, no attributes)."""
        if not opdef.elementwise or node.attrs:
            return bind_kernel(self.req.graph, node, device, self.req.states.setdefault(node.name, {}))
        nodes = self.nodes
        ins, outs = node.inputs if not node.helper_inputs else node.real_inputs, node.outputs
        if len(outs) == 1 and len(ins) <= 2:  # the common shapes of the key, as one tuple
            o = outs[0]
            a = nodes[ins[0].node].outputs[ins[0].index] if ins else None
            if len(ins) == 2:
                b = nodes[ins[1].node].outputs[ins[1].index]
                key = (node.op, device.name, 2, a.dtype, a.shape, b.dtype, b.shape, o.dtype, o.shape)
            elif ins:
                key = (node.op, device.name, 1, a.dtype, a.shape, o.dtype, o.shape)
            else:
                key = (node.op, device.name, 0, o.dtype, o.shape)
        else:
            key = [node.op, device.name, len(ins)]
            for r in ins:
                t = nodes[r.node].outputs[r.index]
                key += (t.dtype, t.shape)
            for t in outs:
                key += (t.dtype, t.shape)
            key = tuple(key)
        kernel = self._elementwise_kernels.get(key)
        if kernel is None:
            kernel = self._elementwise_kernels[key] = bind_kernel(self.req.graph, node, device, {})
        return kernel

    def _transfer_line(self, i: int, index: int) -> "_Line":
        spec = self.part.transfers[index]
        what = _comment(f"{spec.kind} {spec.tensor if spec.kind != 'control' else '^' + spec.tensor.node}: "
                        f"{spec.src} -> {spec.dst}")
        if spec.kind == "control":
            return _Line(i, f"T.append(({index}, 0.0, None)){what}")
        src = self._transfer_source(spec)
        move = self._bind("send_", f"{index}_{spec.tensor.node}",
                          make_transfer(self.req.devices[spec.src], self.req.devices[spec.dst]))
        var = self.recv_var[index] = self._ident("recv_", f"{index}_{spec.tensor.node}")
        return _Line(i, f"t = clk(); {var} = {move}({src}); T.append(({index}, clk() - t, {var})){what}",
                     [src], [var], transfer=True)

    def _transfer_source(self, spec: TransferSpec) -> str:
        ref = spec.tensor
        if spec.kind == "feed":
            return self.tensor_var[(ref.node, ref.index, CLIENT)]
        return self.tensor_var[(ref.node, ref.index, spec.src)]


def _failure_position(line_items: dict[int, int], position: dict[int, int]) -> Callable:
    """A lane's failure -> the step-order position of the item whose line raised it (-1 when
    no lane line did: an error of idrun's own, which comes first). `line_items` is filled as
    the plan's lines are written."""
    def failed_at(exc: BaseException) -> int:
        at, tb = -1, exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_name.startswith("lane_") and code.co_filename.startswith("<idrun-plan"):
                item = line_items.get(tb.tb_lineno)
                if item is not None:
                    at = position[item]
            tb = tb.tb_next
        return at
    return failed_at


def _word(name: str) -> str:
    """`name` with every non-word character made `_` (an ASCII identifier is as it is)."""
    return name.translate(_NON_WORD) if name.isascii() else re.sub(r"\W", "_", name)


def _comment(text: str) -> str:
    """A trailing comment: text from the spec, control characters made visible."""
    if text.isprintable():
        return "  # " + text
    return "  # " + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


CHUNK_LINES = 2000        # body lines per generated function (see `_write_body`)


def bind_kernel(graph: Graph, node: Node, device: Any, state: dict | None = None) -> Callable:
    """The node's kernel bound to the device's array module."""
    opdef = REGISTRY[node.op]
    in_types = tuple(graph.nodes[r.node].outputs[r.index] for r in node.real_inputs)
    env = KernelEnv(xp=device.xp, attrs=node.attrs, in_types=in_types,
                    in_names=tuple(str(r) for r in node.real_inputs), out_types=node.outputs,
                    node=node.name, variables=graph.kind_of(node.name), device=device,
                    state={} if state is None else state, ref_positions=node.ref_inputs)
    return opdef.kernel(env)
