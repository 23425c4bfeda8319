"""Host device: numpy arrays in host memory."""

from __future__ import annotations

from typing import Any

import numpy


class HostDevice:
    kind = "cpu"
    simulated = False
    host = True
    xp = numpy

    def __init__(self, name: str) -> None:
        self.name = name

    def put(self, array: Any) -> Any:
        return numpy.asarray(array)

    def get(self, array: Any) -> Any:
        return array

    def sync(self) -> None:
        pass
