"""A diagnostic: a rule's code, severity, location, message, the nodes it names, notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from idrun.errors import SourceLoc

SEVERITIES = ("info", "warning", "error")


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether `severity` reaches `--fail-on threshold` ("never" reaches nothing)."""
    if threshold == "never":
        return False
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


@dataclass
class Note:
    loc: SourceLoc | None
    message: str


@dataclass
class Diagnostic:
    code: str
    severity: str
    loc: SourceLoc
    message: str
    nodes: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        doc = {"code": self.code, "severity": self.severity, "file": self.loc.file,
               "line": self.loc.line, "col": self.loc.col, "message": self.message,
               "nodes": list(self.nodes),
               "notes": [{"file": n.loc.file if n.loc else None, "line": n.loc.line if n.loc else None,
                          "col": n.loc.col if n.loc else None, "message": n.message}
                         for n in self.notes]}
        if self.fix:
            doc["fix"] = self.fix
        doc.update(self.data)
        return doc
