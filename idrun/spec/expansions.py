"""What TF's Python builds around some ops, made by the builder as TF makes it.

- helper constants (a reduce's axis, split_dim, concat's axis) created with
  their op, in its blocks, so they carry the blocks' control inputs (A2);
- the lazy read a resource assign returns (`_UnreadVariable`, B4);
- ExponentialMovingAverage.apply: a shadow and an update per input (B5);
- group: one no_op per device plus a final one (G7), devices as TF sorts them;
- ref assigns built under colocate_with(var) (F4);
- tf.compat.v1.layers.batch_normalization(x, training, momentum, epsilon, fused=True): the
  layer's variables, its FusedBatchNormV3 and (training) the moving-average updates it puts in
  UPDATE_OPS, named as the layer names them (`_add_batch_normalization`).

A mixin of GraphBuilder: these methods read and add the builder's drafts.
"""

from __future__ import annotations

from idrun.devices.names import parse_device
from idrun.errors import SpecError
from idrun.graph import TensorRef
from idrun.ops import REGISTRY
from idrun.spec.drafts import _Draft, _Pending
from idrun.spec.names import join
from idrun.spec.yamlsrc import YMap, check_keys, loc_of

BN_KEYS = ("batch_normalization", "name", "training", "momentum", "epsilon", "fused")
# the layer's variables: (name, initial value, trainable), in the order `build` makes them
BN_VARIABLES = (("gamma", 1.0, True), ("beta", 0.0, True), ("moving_mean", 0.0, False),
                ("moving_variance", 1.0, False))



class TFExpansions:
    """Builder methods that add the nodes TF's Python adds."""

    def _add_helpers(self, draft: _Draft) -> None:
        """Constants TF's Python creates for some ops (a reduce axis, split_dim), created
        here with the node, in its blocks: they carry a block's control inputs (A2)."""
        if draft.opdef.helpers is None:
            return
        for arg in draft.opdef.helpers(draft.attrs, self._on_handle(draft)):
            const = _Draft(self.namer.unique(f"{draft.name}/{arg}"), REGISTRY["const"], [],
                           {"value": 0, "dtype": "int32"}, draft.device, draft.loc,
                           active=draft.active, role="helper", literal=0,
                           device_from="block" if draft.device else "", requested=draft.requested)
            self._register(const)
            draft.inputs.append(TensorRef(const.name, 0))
            draft.helper_count += 1

    def _on_handle(self, draft: _Draft) -> bool:
        """Resource mode: the op's variable input names a variable (or an assign's
        `_UnreadVariable`) as it reads now, so TF runs it on the handle (ResourceGather)."""
        if not draft.opdef.variable_inputs:
            return False
        try:
            target = self.resolve_written(draft.inputs[draft.opdef.variable_inputs[0]], earlier_only=True)
        except SpecError:  # a forward reference: settled later, TF could not see it either
            return False
        source = self.drafts[target.node]
        return (source.opdef.source == "variable" or source.opdef.assigns) and self._kind(source) == "resource"

    def _sparse_read(self, opdef, attrs: dict, raw_inputs: list, name: str, seen: int, loc):
        """`tf1.gather(var, indices)` on a resource variable: TF's `array_ops.gather` sees axis 0
        (`constant_value(axis) == 0`, batch_dims 0) and calls `var.sparse_read(indices)`, a
        ResourceGather on the handle named as the gather (no axis constant of its own). The
        (opdef, attrs, raw inputs) to build: ResourceGather's, else those given."""
        if (opdef.name != "gather" or not self.expand
                or attrs.get("batch_dims") or not raw_inputs or len(raw_inputs) != 3
                or not isinstance(raw_inputs[0], str) or not self._is_zero_axis(raw_inputs[2], name, seen, loc)):
            return opdef, attrs, raw_inputs
        try:
            ref = self.resolve_written(self.pending(raw_inputs[0], loc, owner=name, seen=seen), earlier_only=True)
        except SpecError:  # a forward reference or a typo: the GatherV2 reports it as before
            return opdef, attrs, raw_inputs
        var = self.drafts[ref.node]
        if ref.index != 0 or var.opdef.source != "variable" or self._kind(var) != "resource":
            return opdef, attrs, raw_inputs
        return REGISTRY["resource_gather"], {"batch_dims": 0, "validate_indices": True}, raw_inputs[:2]

    def _is_zero_axis(self, raw, name: str, seen: int, loc) -> bool:
        """The axis is TF's `constant_value` 0: the literal 0, or a const entry holding 0."""
        if type(raw) is int:
            return raw == 0
        if not isinstance(raw, str):
            return False
        try:
            ref = self.resolve_written(self.pending(raw, loc, owner=name, seen=seen), earlier_only=True)
        except SpecError:
            return False
        draft = self.drafts[ref.node]
        value = draft.attrs.get("value") if draft.opdef.name == "const" else None
        return type(value) is int and value == 0 and ref.index == 0

    def _add_returned_identity(self, op: _Draft) -> None:
        """TF's Python returns `array_ops.identity(result)` outside the op's colocation
        (embedding_ops.py): made in the entry's blocks and device; the name means it."""
        identity = _Draft(self.namer.unique(f"{op.name}/Identity"), REGISTRY["identity"],
                          [TensorRef(op.name, 0)], {}, op.device, op.loc, active=op.active,
                          role="returned", device_from=op.device_from, requested=op.requested)
        self._register(identity)
        self.returns[op.name] = identity.name

    def _add_lazy_read(self, assign: _Draft) -> None:
        """TF's `_UnreadVariable`: a resource assign also makes a read of the value after it
        (B4), in the same blocks, with a control input on the assign. Fetching the assign
        fetches this read; its edges count for placement (F6, F8) even when it never runs."""
        read = _Draft(self.namer.unique(join(self._scope, "ReadVariableOp")), REGISTRY["read"],
                      [assign.inputs[0]], {}, "", assign.loc, active=assign.active,
                      extra_controls=[assign.name], role="assign_read")
        self._register(read)
        self._assign_reads[assign.name] = read.name

    def _expand_ema(self, ema: _Draft) -> None:
        """TF's ExponentialMovingAverage.apply: a shadow and an update per input (B5)."""
        short = ema.name.rpartition("/")[2]
        for position, ref in enumerate(ema.inputs):
            literal = self.drafts.get(ref.node)
            if literal is not None and literal.role == "literal":
                raise SpecError(f"exponential_moving_average '{ema.name}': input {position} is a literal "
                                f"({literal.literal!r}); TF's ExponentialMovingAverage.apply averages "
                                "variables and tensors: name a node", ema.loc)
            source = self._averaged_node(ref)
            shadow = _Draft(self.namer.unique(f"{source}/{short}"), REGISTRY["variable"], [],
                            {"value": None, "dtype": None, "trainable": False, "collections": None},
                            "", ema.loc, role="shadow", colocate=source, shadow_of=ref)
            self._register(shadow, self._born[ema.name])  # TF makes it where the EMA is
            self._add_variable_read(shadow)
            update = _Draft(self.namer.unique(f"{ema.name}/AssignMovingAvg"), REGISTRY["ema_update"],
                            [TensorRef(shadow.name, 0), ref],
                            {"decay": ema.attrs["decay"], "num_updates": ema.attrs["num_updates"]},
                            ema.device, ema.loc, active=ema.active, ref_positions=(0,),
                            requested=ema.requested)
            self._register(update, self._born[ema.name])
            ema.extra_controls.append(update.name)
        ema.inputs = []

    def _averaged_node(self, ref: TensorRef) -> str:
        """The node a shadow is named after: the variable behind a read, else the tensor's op."""
        draft = self.drafts.get(ref.node) or self.late[ref.node]
        if draft.role in ("read", "snapshot") and draft.ref_positions:
            return draft.inputs[0].node
        return ref.node

    def _expand_group(self, group: _Draft) -> None:
        """`group`: its inputs become control inputs; one no_op per requested device string
        when several (G7): TF groups by `op.device` as kept, so `/device:CPU:1` and
        `/job:localhost/replica:0/task:0/device:CPU:1` are two devices there."""
        members = [self.drafts[ref.node] for ref in group.inputs]
        group.inputs = []
        device_of = {m.name: self._group_device(m) for m in members}
        devices = sorted(set(device_of.values()))
        if len(devices) <= 1:
            group.extra_controls = [m.name for m in members]
            if devices and devices[0]:  # TF: `with ops.device(dev): no_op()` on the members' device
                self._put_under(group, devices[0])
            return
        for device in devices:
            noop = _Draft(self.namer.unique(f"{group.name}/NoOp"), REGISTRY["no_op"], [], {},
                          group.device, group.loc, active=group.active, role="group",
                          device_from=group.device_from, requested=group.requested,
                          extra_controls=[m.name for m in members if device_of[m.name] == device])
            if device:  # TF: `with ops.device(dev)` inside the group's own scope ('' inherits it)
                self._put_under(noop, device)
            self.before.setdefault(group.name, []).append(noop)
            group.extra_controls.append(noop.name)

    @staticmethod
    def _put_under(draft: _Draft, requested: str) -> None:
        """`with tf.device(requested)` around the draft's own device scope."""
        spec = parse_device(requested).merged_into(parse_device(draft.requested or draft.device))
        draft.device, draft.requested, draft.device_from = str(spec), spec.tf_string(), "block"

    def _group_device(self, member: _Draft) -> str:
        """The device string TF's group sorts a member by: an assign answers its variable's
        (the `_UnreadVariable` or ref tensor TF returns lives with the variable)."""
        if member.opdef.assigns and member.inputs:
            member = self.drafts[member.inputs[0].node]
        return member.requested or (parse_device(member.device).tf_string() if member.device else "")

    def _colocate_requests(self) -> None:
        """Ops TF's Python builds under colocate_with(x) request x's device, and so do the
        helper constants made inside it (ref assigns and reads, F4; embedding_lookup)."""
        for draft in self.drafts.values():
            anchor = self._colocation_anchor(draft)
            if anchor is None:
                continue
            draft.device, draft.requested = anchor.device, anchor.requested
            for ref in draft.inputs[len(draft.inputs) - draft.helper_count:]:
                helper = self.drafts[ref.node]
                helper.device, helper.requested, helper.colocate = anchor.device, anchor.requested, anchor.name

    def _colocation_anchor(self, draft: _Draft) -> _Draft | None:
        if not draft.inputs:
            return None
        if draft.opdef.ref_colocated and draft.role != "snapshot" and self._kind(draft) == "ref":
            node = draft.inputs[0].node
            return self.drafts.get(node) or self.late[node]   # a cond's capture Switch is made late
        if draft.opdef.colocate_input is not None:
            node = draft.inputs[draft.opdef.colocate_input].node
            return self.drafts.get(node) or self.late[node]  # a resource read is made late
        return None


    # ---- tf.compat.v1.layers.batch_normalization ----------------------------------------
    def _add_batch_normalization(self, entry: YMap, loc) -> None:
        """The nodes TF 1.x's `tf.layers.batch_normalization(x, training=..., momentum=...,
        epsilon=..., fused=True)` makes (the legacy Keras layer in graph mode), in the layer's
        scope `batch_normalization` (made unique: `batch_normalization_1`...):

        - variables `gamma` (ones), `beta` (zeros) (trainable), `moving_mean` (zeros),
          `moving_variance` (ones) (not trainable), each a [channels] float32;
        - their reads (`ReadVariableOp`.. `_3`; ref: `gamma/read`...) and `FusedBatchNormV3`
          (is_training = training, exponential_avg_factor 1): the entry's name means its y;
        - training: `Const` (momentum), then per moving variable `AssignMovingAvg[_1]/`: `sub/x`,
          `sub` (1 - momentum), a read, `sub_1` (variable - batch statistic), `mul` (times the
          decay) and the AssignSubVariableOp `AssignMovingAvg[_1]` itself, added to UPDATE_OPS:
          nothing runs them unless the train op depends on them (`update-ops-not-run`).
        """
        check_keys(entry, BN_KEYS, "a batch_normalization entry", loc)
        self._needs_expand("batch_normalization", loc)
        options = {}
        for key, default, kind in (("training", False, bool), ("momentum", 0.99, float),
                                   ("epsilon", 0.001, float), ("fused", True, bool)):
            value = entry.get(key, default)
            if kind is bool and value not in (True, False) or kind is float and (
                    isinstance(value, bool) or not isinstance(value, (int, float))):
                raise SpecError(f"`{key}` of batch_normalization must be {'true or false' if kind is bool else 'a number'}"
                                f", got {value!r}", loc_of(entry, key, loc))
            options[key] = value
        if not options["fused"]:
            raise SpecError("batch_normalization is built fused (FusedBatchNormV3) only: leave out `fused` or "
                            "set it true", loc_of(entry, "fused", loc))
        x = self._eager(entry["batch_normalization"], loc_of(entry, "batch_normalization", loc))
        t = self._tensor_type(x, loc)
        if t.shape is None or len(t.shape) != 4 or t.shape[3] is None or t.dtype not in ("float16", "float32"):
            raise SpecError(f"batch_normalization: x must be a float32 (or float16) NHWC tensor of rank 4 with a "
                            f"known channel count (fused=True), got '{x}' of {t}", loc_of(entry, "batch_normalization", loc))
        name = entry.get("name") or "batch_normalization"
        if not isinstance(name, str):
            raise SpecError("`name` must be a string", loc_of(entry, "name", loc))
        outer, scope = self._scope, self._enter_scope(name, loc_of(entry, "name", loc))
        self._scope = scope
        made: dict[str, str] = {}
        try:
            variables = [self._layer_variable(short, value, trainable, t.shape[3], loc)
                         for short, value, trainable in BN_VARIABLES]
            made.update(zip(("gamma", "beta", "moving_mean", "moving_variance"), variables))
            value = self._layer_input(x, loc)   # nn.fused_batch_norm converts x, scale, offset first,
            fbn = self.namer.unique(join(scope, "FusedBatchNormV3"))  # the op converts mean, variance
            reads = [self._layer_read(v, loc, f"{fbn}/" if k > 1 else "") for k, v in enumerate(variables)]
            training = options["training"]
            fbn = self._layer_draft("fused_batch_norm", "", [value, *reads],
                                    {"epsilon": float(options["epsilon"]), "is_training": training,
                                     "exponential_avg_factor": 1.0, "data_format": "NHWC"}, loc, full=fbn)
            made["FusedBatchNormV3"] = fbn
            if training:
                momentum = self._layer_draft("const", "Const", [], {"value": float(options["momentum"]),
                                                                   "dtype": "float32"}, loc)
                for k, var in ((1, variables[2]), (2, variables[3])):
                    made[f"update_{k}"] = self._moving_average(var, TensorRef(fbn, k), momentum, loc)
        finally:
            self._scope = outer
        self.aliases[scope] = (_Pending(fbn, loc, "", None), loc)
        self._born_now(scope)
        self._created.append(scope)
        if self.observer:
            self.observer.batch_normalization(self, entry, x, scope, options, made)

    def _layer_draft(self, op: str, short: str, inputs: list, attrs: dict, loc, full: str | None = None) -> str:
        """A node the layer makes, in the current scope and blocks, typed now."""
        draft = self._draft_here(full or self.namer.unique(join(self._scope, short)), op, inputs, attrs, loc,
                                 "layer", ref_positions=(0,) if REGISTRY[op].assigns else ())
        self._register(draft)
        self._type(draft)
        return draft.name

    def _layer_variable(self, short: str, value: float, trainable: bool, depth: int, loc) -> str:
        """`add_weight`: a [depth] float32 variable `<scope>/<short>` (with its own read)."""
        draft = self._draft_here(self.namer.unique(join(self._scope, short)), "variable", [],
                                 {"value": [value] * depth, "dtype": "float32", "shape": None,
                                  "trainable": trainable, "collections": None}, loc, "", active=())
        self._register(draft)
        self._add_variable_read(draft)
        self._type(draft)
        return draft.name

    def _layer_input(self, x: TensorRef, loc) -> TensorRef:
        """x as the layer's op takes it: a variable (or a resource assign's `_UnreadVariable`,
        after the assign) is read in the layer's scope, as `convert_to_tensor` reads it."""
        source = self.drafts.get(x.node)
        if source is None:
            return x
        if source.opdef.source == "variable":
            return self._layer_read(x.node, loc)
        if self._is_unread(source):
            read = self._layer_read(source.inputs[0].node, loc)
            self.drafts[read.node].extra_controls.append(source.name)
            return read
        return x

    def _layer_read(self, var: str, loc, within: str = "") -> TensorRef:
        """The value the layer's op takes: a `ReadVariableOp` in the current scope or `within`
        (an op's own scope: the inputs its op function converts) (resource), the variable's
        `read` snapshot (ref)."""
        if self._kind(self._draft_of(var)) == "ref":   # typed, then its snapshot
            snapshot = self.drafts[self._var_reads[var]]
            if not snapshot.outputs:
                self._type(snapshot)
            return TensorRef(snapshot.name, 0)
        prefix = within or (self._scope + "/" if self._scope else "")
        read = _Draft(self.namer.unique(prefix + "ReadVariableOp"), REGISTRY["read"],
                      [TensorRef(var, 0)], {}, "", loc, active=tuple(self._controllers), role="read",
                      ref_positions=(0,))
        self._register(read)
        self._type(read)
        return TensorRef(read.name, 0)

    def _moving_average(self, var: str, value: TensorRef, momentum: str, loc) -> str:
        """Keras' `_assign_moving_average(var, value, momentum)`: under `AssignMovingAvg`,
        var -= (var - value) * (1 - momentum) by `tf.compat.v1.assign_sub(var, delta,
        name=scope)`: the AssignSub `AssignMovingAvg` itself (ref), `var.assign_sub(delta)`
        (resource: `AssignMovingAvg/AssignSubVariableOp` and the `_UnreadVariable`'s read).
        The assign is added to UPDATE_OPS."""
        outer = self._scope
        scope = self._scope = self.namer.unique(join(outer, "AssignMovingAvg"))
        try:
            sub = self.namer.unique(join(scope, "sub"))
            one = self._layer_draft("const", "", [], {"value": 1.0, "dtype": "float32"}, loc,
                                    full=self.namer.unique(f"{sub}/x"))
            decay = self._layer_draft("sub", "", [TensorRef(one, 0), TensorRef(momentum, 0)], {}, loc, full=sub)
            current = self._layer_read(var, loc)
            delta = self._layer_draft("sub", "sub_1", [current, value], {}, loc)
            scaled = self._layer_draft("mul", "mul", [TensorRef(delta, 0), TensorRef(decay, 0)], {}, loc)
            resource = self._kind(self.drafts[var]) == "resource"
            assign = self._layer_draft("assign_sub", "AssignSubVariableOp", [TensorRef(var, 0), TensorRef(scaled, 0)],
                                       {}, loc, full=None if resource else scope)
            if resource:
                self._add_lazy_read(self.drafts[assign])
        finally:
            self._scope = outer
        self.collections.setdefault("update_ops", []).append(assign)
        return assign
