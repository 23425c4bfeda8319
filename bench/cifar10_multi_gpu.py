"""`make bench`, the CIFAR-10 multi-GPU training step written as a spec
(graphs/cifar10_multi_gpu_train.yaml, two towers on simulated GPUs) against TF Session.run of
the same program (`idrun export --format tf-python`, its devices local CPUs) in one run.

The gallery graph draws 8 images per tower; the bench makes a variant with a realistic batch
(BENCH_CIFAR_TOWER_BATCH per tower, default 64: the tutorial's 128 split over two towers) by
rewriting the batch dimension, and times a step of [tower losses, learning rate] + train_op.
idrun and TF are measured in turn (the machine's load drifts), the ratio of each pair is
reported (goal <= 1.5x TF per step), for idrun as it runs by default (the towers' lanes side by
side on threads, compile/lanes.py) and with `--parallel off` (one function, one op at a time:
what the lanes gain). Needs TF's python (.venv-tf); run it alone with
`python bench/cifar10_multi_gpu.py` (`--profile` adds idrun's per-kernel times, from a trace).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GALLERY = ROOT / "graphs/cifar10_multi_gpu_train.yaml"


def variant(batch: int, steps: int, out: Path) -> Path:
    """The gallery spec with `batch` images per tower, `steps` steps and no `expect:`."""
    text = GALLERY.read_text().split("\nexpect:")[0] + "\n"
    text = re.sub(r"shape: \[8, 24, 24, 3\]", f"shape: [{batch}, 24, 24, 3]", text)
    text = text.replace("shape: [8], maxval", f"shape: [{batch}], maxval").replace("[pool2, [8, -1]]",
                                                                                  f"[pool2, [{batch}, -1]]")
    text = re.sub(r"\n  steps: \d+", f"\n  steps: {steps}", text)
    path = out / f"cifar10_multi_gpu_b{batch}.yaml"
    path.write_text(text)
    return path


def _pipeline(spec: Path, steps: int, parallel: str = "auto"):
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    return Pipeline(str(spec), RunOptions(steps=steps, parallel=parallel))


def idrun_per_step(spec: Path, steps: int = 5, parallel: str = "auto") -> float:
    """One session compiled once: a run of 1+steps steps less a run of 1 (initialization and
    the first step's one-time costs cancel)."""
    def timed(n: int) -> float:
        pipeline = _pipeline(spec, n, parallel)
        pipeline.run()            # compiles the plans
        t = time.perf_counter()
        result = pipeline.run()   # initializes again, then n steps
        if result.error is not None:
            raise SystemExit(f"idrun run failed: {result.error.message}")
        return time.perf_counter() - t
    return (timed(1 + steps) - timed(1)) / steps


def idrun_per_step_in(spec: Path, parallel: str) -> float:
    """idrun_per_step in a fresh process (as TF's is)."""
    proc = subprocess.run([sys.executable, str(Path(__file__)), "--idrun-step", str(spec), parallel],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if proc.returncode != 0:
        raise SystemExit(f"idrun side failed: {proc.stderr.strip().splitlines()[-1:]}")
    return float(proc.stdout.strip().splitlines()[-1])


def tf_per_step(tf_python: str, program: Path, names: dict, steps: int = 5) -> dict:
    env = dict(os.environ, BENCH_FETCH=json.dumps(names))
    proc = subprocess.run([tf_python, str(ROOT / "bench/tf_cifar10_multi_gpu.py"), str(program), str(steps)],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"TF side failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def profile(spec: Path, out: Path) -> None:
    """idrun's time per kernel type over 3 steps, from `idrun run --trace` (Chrome trace)."""
    trace = out / "trace.json"
    subprocess.run([sys.executable, "-m", "idrun", "run", str(spec), "--steps", "3", "--trace-out", str(trace),
                    "--format", "json"], check=True, capture_output=True, cwd=ROOT,
                   env=dict(os.environ, PYTHONPATH=str(ROOT)))
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    per_op: dict[str, float] = {}
    for e in events:
        if e.get("ph") == "X" and e.get("cat") in ("op", "transfer"):
            op = e["args"]["op"] if e["cat"] == "op" else "(transfers)"
            per_op[op] = per_op.get(op, 0.0) + e.get("dur", 0) / 1e3 / 3
    total = sum(per_op.values())
    print(f"idrun per step by kernel (traced, {total:.1f} ms in kernels):")
    for op, ms in sorted(per_op.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {op:40s} {ms:8.2f} ms  {100 * ms / total:5.1f}%")


def report(tf_python: str | None, batch: int | None = None, want_profile: bool = False) -> None:
    batch = batch or int(os.environ.get("BENCH_CIFAR_TOWER_BATCH", "64"))
    print(f"\n== CIFAR-10 multi-GPU training step as a spec (2 towers x {batch} images, simulated GPUs)")
    if tf_python is None:
        print("(no TF python: make conformance makes .venv-tf)")
        return
    from idrun.tf.export_python import export_tf_python
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        spec = variant(batch, 2, out)
        program = out / "program.py"
        program.write_text(export_tf_python(str(spec)))
        pipeline = _pipeline(spec, 1)
        request = pipeline.request
        names = {"fetch": request.fetch_names, "targets": list(request.targets),
                 "init": list(request.init_targets)}
        rounds = []
        for _ in range(3):   # measured in turn: the ratio of each pair
            rounds.append((idrun_per_step_in(spec, "auto"), idrun_per_step_in(spec, "off"),
                           tf_per_step(tf_python, program, names)["per_step"]))
        tf_step = statistics.median(r[2] for r in rounds)
        for k, label in ((0, "idrun"), (1, "idrun --parallel off")):
            ours = statistics.median(r[k] for r in rounds)
            ratio = statistics.median(r[k] / r[2] for r in rounds)
            print(f"per step: {label} {ours * 1e3:.1f} ms, TF Session.run {tf_step * 1e3:.1f} ms: {ratio:.2f}x TF "
                  f"(goal <= 1.5; median of 3 rounds measured in turn: "
                  + ", ".join(f"{r[k] / r[2]:.2f}" for r in rounds) + ")")
        if want_profile:
            profile(spec, out)
            os.environ["BENCH_PROFILE"] = "1"
            per_op = tf_per_step(tf_python, program, names, steps=1)["per_op"]
            total = sum(per_op.values())
            print(f"TF per step by kernel (step stats, {total:.1f} ms in kernels, summed over its threads):")
            for op, ms in sorted(per_op.items(), key=lambda kv: -kv[1])[:12]:
                print(f"  {op:40s} {ms:8.2f} ms  {100 * ms / total:5.1f}%")


def _tf_python() -> str | None:
    candidate = ROOT / ".venv-tf/bin/python"
    return str(candidate) if candidate.exists() else None


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--idrun-step"]:
        print(idrun_per_step(Path(args[1]), parallel=args[2] if len(args) > 2 else "auto"))
        raise SystemExit(0)
    report(_tf_python(), int(args[args.index("--batch") + 1]) if "--batch" in args else None,
           "--profile" in args)
