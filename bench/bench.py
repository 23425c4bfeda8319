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


def dag_spec(n: int, seed: int = 1) -> str:
    """A random DAG of n ops on float32[16]: op i reads op i-1 and one op drawn uniformly
    from those before it, so the last op needs the whole graph and about k(1-k/n) values
    are live after op k (O(n) live values at once, where a chain has one). add, sub and
    mul in turn from 0.5 stay within +-10 at 100k ops: no overflow, no subnormals."""
    import random
    rng = random.Random(seed)
    lines = ["name: dag", "nodes:",
             "  - {name: n0, op: const, value: [" + ", ".join(["0.5"] * 16) + "]}"]
    for i in range(1, n):
        op = ("add", "sub", "mul")[i % 3]
        lines.append(f"  - {{name: n{i}, op: {op}, inputs: [n{i - 1}, n{rng.randrange(i)}]}}")
    lines.append(f"run: {{fetch: [n{n - 1}]}}")
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


def idrun_step(path: str, feeds: dict | None = None):
    """The compiled step of a spec, as the session's loop calls it."""
    pipeline = Pipeline(path, RunOptions(feeds=feeds or {}))
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


TF_PYTHONS = tuple(Path(p) for p in (os.environ.get("IDRUN_TF_PYTHON"),  # another checkout's
                                       str(ROOT / ".venv-tf/bin/python")) if p)
BIG_SIZE = 1 << 20           # float32[1M]: 4 MB tensors
BIG_CHAINS = tuple(int(n) for n in os.environ.get("BENCH_BIG_CHAINS", "100,1000").split(","))
GRAPH_SIZES = tuple(int(n) for n in os.environ.get("BENCH_GRAPH_SIZES", "10000,30000,100000").split(","))


def tf_python() -> str | None:
    for path in TF_PYTHONS:
        if path.exists():
            return str(path)
    return None


def tf_chains(configs: list[tuple[int, int]]) -> list[float] | None:
    """TF Session.run seconds per step for each (ops, size), in a subprocess; None without TF."""
    python = tf_python()
    if python is None:
        return None
    import json
    proc = subprocess.run([python, str(ROOT / "bench/tf_chains.py"), json.dumps(configs)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        print(f"(TF baseline failed: {proc.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def big_chain_spec(n: int, size: int) -> str:
    """The chain fed with the numpy baseline's own input (generating it would cost a step)."""
    return (f"name: chain\nnodes:\n  - {{name: v, op: placeholder, dtype: float32, shape: [{size}]}}\n"
            "  - {name: c, op: const, value: 1.0001}\n"
            + "".join(f"  - {{name: n{i}, op: {'mul' if i % 2 else 'add'}, inputs: [{'v' if i == 0 else f'n{i-1}'}, c]}}\n"
                      for i in range(n))
            + f"run: {{fetch: [n{n - 1}]}}\n")


def numpy_big(n: int, size: int, in_place: bool):
    v = np.random.default_rng(1).random(size, dtype=np.float32)
    c = np.asarray(1.0001, np.float32)
    funcs = [np.multiply if i % 2 else np.add for i in range(n)]

    def step():
        x = funcs[0](v, c)
        for f in funcs[1:]:
            x = f(x, c, out=x) if in_place else f(x, c)
        return x
    return step


def time_few(fn, runs: int = 5) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def peak_tensors(fn, size_bytes: int) -> float:
    """Peak traced allocation of one call, in tensors of `size_bytes` (numpy reports to tracemalloc)."""
    import tracemalloc
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / size_bytes
    finally:
        tracemalloc.stop()


def report_big_tensors(tmp: str) -> None:
    print(f"\n== real-size tensors: float32[{BIG_SIZE}] chains (ratios: idrun / baseline)")
    tf = tf_chains([[n, BIG_SIZE] for n in BIG_CHAINS])
    print(f"{'ops':>6} {'idrun ms':>9} {'/np in place':>13} {'/np alloc':>10} {'/TF run':>8} {'peak tensors':>13}")
    for k, n in enumerate(BIG_CHAINS):
        path = os.path.join(tmp, f"big{n}.yaml")
        Path(path).write_text(big_chain_spec(n, BIG_SIZE))
        np.save(os.path.join(tmp, "v.npy"), np.random.default_rng(1).random(BIG_SIZE, dtype=np.float32))
        ours_fn = idrun_step(path, {"v": "@" + os.path.join(tmp, "v.npy")})
        inplace, alloc = numpy_big(n, BIG_SIZE, True), numpy_big(n, BIG_SIZE, False)
        runs = 5 if n <= 100 else 3
        ours, t_in, t_al = [], [], []
        for _ in range(runs):  # interleaved: the same noise for all three
            ours.append(time_few(ours_fn, 1))
            t_in.append(time_few(inplace, 1))
            t_al.append(time_few(alloc, 1))
        o, i, a = (statistics.median(x) for x in (ours, t_in, t_al))
        tf_ratio = f"{o / tf[k]:8.2f}" if tf else f"{'-':>8}"
        print(f"{n:>6} {o * 1e3:9.1f} {o / i:13.2f} {o / a:10.2f} {tf_ratio} "
              f"{peak_tensors(ours_fn, BIG_SIZE * 4):13.1f}")
    if tf is None:
        print("(no .venv-tf: TF Session.run skipped; `make conformance` creates it)")


def report_small_chains(tmp: str) -> None:
    print("\n== long chains on float32[16] (ratios: idrun / baseline)")
    tf = tf_chains([[n, 16] for n in CHAINS])
    print(f"{'ops':>6} {'idrun µs/step':>14} {'µs/op':>7} {'/numpy loop':>12} {'/TF run':>8}")
    for k, n in enumerate(CHAINS):
        path = os.path.join(tmp, f"chain{n}.yaml")
        Path(path).write_text(chain_spec(n))
        step = idrun_step(path)
        ours = time_per_call(step, 0.2)
        theirs = time_per_call(numpy_chain(n), 0.2)
        tf_ratio = f"{ours / tf[k]:8.2f}" if tf else f"{'-':>8}"
        print(f"{n:>6} {ours * 1e6:14.2f} {ours / n * 1e6:7.3f} {ours / theirs:12.2f} {tf_ratio}")


def _child(args: list[str]) -> tuple[float, int, str, float]:
    """Wall seconds, peak RSS (KB), stdout and CPU seconds (user + system) of a fresh process."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{args}: {proc.stderr[-500:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, after.ru_maxrss, proc.stdout, cpu


GRAPH_RUNS = int(os.environ.get("BENCH_GRAPH_RUNS", "2"))


def report_big_graphs(tmp: str) -> None:
    """A chain (one value live at a time) and a random DAG (O(n) values live at once: each
    op reads the one before it and a random earlier one) at each size: both should cost
    the same per node at every size. CPU seconds are the best of GRAPH_RUNS fresh
    processes (the wall time of a shared machine is noise)."""
    import json
    print("\n== big graphs: process start to first value (fresh processes; floor: libyaml compose, GC paused)")
    print(f"(import numpy+yaml alone {_child([sys.executable, '-c', 'import numpy, yaml'])[0]:.2f} s)")
    print(f"{'graph':>6} {'nodes':>7} {'cpu s':>6} {'range':>11} {'wall s':>7} {'floor s':>8} {'/floor':>7} "
          f"{'KB/node':>8} {'net':>6}  phases (s, of the best run)")
    base_kb = int(_child([sys.executable, "-c", "import resource, numpy, yaml; "
                          "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"])[2])
    rows: dict[str, list] = {"chain": [], "dag": []}
    for n in GRAPH_SIZES:
        for kind, make in (("chain", chain_spec), ("dag", dag_spec)):
            path = os.path.join(tmp, f"{kind}{n}.yaml")
            Path(path).write_text(make(n))
            floor = min(_child([sys.executable, str(ROOT / "bench/yaml_floor.py"), path])[0] for _ in range(2))
            runs = [_child([sys.executable, str(ROOT / "bench/first_value.py"), path])
                    for _ in range(GRAPH_RUNS)]
            wall, _, out, cpu = min(runs, key=lambda r: r[3])
            doc = json.loads(out.strip().splitlines()[-1])
            rss_per_node = doc["rss_kb"] / n
            net_per_node = (doc["rss_kb"] - base_kb) / n  # above a process that imported numpy and yaml
            rows[kind].append((n, doc["phases"], cpu))
            phases = " ".join(f"{k} {v:.2f}" for k, v in doc["phases"].items() if k != "import")
            spread = f"{min(r[3] for r in runs):.2f}-{max(r[3] for r in runs):.2f}"
            print(f"{kind:>6} {n:>7} {cpu:6.2f} {spread:>11} {wall:7.2f} {floor:8.2f} {wall / floor:7.2f} "
                  f"{rss_per_node:8.2f} {net_per_node:6.2f}  {phases}")
    sizes = "/".join(f"{n // 1000}k" for n in GRAPH_SIZES)
    print(f"linearity: seconds per 1000 nodes at each size, {sizes} (flat = linear)")
    for kind, got in rows.items():
        print(f"  {kind}: {'cpu':>11}: " + " / ".join(f"{cpu / n * 1000:.3f}" for n, _, cpu in got))
        for phase in got[0][1]:
            if phase in ("import", "session", "run"):
                continue
            print(f"  {kind}: {phase:>11}: " + " / ".join(f"{p[phase] / n * 1000:.3f}" for n, p, _ in got))


def report_check(tmp: str) -> None:
    """`idrun check` on 10,000 nodes: what it adds to the build (place, partition, every rule)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_check import big_spec
    from idrun.analysis import check_pipeline
    from idrun.pipeline import Pipeline
    path = os.path.join(tmp, "check.yaml")
    Path(path).write_text(big_spec(1500))
    builds, checks = [], []
    for _ in range(3):
        pipeline = Pipeline(path)
        t = time.perf_counter()
        pipeline.spec.graph
        builds.append(time.perf_counter() - t)
        t = time.perf_counter()
        check_pipeline(pipeline)
        checks.append(time.perf_counter() - t)
    print(f"\n== check, 10k nodes: rules / build {min(checks) / min(builds):.2f} "
          f"(build {min(builds):.2f} s, check {min(checks):.2f} s; best of 3; goal <= 2)")


def report_startup() -> None:
    seed = str(ROOT / "graphs/control_deps_identity.yaml")
    print("\n== start-up: `idrun run` of the seed, whole process, paired with `python -c 'import numpy'`")
    ratios = []
    for _ in range(7):
        a = _child([sys.executable, "-c", "import numpy"])[0]
        b = _child([sys.executable, "-m", "idrun", "run", seed, "--format", "plain"])[0]
        ratios.append(b / a)
    print(f"idrun run / import numpy: {statistics.median(ratios):.2f} (median of 7 pairs; "
          f"range {min(ratios):.2f}-{max(ratios):.2f})")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "idrun", "run", seed, "--format", "json", "--steps", "10000"],
                   check=True, capture_output=True, cwd=ROOT, env=env)
    json_wall = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "idrun", "run", seed, "--format", "plain", "--steps", "10000"],
                   check=True, capture_output=True, cwd=ROOT, env=env)
    plain_wall = time.perf_counter() - t
    print(f"10^4 steps, PYTHONUNBUFFERED=1: json / plain wall {json_wall / plain_wall:.2f}")


def main() -> None:
    seed = str(ROOT / "graphs/control_deps_identity.yaml")
    print("idrun bench (medians; every figure is a ratio to a baseline measured in this run)")
    print(f"seed graph: {time_per_call(idrun_step(seed)) * 1e6:7.2f} µs/step (compiled step), "
          f"{session_step(seed) * 1e6:7.2f} µs/step (Session.run with results)")
    with tempfile.TemporaryDirectory() as tmp:
        report_small_chains(tmp)
        report_big_tensors(tmp)
        report_big_graphs(tmp)
        report_check(tmp)
    from import_scale import report as report_import_scale
    report_import_scale()
    with tempfile.TemporaryDirectory() as tmp:
        from real_graph import report_cifar10
        report_cifar10(tmp, tf_python())
    from cifar10_multi_gpu import report as report_cifar10_multi_gpu
    report_cifar10_multi_gpu(tf_python())
    report_startup()
    from bench_transfers import report_transfers
    print()
    report_transfers()


if __name__ == "__main__":
    main()
