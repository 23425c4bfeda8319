"""A simulated GPU: numpy arrays in a memory space of its own.

Every transfer to or from it is a real copy, so transfer counts, bytes and
times are real; the device is labelled `simulated` wherever it is shown.
"""

from __future__ import annotations

from typing import Any

import numpy


class SimulatedGpu:
    kind = "gpu"
    simulated = True
    host = False
    xp = numpy

    def __init__(self, name: str) -> None:
        self.name = name

    def put(self, array: Any) -> Any:
        return numpy.array(array, copy=True)

    def get(self, array: Any) -> Any:
        return numpy.array(array, copy=True)

    def sync(self) -> None:
        pass
