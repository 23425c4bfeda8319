"""Mutable drafts of nodes while a spec is built (frozen into graph.Node at the end)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from idrun.errors import SourceLoc
from idrun.graph import TensorRef, TensorType
from idrun.ops.opdef import MISSING, OpDef


@dataclass
class _Controller:
    """One `control_dependencies` block (or one node's `control_inputs`)."""

    uid: int
    refs: list["_Pending"]
    loc: SourceLoc | None = None   # where the list was written (provenance for `idrun check`)
    kind: str = "block"            # "block" | "control_inputs"


@dataclass(slots=True)
class _Pending:
    """A reference not yet resolved: text, where it was written, its scope, and what
    existed then (`seen`: names born before it; None sees every name)."""

    text: Any
    loc: SourceLoc
    scope: str
    seen: int | None = None
    owner: str = ""  # the node it is an input of: never resolves to itself


@dataclass(slots=True)
class _Draft:
    name: str
    opdef: OpDef
    inputs: list  # TensorRef | _Pending
    attrs: dict
    device: str       # normalized (`cpu:1`): what placement, output and transfers use
    loc: SourceLoc
    active: tuple[_Controller, ...] = ()
    extra_controls: list[str] = field(default_factory=list)
    role: str = ""
    literal: Any = MISSING  # implicit constants: the raw literal, typed later
    ref_positions: tuple[int, ...] = ()
    outputs: tuple[TensorType, ...] = ()
    controls: tuple[str, ...] = ()
    device_from: str = ""
    colocate: str = ""
    shadow_of: TensorRef | None = None  # EMA shadows: the tensor they average
    helper_count: int = 0
    seen: int = 0  # names born before this node's entry (what its references may see)
    requested: str = ""  # the device string as TF keeps it (F8 compares these), "" for none

    @property
    def member_of(self) -> set[int]:
        return {c.uid for c in self.active}
