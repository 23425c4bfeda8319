"""`make gallery`: run every graph in graphs/ and fail on any `expect:` mismatch.

A graph whose `expect:` names an `error` must fail with that message (exit 1);
every other graph must exit 0. Prints one line per graph and `N passed, N failed`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check(path: Path) -> tuple[bool, str]:
    proc = subprocess.run([sys.executable, "-m", "idrun", "run", str(path), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return False, f"exit {proc.returncode}: {proc.stderr.strip().splitlines()[0] if proc.stderr else ''}"
    expected_code = 1 if doc.get("error") and doc["expect"]["ok"] else 0
    ok = doc["expect"]["ok"] and proc.returncode == expected_code
    steps = doc["steps"]
    transfers = [len(s["transfers"]) for s in steps]
    detail = f"{len(steps)} steps, transfers/step {sorted(set(transfers)) or [0]}"
    if doc.get("error"):
        detail += ", fails as expected" if ok else f", error: {doc['error']['message']}"
    if not doc["expect"]["ok"]:
        detail += "; " + "; ".join(f"{m['name']} step {m['step']}: expected {m['expected']}, got {m['got']}"
                                   for m in doc["expect"]["mismatches"])
    return ok, detail


def main() -> int:
    graphs = sorted((ROOT / "graphs").glob("*.yaml"))
    passed = failed = 0
    for path in graphs:
        ok, detail = check(path)
        passed, failed = passed + ok, failed + (not ok)
        print(f"{'ok  ' if ok else 'FAIL'} {path.name:<36} {detail}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
