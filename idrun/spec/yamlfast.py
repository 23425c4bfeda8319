"""A fast path of `yamlsrc.load_yaml` for the generated shape of a big spec, one node a line:

    nodes:
      - {name: n0, op: add, inputs: [v, c]}
      - {name: n1, op: mul, inputs: [n0, c]}

`load` builds the located tree of such a document without libyaml reading the node lines
(libyaml's way costs ~30 µs a line; this one ~12 on the same machine, most of it making
the tree's objects, which both ways make alike), and returns exactly what `yamlsrc._Stream` would:
the same values and types (each scalar through `resolve_plain`, the same per-text cache),
the same location of every mapping, key, value, list and item, the same count of values.
It returns None wherever it is not sure, and the caller loads the document the usual way.

What it accepts, and why that is safe:

* The text has no line break but "\\n" (libyaml also breaks lines at "\\r", U+0085, U+2028 and
  U+2029, which would move every line number).
* A line exactly `nodes:` (column 0, trailing spaces allowed), then a block running to the
  next line that starts at column 0 (or the end): every line of it blank (spaces only) or,
  at one indent of at least one space, `- {key: value, ...}` (spaces allowed after `-`,
  inside the braces and brackets, around commas, after `: ` and at the end of the line).
  A key is `[A-Za-z_][A-Za-z0-9_]*`; a value a token or a flat list `[token, ...]` / `[]`;
  a token is made of `A-Za-z0-9_./+~-` (not a lone `-`: `- ` starts a block entry) and, where this libyaml reads `n:1` inside a flow
  collection as one scalar (probed once), single colons between such characters. A line
  may end in a comment, ` #` and anything, after the closing `}` (what `idrun import`
  writes: `# from g.pbtxt node 7`): no character of a line's shape is `#`, so its first
  ` #` is outside every scalar and starts a comment. Nothing else in the block can be a
  comment, quote, anchor, alias, tag, nested or multi-line collection, block entry or tab:
  each of these line shapes is one flow mapping, all plain scalars, and libyaml reads it as
  such whatever surrounds it.
* The rest of the document, with the block's lines emptied (so line numbers stay), loads
  without any error through `_Stream` into a block mapping (its location is its first
  key's: a flow mapping's would be its `{`) holding `nodes` at that line, column 0, with
  the empty (null) value. Then the `nodes:` line is really a key of the root block mapping
  (not text inside a scalar or a flow collection), so in the whole document its value is
  the block sequence at the first `-`, and nothing before or after reads differently
  (libyaml's lookahead for a key does not pass the end of a line).
* No item has a key twice (keys compared resolved: `true` and `True` are one key), no token
  has more digits than `int()` takes, and the whole document holds at most MAX_VALUES
  values: then the whole document has no error either (those are the only errors lines of
  this shape can hold), and the tree is the one `_Stream` builds.
"""

from __future__ import annotations

import re
from array import array
from typing import Any

from idrun.spec import yamlsrc
from idrun.spec.yamlsrc import PlainScalars, YList, YMap, _Stream

_new_map, _new_list = dict.__new__, list.__new__

_CHARS = r"[A-Za-z0-9_./+~-]"
_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_NODES = re.compile(r"^nodes: *$", re.M)
_COL0 = re.compile(r"\n[^ \n]")  # the next line starting at column 0

_shape: Any = None  # (line, pairs) patterns of `_general`, built on first use (after the probe)
_tokens: Any = None  # (token, key) patterns of `_usual`, the same


def _patterns() -> Any:
    global _shape
    if _shape is None:
        token = _token()
        value = rf"(?:{token}|\[ *(?:{token}(?: *, *{token})*)? *\])"
        pair = rf"[A-Za-z_][A-Za-z0-9_]*: +{value}"
        line = re.compile(rf"( +)- +\{{ *(?:{pair}(?: *, *{pair})*)? *\}} *")
        # a pair: spaces, key, spaces after `: `, token or `[` list inner `]`, spaces, comma
        pairs = re.compile(rf"( *)([A-Za-z_][A-Za-z0-9_]*): ( *)(?:({token})|\[([^\]]*)\])( *),?")
        _shape = line, pairs
    return _shape


def _token() -> str:
    """A token's pattern: not a lone `-` (`- ` would start a block entry, an error here)."""
    return rf"(?!-(?!{_CHARS})){_CHARS}+" + (f"(?::{_CHARS}+)*" if _colon_is_scalar() else "")


def _colon_is_scalar() -> bool:
    """Whether this libyaml reads `{k: a:1, l: [b:2]}` as the scalars `a:1`, `b:2`."""
    try:
        return _Stream("{k: a:1, l: [b:2]}\n", "probe").document() == {"k": "a:1", "l": ["b:2"]}
    except Exception:  # noqa: BLE001 - any other reading: colons are not admitted
        return False


def load(text: str, filename: str) -> Any:
    """The located tree of `text` if it has the shape above, else None."""
    match = _NODES.search(text)
    if match is None:
        return None
    for brk in _BREAKS:
        if brk in text:
            return None
    start = match.end() + 1  # the block's first line
    if start > len(text):
        return None
    end_match = _COL0.search(text, start - 1)
    end = end_match.start() + 1 if end_match else len(text)
    block = text[start:end].split("\n")
    if block and block[-1] == "":
        block.pop()  # the block's last line ends with "\n"
    line0 = text.count("\n", 0, start)
    plain = PlainScalars()  # each distinct plain scalar resolved once, the rest's too
    items = _items(block, line0, filename, plain)
    if items is None:
        return None
    out, counted, first_at = items

    rest = text[:start] + "\n" * text.count("\n", start, end) + text[end:]
    stream = _Stream(rest, filename)
    stream.plain = plain
    try:
        root = stream.document()
    except Exception:  # noqa: BLE001 - whatever the error, the usual path states it
        return None
    if type(root) is not YMap or root._kl is not None or root._vl is not None or "nodes" not in root \
            or root["nodes"] is not None:
        return None
    locs = root._locs
    first_key = next(iter(locs.values())) >> 64
    at = locs["nodes"]
    if at >> 64 != (line0 - 1) << 32 or root._at != first_key:
        return None
    if stream.count + counted > yamlsrc.MAX_VALUES:  # read now: tests lower it
        return None
    root["nodes"] = out
    locs["nodes"] = (at >> 64) << 64 | first_at
    return root


def _items(block: list[str], line0: int, filename: str, plain: dict) -> Any:
    """(the YList, values counted, its packed location) of the block's lines, or None.

    `plain` caches each plain scalar's resolved value, and holds only tokens checked to be
    tokens (the rest's `_Stream` adds its own after). A line spaced the usual way,
    `- {k: v, k: [a, b]}`, is split at ", " and ": "; any other goes through the patterns."""
    line_re, pairs_re = _patterns()
    token_re, key_re = _token_patterns()
    keys: dict = {}  # checked key text -> key
    out = list.__new__(YList)
    item_locs = array("Q")
    out._file, out._locs = filename, item_locs
    append, locate = out.append, item_locs.append
    prefix = None
    counted = 0  # the list itself takes the place of the rest's null, counted there
    lineno = line0 - 1
    try:
        for line in block:
            lineno += 1
            if "#" in line:   # a comment after the mapping; any other `#` fails the shape below
                cut = line.find(" #")
                if cut < 0:
                    return None
                line = line[:cut].rstrip(" ")
                if not line.endswith("}"):
                    return None
            if prefix is None:
                if not line.strip(" "):
                    continue  # blank
                indent = len(line) - len(line.lstrip(" "))
                if indent == 0:
                    return None
                prefix = " " * indent + "- {"
                skip = len(prefix)
                first_at = lineno << 32 | indent
            row = lineno << 32
            got = _usual(line, row, skip, plain, keys, token_re, key_re, filename) \
                if line.startswith(prefix) and line.endswith("}") else None
            if got is None:
                if not line.strip(" "):
                    continue  # blank
                got = _general(line, row, indent, line_re, pairs_re, plain, filename)
                if got is None:
                    return None
            item, n = got
            counted += n
            append(item)
            locate(item._at)
    except ValueError:  # int() refuses a token of thousands of digits: the usual path says so
        return None
    if prefix is None:
        return None
    out._at = first_at
    return out, counted, first_at


_NO = object()


def _usual(line: str, row: int, skip: int, plain: dict, keys: dict, token_re: Any, key_re: Any,
           filename: str) -> Any:
    """(the mapping, values counted) of `<prefix>k: v, k: [a, b]}` split at ", " and ": ",
    or None if the line is not that (`_general` then reads it, or refuses it)."""
    item = _new_map(YMap)
    locs: dict = {}
    item._file, item._at, item._locs, item._kl, item._vl = filename, row | skip - 1, locs, None, None
    body = line[skip:-1]
    if not body:
        return item, 1
    counted = 1
    col = skip
    get, token = plain.get, token_re.fullmatch
    parts = body.split(", ")
    i, n = 0, len(parts)
    while i < n:
        name, sep, value = parts[i].partition(": ")
        i += 1
        key = keys.get(name, _NO)
        if key is _NO:
            if not sep or key_re.fullmatch(name) is None:
                return None
            key = keys[name] = _resolve(name, plain, token_re)
        if not sep or key in item:
            return None
        key_at = (row | col) << 64
        col += len(name) + 2  # the value's
        if value[:1] == "[":
            items = _new_list(YList)
            vlocs = array("Q")
            items._file, items._at, items._locs = filename, row | col, vlocs
            if value == "[]":
                locs[key] = key_at | row | col
                col += 4  # past "[], "
            else:
                locs[key] = key_at | row | col
                tok = value[1:]
                col += 1
                while True:
                    last = tok[-1:] == "]"
                    if last:
                        tok = tok[:-1]
                    resolved = get(tok, _NO)
                    if resolved is _NO:
                        if token(tok) is None:
                            return None
                        resolved = plain[tok]
                    items.append(resolved)
                    vlocs.append(row | col)
                    col += len(tok) + 2
                    if last:
                        break
                    if i == n:
                        return None
                    tok = parts[i]
                    i += 1
                col += 1  # past "], "
            counted += 2 + len(items)
            item[key] = items
        else:
            resolved = get(value, _NO)
            if resolved is _NO:
                if token(value) is None:
                    return None
                resolved = plain[value]
            item[key] = resolved
            locs[key] = key_at | row | col
            counted += 2
            col += len(value) + 2  # past ", "
    return item, counted


def _token_patterns() -> Any:
    global _tokens
    if _tokens is None:
        _tokens = re.compile(_token()), re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    return _tokens



def _resolve(text: str, plain: dict, token_re: Any) -> Any:
    """A checked token's value (cached in `plain`), or _NO if it is not a token."""
    if token_re.fullmatch(text) is None:
        return _NO
    return plain[text]


def _general(line: str, row: int, indent: int, line_re: Any, pairs_re: Any, plain: dict,
             filename: str) -> Any:
    """(the mapping, values counted) of a line of the shape spaced any way, or None."""
    m = line_re.fullmatch(line)
    if m is None or len(m.group(1)) != indent:
        return None
    brace = line.index("{", indent + 1)
    item = dict.__new__(YMap)
    locs: dict = {}
    item._file, item._at, item._locs, item._kl, item._vl = filename, row | brace, locs, None, None
    counted = 1
    col = brace + 1
    for sp, name, sp2, token, inner, sp3 in pairs_re.findall(line, col, line.rindex("}")):
        col += len(sp)
        key_at = row | col
        key = plain[name]
        if key in item:
            return None  # a duplicate key: the usual path states the error
        col += len(name) + 2 + len(sp2)
        value_at = row | col
        if token:
            value = plain[token]
            col += len(token)
            counted += 2
        else:
            value = list.__new__(YList)
            vlocs = array("Q")
            value._file, value._at, value._locs = filename, value_at, vlocs
            pos = col + 1
            if inner.strip(" "):
                for piece in inner.split(","):
                    tok = piece.strip(" ")
                    vlocs.append(row | (pos + len(piece) - len(piece.lstrip(" "))))
                    value.append(plain[tok])
                    pos += len(piece) + 1
            counted += 2 + len(value)
            col += len(inner) + 2
        item[key] = value
        locs[key] = key_at << 64 | value_at
        col += len(sp3) + 1
    return item, counted
