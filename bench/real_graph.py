"""`make bench`, real graphs: the CIFAR-10 tutorial's training step imported from TF, idrun
against TF Session.run on this machine in one run: per step, and process start to the first
loss (import the GraphDef, initialize, one step). Needs TF's python (.venv-tf)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _wall(cmd: list[str], runs: int = 3) -> float:
    best = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        best.append(time.perf_counter() - t)
    return min(best)


def report_cifar10(tmp: str, tf_python: str | None) -> None:
    batch = os.environ.get("BENCH_CIFAR_BATCH", "128")
    print(f"\n== real graph: the CIFAR-10 tutorial's training step (batch {batch}), imported from TF")
    if tf_python is None:
        print("(no TF python: make conformance makes .venv-tf)")
        return
    out = Path(tmp)
    proc = subprocess.run([tf_python, str(ROOT / "bench/tf_cifar10.py"), "write", tmp],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        print(f"(TF side failed: {proc.stderr.strip().splitlines()[-1:]})")
        return
    tf_step = json.loads(proc.stdout.strip().splitlines()[-1])["per_step"]
    names = json.loads((out / "names.json").read_text())
    spec = out / "cifar10.yaml"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "idrun", "import", str(out / "cifar10.pbtxt"), "-o", str(spec)],
                   check=True, capture_output=True, cwd=ROOT)
    import_s = time.perf_counter() - t
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    feeds = {"images": f"@{out / 'images.npy'}", "labels": f"@{out / 'labels.npy'}"}
    fetch = [names["loss"]]
    opts = RunOptions(fetch=fetch, targets=[names["train"]], feeds=feeds, steps=8)
    result = Pipeline(str(spec), opts).run()
    if result.error is not None:
        print(f"(idrun run failed: {result.error.message})")
        return
    def timed(steps: int) -> float:   # one session: compiled once, initialized once per run
        pipeline = Pipeline(str(spec), RunOptions(fetch=fetch, targets=[names["train"]], feeds=feeds, steps=steps))
        pipeline.run()
        t = time.perf_counter()
        pipeline.run()
        return time.perf_counter() - t
    def tf_timed() -> float:
        proc = subprocess.run([tf_python, str(ROOT / "bench/tf_cifar10.py"), "steps", tmp],
                              capture_output=True, text=True, cwd=ROOT, check=True)
        return json.loads(proc.stdout.strip().splitlines()[-1])["per_step"]
    # a shared machine's load drifts: TF and idrun measured in turn, the ratio of each pair
    pairs = []
    for _ in range(3):
        ours = (timed(6) - timed(1)) / 5
        theirs = tf_timed()
        pairs.append((ours, theirs))
    idrun_step = statistics.median(p[0] for p in pairs)
    tf_step = statistics.median(p[1] for p in pairs)
    ratio = statistics.median(p[0] / p[1] for p in pairs)
    run_cmd = [sys.executable, "-m", "idrun", "run", str(spec), "--fetch", fetch[0], "--target", names["train"],
               "--feed", f"images=@{out / 'images.npy'}", "--feed", f"labels=@{out / 'labels.npy'}",
               "--format", "plain"]
    idrun_first = _wall(run_cmd)
    tf_first = _wall([tf_python, str(ROOT / "bench/tf_cifar10.py"), "first", tmp])
    print(f"per step: idrun {idrun_step * 1e3:.1f} ms, TF Session.run {tf_step * 1e3:.1f} ms: "
          f"{ratio:.2f}x TF (goal <= 1.5; median of 3 pairs measured in turn: "
          + ", ".join(f"{a / b:.2f}" for a, b in pairs) + ")")
    print(f"process start to first loss: idrun {idrun_first:.2f} s, TF {tf_first:.2f} s: "
          f"{idrun_first / tf_first:.2f}x TF (goal <= 1)")
    print(f"idrun import of its {len(spec.read_text().splitlines())}-line spec: {import_s:.2f} s")
