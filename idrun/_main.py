"""The `idrun` command's first code: a SIGINT or SIGTERM before a command installs its own
handling (the run's, commands/interrupts.py) ends the process at once with exit 130 or 143
and one line, not a KeyboardInterrupt traceback or click's `Aborted!` (exit 1)."""

from __future__ import annotations

import os
import signal


def _interrupted(signum, frame) -> None:
    name = "SIGINT" if signum == signal.SIGINT else "SIGTERM"
    os.write(2, f"error: interrupted by {name} before any step ran\n".encode())
    os._exit(128 + signum)


def entry() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupted)
    from idrun.cli import entry as run_cli   # click and idrun load after the handlers are in
    run_cli()
