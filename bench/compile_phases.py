"""CPU seconds of place, partition and compile (initialize + compile_plan) on specs, min of N.

    PYTHONPATH=. python bench/compile_phases.py SPEC... [--reps N] [--no-numexpr]

Each phase is repeated in one process and the least CPU time (time.process_time) is kept: the
machines are noisy and these phases are what `idrun run` does between building the graph and
the first step (issue 11). --no-numexpr measures them as without `idrun[fast]`: no fusion, every
op a line of the generated step, so Python's compile() of that source counts too.
"""

from __future__ import annotations

import argparse
import gc
import time

import idrun.compile.fusion as fusion_mod
from idrun.compile.placement import place
from idrun.compile.plan import PlanRequest, compile_plan, partition_step
from idrun.pipeline import Pipeline
from idrun.spec.yamlsrc import paused_gc


def measure(path: str, reps: int) -> dict[str, float]:
    pipeline = Pipeline(path)
    spec, req, session = pipeline.spec, pipeline.request, pipeline.session
    best = {"place": float("inf"), "partition": float("inf"), "compile": float("inf")}
    for _ in range(reps):
        with paused_gc():
            t0 = time.process_time()
            placement = place(spec.graph, spec.devices, False, list(req.feeds))
            t1 = time.process_time()
            step = partition_step(spec.graph, placement.device, req.fetch, req.targets, list(req.feeds))
            t2 = time.process_time()
            session.initialize()
            plan = compile_plan(PlanRequest(
                spec.graph, placement.device, session.devices, session.cells, req.fetch, req.targets,
                list(req.feeds), None, req.record_ops, session.clock, session.states,
                req.record_times), step)
            t3 = time.process_time()
        for phase, seconds in (("place", t1 - t0), ("partition", t2 - t1), ("compile", t3 - t2)):
            best[phase] = min(best[phase], seconds)
        del plan, step, placement
        gc.collect()
    best["total"] = sum(best.values())
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-numexpr", action="store_true", help="fusion off, as without idrun[fast]")
    args = parser.parse_args()
    if args.no_numexpr:
        fusion_mod._numexpr = False   # what _load_numexpr returns when numexpr is not installed
    else:
        fusion_mod._load_numexpr()    # imported before timing, as on a warm second plan
    for path in args.specs:
        best = measure(path, args.reps)
        print(f"{path}: " + "  ".join(f"{k} {v:.3f}" for k, v in best.items()))


if __name__ == "__main__":
    main()
