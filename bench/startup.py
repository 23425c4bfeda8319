"""Start-up of `idrun run` on the seed graph against `python -c "import numpy"`.

Paired fresh processes (numpy, then idrun), so that machine noise hits both
alike; prints the median ratio and both medians in ms. PYTHONPATH is left
out: `-m idrun` from the repository root finds the package in the working
directory. The package is byte-compiled first (on PYTHONDONTWRITEBYTECODE=1
machines a stale .pyc would otherwise be compiled again in every run).
Usage: python bench/startup.py [PAIRS]  (default 9)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMPY = [sys.executable, "-c", "import numpy"]
IDRUN = [sys.executable, "-m", "idrun", "run", "graphs/control_deps_identity.yaml", "--format", "plain"]


def wall(args: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT, env=env)
    return time.perf_counter() - t


def main() -> None:
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "idrun"], check=True, cwd=ROOT)
    wall(NUMPY, env), wall(IDRUN, env)   # warm the page cache
    numpy_s, idrun_s, ratios = [], [], []
    for _ in range(pairs):
        a, b = wall(NUMPY, env), wall(IDRUN, env)
        numpy_s.append(a)
        idrun_s.append(b)
        ratios.append(b / a)
    print(f"import numpy {statistics.median(numpy_s) * 1e3:.0f} ms, idrun run "
          f"{statistics.median(idrun_s) * 1e3:.0f} ms; idrun / numpy {statistics.median(ratios):.2f} "
          f"(median of {pairs} pairs; range {min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
