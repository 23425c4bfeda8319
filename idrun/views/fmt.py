"""Value formatting shared by the text views. Stdlib only."""

from __future__ import annotations

from typing import Any

from idrun.result import to_json_value


def printable(text: str, lines: bool = True) -> str:
    """Text from a spec as data for a terminal: control characters (ESC and so OSC and CSI
    sequences, CR, BEL) shown escaped; newlines and tabs kept unless `lines` is False (a
    value on a line of its own must not forge the next line)."""
    if text.isprintable():
        return text
    keep = "\n\t" if lines else ""
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)


THRESHOLD = 1000   # numpy's printoptions: arrays above this many elements are summarised
EDGEITEMS = 3      # ... keeping this many items at each end of every long dimension


def format_value(value: Any, full: bool = False) -> str:
    """`1`, `0.1`, `[1, 2]`, `nan`: short and exact enough to read. An array of more than
    THRESHOLD elements is summarised as numpy prints it (`[0, 1, 2, ..., 997, 998, 999]`:
    EDGEITEMS at each end of each dimension) unless `full`."""
    size = getattr(value, "size", 0)
    if full or size <= THRESHOLD or getattr(value, "ndim", 0) == 0:
        return _fmt(to_json_value(value))
    return _summary(value)


def _summary(array: Any) -> str:
    if getattr(array, "ndim", 0) == 0:   # a numpy scalar, or an object array's item
        return _fmt(to_json_value(array))
    n = array.shape[0]
    if n > 2 * EDGEITEMS:
        parts = [_summary(array[i]) for i in range(EDGEITEMS)] + ["..."] + [
            _summary(array[i]) for i in range(n - EDGEITEMS, n)]
    else:
        parts = [_summary(array[i]) for i in range(n)]
    return "[" + ", ".join(parts) + "]"


def _fmt(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    return str(v)


def format_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def format_seconds(s: float | None) -> str:
    if s is None:   # run --no-timings
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"
