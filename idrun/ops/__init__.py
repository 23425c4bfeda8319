"""The op registry: an explicit table built from the family modules."""

from __future__ import annotations

from idrun.errors import SourceLoc, SpecError, did_you_mean
from idrun.ops import (array, checkpoints, control, control_flow, math, nn, nn_grad, opaque, parsing, queues, random,
                       reductions, shape_ops, state, summary, tensor_arrays, train)
from idrun.ops.opdef import OpDef

FAMILIES = (state, math, reductions, array, shape_ops, control, control_flow, nn, nn_grad, random, train, parsing, summary,
            queues, tensor_arrays, checkpoints, opaque)
REGISTRY: dict[str, OpDef] = {op.name: op for family in FAMILIES for op in family.OPS}


def lookup(name: object, loc: SourceLoc | None = None) -> OpDef:
    """The OpDef for `name`, or a SpecError with a did-you-mean."""
    if isinstance(name, str) and name in REGISTRY:
        return REGISTRY[name]
    shown = name if isinstance(name, str) else repr(name)
    hints = did_you_mean(shown, REGISTRY) if isinstance(name, str) else []
    raise SpecError(f"unknown op '{shown}'", loc, hints)
