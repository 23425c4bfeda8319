"""Transfer throughput cpu:0 -> simulated gpu:0 against np.copyto, in the same run."""

from __future__ import annotations

import statistics
import time

import numpy as np

from idrun.devices.simgpu import SimulatedGpu
from idrun.devices.cpu import HostDevice
from idrun.devices.transfer import make_transfer

SIZES = (("1 KB", 1 << 10), ("1 MB", 1 << 20), ("64 MB", 64 << 20))


def _median_seconds(fn, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def report_transfers() -> None:
    move = make_transfer(HostDevice("cpu:0"), SimulatedGpu("gpu:0"))
    print(f"{'size':>6} {'idrun GB/s':>11} {'np.copyto GB/s':>15} {'ratio':>6}")
    for label, nbytes in SIZES:
        src = np.ones(nbytes // 4, np.float32)
        dst = np.empty_like(src)
        repeats = 9 if nbytes > (1 << 24) else 201
        ours = _median_seconds(lambda: move(src), repeats)
        floor = _median_seconds(lambda: np.copyto(dst, src), repeats)
        print(f"{label:>6} {nbytes / ours / 1e9:11.2f} {nbytes / floor / 1e9:15.2f} {floor / ours:6.2f}")
