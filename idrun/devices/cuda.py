"""A CUDA GPU through CuPy; the only module that imports CuPy.

Kernels run on the device's own non-blocking stream (made current for the
thread). Transfers go through pinned host staging buffers, allocated once per
transfer of a plan (`receiver`/`sender` are called once per plan transfer)
and reused while the shape and dtype stay the same; each copy is
synchronized, so the step's timing of it is the copy's real duration.
"""

from __future__ import annotations

from typing import Any, Callable

import cupy
import numpy


class CudaGpu:
    kind = "gpu"
    simulated = False
    host = False
    xp = cupy

    def __init__(self, name: str, index: int) -> None:
        self.name = name
        self.cuda = cupy.cuda.Device(index)
        with self.cuda:
            self.stream = cupy.cuda.Stream(non_blocking=True)
        self.stream.use()

    def put(self, array: Any) -> Any:
        with self.cuda:
            out = cupy.asarray(array)
            self.stream.synchronize()
            return out

    def get(self, array: Any) -> Any:
        with self.cuda:
            return cupy.asnumpy(array, stream=self.stream, blocking=True)

    def sync(self) -> None:
        self.stream.synchronize()

    def receiver(self) -> Callable[[Any], Any]:
        """Host -> this GPU through a pinned staging buffer kept for the plan."""
        staging = _Staging()

        def move(value: Any) -> Any:
            host = numpy.ascontiguousarray(value)
            pinned = staging.like(host)
            numpy.copyto(pinned, host)
            with self.cuda:
                out = cupy.empty(host.shape, host.dtype)
                out.set(pinned, stream=self.stream)
                self.stream.synchronize()
            return out
        return move

    def sender(self) -> Callable[[Any], Any]:
        """This GPU -> host into a pinned buffer kept for the plan (copied out by its users)."""
        staging = _Staging()

        def move(array: Any) -> Any:
            pinned = staging.like(array)
            with self.cuda:
                array.get(stream=self.stream, out=pinned)
                self.stream.synchronize()
            return pinned
        return move


class _Staging:
    """One pinned host buffer, reallocated only when shape or dtype change."""

    def __init__(self) -> None:
        self.buffer = None

    def like(self, array: Any) -> numpy.ndarray:
        shape, dtype = tuple(array.shape), numpy.dtype(array.dtype)
        if self.buffer is None or self.buffer.shape != shape or self.buffer.dtype != dtype:
            size = int(numpy.prod(shape, dtype=numpy.int64))
            memory = cupy.cuda.alloc_pinned_memory(max(size * dtype.itemsize, 1))
            self.buffer = numpy.frombuffer(memory, dtype, size).reshape(shape)
        return self.buffer
