"""A CUDA GPU through CuPy; the only module that imports CuPy."""

from __future__ import annotations

from typing import Any

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

    def put(self, array: Any) -> Any:
        with self.cuda, self.stream:
            return cupy.asarray(array)

    def get(self, array: Any) -> Any:
        with self.cuda:
            return cupy.asnumpy(array, stream=self.stream)

    def sync(self) -> None:
        self.stream.synchronize()
