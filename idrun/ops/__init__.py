"""The op registry: an explicit table built from the family modules."""

from __future__ import annotations

from idrun.errors import SourceLoc, SpecError, did_you_mean
from idrun.ops import array, control, math, nn, opaque, parsing, random, state, train
from idrun.ops.opdef import OpDef

REGISTRY: dict[str, OpDef] = {op.name: op for family in (state, math, array, control, nn, random, train, parsing, opaque)
                              for op in family.OPS}


def lookup(name: object, loc: SourceLoc | None = None) -> OpDef:
    """The OpDef for `name`, or a SpecError with a did-you-mean."""
    if isinstance(name, str) and name in REGISTRY:
        return REGISTRY[name]
    shown = name if isinstance(name, str) else repr(name)
    hints = did_you_mean(shown, REGISTRY) if isinstance(name, str) else []
    raise SpecError(f"unknown op '{shown}'", loc, hints)
