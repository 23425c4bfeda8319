"""Errors and warnings for people: `FILE:LINE:COL: error: MSG`, the line and a caret.
Stdlib only (the CLI's error path must not import rich)."""

from __future__ import annotations

import sys
from typing import TextIO

from idrun.errors import IdrunError, SourceLoc
from idrun.views.fmt import printable


SHOWN = 120  # characters of a source line shown around the column


def _clip(line: str, col: int) -> tuple[str, int]:
    """At most SHOWN characters of a long line around `col`, and the caret's offset in them."""
    if len(line) <= SHOWN:
        return line, col
    start = max(0, min(col - SHOWN // 2, len(line) - SHOWN))
    head, tail = ("..." if start else ""), ("..." if start + SHOWN < len(line) else "")
    return head + line[start:start + SHOWN] + tail, col - start + len(head)


def _source_line(loc: SourceLoc) -> str | None:
    try:
        with open(loc.file, encoding="utf-8", errors="replace") as fh:
            for i, line in enumerate(fh, 1):
                if i == loc.line:
                    return line.rstrip("\n")
    except OSError:
        return None
    return None


def report(err: IdrunError, stream: TextIO | None = None, debug: bool = False) -> None:
    """`FILE:LINE:COL: error: MSG`, the source line and a caret, on stderr; for an internal
    error with `debug`, the traceback of idrun's own exception."""
    stream = stream or sys.stderr
    stream.write(printable(err.render()) + "\n")
    if err.loc is not None and err.loc.line > 0:
        line = _source_line(err.loc)
        if line is not None:
            shown, caret = _clip(printable(line, lines=False), err.loc.col - 1)
            stream.write(f"  {shown}\n  {' ' * caret}^\n")
    original = getattr(err, "original", None)
    if debug and original is not None:
        import traceback
        stream.write("".join(traceback.format_exception(original)))

