"""Safe YAML loading that keeps a SourceLoc on every mapping, list and scalar.

The located tree is built straight from libyaml's event stream (never from composed
nodes, which would hold the whole document twice), so no tag can build an object;
plain scalars are resolved by YAML 1.2 core rules (`1e-3` is a float, `017` is 17,
`yes` is a string); a duplicate key is an error; alias expansion and depth are bounded.

The result is the same as composing the document and then walking it, errors included:
YAML errors (syntax, undefined or duplicate anchors, a second document) are reported
before any error of the tree (a duplicate key, a tag, a limit), since composing would
find them first. The few documents whose error comes from expanding an alias (a limit
passed only through it, or an alias inside its own anchor) are loaded again the composed
way, `_load_composed`, which states exactly what that error is.
"""

from __future__ import annotations

import gc
import re
from array import array
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import yaml
from yaml.events import (AliasEvent, DocumentEndEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent)

from idrun import limits
from idrun.errors import SourceLoc, SpecError

MAX_VALUES = 2_000_000  # values built, aliases expanded: stops "billion laughs"
MAX_DEPTH = 200

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

# A location is packed into one int, libyaml's 0-based `line << 32 | column` (a spec's
# scalars are many, few locations are read); a mapping keeps one int per key,
# `key location << 64 | value location`, a list an array of them.
_COL = 0xFFFFFFFF
_LOW = (1 << 64) - 1


def _unpack(file: str, at: int) -> SourceLoc:
    return SourceLoc(file, (at >> 32) + 1, (at & _COL) + 1)


class _KeyLocs(Mapping):
    """Key -> SourceLoc of the key, read from a mapping's packed locations."""

    __slots__ = ("_locs", "_file")

    def __init__(self, locs: dict, file: str) -> None:
        self._locs, self._file = locs, file

    def __getitem__(self, key: Any) -> SourceLoc:
        at = self._locs[key] >> 64
        return SourceLoc(self._file, (at >> 32) + 1, (at & _COL) + 1)

    def __iter__(self):
        return iter(self._locs)

    def __len__(self) -> int:
        return len(self._locs)

    def copy(self) -> dict:
        return dict(self.items())


class _ValueLocs(_KeyLocs):
    """Key -> SourceLoc of the value."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> SourceLoc:
        at = self._locs[key] & _LOW
        return SourceLoc(self._file, (at >> 32) + 1, (at & _COL) + 1)


class _ItemLocs(Sequence):
    """Item locations of a list, read from its packed array."""

    __slots__ = ("_locs", "_file")

    def __init__(self, locs: array, file: str) -> None:
        self._locs, self._file = locs, file

    def __getitem__(self, i: Any) -> Any:
        at = self._locs[i]
        if type(at) is int:
            return SourceLoc(self._file, (at >> 32) + 1, (at & _COL) + 1)
        return [_unpack(self._file, x) for x in at]  # a slice

    def __len__(self) -> int:
        return len(self._locs)


class _Located:
    """`loc`, the location of the mapping or list itself: packed by the loader, or a
    SourceLoc assigned (the builder's own blocks)."""

    __slots__ = ()

    @property
    def loc(self) -> SourceLoc:
        at = self._at
        return SourceLoc(self._file, (at >> 32) + 1, (at & _COL) + 1) if type(at) is int else at

    @loc.setter
    def loc(self, value: SourceLoc) -> None:
        self._at = value


class YMap(_Located, dict):
    """A mapping with the location of itself (`loc`), each key (`key_locs`) and each value
    (`value_locs`). The loader stores them packed; assigning any of them (a dict of
    SourceLocs for the two mappings) replaces what is read."""

    __slots__ = ("_file", "_at", "_locs", "_kl", "_vl")

    @property
    def key_locs(self) -> Mapping:
        kl = self._kl
        return _KeyLocs(self._locs, self._file) if kl is None else kl

    @key_locs.setter
    def key_locs(self, value: Mapping) -> None:
        self._kl = value

    @property
    def value_locs(self) -> Mapping:
        vl = self._vl
        return _ValueLocs(self._locs, self._file) if vl is None else vl

    @value_locs.setter
    def value_locs(self, value: Mapping) -> None:
        self._vl = value


class YList(_Located, list):
    """A sequence with the location of itself (`loc`) and each item (`item_locs`)."""

    __slots__ = ("_file", "_at", "_locs")

    @property
    def item_locs(self) -> Sequence:
        locs = self._locs
        return _ItemLocs(locs, self._file) if type(locs) is array else locs

    @item_locs.setter
    def item_locs(self, value: Sequence) -> None:
        self._locs = value


def loc_of(container: Any, key: Any, default: SourceLoc | None = None) -> SourceLoc | None:
    """Location of `container[key]` (a value), falling back to the container's."""
    if isinstance(container, YMap):
        vl = container._vl
        if vl is not None:
            return vl.get(key, container.loc)
        at = container._locs.get(key)
        if at is None:
            return container.loc
        at &= _LOW
        return SourceLoc(container._file, (at >> 32) + 1, (at & _COL) + 1)
    if isinstance(container, YList):
        locs = container._locs
        if type(locs) is not array:
            if isinstance(key, int) and key < len(locs):
                return locs[key]
        elif isinstance(key, int) and key < len(locs):
            at = locs[key]
            return SourceLoc(container._file, (at >> 32) + 1, (at & _COL) + 1)
    return getattr(container, "loc", default)


def check_keys(entry: Any, allowed: tuple[str, ...], what: str, loc: SourceLoc | None = None) -> None:
    """An unknown key of `entry` is an error at the key itself, with the allowed keys and a
    did-you-mean (`what` says whose key: "a cond entry", "a Momentum optimizer")."""
    for key in entry:
        if key not in allowed:
            from idrun.errors import SpecError, did_you_mean
            where = key_loc(entry, key) if isinstance(entry, YMap) else loc
            raise SpecError(f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})", where or loc,
                            did_you_mean(str(key), allowed))


def key_loc(container: YMap, key: Any) -> SourceLoc:
    kl = container._kl
    if kl is not None:
        return kl.get(key, container.loc)
    at = container._locs.get(key)
    if at is None:
        return container.loc
    at >>= 64
    return SourceLoc(container._file, (at >> 32) + 1, (at & _COL) + 1)


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
        try:
            return _load(text, filename)
        except ValueError:  # int() refuses over 4,300 digits (CPython's limit)
            match = re.search(r"[0-9]{4300,}", text)
            if match is None:
                raise
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise SpecError(f"a number of {len(match.group()):,} digits is too long (no tensor "
                            "value has over 20)", SourceLoc(filename, line, col)) from None


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
    tree = yamlfast.load(text, filename)  # one node a line under `nodes:`, without libyaml
    if tree is not None:
        return tree
    try:
        try:
            return _Stream(text, filename).document()
        except _Replay:
            return _load_composed(text, filename)
    except yaml.MarkedYAMLError as exc:
        raise yaml_error(exc, text, filename) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"malformed YAML: {exc}", SourceLoc(filename, 1, 1)) from None


def yaml_error(exc: yaml.MarkedYAMLError, text: str, filename: str) -> SpecError:
    """libyaml's error as a SpecError with the caret at the real mistake, where one can tell:

    * a tab in a line's indentation: said so, at the tab;
    * a flow collection (`{`, `[`) left open: libyaml notices at the next token, often on a
      later line; the caret goes where the `}` or `]` (or a `,`) was missing, after the last
      thing on the collection's line, and the message says where the next token was;
    * a quoted string never closed: libyaml notices at the end of the file; the caret goes
      to its opening quote.

    The context libyaml gives ("while parsing a flow mapping" and its mark) is kept:
    `(the flow mapping started at 2:5)`."""
    problem, context = exc.problem or "", exc.context or ""
    pmark, cmark = exc.problem_mark, exc.context_mark
    mark = pmark or cmark
    if mark is None:
        return SpecError(f"malformed YAML: {problem or context}", SourceLoc(filename, 1, 1))
    tab = _indent_tab(text, mark.line, mark.column) if "tab" in problem or "token" in problem else None
    if tab is not None:
        return SpecError("malformed YAML: YAML does not allow tabs for indentation; use spaces",
                         SourceLoc(filename, tab[0] + 1, tab[1] + 1))
    loc = _end_clamped(text, filename, mark.line, mark.column)
    message = f"malformed YAML: {problem or context}"
    if problem.startswith("mapping values are not allowed") and pmark is not None:
        deeper = _deeper_line(text, pmark.line)
        if deeper is not None:
            return SpecError(f"{message} (line {pmark.line + 1} is indented more than line {deeper[0] + 1}, "
                             f"so YAML reads it as more of that line's value)",
                             SourceLoc(filename, pmark.line + 1, deeper[1] + 1))
    what = context[len("while "):].split(" ", 1)[-1] if context.startswith("while ") else ""
    if what.startswith(("a ", "an ")) and cmark is not None and pmark is not None and \
            (cmark.line, cmark.column) != (pmark.line, pmark.column):
        started = f"the {what.split(' ', 1)[1]} started at {cmark.line + 1}:{cmark.column + 1}"
        if pmark.index >= len(text) and "end of stream" in problem:
            return SpecError(f"{message} ({started} is not closed)",
                             SourceLoc(filename, cmark.line + 1, cmark.column + 1))
        missing = _missing_close(text, what, cmark, pmark) if "expected" in problem else None
        if missing is not None:
            found = "the end of the file" if pmark.index >= len(text) else \
                f"'{text[pmark.index]}' at {pmark.line + 1}:{pmark.column + 1}"
            return SpecError(f"{message} here ({started}; the next token is {found})",
                             SourceLoc(filename, missing[0] + 1, missing[1] + 1))
        message += f" ({started})"
        if what.endswith("block collection") and pmark.column != cmark.column and \
                text.split("\n")[pmark.line][pmark.column:pmark.column + 1] == "-":
            more = pmark.column - cmark.column
            message += (f": this item is indented {abs(more)} space{'s' * (abs(more) != 1)} "
                        f"{'more' if more > 0 else 'less'} than the list's first item; line the `-` up with it")
    return SpecError(message, loc)


def _indent_tab(text: str, line: int, column: int) -> tuple[int, int] | None:
    """(line, column), 0-based, of the tab in line `line`'s indentation at or before
    `column`, if the line's text up to there is only spaces, tabs and block entries' `-`."""
    start = _line_start(text, line)
    if start is None:
        return None
    head = text[start:start + column + 1]
    stripped = head.lstrip(" \t-")
    indent = head[:len(head) - len(stripped)]
    return (line, indent.index("\t")) if "\t" in indent else None


def _deeper_line(text: str, line: int) -> tuple[int, int] | None:
    """(the line above, this line's indent), 0-based, when line `line` is a `key: value`
    indented more than the nearest non-blank line above it, which is itself a `key: value`
    (`op: const` then `     value: 1.0`): the indentation is the mistake."""
    lines = text.split("\n", line + 1)[:line + 1]
    if len(lines) <= line:
        return None
    here = lines[line]
    indent = len(here) - len(here.lstrip(" "))
    for above in range(line - 1, -1, -1):
        prev = lines[above]
        body = prev.strip(" ")
        if not body or body.startswith("#"):
            continue
        key_at = len(prev) - len(prev.lstrip(" -"))   # `- name: a`: the key's column
        key_value = re.match(r"[^\s#:][^:#]*: +[^\s#]", prev[key_at:])
        return (above, indent) if key_value and indent > key_at else None
    return None


def _line_start(text: str, line: int) -> int | None:
    """The index where 0-based line `line` starts, or None past the end."""
    at = 0
    for _ in range(line):
        at = text.find("\n", at) + 1
        if at == 0:
            return None
    return at


def _missing_close(text: str, what: str, cmark: Any, pmark: Any) -> tuple[int, int] | None:
    """Where a `,` or closing bracket of a flow collection was missing, 0-based (line,
    column): just after the last thing before the token libyaml stopped at, when a line
    ends between them; else just after the last thing on the line the collection opened on,
    if that line leaves it open and does not end in `,` or an opening bracket (the line the
    user meant to close). None when neither holds: the caret stays where libyaml stopped."""
    if "flow" not in what or pmark.line <= cmark.line:
        return None
    stop = pmark.index
    line_start = text.rfind("\n", 0, stop) + 1
    if not text[line_start:stop].strip(" \t-"):   # only a block entry's `- ` before the token
        stop = line_start
    before = _content_end(text, cmark.index, stop)
    if before is not None and text.count("\n", before, pmark.index):
        return _line_col(text, before)
    end = text.find("\n", cmark.index)
    first = _content_end(text, cmark.index, len(text) if end < 0 else end)
    if first is None or text[first - 1] in ",[{:":
        return None
    return _line_col(text, first)


_SCAN = 1 << 16


def _content_end(text: str, start: int, stop: int) -> int | None:
    """The index just after the last character in text[start:stop] that is not blank or in a
    comment (a ` #` outside quotes starts one), or None. Only the last 64 KiB are read (from
    a line's start): a collection left open at the top of a big spec is found at its end."""
    if stop - start > _SCAN:
        start = text.find("\n", stop - _SCAN, stop) + 1 or stop
    last = None
    quote = ""
    at = start
    while at < stop:
        ch = text[at]
        if quote:
            if ch == quote or ch == "\n":
                quote = ""
            last = at + 1
        elif ch in "'\"":
            quote, last = ch, at + 1
        elif ch == "#" and (at == 0 or text[at - 1] in " \t\n"):
            nl = text.find("\n", at, stop)
            if nl < 0:
                break
            at = nl
            continue
        elif ch not in " \t\r\n":
            last = at + 1
        at += 1
    return last


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


class _Replay(Exception):
    """The document's error comes from expanding an alias: `_load_composed` says which."""


def _end_clamped(text: str, filename: str, line: int, column: int) -> SourceLoc:
    """A libyaml mark (0-based) as a location. In a text without a final newline (a --feed
    value such as `[1, 2`) an error found at the end is marked on a line after the last:
    it is put at the end of the last line, where the text stops."""
    last = text.count("\n")  # 0-based index of the last line
    if line > last and text and not text.endswith("\n"):
        return SourceLoc(filename, last + 1, len(text) - text.rfind("\n"))
    return SourceLoc(filename, line + 1, column + 1)


class _Stream:
    """The located tree from libyaml's events, one pass, no composed nodes held.

    Counting and limits are those of `_Builder` walking the composed document: every
    mapping, key, list item and scalar counts once, an alias once per value of what it
    stands for each time it is used (so "billion laughs" stops before it is built), and an
    alias gives a fresh copy, located where its anchor's node is (as composing shares it).
    """

    def __init__(self, text: str, filename: str) -> None:
        self.parser = _BaseLoader(text)
        self.get = self.parser.get_event
        self.file = filename
        self.count = 0
        self.plain = PlainScalars()
        self.anchors: dict[str, Any] = {}  # name -> None while its node is built, then
        # (value, values counted, packed location)

    def document(self) -> Any:
        get = self.get
        get()  # the stream's start
        event = get()
        if type(event) is StreamEndEvent:
            return None
        event = get()  # the document's start was `event`; this is its root node
        first = event.start_mark
        try:
            root = self.node(event, 0)[0]
        except (yaml.YAMLError, _Replay):
            raise
        except Exception:
            # composing reports a YAML error anywhere in the document before any error of
            # the tree: look for one in the rest before this one is reported
            self.drain(first)
            raise
        get()  # the document's end
        self.single(first)
        return root

    def single(self, first: Any) -> None:
        event = self.get()
        if type(event) is not StreamEndEvent:
            raise yaml.composer.ComposerError("expected a single document in the stream", first,
                                              "but found another document", event.start_mark)

    def drain(self, first: Any) -> None:
        """The rest of the document, checked only for what composing it would refuse."""
        get, anchors = self.get, self.anchors
        while True:
            event = get()
            kind = type(event)
            if kind is AliasEvent:
                if event.anchor not in anchors:
                    raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
            elif kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
                self.anchor(event)
            elif kind is DocumentEndEvent:
                self.single(first)
                return

    def anchor(self, event: Any) -> str | None:
        name = event.anchor
        if name is not None:
            if name in self.anchors:
                raise yaml.composer.ComposerError("found duplicate anchor; first occurrence", None,
                                                  "second occurrence", event.start_mark)
            self.anchors[name] = None
        return name

    def fail(self, message: str, at: int) -> None:
        raise SpecError(message, _unpack(self.file, at))

    def node(self, event: Any, depth: int) -> tuple[Any, int]:
        """Any node (or alias) and its packed location; its checks in `_Builder.build`'s order."""
        kind = type(event)
        if kind is AliasEvent:
            return self.alias(event, depth)
        name = self.anchor(event)
        mark = event.start_mark
        at = mark.line << 32 | mark.column
        self.count += 1
        before = self.count - 1
        if self.count > MAX_VALUES:
            self.fail(f"the document holds over {MAX_VALUES:,} values (mappings, keys, list "
                      "items and scalars; an alias counts each time it is used)", at)
        if depth > MAX_DEPTH:
            self.fail(f"YAML nested too deeply (over {MAX_DEPTH} levels)", at)
        tag = event.tag
        if kind is ScalarEvent:
            value = self.implicit(event) if tag is None or tag == "!" else self.scalar(event.value, tag, at)
        else:
            if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                self.fail(f"tag '{tag}' is not allowed (idrun loads YAML safely)", at)
            value = self.mapping(at, depth + 1) if kind is MappingStartEvent else self.sequence(at, depth + 1)
        if name is not None:
            self.anchors[name] = (value, self.count - before, at)
        return value, at

    def alias(self, event: Any, depth: int) -> tuple[Any, int]:
        if event.anchor not in self.anchors:
            raise yaml.composer.ComposerError(None, None, "found undefined alias", event.start_mark)
        anchored = self.anchors[event.anchor]
        if anchored is None:  # inside its own anchor: composing makes a cycle, walking it fails
            raise _Replay
        value, values, at = anchored
        if self.count + values > MAX_VALUES or depth + _height(value) > MAX_DEPTH:
            raise _Replay  # the error is at some value inside the expansion
        self.count += values
        return _copy(value), at

    def child(self, event: Any, depth: int) -> tuple[Any, int]:
        """A key, value or item and its packed location: the common case (an untagged,
        unanchored scalar, mapping or list within the limits) here, with node()'s count and
        result; anything else through node()."""
        kind = type(event)
        if (kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent) \
                and event.tag is None and event.anchor is None and depth <= MAX_DEPTH \
                and self.count < MAX_VALUES:
            self.count += 1
            mark = event.start_mark
            at = mark.line << 32 | mark.column
            if kind is ScalarEvent:
                return (event.value if event.style else self.plain[event.value]), at
            return (self.mapping if kind is MappingStartEvent else self.sequence)(at, depth + 1), at
        return self.node(event, depth)

    def mapping(self, at: int, depth: int) -> YMap:
        """A mapping's entries, up to its end; `depth` is theirs."""
        get, child = self.get, self.child
        out = dict.__new__(YMap)
        locs: dict = {}
        out._file, out._at, out._locs, out._kl, out._vl = self.file, at, locs, None, None
        while True:
            event = get()
            if type(event) is MappingEndEvent:
                return out
            key, key_at = child(event, depth)
            if isinstance(key, (YMap, YList)):
                self.fail("a mapping key must be a scalar", key_at)
            if key in out:
                self.fail(f"duplicate key '{key}' (first at line {(locs[key] >> 96) + 1})", key_at)
            out[key], value_at = child(get(), depth)
            locs[key] = key_at << 64 | value_at

    def sequence(self, at: int, depth: int) -> YList:
        """A list's items, up to its end; `depth` is theirs."""
        get, child = self.get, self.child
        out = list.__new__(YList)
        locs = array("Q")
        out._file, out._at, out._locs = self.file, at, locs
        append, locate = out.append, locs.append
        while True:
            event = get()
            if type(event) is SequenceEndEvent:
                return out
            value, value_at = child(event, depth)
            append(value)
            locate(value_at)

    def implicit(self, event: Any) -> Any:
        """An untagged scalar: quoted or block is a string; plain is resolved once per text."""
        value = event.value
        if event.style:
            return value
        return self.plain[value]

    def scalar(self, value: str, tag: str, at: int) -> Any:
        return _tagged(value, tag, lambda: _unpack(self.file, at))


def _tagged(value: str, tag: str, where: Any) -> Any:
    """A scalar with an explicit tag; `where()` locates an error."""
    if tag in (_STD + "str", "!"):
        return value
    if tag not in _ALLOWED_TAGS:
        raise SpecError(f"tag '{tag}' is not allowed (idrun loads YAML safely)", where())
    resolved = resolve_plain(value)
    kind = tag[len(_STD):]
    if kind == "float" and isinstance(resolved, int) and not isinstance(resolved, bool):
        return float(resolved)
    expected = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(kind)
    if kind in ("map", "seq") or expected is not None and (
            not isinstance(resolved, expected) or kind == "int" and isinstance(resolved, bool)):
        raise SpecError(f"tag '!!{kind}' on {value!r}, which is not {'an' if kind == 'int' else 'a'} "
                        f"{kind} (YAML 1.2)", where())
    return resolved


def _height(value: Any) -> int:
    """Levels below `value` (a scalar or empty container has none; a mapping's keys count)."""
    if isinstance(value, YMap):
        return 1 + max(map(_height, value.values()), default=0) if value else 0
    if isinstance(value, YList):
        return 1 + max(map(_height, value), default=0) if value else 0
    return 0


def _copy(value: Any) -> Any:
    """A fresh tree equal to `value`, sharing its (never changed) packed locations."""
    if isinstance(value, YMap):
        out = dict.__new__(YMap)
        for key, item in value.items():
            out[key] = _copy(item)
        out._file, out._at, out._locs, out._kl, out._vl = value._file, value._at, value._locs, None, None
        return out
    if isinstance(value, YList):
        out = list.__new__(YList)
        out.extend(map(_copy, value))
        out._file, out._at, out._locs = value._file, value._at, value._locs
        return out
    return value


def _load_composed(text: str, filename: str) -> Any:
    """The document composed, then walked: what `_Stream` matches, and what states the error
    of a document that fails only through an alias (composing shares an anchored node
    between its uses, so they are walked, and counted, one by one)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except RecursionError:  # PyYAML's composer recurses once per nesting level
        raise SpecError(f"YAML nested too deeply (over {MAX_DEPTH} levels)",
                        _deep_point(text, filename)) from None
    if root is None:
        return None
    return _Builder(filename).build(root, 0)


class _Builder:
    """The located tree from composed nodes; aliases are built each time they are used
    and counted (MAX_VALUES stops "billion laughs" before it is built)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.count = 0
        self.plain = PlainScalars()

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
            return self.implicit(node) if node.tag == _IMPLICIT else \
                _tagged(node.value, node.tag, lambda: self.loc(node))
        if node.tag not in _ALLOWED_TAGS:
            raise SpecError(f"tag '{node.tag}' is not allowed (idrun loads YAML safely)", self.loc(node))
        if kind is _MappingNode:
            return self.mapping(node, depth + 1)
        return self.sequence(node, depth + 1)

    def mapping(self, node: yaml.MappingNode, depth: int) -> YMap:
        out = dict.__new__(YMap)
        locs: dict = {}
        out._file, out._at, out._locs, out._kl, out._vl = self.filename, _at(node), locs, None, None
        for key_node, value_node in node.value:
            key = self.build(key_node, depth)
            if isinstance(key, (YMap, YList)):
                raise SpecError("a mapping key must be a scalar", self.loc(key_node))
            if key in out:
                raise SpecError(f"duplicate key '{key}' (first at line {(locs[key] >> 96) + 1})",
                                self.loc(key_node))
            out[key] = self.build(value_node, depth)
            locs[key] = _at(key_node) << 64 | _at(value_node)
        return out

    def sequence(self, node: yaml.SequenceNode, depth: int) -> YList:
        out = list.__new__(YList)
        out.extend([self.build(item, depth) for item in node.value])
        out._file, out._at, out._locs = self.filename, _at(node), array("Q", map(_at, node.value))
        return out

    def implicit(self, node: yaml.ScalarNode) -> Any:
        """An untagged scalar: quoted or block is a string; plain is resolved once per text."""
        if node.style:
            return node.value
        return self.plain[node.value]


def _at(node: yaml.Node) -> int:
    mark = node.start_mark
    return mark.line << 32 | mark.column


_WORD_START = frozenset("nNtTfF")  # null, true, false (in their three spellings)
_NUMBER_START = frozenset("~-+.0123456789\n") | {""}  # and the empty null ("\n" too: `$`)


class PlainScalars(dict):
    """Plain scalar text -> its value by YAML 1.2 rules, each distinct text resolved once
    (a spec repeats its names and numbers many times)."""

    __slots__ = ()

    def __missing__(self, text: str) -> Any:
        value = self[text] = resolve_plain(text)
        return value


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of a plain scalar."""
    first = text[:1]
    if first in _WORD_START:  # a name, most often: only null and the booleans are not strings
        if _NULL.match(text):
            return None
        return _BOOL.get(text, text)
    if first not in _NUMBER_START:  # nothing else can match
        return text
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


from idrun.spec import yamlfast  # noqa: E402 - it builds this module's YMap and YList
