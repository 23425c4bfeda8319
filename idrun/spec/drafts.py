"""Mutable drafts of nodes while a spec is built (frozen into graph.Node at the end)."""

from __future__ import annotations

from typing import Any

from idrun.errors import SourceLoc
from idrun.graph import TensorRef, TensorType
from idrun.ops.opdef import MISSING, OpDef
from idrun.records import FACTORY, Record


class _Controller(Record):
    """One `control_dependencies` block (or one node's `control_inputs`)."""

    uid: int
    refs: list["_Pending"]
    loc: SourceLoc | None          # where the list was written (provenance for `idrun check`)
    kind: str                      # "block" | "control_inputs"

    def __init__(self, uid: int, refs: list["_Pending"], loc: SourceLoc | None = None,
                 kind: str = "block") -> None:
        self.uid = uid
        self.refs = refs
        self.loc = loc
        self.kind = kind


class _Pending(Record):
    """A reference not yet resolved: text, where it was written, its scope, and what
    existed then (`seen`: names born before it; None sees every name)."""

    __slots__ = ("text", "loc", "scope", "seen", "owner")
    text: Any
    loc: SourceLoc
    scope: str
    seen: int | None
    owner: str       # the node it is an input of: never resolves to itself

    def __init__(self, text: Any, loc: SourceLoc, scope: str, seen: int | None = None,
                 owner: str = "") -> None:
        self.text = text
        self.loc = loc
        self.scope = scope
        self.seen = seen
        self.owner = owner


class _Draft(Record):
    __slots__ = ("name", "opdef", "inputs", "attrs", "device", "loc", "active", "extra_controls", "role",
                 "literal", "ref_positions", "outputs", "controls", "device_from", "colocate", "shadow_of",
                 "helper_count", "seen", "requested")
    name: str
    opdef: OpDef
    inputs: list                  # TensorRef | _Pending
    attrs: dict
    device: str                   # normalized (`cpu:1`): what placement, output and transfers use
    loc: SourceLoc
    active: tuple[_Controller, ...]
    extra_controls: list[str]
    role: str
    literal: Any                  # implicit constants: the raw literal, typed later
    ref_positions: tuple[int, ...]
    outputs: tuple[TensorType, ...]
    controls: tuple[str, ...]
    device_from: str
    colocate: str
    shadow_of: TensorRef | None   # EMA shadows: the tensor they average
    helper_count: int
    seen: int                     # names born before this node's entry (what its references may see)
    requested: str                # the device string as TF keeps it (F8 compares these), "" for none

    def __init__(self, name: str, opdef: OpDef, inputs: list, attrs: dict, device: str, loc: SourceLoc,
                 active: tuple[_Controller, ...] = (), extra_controls: list[str] = FACTORY, role: str = "",
                 literal: Any = MISSING, ref_positions: tuple[int, ...] = (),
                 outputs: tuple[TensorType, ...] = (), controls: tuple[str, ...] = (),
                 device_from: str = "", colocate: str = "", shadow_of: TensorRef | None = None,
                 helper_count: int = 0, seen: int = 0, requested: str = "") -> None:
        self.name = name
        self.opdef = opdef
        self.inputs = inputs
        self.attrs = attrs
        self.device = device
        self.loc = loc
        self.active = active
        self.extra_controls = [] if extra_controls is FACTORY else extra_controls
        self.role = role
        self.literal = literal
        self.ref_positions = ref_positions
        self.outputs = outputs
        self.controls = controls
        self.device_from = device_from
        self.colocate = colocate
        self.shadow_of = shadow_of
        self.helper_count = helper_count
        self.seen = seen
        self.requested = requested

    @property
    def member_of(self) -> set[int]:
        return {c.uid for c in self.active}
