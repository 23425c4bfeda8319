"""Compare a RunResult with the spec's `expect:` section."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from idrun.result import RunResult, to_json_value

TRANSFERS_KEY = "transfers_per_step"
ERROR_KEY = "error"  # expect a failure whose message contains this text
RTOL = 1e-5
ATOL = 1e-6


@dataclass(frozen=True)
class Mismatch:
    name: str
    step: int
    expected: Any
    got: Any

    def render(self) -> str:
        return f"{self.name}: step {self.step}: expected {_show(self.expected)}, got {_show(self.got)}"


def check_expect(expect: dict[str, Any], result: RunResult) -> list[Mismatch]:
    """Mismatches, step by step, for every expected tensor that was fetched."""
    out = []
    for name, expected in expect.items():
        if name == TRANSFERS_KEY:
            out += _check_transfers(expected, result)
        elif name == ERROR_KEY:
            out += _check_error(expected, result)
        elif name in result.fetch:
            per_step = expected if isinstance(expected, list) else [expected] * len(result.steps)
            for step, want in zip(result.steps, per_step):
                got = to_json_value(step.values[name])
                if not values_match(want, got):
                    out.append(Mismatch(name, step.step, want, got))
    return out


def unchecked(expect: dict[str, Any], result: RunResult) -> list[str]:
    """Expected tensors the run did not fetch (so they were not compared)."""
    return [n for n in expect if n not in (TRANSFERS_KEY, ERROR_KEY) and n not in result.fetch]


def _check_error(expected: Any, result: RunResult) -> list[Mismatch]:
    err = result.error
    step = err.step if err is not None else len(result.steps)
    got = None if err is None else err.message
    if got is None or str(expected) not in got:
        return [Mismatch(ERROR_KEY, step, f"a failure with {expected!r}", got or "no failure")]
    return []


def _check_transfers(expected: Any, result: RunResult) -> list[Mismatch]:
    per_step = expected if isinstance(expected, list) else [expected] * len(result.steps)
    return [Mismatch(TRANSFERS_KEY, s.step, want, len(s.transfers))
            for s, want in zip(result.steps, per_step) if want != len(s.transfers)]


def values_match(want: Any, got: Any) -> bool:
    if isinstance(want, list) or isinstance(got, list):
        return (isinstance(want, list) and isinstance(got, list) and len(want) == len(got)
                and all(values_match(w, g) for w, g in zip(want, got)))
    if isinstance(want, str) or isinstance(got, str):
        return _special(want) == _special(got) if _is_special(want) or _is_special(got) else want == got
    if isinstance(want, bool) or isinstance(got, bool):
        return bool(want) == bool(got) and type(want) is type(got)
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(want, got, rel_tol=RTOL, abs_tol=ATOL)
    return want == got


def _is_special(x: Any) -> bool:
    return isinstance(x, (str, float)) and str(x).lower() in ("nan", "inf", "-inf", ".nan", ".inf", "-.inf")


def _special(x: Any) -> str:
    return str(x).lower().lstrip(".").replace("-.", "-")


def _show(value: Any) -> str:
    return str(value)
