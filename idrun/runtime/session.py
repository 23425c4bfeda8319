"""Session: variables, devices, a plan cache, and the step loop.

Policy: variables are initialized once, before the first step, on their
devices (C7). Each step runs one compiled plan (see `plan`); with the
default schedule the plan is compiled once per (fetch, targets, feeds)
signature and reused, with `random` a fresh legal order is drawn per step
from one seeded generator. State (variable cells) persists across steps.

The session never prints. It calls observers: `on_step_end(StepResult)`
after each step and `on_finish(RunResult)` in a `finally`, so steps already
finished are reported even when a later one fails. A failure inside a step
becomes a StepError naming the step, the node and its spec location.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Protocol

import numpy

from idrun.devices import make_device
from idrun.devices.names import parse_device
from idrun.errors import InternalError, SpecError, StepError
from idrun.graph import Graph, TensorRef
from idrun.ops.opdef import KernelError
from idrun.ops.state import VariableCell
from idrun.compile.placement import Placement
from idrun.arrays import materialize
from idrun.compile.plan import Plan, PlanError, PlanRequest, Step, compile_plan, partition_step
from idrun.compile.regions import RaiseError, has_control_flow, raise_regions
from idrun.ops import REGISTRY
from idrun.spec.request import RunRequest
from idrun.spec.yamlsrc import paused_gc
from idrun.result import RunResult, StepResult, StepTiming, TransferRecord, control_flow_summary

if TYPE_CHECKING:
    import random


# What a graph can do wrong when it runs (TF raises these as in-graph errors): TF-style
# kernel errors, numpy's shape and index errors, arithmetic, an impossible allocation.
# Anything else out of a kernel is a bug in idrun (exit 3, not the user's exit 1).
FLOW_RECORDS = ("branch", "iterations")   # what a region adds to O besides its ops
IN_GRAPH_FAILURES = (KernelError, ValueError, IndexError, ArithmeticError, MemoryError)


class Observer(Protocol):
    def on_start(self, result: RunResult) -> None: ...
    def on_step_end(self, result: StepResult) -> None: ...
    def on_finish(self, result: RunResult) -> None: ...


class Session:
    """Runs a placed graph for N steps."""

    def __init__(self, graph: Graph, placement: Placement, name: str = "",
                 clock: Callable[[], float] = time.perf_counter,
                 queue_runners: list[str] | None = None) -> None:
        self.graph = graph
        self.placement = placement
        self.name = name
        self.clock = clock
        self.devices = {d: _make_device(d) for d in placement.devices}
        self.cells = {n: VariableCell(n) for n, node in graph.nodes.items()
                      if REGISTRY[node.op].source == "variable"}
        # control flow: steps run on the graph with each cond and loop raised to a region
        self.run_graph, self.device_of, self.raised = graph, placement.device, None
        if has_control_flow(graph):
            try:
                self.raised = raise_regions(graph, placement.device)
            except RaiseError as exc:
                raise SpecError(exc.message, graph.nodes[exc.node].loc) from None
            self.run_graph, self.device_of = self.raised.graph, self.raised.device_of
        self._plans: dict[tuple, Plan] = {}
        self.lanes = "auto"   # devices side by side (compile/lanes.py): auto, on, off
        self._steps: dict[tuple, Step] = {}  # partitioned steps, per (fetch, targets, fed)
        self._has_opaque: bool | None = None   # any tf_opaque node (check_runnable), found once
        self.states: dict[str, dict] = {}  # per-node kernel state (RNG streams, queues)
        # queues live here; a dequeue that needs more runs its queue's runner as steps of
        # this session (`run_targets`); queue_runners: the QUEUE_RUNNERS collection's queues
        from idrun.ops import queues
        self.queues = queues.attach(graph, self.states, self.run_targets, queue_runners)

    def initialize(self, targets: tuple[str, ...] = ()) -> None:
        """Every variable to its initial value, on its device (global_variables_initializer):
        a variable's `value`, then one run of `targets` (run.init's ops: an imported graph's
        initializer subgraphs, as `sess.run(init)`), whose failure is step 0's."""
        for name, cell in self.cells.items():
            node = self.graph.nodes[name]
            if node.attrs.get("value") is not None:
                device = self.devices[self.placement.device[name]]
                cell.value = device.put(materialize(node).copy())
        if targets:
            plan = self._step_plan(RunRequest([], [], list(targets)), 0, None)
            with numpy.errstate(all="ignore"):
                self._run_step(plan, [], (), 0)

    def run_targets(self, targets: list[str]) -> None:
        """One step of `targets` inside the current step (a queue runner's enqueue op, run by
        the dequeue that needs it): its errors are the caller's."""
        plan = self.plan(RunRequest([], [], list(targets)))
        plan.step((), [], [])

    def check_runnable(self, req: RunRequest) -> None:
        """A SpecError naming every node the run needs that idrun cannot run (an imported
        graph's tf_opaque nodes), before anything runs: the step's, run.init's, what its
        queues' runners run, and those that the initializer (`<var>/Assign`, as TF names it)
        of a variable the step uses and nothing else initializes needs (`idrun import`
        leaves it out of run.init). A graph with no such node skips all of it (once known)."""
        if self._has_opaque is None:
            self._has_opaque = any(node.op == "tf_opaque" for node in self.graph.nodes.values())
        if not self._has_opaque:
            return
        step = self.partitioned(req.fetch, req.targets, list(req.feeds)).needed
        init = self.partitioned([], list(req.init_targets), []).needed if req.init and req.init_targets else []
        needed = list(step) + list(init)
        if self.queues is not None:  # what the queue runners of the step's queues run
            from idrun.ops.queues import runner_closure
            needed += runner_closure(self.queues, needed, lambda ops: self.partitioned([], ops, []).needed)
        if req.init:
            started = set(init)
            for name in list(needed):
                node = self.run_graph.nodes[name]
                if name in self.cells and node.attrs.get("value") is None and name not in started \
                        and f"{name}/Assign" in self.graph.nodes:
                    needed += self.partitioned([], [f"{name}/Assign"], []).needed
        if self.raised is not None:   # a region runs its members
            needed += self._region_members(needed)
        nodes = self.run_graph.nodes
        opaque = [nodes[n] for n in dict.fromkeys(needed) if nodes[n].op == "tf_opaque"]
        if opaque:
            from idrun.ops.opaque import opaque_error_text
            count = f"{len(opaque)} node{'s' * (len(opaque) != 1)}"
            raise SpecError(f"the run needs {count} that idrun cannot run (kept from the GraphDef as "
                            f"tf_opaque): {opaque_error_text(opaque)}; fetch and target only what idrun "
                            "runs, or feed those nodes' outputs", opaque[0].loc)

    def plan(self, req: RunRequest, rng: random.Random | None = None) -> Plan:
        """The compiled step for `req`: cached per signature, or a fresh random order."""
        key = (tuple(req.fetch), tuple(req.targets), tuple(req.feeds), req.record_ops,
               req.record_times, req.late)
        if rng is None and key in self._plans:
            return self._plans[key]
        fetch, targets = self._raised_names(req.fetch, req.targets)
        with paused_gc():
            step = self.partitioned(req.fetch, req.targets, list(req.feeds))
            if self.raised is not None:
                self._check_outside_regions(step)
            plan = compile_plan(PlanRequest(
                self.run_graph, self.device_of, self.devices, self.cells, fetch, targets,
                list(req.feeds), rng, req.record_ops, self.clock, self.states, req.record_times,
                req.late, region_kernel=self._region_kernel, lanes=self.lanes), step)
        if rng is None:
            self._plans[key] = plan
        return plan

    def partitioned(self, fetch: list[TensorRef], targets: list[str], fed: list[TensorRef]) -> Step:
        """What a step runs and moves (`partition_step`), once per (fetch, targets, fed): it
        depends on nothing else (the placement is the session's), whatever the schedule."""
        key = (tuple(fetch), tuple(targets), tuple(fed))
        step = self._steps.get(key)
        if step is None:
            fetch, targets = self._raised_names(fetch, targets)
            step = self._steps[key] = partition_step(self.run_graph, self.device_of, fetch, targets, fed)
        return step

    def _raised_names(self, fetch: list[TensorRef], targets: list[str]) -> tuple[list, list]:
        """A fetch of a cond's merge or a loop's exit is its region's output; a target in a
        region runs its region."""
        if self.raised is None:
            return fetch, targets
        return ([self.raised.fetch_ref(r) for r in fetch],
                list(dict.fromkeys(self.raised.target(t) for t in targets)))

    def _region_members(self, needed: list[str]) -> list[str]:
        """Every node of the regions among `needed` (nested ones too)."""
        from idrun.compile.regions import inside
        regions = [self.raised.regions[n] for n in needed if n in self.raised.regions]
        if not regions:
            return []
        return [n for n, ctx in self.raised.context.items()
                if n in self.run_graph.nodes and any(inside(ctx, r) for r in regions)]

    def _check_outside_regions(self, step: Step) -> None:
        """A step itself runs no node of a branch or loop (its region does): one that it
        needs reads a value that is dead when the branch is not taken (TF: 'Retval does not
        have value' on those steps); idrun refuses it on every step, naming it."""
        for name in step.needed:
            ctx = self.raised.context.get(name)
            if ctx or name in self.raised.problems:
                where = self.raised.problems.get(name) or (
                    f"it is inside {'a loop' if ctx[-1][0] == 'loop' else 'one branch of a cond'} "
                    "and read from outside it (a value that is dead when the branch is not taken); "
                    "read it through the cond's merge or the loop's exit")
                raise PlanError(name, f"'{name}' cannot run here: {where}")

    def _region_kernel(self, node, req: PlanRequest):
        from idrun.runtime.flow import region_kernel_maker
        return region_kernel_maker(self.raised)(node, req)

    def adopt_step(self, fetch: list[TensorRef], targets: list[str], fed: list[TensorRef],
                   step: Step) -> None:
        """A step already partitioned for this graph and placement (the pipeline's)."""
        if self.raised is not None:   # partitioned on the graph as written, not the raised one
            return
        self._steps[(tuple(fetch), tuple(targets), tuple(fed))] = step

    def run(self, req: RunRequest, observers: tuple[Observer, ...] = (), keep_steps: bool = True,
            stop: Callable[[], StepError | None] | None = None) -> RunResult:
        """Run `req.steps` steps; failures end the run with `result.error` set.

        Without `keep_steps` the result holds no steps (observers see each one as it ends:
        memory stays flat however many steps run). `stop`, asked after each step, may end
        the run early with an error of its own (an interrupt)."""
        result = RunResult(self.name, self.graph.variables, req.fetch_names,
                           dict(self.placement.device), devices=self.device_kinds())
        rng = None
        if req.schedule == "random":
            import random   # --schedule random only: not at start-up
            rng = random.Random(req.seed)
        feeds = tuple(req.feeds.values())
        plan = None
        for obs in observers:
            _call(obs, "on_start", result)
        self.check_runnable(req)
        try:
            if req.init:
                self.initialize(tuple(req.init_targets))
            with numpy.errstate(all="ignore"):
                for step in range(1, req.steps + 1):
                    if plan is None or rng is not None:  # one plan, or a new order per step
                        plan = self._step_plan(req, step, rng)
                    done = self._run_step(plan, req.fetch_names, feeds, step)
                    if keep_steps:
                        result.steps.append(done)
                    for obs in observers:
                        obs.on_step_end(done)
                    if stop is not None and (interrupt := stop()) is not None:
                        raise interrupt
        except StepError as err:
            result.error = err
        finally:
            for obs in observers:
                _call(obs, "on_finish", result)
        return result

    def device_kinds(self) -> dict[str, str]:
        return {name: ("simulated" if d.simulated else d.xp.__name__) for name, d in self.devices.items()}

    def _step_plan(self, req: RunRequest, step: int, rng: random.Random | None) -> Plan:
        try:
            return self.plan(req, rng)
        except PlanError as exc:  # a step that cannot run at all (an unfed placeholder)
            raise self._step_error(step, exc.node, exc.message) from None
        except ValueError as exc:  # a raised cond or loop that reads its own result
            if self.raised is None or self.raised.cycle is None or "dependency cycle" not in str(exc):
                raise
            node, message = self.raised.cycle
            raise SpecError(message, self._loc(node)) from None

    def _run_step(self, plan: Plan, fetch_names: list[str], feeds: tuple, step: int) -> StepResult:
        transfers: list = []
        ops: list = []
        try:
            if plan.timed:
                start = self.clock()
                values = plan.step(feeds, transfers, ops)
                end = self.clock()
            else:
                values = plan.step(feeds, transfers, ops)
        except StepError:  # an interrupt raised inside the step
            raise
        except IN_GRAPH_FAILURES as exc:
            node = plan.locate_failure(exc) or "?"
            raise self._step_error(step, node, _message(exc)) from None
        except Exception as exc:  # noqa: BLE001 - idrun's own bug: kept, with its traceback
            node = plan.locate_failure(exc) or "?"
            raise InternalError(exc, step, node, self._loc(node)) from exc
        for value in values:   # a fetched ref variable that nothing initialized: TF's error, not None
            if isinstance(value, VariableCell) and value.value is None:
                raise self._step_error(step, value.name, f"Attempting to use uninitialized value {value.name}")
        records = self._records(plan, transfers)
        flow = []
        if self.raised is not None:   # what the conds and loops did (runtime/flow.py), apart from the ops
            flow = control_flow_summary([e for e in ops if type(e) is tuple and e[0] in FLOW_RECORDS])
            ops = [e for e in ops if not (type(e) is tuple and e[0] in FLOW_RECORDS)]
        if not plan.timed:
            ran = [plan.items[i].node if type(i) is int else i for i in ops]
            return StepResult(step, _fetched(fetch_names, values), records,
                              [(node, plan.device_of[node]) for node in ran if node is not None],
                              control_flow=flow)
        ran_ops, op_times, transfer_times = [], [], []
        for i, t0, t1 in ops:  # run order; transfers in T's order, which is the same
            node = plan.items[i].node if type(i) is int else i
            if node is None:
                transfer_times.append((t0, t1))
            else:
                ran_ops.append((node, plan.device_of[node]))
                op_times.append((t0, t1))
        return StepResult(step, _fetched(fetch_names, values), records, ran_ops,
                          StepTiming(start, end, op_times, transfer_times), flow)

    def _records(self, plan: Plan, transfers: list) -> list[TransferRecord]:
        out = []
        for index, seconds, value in transfers:   # a region's transfers come as their specs
            spec = plan.transfers[index] if type(index) is int else index
            out.append(TransferRecord(str(spec.tensor) if spec.kind != "control" else
                                      f"^{spec.tensor.node}", spec.src, spec.dst,
                                      _nbytes(value), spec.kind, seconds))
        return out

    def _step_error(self, step: int, node: str, message: str) -> StepError:
        return StepError(message, self._loc(node), step=step, node=node)

    def _loc(self, node: str):
        return self.graph.nodes[node].loc if node in self.graph.nodes else None


def _call(observer: Any, hook: str, *args: Any) -> None:
    method = getattr(observer, hook, None)
    if method is not None:
        method(*args)


def _make_device(name: str):
    spec = parse_device(name)
    return make_device(name, spec.type or "cpu", spec.index or 0)


def _message(exc: BaseException) -> str:
    if isinstance(exc, KernelError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _nbytes(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, VariableCell):
        value = value.value
    return int(getattr(value, "nbytes", 0))


def _fetched(names: list[str], values: tuple) -> dict[str, Any]:
    out = {}
    for name, value in zip(names, values):
        if isinstance(value, VariableCell):
            value = value.value
        out[name] = numpy.array(value, copy=True)  # fetches arrive at cpu:0 (host) already
    return out
