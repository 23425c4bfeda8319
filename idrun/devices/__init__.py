"""Devices behind one small interface, loaded lazily by kind.

A device has a canonical name (`cpu:0`, `gpu:1`), an array module `xp` for
kernels, and `put`/`get`/`transfer_from`/`sync`. `cpu` is numpy on the host;
`gpu` is CuPy when a CUDA device is present (imported only then), else a
simulated GPU: numpy arrays in a memory space of its own with real copies;
`cuda_reason()` says why CUDA is not usable (asked once per process).
"""

from __future__ import annotations
import functools
import importlib
import importlib.util
import sys
from typing import Any, Protocol

DEVICE_KINDS = {
    "cpu": "idrun.devices.cpu:HostDevice",
    "simgpu": "idrun.devices.simgpu:SimulatedGpu",
    "cuda": "idrun.devices.cuda:CudaGpu",
}


class Device(Protocol):
    """What the engine needs of a device."""

    name: str          # canonical: cpu:0, gpu:1, /job:ps/task:0/cpu:0
    kind: str          # cpu | gpu
    simulated: bool
    host: bool         # arrays live in host memory (numpy)
    xp: Any            # array module for kernels

    def put(self, array: Any) -> Any:
        """A host array copied into this device's memory."""

    def get(self, array: Any) -> Any:
        """A device array copied to the host (numpy)."""

    def sync(self) -> None:
        """Wait for queued work."""


def _load(kind: str) -> type:
    module, _, cls = DEVICE_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), cls)


@functools.cache
def cuda_status() -> tuple[bool, str | None]:
    """(CUDA usable, why not): imports CuPy only when it is installed; once per process."""
    if "cupy" not in sys.modules and importlib.util.find_spec("cupy") is None:
        return False, "CuPy is not installed"
    try:
        import cupy
    except Exception as exc:  # noqa: BLE001 - a broken CuPy means "no GPU here", with its reason
        return False, f"CuPy failed to import: {_text(exc)}"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # noqa: BLE001 - e.g. CUDARuntimeError cudaErrorInsufficientDriver
        return False, f"CuPy cannot use CUDA: {_text(exc)}"
    if count < 1:
        return False, "CUDA found no GPU device"
    return True, None


def _text(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def cuda_available() -> bool:
    """True when CuPy imports and sees a CUDA device (imports CuPy only then)."""
    return cuda_status()[0]


def cuda_reason() -> str:
    """Why gpu:N devices are simulated here (CUDA's own error text when it has one)."""
    return cuda_status()[1] or "CUDA GPUs were not used"


def make_device(name: str, kind: str, index: int) -> Device:
    """A device object for a canonical name; GPUs are CUDA when present, else simulated."""
    if kind == "cpu":
        return _load("cpu")(name)
    if cuda_available():
        return _load("cuda")(name, index)
    return _load("simgpu")(name)
