"""Check idrun as users install it (`make test-install`): GPU graphs from the wheel.

    python scripts/check_install.py PLAIN_VENV CUPY_VENV

PLAIN_VENV has only the wheel (`pip install idrun`), CUPY_VENV the wheel with
its `gpu` extra (`pip install idrun[gpu]`: cupy-cuda12x). Everything runs from
a temporary directory outside the checkout, so only the installed package is
importable. Each venv is first asked, independently of idrun, whether CUDA
works and if not why (CuPy missing, or CUDA's own error text). Without a GPU,
every `graphs/gpu_*.yaml` must run on a simulated gpu:0 with that reason on
stderr, and `--require-gpu` must exit 2 with it; with a working GPU (CuPy in
CUPY_VENV sees a device) the graphs must run unsimulated and `--require-gpu`
must pass. Prints PASS/FAIL lines and `N passed, N failed`; exits 1 on a
failure. Stdlib only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = sorted((ROOT / "graphs").glob("gpu_*.yaml"))
REQUIRE_GPU_GRAPH = ROOT / "graphs" / "gpu_matmul.yaml"

# What idrun's cuda_status() should find, asked here without idrun.
PROBE = r"""
import json
try:
    import cupy
except ModuleNotFoundError as exc:
    if exc.name != "cupy":
        raise
    print(json.dumps({"cupy": False, "count": 0, "error": None}))
    raise SystemExit
try:
    count, error = cupy.cuda.runtime.getDeviceCount(), None
except Exception as exc:
    count, error = 0, str(exc).strip() or type(exc).__name__
print(json.dumps({"cupy": True, "count": count, "error": error}))
"""


class Checks:
    def __init__(self) -> None:
        self.passed = self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            print(f"PASS {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f"\n     {detail.strip().replace(chr(10), chr(10) + '     ')}" if detail else ""))
        sys.stdout.flush()
        return ok


def run(argv: list[str], cwd: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["NO_COLOR"] = "1"
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def check_venv(checks: Checks, label: str, venv: Path, cwd: str, expect_cupy: bool) -> None:
    python, idrun = str(venv / "bin" / "python"), str(venv / "bin" / "idrun")
    where = run([python, "-c", "import idrun; print(idrun.__file__)"], cwd)
    location = where.stdout.strip()
    installed = where.returncode == 0 and Path(location).resolve().is_relative_to(venv.resolve())
    checks.check(installed and not Path(location).resolve().is_relative_to(ROOT / "idrun"),
                 f"{label}: idrun imports from the installed wheel ({location or 'not importable'})",
                 where.stderr)
    version = run([idrun, "--version"], cwd)
    checks.check(version.returncode == 0, f"{label}: idrun --version ({version.stdout.strip()})", version.stderr)
    seed = run([idrun, "example", "seed"], cwd)   # the wheel's own spec, with no checkout
    spec = Path(cwd) / "seed_example.yaml"
    spec.write_text(seed.stdout)
    ran = run([idrun, "run", str(spec)], cwd)
    checks.check(seed.returncode == 0 and ran.returncode == 0 and ran.stdout == "y: 1, 2, 3, 4, 5\n",
                 f"{label}: idrun example seed prints a spec that runs ({ran.stdout.strip()!r})",
                 seed.stderr + ran.stderr)

    probe = run([python, "-c", PROBE], cwd)
    if not checks.check(probe.returncode == 0, f"{label}: CUDA probe runs", probe.stderr):
        return
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    checks.check(found["cupy"] == expect_cupy,
                 f"{label}: cupy {'imports' if expect_cupy else 'is not installed'}", probe.stdout)
    gpu = found["count"] > 0
    if not found["cupy"]:
        reason = "CuPy is not installed"
    elif found["error"]:
        reason = found["error"]
    else:
        reason = "CUDA found no GPU device"
    print(f"     {label}: CUDA here: {'%d device(s)' % found['count'] if gpu else reason}")

    for graph in GRAPHS:
        res = run([idrun, "run", str(graph)], cwd)
        name = graph.name
        out = f"exit {res.returncode}\nstdout:\n{res.stdout}stderr:\n{res.stderr}"
        if gpu:
            checks.check(res.returncode == 0 and "simulated" not in res.stderr + res.stdout,
                         f"{label}: {name} runs on the CUDA GPU", out)
            continue
        checks.check(res.returncode == 0 and "note: gpu:0 simulated" in res.stderr and reason in res.stderr
                     and "Traceback" not in res.stderr,
                     f"{label}: {name} runs, gpu:0 simulated, stderr gives the reason", out)

    res = run([idrun, "run", str(REQUIRE_GPU_GRAPH), "--require-gpu"], cwd)
    out = f"exit {res.returncode}\nstderr:\n{res.stderr}"
    if gpu:
        checks.check(res.returncode == 0, f"{label}: --require-gpu passes on the CUDA GPU", out)
        return
    checks.check(res.returncode == 2 and "--require-gpu: no CUDA GPU was found" in res.stderr
                 and reason in res.stderr and "Traceback" not in res.stderr,
                 f"{label}: --require-gpu exits 2 with the reason", out)
    if found["cupy"] and found["error"]:
        print(f"     {label}: idrun said: {res.stderr.strip().splitlines()[-1]}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    plain, cupy = (Path(a).absolute() for a in argv)
    checks = Checks()
    checks.check(bool(GRAPHS), f"GPU gallery graphs: {', '.join(g.name for g in GRAPHS)}")
    with tempfile.TemporaryDirectory(prefix="idrun-install-") as cwd:
        check_venv(checks, "idrun", plain, cwd, expect_cupy=False)
        check_venv(checks, "idrun[gpu]", cupy, cwd, expect_cupy=True)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
