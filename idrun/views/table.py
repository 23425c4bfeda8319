"""The rich console the terminal views print with (rows, trees, op tables)."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console


def console(out: TextIO, color: bool, width: int | None = None) -> Console:
    return Console(file=out, force_terminal=color, no_color=not color, width=width,
                   highlight=False, soft_wrap=False)
