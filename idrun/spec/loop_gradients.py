"""Gradients through a v1 `while_loop`, as TF 1.x builds them (control_flow_state.py's
`_ControlFlowState`/`_GradLoopState`, control_flow_grad.py's loop gradients, and the gradient
`WhileContext`'s `AddValue`, `AddForwardLoopCounter`, `AddBackpropLoopCounter` and
`AddBackpropAccumulator`). docs/architecture.md, "Gradients through while_loop", says what is
built; tests/test_loop_gradients.py pins it against TF's graph.

Per forward loop on the path (a `while_loop` entry's, not nested in a cond or another loop):
- the forward loop counter in the gradients scope (`f_count`, its `Enter`, `Merge`, `Switch`
  on the loop's LoopCond, `Add`, `NextIteration`, `Exit`), and the backprop loop, a frame of
  its own (`gradients/<loop>/while_context`) counting down from it (`b_count` ..., `Sub` is its
  body's pivot, `b_count_2` its LoopCond);
- a forward value a gradient reads inside the loop is pushed on a stack in the forward loop
  (`<reader>/f_acc` StackV2, `Enter`, `StackPushV2` ordered after the counter's `Add` and before
  its `NextIteration`) and popped in the backprop loop (`StackPopV2`, after the pivot, and
  before `b_sync`, a ControlTrigger the countdown's NextIteration waits on); a loop invariant is
  entered once, a constant cloned;
- `Exit`'s gradient enters the backprop loop (`b_exit`), a loop `Switch`'s is a `Merge`
  (`b_switch`) whose back edge the second visit closes (`NextIteration`), `Merge`'s a `Switch` on
  the backprop LoopCond, a loop variable's `Enter`'s an `Exit`, and a loop invariant's `Enter`'s
  an accumulator loop (`b_acc`, `Switch`, `Add`, `NextIteration`, `Exit`).

A cond directly inside such a loop (TF's `_MergeGrad`/`_SwitchGrad` with a gradient loop
state): its `pred_id` is pushed each iteration and popped to switch the gradient
(`Merge_grad/StackPopV2`, `cond_grad`); a branch's value is pushed inside its branch
(`<reader>/StackPushV2/Switch` on `pred_id`, before `f_sync`) and popped inside the gradient's
branch (`<reader>/Switch` on the popped predicate); a cond switch's dead side gets zeros behind
a switch on it (`ZerosLike` with `dead_branch`).

The walk is gradients_util.py's with its loop rules: every exit of such a loop is on the path, a
loop switch is visited twice, the exits wait for each other (`pending_exits_count`), and an
enter no one reaches waits (pending count 1).
"""

from __future__ import annotations

from typing import Any

from idrun.errors import SpecError
from idrun.graph import TensorRef, TensorType
from idrun.spec.control_flow import _Branch
from idrun.spec.names import join

TRAINABLE = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128", "resource", "variant")
SHAPE_OPS = frozenset({"shape", "size", "rank"})


class _GradLoopState:
    """TF's `_GradLoopState`: one forward loop and its backprop loop."""

    def __init__(self, forward: _Branch) -> None:
        self.forward = forward
        self.exits = list(forward.loop_exits)
        self.pending_exits = len(self.exits)
        self.deferred: list[str] = []
        self.unused: list[str] = []
        self.grad: _Branch | None = None     # the backprop loop's context
        self.forward_add = ""                 # the counter's Add (a push waits on it)
        self.forward_index = ""               # the counter's NextIteration (waits on the pushes)
        self.grad_index = ""                  # the countdown's NextIteration (waits on b_sync)
        self.grad_pivot = ""                  # the countdown's LoopCond
        self.body_pivot = ""                  # the countdown's Sub
        self.grad_sync = ""
        self.forward_sync = ""                # f_sync: waits on the pushes made in a cond's branch
        self.history: dict[TensorRef, TensorRef] = {}
        self.external: dict[TensorRef, TensorRef] = {}   # grad context: outer tensor -> its Enter
        self.switch_map: dict[str, str] = {}


class LoopGradientsBuilder:
    """Builder methods for a gradient through while loops (a mixin of GraphBuilder)."""

    _grad_loop: _GradLoopState | None = None

    # ---- which loops ----------------------------------------------------------------------
    def _loop_context(self, n: str) -> _Branch | None:
        """The loop `n` is a node of (a cond's switch or merge inside it is the cond's, not the loop's)."""
        if n in self._switch_context or n in self._merge_branches:
            return None
        ctx = self._branch_of.get(n)
        return ctx if ctx is not None and ctx.is_loop else None

    def _enclosing_loop(self, n: str) -> _Branch | None:
        """The loop whose body holds `n`, through a cond inside it (TF's GetWhileContext)."""
        ctx = self._branch_of.get(n)
        while ctx is not None and not ctx.is_loop:
            ctx = ctx.parent
        return ctx

    def _value_cond(self, state: _GradLoopState, ref: TensorRef) -> _Branch | None:
        """The branch of a cond directly inside `state`'s forward loop that a forward value is
        made in (TF's CondContext of the value's op; a switch bringing a value in is its branch's)."""
        ctx = self._switch_context.get(ref.node) or self._branch_of.get(ref.node)
        if ctx is not None and not ctx.is_loop and ctx.parent is state.forward:
            return ctx
        return None

    def _check_loop_for_gradient(self, n: str, ctx, draft, on_path: bool, loc) -> None:
        """Refuse, located, what the loop gradient does not build (yet)."""
        where = f" (at {draft.loc})" if draft.loc else ""
        loop = ctx
        if loop is None and draft.opdef.name == "exit" and draft.inputs:   # an exit is outside its loop
            loop = self._exit_loop(n)
            ctx = loop
        while loop is not None and not loop.is_loop:
            loop = loop.parent
        if on_path and loop is not None and getattr(loop, "grad_of", None) is not None:
            raise SpecError(f"gradients of a gradient's while loop are not supported: '{n}'{where} lies on "
                            "the path from the variables to the ys", loc)
        if loop is None or not loop.loop_exits:
            if not on_path:
                return
            raise SpecError(f"no gradient for {draft.opdef.name} '{n}'{where}: TF's gradient of loop nodes needs "
                            "the while_loop they belong to (a `while_loop` entry's)", loc)
        if not on_path:
            return
        if loop.parent is not None:
            raise SpecError(f"gradients through a while_loop inside a cond or another while_loop are not "
                            f"supported yet: '{n}'{where} lies on the path from the variables to the ys", loc)
        if ctx is not loop and ctx.parent is not loop:
            raise SpecError(f"gradients through a cond nested in a cond inside a while_loop are not supported "
                            f"yet: '{n}'{where} lies on the path from the variables to the ys", loc)

    def _loop_typing_order(self, order: list[str]) -> list[str]:
        """`order` made topological without the loops' back edges (NextIteration into Merge),
        as `finish` orders a graph with loops."""
        inside = set(order)
        deps = {n: [r.node for r in self._draft_of(n).inputs if r.node in inside
                    and not (self._draft_of(n).opdef.name == "merge"
                             and self._draft_of(r.node).opdef.name == "next_iteration")] for n in order}
        done: set[str] = set()
        out: list[str] = []
        for start in order:
            stack = [(start, False)]
            while stack:
                n, ready = stack.pop()
                if ready:
                    if n not in done:
                        done.add(n)
                        out.append(n)
                    continue
                if n in done:
                    continue
                stack.append((n, True))
                stack.extend((d, False) for d in deps[n] if d not in done)
        return out

    def _reached_trainable(self, order: list[str], x_nodes: set) -> set[str]:
        """TF's `_MarkReachedOps`: the ops reached from the xs through trainable outputs (a
        loop's back edge included)."""
        consumers: dict[TensorRef, list[str]] = {}
        for n in order:
            for r in self._draft_of(n).inputs:
                consumers.setdefault(TensorRef(r.node, r.index), []).append(n)
        reached: set[str] = set()
        todo = [n for n in order if n in x_nodes]
        while todo:
            n = todo.pop()
            if n in reached:
                continue
            reached.add(n)
            for k, t in enumerate(self._draft_of(n).outputs):
                if t.dtype in TRAINABLE:
                    todo.extend(consumers.get(TensorRef(n, k), ()))
        return reached

    def _loop_between(self, ys: list[TensorRef], reached: set[str]) -> tuple[list[str], list[_GradLoopState]]:
        """TF's between-op list (breadth first from the ys) and a state per loop one of its exits
        is on, in that order, with every exit of such a loop added (`AddWhileContext`)."""
        between, seen, queue, head = [], set(), [y.node for y in ys], 0
        while head < len(queue):
            n = queue[head]
            head += 1
            if n in reached and n not in seen:
                seen.add(n)
                between.append(n)
                queue.extend(r.node for r in self._draft_of(n).inputs)
        states: dict[int, _GradLoopState] = {}
        for n in list(between):
            if self._draft_of(n).opdef.name != "exit":
                continue
            forward = self._exit_loop(n)
            if forward is None or id(forward) in states:
                continue
            states[id(forward)] = _GradLoopState(forward)
            for e in forward.loop_exits:
                if e not in seen:
                    seen.add(e)
                    between.append(e)
        return between, list(states.values())

    def _exit_loop(self, n: str) -> _Branch | None:
        draft = self._draft_of(n)
        return self._loop_context(draft.inputs[0].node) if draft.inputs else None

    def _state_of(self, states: list[_GradLoopState], n: str, before: bool) -> _GradLoopState | None:
        """TF's `GetGradState(op, before)`: an exit's loop only after its AddN."""
        if self._draft_of(n).opdef.name == "exit":
            forward = None if before else self._exit_loop(n)
        else:
            forward = self._enclosing_loop(n)
        if forward is None:
            return None
        return next((s for s in states if s.forward is forward), None)

    def _pending_counts(self, between: list[str], in_between: set[str]) -> dict[str, int]:
        """TF's `_PendingCount`: each op's number of consumers among the ops between."""
        pending: dict[str, int] = {}
        for n in between:
            for r in self._draft_of(n).inputs:
                if r.node in in_between:
                    pending[r.node] = pending.get(r.node, 0) + 1
        return pending

    # ---- the counters -----------------------------------------------------------------------
    def _build_loop_counters(self, state: _GradLoopState, loc) -> None:
        """TF's `AddForwardLoopCounter` then the gradient WhileContext's `AddBackpropLoopCounter`."""
        fwd = state.forward
        i32 = "int32"
        n = self._loop_node("const", "f_count", [], {"value": 0, "dtype": i32}, loc, None)
        enter = self._loop_enter(n, "f_count", fwd, False, loc)
        merge = self._loop_node("merge", "Merge", [enter, enter], {}, loc, fwd)
        switch = self._loop_node("switch", "Switch", [merge, TensorRef(fwd.loop_cond, 0)], {}, loc, fwd)
        one = self._loop_node("const", "Add/y", [], {"value": 1, "dtype": i32}, loc, fwd, [fwd.pivot])
        add = self._loop_node("add", "Add", [TensorRef(switch.node, 1), one], {}, loc, fwd)
        state.forward_add = add.node
        nxt = self._loop_node("next_iteration", "NextIteration", [add], {}, loc, fwd)
        state.forward_index = nxt.node
        self.drafts[merge.node].inputs[1] = nxt
        total = self._loop_node("exit", "f_count", [switch], {}, loc, None)
        # the backprop loop: `n = count; while (n >= 1) { n--; }`
        scope = self._scope
        state.grad = _Branch(self._next_uid + 1, -1, "", join(scope, fwd.pred_id), join(scope, fwd.scope), None,
                             parallel_iterations=fwd.parallel_iterations)
        self._next_uid += 1
        state.grad.grad_of = fwd
        grad = state.grad
        b_one = self._loop_node("const", "b_count", [], {"value": 1, "dtype": i32}, loc, None)
        count = self._loop_enter(total, "b_count", grad, False, loc)
        merge = self._loop_node("merge", "Merge", [count, count], {}, loc, grad)
        grad.pivot = merge.node
        self._grad_loop = state   # `one` comes in through an Enter (AddValue), once
        try:
            pred = TensorRef(self._grad_draft("greater_equal", "GreaterEqual", [merge, b_one], {}, loc), 0)
            cond = self._loop_node("loop_cond", "b_count", [pred], {}, loc, grad)
            state.grad_pivot = cond.node
            switch = self._loop_node("switch", "Switch", [merge, cond], {}, loc, grad)
            sub = TensorRef(self._grad_draft("sub", "Sub", [TensorRef(switch.node, 1), b_one], {}, loc), 0)
        finally:
            self._grad_loop = None
        state.body_pivot = grad.pivot = sub.node
        nxt = self._loop_node("next_iteration", "NextIteration", [sub], {}, loc, grad)
        state.grad_index = nxt.node
        self.drafts[merge.node].inputs[1] = nxt
        self._loop_node("exit", "b_count", [switch], {}, loc, None)

    # ---- nodes ------------------------------------------------------------------------------
    def _loop_node(self, op: str, short: str, inputs: list, attrs: dict, loc, ctx: _Branch | None,
                   controls: list | None = None) -> TensorRef:
        """A node TF's loop gradient makes itself, in context `ctx`, its inputs as given."""
        saved, self._grad_loop = self._grad_loop, None
        try:
            name = self._grad_draft(op, short, inputs, attrs, loc, controls)
        finally:
            self._grad_loop = saved
        self._loop_mark(name, ctx)
        return TensorRef(name, 0)

    def _loop_mark(self, name: str, ctx: _Branch | None) -> None:
        if ctx is not None:
            self._branch_of[name] = ctx
        self._captures_done.add(name)   # its inputs are routed already

    def _loop_enter(self, ref: TensorRef, short: str, ctx: _Branch, constant: bool, loc) -> TensorRef:
        return self._loop_node("enter", short, [ref], {"frame_name": ctx.pred_id, "is_constant": constant,
                                                       "parallel_iterations": ctx.parallel_iterations}, loc, ctx)

    def _loop_value_enter(self, state: _GradLoopState, ref: TensorRef, reader: str, loc) -> TensorRef:
        """The gradient WhileContext's `AddValue` of a tensor from outside both loops: one
        constant `Enter` per tensor (`<reader>/Enter`)."""
        got = state.external.get(ref)
        if got is None:
            outer, self._scope = self._scope, reader
            try:
                got = state.external[ref] = self._loop_enter(ref, "Enter", state.grad, True, loc)
            finally:
                self._scope = outer
        return got

    def _loop_inputs(self, name: str, op: str, inputs: list, loc) -> tuple[list, _Branch | None]:
        """What a node the gradient builds in the backprop loop reads (TF's `AddValue` as the op is
        made): a forward value of the loop through its stack, an outer one through an Enter; and
        the context it goes in (a Shape of a forward value stays in the forward loop, TF's `AddOp`)."""
        state = self._grad_loop
        if state is None:
            return inputs, None
        if op in SHAPE_OPS and inputs and self._loop_context(inputs[0].node) is state.forward:
            return inputs, state.forward
        out = []
        for k, ref in enumerate(inputs):
            ctx = self._branch_of.get(ref.node)
            if ctx is state.grad:
                out.append(ref)
            elif ref in state.external:
                out.append(state.external[ref])
            elif op == "switch" and k == 1 and self._is_pred_id(state, ref):
                # _MergeGrad of a cond in the loop: its predicate, pushed each iteration and popped,
                # in the Merge_grad scope (TF's history_map)
                out.append(self._accumulated_pred(state, ref, loc))
            elif ctx is not None and (ctx is state.forward or self._value_cond(state, ref) is not None):
                out.append(self._real_value(state, ref, name, loc))
            elif ctx is not None:
                raise SpecError(f"the gradient reads '{ref}' from another loop or cond inside the loop: not "
                                "supported yet", loc)
            else:
                out.append(self._loop_value_enter(state, ref, name, loc))
        return out, state.grad

    def _is_pred_id(self, state: _GradLoopState, ref: TensorRef) -> bool:
        return any(b.pred_id == ref.node for b in self._switch_context.values()
                   if not b.is_loop and b.parent is state.forward)

    def _accumulated_pred(self, state: _GradLoopState, pred: TensorRef, loc) -> TensorRef:
        """TF's _MergeGrad in a loop: AddForwardAccumulator(pred) and its pop, once per predicate
        (history_map), whatever the predicate is (a loop invariant's too)."""
        got = state.history.get(pred)
        if got is None:
            got = state.history[pred] = self._accumulate(state, pred, loc)
        return got

    def _popped_pred(self, state: _GradLoopState, cond: _Branch) -> TensorRef:
        """The cond's predicate as the backprop loop pops it (its Merge_grad pushed it first)."""
        got = state.history.get(TensorRef(cond.pred_id, 0))
        if got is None:
            raise SpecError(f"the gradient reaches the cond '{cond.scope}' inside the loop other than "
                            "through its merge: not supported yet", self._draft_of(cond.pred_id).loc)
        return got

    def _loop_placed(self, draft, ctx: _Branch | None) -> None:
        """After a gradient node is made in a loop: its context, and TF's `_MaybeAddControlDependency`
        (a node that reads only loop invariants waits on the backprop loop's pivot)."""
        if ctx is None:
            return
        self._loop_mark(draft.name, ctx)
        if ctx is self._grad_loop.grad:   # its helper constants (a reduction's axis) wait on the pivot
            for ref in draft.inputs[len(draft.inputs) - draft.helper_count:]:
                helper = self._draft_of(ref.node)
                if not helper.inputs and not helper.extra_controls:
                    self._loop_mark(helper.name, ctx)
                    helper.extra_controls.append(ctx.pivot)
        if ctx is not self._grad_loop.grad or draft.extra_controls or draft.active:
            return
        if all(self._is_constant_enter(r.node) for r in draft.inputs):
            draft.extra_controls.append(ctx.pivot)

    def _loop_constant_enter(self, value: TensorRef) -> str | None:
        """TF's `GetLoopConstantEnter`: the constant Enter a value passes on through switches and
        identities (a loop invariant switched into a cond in the loop), else None."""
        n = value.node
        for _ in range(1000):
            draft = self._draft_of(n)
            if draft.opdef.name not in ("switch", "identity") or not draft.inputs:
                break
            n = draft.inputs[0].node
        return n if self._is_constant_enter(n) else None

    def _is_constant_enter(self, n: str) -> bool:
        d = self._draft_of(n)
        return d.opdef.name == "enter" and bool(d.attrs.get("is_constant"))

    def _real_value(self, state: _GradLoopState, value: TensorRef, reader: str, loc) -> TensorRef:
        """TF's `GetRealValue`: a forward value as the backprop loop sees it, once per value."""
        got = state.history.get(value)
        if got is not None:
            return got
        producer = self._draft_of(value.node)
        enter = self._loop_constant_enter(value)
        outer, self._scope = self._scope, reader
        try:
            if enter is not None:   # a loop invariant (through a cond's switches): entered as it is
                got = self._loop_value_enter(state, self._draft_of(enter).inputs[0], reader, loc)
            elif producer.opdef.name == "const":      # a constant: cloned in the backprop loop
                got = self._loop_node("const", "Const", [], {"value": producer.attrs["value"],
                                                            "dtype": producer.outputs[0].dtype},
                                      loc, state.grad, [state.body_pivot])
            else:
                got = self._accumulate(state, value, loc)
        finally:
            self._scope = outer
        state.history[value] = got
        return got

    def _accumulate(self, state: _GradLoopState, value: TensorRef, loc) -> TensorRef:
        """TF's `AddForwardAccumulator` and `AddBackpropAccumulatedValue`: a stack the forward loop
        pushes `value` on each iteration and the backprop loop pops."""
        t = self._draft_of(value.node).outputs[value.index]
        anchor = self._draft_of(value.node)
        saved, self._grad_anchor = getattr(self, "_grad_anchor", None), anchor    # TF: colocate_with(value)
        try:
            size = self._loop_node("const", "Const", [], {"value": -1, "dtype": "int32"}, loc, None)
            acc = self._loop_node("stack_v2", "f_acc", [size], {"elem_type": t.dtype, "stack_name": ""}, loc, None)
        finally:
            self._grad_anchor = saved
        enter = self._loop_enter(acc, "Enter", state.forward, True, loc)
        cond = self._value_cond(state, value)
        if cond is None:
            push = self._loop_node("stack_push_v2", "StackPushV2", [enter, value], {"swap_memory": False}, loc,
                                   state.forward, [state.forward_add])
            self.drafts[state.forward_index].extra_controls.append(push.node)
        else:   # a value in a cond's branch: pushed in that branch, before f_sync
            push = self._cond_push(state, cond, enter, value, loc)
        if cond is None:
            # made in the backprop loop as any gradient node: its stack comes in through an Enter
            # and it waits on the pivot (TF's AddValue and _MaybeAddControlDependency)
            pop = TensorRef(self._grad_draft("stack_pop_v2", "StackPopV2", [acc], {"elem_type": t.dtype}, loc), 0)
        else:   # popped in the gradient cond's branch: the stack switched on the popped predicate
            pred = self._popped_pred(state, cond)
            sw = self._grad_draft("switch", "Switch", [acc, pred], {}, loc)
            pop = TensorRef(self._grad_draft("stack_pop_v2", "StackPopV2", [TensorRef(sw, cond.branch)],
                                             {"elem_type": t.dtype}, loc), 0)
        self._draft_of(pop.node).outputs = (TensorType(t.dtype, t.shape),)   # TF: pop.set_shape(value's)
        if state.grad.parallel_iterations <= 1:   # TF orders the pops only when iterations overlap
            return pop
        if not state.grad_sync:
            sync = self._loop_node("control_trigger", "b_sync", [], {}, loc, state.grad)
            state.grad_sync = sync.node
            self.drafts[state.grad_index].extra_controls.append(sync.node)
        self.drafts[state.grad_sync].extra_controls.append(pop.node)
        return pop

    def _cond_push(self, state: _GradLoopState, cond: _Branch, enter: TensorRef, value: TensorRef,
                   loc) -> TensorRef:
        """TF's AddForwardAccumulator of a value in a cond: the push in the cond's branch (its
        stack's Enter switched on the cond's pred_id), ordered before the forward loop's f_sync."""
        push = self._loop_node("stack_push_v2", "StackPushV2", [enter, value], {"swap_memory": False}, loc,
                               cond, [state.forward_add])
        saved, self._scope = self._scope, push.node   # TF's CondContext.AddValue: `<push>/Switch`
        try:
            sw = self._loop_node("switch", "Switch", [enter, TensorRef(cond.pred_id, 0)], {}, loc, state.forward)
        finally:
            self._scope = saved
        self.drafts[push.node].inputs[0] = TensorRef(sw.node, cond.branch)
        if not state.forward_sync:
            sync = self._loop_node("control_trigger", "f_sync", [], {}, loc, state.forward)
            state.forward_sync = sync.node
            self.drafts[state.forward_index].extra_controls.append(sync.node)
        self.drafts[state.forward_sync].extra_controls.append(push.node)
        return push

    # ---- the loop nodes' gradients (control_flow_grad.py) ------------------------------------
    def _loop_grad(self, g, kind: str, op, grads: list) -> list:
        """The gradient of a loop's `kind` node (exit, enter, switch, merge), in the backprop loop."""
        state = self._grad_loop_for(op.name)
        if state is None:
            g.unsupported(op, f"TF's gradient of a loop's {kind} needs the while_loop it belongs to "
                              "(a `while_loop` entry's)")
        grad = grads[0]
        if kind == "exit":      # _ExitGrad: the gradient enters the backprop loop
            return [self._loop_enter(grad, "b_exit", state.grad, False, g.loc)]
        if kind == "merge":     # _MergeGrad: switched on the backprop loop's predicate
            sw = g.make("switch", "Switch", [grad, TensorRef(state.grad_pivot, 0)])
            return [g.output(sw, 0), g.output(sw, 1)]
        if kind == "switch":    # _SwitchGrad of a loop switch, visited twice
            merge = state.switch_map.get(op.name)
            if merge is not None:   # the second time: from the body, the merge's back edge
                if grads[1] is not None:
                    nxt = self._loop_node("next_iteration", "NextIteration", [grads[1]], {}, g.loc, state.grad)
                    self.drafts[merge].inputs[1] = nxt
                return [None, None]
            if grads[0] is None:
                return [None, None]
            merge = self._loop_node("merge", "b_switch", [grads[0], grads[0]], {}, g.loc, state.grad).node
            state.switch_map[op.name] = merge
            return [TensorRef(merge, 0), None]
        # _EnterGrad
        if not self._is_constant_enter(op.name):   # a loop variable: the gradient leaves the loop
            return [self._loop_node("exit", "Exit", [grad], {}, g.loc, None)]
        return [self._backprop_accumulator(state, op, grad, g.loc)]

    def _grad_loop_for(self, n: str) -> _GradLoopState | None:
        states = getattr(self, "_loop_states", None) or []
        return self._state_of(states, n, before=False)

    def _backprop_accumulator(self, state: _GradLoopState, op, grad: TensorRef, loc) -> TensorRef:
        """TF's `AddBackpropAccumulator`: a loop invariant's gradient summed over the iterations."""
        t = self._draft_of(grad.node).outputs[grad.index]
        if t.shape is None or None in t.shape:
            raise SpecError(f"the gradient of the loop invariant '{op.inputs[0]}' has an unknown shape "
                            f"{t.shape}: not supported yet (TF sums it from zeros of its shape)", loc)
        grad_ctx = state.grad
        zero = 0.0 if t.dtype.startswith(("float", "bfloat", "complex")) else 0
        acc = self._loop_node("const", "b_acc", [], {"value": _filled(list(t.shape), zero), "dtype": t.dtype},
                              loc, None)
        enter = self._loop_enter(acc, "b_acc", grad_ctx, False, loc)
        merge = self._loop_node("merge", "b_acc", [enter, enter], {}, loc, grad_ctx)
        switch = self._loop_node("switch", "Switch", [merge, TensorRef(state.grad_pivot, 0)], {}, loc, grad_ctx)
        add = self._loop_node("add", "Add", [TensorRef(switch.node, 1), grad], {}, loc, grad_ctx)
        nxt = self._loop_node("next_iteration", "NextIteration", [add], {}, loc, grad_ctx)
        self.drafts[merge.node].inputs[1] = nxt
        return self._loop_node("exit", "b_acc", [switch], {}, loc, None)

    def _loop_zeros(self, g, op, k: int) -> TensorRef | None:
        """TF's `ZerosLikeV1WhileLoop`: none for a loop switch, else zeros of the output's shape
        made in the backprop loop."""
        draft = self._draft_of(op.name)
        if draft.opdef.name == "switch" and op.name not in self._switch_context:
            return None
        t = draft.outputs[k]
        cond = self._switch_context.get(op.name) if draft.opdef.name == "switch" else None
        resource = cond is not None and self.variables == "resource" and self._variable_like(op.inputs[0])
        if resource:   # TF: zeros(variable_shape(handle)), the variable's value's dtype
            t = self._variable_value_type(op.inputs[0]) or t
        if t.shape is None or None in t.shape or t.dtype == "resource":
            raise SpecError(f"output {k} of '{op.name}' in a while_loop gets no gradient and has an unknown "
                            "shape: its zeros are not supported yet", g.loc)
        zero = 0.0 if t.dtype.startswith(("float", "bfloat", "complex")) else 0
        saved = self._scope
        self._scope = self._grad_root
        try:
            if not resource:
                zeros = g.const("Const", _filled(list(t.shape), zero), t.dtype)
            else:
                shape = g.const("Const", list(t.shape), "int32")
                scope = self.namer.unique(join(self._scope, "zeros"))
                self._scope = scope
                value = g.const("Const", zero, t.dtype)
                self._scope = self._grad_root
                zeros = TensorRef(self._grad_draft("fill", "zeros", [shape, value], {}, g.loc, full=scope), 0)
            if cond is None:
                return zeros
            # the dead side of a cond's switch in the loop: zeros only when the other branch ran
            # (TF's ZerosLike with dead_branch: a Switch on the popped predicate)
            sw = g.make("switch", "Switch", [zeros, self._popped_pred(self._grad_loop, cond)])
            return g.output(sw, 1 - cond.branch)
        finally:
            self._scope = saved

    def _variable_value_type(self, ref: TensorRef) -> TensorType | None:
        """The value type of the variable a resource handle passes on (through enters and switches)."""
        draft = self._draft_of(ref.node)
        for _ in range(100):
            if draft.opdef.source == "variable" or not draft.inputs:
                break
            draft = self._draft_of(draft.inputs[0].node)
        if draft.opdef.source != "variable" or not draft.outputs:
            return None
        return self._draft_of(TensorRef(draft.name, 0).node).outputs[0]

    # ---- the walk (gradients_util.py with a loop state) --------------------------------------
    def _loop_walk(self, g, ys, x_nodes, states_between, grads, gate, loc, colocate) -> None:
        """The queue of `_GradientsHelper` with TF's loop rules; `grads` holds the ys' gradients."""
        between, states = states_between
        self._loop_states = states
        self._grad_root = self._scope
        for n in between:   # the exits added are typed as the ys' nodes are
            if not self._draft_of(n).outputs:
                self._tensor_type(TensorRef(n, 0), loc)
        for state in states:
            self._build_loop_counters(state, loc)
        in_between = set(between)
        pending = self._pending_counts(between, in_between)
        queue: list[str] = []
        for y in ys:
            if pending.get(y.node, 0) == 0 and y.node not in queue and y.node in in_between:
                queue.append(y.node)
        to_ops = set(queue)
        for state in states:    # TF's ProcessUnusedLoopExits
            for e in state.exits:
                if pending.get(e, 0) == 0:
                    state.pending_exits -= 1
                    if e not in to_ops:
                        state.unused.append(e)
                    if state.pending_exits == 0:
                        for u in state.unused:
                            self._zeros_for_exit(g, u, grads)
                            queue.append(u)
            for e in state.forward.loop_enters:
                if pending.get(e, 0) == 0:
                    pending[e] = 1
        stops = {n for n in x_nodes if not any(r.node in in_between for r in self._draft_of(n).inputs)}
        head = 0
        try:
            while head < len(queue):
                n = queue[head]
                head += 1
                self._grad_loop = self._state_of(states, n, before=False)
                if self._draft_of(n).opdef.name == "exit":   # its AddN outside, its b_exit made inside
                    self._grad_loop = None
                inputs = self._draft_of(n).inputs
                before = [len(grads.get(r.node, {}).get(r.index, ())) for r in inputs]
                try:
                    self._backprop_op(g, n, grads, n in stops, gate, loc, colocate)
                finally:
                    self._grad_loop = None
                for r, count in zip(inputs, before):   # TF: in_grad.set_shape(t_in.get_shape())
                    got = grads.get(r.node, {}).get(r.index, ())
                    if len(got) > count:
                        self._set_shape(got[-1], self._draft_of(r.node).outputs[r.index])
                for r in self._draft_of(n).inputs:   # TF's _UpdatePendingAndEnqueueReady
                    x = r.node
                    pending[x] = pending.get(x, 0) - 1
                    ready = pending[x] == 0 or (pending[x] > 0 and self._is_loop_switch(x))
                    if not ready:
                        continue
                    if self._draft_of(x).opdef.name == "exit" and self._exit_loop(x) is not None:
                        state = self._state_of(states, x, before=False)
                        state.deferred.append(x)
                        state.pending_exits -= 1
                        if state.pending_exits == 0:
                            used = False
                            for e in state.deferred:
                                if any(grads.get(e, {}).get(k) for k in grads.get(e, {})):
                                    used = True
                                    queue.append(e)
                                else:
                                    state.unused.append(e)
                            for e in state.unused:
                                if used:
                                    self._zeros_for_exit(g, e, grads)
                                queue.append(e)
                    else:
                        queue.append(x)
            self._loop_post_processing(states, loc)
        finally:
            self._loop_states = []

    def _set_shape(self, grad: TensorRef, forward: TensorType) -> None:
        """TF's `set_shape` of an input's gradient to the input's shape: what either knows (a
        Tensor's only: an IndexedSlices keeps its own)."""
        if not isinstance(grad, TensorRef):
            return
        draft = self._draft_of(grad.node)
        t = draft.outputs[grad.index]
        if forward.dtype == "resource" or forward.shape is None or t.shape == forward.shape:
            return
        if t.shape is None:
            shape = forward.shape
        elif len(t.shape) != len(forward.shape):
            return
        else:
            shape = tuple(a if a is not None else b for a, b in zip(t.shape, forward.shape))
        outputs = list(draft.outputs)
        outputs[grad.index] = TensorType(t.dtype, shape)
        draft.outputs = tuple(outputs)

    def _is_loop_switch(self, n: str) -> bool:
        return self._draft_of(n).opdef.name == "switch" and self._loop_context(n) is not None

    def _zeros_for_exit(self, g, e: str, grads: dict) -> None:
        """TF's `ZerosLikeForExit` for an exit no gradient reached, in the gradients scope."""
        t = self._draft_of(e).outputs[0]
        if t.dtype not in TRAINABLE:
            return
        from idrun.ops.gradlib import zeros_like
        saved, self._scope = self._scope, self._grad_root
        try:
            if t.shape is None or None in t.shape:   # TF: zeros_like(val, optimize=False)
                zeros = g.make("zeros_like", "zeros_like", [TensorRef(e, 0)])
            else:                                    # TF: zeros(shape), a Const
                zeros = zeros_like(g, TensorRef(e, 0), "zeros")
            grads.setdefault(e, {}).setdefault(0, []).append(zeros)
        finally:
            self._scope = saved

    def _loop_post_processing(self, states: list[_GradLoopState], loc) -> None:
        """TF's `PostProcessing`: a loop variable whose next value does not read it gets zeros on
        its gradient merge's back edge."""
        for state in states:
            for merge in state.switch_map.values():
                draft = self.drafts[merge]
                if draft.inputs[0] != draft.inputs[1]:
                    continue
                t = draft.outputs[0]
                if t.shape is None or None in t.shape:
                    raise SpecError(f"a loop variable's next value does not read it and its gradient has an "
                                    f"unknown shape ('{merge}'): not supported yet", loc)
                zero = 0.0 if t.dtype.startswith(("float", "bfloat", "complex")) else 0
                # TF runs PostProcessing after the gradients scope closed: the caller's scope
                saved, self._scope = self._scope, self._grad_root.rpartition("/")[0]
                try:
                    val = self._loop_node("const", "Const", [], {"value": _filled(list(t.shape), zero),
                                                                "dtype": t.dtype}, loc, state.grad,
                                          [state.body_pivot])
                    nxt = self._loop_node("next_iteration", "NextIteration", [val], {}, loc, state.grad)
                finally:
                    self._scope = saved
                draft.inputs[1] = nxt


def _filled(shape: list, value: Any) -> Any:
    return value if not shape else [_filled(shape[1:], value) for _ in range(shape[0])]
