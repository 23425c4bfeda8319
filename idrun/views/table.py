"""The rich console the terminal views print with (rows, trees, op tables)."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console


class _Console(Console):
    def on_broken_pipe(self) -> None:
        raise BrokenPipeError  # the CLI exits 141 quietly; rich's own choice is exit 1


def console(out: TextIO, color: bool, width: int | None = None) -> Console:
    """A console for `out`; off a terminal, lines are never wrapped (pipes, grep)."""
    if width is None and not color and not out.isatty():
        width = 10_000
    return _Console(file=out, force_terminal=color, no_color=not color, width=width,
                    highlight=False, soft_wrap=False)
