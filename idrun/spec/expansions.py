"""What TF's Python builds around some ops, made by the builder as TF makes it.

- helper constants (a reduce's axis, split_dim, concat's axis) created with
  their op, in its blocks, so they carry the blocks' control inputs (A2);
- the lazy read a resource assign returns (`_UnreadVariable`, B4);
- ExponentialMovingAverage.apply: a shadow and an update per input (B5);
- group: one no_op per device plus a final one (G7), devices as TF sorts them;
- ref assigns built under colocate_with(var) (F4).

A mixin of GraphBuilder: these methods read and add the builder's drafts.
"""

from __future__ import annotations

from idrun.devices.names import parse_device
from idrun.errors import SpecError
from idrun.graph import TensorRef
from idrun.ops import REGISTRY
from idrun.spec.drafts import _Draft
from idrun.spec.names import join



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
        if self.variables != "resource" or not draft.opdef.variable_inputs:
            return False
        try:
            target = self.resolve_written(draft.inputs[draft.opdef.variable_inputs[0]], earlier_only=True)
        except SpecError:  # a forward reference: settled later, TF could not see it either
            return False
        source = self.drafts[target.node]
        return source.opdef.source == "variable" or source.opdef.assigns

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
        if self.variables == "ref" and draft.opdef.ref_colocated and draft.role != "snapshot":
            return self.drafts[draft.inputs[0].node]
        if draft.opdef.colocate_input is not None:
            node = draft.inputs[draft.opdef.colocate_input].node
            return self.drafts.get(node) or self.late[node]  # a resource read is made late
        return None

