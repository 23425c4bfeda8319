"""`idrun check` and `idrun explain` output: text (colored on a terminal), JSON, GitHub
Actions workflow commands and SARIF 2.1.0. Text from a spec is data: control characters are
shown escaped and nothing is read as rich markup (styles are applied to spans, never parsed)."""

from __future__ import annotations

import json
from typing import Iterable, TextIO

from idrun.views.diagnostics import printable

STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan", "note": "bold"}
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _lines(d) -> list[tuple[str, str, str]]:
    """(where, label, message) per line: the diagnostic, then its notes."""
    out = [(str(d.loc), f"{d.severity}[{d.code}]" if d.code != "spec-error" else "error", d.message)]
    for n in d.notes:
        out.append((str(n.loc) if n.loc else "", "note", n.message))
    return out


def render_text(diagnostics: Iterable, out: TextIO, color: bool = False) -> None:
    if color:
        from rich.text import Text
        from idrun.views.table import console
        con = console(out, True)
        for d in diagnostics:
            for where, label, message in _lines(d):
                line = Text()
                if where:
                    line.append(printable(where) + ": ", style="bold")
                line.append(label, style=STYLE.get(label.split("[")[0], "bold"))
                line.append(": " + printable(message))
                con.print(line, soft_wrap=True)
        return
    for d in diagnostics:
        for where, label, message in _lines(d):
            out.write(f"{printable(where) + ': ' if where else ''}{label}: {printable(message)}\n")


def summary(diagnostics: list, specs: int, errors: int = 0) -> str:
    counts = {s: sum(1 for d in diagnostics if d.severity == s) for s in ("error", "warning", "info")}
    counts["error"] += errors
    if not any(counts.values()):
        return f"idrun check: no problems in {specs} spec{'s' * (specs != 1)}"
    parts = [f"{n} {s}{'s' * (n != 1 and s != 'info')}" for s, n in counts.items() if n]
    return f"idrun check: {', '.join(parts)} in {specs} spec{'s' * (specs != 1)}"


def render_json(diagnostics: list, out: TextIO, extra: dict | None = None) -> None:
    doc = {"diagnostics": [d.to_json() for d in diagnostics]}
    doc.update(extra or {})
    json.dump(doc, out, indent=1, allow_nan=False)
    out.write("\n")


def _gh_text(text: str) -> str:
    """Text from a spec as data in a workflow command: control characters other than CR, LF
    and tab shown escaped (as `printable` shows them), so nothing reaches the log raw."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\r\n\t" else repr(c)[1:-1] for c in text)


def _gh_message(text: str) -> str:
    """The runner's escapes for a command's data (actions/runner ActionCommand.cs)."""
    return _gh_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """The runner's escapes for a property value: the data's, and `:` and `,`."""
    return _gh_message(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: list, out: TextIO) -> None:
    """`::warning file=F,line=L,col=C,title=idrun (code)::message`, escaped as the runner
    requires; notes follow the message on their own lines."""
    for d in diagnostics:
        message = d.message + "".join(f"\nnote: {n.loc}: {n.message}" if n.loc else f"\nnote: {n.message}"
                                      for n in d.notes)
        props = (f"file={_gh_property(d.loc.file)},line={d.loc.line},col={d.loc.col},"
                 f"title={_gh_property(f'idrun ({d.code})')}")
        out.write(f"::{GITHUB_LEVEL[d.severity]} {props}::{_gh_message(message)}\n")


# ---- SARIF 2.1.0 -------------------------------------------------------------------
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"   # relative URIs are relative to the directory idrun ran in
FINGERPRINT = "idrun/v1"


def _artifact(file: str, cwd: str) -> dict:
    """A file as a SARIF artifactLocation: a path under `cwd` as a relative URI reference
    (with uriBaseId %SRCROOT%), any other as an absolute `file:` URI; percent-encoded from the
    file name's bytes, so a space, `#`, `%`, `?`, `:` or a newline gives a valid URI."""
    import os
    from pathlib import Path
    from urllib.parse import quote_from_bytes
    path = os.path.abspath(os.path.join(cwd, file))
    try:
        under = os.path.commonpath([path, cwd]) == cwd
    except ValueError:   # another drive
        under = False
    if under and path != cwd:
        rel = Path(os.path.relpath(path, cwd)).as_posix()
        return {"uri": quote_from_bytes(os.fsencode(rel), safe="/"), "uriBaseId": SRCROOT}
    return {"uri": _file_uri(path)}


def _file_uri(path: str) -> str:
    import os
    from pathlib import Path
    from urllib.parse import quote_from_bytes
    posix = Path(path).as_posix()
    if not posix.startswith("/"):   # C:/x
        posix = "/" + posix
    return "file://" + quote_from_bytes(os.fsencode(posix), safe="/:")


class _Ends:
    """Where the YAML node that starts at a location ends, read from the file's event stream
    (libyaml's marks, the same the loader located nodes with): a flow collection or a scalar
    ends where its text ends, a block collection where its last item does. Only regular files
    within the spec size limit are read, once each; a file that is not YAML gives no ends."""

    def __init__(self) -> None:
        self.files: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}

    def region(self, loc, wanted: set) -> dict:
        region = {"startLine": max(loc.line, 1), "startColumn": max(loc.col, 1)}
        if loc.file not in self.files:
            self.files[loc.file] = _yaml_ends(loc.file, wanted)
        end = self.files[loc.file].get((loc.line, loc.col))
        if end is not None:
            region["endLine"], region["endColumn"] = end
        return region


def _yaml_ends(file: str, wanted: set) -> dict[tuple[int, int], tuple[int, int]]:
    """1-based (line, col) of a node's start -> 1-based (line, col) just past its end, for
    the starts in `wanted` (a set of (line, col)); the document's root and 1:1 excluded."""
    import os
    import stat
    import yaml
    from idrun import limits
    from yaml.events import (AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent,
                             StreamEndEvent)
    wanted = {w for w in wanted if w != (1, 1)}
    found: dict[tuple[int, int], tuple[int, int]] = {}
    try:
        info = os.stat(file)
        if not wanted or not stat.S_ISREG(info.st_mode) or info.st_size > limits.MAX_SPEC_BYTES:
            return found
        with open(file, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return found
    last = max(line for line, _ in wanted)
    stack: list[list] = []   # [start, flow, end of the last item, wanted]
    open_wanted = 0
    parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)   # the loader's parser, libyaml's
    try:
        while True:
            event = parser.get_event()
            if event is None or type(event) is StreamEndEvent:
                break
            mark = event.start_mark
            if mark.line + 1 > last and not open_wanted:
                break
            if isinstance(event, CollectionStartEvent):
                start = (mark.line + 1, mark.column + 1)
                want = bool(stack) and start in wanted
                open_wanted += want
                stack.append([start, event.flow_style, None, want])
                continue
            if isinstance(event, CollectionEndEvent):
                start, flow, inner, want = stack.pop()
                end = (event.end_mark.line + 1, event.end_mark.column + 1) if flow else inner
                open_wanted -= want
            elif isinstance(event, (ScalarEvent, AliasEvent)):
                start = (mark.line + 1, mark.column + 1)
                end = (event.end_mark.line + 1, event.end_mark.column + 1)
                want = start in wanted and start not in found
            else:
                continue
            if end is None or not stack:
                continue
            if want and end != start:
                found[start] = end   # a collection replaces its first key, which starts there too
            stack[-1][2] = end
    except (yaml.YAMLError, RecursionError, MemoryError):
        pass
    return found


def _pascal(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("-"))


def _rule(code: str, level: str, title: str, full: str, help_text: str) -> dict:
    return {"id": code, "name": _pascal(code),
            "shortDescription": {"text": title},
            "fullDescription": {"text": full},
            "help": {"text": help_text,
                     "markdown": f"**{title}** (`{code}`)\n\n{full}\n\n**How to fix:** {help_text}"},
            "defaultConfiguration": {"level": SARIF_LEVEL[level]}}


def _link_text(text: str) -> str:
    """Text inside an embedded link's brackets: backslashes and square brackets escaped with a
    backslash (SARIF 2.1.0, 3.11.6)."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _linked_message(message: str, related: list[tuple[int, str]]) -> str:
    """The message with a link `[text](id)` to each related location: on the first mention of
    a node the note names (`name`), or, where the message names none, after the message."""
    import re
    parts: list[tuple[str, bool]] = [(message, False)]   # (text, already a link)
    extra = []
    for ident, note in related:
        placed = False
        for name in re.findall(r"`([^`\n]+)`", note):
            token = f"`{name}`"
            for i, (text, is_link) in enumerate(parts):
                at = -1 if is_link else text.find(token)
                if at >= 0:
                    parts[i:i + 1] = [(text[:at], False), (f"[{_link_text(token)}]({ident})", True),
                                      (text[at + len(token):], False)]
                    placed = True
                    break
            if placed:
                break
        if not placed:
            extra.append(f"[{_link_text(note)}]({ident})")
    return "".join(text for text, _ in parts) + (f" (see {'; '.join(extra)})" if extra else "")


def _fingerprint(code: str, uri: str, d) -> str:
    """Stable across runs and edits elsewhere in the file: the rule, the file and the nodes the
    diagnostic names (its message where it names none), never its line."""
    import hashlib
    key = "\0".join([code, uri, *(d.nodes or [d.message])])
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def sarif_document(diagnostics: list, rules: dict[str, str], docs: dict[str, str], version: str,
                   titles: dict[str, str] | None = None, helps: dict[str, str] | None = None,
                   cwd: str | None = None) -> dict:
    """SARIF 2.1.0 as GitHub code scanning reads it: one run, every rule with its texts, one
    result per diagnostic with a fingerprint, its region and links to its notes' locations."""
    import os
    titles, helps = titles or {}, helps or {}
    cwd = os.path.abspath(cwd or os.getcwd())
    ids = list(rules) + sorted({d.code for d in diagnostics if d.code not in rules})
    driver = {"name": "idrun", "version": version,
              "rules": [_rule(code, rules.get(code, "error"),
                              titles.get(code, docs.get(code, code)),
                              docs.get(code, "The spec could not be built."),
                              helps.get(code, "Fix the spec at the location given."))
                        for code in ids]}
    wanted: dict[str, set] = {}
    for d in diagnostics:
        for loc in [d.loc] + [n.loc for n in d.notes if n.loc]:
            wanted.setdefault(loc.file, set()).add((loc.line, loc.col))
    ends, uris, seen = _Ends(), {}, {}

    def location(loc, message: str | None = None, ident: int | None = None) -> dict:
        if loc.file not in uris:
            uris[loc.file] = _artifact(loc.file, cwd)
        doc = {} if ident is None else {"id": ident}
        doc["physicalLocation"] = {"artifactLocation": dict(uris[loc.file]),
                                   "region": ends.region(loc, wanted.get(loc.file, set()))}
        if message is not None:
            doc["message"] = {"text": message}
        return doc

    results = []
    for d in diagnostics:
        related = [(i, n) for i, n in enumerate((n for n in d.notes if n.loc), start=1)]
        text = _linked_message(d.message, [(i, n.message) for i, n in related])
        text += "".join(f"\nnote: {n.message}" for n in d.notes if not n.loc)
        primary = location(d.loc)
        fingerprint = _fingerprint(d.code, primary["physicalLocation"]["artifactLocation"]["uri"], d)
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        result = {"ruleId": d.code, "ruleIndex": ids.index(d.code), "level": SARIF_LEVEL[d.severity],
                  "message": {"text": text}, "locations": [primary],
                  "partialFingerprints": {FINGERPRINT: f"{fingerprint}:{seen[fingerprint]}"}}
        if related:
            result["relatedLocations"] = [location(n.loc, n.message, i) for i, n in related]
        results.append(result)
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
    if any(u.get("uriBaseId") == SRCROOT for u in uris.values()):
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _file_uri(cwd).rstrip("/") + "/"}}
    return {"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]}


def render_sarif(diagnostics: list, out: TextIO, rules: dict, docs: dict, version: str,
                 titles: dict | None = None, helps: dict | None = None) -> None:
    json.dump(sarif_document(diagnostics, rules, docs, version, titles, helps), out, indent=1)
    out.write("\n")


# ---- explain ---------------------------------------------------------------------
def render_explain_text(doc: dict, out: TextIO) -> None:
    p = printable
    kind = "" if not doc.get("variable_kind") else (
        f", {doc['variable_kind']}" if doc["op"] == "variable" else f" on a {doc['variable_kind']} variable")
    lines = [f"{doc['node']} ({doc['op']}{kind})" + (f" at {doc['location']}" if doc["location"] else "")]
    if doc.get("alias"):
        a = doc["alias"]
        lines.append(f"  alias:          `{a['name']}` names `{a['of']}` and created no node")
    lines.append(f"  runs:           {'yes' if doc['runs'] else 'no'}: {doc['why']}")
    if doc["inputs"]:
        lines.append("  inputs:         " + ", ".join(f"{i['name']} ({i['op']})" for i in doc["inputs"]))
    else:
        lines.append("  inputs:         none")
    if doc["control_inputs"]:
        for i, c in enumerate(doc["control_inputs"]):
            head = "  control inputs: " if i == 0 else "                  "
            origin = (f"{c['kind']} ({c['from']})" if c["kind"].startswith("added") else
                      f"from the {c['kind']} at {c['from']}")
            lines.append(f"{head}^{c['name']}  {origin}")
    else:
        lines.append("  control inputs: none")
    for d in doc["dropped_control_inputs"]:
        lines.append(f"  dropped:        ^{d['name']} (listed at {d['from']}): {d['reason']}")
    lines.append(f"  device:         {doc['device']} ({doc['placement_reason']})")
    if doc["transfers"]:
        for i, t in enumerate(doc["transfers"]):
            head = "  transfers/step: " if i == 0 else "                  "
            size = "" if t["bytes"] is None else f", {t['bytes']} bytes"
            lines.append(f"{head}{t['direction']} {t['tensor']} {t['src']} -> {t['dst']} ({t['kind']}{size})")
    else:
        lines.append("  transfers/step: none")
    out.write("".join(p(line) + "\n" for line in lines))


def render_explain_json(doc: dict, out: TextIO) -> None:
    json.dump(doc, out, indent=1)
    out.write("\n")
