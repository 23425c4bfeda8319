"""Run by bench.py in a fresh process: a spec from start to its first fetched value,
timing each pipeline stage; prints one JSON line (phases in seconds, peak RSS in KB)."""

import json
import resource
import sys
import time

t0 = time.perf_counter()
from idrun.pipeline import Pipeline  # noqa: E402

phases = {"import": time.perf_counter() - t0}


def timed(name, fn):
    t = time.perf_counter()
    out = fn()
    phases[name] = time.perf_counter() - t
    return out


path = sys.argv[1]
pipeline = Pipeline(path)
timed("load+build", lambda: pipeline.spec)
timed("place", lambda: pipeline.placement)
timed("partition", lambda: pipeline.step)
session = timed("session", lambda: pipeline.session)
timed("compile", lambda: (session.initialize(), session.plan(pipeline.request)))
result = timed("run", pipeline.run)
value = next(iter(result.steps[0].values.values()))
print(json.dumps({"phases": phases, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "first": float(value.ravel()[0])}))
