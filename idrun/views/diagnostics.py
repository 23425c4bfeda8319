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


CHUNK = 1 << 16   # bytes read at a time: a 250 MB line is never held whole


def _source_line(loc: SourceLoc) -> str | None:
    """The start of line `loc.line`, up to a little past its column, read from a regular file
    only (a FIFO would block, or give nothing, when read a second time)."""
    import os
    import stat
    try:
        if not stat.S_ISREG(os.stat(loc.file).st_mode):
            return None
        want = max(loc.col, 0) + 2 * SHOWN
        with open(loc.file, "rb") as fh:
            line, got = 1, []
            while line <= loc.line:
                chunk = fh.readline(CHUNK)
                if not chunk:
                    break
                if line == loc.line and sum(map(len, got)) < 4 * want:
                    got.append(chunk)
                if chunk.endswith(b"\n"):
                    line += 1
    except OSError:
        return None
    if not got:
        return None
    text = b"".join(got).decode("utf-8", errors="replace").rstrip("\n")
    return text[:want] + ("..." if len(text) > want else "")


def report(err: IdrunError, stream: TextIO | None = None, debug: bool = False) -> None:
    """`FILE:LINE:COL: error: MSG`, the source line and a caret, on stderr; for an internal
    error with `debug`, the traceback of idrun's own exception."""
    stream = stream or sys.stderr
    stream.write(printable(err.render()) + "\n")
    if err.loc is not None and err.loc.line > 0:
        line = _source_line(err.loc)
        if line is not None:
            shown, caret = _clip(line, err.loc.col - 1)   # clipped first: then made printable
            shown = printable(shown, lines=False)
            stream.write(f"  {shown}\n  {' ' * caret}^\n")
    original = getattr(err, "original", None)
    if debug and original is not None:
        import traceback
        stream.write("".join(traceback.format_exception(original)))

