"""Static shape helpers shared by op inference (no numpy)."""

from __future__ import annotations

from typing import Any, Sequence

from idrun.graph import TensorType
from idrun.ops.opdef import InferError, KernelError


def broadcast(a: tuple | None, b: tuple | None) -> tuple | None:
    """numpy broadcasting of two static shapes; None dims stay unknown."""
    if a is None or b is None:
        return None
    out = []
    for x, y in zip(_pad(a, len(b)), _pad(b, len(a))):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise InferError(f"Incompatible shapes: {format_dims(a)} vs. {format_dims(b)}")
    return tuple(out)


def _pad(shape: tuple, rank: int) -> tuple:
    return (1,) * (rank - len(shape)) + tuple(shape)


def format_dims(shape: tuple | None) -> str:
    """`[2,?]` as TF writes shapes in messages; `<unknown>` for an unknown rank."""
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def same_dtype(types: Sequence[TensorType], names: Sequence[str], op: str) -> str:
    first = types[0].dtype
    for t, name in zip(types[1:], names[1:]):
        if t.dtype != first:
            raise InferError(f"Input '{name}' of '{op}' Op has type {t.dtype} that does "
                             f"not match type {first} of argument '{names[0]}'. TF does not "
                             f"convert: make both {first} (a literal written as 2.0 is float32, "
                             f"2 is int32; or give the constant `dtype: {first}`, or `cast` it)")
    return first


def norm_axis(axis: int, rank: int | None, what: str = "axis") -> int:
    if rank is None:
        return axis
    if not -rank <= axis < max(rank, 1):
        raise InferError(f"{what} {axis} is out of bounds for a tensor of rank {rank}")
    return axis % rank if rank else 0


def reduce_shape(shape: tuple | None, axis: Any, keepdims: bool) -> tuple | None:
    if shape is None:
        return None
    if axis is None:
        axes = set(range(len(shape)))
    else:
        axes = {norm_axis(a, len(shape)) for a in (axis if isinstance(axis, list) else [axis])}
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def num_elements(shape: tuple | None) -> int | None:
    if shape is None or any(d is None for d in shape):
        return None
    n = 1
    for d in shape:
        n *= d
    return n


def bounded(dims, what: str = "the output") -> tuple[int, ...]:
    """A shape that is known only when the step runs (a fed `dims`, a computed `multiples`),
    checked against the tensor limit before anything is allocated, as the builder checks
    the shapes it knows: a step error, not a memory error."""
    from idrun import limits
    shape = tuple(int(d) for d in dims)
    n = 1
    for d in shape:
        n *= max(d, 0)
    if n > limits.MAX_TENSOR_ELEMENTS:
        raise KernelError(f"{what} would have {n:,} elements ({format_dims(shape)}), over the limit of "
                          f"{limits.MAX_TENSOR_ELEMENTS:,} (raise it with `idrun --max-tensor-elements N`)")
    return shape
