"""`gradients` and `minimize` entries: tf.gradients and Optimizer.minimize as TF 1.x's
`gradients_util.py` and `optimizer.py` build them.

    - gradients: loss              # ys: a name or a list (tf.gradients(ys, xs, grad_ys, name))
      xs: [w, b]
      name: gradients              # the name scope (default `gradients`, made unique)
      outputs: [dw, db]            # names for d(sum ys)/dx, one per x

    - minimize: loss               # optimizer.minimize(loss, var_list, global_step, name)
      name: train                  # the train op (default: the optimizer's name)
      optimizer: {type: GradientDescent, learning_rate: 0.1}   # or Momentum (momentum:, use_nesterov:)
      var_list: [w, b]             # default: TRAINABLE_VARIABLES as it is here (trainable variables made so far)
      global_step: global_step     # optional: incremented after the updates

What is built, as TF builds it (tests/test_gradients.py pins it against TF's graph):
- `gradients/Shape` and `gradients/grad_ys_0/Const`, `gradients/grad_ys_0` (Fill): each y's
  initial gradient, unless `grad_ys` gives it;
- only the ops on a path from an x to a y get a gradient (TF's `_PendingCount`): the ops that
  reach a y, walked back from the ys, that an x reaches; each in the order TF's queue takes
  them (an op once every consumer on such a path gave its gradient);
- an output with several gradients adds them (`gradients/AddN`...), in the `gradients` scope;
- each op's gradient is its OpDef's `grad` (TF's registered gradient, defined in the op's
  family module) under `gradients/<op>_grad/`; an op without one is an error naming it and its entry;
- an output of a multi-output op that no gradient reaches gets `gradients/zeros_like`;
- `minimize` (gate_gradients=GATE_OP): an op with more than one input gradient gates them
  with `<op>_grad/tuple/group_deps` and `tuple/control_dependency`... (tf.tuple); then under
  the name scope `train` (the minimize name): `learning_rate` (and Momentum's `momentum`),
  `update_<var>/ResourceApplyGradientDescent` (ref: ApplyGradientDescent) per variable a
  gradient reaches, Momentum's slot `<var>/Momentum` (a zeros variable made with the
  variable), `update` (NoOp) and `Const` + the AssignAddVariableOp `train` on the global
  step; without a global step `train` is the NoOp.

A gather's gradient (embedding_lookup, an axis-0 gather, ResourceGather) is TF's IndexedSlices
(`ops/gradlib.IndexedSlices`: values, indices, dense_shape), never made dense unless TF makes it
so: several reaching one tensor are concatenated (`gradients/concat`, `concat_1`), mixed with
dense gradients they are added by `AddN` converting each (`AddN_1/inputs_<k>`), and any op given
one converts it in its own scope under its argument's name (`Mul/x`), as TF's op helper does.
`outputs:` of a `gradients`/`compute_gradients` entry names such a gradient's three tensors:
NAME its values, NAME/indices and NAME/dense_shape (TF's tf.gradients returns the IndexedSlices
object; no node is added, so the graph stays TF's). `apply_gradients` updates only its rows with
each optimizer's sparse ops (`_sparse_update_op`).

A mixin of GraphBuilder. The forward nodes a gradient needs are resolved and typed when the
entry is read (TF's gradient functions branch on static shapes), so ys and xs must be made
before the entry, as in TF's Python.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from idrun.errors import SpecError, did_you_mean
from idrun.graph import TensorRef, TensorType
from idrun.ops import REGISTRY
from idrun.ops.gradlib import IndexedSlices, first_dim
from idrun.ops.opdef import MISSING
from idrun.spec.drafts import _Draft
from idrun.spec.loop_gradients import TRAINABLE, LoopGradientsBuilder
from idrun.spec.names import join
from idrun.spec.schedules import ScheduleBuilder
from idrun.spec.yamlsrc import YMap, check_keys, loc_of

CONTROL_FLOW_OPS = frozenset({"switch", "switch_n", "merge", "enter", "exit", "next_iteration", "loop_cond"})
LOOP_OPS = frozenset({"enter", "exit", "next_iteration", "loop_cond"})
# ops whose TF gradient keeps an IndexedSlices sparse in its own way (the cond gradients' Switch/Merge
# of values and indices): refused rather than converted. A concat's gradient takes it
# (`_ConcatGradHelper`'s IndexedSlices branch, ops/array.py)
SLICES_AWARE = frozenset()   # a cond's switch and merge take it too (ops/control_flow.py)
GRADIENTS_KEYS = ("gradients", "xs", "grad_ys", "name", "outputs", "colocate_gradients_with_ops")
MINIMIZE_KEYS = ("minimize", "optimizer", "var_list", "global_step", "name", "colocate_gradients_with_ops")
COMPUTE_KEYS = ("compute_gradients", "var_list", "outputs", "colocate_gradients_with_ops")
APPLY_KEYS = ("apply_gradients", "optimizer", "global_step", "name")
OPTIMIZERS = {  # type -> (TF's default name, its hyperparameters and their defaults)
    "GradientDescent": ("GradientDescent", {"learning_rate": None}),
    "Momentum": ("Momentum", {"learning_rate": None, "momentum": None, "use_nesterov": False}),
    "Adam": ("Adam", {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-08}),
    "RMSProp": ("RMSProp", {"learning_rate": None, "decay": 0.9, "momentum": 0.0, "epsilon": 1e-10}),
    "Adagrad": ("Adagrad", {"learning_rate": None, "initial_accumulator_value": 0.1}),
}
HYPER_CONSTS = {"GradientDescent": ("learning_rate",), "Momentum": ("learning_rate", "momentum"),
                "Adam": ("learning_rate", "beta1", "beta2", "epsilon"),
                "RMSProp": ("learning_rate", "decay", "momentum", "epsilon"),
                "Adagrad": ("learning_rate",)}   # `_prepare`'s constants, in its order
# the slots `_create_slots` makes per variable: `<var>/<name><suffix>`, filled with a number or a
# hyperparameter (RMSProp's rms starts at ones, Adagrad's accumulator at initial_accumulator_value)
SLOTS = {"GradientDescent": (), "Momentum": (("", 0.0),), "Adam": (("", 0.0), ("_1", 0.0)),
         "RMSProp": (("", 1.0), ("_1", 0.0)), "Adagrad": (("", "initial_accumulator_value"),)}


class _ForwardOp:
    """The forward node as a gradient function sees it (TF's `op`)."""

    def __init__(self, draft: _Draft) -> None:
        self.name = draft.name
        self.attrs = draft.attrs
        self.inputs = list(draft.inputs)
        self.outputs = [TensorRef(draft.name, k) for k in range(len(draft.outputs))]


class _GradContext:
    """What a gradient function builds with (`g` in each OpDef's `grad`)."""

    def __init__(self, builder: Any, loc) -> None:
        self.b, self.loc = builder, loc
        self.zeros: set[str] = set()
        self.cache = builder.grad_cache    # per graph, as TF's `graph._reduced_shape_cache`

    def make(self, op: str, short: str, inputs: list, attrs: dict | None = None,
             controls: list | None = None) -> TensorRef:
        if any(type(x) is IndexedSlices for x in inputs):   # TF's op helper converts it first
            return self.b._make_converting(self, op, short, inputs, attrs or {}, controls)
        return TensorRef(self.b._grad_draft(op, short, inputs, attrs or {}, self.loc, controls), 0)

    def dense(self, x, name: str = "UnsortedSegmentSum"):
        """`_IndexedSlicesToTensorNoWarning(x)`: a tensor as it is, an IndexedSlices summed into
        its dense shape here (`strided_slice`, UnsortedSegmentSum)."""
        return self.b._slices_to_tensor(self, x, name) if type(x) is IndexedSlices else x

    def const(self, short: str, value: Any, dtype: str, controls: list | None = None) -> TensorRef:
        return self.make("const", short, [], {"value": value, "dtype": dtype},
                         [c.node for c in controls or ()])

    def reduction_indices(self, op: "_ForwardOp") -> TensorRef:
        """A reduction's axis input, holding TF's value: idrun's helper constant holds a 0 its
        kernel never reads (spec/expansions.py); a gradient reads it as data, so it gets the value
        TF's Python gives it (`OpDef.tf_helper_values`) now."""
        ref = op.inputs[-1]
        helper = self.b._draft_of(ref.node)
        if helper.role == "helper":
            owner = self.b._draft_of(op.name)
            [value] = owner.opdef.tf_helper_values(owner.attrs, [self.type(op.inputs[0])])
            helper.attrs["value"], helper.literal, helper.outputs = value, value, ()
            self.b._type_literal(helper, owner, len(owner.inputs) - 1)
        return ref

    @contextmanager
    def colocate_with(self, ref: TensorRef):
        """TF's `ops.colocate_with(ref)` around the nodes made in the block (a gather's
        `Shape` of its params)."""
        saved = getattr(self.b, "_grad_anchor", None)
        self.b._grad_anchor = self.b._draft_of(ref.node)
        try:
            yield
        finally:
            self.b._grad_anchor = saved

    def output(self, ref: TensorRef, k: int) -> TensorRef:
        return TensorRef(ref.node, k)

    def type(self, ref: TensorRef):
        if type(ref) is IndexedSlices:   # no static shape: TF's functions test for a Tensor first
            return TensorType(self.type(ref.values).dtype, None)
        return self.b._draft_of(ref.node).outputs[ref.index]

    def shape(self, ref: TensorRef):
        return self.type(ref).shape

    def dtype(self, ref: TensorRef) -> str:
        return self.type(ref).dtype

    def constant_value(self, ref: TensorRef):
        """TF's `tensor_util.constant_value`: a Const's value, else None."""
        draft = self._draft_of_ref(ref)
        if draft.opdef.name == "const" and draft.role != "helper":
            return draft.attrs["value"]
        return None

    def _draft_of_ref(self, ref: TensorRef):
        return self.b._draft_of(ref.node)

    def cond_context(self, op: "_ForwardOp"):
        """The cond branch of a switch that brings a tensor into a cond, or of a cond's merge
        (TF's op CondContext: its `pred_id` and `branch`); None for other switches and merges."""
        return self.b._cond_context(op.name)

    def is_zeros(self, ref: TensorRef) -> bool:
        return ref.node in self.zeros

    def loop_grad(self, kind: str, op: _ForwardOp, grads: list) -> list:
        """The gradient of a while loop's exit, enter, switch or merge (spec/loop_gradients.py)."""
        return self.b._loop_grad(self, kind, op, grads)

    def constant_here(self, ref: TensorRef, grad: TensorRef) -> TensorRef:
        """A Const made in another control-flow context than `grad` (a loop's or a cond's),
        duplicated where the gradient is (`Const`), as TF's concat gradient does rather than
        enter it; else `ref` itself."""
        draft = self.b._draft_of(ref.node)
        if draft.opdef.name != "const" or self.b._branch_of.get(ref.node) is self.b._branch_of.get(grad.node):
            return ref
        return self.const("Const", draft.attrs["value"], draft.outputs[ref.index].dtype)

    def in_loop(self, op: _ForwardOp) -> bool:
        """Whether `op` is a node of a while loop (its switch or merge: TF's WhileContext)."""
        return self.b._loop_context(op.name) is not None

    def unsupported(self, op: _ForwardOp, why: str) -> None:
        raise SpecError(f"no gradient for {self.b._draft_of(op.name).opdef.name} '{op.name}' here: {why}",
                        self.loc)


class GradientsBuilder(ScheduleBuilder, LoopGradientsBuilder):
    """Builder methods for `gradients` and `minimize` entries."""

    _shadows_typing: frozenset = frozenset()   # EMA shadows being typed (`_type_shadow`)

    def _draft_of(self, name: str) -> _Draft:
        """A draft, typed: made by an entry, or a resource read made early (`late`)."""
        draft = self.drafts.get(name) or self.late[name]
        if not draft.outputs and draft.literal is MISSING and draft.opdef.source == "variable":
            if draft.shadow_of is not None:   # an EMA's shadow takes its averaged tensor's type
                self._type_shadow(draft)
            self._type(draft)
        return draft

    def _type_shadow(self, draft: _Draft) -> None:
        """Type the averaged tensor first; one that depends on its own average is a cycle."""
        typing = self._shadows_typing
        if draft.name in typing:
            raise SpecError(f"dependency cycle: the moving average '{draft.name}' depends on itself "
                            f"(its averaged tensor '{draft.shadow_of}' reads it)", draft.loc)
        self._shadows_typing = typing | {draft.name}
        try:
            self._forward([draft.shadow_of], draft.loc)
        finally:
            self._shadows_typing = typing

    def _grad_draft(self, op: str, short: str, inputs: list, attrs: dict, loc,
                    controls: list | None = None, full: str | None = None) -> str:
        opdef = REGISTRY[op]
        attrs = dict(attrs)
        for a in opdef.attrs:  # the defaults a spec entry gets
            if a.name not in attrs and a.default is not MISSING:
                attrs[a.name] = a.check(a.default) if a.check and a.default is not None else a.default
        name = full or self.namer.unique(join(self._scope, short))
        inputs, loop_ctx = self._loop_inputs(name, op, inputs, loc)   # in a backprop loop: TF's AddValue
        draft = self._draft_here(name, op, inputs, attrs, loc, "gradient", extra_controls=list(controls or ()))
        anchor = getattr(self, "_grad_anchor", None)
        if anchor is not None:  # colocate_gradients_with_ops: TF's _colocate_with_for_gradient(op)
            draft.device, draft.requested, draft.colocate = anchor.device, anchor.requested, anchor.name
        given = _given_helpers(opdef, draft.attrs, inputs)
        if given:   # TF passes the forward op's tensor (Cumsum(grad, y/axis)): no constant made
            draft.helper_count = given
        elif opdef.helpers is not None:
            self._add_helpers(draft)
        self._register(draft)
        self._loop_placed(draft, loop_ctx)
        self._type(draft)
        return draft.name

    def _refs(self, value: Any, loc, what: str) -> list[TensorRef]:
        """Tensors named by an entry's key, resolved now (TF's Python holds them already)."""
        if not isinstance(value, list):
            return [self._eager(value, loc)]
        if not value:
            raise SpecError(f"`{what}` names one or more tensors", loc)
        return [self._eager(text, loc_of(value, i) or loc) for i, text in enumerate(value)]

    # ---- entries --------------------------------------------------------------------------
    def _add_gradients(self, entry: YMap, loc) -> None:
        _check(entry, GRADIENTS_KEYS, "gradients", loc)
        self._needs_expand("gradients", loc)
        if "xs" not in entry:
            raise SpecError("a gradients entry needs `xs` (the tensors to differentiate by)", loc)
        ys = self._refs(entry["gradients"], loc_of(entry, "gradients", loc), "gradients")
        xs = self._refs(entry["xs"], loc_of(entry, "xs", loc), "xs")
        grad_ys = None
        if entry.get("grad_ys") is not None:
            grad_ys = self._refs(entry["grad_ys"], loc_of(entry, "grad_ys", loc), "grad_ys")
            if len(grad_ys) != len(ys):
                raise SpecError(f"`grad_ys` gives {len(grad_ys)} tensors for {len(ys)} ys", loc_of(entry, "grad_ys", loc))
        grads = self._gradients(ys, xs, grad_ys, entry.get("name") or "gradients", False, loc,
                                _colocate_flag(entry, loc))
        if self.observer:
            self.observer.gradients(self, entry, ys, xs, grad_ys, grads)
        names = entry.get("outputs")
        if names is not None:
            if not isinstance(names, list) or len(names) != len(xs):
                raise SpecError(f"`outputs` names each of the {len(xs)} gradients once", loc_of(entry, "outputs", loc))
            for name, grad, x in zip(names, grads, xs):
                if grad is None:
                    raise SpecError(f"no gradient reaches '{x}' from the ys (TF returns None): "
                                    f"'{name}' names nothing", loc_of(entry, "outputs", loc))
                self._name_gradient(name, grad, loc_of(entry, "outputs", loc))

    def _needs_expand(self, what: str, loc) -> None:
        if not self.expand:
            raise SpecError(f"a `{what}` entry needs `expand: true` (a graph TF wrote has its gradient "
                            "nodes as entries)", loc)

    def _name_gradient(self, name: str, grad, loc) -> None:
        """`outputs`: NAME means the gradient; an IndexedSlices gradient (a gather's) is TF's
        object of three tensors, so NAME means its values and NAME/indices, NAME/dense_shape
        the other two (no node is added: the graph stays TF's)."""
        if not isinstance(name, str) or not name or ":" in name:
            raise SpecError(f"`outputs` names each gradient with a node name (no ':'), got {name!r}", loc)
        if type(grad) is IndexedSlices:
            self._alias_gradient(name, grad.values, loc)
            self._alias_gradient(name + "/indices", grad.indices, loc)
            self._alias_gradient(name + "/dense_shape", grad.dense_shape, loc)
            return
        self._alias_gradient(name, grad, loc)

    def _alias_gradient(self, name: str, grad: TensorRef, loc) -> None:
        from idrun.spec.drafts import _Pending
        full = join(self._scope, name)
        if full in self.aliases or full in self.drafts:
            raise SpecError(f"'{full}' is already defined", loc)
        self.aliases[full] = (_Pending(str(grad), loc, "", None, ""), loc)
        self._born_now(full)
        self._created.append(full)

    def _add_minimize(self, entry: YMap, loc) -> None:
        """`optimizer.minimize`: compute_gradients, then apply_gradients (one implementation)."""
        _check(entry, MINIMIZE_KEYS, "minimize", loc)
        self._needs_expand("minimize", loc)
        kind, hyper, opt_name = self._optimizer(entry, loc)
        loss, var_list, grads = self._compute(entry, "minimize", loc)
        if all(g is None for g in grads):
            raise SpecError("No gradients provided for any variable, check your graph for ops that do not "
                            f"support gradients, between variables {[v.node for v in var_list]} and loss "
                            f"'{loss}'.", loc)
        step = self._global_step(entry, loc)
        name = _train_name(entry, opt_name, loc)
        train = self._apply_gradients(kind, hyper, opt_name, list(zip(grads, var_list)), step, name, loc)
        self.training.append((train, loss.node if loss.index == 0 else str(loss), loc,
                              tuple(v.node for g, v in zip(grads, var_list) if g is None)))
        if self.observer:
            self.observer.minimize(self, entry, loss, var_list, step, train)

    def _add_compute_gradients(self, entry: YMap, loc) -> None:
        """`optimizer.compute_gradients(loss, var_list)`: tf.gradients gated per op (GATE_OP), over
        the var_list (default: the trainable variables made so far); `outputs` names them."""
        _check(entry, COMPUTE_KEYS, "compute_gradients", loc)
        self._needs_expand("compute_gradients", loc)
        loss, var_list, grads = self._compute(entry, "compute_gradients", loc)
        if self.observer and hasattr(self.observer, "compute_gradients"):
            self.observer.compute_gradients(self, entry, loss, var_list, grads)
        names = entry.get("outputs")
        if names is None:
            return
        where = loc_of(entry, "outputs", loc)
        if not isinstance(names, list) or len(names) != len(var_list):
            raise SpecError(f"`outputs` names the gradient of each of the {len(var_list)} variables "
                            f"({', '.join(v.node for v in var_list)}) once", where)
        for name, grad, var in zip(names, grads, var_list):
            if name is None:
                continue
            if grad is None:
                raise SpecError(f"no gradient reaches '{var.node}' from '{loss}' (TF pairs it with None): "
                                f"'{name}' names nothing", where)
            self._name_gradient(name, grad, where)

    def _add_apply_gradients(self, entry: YMap, loc) -> None:
        """`optimizer.apply_gradients(grads_and_vars, global_step, name)` with given gradients
        (e.g. the towers' averages): a list of [gradient, variable] pairs."""
        _check(entry, APPLY_KEYS, "apply_gradients", loc)
        self._needs_expand("apply_gradients", loc)
        kind, hyper, opt_name = self._optimizer(entry, loc)
        where = loc_of(entry, "apply_gradients", loc)
        written = entry["apply_gradients"]
        if not isinstance(written, list) or not written:
            raise SpecError("`apply_gradients` is a list of [gradient, variable] pairs", where)
        pairs = []
        for i, pair in enumerate(written):
            at = loc_of(written, i) or where
            if not isinstance(pair, list) or len(pair) != 2:
                raise SpecError(f"pair {i} of `apply_gradients` must be [gradient, variable], got {pair!r}", at)
            grad = pair[0]
            var = self._eager(pair[1], at)
            if self._draft_of(var.node).opdef.source != "variable":
                raise SpecError(f"apply_gradients: '{pair[1]}' is not a variable", at)
            if any(v.node == var.node for _, v in pairs):
                raise SpecError(f"apply_gradients: variable '{var.node}' appears more than once", at)
            pairs.append((self._given_gradient(grad, at), var))
        if all(g is None for g, _ in pairs):
            raise SpecError(f"No gradients provided for any variable: {[v.node for _, v in pairs]}.", where)
        for grad, var in pairs:
            if grad is None:
                continue
            values = grad.values if type(grad) is IndexedSlices else grad
            have, want = self._tensor_type(values, loc).dtype, self._tensor_type(var, loc).dtype
            if have != want:
                raise SpecError(f"apply_gradients: the gradient '{grad}' is {have} but '{var.node}' is {want}", where)
        step = self._global_step(entry, loc)
        train = self._apply_gradients(kind, hyper, opt_name, pairs, step, _train_name(entry, opt_name, loc), loc)
        if self.observer and hasattr(self.observer, "apply_gradients"):
            self.observer.apply_gradients(self, entry, hyper, pairs, step, train)

    def _given_gradient(self, grad: Any, at):
        """A gradient `apply_gradients` is given: a tensor's name, null, or the three names of
        an IndexedSlices ([values, indices, dense_shape], as `compute_gradients`' outputs name
        a gather's gradient), applied sparsely as TF applies one."""
        if grad is None:
            return None
        if not isinstance(grad, list):
            return self._eager(grad, at)
        if len(grad) != 3:
            raise SpecError("a sparse gradient is [values, indices, dense_shape], got "
                            f"{len(grad)} names", at)
        values, indices, shape = (self._eager(x, loc_of(grad, i) or at) for i, x in enumerate(grad))
        for ref, what, written in ((indices, "indices", grad[1]), (shape, "dense_shape", grad[2])):
            t = self._tensor_type(ref, at)
            if t.dtype not in ("int32", "int64") or (t.shape is not None and len(t.shape) != 1):
                raise SpecError(f"the sparse gradient's {what} '{written}' must be an int32 or int64 vector, "
                                f"got {t.dtype}{list(t.shape) if t.shape is not None else ''}", at)
        return IndexedSlices(values, indices, shape)

    def _compute(self, entry: YMap, key: str, loc) -> tuple[TensorRef, list[TensorRef], list]:
        """compute_gradients' part of an entry: the loss, the var_list and a gradient (or None) per
        variable (tf.gradients with gate_gradients=True, TF's GATE_OP)."""
        loss = self._refs(entry[key], loc_of(entry, key, loc), key)
        if len(loss) != 1:
            raise SpecError(f"`{key}` names one loss tensor", loc_of(entry, key, loc))
        if entry.get("var_list") is not None:
            where = loc_of(entry, "var_list", loc)
            members = self._collection_members(entry["var_list"], where)   # {collection: NAME}
            var_list = (self._refs(entry["var_list"], where, "var_list") if members is None
                        else [TensorRef(n, 0) for n in dict.fromkeys(members)])
            for v in var_list:
                if self._draft_of(v.node).opdef.source != "variable":
                    raise SpecError(f"var_list: '{v.node}' is not a variable", loc_of(entry, "var_list", loc))
        else:
            var_list = [TensorRef(n, 0) for n in dict.fromkeys(self.collections.get("trainable_variables", ()))
                        if self.drafts[n].opdef.source == "variable"]   # TRAINABLE_VARIABLES now
        if not var_list:
            raise SpecError("No variables to optimize.", loc)
        grads = self._gradients(loss, var_list, None, "gradients", True, loc, _colocate_flag(entry, loc))
        dtype = self._draft_of(loss[0].node).outputs[loss[0].index].dtype   # typed by the walk
        if dtype not in ("float16", "bfloat16", "float32", "float64"):   # TF: Optimizer._assert_valid_dtypes
            raise SpecError(f"Invalid type tf.{dtype} for {loss[0]}, expected: [tf.float16, tf.bfloat16, "
                            "tf.float32, tf.float64].", loc_of(entry, key, loc))
        return loss[0], var_list, grads

    def _global_step(self, entry: YMap, loc) -> TensorRef | None:
        if entry.get("global_step") is None:
            return None
        step = self._eager(entry["global_step"], loc_of(entry, "global_step", loc))
        if self._draft_of(step.node).opdef.source != "variable":
            raise SpecError(f"global_step: '{step.node}' is not a variable", loc_of(entry, "global_step", loc))
        return step

    def _optimizer(self, entry: YMap, loc) -> tuple[str, dict, str]:
        """The optimizer's type, hyperparameters and name; a hyperparameter written as a name is
        that tensor (`learning_rate: lr`, an exponential_decay), resolved now as TF's Python holds it."""
        kind, hyper, opt_name = _optimizer(entry, loc)
        where = loc_of(entry, "optimizer", loc)
        for key, value in hyper.items():
            if isinstance(value, str):
                at = loc_of(entry["optimizer"], key, where) or where
                ref = self._eager(value, at)
                if self._draft_of(ref.node).opdef.source == "variable":   # TF: convert_to_tensor reads it
                    ref = TensorRef(self._var_reads[ref.node], 0)
                t = self._tensor_type(ref, at)
                if t.shape not in (None, ()) or not t.dtype.startswith(("float", "bfloat")):
                    raise SpecError(f"`{key}: {value}` must be a float scalar tensor, '{ref}' is "
                                    f"{t.dtype}{list(t.shape) if t.shape is not None else ''}", at)
                hyper[key] = ref
        return kind, hyper, opt_name

    def _tensor_type(self, ref: TensorRef, loc):
        """The type of a tensor an entry reads now (a hyperparameter, a gradient to apply, a
        layer's input): its producers resolved and typed first, as TF's Python holds tensors."""
        self._forward([ref], loc)
        return self._draft_of(ref.node).outputs[ref.index]

    # ---- tf.gradients ---------------------------------------------------------------------
    def _gradients(self, ys: list[TensorRef], xs: list[TensorRef], grad_ys, name: str, gate: bool,
                   loc, colocate: bool = False) -> list[TensorRef | None]:
        x_nodes = {x.node for x in xs}
        order = self._forward(ys, loc, x_nodes)
        loops = None
        if any(self._loop_context(n) is not None for n in order):   # spec/loop_gradients.py
            reached = self._reached_trainable(order, x_nodes)
            loops = self._loop_between(ys, reached)
            if not loops[1]:
                loops = None
        else:
            reached = set()
            for n in order:  # topological: an op reached from an x (TF's _MarkReachedOps)
                if n in x_nodes or any(r.node in reached for r in self._draft_of(n).inputs):
                    reached.add(n)
        between = [n for n in order if n in reached]
        in_between = set(between)
        pending = self._pending_counts(between, in_between)
        outer_scope, self._scope = self._scope, self._enter_scope(name, loc)
        g = _GradContext(self, loc)
        grads: dict[str, dict[int, list[TensorRef]]] = {}
        try:
            for i, y in enumerate(ys):
                if grad_ys is not None:
                    start = grad_ys[i]
                else:   # TF's _DefaultGradYs, under _maybe_colocate_with(y.op)
                    self._grad_anchor = self._draft_of(y.node) if colocate else None
                    try:
                        t = g.type(y)
                        shape = _shape_node(g, y)
                        one = g.const(f"grad_ys_{i}/Const", 1.0 if t.dtype.startswith(("float", "bfloat")) else 1,
                                      t.dtype)
                        start = g.make("fill", f"grad_ys_{i}", [shape, one])
                    finally:
                        self._grad_anchor = None
                grads.setdefault(y.node, {}).setdefault(y.index, []).append(start)
            if loops is not None:   # TF's walk with its loop state (spec/loop_gradients.py)
                self._loop_walk(g, ys, x_nodes, loops, grads, gate, loc, colocate)
                return [(grads.get(x.node, {}).get(x.index) or [None])[0] for x in xs]
            queue, queued = [], set()
            for y in ys:
                if pending.get(y.node, 0) == 0 and y.node not in queued and y.node in in_between:
                    queue.append(y.node)
                    queued.add(y.node)
            stops = {n for n in x_nodes if not any(r.node in in_between for r in self._draft_of(n).inputs)}
            head = 0
            while head < len(queue):
                n = queue[head]
                head += 1
                self._backprop_op(g, n, grads, n in stops, gate, loc, colocate)
                for r in self._draft_of(n).inputs:
                    if r.node in in_between:
                        pending[r.node] -= 1
                        if pending[r.node] == 0:
                            queue.append(r.node)
            out = []
            for x in xs:
                got = grads.get(x.node, {}).get(x.index)
                out.append(got[0] if got else None)
            return out
        finally:
            self._scope = outer_scope

    def _forward(self, ys: list[TensorRef], loc, x_nodes: set | None = None) -> list[str]:
        """The nodes the ys depend on, resolved and typed now, in topological order; with
        `x_nodes` (a gradient's xs), a cond or loop between them is refused."""
        if x_nodes is not None and self._merge_branches:
            self._expand_for_gradient()
        order = self._walk_back(ys)
        if x_nodes is not None:
            self._check_control_flow(order, x_nodes, loc)
            # a cond's nodes read outer tensors through its switches, as TF's graph has them
            # when tf.gradients runs: route them now, and walk back again over the switches
            while self._capture_for_gradient(order):
                order = self._walk_back(ys)
        if any(self._loop_context(n) is not None for n in order):
            order = self._loop_typing_order(order)   # a loop's back edge comes last
        for n in order:  # as `finish` types them: a literal takes its type from its consumer
            draft = self._draft_of(n)
            if draft.literal is MISSING:
                self._type(draft)
        return order

    def _expand_for_gradient(self) -> None:
        """Expand the moving averages made so far, as `finish` does first: a cond's branch may
        return a shadow (`ema.average(x)`), which TF's Python holds once `ema.apply` ran."""
        from idrun.spec.builder import _EXPANSIONS
        saved = self._branch
        for draft in list(self.drafts.values()):
            if not draft.opdef.expansion or not draft.inputs:
                continue
            try:
                self._resolve_inputs(draft)
            except SpecError:   # a reference ahead: expanded in finish, as before
                continue
            self._branch = self._branch_of.get(draft.name)   # what it makes is in its branch
            try:
                getattr(self, _EXPANSIONS[draft.opdef.expansion])(draft)
            finally:
                self._branch = saved

    def _walk_back(self, ys: list[TensorRef]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}  # a node seen: its inputs are pushed once
        stack = [(y.node, False) for y in reversed(ys)]
        while stack:
            n, done = stack.pop()
            if done:
                order.append(n)
                continue
            if n in state:
                continue
            state[n] = 1
            draft = self._draft_of(n)
            self._resolve_inputs(draft)
            stack.append((n, True))
            stack.extend((r.node, False) for r in reversed(draft.inputs) if r.node not in state)
        return order

    def _check_control_flow(self, order: list[str], x_nodes: set, loc) -> None:
        """A cond's gradient is built (`_MergeGrad`, `_SwitchGrad`: the ops' `grad`), and a
        while_loop's (spec/loop_gradients.py); what those do not build (a loop in a cond or a
        loop, a cond in a loop, a cond nested in a cond's branch on the path) is a located error
        instead of a wrong graph."""
        def context(n: str):
            draft = self._draft_of(n)
            ctx = self._branch_of.get(n)
            if ctx is not None or draft.opdef.name in CONTROL_FLOW_OPS:
                return ctx, draft
            return None, None
        consumers: dict[str, list[str]] = {}
        for n in order:
            for r in self._draft_of(n).inputs:
                consumers.setdefault(r.node, []).append(n)
        reached, todo = set(), [n for n in order if n in x_nodes]
        while todo:   # the nodes an x reaches (a loop's back edge included)
            n = todo.pop()
            if n not in reached:
                reached.add(n)
                todo.extend(consumers.get(n, ()))
        for n in order:
            ctx, draft = context(n)
            if draft is None:
                continue
            loop = (ctx is not None and ctx.is_loop) or draft.opdef.name in LOOP_OPS
            if not loop and ctx is not None and ctx.parent is not None and ctx.parent.is_loop:
                loop = True   # a cond inside a loop
            if loop:   # TF's gradient while context (spec/loop_gradients.py) refuses what it does not build
                self._check_loop_for_gradient(n, ctx, draft, n in reached, loc)
                continue
            if n in reached and ctx is not None and ctx.parent is not None:
                # TF's gradient reads the inner cond's pred_id from outside the outer branch: a
                # dead value idrun's regions refuse to read (runtime/flow.py)
                where = f" (at {draft.loc})" if draft.loc else ""
                raise SpecError(f"gradients through a cond inside another cond are not supported yet: "
                                f"'{n}'{where} lies on the path from the variables to the ys", loc)

    def _backprop_op(self, g: _GradContext, n: str, grads: dict, stop: bool, gate: bool, loc,
                     colocate: bool = False) -> None:
        draft = self._draft_of(n)
        self._grad_anchor = draft if colocate else None   # TF: _maybe_colocate_with(op, ...)
        try:
            in_grads = self._op_gradient(g, n, draft, grads, stop, loc)
        finally:
            self._grad_anchor = None
        if in_grads is None:
            return
        if gate and sum(x is not None for x in in_grads) > 1:   # TF: under device(None), no colocation
            outer = self._scope
            self._scope = self._grad_scope
            try:
                in_grads = self._tuple(in_grads, loc)
            finally:
                self._scope = outer
        for r, grad in zip(_ForwardOp(draft).inputs, in_grads):
            if grad is not None:
                grads.setdefault(r.node, {}).setdefault(r.index, []).append(grad)

    def _op_gradient(self, g: _GradContext, n: str, draft: _Draft, grads: dict, stop: bool, loc) -> list | None:
        """The op's aggregated output gradients (AddN), then its registered gradient function's
        gradient per input; None where nothing flows back through it."""
        op = _ForwardOp(draft)
        mine = grads.get(n, {})
        out_grads: list[TensorRef | None] = []
        for k in range(len(op.outputs)):
            got = mine.get(k) or []
            if len(got) > 1:
                got = [self._aggregate(g, list(got))]
                mine[k] = got
            out_grads.append(got[0] if got else None)
        if stop or all(o is None for o in out_grads):
            return None
        fn = draft.opdef.grad
        if fn is None:
            where = f" (defined at {draft.loc})" if draft.loc else ""
            raise SpecError(f"no gradient is registered for {draft.opdef.name} '{n}'{where} (TF op "
                            f"{draft.opdef.tf_op or draft.opdef.type_name}): it lies on the path from "
                            f"the variables to the loss", loc)
        if draft.opdef.name in SLICES_AWARE and any(type(o) is IndexedSlices for o in out_grads):
            where = f" (defined at {draft.loc})" if draft.loc else ""
            raise SpecError(f"a gather's sparse gradient (IndexedSlices) reaches {draft.opdef.name} '{n}'{where}, "
                            "whose TF gradient splits it into sparse pieces: not built yet", loc)
        cond = self._cond_context(n) if draft.opdef.name == "switch" else None
        for k, o in enumerate(out_grads):
            if o is None and cond is not None and self._grad_loop is None:   # TF: ZerosLikeOutsideLoop of a cond's switch
                out_grads[k] = self._switch_zeros(g, op, cond, loc)
                g.zeros.add(out_grads[k].node)
            elif o is None and self._grad_loop is not None and draft.outputs[k].dtype in TRAINABLE:   # TF's ZerosLikeV1WhileLoop
                out_grads[k] = self._loop_zeros(g, op, k)
                if out_grads[k] is not None:
                    g.zeros.add(out_grads[k].node)
            elif o is None and draft.outputs[k].dtype.startswith(("float", "bfloat", "complex")):
                out_grads[k] = g.make("zeros_like", "zeros_like", [op.outputs[k]])
                g.zeros.add(out_grads[k].node)
        outer = self._scope
        self._scope = self._grad_scope = self.namer.unique(join(outer, n + "_grad"))
        try:
            return list(fn(g, op, out_grads))
        finally:
            self._scope = outer

    def _switch_zeros(self, g: _GradContext, op: _ForwardOp, cond, loc) -> TensorRef:
        """TF's `ZerosLikeOutsideLoop` for the output of a cond's switch no gradient reached:
        zeros made only when the other branch runs, behind a switch of the same input (`Switch`,
        its `Identity` pivot, `Shape` (a resource variable: `VariableShape`), `zeros`)."""
        value = op.inputs[0]
        variable = self._variable_like(value)
        sw = g.make("switch", "Switch", [value, TensorRef(cond.pred_id, 0)])
        if variable:
            self._draft_of(sw.node).ref_positions = (0,)
        other = g.output(sw, 1 - cond.branch)
        pivot = g.make("identity", "Identity", [other])
        if variable and self.variables == "resource":
            shape = g.make("variable_shape", "VariableShape", [other], {"out_type": "int32"}, [pivot.node])
            self._draft_of(shape.node).ref_positions = (0,)
        else:
            shape = g.make("shape", "Shape", [other], {"out_type": "int32"})
        dtype = g.dtype(other)
        scope = self.namer.unique(join(self._scope, "zeros"))
        outer, self._scope = self._scope, scope
        try:
            zero = g.const("Const", 0.0 if dtype.startswith(("float", "bfloat", "complex")) else 0, dtype, [pivot])
        finally:
            self._scope = outer
        return TensorRef(self._exact_draft("fill", scope, [shape, zero], {}, loc), 0)

    def _tuple(self, tensors: list, loc) -> list:
        """tf.tuple: `tuple/group_deps` on every tensor's op, an identity of each after it."""
        outer = self._scope
        self._scope = self.namer.unique(join(outer, "tuple"))
        try:
            ops = sorted({_op_of(t) for t in tensors if t is not None})
            devices = {self._draft_of(n).device for n in ops}
            # tf.group: on the gated ops' device when they share one (TF makes one NoOp per device
            # otherwise: not built here, the NoOp stays where the entry is)
            self._grad_anchor = self._draft_of(ops[0]) if len(devices) == 1 and "" not in devices else None
            try:
                gate = self._grad_draft("no_op", "group_deps", [], {}, loc, ops)
            finally:
                self._grad_anchor = None
            gate_draft = self._draft_of(gate)
            gate_draft.colocate = ""   # TF: ops.device(dev), not colocate_with
            out = []
            for t in tensors:
                if t is None:
                    out.append(None)
                    continue
                self._grad_anchor = self._draft_of(_op_of(t))   # with_dependencies: colocate_with(t)
                try:   # an IndexedSlices: its values pass the identity (with_dependencies)
                    values = t.values if type(t) is IndexedSlices else t
                    gated = TensorRef(self._grad_draft("identity", "control_dependency", [values], {}, loc, [gate]), 0)
                    out.append(IndexedSlices(gated, t.indices, t.dense_shape) if type(t) is IndexedSlices else gated)
                finally:
                    self._grad_anchor = None
            return out
        finally:
            self._scope = outer

    # ---- IndexedSlices (a gather's gradient) -------------------------------------------------
    def _aggregate(self, g: _GradContext, got: list):
        """TF's `_AggregatedGrads` of one output's gradients: tensors add (`AddN`); IndexedSlices
        only: their values and indices concatenated (`concat`, `concat_1`: backprop_util's
        AggregateIndexedSlicesGradients); a mix: `AddN` of all, each IndexedSlices converted in
        its scope (`AddN_1/strided_slice`, `AddN_1/inputs_<k>`), as math_ops.add_n does."""
        if not all(type(x) is IndexedSlices for x in got):
            return g.make("add_n", "AddN", got)
        dtypes = {g.dtype(x.indices) for x in got}
        if len(dtypes) > 1:   # TF casts int32 indices to int64 first (_as_indexed_slices_list)
            raise SpecError("gradients: IndexedSlices with int32 and int64 indices reach one tensor "
                            "(TF casts them to int64; not built yet)", g.loc)
        values = self._concat0(g, [x.values for x in got])
        indices = self._concat0(g, [x.indices for x in got])
        return IndexedSlices(values, indices, got[0].dense_shape)

    def _concat0(self, g: _GradContext, tensors: list) -> TensorRef:
        """`array_ops.concat(tensors, axis=0)`: `concat` with its `concat/axis`, named in turn."""
        full = self.namer.unique(join(self._scope, "concat"))
        outer, self._scope = self._scope, full
        try:
            axis = g.const("axis", 0, "int32")
        finally:
            self._scope = outer
        return TensorRef(self._grad_draft("concat", "concat", [*tensors, axis], {}, g.loc, full=full), 0)

    def _slices_to_tensor(self, g: _GradContext, x: IndexedSlices, name: str) -> TensorRef:
        """TF's IndexedSlices -> Tensor conversion: UnsortedSegmentSum(values, indices,
        dense_shape[0]) named `name`, after its `strided_slice`."""
        count = first_dim(g, x.dense_shape)
        return g.make("unsorted_segment_sum", name, [x.values, x.indices, count])

    def _make_converting(self, g: _GradContext, op: str, short: str, inputs: list, attrs: dict,
                         controls) -> TensorRef:
        """An op given an IndexedSlices: TF's op helper enters the op's name scope and converts
        each such input there, named after its argument (`Mul/x`, `AddN_1/inputs_1`)."""
        opdef = REGISTRY[op]
        full = self.namer.unique(join(self._scope, short))
        outer, self._scope = self._scope, full
        try:
            ins = []
            for i, x in enumerate(inputs):
                if type(x) is IndexedSlices:
                    arg = f"{opdef.inputs[0]}_{i}" if opdef.variadic else opdef.inputs[min(i, len(opdef.inputs) - 1)]
                    x = self._slices_to_tensor(g, x, arg)
                ins.append(x)
        finally:
            self._scope = outer
        return TensorRef(self._grad_draft(op, short, ins, attrs, g.loc, controls, full=full), 0)

    # ---- Optimizer.apply_gradients --------------------------------------------------------
    def _apply_gradients(self, kind: str, hyper: dict, opt_name: str, pairs: list, step, name: str,
                         loc) -> str:
        """`Optimizer.apply_gradients`: slots (in init_scope), then under the scope `name` the
        hyperparameters (`_prepare`), an `update_<var>` per variable with a gradient, `_finish`."""
        pairs = [(grad, var) for grad, var in pairs if grad is not None]
        dtype = self._draft_of(pairs[0][1].node).outputs[0].dtype
        slots: dict[str, list[TensorRef]] = {var.node: [] for _, var in pairs}
        powers = []
        if kind == "Adam":  # non-slot accumulators, colocated with the first variable by name
            first = min((var for _, var in pairs), key=lambda v: v.node)
            powers = [self._slot_variable(None, short, float(hyper[beta]), dtype, first, loc)
                      for short, beta in (("beta1_power", "beta1"), ("beta2_power", "beta2"))]
        for _, var in pairs:
            for suffix, fill in SLOTS[kind]:
                fill = float(hyper[fill]) if isinstance(fill, str) else fill
                slots[var.node].append(self._slot_variable(var, opt_name + suffix, fill, None, var, loc))
        outer_scope, self._scope = self._scope, self._enter_scope(name, loc)
        scope_name = self._scope
        try:
            g = _GradContext(self, loc)
            consts = {}
            for key in HYPER_CONSTS[kind]:  # `_prepare`: convert_to_tensor(hyper, name=key)
                value = hyper[key]
                if isinstance(value, TensorRef):
                    if self._draft_of(value.node).outputs[value.index].dtype != dtype:
                        raise SpecError(f"the optimizer's `{key}` is "
                                        f"{self._draft_of(value.node).outputs[value.index].dtype}, "
                                        f"its variables {dtype}", loc)
                    consts[key] = value
                else:
                    consts[key] = g.const(key, float(value), dtype)
            updates = []
            for grad, var in pairs:
                scope = self._scope
                self._scope = self.namer.unique(join(scope, "update_" + var.node))
                try:
                    updates.append(self._update_op(kind, hyper, var, slots[var.node], consts, powers, grad, loc))
                finally:
                    self._scope = scope
            if kind == "Adam":
                updates += self._adam_finish(powers, consts, sorted(updates), loc)
            if step is None:  # TF: `group(*updates, name=<the scope>)`: the NoOp is the scope's name
                return self._exact_draft("no_op", scope_name, [], {}, loc, sorted(updates))
            update = self._grad_draft("no_op", "update", [], {}, loc, sorted(updates))
            dtype = self._draft_of(step.node).outputs[0].dtype
            resource = self._kind(self._draft_of(step.node)) == "resource"   # the step's own kind (TF 2: resource)
            one = g.const("Const" if resource else "value", 1, dtype, [TensorRef(update, 0)])
            return self._exact_draft("assign_add", scope_name, [step, one], {}, loc, refs=1)
        finally:
            self._scope = outer_scope

    def _update_op(self, kind: str, hyper: dict, var: TensorRef, slots: list, consts: dict, powers: list,
                   grad: TensorRef, loc) -> str:
        """`_resource_apply_dense` (`_apply_dense` for ref variables): one training op."""
        if type(grad) is IndexedSlices:
            return self._sparse_update_op(kind, hyper, var, slots, consts, powers, grad, loc)
        if kind == "GradientDescent":
            return self._apply_draft("apply_gradient_descent", [var, consts["learning_rate"], grad], {}, loc, 1)
        if kind == "Momentum":
            return self._apply_draft("apply_momentum", [var, slots[0], consts["learning_rate"], grad,
                                                        consts["momentum"]],
                                     {"use_nesterov": bool(hyper["use_nesterov"])}, loc, 2)
        if kind == "RMSProp":
            return self._apply_draft("apply_rms_prop", [var, *slots, consts["learning_rate"], consts["decay"],
                                                        consts["momentum"], consts["epsilon"], grad], {}, loc, 3)
        if kind == "Adagrad":
            return self._apply_draft("apply_adagrad", [var, *slots, consts["learning_rate"], grad],
                                     {"update_slots": True}, loc, 2)
        # Adam: `math_ops.cast(beta1_power, ...)` reads each accumulator in the op's own scope
        opdef = REGISTRY["apply_adam"]
        short = opdef.tf_op if self.variables == "resource" else opdef.tf_ref_op
        draft = _Draft(self.namer.unique(join(self._scope, short)), opdef, [], {"use_locking": False,
                       "use_nesterov": False}, "", loc, active=tuple(self._controllers), role="gradient",
                       ref_positions=(0, 1, 2))
        reads = [self._resource_read(draft, p) if self.variables == "resource"
                 else TensorRef(self._var_reads[p.node], 0) for p in powers]
        for r in reads:
            self._type(self._draft_of(r.node))
        draft.inputs = [var, *slots, *reads, consts["learning_rate"], consts["beta1"], consts["beta2"],
                        consts["epsilon"], grad]
        self._register(draft)
        self._type(draft)
        return draft.name

    def _sparse_update_op(self, kind: str, hyper: dict, var: TensorRef, slots: list, consts: dict, powers: list,
                          grad: IndexedSlices, loc) -> str:
        """`_apply_sparse_duplicate_indices` (`_resource_apply_sparse_duplicate_indices`): GradientDescent
        scatters the rows as they are (ref: `mul`, ScatterSub; resource: `Neg`, `mul`,
        ResourceScatterAdd); the others sum repeated rows first (`_deduplicate_indexed_slices`:
        `Unique`, `Shape`, `strided_slice`, `UnsortedSegmentSum`), then their sparse update."""
        g = _GradContext(self, loc)
        ref = self.variables == "ref"
        lr = consts["learning_rate"]
        if kind == "GradientDescent":
            if ref:
                delta = g.make("mul", "mul", [grad.values, lr])
                return self._apply_draft("scatter_sub", [var, grad.indices, delta], {}, loc, 1, "ScatterSub")
            delta = g.make("mul", "mul", [g.make("neg", "Neg", [grad.values]), lr])
            return self._apply_draft("scatter_add", [var, grad.indices, delta], {}, loc, 1, "ResourceScatterAdd",
                                     locking=False)
        unique = g.make("unique", "Unique", [grad.indices], {"out_idx": "int32"})
        count = first_dim(g, g.make("shape", "Shape", [unique], {"out_type": "int32"}))
        values = g.make("unsorted_segment_sum", "UnsortedSegmentSum", [grad.values, g.output(unique, 1), count])
        if kind == "Momentum":
            return self._apply_draft("sparse_apply_momentum", [var, slots[0], lr, values, unique, consts["momentum"]],
                                     {"use_nesterov": bool(hyper["use_nesterov"])}, loc, 2)
        if kind == "Adagrad":
            return self._apply_draft("sparse_apply_adagrad", [var, slots[0], lr, values, unique],
                                     {"update_slots": True}, loc, 2)
        if kind == "RMSProp":
            return self._apply_draft("sparse_apply_rms_prop", [var, *slots, lr, consts["decay"], consts["momentum"],
                                                               consts["epsilon"], values, unique], {}, loc, 3)
        return self._adam_sparse(var, slots, consts, powers, values, unique, loc)

    def _adam_sparse(self, var: TensorRef, slots: list, consts: dict, powers: list, grad: TensorRef,
                     indices: TensorRef, loc) -> str:
        """Adam's `_apply_sparse_shared`: lr_t * sqrt(1 - beta2_power) / (1 - beta1_power); each slot
        assigned slot * beta, then its scaled rows scattered in (`scatter_add`, after the assign);
        var -= lr * m_t / (sqrt(v_t) + epsilon); `group_deps` on the three."""
        g = _GradContext(self, loc)
        resource = self.variables == "resource"
        dtype = g.dtype(grad)

        def value(v: TensorRef, controls: list | None = None) -> TensorRef:   # the variable as a tensor
            if resource:
                return TensorRef(self._exact_draft("read", self.namer.unique(join(self._scope, "ReadVariableOp")),
                                                   [v], {}, loc, controls, refs=1), 0)
            return self._snapshot(v)

        def one_minus(x: TensorRef, short: str) -> TensorRef:
            return g.make("sub", short, [g.const(short + "/x", 1.0, dtype), x])

        sqrt = g.make("sqrt", "Sqrt", [one_minus(value(powers[1]), "sub")])
        lr = g.make("div", "truediv", [g.make("mul", "mul", [consts["learning_rate"], sqrt]),
                                       one_minus(value(powers[0]), "sub_1")])
        scaled_m = g.make("mul", "mul_1", [grad, one_minus(consts["beta1"], "sub_2")])
        m_t = self._adam_slot(g, slots[0], consts["beta1"], "mul_2", indices, scaled_m, "", loc)
        squared = g.make("mul", "mul_3", [grad, grad])
        scaled_v = g.make("mul", "mul_4", [squared, one_minus(consts["beta2"], "sub_3")])
        v_t = self._adam_slot(g, slots[1], consts["beta2"], "mul_5", indices, scaled_v, "_1", loc)
        v_sqrt = g.make("sqrt", "Sqrt_1", [v_t])
        step = g.make("div", "truediv_1", [g.make("mul", "mul_6", [lr, m_t]),
                                           g.make("add", "add", [v_sqrt, consts["epsilon"]])])
        short = "AssignSubVariableOp" if resource else "AssignSub"
        update = self._exact_draft("assign_sub", self.namer.unique(join(self._scope, short)), [var, step], {}, loc,
                                   refs=1)
        if resource:   # the `_UnreadVariable` read assign_sub returns
            self._exact_draft("read", self.namer.unique(join(self._scope, "ReadVariableOp")), [var], {}, loc,
                              [update], refs=1)
        return self._grad_draft("no_op", "group_deps", [], {}, loc, [update, m_t.node, v_t.node])

    def _snapshot(self, v: TensorRef) -> TensorRef:
        """A ref variable's `<var>/read`, typed now (a sparse update reads it as a tensor)."""
        read = self._draft_of(self._var_reads[v.node])
        self._type(read)
        return TensorRef(read.name, 0)

    def _adam_slot(self, g: _GradContext, slot: TensorRef, beta: TensorRef, short: str, indices: TensorRef,
                   rows: TensorRef, k: str, loc) -> TensorRef:
        """`assign(slot, slot * beta)`, then under its control `scatter_add(slot, indices, rows)`: in
        resource mode `_resource_scatter_add`'s read after it (`x.value()`), in ref mode the ref."""
        resource = self.variables == "resource"
        if resource:
            read = self._exact_draft("read", self.namer.unique(join(self._scope, "ReadVariableOp")), [slot], {}, loc,
                                     refs=1)
            product = g.make("mul", short, [TensorRef(read, 0), beta])
            assign = self._exact_draft("assign", self.namer.unique(join(self._scope, "AssignVariableOp")),
                                       [slot, product], {}, loc, refs=1)
            self._exact_draft("read", self.namer.unique(join(self._scope, "ReadVariableOp")), [slot], {}, loc,
                              [assign], refs=1)
            scatter = self._exact_draft("scatter_add", self.namer.unique(join(self._scope, "ResourceScatterAdd")),
                                        [slot, indices, rows], {}, loc, [assign], refs=1)
            return TensorRef(self._exact_draft("read", self.namer.unique(join(self._scope, "ReadVariableOp")),
                                               [slot], {}, loc, [assign, scatter], refs=1), 0)
        product = g.make("mul", short, [self._snapshot(slot), beta])
        assign = self._exact_draft("assign", self.namer.unique(join(self._scope, "Assign" + k)), [slot, product], {},
                                   loc, refs=1)
        return TensorRef(self._exact_draft("scatter_add", self.namer.unique(join(self._scope, "ScatterAdd")),
                                           [slot, indices, rows], {}, loc, [assign], refs=1), 0)

    def _adam_finish(self, powers: list, consts: dict, updates: list, loc) -> list[str]:
        """Adam's `_finish`: under control_dependencies(updates), each power *= its beta."""
        assigns = []
        for power, beta, k in zip(powers, ("beta1", "beta2"), ("", "_1")):
            if self.variables == "resource":
                read = self._exact_draft("read", self.namer.unique(join(self._scope, "ReadVariableOp")),
                                         [power], {}, loc, updates, refs=1)
                product = self._grad_draft("mul", "mul" + k, [TensorRef(read, 0), consts[beta]], {}, loc)
                assign = self._exact_draft("assign", self.namer.unique(join(self._scope, "AssignVariableOp")),
                                           [power, TensorRef(product, 0)], {}, loc, refs=1)
                # the `_UnreadVariable` read the assign returns, made in the same block
                self._exact_draft("read", self.namer.unique(join(self._scope, "ReadVariableOp")), [power], {},
                                  loc, [assign] + updates, refs=1)
            else:
                product = self._grad_draft("mul", "mul" + k, [TensorRef(self._var_reads[power.node], 0),
                                                              consts[beta]], {}, loc, updates)
                assign = self._exact_draft("assign", self.namer.unique(join(self._scope, "Assign")),
                                           [power, TensorRef(product, 0)], {}, loc, refs=1)
            assigns.append(assign)
        return assigns

    def _apply_draft(self, op: str, inputs: list, attrs: dict, loc, refs: int, short: str | None = None,
                     locking: bool = True) -> str:
        """A training op under `update_<var>/`, named by its TF type (ResourceApplyMomentum...)."""
        opdef = REGISTRY[op]
        if short is None:
            kind = self._kind(self._draft_of(inputs[0].node))   # the updated variable's own kind
            short = opdef.tf_op if kind == "resource" else opdef.tf_ref_op or opdef.type_name
        return self._exact_draft(op, self.namer.unique(join(self._scope, short)), inputs,
                                 {"use_locking": False, **attrs} if locking else dict(attrs), loc, refs=refs)

    def _exact_draft(self, op: str, full: str, inputs: list, attrs: dict, loc, controls: list | None = None,
                     refs: int = 0) -> str:
        """A node of exactly this name (TF's `name=scope` ops), its first `refs` inputs variables."""
        draft = _Draft(full, REGISTRY[op], list(inputs), dict(attrs), "", loc, active=tuple(self._controllers),
                       role="gradient", ref_positions=tuple(range(refs)), extra_controls=list(controls or ()))
        self._register(draft)
        self._type(draft)
        return draft.name

    def _slot_variable(self, var: TensorRef | None, short: str, value, dtype, colocate: TensorRef,
                       loc) -> TensorRef:
        """A slot (`slot_creator.create_slot_with_initializer(var, ...)`: `<var>/<name>`, `value` shaped like
        var) or, without `var`, a non-slot variable `short` of `value` (Adam's `beta1_power`);
        not trainable, colocated with `colocate`."""
        anchor = self._draft_of(colocate.node)
        if var is not None:
            t = self._draft_of(var.node).outputs[0]
            if t.shape is None or None in t.shape:
                raise SpecError(f"a slot for '{var.node}' needs its full shape", loc)
            value, dtype, name = _filled(t.shape, value), t.dtype, f"{var.node}/{short}"
        else:
            name = short
        kind = self._kind(anchor)   # TF: a slot (or non-slot) variable takes its anchor's kind
        draft = _Draft(self.namer.unique(name), REGISTRY["variable"], [],
                       {"value": value, "dtype": dtype, "shape": None, "trainable": False, "collections": None,
                        "resource": None if kind == self.variables else kind == "resource"},
                       anchor.device, loc, role="slot", colocate=colocate.node, requested=anchor.requested)
        self._register(draft)
        self._add_variable_read(draft)
        self._type(draft)
        return TensorRef(draft.name, 0)

def _op_of(t) -> str:
    """The node of a gradient (an IndexedSlices: its values', as TF's `t.op`)."""
    return t.values.node if type(t) is IndexedSlices else t.node


def _filled(shape: tuple, value: float) -> Any:
    if not shape:
        return value
    return [_filled(shape[1:], value) for _ in range(shape[0])]


def _shape_node(g: _GradContext, y: TensorRef) -> TensorRef:
    s = g.shape(y)
    if s is not None and None not in s:
        return g.const("Shape", list(s), "int32")
    return g.make("shape", "Shape", [y], {"out_type": "int32"})


def _colocate_flag(entry: YMap, loc) -> bool:
    """`colocate_gradients_with_ops: true`: each op's gradient is placed with the op."""
    value = entry.get("colocate_gradients_with_ops", False)
    if not isinstance(value, bool):
        raise SpecError("`colocate_gradients_with_ops` must be true or false",
                        loc_of(entry, "colocate_gradients_with_ops", loc))
    return value


def _check(entry: YMap, allowed: tuple, what: str, loc) -> None:
    check_keys(entry, allowed, f"a {what} entry", loc)


def _train_name(entry: YMap, opt_name: str, loc) -> str:
    name = entry.get("name") or opt_name
    if not isinstance(name, str):
        raise SpecError("`name` must be a string", loc_of(entry, "name", loc))
    return name


def _optimizer(entry: YMap, loc) -> tuple[str, dict, str]:
    spec = entry.get("optimizer")
    where = loc_of(entry, "optimizer", loc)
    if not isinstance(spec, dict) or "type" not in spec:
        raise SpecError("`optimizer` is a mapping with `type` (" + ", ".join(OPTIMIZERS) + ") and its "
                        "hyperparameters", where)
    kind = spec["type"]
    if not isinstance(kind, str) or kind not in OPTIMIZERS:
        raise SpecError(f"unknown optimizer '{kind}' (known: {', '.join(OPTIMIZERS)})",
                        loc_of(spec, "type", where) if isinstance(spec, YMap) else where,
                        did_you_mean(str(kind), OPTIMIZERS))
    default_name, params = OPTIMIZERS[kind]
    hyper = {}
    check_keys(spec, ("type", *params, "name"), f"a {kind} optimizer", where)
    for key, default in params.items():
        value = spec.get(key, default)
        if value is None:
            raise SpecError(f"a {kind} optimizer needs `{key}`", where)
        at = loc_of(spec, key, where) if isinstance(spec, YMap) and key in spec else where
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise SpecError(f"`{key}` of the optimizer must be true or false, got {value!r}", at)
        elif isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise SpecError(f"`{key}` of the optimizer must be a number or a tensor's name, got {value!r}", at)
        hyper[key] = value
    name = spec.get("name") or default_name
    if not isinstance(name, str):
        raise SpecError(f"`name` of the optimizer must be a string, got {name!r}", where)
    return kind, hyper, name


def _given_helpers(opdef, attrs: dict, inputs: list) -> int:
    """How many helper inputs a gradient function passed itself (as `expand: false` writes them)."""
    if opdef.helpers is None or opdef.variadic:
        return 0
    n = len(opdef.helpers(attrs, False))
    return n if n and len(inputs) == len(opdef.inputs) + n else 0
