"""`make conformance`: idrun against TensorFlow on every graph and on seeded random graphs.

Each case runs through idrun and through the program `idrun export --format
tf-python` writes, executed by tensorflow-cpu (one TF process for the whole
batch). Values must agree to 1e-5 (relative) and transfers per step exactly;
a graph that fails must fail in both. Prints one line per mismatch and
`N passed, N failed`; exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from randgraph import random_control_flow_spec, random_spec  # noqa: E402

from idrun.errors import IdrunError  # noqa: E402
from idrun.tf.export_python import export_tf_python  # noqa: E402
from idrun.pipeline import Pipeline  # noqa: E402
from idrun.views.jsondoc import result_document  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6


def idrun_doc(path: str) -> dict:
    result = Pipeline(path).run()
    return result_document(result)


def close(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


def compare(ours: dict, theirs: dict) -> list[str]:
    """Differences between idrun's document and TF's, step by step.

    Transfers are compared only for CPU-only graphs: the exported program maps
    GPU and job devices to local CPUs (tensorflow-cpu has no GPU), which
    changes TF's default device, so there only values are comparable.
    """
    check_transfers = all(not d.startswith(("gpu", "/job")) for d in ours["devices"])
    problems = []
    if bool(ours["error"]) != bool(theirs["error"]):
        problems.append(f"error: idrun {ours['error'] and ours['error']['message']!r}, "
                        f"TF {theirs['error'] and theirs['error']['message']!r}")
    if len(ours["steps"]) != len(theirs["steps"]):
        problems.append(f"steps: idrun ran {len(ours['steps'])}, TF {len(theirs['steps'])}")
    for a, b in zip(ours["steps"], theirs["steps"]):
        for name, value in a["values"].items():
            if not close(value, b["values"].get(name)):
                problems.append(f"step {a['step']} {name}: idrun {value}, TF {b['values'].get(name)}")
        if check_transfers and len(a["transfers"]) != len(b["transfers"]):
            problems.append(f"step {a['step']} transfers: idrun {len(a['transfers'])} "
                            f"{[t['tensor'] for t in a['transfers']]}, TF {len(b['transfers'])} "
                            f"{[t['tensor'] for t in b['transfers']]}")
    return problems


def collect(count: int, first_seed: int, work: Path, cf_count: int = 0) -> list[tuple[str, Path]]:
    cases = [(p.name, p) for p in sorted((ROOT / "graphs").glob("*.yaml"))]
    for seed in range(first_seed, first_seed + count):
        path = work / f"random_{seed}.yaml"
        path.write_text(random_spec(seed))
        cases.append((f"random seed {seed}", path))
    for seed in range(first_seed, first_seed + cf_count):   # conds and while loops, nested
        path = work / f"random_cf_{seed}.yaml"
        path.write_text(random_control_flow_spec(seed))
        cases.append((f"random control flow seed {seed}", path))
    return cases


def run_tf(tf_python: str, programs: list[Path]) -> dict[str, dict]:
    out = subprocess.run([tf_python, str(ROOT / "scripts/tf_batch.py"), *map(str, programs)],
                         capture_output=True, text=True, check=False)
    results = {}
    for line in out.stdout.splitlines():
        record = json.loads(line)
        results[record["program"]] = record
    if out.returncode != 0 and not results:
        raise SystemExit(f"TensorFlow batch failed:\n{out.stderr[-2000:]}")
    return results


FIXTURES = ROOT / "tests" / "fixtures" / "graphdefs"
FIXTURES_V2 = ROOT / "tests" / "fixtures" / "graphdefs_v2"   # TF 2's If/While/calls (tf/functional.py)


def check_fixtures() -> tuple[int, int]:
    """`idrun import` of each GraphDef TF wrote, run by idrun, against what TF printed."""
    from idrun.spec.request import RunOptions
    from idrun.tf.graphdef_import import import_graphdef
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for record_path in sorted(FIXTURES.glob("*.json")) + sorted(FIXTURES_V2.glob("*.json")):
            rec = json.loads(record_path.read_text())
            if rec.get("skip"):   # a known difference, said where it is kept
                print(f"skip {rec['graph']}: {rec['skip']}")
                continue
            spec = Path(tmp) / rec["graph"].replace(".pbtxt", ".yaml")
            expected = rec.get("import_error")
            try:
                import_graphdef(str(record_path.parent / rec["graph"]), str(spec))
            except IdrunError as err:
                if expected and expected in err.message:
                    passed += 1  # refused, as it must be (with the node named)
                else:
                    failed += 1
                    print(f"FAIL import {rec['graph']}: {err.render()}")
                continue
            opts = RunOptions(fetch=rec["fetch"], targets=rec["targets"] or None, feeds=rec["feeds"],
                              steps=len(rec["steps"]))
            try:
                ours = result_document(Pipeline(str(spec), opts).run())
            except IdrunError as err:  # a step that needs a node idrun keeps but cannot run
                if rec.get("run_error") and rec["run_error"] in err.message:
                    passed += 1
                else:
                    failed += 1
                    print(f"FAIL run {rec['graph']}: {err.render()}")
                continue
            problems = compare(ours, {"error": None, "steps": rec["steps"]})
            if problems:
                failed += 1
                print(f"FAIL import {rec['graph']}:\n    " + "\n    ".join(problems))
            else:
                passed += 1
    return passed, failed


def check_round_trips(tf_python: str) -> tuple[int, int, int]:
    """Every gallery graph through `export --format graphdef` into TF (import_graph_def, init,
    fetches), values compared with idrun's run."""
    from idrun.spec.request import resolve_tensor
    from idrun.tf.graphdef import export_graphdef, write_graphdef
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        jobs, ours = [], {}
        for path in sorted((ROOT / "graphs").glob("*.yaml")):
            pipeline = Pipeline(str(path))
            out = Path(tmp) / (path.stem + ".pb")
            try:
                write_graphdef(export_graphdef(pipeline), str(out))
                request = pipeline.request
                fetch = [str(resolve_tensor(pipeline.spec.graph, n)) for n in request.fetch_names]
                feeds = {str(r): v.tolist() for r, v in request.feeds.items()}
                doc = result_document(pipeline.run())
            except (IdrunError, TypeError) as err:
                print(f"skip round trip {path.name}: {getattr(err, 'message', err)}")
                skipped += 1
                continue
            if doc["error"] or any(v.dtype == object for v in request.feeds.values()):
                print(f"skip round trip {path.name}: "
                      f"{'fails in a step' if doc['error'] else 'string feeds'}")
                skipped += 1
                continue
            ours[str(out)] = (path.name, doc, fetch)
            jobs.append({"graph": str(out), "fetch": fetch, "feeds": feeds, "init": "init",
                         "targets": list(request.targets), "steps": request.steps, "cpus": max(len(doc["devices"]), 1)})
        (Path(tmp) / "jobs.json").write_text(json.dumps(jobs))
        run = subprocess.run([tf_python, str(ROOT / "scripts/tf_graphdef_batch.py"), str(Path(tmp) / "jobs.json")],
                             capture_output=True, text=True, check=False)
        results = {r["graph"]: r for r in map(json.loads, run.stdout.splitlines())}
        for graph, (name, doc, fetch) in ours.items():
            record = results.get(graph, {"crash": run.stderr[-500:] or "no result"})
            if "crash" in record:
                failed += 1
                print(f"FAIL round trip {name}: TF: {record['crash'].strip().splitlines()[-1]}")
                continue
            theirs = record["doc"]
            renamed = [{"step": s["step"], "values": dict(zip(doc["fetch"], [s["values"][f] for f in fetch]))}
                       for s in theirs["steps"]]
            problems = compare({**doc, "devices": {"gpu": 1}},  # values only here
                               {"error": theirs["error"], "steps": renamed})
            if problems:
                failed += 1
                print(f"FAIL round trip {name}:\n    " + "\n    ".join(problems))
            else:
                passed += 1
    return passed, failed, skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tf-python", default=str(ROOT / ".venv-tf/bin/python"))
    parser.add_argument("--random", type=int, default=300, help="random graphs to check")
    parser.add_argument("--random-control-flow", type=int, default=150,
                        help="random graphs of conds and while loops to check")
    parser.add_argument("--seed", type=int, default=1, help="first random seed")
    args = parser.parse_args()
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases, programs = [], []
        for label, path in collect(args.random, args.seed, work, args.random_control_flow):
            program = work / f"prog_{len(cases)}.py"
            try:
                program.write_text(export_tf_python(str(path)))
                ours = idrun_doc(str(path))
            except IdrunError as err:
                print(f"skip {label}: {err.render()}")
                skipped += 1
                continue
            cases.append((label, path, program, ours))
            programs.append(program)
        tf_results = run_tf(args.tf_python, programs)
        for label, path, program, ours in cases:
            record = tf_results.get(str(program), {"crash": "no result"})
            problems = [f"TF crashed: {record['crash'].strip().splitlines()[-1]}"] if "crash" in record \
                else compare(ours, record["doc"])
            if problems:
                failed += 1
                print(f"FAIL {label}:")
                for p in problems:
                    print(f"    {p}")
                if path.parent == work:
                    print("    spec:\n" + "\n".join("      " + l for l in path.read_text().splitlines()))
            else:
                passed += 1
    print(f"conformance: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    fixture_ok, fixture_bad = check_fixtures()
    print(f"graphdef fixtures (idrun import vs TF's run): {fixture_ok} passed, {fixture_bad} failed")
    trip_ok, trip_bad, trip_skip = check_round_trips(args.tf_python)
    print(f"graphdef round trips (export -> TF): {trip_ok} passed, {trip_bad} failed, {trip_skip} skipped")
    return 1 if failed or fixture_bad or trip_bad else 0


if __name__ == "__main__":
    sys.exit(main())
