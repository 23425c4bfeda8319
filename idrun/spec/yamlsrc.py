"""Safe YAML loading that keeps a SourceLoc on every mapping, list and scalar.

The document is composed (never constructed), so no tag can build an object;
plain scalars are resolved by YAML 1.2 core rules (`1e-3` is a float, `017`
is 17, `yes` is a string); a duplicate key is an error; alias expansion and
document size are bounded.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from idrun.errors import SourceLoc, SpecError

MAX_BYTES = 64 * 1024 * 1024
MAX_VALUES = 2_000_000  # values built, aliases expanded: stops "billion laughs"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


class YMap(dict):
    """A mapping with the location of itself, each key and each value."""

    loc: SourceLoc
    key_locs: dict
    value_locs: dict


class YList(list):
    """A sequence with the location of itself and each item."""

    loc: SourceLoc
    item_locs: list


def loc_of(container: Any, key: Any, default: SourceLoc | None = None) -> SourceLoc | None:
    """Location of `container[key]` (a value), falling back to the container's."""
    if isinstance(container, YMap):
        return container.value_locs.get(key, container.loc)
    if isinstance(container, YList) and isinstance(key, int) and key < len(container.item_locs):
        return container.item_locs[key]
    return getattr(container, "loc", default)


def key_loc(container: YMap, key: Any) -> SourceLoc:
    return container.key_locs.get(key, container.loc)


def load_yaml(text: str, filename: str) -> Any:
    """Parse one YAML document into plain values with locations attached."""
    if len(text) > MAX_BYTES:
        raise SpecError(f"file too large ({len(text)} bytes; the limit is {MAX_BYTES})",
                        SourceLoc(filename, 1, 1))
    try:
        root = yaml.compose(text, Loader=_Loader)
    except RecursionError:  # PyYAML's composer recurses once per nesting level
        raise SpecError(f"YAML nested too deeply (over {MAX_DEPTH} levels)",
                        _deep_point(text, filename)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = SourceLoc(filename, mark.line + 1, mark.column + 1) if mark else SourceLoc(filename, 1, 1)
        raise SpecError(f"malformed YAML: {exc.problem or exc.context}", loc) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"malformed YAML: {exc}", SourceLoc(filename, 1, 1)) from None
    if root is None:
        return None
    builder = _Builder(filename)
    try:
        size = _expanded_size(root, {}, 0)
    except _TooDeep as deep:
        raise SpecError(f"YAML nested too deeply (over {MAX_DEPTH} levels)", builder.loc(deep.node)) from None
    if size > MAX_VALUES:
        raise SpecError(f"document too large after alias expansion (over {MAX_VALUES} values)",
                        builder.loc(root))
    return builder.build(root)


MAX_DEPTH = 200


class _TooDeep(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def _deep_point(text: str, filename: str) -> SourceLoc:
    """Where flow brackets first nest past MAX_DEPTH (else the start): for the error."""
    depth, line, col = 0, 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return SourceLoc(filename, line, col)
        elif ch in "]}":
            depth -= 1
    return SourceLoc(filename, 1, 1)


def _expanded_size(node: yaml.Node, memo: dict, depth: int) -> int:
    """Values the document expands to, aliases counted each time (memoized per node)."""
    if depth > MAX_DEPTH:
        raise _TooDeep(node)
    key = id(node)
    if key not in memo:
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        memo[key] = 1 + sum(_expanded_size(c, memo, depth + 1) for c in children)
    return memo[key]


class _Builder:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.count = 0

    def loc(self, node: yaml.Node) -> SourceLoc:
        return SourceLoc(self.filename, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise SpecError(f"document too large after alias expansion (over {MAX_VALUES} values)",
                            self.loc(node))
        if node.tag not in _ALLOWED_TAGS and not isinstance(node, yaml.ScalarNode):
            raise SpecError(f"tag '{node.tag}' is not allowed (idrun loads YAML safely)", self.loc(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self.sequence(node)
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode) -> YMap:
        out = YMap()
        out.loc, out.key_locs, out.value_locs = self.loc(node), {}, {}
        for key_node, value_node in node.value:
            key = self.build(key_node)
            if isinstance(key, (YMap, YList)):
                raise SpecError("a mapping key must be a scalar", self.loc(key_node))
            if key in out:
                first = out.key_locs[key]
                raise SpecError(f"duplicate key '{key}' (first at line {first.line})",
                                self.loc(key_node))
            out[key] = self.build(value_node)
            out.key_locs[key], out.value_locs[key] = self.loc(key_node), self.loc(value_node)
        return out

    def sequence(self, node: yaml.SequenceNode) -> YList:
        out = YList(self.build(item) for item in node.value)
        out.loc, out.item_locs = self.loc(node), [self.loc(item) for item in node.value]
        return out

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value, tag = node.value, node.tag
        plain = not node.style
        if plain and _is_implicit(node):
            return resolve_plain(value)
        if tag in (_STD + "str", "!"):
            return value
        if tag not in _ALLOWED_TAGS:
            raise SpecError(f"tag '{tag}' is not allowed (idrun loads YAML safely)", self.loc(node))
        resolved = resolve_plain(value)
        if tag == _STD + "float" and isinstance(resolved, int):
            return float(resolved)
        return resolved if tag != _STD + "str" else value


def _is_implicit(node: yaml.ScalarNode) -> bool:
    """True unless the scalar carries an explicit tag (`!!str 1`, `!foo x`)."""
    implicit = _Loader.resolve(_Loader, yaml.ScalarNode, node.value, (True, False)) \
        if hasattr(_Loader, "resolve") else node.tag
    return node.tag == implicit


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of a plain scalar."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text, 10)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text
