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


def _gh_message(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
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


def _sarif_location(loc, message: str | None = None) -> dict:
    doc = {"physicalLocation": {"artifactLocation": {"uri": loc.file.replace("\\", "/")},
                                "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.col, 1)}}}
    if message is not None:
        doc["message"] = {"text": message}
    return doc


def sarif_document(diagnostics: list, rules: dict[str, str], docs: dict[str, str], version: str) -> dict:
    """SARIF 2.1.0: one run, the tool's rules, one result per diagnostic."""
    ids = list(rules)
    if any(d.code not in rules for d in diagnostics):
        ids += sorted({d.code for d in diagnostics if d.code not in rules})
    driver = {"name": "idrun", "version": version,
              "rules": [{"id": code, "name": code,
                         "shortDescription": {"text": docs.get(code, "The spec could not be built.")},
                         "defaultConfiguration": {"level": SARIF_LEVEL[rules.get(code, "error")]}}
                        for code in ids]}
    results = []
    for d in diagnostics:
        result = {"ruleId": d.code, "ruleIndex": ids.index(d.code), "level": SARIF_LEVEL[d.severity],
                  "message": {"text": d.message}, "locations": [_sarif_location(d.loc)]}
        related = [dict(_sarif_location(n.loc, n.message), id=i) for i, n in enumerate(d.notes) if n.loc]
        if related:
            result["relatedLocations"] = related
        results.append(result)
    return {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [{"tool": {"driver": driver}, "results": results}]}


def render_sarif(diagnostics: list, out: TextIO, rules: dict, docs: dict, version: str) -> None:
    json.dump(sarif_document(diagnostics, rules, docs, version), out, indent=1)
    out.write("\n")


# ---- explain ---------------------------------------------------------------------
def render_explain_text(doc: dict, out: TextIO) -> None:
    p = printable
    lines = [f"{doc['node']} ({doc['op']})" + (f" at {doc['location']}" if doc["location"] else "")]
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
