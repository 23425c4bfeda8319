"""Ctrl-C and SIGTERM during a run: stop after the current step, keep what completed.

The first SIGINT or SIGTERM during the steps is noted and the session stops
once the step in progress ends (`stop` is asked after every step); a second
one stops at once, dropping only the step in progress. Before the steps (while
the spec loads and compiles) a signal stops at once. Either way the run ends with an
`Interrupted` error: exit 130 for SIGINT, 143 for SIGTERM (128 + the signal).
"""

from __future__ import annotations

import threading
from typing import Any

try:   # CPython's core of `signal`, without the enums `signal` builds on import (start-up)
    import _signal as signal
except ImportError:  # pragma: no cover - other interpreters
    import signal

from idrun.errors import Interrupted

SIGNALS = {signal.SIGINT: ("SIGINT", 130), signal.SIGTERM: ("SIGTERM", 143)}


class StopOnSignal:
    """A context manager and session observer: install the handlers, count the steps."""

    def __init__(self) -> None:
        self.steps = 0
        self.running = False   # inside the step loop: stop after the step; before it, at once
        self.caught: tuple[str, int] | None = None
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> "StopOnSignal":
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._saved[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.caught is not None or not self.running:  # a second one, or still loading: now
            raise Interrupted(*SIGNALS[signum], self.steps)
        self.caught = SIGNALS[signum]

    def on_start(self, result: Any) -> None:
        self.running = True

    def on_step_end(self, step: Any) -> None:
        self.steps += 1

    def stop(self) -> Interrupted | None:
        """Asked after each step: the interrupt to end the run with, if one came."""
        return Interrupted(*self.caught, self.steps) if self.caught else None
