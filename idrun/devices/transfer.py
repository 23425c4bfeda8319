"""How a value moves between two devices: handed over, or copied into a reused buffer."""

from __future__ import annotations

from typing import Any, Callable

import numpy

from idrun.ops.state import VariableCell


REUSE_BYTES = 1 << 20  # above this, a transfer copies into a buffer kept for the plan


def make_transfer(src: Any, dst: Any) -> Callable:
    """How a value moves: host to host hands the buffer over; else a real copy.

    Between numpy memory spaces (a simulated GPU) large values are copied into
    a receive buffer allocated once per transfer of the plan (PERF.md: reuse
    above about 1 MB). Values that outlive a step are copied out of it: fetches
    by the session, variables by their assign kernels.
    """
    if src.host and dst.host:
        return _hand_over
    if src.xp is numpy and dst.xp is numpy:
        return _cells(_reusing_copy())
    if src.host and hasattr(dst, "receiver"):
        return _cells(dst.receiver())
    if dst.host and hasattr(src, "sender"):
        return _cells(src.sender())
    if dst.host:
        return _cells(src.get)
    if src.host:
        return _cells(dst.put)
    return _cells(lambda v: dst.put(src.get(v)))


def _reusing_copy() -> Callable:
    buffer = None

    def copy(value: Any) -> Any:
        nonlocal buffer
        if value.nbytes < REUSE_BYTES:
            return numpy.array(value, copy=True)
        if buffer is None or buffer.shape != value.shape or buffer.dtype != value.dtype:
            buffer = numpy.empty_like(value)
        numpy.copyto(buffer, value)
        return buffer
    return copy


def _hand_over(value: Any) -> Any:
    return value


def _cells(copy: Callable) -> Callable:
    """A copy that also moves a ref (a cell): the copy ends the aliasing."""
    def move(value: Any) -> Any:
        if not hasattr(value, "nbytes") and not isinstance(value, VariableCell):
            return value   # a stack's or TensorArray's handle: TF keeps it in host memory
        if isinstance(value, VariableCell):
            moved = VariableCell(value.name)
            moved.value = copy(value.value)
            return moved
        return copy(value)
    return move
