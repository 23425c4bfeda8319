"""GPU fallback: why CUDA is not used, on stderr and in --require-gpu (CuPy faked)."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import pytest

import idrun.devices as devices

CUDA_TEXT = "cudaErrorInsufficientDriver: CUDA driver version is insufficient for CUDA runtime version"

GPU_GRAPH = """
devices: [cpu:0, gpu:0]
nodes:
  - {name: w, op: variable, value: [1.0, 2.0], device: gpu:0}
  - {name: y, op: reduce_sum, inputs: [w], device: cpu:0}
run: {fetch: [y], steps: 1}
expect: {y: [3.0]}
"""


class CUDARuntimeError(RuntimeError):
    """Shaped like cupy_backends.cuda.api.runtime.CUDARuntimeError."""


@pytest.fixture(autouse=True)
def fresh_cuda_status():
    devices.cuda_status.cache_clear()
    yield
    devices.cuda_status.cache_clear()


@pytest.fixture
def cupy_without_driver(monkeypatch):
    """A `cupy` that imports but whose CUDA runtime fails, as without a driver."""
    calls = []

    def get_device_count():
        calls.append(1)
        raise CUDARuntimeError(CUDA_TEXT)

    cupy = types.ModuleType("cupy")
    cupy.__spec__ = importlib.machinery.ModuleSpec("cupy", None)
    cupy.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=get_device_count))
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    return calls


def test_cupy_without_driver_gives_a_simulated_gpu_with_cudas_reason(cupy_without_driver):
    device = devices.make_device("gpu:0", "gpu", 0)
    assert device.simulated and device.kind == "gpu"
    assert devices.cuda_status() == (False, f"CuPy cannot use CUDA: {CUDA_TEXT}")
    assert CUDA_TEXT in devices.cuda_reason()
    devices.make_device("gpu:1", "gpu", 1)
    assert len(cupy_without_driver) == 1          # CUDA is asked once per process


def test_no_cupy_says_so(monkeypatch):
    monkeypatch.delitem(sys.modules, "cupy", raising=False)
    monkeypatch.setattr(devices.importlib.util, "find_spec", lambda name: None)
    assert devices.make_device("gpu:0", "gpu", 0).simulated
    assert devices.cuda_reason() == "CuPy is not installed"


def test_run_notes_cudas_reason(cli, spec_file, cupy_without_driver):
    res = cli("run", spec_file(GPU_GRAPH))
    assert res.exit_code == 0, res.stderr
    assert "note: gpu:0 simulated" in res.stderr
    assert CUDA_TEXT in res.stderr


def test_require_gpu_exits_2_with_cudas_reason(cli, spec_file, cupy_without_driver):
    res = cli("run", spec_file(GPU_GRAPH), "--require-gpu")
    assert res.exit_code == 2
    assert "--require-gpu: no CUDA GPU was found" in res.stderr
    assert CUDA_TEXT in res.stderr
    assert "Traceback" not in res.stderr
