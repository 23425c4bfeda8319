"""`exponential_decay` entries: tf.compat.v1.train.exponential_decay as TF 2.21's
`learning_rate_schedule.ExponentialDecay` builds it in a graph.

    - exponential_decay: 0.1          # learning_rate (a float)
      global_step: global_step        # a variable or tensor (cast to the learning rate's dtype)
      decay_steps: 350
      decay_rate: 0.1
      staircase: true                 # default false
      name: ExponentialDecay          # the scope, and the name of the result (made unique)

What is built, under the scope `name` (as TF names it; tests/test_training.py pins it):
`initial_learning_rate` (Const), `Cast/x` and `Cast` (decay_steps: an int is an int32 Const
cast to float32; a float is its float32 Const, no Cast), `Cast_1/x` (and `Cast_1`) for
decay_rate, `Cast_2` (the global step as float32), `truediv` (RealDiv), `Floor` when
staircase, `Pow`, and the result, a Mul named `name` itself: the decayed rate
lr * decay_rate ^ (step / decay_steps). An optimizer's `learning_rate: <name>` takes it.

A mixin of GraphBuilder (through GradientsBuilder).
"""

from __future__ import annotations

from typing import Any

from idrun.errors import SpecError
from idrun.graph import TensorRef
from idrun.spec.names import join
from idrun.spec.yamlsrc import YMap, check_keys, loc_of

DECAY_KEYS = ("exponential_decay", "global_step", "decay_steps", "decay_rate", "staircase", "name")


def _number(entry: YMap, key: str, loc) -> int | float:
    if key not in entry:
        raise SpecError(f"an exponential_decay entry needs `{key}`", loc)
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"`{key}` must be a number, got {value!r}", loc_of(entry, key, loc))
    return value


class ScheduleBuilder:
    """Builder methods for learning-rate schedules."""

    def _schedule_draft(self, op: str, full: str, inputs: list, attrs: dict, loc, exact: bool = False) -> TensorRef:
        """A node of this exact name in the current device and control blocks; a variable input
        is read as any node's is (`x/read`, or a read of its own in resource mode). `exact`: the
        name of the scope itself (TF's `name=scope`), which the scope has reserved."""
        draft = self._draft_here(full if exact else self.namer.unique(full), op, [], dict(attrs), loc, "gradient")
        draft.inputs = [self._bind_input(draft, k, ref) for k, ref in enumerate(inputs)]
        for ref in draft.inputs:  # a read made for it is typed now, as the forward nodes are
            read = self._draft_of(ref.node)
            if not read.outputs:
                self._type(read)
        self._register(draft)
        self._type(draft)
        return TensorRef(draft.name, 0)

    def _cast_to(self, scope: str, short: str, value: Any, dtype: str, loc) -> TensorRef:
        """`math_ops.cast(value, dtype)` in the scope `short`: a Python number becomes its Const
        `short/x` first (int32 or float32, as convert_to_tensor makes it); no Cast when the dtype
        already matches."""
        inner = join(scope, short)
        if isinstance(value, TensorRef):
            ref = value
            have = self._tensor_type(value, loc).dtype
        else:
            have = "int32" if isinstance(value, int) else "float32"
            ref = self._schedule_draft("const", join(inner, "x"), [], {"value": value, "dtype": have}, loc)
        if have == dtype:
            if isinstance(value, TensorRef) and self._draft_of(value.node).opdef.source == "variable":
                raise SpecError(f"global_step '{value.node}' is a {have} variable: name a read of it "
                                "(or use an integer global step)", loc)
            return ref
        return self._schedule_draft("cast", inner, [ref], {"dtype": dtype}, loc)

    def _add_exponential_decay(self, entry: YMap, loc) -> None:
        check_keys(entry, DECAY_KEYS, "an exponential_decay entry", loc)
        rate = entry["exponential_decay"]
        where = loc_of(entry, "exponential_decay", loc)
        if isinstance(rate, bool) or not isinstance(rate, float):
            raise SpecError(f"`exponential_decay` is the initial learning rate, a float (TF computes in its "
                            f"dtype: write 0.1 or 1.0), got {rate!r}", where)
        if "global_step" not in entry:
            raise SpecError("an exponential_decay entry needs `global_step` (a variable or tensor)", loc)
        step = self._eager(entry["global_step"], loc_of(entry, "global_step", loc))
        steps, decay = _number(entry, "decay_steps", loc), _number(entry, "decay_rate", loc)
        staircase = entry.get("staircase", False)
        if not isinstance(staircase, bool):
            raise SpecError("`staircase` must be true or false", loc_of(entry, "staircase", loc))
        name = entry.get("name") or "ExponentialDecay"
        if not isinstance(name, str):
            raise SpecError("`name` must be a string", loc_of(entry, "name", loc))
        scope = self._enter_scope(name, loc_of(entry, "name", loc))
        outer, self._scope = self._scope, scope
        try:
            lr = self._schedule_draft("const", join(scope, "initial_learning_rate"), [],
                                      {"value": rate, "dtype": "float32"}, loc)
            steps_t = self._cast_to(scope, "Cast", steps, "float32", loc)
            decay_t = self._cast_to(scope, "Cast_1", decay, "float32", loc)
            step_t = self._cast_to(scope, "Cast_2", step, "float32", loc)
            p = self._schedule_draft("div", join(scope, "truediv"), [step_t, steps_t], {}, loc)
            if staircase:
                p = self._schedule_draft("floor", join(scope, "Floor"), [p], {}, loc)
            power = self._schedule_draft("pow", join(scope, "Pow"), [decay_t, p], {}, loc)
            result = self._schedule_draft("mul", scope, [lr, power], {}, loc, exact=True)
        finally:
            self._scope = outer
        if self.observer and hasattr(self.observer, "exponential_decay"):
            self.observer.exponential_decay(self, entry, step, result.node)
