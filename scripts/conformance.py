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

from randgraph import random_spec  # noqa: E402

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


def collect(count: int, first_seed: int, work: Path) -> list[tuple[str, Path]]:
    cases = [(p.name, p) for p in sorted((ROOT / "graphs").glob("*.yaml"))]
    for seed in range(first_seed, first_seed + count):
        path = work / f"random_{seed}.yaml"
        path.write_text(random_spec(seed))
        cases.append((f"random seed {seed}", path))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tf-python", default=str(ROOT / ".venv-tf/bin/python"))
    parser.add_argument("--random", type=int, default=300, help="random graphs to check")
    parser.add_argument("--seed", type=int, default=1, help="first random seed")
    args = parser.parse_args()
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases, programs = [], []
        for label, path in collect(args.random, args.seed, work):
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
