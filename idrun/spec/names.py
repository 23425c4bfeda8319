"""TF's name rules: uniquification (D1, D2) and valid names (D4). Stdlib only."""

from __future__ import annotations

import re

ROOT_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
SCOPED_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


class Namer:
    """One counter per lower-cased name, as `tf.Graph.unique_name`."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def unique(self, full: str) -> str:
        name = self.peek(full)
        key = full.lower()
        self._used[key] = self._used.get(key, 0) + 1
        if name != full:
            self._used[name.lower()] = 1
        return name

    def peek(self, full: str) -> str:
        """The name `unique(full)` gives now, taking none: a name scope's name before the
        nodes inside it are made (`strided_slice_1/stack`, then `strided_slice_1`)."""
        key = full.lower()
        i = self._used.get(key, 0)
        if i == 0:
            return full
        base = key
        while key in self._used:
            key = f"{base}_{i}"
            i += 1
        return f"{full}_{i - 1}"


def check_name(name: str, scope: str) -> str | None:
    """An error message if `name` is not a valid TF name in `scope`, else None."""
    if scope:
        if not SCOPED_NAME.fullmatch(name):
            return (f"{name!r} is not a valid scope name. A scope name has to match the "
                    f"following pattern: {SCOPED_NAME.pattern}")
    elif not ROOT_NAME.fullmatch(name):
        return (f"{name!r} is not a valid root scope name. A root scope name has to match "
                f"the following pattern: {ROOT_NAME.pattern}")
    return None


def join(scope: str, name: str) -> str:
    return f"{scope}/{name}" if scope else name


def enclosing_scopes(scope: str) -> list[str]:
    """`a/b` -> [`a/b`, `a`, ``]: where a reference is looked up, innermost first."""
    out = []
    while scope:
        out.append(scope)
        scope = scope.rpartition("/")[0]
    out.append("")
    return out
