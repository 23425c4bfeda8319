"""`idrun import` of a big GraphDef against `run`'s load of the spec it writes.

    import_scale.py write N G.pb   a random DAG GraphDef of N nodes (bench.dag_spec's graph:
                                   one Const, then AddV2/Sub/Mul each reading the node before
                                   it and one drawn uniformly from those before), written with
                                   protobuf alone (no TF needed)
    import_scale.py load G.yaml    load and build the spec as `idrun run` does (its CLI module,
                                   then Pipeline.spec, the stage before placement; numpy, which
                                   the run imports later, is left out): what import's check costs
    import_scale.py [N ...]        both, fresh processes, best of BENCH_IMPORT_RUNS (2) CPU
                                   seconds each: `python -m idrun import G.pb -o G.yaml` /
                                   load of G.yaml (default sizes 10000 100000)

CPU seconds (user + system of the child), not wall: the machine is shared. `above start`
is the ratio of what each costs over its own 1-node run: the import's start-up is heavier
(numpy, to decode TensorProtos, and TensorBoard's protos: about 0.15 s CPU), which decides
the ratio of small graphs.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "2"))
SIZES = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "10000,100000").split(","))


def write_dag(n: int, path: str, seed: int = 1) -> None:
    from tensorboard.compat.proto import graph_pb2, types_pb2
    gd = graph_pb2.GraphDef()
    first = gd.node.add(name="n0", op="Const")
    first.attr["dtype"].type = types_pb2.DT_FLOAT
    tensor = first.attr["value"].tensor
    tensor.dtype = types_pb2.DT_FLOAT
    tensor.tensor_shape.dim.add(size=16)
    tensor.float_val.append(0.5)
    rng = random.Random(seed)
    for i in range(1, n):
        node = gd.node.add(name=f"n{i}", op=("AddV2", "Sub", "Mul")[i % 3])
        node.input.extend([f"n{i - 1}", f"n{rng.randrange(i)}"])
        node.attr["T"].type = types_pb2.DT_FLOAT
    gd.versions.producer = 1882
    Path(path).write_bytes(gd.SerializeToString())


def load(path: str) -> None:
    import idrun.cli  # noqa: F401 - `idrun run` starts there, as `idrun import` does
    from idrun.pipeline import Pipeline
    Pipeline(path).spec


def child_cpu(args: list[str]) -> float:
    """CPU seconds (user + system) of a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{args}: {proc.stderr[-500:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(n: int, tmp: str, runs: int = RUNS) -> tuple[float, float]:
    """(import CPU s, load CPU s) of an n-node DAG GraphDef, best of `runs` each, interleaved."""
    me = str(Path(__file__).resolve())
    pb, spec = os.path.join(tmp, f"dag{n}.pb"), os.path.join(tmp, f"dag{n}.yaml")
    write_dag(n, pb)
    imports, loads = [], []
    for _ in range(runs):
        imports.append(child_cpu([sys.executable, "-m", "idrun", "import", pb, "-o", spec]))
        loads.append(child_cpu([sys.executable, me, "load", spec]))
    return min(imports), min(loads)


def report(sizes=SIZES) -> None:
    try:
        import tensorboard.compat.proto.graph_pb2  # noqa: F401 - the idrun[tensorboard] extra
    except ImportError:
        print("\n== import at scale: skipped (no TensorBoard protos: pip install 'idrun[tensorboard]')")
        return
    print(f"\n== import at scale: random DAG GraphDef, `idrun import` / run's load of its spec "
          f"(CPU s, fresh processes, best of {RUNS}; goal <= 2)")
    print(f"{'nodes':>7} {'import s':>9} {'load s':>7} {'ratio':>6} {'above start':>12} "
          f"{'import µs/node':>15} {'load µs/node':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        imp1, ld1 = measure(1, tmp)
        for n in sizes:
            imp, ld = measure(n, tmp)
            print(f"{n:>7} {imp:9.2f} {ld:7.2f} {imp / ld:6.2f} {(imp - imp1) / (ld - ld1):12.2f} "
                  f"{(imp - imp1) / n * 1e6:15.1f} {(ld - ld1) / n * 1e6:13.1f}")
        print(f"(1 node: import {imp1:.2f} s, load {ld1:.2f} s: start-up)")


def main(argv: list[str]) -> None:
    if argv[:1] == ["write"]:
        write_dag(int(argv[1]), argv[2])
    elif argv[:1] == ["load"]:
        load(argv[1])
    else:
        report(tuple(int(a) for a in argv) or SIZES)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
