"""A transient progress bar on stderr for long runs (only when stderr is a terminal).

It appears once a run has taken half a second and is redrawn at most ten times a
second, so short runs never see it and long ones pay almost nothing per step.
rich's `redirect_stdout` stays off: it would swallow values written to a file.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

SHOW_AFTER_S = 0.5
REDRAW_S = 0.1


class ProgressBar:
    def __init__(self, total: int, stream: TextIO, clock=time.monotonic) -> None:
        self.total, self.stream, self.clock = total, stream, clock
        self.started = clock()
        self.next_draw = self.started + SHOW_AFTER_S
        self.done = 0
        self.bar: Any = None

    def on_step_end(self, step: Any) -> None:
        self.done += 1
        now = self.clock()
        if now < self.next_draw:
            return
        self.next_draw = now + REDRAW_S
        if self.bar is None:
            self._start()
        self.bar.update(self.task, completed=self.done)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
        self.bar = Progress("steps", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(file=self.stream), transient=True,
                            redirect_stdout=False, redirect_stderr=False)
        self.task = self.bar.add_task("run", total=self.total)
        self.bar.start()

    def on_finish(self, result: Any) -> None:
        if self.bar is not None:
            self.bar.stop()
