"""Safe YAML loading that keeps a SourceLoc on every mapping, list and scalar.

The document is composed (never constructed), so no tag can build an object;
plain scalars are resolved by YAML 1.2 core rules (`1e-3` is a float, `017`
is 17, `yes` is a string); a duplicate key is an error; alias expansion and
document size are bounded.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from typing import Any

import yaml

from idrun import limits
from idrun.errors import SourceLoc, SpecError

MAX_VALUES = 2_000_000  # values built, aliases expanded: stops "billion laughs"

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_IMPLICIT = "?idrun:implicit"  # the tag of every scalar written without one
_ScalarNode, _MappingNode = yaml.ScalarNode, yaml.MappingNode


class _Loader(_BaseLoader):
    """libyaml's composer (marks kept) with PyYAML's resolver switched off: an untagged
    scalar gets `_IMPLICIT` and is resolved once, by YAML 1.2 rules, in `_Builder`."""

    def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML's hook
        if kind is yaml.ScalarNode:
            return _IMPLICIT
        return yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode \
            else yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG

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


class _Locs(dict):
    """Key -> SourceLoc, stored packed (`line << 32 | col`, one int instead of a record)
    and made a SourceLoc when read: a spec's scalars are many, few locations are read."""

    __slots__ = ("file",)

    def __getitem__(self, key: Any) -> SourceLoc:
        v = dict.__getitem__(self, key)
        return SourceLoc(self.file, v >> 32, v & 0xFFFFFFFF) if type(v) is int else v

    def get(self, key: Any, default: Any = None) -> Any:
        v = dict.get(self, key, _ABSENT)
        if v is _ABSENT:
            return default
        return SourceLoc(self.file, v >> 32, v & 0xFFFFFFFF) if type(v) is int else v

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]

    def copy(self) -> dict:
        return dict(self.items())


class _LocList(list):
    """Item locations, packed as in `_Locs`."""

    __slots__ = ("file",)

    def __getitem__(self, i: Any) -> Any:
        v = list.__getitem__(self, i)
        if type(i) is slice:
            return [SourceLoc(self.file, x >> 32, x & 0xFFFFFFFF) if type(x) is int else x for x in v]
        return SourceLoc(self.file, v >> 32, v & 0xFFFFFFFF) if type(v) is int else v

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


_ABSENT = object()


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


MAX_DEPTH = 200


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


def load_yaml(text: str, filename: str) -> Any:
    """Parse one YAML document into plain values with locations attached."""
    if len(text) > limits.MAX_SPEC_BYTES:  # text from elsewhere than a file (a --feed value)
        raise SpecError(f"too large ({len(text)} bytes; the limit is {limits.MAX_SPEC_BYTES}, "
                        "raise it with `idrun --max-spec-mb N`)",
                        SourceLoc(filename, 1, 1))
    with paused_gc():
        return _load(text, filename)


@contextmanager
def paused_gc():
    """The cyclic collector off while a large acyclic structure is built (the located tree,
    the graph, the plan): collections would only rescan it (27-51% of load time)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            # everything allocated meanwhile would sit in the youngest generation and the
            # first collection after this would scan all of it (0.3-0.5 s at 30k nodes):
            # move it to the oldest generation instead, unscanned (still collectable there)
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _load(text: str, filename: str) -> Any:
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
    return _Builder(filename).build(root, 0)


class _Builder:
    """The located tree from composed nodes; aliases are built each time they are used
    and counted (MAX_VALUES stops "billion laughs" before it is built)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.count = 0
        self.plain: dict[str, Any] = {}  # each distinct plain scalar resolved once

    def loc(self, node: yaml.Node) -> SourceLoc:
        mark = node.start_mark
        return SourceLoc(self.filename, mark.line + 1, mark.column + 1)

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise SpecError(f"the document holds over {MAX_VALUES:,} values (mappings, keys, list "
                            "items and scalars; an alias counts each time it is used)", self.loc(node))
        if depth > MAX_DEPTH:
            raise SpecError(f"YAML nested too deeply (over {MAX_DEPTH} levels)", self.loc(node))
        kind = type(node)
        if kind is _ScalarNode:
            return self.implicit(node) if node.tag == _IMPLICIT else self.scalar(node)
        if node.tag not in _ALLOWED_TAGS:
            raise SpecError(f"tag '{node.tag}' is not allowed (idrun loads YAML safely)", self.loc(node))
        if kind is _MappingNode:
            return self.mapping(node, depth + 1)
        return self.sequence(node, depth + 1)

    def mapping(self, node: yaml.MappingNode, depth: int) -> YMap:
        out = YMap()
        out.loc = self.loc(node)
        key_locs, value_locs = _Locs(), _Locs()
        key_locs.file = value_locs.file = self.filename
        out.key_locs, out.value_locs = key_locs, value_locs
        for key_node, value_node in node.value:
            key = self.child(key_node, depth)
            if isinstance(key, (YMap, YList)):
                raise SpecError("a mapping key must be a scalar", self.loc(key_node))
            if key in out:
                first = key_locs[key]
                raise SpecError(f"duplicate key '{key}' (first at line {first.line})",
                                self.loc(key_node))
            out[key] = self.child(value_node, depth)
            mark = key_node.start_mark
            key_locs[key] = (mark.line + 1) << 32 | (mark.column + 1)
            mark = value_node.start_mark
            value_locs[key] = (mark.line + 1) << 32 | (mark.column + 1)
        return out

    def sequence(self, node: yaml.SequenceNode, depth: int) -> YList:
        items, build = node.value, self.build
        out = YList([build(item, depth) for item in items])
        out.loc = self.loc(node)
        locs = out.item_locs = _LocList([(m.line + 1) << 32 | (m.column + 1)
                                         for m in [item.start_mark for item in items]])
        locs.file = self.filename
        return out

    def child(self, node: yaml.Node, depth: int) -> Any:
        """build(), with an untagged scalar (the common case) taken without the call: the same
        count and result; past the limits, build() raises."""
        if type(node) is _ScalarNode and node.tag == _IMPLICIT and self.count < MAX_VALUES \
                and depth <= MAX_DEPTH:
            self.count += 1
            return self.implicit(node)
        return self.build(node, depth)

    def implicit(self, node: yaml.ScalarNode) -> Any:
        """An untagged scalar: quoted or block is a string; plain is resolved once per text."""
        if node.style:
            return node.value
        try:
            return self.plain[node.value]
        except KeyError:
            resolved = self.plain[node.value] = resolve_plain(node.value)
            return resolved

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value, tag = node.value, node.tag
        if tag in (_STD + "str", "!"):
            return value
        if tag not in _ALLOWED_TAGS:
            raise SpecError(f"tag '{tag}' is not allowed (idrun loads YAML safely)", self.loc(node))
        resolved = resolve_plain(value)
        if tag == _STD + "float" and isinstance(resolved, int):
            return float(resolved)
        return resolved


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
