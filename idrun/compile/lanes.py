"""Lanes: the devices of a step run side by side, each memory space on a thread of its own.

TF runs each device's partition on its own executor, so two towers on two GPUs compute at
the same time. A step in idrun is one generated function that runs its items in one legal
order; when two or more memory spaces each have heavy work (`worth_lanes`), the plan is
written instead as one function per lane, each running its own items in that same order,
on threads (`run_lanes`). numpy releases the GIL inside its kernels, so the lanes' kernels
overlap on the cores.

Why the results are those of the one-function step (bit for bit, but for the last bits of
large matrix products: each lane gives OpenBLAS fewer threads, and OpenBLAS splits a product
differently with fewer threads, as a one-function step on a machine with fewer cores would):
- Lanes are memory spaces: all host devices (cpu:N) are one lane, and each other device
  (a simulated or real GPU) is a lane of its own. Values only cross lanes through
  transfers, and a transfer between memory spaces copies (a ref crosses as a copy of its
  cell), so no buffer is shared between lanes: nothing one lane writes is read by another
  except through a transfer that it waits for. A variable's cell stays in its own lane.
- Each lane runs its items in the step's order; an item waits for every item of another
  lane that it depends on (data, control and transfer edges, `deps`). Every wait is on an
  item earlier in the step's order, so the lanes cannot deadlock.
- Ops with effects outside their own node (queues, readers, TensorArrays and stacks,
  prints, savers, regions, opaque nodes) keep the one-function step (`SHARED_EFFECTS`):
  their order across lanes would be the threads' whim.
- The transfers a step records (T), and the clock readings of a `--trace-out` step (O),
  are put back in the step's order after the lanes end: the times are the lanes' own, so
  the trace shows the devices working at the same time. A `--trace` step, which shows the
  order ops ran in, keeps one function.

A failure at position p of the step's order stops every lane at its first item after p,
while the items before p still run (`Failures`); the step raises the failure earliest in
the order, with its traceback, so `Plan.locate_failure` names the node: the one-function
step's error, also when two lanes fail in one step. (Items after p that a lane had already
run when the failure came are not undone: their updates stay, as in TF.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

import numpy

from idrun.compile.chunks import _in_dict
from idrun.compile.lower import _Stmt
from idrun.devices.blas import limit_this_thread, threads_per_lane
from idrun.ops import REGISTRY

# A lane's estimated work (elements read and written by its ops) below which threads cost
# more than they save: handing a lane to a thread and waiting for it costs tens of
# microseconds, a kernel over a million float32 elements about a millisecond.
LANE_MIN_ELEMENTS = 1 << 20
# stateful ops whose state is their own node's (random streams) or a variable's cell (which
# stays in its lane), and checks that only raise: these run in lanes
LANE_SAFE_STATEFUL = frozenset({
    "variable", "assign", "assign_add", "assign_sub", "scatter_add", "scatter_sub", "scatter_update",
    "is_variable_initialized", "count_up_to", "ema_update", "exponential_moving_average",
    "apply_gradient_descent", "apply_momentum", "apply_adam", "apply_rms_prop", "apply_adagrad",
    "apply_adagrad_v2", "assert", "assert_equal",
    "random_normal", "random_uniform", "random_uniform_int", "truncated_normal", "random_shuffle",
    "random_standard_normal_raw", "random_uniform_raw", "random_uniform_int_raw", "truncated_normal_raw"})


@dataclass
class LaneSplit:
    """Which lane runs each item, and the waits between lanes."""

    names: list[str]                 # lane names: "host", or a device name
    lane_of: list[int]               # per item: its lane
    waits: dict[int, list[int]]      # item -> items of other lanes it waits for (fewest needed)
    signals: list[int]               # items some other lane waits for


def lane_name(device: Any) -> str:
    return "host" if device.host else device.name


def shared_effects(graph, names) -> bool:
    """Whether any of the step's nodes has effects beyond its own node and its variable."""
    nodes = graph.nodes
    for name in names:
        op = nodes[name].op
        opdef = REGISTRY[op]
        if opdef.stateful and op not in LANE_SAFE_STATEFUL:
            return True
    return False


def _numel(shape) -> int:
    if not shape:
        return 1 if shape is not None else 0
    count = 1
    for d in shape:
        if type(d) is not int:
            return 0
        count *= d
    return count


def lane_costs(graph, items, lane_of: list[int], lanes: int) -> list[int]:
    """Per lane, the elements its ops read and write (known shapes only)."""
    nodes = graph.nodes
    costs = [0] * lanes
    for i, item in enumerate(items):
        if item.node is None:
            continue
        node = nodes[item.node]
        work = sum(_numel(t.shape) for t in node.outputs)
        for r in node.inputs:
            work += _numel(nodes[r.node].outputs[r.index].shape)
        costs[lane_of[i]] += work
    return costs


def split_lanes(graph, items, order: list[int], part, device_of: dict, devices: dict,
                deps: Callable[[], list[list[int]]], force: bool = False) -> LaneSplit | None:
    """The step's lanes, or None when one function is better: a single memory space, a
    device that is not numpy's (CuPy's current device is per thread), an op with shared
    effects, or fewer than two lanes with heavy work (unless `force`)."""
    spaces: dict[str, int] = {}
    names: list[str] = []
    for device in devices.values():
        if getattr(device.xp, "__name__", "") != "numpy":
            return None
        key = lane_name(device)
        if key not in spaces:
            spaces[key] = len(names)
            names.append(key)
    if len(names) < 2:
        return None
    lane_of = []
    for item in items:
        if item.node is not None:
            lane_of.append(spaces[lane_name(devices[device_of[item.node]])])
        else:
            spec = part.transfers[item.transfer]
            lane_of.append(spaces[lane_name(devices[spec.src])])   # the send runs where the value is
    if len(set(lane_of)) < 2 or shared_effects(graph, [it.node for it in items if it.node is not None]):
        return None
    if not force and sum(c >= LANE_MIN_ELEMENTS for c in lane_costs(graph, items, lane_of, len(names))) < 2:
        return None
    return LaneSplit(names, lane_of, *_waits(order, lane_of, deps()))


def _waits(order: list[int], lane_of: list[int], deps: list[list[int]]):
    """Per item the other lanes' items it must wait for: a wait for item j of lane M also
    covers every item M runs before j, so only waits past the last one met are kept."""
    position = {item: k for k, item in enumerate(order)}
    covered: dict[tuple[int, int], int] = {}   # (lane, other lane) -> latest position waited for
    waits: dict[int, list[int]] = {}
    signals: set[int] = set()
    for i in order:
        mine = lane_of[i]
        best: dict[int, int] = {}
        for d in deps[i]:
            other = lane_of[d]
            if other != mine and position[d] > best.get(other, -1):
                best[other] = position[d]
        need = []
        for other, pos in sorted(best.items()):
            if pos > covered.get((mine, other), -1):
                covered[(mine, other)] = pos
                need.append(order[pos])
        if need:
            waits[i] = need
            signals.update(need)
    return waits, sorted(signals)


def lane_statements(body: list[_Stmt], shared: set[str], waits: dict[int, list[int]],
                    signals: set[int], position: dict[int, int]) -> list[_Stmt]:
    """A lane's statements as its function runs them: before each item the check that no
    failure came earlier in the step's order (`X.first`) and the waits it needs, its shared
    values in `S`, after it the signal that another lane waits for."""
    out = []
    for stmt in body:
        if stmt.item is not None:
            at = position[stmt.item]
            out.append(_Stmt(f"    if X.first < {at}: raise Aborted"))
            out += [_Stmt(f"    wait(E[{j}], X, {at})") for j in waits.get(stmt.item, ())]
        names = [v for v in dict.fromkeys(stmt.uses + stmt.defs) if v in shared]
        out.append(_Stmt(_in_dict(stmt.text, names), stmt.item, stmt.uses, stmt.defs) if names else stmt)
        if stmt.item in signals:
            out.append(_Stmt(f"    E[{stmt.item}].set()"))
    return out


class Aborted(Exception):
    """A failure came earlier in the step's order: this lane stops (never leaves `run_lanes`)."""


class Failures:
    """A step's failures, by their place in the step's order. The one-function step stops at
    its first failing item; the lanes reproduce that: after a failure at position p, every
    item before p still runs (each lane checks `first` before an item), and those after it
    stop. Their waits are woken; waits on items before p are not, since those still run.
    The step then raises the failure earliest in the order, the one-function step's."""

    def __init__(self, positions: dict, where: Callable) -> None:
        self.first = float("inf")   # the earliest failing position so far
        self.found: list = []
        self.events = {item: threading.Event() for item in positions}   # an item's end, for the waits
        self.positions, self.where = positions, where
        self.lock = threading.Lock()

    def add(self, exc: BaseException, at: int | None = None) -> None:
        """A failure (at its item's position, found from its traceback; an interrupt or an
        error of idrun's own comes first of all, at -1)."""
        if at is None:
            at = self.where(exc) if isinstance(exc, Exception) else -1
        with self.lock:
            self.found.append((at, exc))
            if at < self.first:
                self.first = at
                for item, event in self.events.items():
                    if self.positions[item] > at:
                        event.set()

    def earliest(self) -> BaseException | None:
        return min(self.found, key=lambda pair: pair[0])[1] if self.found else None



def wait(event: threading.Event, failures: Failures, at: int) -> None:
    event.wait()
    if failures.first < at:
        raise Aborted


class _Pool:
    """Daemon threads that run lanes, started as needed and kept for the process."""

    def __init__(self) -> None:
        import queue
        self.jobs = queue.SimpleQueue()
        self.idle = 0
        self.lock = threading.Lock()

    def submit(self, fn: Callable, args: tuple) -> threading.Event:
        done = threading.Event()
        with self.lock:
            if self.idle == 0:
                threading.Thread(target=self._work, name="idrun-lane", daemon=True).start()
            else:
                self.idle -= 1
        self.jobs.put((fn, args, done))
        return done

    def _work(self) -> None:
        while True:
            fn, args, done = self.jobs.get()
            try:
                fn(*args)
            finally:
                with self.lock:
                    self.idle += 1
                done.set()


_pool: _Pool | None = None


def _run_lane(lane: Callable, errors: dict, blas: int, F, T, O, S, E, X: Failures) -> None:
    """One lane, with the session's numpy error state (it is per thread) and its share of
    the BLAS threads (devices/blas.py); a failure goes to X."""
    previous = limit_this_thread(blas)
    try:
        with numpy.errstate(**errors):
            lane(F, T, O, S, E, X)
    except Aborted:
        pass
    except BaseException as exc:  # noqa: BLE001 - handed to the step's thread
        X.add(exc)
    finally:
        if previous is not None:
            limit_this_thread(previous)


def run_lanes(main: Callable, others: tuple, signals: dict, where: Callable, F, T, O, S) -> None:
    """Run `main` on this thread and `others` on the pool's; raise the failure earliest in
    the step's order. `signals`: the items waited for and their positions; `where`: a
    failure's position, from its traceback."""
    global _pool
    if _pool is None:
        _pool = _Pool()
    X = Failures(signals, where)
    E = X.events
    errors, blas = numpy.geterr(), threads_per_lane(1 + len(others))
    dones = [_pool.submit(_run_lane, (lane, errors, blas, F, T, O, S, E, X)) for lane in others]
    try:
        _run_lane(main, errors, blas, F, T, O, S, E, X)
        for done in dones:
            done.wait()
    except BaseException as exc:  # an interrupt while this thread waits: stop the others
        X.add(exc, -1)
        raise
    failure = X.earliest()
    if failure is not None:
        raise failure
