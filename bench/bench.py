"""`make bench`: idrun's per-step cost against hand-written numpy, measured in one run.

Prints µs per step for the seed graph, µs per step and per op for chains of
elementwise ops on float32[16], the same arithmetic as a numpy loop, the
ratio idrun / numpy, and the wall time of `idrun run` on the seed graph.
Compare ratios within one run; machines are noisy.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from idrun.pipeline import Pipeline  # noqa: E402
from idrun.spec.request import RunOptions  # noqa: E402

CHAINS = (10, 100, 1000, 10000)


def chain_spec(n: int) -> str:
    lines = ["name: chain", "nodes:",
             "  - {name: v, op: const, value: [" + ", ".join(["1.0"] * 16) + "]}",
             "  - {name: c, op: const, value: 1.0001}"]
    prev = "v"
    for i in range(n):
        op = "mul" if i % 2 else "add"
        lines.append(f"  - {{name: n{i}, op: {op}, inputs: [{prev}, c]}}")
        prev = f"n{i}"
    lines.append(f"run: {{fetch: [{prev}]}}")
    return "\n".join(lines) + "\n"


def numpy_chain(n: int):
    v = np.ones(16, np.float32)
    c = np.asarray(1.0001, np.float32)
    funcs = [np.multiply if i % 2 else np.add for i in range(n)]  # no branch in the loop

    def step():
        x = v
        for f in funcs:
            x = f(x, c)
        return x
    return step


def time_per_call(fn, min_seconds: float = 0.3) -> float:
    """Median seconds per call over a few batches."""
    calls = 1
    while True:
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        dt = time.perf_counter() - t
        if dt > min_seconds / 5:
            break
        calls *= 4
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t) / calls)
    return statistics.median(samples)


def idrun_step(path: str):
    """The compiled step of a spec, as the session's loop calls it."""
    pipeline = Pipeline(path)
    session, request = pipeline.session, pipeline.request
    session.initialize()
    plan = session.plan(request)
    feeds = tuple(request.feeds.values())
    return lambda: plan.step(feeds, [], [])


def session_step(path: str, steps: int = 2000) -> float:
    pipeline = Pipeline(path, RunOptions(steps=steps))
    session = pipeline.session
    t = time.perf_counter()
    session.run(pipeline.request)
    return (time.perf_counter() - t) / steps


def cli_wall(path: str, runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "idrun", "run", path, "--format", "plain"],
                       check=True, capture_output=True, cwd=ROOT)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    seed = str(ROOT / "graphs/control_deps_identity.yaml")
    print("idrun bench (medians; compare ratios measured in this run)")
    print(f"seed graph: {time_per_call(idrun_step(seed)) * 1e6:7.2f} µs/step (compiled step), "
          f"{session_step(seed) * 1e6:7.2f} µs/step (Session.run with results)")
    print(f"{'ops':>6} {'idrun µs/step':>14} {'µs/op':>7} {'numpy µs/step':>14} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in CHAINS:
            path = os.path.join(tmp, f"chain{n}.yaml")
            Path(path).write_text(chain_spec(n))
            t0 = time.perf_counter()
            ours = time_per_call(idrun_step(path))
            theirs = time_per_call(numpy_chain(n))
            print(f"{n:>6} {ours * 1e6:14.2f} {ours / n * 1e6:7.3f} {theirs * 1e6:14.2f} "
                  f"{ours / theirs:6.2f}   (load+compile+measure {time.perf_counter() - t0:.1f} s)")
    print(f"`idrun run graphs/control_deps_identity.yaml`: {cli_wall(seed):.3f} s wall")
    from bench_transfers import report_transfers
    report_transfers()


if __name__ == "__main__":
    main()
