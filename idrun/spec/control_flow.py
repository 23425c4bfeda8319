"""`cond` and `while_loop` entries: tf.cond and tf.while_loop as TF 1.x's
`control_flow_ops` builds them (control flow v1).

    - cond: phase_train            # the predicate (a bool scalar)
      name: cond                   # the name scope (default `cond`, made unique)
      outputs: [mean, var]         # names for the results, as `mean, var = tf.cond(...)`
      true_fn: {nodes: [...], return: [a, b]}   # what it creates, what it returns
      false_fn: {nodes: [...], return: [c, d]}

What is built, as TF builds it (probe: tests/test_control_flow.py pins it):
- `cond/Switch` (pred, pred), its pivots `cond/switch_t` (output 1) and `cond/switch_f`
  (output 0), and `cond/pred_id` (Identity of pred), in the enclosing blocks;
- each branch's nodes under the `cond/` scope; a branch node with no inputs waits on its
  pivot; a tensor made outside the cond that a branch reads goes through a Switch of its
  own per branch (`<reader>/Switch`, output 1 in the true branch, 0 in the false one),
  made after its reader with no control inputs, once per (branch, tensor);
- a returned tensor made outside the cond is switched too (`cond/Switch_1`...);
- `cond/Merge`, `cond/Merge_1`... of (false result, true result), in the enclosing blocks.

So the pitfall shows as in TF: an op made *outside* the branch functions and read inside
runs on every step whatever the predicate (it is outside the cond); the same op made in a
branch runs only when that branch is taken.

    - while_loop: [i0, s0]         # loop_vars
      name: while                  # the name scope (default `while`, made unique)
      maximum_iterations: 6        # optional: a tensor or a literal
      outputs: [i, s]              # names for the results (the loop's exits)
      cond: {args: [i, s], nodes: [...], return: less}          # cond's parameters and result
      body: {args: [i, s], nodes: [...], return: [i_next, s_next]}

What is built, as TF builds it (tests/fixtures/graphdefs/cf1_while_counter holds TF's):
`while/Enter`... per loop variable (frame `while/while_context`, no control inputs),
`while/Merge`... (Enter, NextIteration), the cond's nodes reading the merges, `while/LoopCond`,
`while/Switch`... (merge, LoopCond), `while/Identity`... of their output 1 (the body's
parameters), the body's nodes, `while/NextIteration`... of its results and `while/Exit`...
of the switches' output 0. A tensor from outside the loop comes in through an `Enter` of its
own (`<reader>/Enter`, is_constant), once per loop; a cond node with no inputs waits on the
first merge, a body node on the first identity. `maximum_iterations` adds TF's counter:
`while/iteration_counter` as the first loop variable, a `Less` of it against
`while/maximum_iterations`, and-ed (`while/LogicalAnd`) with the cond's result, and its
`add` of 1 in the body; these two are made after the spec's own nodes (TF makes them
before), so that a name the spec gives a node is never taken by them.

A mixin of GraphBuilder: contexts (a cond's branch, a loop) are recorded per draft as it is
created (`_branch_of`, with the pivot then in force); the switches and enters a context
reads through are made in `finish`, once every reference is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from idrun.errors import SpecError
from idrun.graph import TensorRef, TensorType
from idrun.ops import REGISTRY
from idrun.spec.drafts import _Draft
from idrun.spec.names import join
from idrun.spec.yamlsrc import YMap, check_keys, loc_of

COND_KEYS = ("cond", "name", "outputs", "true_fn", "false_fn")
BRANCH_KEYS = ("nodes", "return")
LOOP_KEYS = ("while_loop", "name", "outputs", "cond", "body", "maximum_iterations", "parallel_iterations")
LOOP_PART_KEYS = ("args", "nodes", "return")


@dataclass(eq=False)
class _Branch:
    """A context values come into: one branch of one cond (TF's CondContext), or one while
    loop (TF's WhileContext: its cond and body share it, and what it has brought in)."""

    uid: int
    branch: int               # 1: true_fn, 0: false_fn; -1: a loop
    pivot: str                # what a node with no inputs waits on (set per part in a loop)
    pred_id: str              # a cond's; a loop's frame name
    scope: str
    parent: "_Branch | None"
    captured: dict = field(default_factory=dict)   # TensorRef outside -> its switch or enter output
    parallel_iterations: int = 10
    # a loop's own nodes, as TF's WhileContext keeps them for its gradient (spec/loop_gradients.py):
    # its loop variables' enters and exits, and its LoopCond
    loop_enters: list = field(default_factory=list)
    loop_exits: list = field(default_factory=list)
    loop_cond: str = ""

    @property
    def is_loop(self) -> bool:
        return self.branch < 0

    def encloses(self, other: "_Branch | None") -> bool:
        """Whether a node of context `other` is inside this context (or is it)."""
        while other is not None:
            if other is self:
                return True
            other = other.parent
        return False


class ControlFlowBuilder:
    """Builder methods for `cond` and `while_loop` entries."""

    def _add_cond(self, entry: YMap, loc) -> None:
        check_keys(entry, COND_KEYS, "a cond entry", loc)
        if not self.expand:
            raise SpecError("a `cond` entry needs `expand: true` (a graph TF wrote has its "
                            "switch and merge nodes as entries)", loc)
        scope = self._enter_scope(entry.get("name") or "cond", loc_of(entry, "name", loc))
        pred = self._eager(entry["cond"], loc_of(entry, "cond", loc))
        if self.drafts[pred.node].opdef.source == "variable":
            raise SpecError("the predicate is a variable: read it (op: read) first", loc_of(entry, "cond", loc))
        if self.observer:
            self.observer.enter_cond(self, entry, scope)
        outer_scope, self._scope = self._scope, scope
        try:
            switch = self._cf_draft("switch", "Switch", [pred, pred], loc)
            pivots = {1: self._cf_draft("identity", "switch_t", [TensorRef(switch, 1)], loc),
                      0: self._cf_draft("identity", "switch_f", [TensorRef(switch, 0)], loc)}
            pred_id = self._cf_draft("identity", "pred_id", [pred], loc)
            self._next_uid += 1
            uid, results, contexts = self._next_uid, {}, {}
            for branch, key in ((1, "true_fn"), (0, "false_fn")):
                ctx = contexts[branch] = _Branch(uid, branch, pivots[branch], pred_id, scope, self._branch)
                results[branch] = self._build_branch(entry, key, ctx, loc)
            if len(results[0]) != len(results[1]):
                raise SpecError(f"the branches return {len(results[1])} (true) and {len(results[0])} "
                                "(false) values: they must return as many", loc)
            merges = []
            for f, t in zip(results[0], results[1]):
                merge = self._cf_draft("merge", "Merge", [f, t], loc)
                self._merge_branches[merge] = (contexts[0], contexts[1])
                merges.append(merge)
        finally:
            self._scope = outer_scope
        if self.observer:
            self.observer.exit_cond(self, entry, pred, merges)
        self._name_outputs(entry, merges, loc)

    def _build_branch(self, entry: YMap, key: str, ctx: _Branch, loc) -> list[TensorRef]:
        body = entry.get(key)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise SpecError(f"`{key}` is a mapping with `nodes` (what the branch creates) and "
                            "`return` (what it returns)", loc_of(entry, key, loc))
        check_keys(body, BRANCH_KEYS, "a branch", loc)
        saved, self._branch = self._branch, ctx
        if self.observer:
            self.observer.enter_part(self, key, [])
        try:
            if body.get("nodes"):
                self.add_entries(body["nodes"], loc_of(body, "nodes", loc))
            returned = body.get("return", [])
            if not isinstance(returned, list):
                returned = [returned]
            where = loc_of(body, "return", loc)
            for i, text in enumerate(returned):
                if not isinstance(text, str) or not text:
                    raise SpecError(f"a branch returns tensor names, got {text!r}", loc_of(returned, i) or where)
            # resolved in finish, as any input (an EMA's shadow is made there); a variable
            # returned is read in its branch, as tf.cond converts it
            refs = [self.pending(text, loc_of(returned, i) or where) for i, text in enumerate(returned)]
        finally:
            self._branch = saved
        if self.observer:
            self.observer.exit_part(self, refs)
        return refs

    def _eager(self, text: Any, loc) -> TensorRef:
        """A reference resolved now, as TF's Python reads it when the cond is built."""
        if not isinstance(text, str) or not text:
            raise SpecError(f"expected a tensor name, got {text!r}", loc)
        return self.resolve(self.pending(text, loc))

    def _cf_draft(self, op: str, short: str, inputs: list, loc, role: str = "cond",
                  attrs: dict | None = None) -> str:
        """A node TF's cond or while_loop makes itself, in the current scope and blocks."""
        draft = self._draft_here(self.namer.unique(join(self._scope, short)), op, inputs, attrs or {}, loc, role)
        self._register(draft)
        return draft.name

    def _name_outputs(self, entry: YMap, merges: list[str], loc) -> None:
        names = entry.get("outputs")
        if names is None:
            return
        if not isinstance(names, list) or len(names) != len(merges) or not all(isinstance(n, str) for n in names):
            raise SpecError(f"`outputs` names each of the {len(merges)} results once", loc_of(entry, "outputs", loc))
        from idrun.spec.drafts import _Pending
        for name, merge in zip(names, merges):
            full = join(self._scope, name)
            if full in self.aliases or full in self.drafts:
                raise SpecError(f"'{full}' is already defined", loc_of(entry, "outputs", loc))
            self.aliases[full] = (_Pending(merge, loc, "", None, ""), loc)
            self._born_now(full)
            self._created.append(full)

    # ---- while_loop ------------------------------------------------------------------------
    def _add_while_loop(self, entry: YMap, loc) -> None:
        check_keys(entry, LOOP_KEYS, "a while_loop entry", loc)
        if not self.expand:
            raise SpecError("a `while_loop` entry needs `expand: true`", loc)
        init = entry["while_loop"]
        where = loc_of(entry, "while_loop", loc)
        if not isinstance(init, list) or not init:
            raise SpecError("`while_loop` lists the loop variables' initial values (loop_vars)", where)
        scope = self._enter_scope(entry.get("name") or "while", loc_of(entry, "name", loc))
        written = [self._eager(text, loc_of(init, i) or where) for i, text in enumerate(init)]
        starts = [self._loop_start(ref, loc_of(init, i) or where) for i, ref in enumerate(written)]
        parallel = entry.get("parallel_iterations", 10)
        if self.observer:
            self.observer.enter_cond(self, entry, scope)
        user_starts = written   # the exported program passes a variable itself, as its TF program does
        outer_scope, self._scope = self._scope, scope
        outer_controllers, self._controllers = self._controllers, []   # TF: control_dependencies(None)
        try:
            limit = entry.get("maximum_iterations")
            if limit is not None:
                limit = self._loop_limit(limit, loc_of(entry, "maximum_iterations", loc))
                starts = [self._loop_const("iteration_counter", 0, loc)] + starts
            self._next_uid += 1
            ctx = _Branch(self._next_uid, -1, "", f"{scope}/while_context", scope, self._branch,
                          parallel_iterations=parallel)
            enters = [self._cf_draft("enter", "Enter", [ref], loc, role="loop_var_enter",
                                     attrs={"frame_name": ctx.pred_id, "is_constant": False,
                                            "parallel_iterations": parallel}) for ref in starts]
            for e in enters:   # in the loop's frame (their inputs come from outside)
                self._branch_of[e] = ctx
            saved, self._branch = self._branch, ctx
            try:
                merges = [self._cf_draft("merge", "Merge", [TensorRef(e, 0), TensorRef(e, 0)], loc, role="loop")
                          for e in enters]
                ctx.pivot = merges[0]
                user = merges[1:] if limit is not None else merges
                pred = self._loop_part(entry, "cond", user, loc, single=True)[0]
                if limit is not None:   # TF: logical_and(i < maximum_iterations, cond(*loop_vars)),
                    # made after the spec's own nodes so that their names stay as written
                    bound = self._cf_draft("less", "Less", [TensorRef(merges[0], 0), limit], loc)
                    pred = TensorRef(self._cf_draft("logical_and", "LogicalAnd", [TensorRef(bound, 0), pred], loc), 0)
                loop_cond = self._cf_draft("loop_cond", "LoopCond", [pred], loc)
                switches = [self._cf_draft("switch", "Switch", [TensorRef(m, 0), TensorRef(loop_cond, 0)], loc,
                                           role="loop") for m in merges]
                identities = [self._cf_draft("identity", "Identity", [TensorRef(s, 1)], loc) for s in switches]
                ctx.pivot = identities[0]
                nexts = self._loop_part(entry, "body", identities[1:] if limit is not None else identities, loc)
                if limit is not None:   # TF's counter step (after the spec's nodes: their names stay)
                    nexts.insert(0, self._loop_add_one(identities[0], loc))
                if len(nexts) != len(merges):
                    raise SpecError(f"the body returns {len(nexts) - (limit is not None)} values for "
                                    f"{len(merges) - (limit is not None)} loop variables", loc_of(entry, "body", loc))
                for merge, value in zip(merges, nexts):
                    step = self._cf_draft("next_iteration", "NextIteration", [value], loc)
                    self.drafts[merge].inputs[1] = TensorRef(step, 0)
            finally:
                self._branch = saved
            exits = [self._cf_draft("exit", "Exit", [TensorRef(s, 0)], loc) for s in switches]
            ctx.loop_enters, ctx.loop_exits, ctx.loop_cond = enters, exits, loop_cond
        finally:
            self._scope, self._controllers = outer_scope, outer_controllers
        if self.observer:
            self.observer.exit_loop(self, entry, user_starts, exits[1:] if limit is not None else exits, limit)
        self._name_outputs(entry, exits[1:] if limit is not None else exits, loc)

    def _loop_start(self, ref: TensorRef, loc) -> TensorRef:
        """A loop variable's initial tensor: a variable enters as its value, as TF's
        `convert_to_tensor` of loop_vars reads it (resource: a `ReadVariableOp` made before the
        loop's scope; ref: the variable's `x/read`)."""
        draft = self.drafts.get(ref.node)
        if draft is not None and draft.opdef.source == "variable":
            self._draft_of(ref.node)   # typed now: its read is typed from it
            return self._layer_read(ref.node, loc)
        return ref

    def _loop_part(self, entry: YMap, key: str, params: list[str], loc, single: bool = False) -> list:
        """A loop's cond or body: its `args` name the loop variables (`params`) while its
        nodes are built; its `return` is resolved then, as TF's Python calls the function."""
        part = entry.get(key)
        where = loc_of(entry, key, loc)
        if not isinstance(part, dict):
            raise SpecError(f"`{key}` is a mapping with `args` (the loop variables' names), `nodes` "
                            "and `return`", where)
        check_keys(part, LOOP_PART_KEYS, f"a loop's {key}", loc)
        args = part.get("args", [])
        if not isinstance(args, list) or len(args) != len(params) or not all(isinstance(a, str) for a in args):
            raise SpecError(f"`args` names each of the {len(params)} loop variables once", loc_of(part, "args", where))
        from idrun.spec.drafts import _Pending
        names = [join(self._scope, a) for a in args]
        for name, param in zip(names, params):
            if name in self.aliases or name in self.drafts:
                raise SpecError(f"'{name}' is already defined", loc_of(part, "args", where))
            self.aliases[name] = (_Pending(param, where, "", None, ""), where)
            self._born_now(name)
        start = len(self._created)
        if self.observer:
            self.observer.enter_part(self, key, params)
        try:
            if part.get("nodes"):
                self.add_entries(part["nodes"], loc_of(part, "nodes", where))
            returned = part.get("return", [])
            if single and isinstance(returned, list) and len(returned) != 1:
                raise SpecError("a loop's cond returns one bool tensor", loc_of(part, "return", where))
            if not isinstance(returned, list):
                returned = [returned]
            refs = [self._eager(text, loc_of(returned, i) or where) for i, text in enumerate(returned)]
            for name in self._created[start:]:   # now, while `args` mean this part's variables
                if name in self.drafts:
                    self._resolve_inputs(self.drafts[name])
        finally:
            for name in names:
                del self.aliases[name]
        if self.observer:
            self.observer.exit_part(self, refs)
        return refs

    def _loop_limit(self, limit: Any, loc) -> TensorRef:
        if isinstance(limit, str):
            return self._eager(limit, loc)
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise SpecError(f"maximum_iterations is an int32 tensor or an integer, got {limit!r}", loc)
        return self._loop_const("maximum_iterations", limit, loc)

    def _loop_const(self, short: str, value: int, loc) -> TensorRef:
        draft = _Draft(self.namer.unique(join(self._scope, short)), REGISTRY["const"], [],
                       {"value": value, "dtype": "int32"}, "", loc, role="loop")
        draft.outputs = (TensorType("int32", ()),)
        self._register(draft)
        return TensorRef(draft.name, 0)

    def _loop_add_one(self, counter: str, loc) -> TensorRef:
        """TF's counter step: `i + 1`, its 1 a constant waiting on the body's pivot."""
        name = self.namer.unique(join(self._scope, "add"))
        one = _Draft(self.namer.unique(f"{name}/y"), REGISTRY["const"], [], {"value": 1, "dtype": "int32"},
                     "", loc, role="loop")
        one.outputs = (TensorType("int32", ()),)
        self._register(one)
        add = _Draft(name, REGISTRY["add"], [TensorRef(counter, 0), TensorRef(one.name, 0)], {}, "", loc, role="loop")
        self._register(add)
        return TensorRef(add.name, 0)

    # ---- in finish: the switches a branch reads through -------------------------------------
    def _capture_branches(self) -> None:
        if not self._branch_of and not self._merge_branches:
            return
        for draft in list(self.drafts.values()):
            self._capture_draft(draft)

    def _capture_draft(self, draft: _Draft) -> None:
        """Route `draft`'s inputs from outside its context (and its resource reads') through
        the context's switches and enters, once: at the end, or when a gradient is built
        (TF's gradient reads the switches the forward graph has by then)."""
        sides = self._merge_branches.get(draft.name)
        for late in list(self.before.get(draft.name, ())):   # resource reads made for it
            if late.name in self._captures_done:
                continue
            ctx = self._branch_of.get(draft.name)
            if sides is not None and TensorRef(late.name, 0) in draft.inputs:   # a returned variable
                ctx = sides[draft.inputs.index(TensorRef(late.name, 0))]
            if ctx is not None and late.name not in self._branch_of:
                self._branch_of[late.name] = ctx
            self._capture_inputs(late, draft.name)
        self._capture_inputs(draft, draft.name)

    def _capture_for_gradient(self, names: list[str]) -> bool:
        """Capture the inputs of the nodes of a cond a gradient walks back through, now; whether
        any changed (then the walk is redone over the switches)."""
        changed = False
        for n in names:
            draft = self.drafts.get(n)
            if draft is None or draft.name in self._captures_done:
                continue
            if draft.name in self._merge_branches or draft.name in self._branch_of:
                before = [list(d.inputs) for d in [draft, *self.before.get(draft.name, ())]]
                self._capture_draft(draft)
                after = [list(d.inputs) for d in [draft, *self.before.get(draft.name, ())]]
                changed = changed or before != after
        return changed

    def _cond_context(self, name: str) -> "_Branch | None":
        """The cond branch a switch that brings a tensor into it was made for (TF's Switch op's
        CondContext); for a cond's merge, its true branch (both share the predicate)."""
        sides = self._merge_branches.get(name)
        if sides is not None:
            return sides[1]
        return self._switch_context.get(name)

    def _capture_inputs(self, draft: _Draft, place: str) -> None:
        if draft.name in self._captures_done:
            return
        self._captures_done.add(draft.name)
        sides = self._merge_branches.get(draft.name)
        if sides is not None:   # a cond's merge: each result from outside its branch is switched
            draft.inputs = [self._captured(ref, ctx, join(ctx.scope, "Switch"), place)
                            for ref, ctx in zip(draft.inputs, sides)]
            return
        ctx = self._branch_of.get(draft.name)
        if ctx is not None and draft.role == "loop_var_enter":   # it reads from the loop's context
            ctx = ctx.parent
        if ctx is None or draft.role == "loop_enter":   # (an enter made by a capture reads captured)
            return
        draft.inputs = [ref if self._loop_back_edge(draft, i) else self._captured(ref, ctx, draft.name, place)
                        for i, ref in enumerate(draft.inputs)]
        if not draft.inputs and draft.opdef.source != "variable" and not self._waits_inside(draft, ctx):
            # TF: an op with no inputs and no control input from its context waits on the pivot
            draft.extra_controls.insert(0, self._pivot_at.get(draft.name, ctx.pivot))

    def _waits_inside(self, draft: _Draft, ctx: _Branch) -> bool:
        """Whether a control input of `draft` (from its blocks, or its own) is made in `ctx`."""
        names = list(draft.extra_controls)
        for controller in draft.active:
            for ref in controller.refs:
                try:
                    names.append(self.resolve(ref).node)
                except SpecError:   # reported where controls are attached
                    pass
        return any(ctx.encloses(self._branch_of.get(n)) for n in names)

    def _loop_back_edge(self, draft: _Draft, position: int) -> bool:
        return draft.role == "loop" and draft.opdef.name == "merge" and position == 1

    def _captured(self, ref: TensorRef, ctx: _Branch, reader: str, place: str) -> TensorRef:
        """`ref` as a node of context `ctx` reads it: through a switch per branch and an enter
        per loop it is outside of, outermost first (each made once per context and tensor)."""
        if type(ref) is not TensorRef:
            return ref
        producer = self._branch_of.get(ref.node)
        chain = []
        level = ctx
        while level is not None and not level.encloses(producer):
            chain.append(level)
            level = level.parent
        for level in reversed(chain):
            through = level.captured.get(ref)
            if through is None:
                through = level.captured[ref] = self._capture_node(ref, level, reader, place)
            ref = through
        return ref

    def _capture_node(self, ref: TensorRef, level: _Branch, reader: str, place: str) -> TensorRef:
        loc = (self.drafts.get(place) or self.late[place]).loc
        name = reader if reader.endswith("/Switch") else f"{reader}/{'Enter' if level.is_loop else 'Switch'}"
        if level.is_loop:   # TF: Enter(x, frame, is_constant=True), in the loop's context
            node = _Draft(self.namer.unique(name), REGISTRY["enter"], [ref],
                          {"frame_name": level.pred_id, "is_constant": True,
                           "parallel_iterations": level.parallel_iterations}, "", loc, role="loop_enter")
            self._branch_of[node.name] = level
            out = TensorRef(node.name, 0)
        else:               # TF: Switch(x, pred_id), colocated with x, outside the branch
            node = _Draft(self.namer.unique(name), REGISTRY["switch"], [ref, TensorRef(level.pred_id, 0)],
                          {}, "", loc, role="cond", colocate=ref.node)
            if level.parent is not None:
                self._branch_of[node.name] = level.parent
            self._switch_context[node.name] = level
            out = TensorRef(node.name, level.branch)
        if self._variable_like(ref):
            node.ref_positions = (0,)
        self._captures_done.add(node.name)
        self.before.setdefault(place, []).insert(0, node)
        self.late[node.name] = node
        return out

    def _variable_like(self, ref: TensorRef) -> bool:
        draft = self.drafts.get(ref.node) or self.late.get(ref.node)
        return draft is not None and (draft.opdef.source == "variable" or self._forwards_variable(draft))
