"""Running a raised cond or while loop (see `compile/regions.py`).

A region node's kernel runs small steps of its own over the raised graph: for a cond, the
branch its predicate picks (a plan per branch); for a loop, the predicate's plan and the
body's plan, in turn, until the predicate is false. Each plan is compiled once, when the
region's kernel is bound, for the nodes the branch or body needs (as a step prunes: a node
of the branch that nothing returned needs does not run, as in TF). The values it reads from
outside come in as the plan's arguments; what it moves between devices and the ops it runs
go into the enclosing step's records (T and O), so traces and transfer counts include them.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy

from idrun.compile.partition import partition
from idrun.compile.plan import Plan, PlanRequest, Step, compile_plan
from idrun.compile.regions import Raised, Region, region_key, structural
from idrun.graph import TensorRef
from idrun.ops.opdef import KernelError
from idrun.ops.state import VariableCell


def region_kernel_maker(raised: Raised) -> Callable:
    """PlanRequest.region_kernel for a session's raised graph."""
    def make(node, req: PlanRequest) -> Callable:
        region: Region = node.attrs["region"]
        if region.kind == "cond":
            return _cond_kernel(raised, region, req)
        return _loop_kernel(raised, region, req)
    return make


class _Sub:
    """One compiled branch or loop body: its plan, and where each argument's value comes from."""

    def __init__(self, plan: Plan, sources: list[Callable]) -> None:
        self.plan, self.sources = plan, sources

    def run(self, T: list, O: list, env: Any) -> tuple:
        inner_t: list = []
        inner_o: list = []
        try:
            return self.plan.step([source(env) for source in self.sources], inner_t, inner_o)
        finally:
            _report(self.plan, inner_t, inner_o, T, O)


def _report(plan: Plan, inner_t: list, inner_o: list, T: list, O: list) -> None:
    """A sub-step's transfers and ops, into the enclosing step's records: transfers as their
    TransferSpec, ops by node name (the enclosing plan's items do not hold them)."""
    for index, seconds, value in inner_t:
        T.append((plan.transfers[index] if type(index) is int else index, seconds, value))
    for entry in inner_o:
        if type(entry) is int:
            if plan.items[entry].node is not None:
                O.append(plan.items[entry].node)
        elif type(entry) is tuple and type(entry[0]) is int:
            O.append((plan.items[entry[0]].node, entry[1], entry[2]))
        else:
            O.append(entry)


def _compile(raised: Raised, req: PlanRequest, members: set[str], fetch: list[TensorRef],
             value_of: Callable[[TensorRef], Callable], targets: tuple[str, ...] = ()) -> _Sub:
    """A plan for `fetch` over `members` (what it needs of them, as a step prunes); anything
    else they read is an argument, whose value `value_of(ref)` gives. Control inputs on
    nodes outside are the region node's own: it waits on them before it runs."""
    graph = raised.graph
    seen = graph.closure([r.node for r in fetch] + list(targets), within=members)
    needed = [n for n in graph.nodes if n in seen]
    args: list[TensorRef] = []
    for name in needed:
        for r in graph.nodes[name].inputs:
            if r.node not in seen and r not in args:
                args.append(r)
    for r in fetch:
        if r.node not in seen and r not in args:
            args.append(r)
    problems = [n for n in needed if n in raised.problems]
    if problems:
        raise KernelError(f"'{problems[0]}' cannot run: {raised.problems[problems[0]]}")
    sub_req = PlanRequest(graph, raised.device_of, req.devices, req.cells, list(fetch), [], [], None,
                          req.record_ops, req.clock, req.states, req.record_times, frozenset(),
                          args, req.region_kernel, lanes="off")
    step = Step(needed, partition(graph, raised.device_of, needed, [], set()))
    return _Sub(compile_plan(sub_req, step), [value_of(r) for r in args])


class _Entries:
    """What crosses into a region: each input of its switches (a cond) or enters (a loop) made
    on another device crosses to that switch's or enter's device, once per (tensor, device),
    as TF's partitioner sends it; the region's plans read the values where they arrived."""

    def __init__(self, raised: Raised, region: Region, req: PlanRequest, entry_nodes: list[str]) -> None:
        from idrun.compile.partition import TransferSpec
        from idrun.devices.transfer import make_transfer
        position = _input_index(region)
        nodes, device_of = raised.graph.nodes, raised.device_of
        self.moves: list[tuple[int, Any, Callable]] = []   # (region input, spec, how it moves)
        self.slot: dict[tuple[str, int], tuple[bool, int]] = {}   # (node, input) -> (moved?, index)
        shared: dict[tuple, int] = {}
        for name in entry_nodes:
            dst = device_of[name]
            for pos, ref in enumerate(nodes[name].inputs):
                src = device_of[ref.node]
                if src == dst:
                    self.slot[(name, pos)] = (False, position[ref])
                    continue
                if (ref, dst) not in shared:
                    shared[(ref, dst)] = len(self.moves)
                    self.moves.append((position[ref], TransferSpec(ref, src, dst, "edge"),
                                       make_transfer(req.devices[src], req.devices[dst])))
                self.slot[(name, pos)] = (True, shared[(ref, dst)])
        self.clock = req.clock

    def run(self, T: list, values: tuple) -> list:
        moved = []
        clock = self.clock
        for k, spec, move in self.moves:
            t = clock()
            value = move(values[k])
            T.append((spec, clock() - t, value))
            moved.append(value)
        return moved

    def getter(self, name: str, pos: int = 0) -> Callable:
        """(values, moved) -> input `pos` of entry node `name`, where that node is."""
        was_moved, k = self.slot[(name, pos)]
        return (lambda values, moved: moved[k]) if was_moved else (lambda values, moved: values[k])


def _dead(T: list, plan: Plan) -> None:
    """A branch not taken (a loop's last, dead, body): TF still sends across devices what it
    would have sent, a dead tensor's marker (0 bytes) for each."""
    for spec in plan.transfers:
        if spec.kind != "fetch":
            T.append((spec, 0.0, None))


def _input_index(region: Region) -> dict[TensorRef, int]:
    return {r: i for i, r in reversed(list(enumerate(region.inputs)))}


def _cond_kernel(raised: Raised, region: Region, req: PlanRequest) -> Callable:
    nodes = raised.graph.nodes
    position = _input_index(region)
    entries = _Entries(raised, region, req, region.switches)
    subs = {}
    for branch in range(region.branches):
        members = raised.members_at(region.parent + (("cond", region.frame[1], branch),))
        fetch = [_branch_input(raised, region, m, branch) for m in region.merges]
        fetch += [ref for ref, b in region.escapes if b == branch]

        def value_of(ref: TensorRef, branch=branch) -> Callable:
            if ref.node in region.switches:
                if ref.index != branch:
                    raise KernelError(f"'{ref}' is read in the other branch of {region.name}")
                get = entries.getter(ref.node)
                return lambda env: get(*env)
            k = position[ref]
            return lambda env: env[0][k]
        waited = tuple(m for m, b in region.waited if b == branch)
        subs[branch] = _compile(raised, req, members, fetch, value_of, waited)

    n_way = any(nodes[s].op == "switch_n" for s in region.switches)

    def cond(T, O, *values):
        moved = entries.run(T, values) if entries.moves else ()
        if not n_way:
            branch = 1 if bool(_value(values[0])) else 0
            O.append(("branch", region.name, branch == 1))
        else:   # _SwitchN: an index out of range takes the last branch (TF's kernel)
            branch = int(_value(values[0]))
            branch = branch if 0 <= branch < region.branches else region.branches - 1
            O.append(("branch", region.name, branch))
        out = subs[branch].run(T, O, (values, moved))
        for other, sub in subs.items():   # the branches not taken send their dead markers
            if other != branch:
                _dead(T, sub.plan)
        index = numpy.int32(branch)
        result = []
        for value in out[:len(region.merges)]:
            result += [value, index]
        if region.escapes:   # a branch's values its gradient cond reads: None from the other branch
            rest = iter(out[len(region.merges):])
            result += [next(rest) if b == branch else None for _, b in region.escapes]
        return tuple(result)
    cond.sub_plans = ([(f"{region.name}: the true branch", subs[1].plan),
                       (f"{region.name}: the false branch", subs[0].plan)] if not n_way else
                      [(f"{region.name}: branch {b}", subs[b].plan) for b in sorted(subs)])
    return cond


def _branch_input(raised: Raised, region: Region, merge: str, branch: int) -> TensorRef:
    """The input of a cond's merge that comes from `branch`."""
    nodes = raised.graph.nodes
    want = region.parent + (("cond", region.frame[1], branch),)
    for ref in nodes[merge].inputs:
        producer = nodes[ref.node]
        ctx = raised.context[ref.node]
        if producer.op in ("switch", "switch_n") and ref.node in region.switches:
            ctx = ctx + (("cond", region.frame[1], ref.index),)
        if ctx[:len(want)] == want:
            return ref
    raise KernelError(f"merge '{merge}' has no input from branch {branch} of {region.name}")


def _value(v: Any) -> Any:
    return v.value if isinstance(v, VariableCell) else v


def _loop_kernel(raised: Raised, region: Region, req: PlanRequest) -> Callable:
    nodes = raised.graph.nodes
    position = _input_index(region)
    entries = _Entries(raised, region, req, region.enters)
    enter_value = {e: entries.getter(e) for e in region.enters}
    merges = [m for m in region.merges]
    loop_vars = []       # per merge: (enter, next_iteration, switch)
    for m in merges:
        enter = next(r.node for r in nodes[m].inputs if nodes[r.node].op == "enter")
        nxt = next((r.node for r in nodes[m].inputs if nodes[r.node].op == "next_iteration"), None)
        switch = next((s for s in region.switches if nodes[s].inputs[0].node == m), None)
        loop_vars.append((enter, nxt, switch))
    var_of = {}
    for k, (enter, nxt, switch) in enumerate(loop_vars):
        var_of[(merges[k], 0)] = k
        if switch:
            var_of[(switch, 0)] = var_of[(switch, 1)] = k
    switches = [s for s in region.switches]

    def value_of(ref: TensorRef) -> Callable:   # env: (values, moved, current, index)
        if (ref.node, ref.index) in var_of:
            k = var_of[(ref.node, ref.index)]
            return lambda env: env[2][k]
        if ref.node in merges and ref.index == 1:
            return lambda env: env[3]
        if ref.node in enter_value:
            get = enter_value[ref.node]
            return lambda env: get(env[0], env[1])
        k = position[ref]
        return lambda env: env[0][k]

    members = raised.members_at(region_key(region)) - structural(region)
    pred_sub = _compile(raised, req, members, [nodes[region.loop_cond].inputs[0]], value_of)
    body_fetch = []
    for enter, nxt, switch in loop_vars:
        if nxt is None:
            raise KernelError(f"loop variable from '{enter}' has no next_iteration in {region.name}")
        body_fetch.append(nodes[nxt].inputs[0])
    # what a next_iteration waits on runs with the body: TF's gradients put a forward loop's
    # StackPushV2 accumulators there, as control inputs of its counter's next_iteration
    waits = tuple(c for _, nxt, _ in loop_vars for c in nodes[nxt].control_inputs)
    waits += tuple(m for m, _ in region.waited if m not in waits)   # what a node outside waits on
    body_sub = _compile(raised, req, members, body_fetch, value_of, waits)
    exit_var = []        # per exit: the loop variable it reads, or None: computed by exit_sub
    exit_fetch = []
    for x in region.exits:
        ref = nodes[x].inputs[0]
        exit_var.append(var_of.get((ref.node, ref.index)) if ref.node in switches else None)
        if exit_var[-1] is None:   # TF's gradient loops exit through an identity of the switch
            exit_fetch.append(ref)
    exit_sub = _compile(raised, req, members, exit_fetch, value_of) if exit_fetch else None

    def loop(T, O, *values):
        moved = entries.run(T, values) if entries.moves else ()
        current = [enter_value[e](values, moved) for e, _, _ in loop_vars]
        iterations = 0
        while True:
            env = (values, moved, current, numpy.int32(1 if iterations else 0))
            if not bool(_value(pred_sub.run(T, O, env)[0])):
                break
            current = list(body_sub.run(T, O, env))
            iterations += 1
        _dead(T, body_sub.plan)   # the last switch's output 1 is dead: the body's sends carry it
        O.append(("iterations", region.name, iterations))
        computed = iter(exit_sub.run(T, O, env) if exit_sub is not None else ())
        return tuple(current[k] if k is not None else next(computed) for k in exit_var)
    loop.sub_plans = [(f"{region.name}: the loop's predicate", pred_sub.plan),
                      (f"{region.name}: the loop's body", body_sub.plan)] + (
        [(f"{region.name}: the loop's exits", exit_sub.plan)] if exit_sub is not None else [])
    return loop
