"""Compare a RunResult with the spec's `expect:` section."""

from __future__ import annotations

import math
from typing import Any

from idrun.records import Frozen, setfield
from idrun.result import RunResult, StepResult, to_json_value

TRANSFERS_KEY = "transfers_per_step"
ERROR_KEY = "error"  # expect a failure whose message contains this text
RTOL = 1e-5
ATOL = 1e-6


class Mismatch(Frozen):
    name: str
    step: int
    expected: Any
    got: Any

    def __init__(self, name: str, step: int, expected: Any, got: Any) -> None:
        setfield(self, "name", name)
        setfield(self, "step", step)
        setfield(self, "expected", expected)
        setfield(self, "got", got)

    def render(self) -> str:
        return f"{self.name}: step {self.step}: expected {_show(self.expected)}, got {_show(self.got)}"


class ExpectChecker:
    """Compares each step as it ends (a session observer), so nothing is kept per step."""

    def __init__(self, expect: dict[str, Any], fetch: list[str]) -> None:
        self.expect, self.fetch = expect, fetch
        self.mismatches: list[Mismatch] = []
        self.count = 0

    def on_step_end(self, step: StepResult) -> None:
        for name, expected in self.expect.items():
            if name == ERROR_KEY or (name != TRANSFERS_KEY and name not in self.fetch):
                continue
            want = _for_step(expected, self.count)
            if want is _NONE:
                continue
            got = len(step.transfers) if name == TRANSFERS_KEY else to_json_value(step.values[name])
            if not (want == got if name == TRANSFERS_KEY else values_match(want, got)):
                self.mismatches.append(Mismatch(name, step.step, want, got))
        self.count += 1

    def finish(self, result: RunResult) -> list[Mismatch]:
        """Every mismatch, the expected failure included."""
        if ERROR_KEY in self.expect:
            self.mismatches += _check_error(self.expect[ERROR_KEY], result, self.count)
        return self.mismatches


_NONE = object()


def _for_step(expected: Any, index: int) -> Any:
    """The value expected at step `index` (0-based): one per step, or the same each step."""
    if not isinstance(expected, list):
        return expected
    return expected[index] if index < len(expected) else _NONE


def unchecked(expect: dict[str, Any], result: RunResult) -> list[str]:
    """Expected tensors the run did not fetch (so they were not compared)."""
    return [n for n in expect if n not in (TRANSFERS_KEY, ERROR_KEY) and n not in result.fetch]


def past_expect(expect: dict[str, Any], result: RunResult, steps: int) -> list[str]:
    """Fetched tensors whose `expect:` list ends before the run's `steps` did: `y (steps 6-7)`."""
    out = []
    for name, expected in expect.items():
        if name in (TRANSFERS_KEY, ERROR_KEY) or name not in result.fetch:
            continue
        if isinstance(expected, list) and len(expected) < steps:
            first = len(expected) + 1
            out.append(f"{name} (step {first})" if first == steps else f"{name} (steps {first}-{steps})")
    return out


def _check_error(expected: Any, result: RunResult, steps_done: int) -> list[Mismatch]:
    err = result.error
    step = err.step if err is not None else steps_done
    got = None if err is None else err.message
    if got is None or str(expected) not in got:
        return [Mismatch(ERROR_KEY, step, f"a failure with {expected!r}", got or "no failure")]
    return []


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
