"""`cond` entries: tf.cond as TF 1.x's `control_flow_ops.cond` builds it (control flow v1).

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

A mixin of GraphBuilder: branch contexts are recorded per draft as they are created
(`_branch_of`); the captures are made in `finish`, once every reference is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from idrun.errors import SpecError
from idrun.graph import TensorRef
from idrun.ops import REGISTRY
from idrun.spec.drafts import _Draft
from idrun.spec.names import join
from idrun.spec.yamlsrc import YMap, loc_of

COND_KEYS = ("cond", "name", "outputs", "true_fn", "false_fn")
BRANCH_KEYS = ("nodes", "return")


@dataclass(eq=False)
class _Branch:
    """One branch of one cond while it is built: TF's CondContext."""

    uid: int
    branch: int               # 1: true_fn, 0: false_fn
    pivot: str                # cond/switch_t or cond/switch_f
    pred_id: str
    scope: str
    parent: "_Branch | None"
    captured: dict = field(default_factory=dict)   # TensorRef outside -> the switch output

    def encloses(self, other: "_Branch | None") -> bool:
        """Whether a node of branch `other` is inside this branch (or is it)."""
        while other is not None:
            if other is self:
                return True
            other = other.parent
        return False


class CondBuilder:
    """Builder methods for `cond` entries."""

    def _add_cond(self, entry: YMap, loc) -> None:
        for key in entry:
            if key not in COND_KEYS:
                raise SpecError(f"unknown key '{key}' in a cond entry (allowed: {', '.join(COND_KEYS)})",
                                loc_of(entry, key, loc))
        if not self.expand:
            raise SpecError("a `cond` entry needs `expand: true` (a graph TF wrote has its "
                            "switch and merge nodes as entries)", loc)
        scope = self._enter_scope(entry.get("name") or "cond", loc_of(entry, "name", loc))
        pred = self._eager(entry["cond"], loc_of(entry, "cond", loc))
        if self.drafts[pred.node].opdef.source == "variable":
            raise SpecError("the predicate is a variable: read it (op: read) first", loc_of(entry, "cond", loc))
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
        self._name_outputs(entry, merges, loc)

    def _build_branch(self, entry: YMap, key: str, ctx: _Branch, loc) -> list[TensorRef]:
        body = entry.get(key)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise SpecError(f"`{key}` is a mapping with `nodes` (what the branch creates) and "
                            "`return` (what it returns)", loc_of(entry, key, loc))
        for k in body:
            if k not in BRANCH_KEYS:
                raise SpecError(f"unknown key '{k}' in a branch (allowed: nodes, return)", loc_of(body, k, loc))
        saved, self._branch = self._branch, ctx
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
        return refs

    def _eager(self, text: Any, loc) -> TensorRef:
        """A reference resolved now, as TF's Python reads it when the cond is built."""
        if not isinstance(text, str) or not text:
            raise SpecError(f"expected a tensor name, got {text!r}", loc)
        return self.resolve(self.pending(text, loc))

    def _cf_draft(self, op: str, short: str, inputs: list, loc) -> str:
        """A node TF's cond makes itself, in the current scope and blocks."""
        draft = _Draft(self.namer.unique(join(self._scope, short)), REGISTRY[op], list(inputs), {},
                       self._device_strings.get(self._device, (str(self._device),))[0], loc,
                       active=tuple(self._controllers), role="cond",
                       device_from="block" if str(self._device) else "", requested=self._device.tf_string())
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

    # ---- in finish: the switches a branch reads through -------------------------------------
    def _capture_branches(self) -> None:
        if not self._branch_of and not self._merge_branches:
            return
        for draft in list(self.drafts.values()):
            sides = self._merge_branches.get(draft.name)
            for late in list(self.before.get(draft.name, ())):   # resource reads made for it
                ctx = self._branch_of.get(draft.name)
                if sides is not None and TensorRef(late.name, 0) in draft.inputs:   # a returned variable
                    ctx = sides[draft.inputs.index(TensorRef(late.name, 0))]
                if ctx is not None and late.name not in self._branch_of:
                    self._branch_of[late.name] = ctx
                self._capture_inputs(late, draft.name)
            self._capture_inputs(draft, draft.name)

    def _capture_inputs(self, draft: _Draft, place: str) -> None:
        sides = self._merge_branches.get(draft.name)
        if sides is not None:   # a merge: each result from outside its branch is switched
            draft.inputs = [self._captured(ref, ctx, join(ctx.scope, "Switch"), place)
                            for ref, ctx in zip(draft.inputs, sides)]
            return
        ctx = self._branch_of.get(draft.name)
        if ctx is None:
            return
        draft.inputs = [self._captured(ref, ctx, f"{draft.name}/Switch", place) for ref in draft.inputs]
        if not draft.inputs and draft.opdef.source != "variable" and not any(
                ctx.encloses(self._branch_of_controller.get(c.uid)) for c in draft.active):
            # TF: an op with no inputs and no control input from its branch waits on the pivot
            draft.extra_controls.insert(0, ctx.pivot)

    def _captured(self, ref: TensorRef, ctx: _Branch, name: str, place: str) -> TensorRef:
        """`ref` as a node of branch `ctx` reads it: through a switch per branch it is outside of."""
        if type(ref) is not TensorRef:
            return ref
        producer = self._branch_of.get(ref.node)
        chain = []
        level = ctx
        while level is not None and not level.encloses(producer):
            chain.append(level)
            level = level.parent
        for level in reversed(chain):
            switched = level.captured.get(ref)
            if switched is None:
                switch = _Draft(self.namer.unique(name), REGISTRY["switch"],
                                [ref, TensorRef(level.pred_id, 0)], {}, "", self.drafts[place].loc,
                                role="cond", colocate=ref.node)
                if self._variable_like(ref):
                    switch.ref_positions = (0,)
                if level.parent is not None:
                    self._branch_of[switch.name] = level.parent
                self.before.setdefault(place, []).insert(0, switch)
                self.late[switch.name] = switch
                switched = level.captured[ref] = TensorRef(switch.name, level.branch)
            ref = switched
        return ref

    def _variable_like(self, ref: TensorRef) -> bool:
        draft = self.drafts.get(ref.node) or self.late.get(ref.node)
        return draft is not None and (draft.opdef.source == "variable" or self._forwards_variable(draft))
