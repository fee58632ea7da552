"""What ``rmpair doctor`` reports: a ``Finding`` per thing noticed, with its ``Severity``,
gathered in a ``Report``.

Apart from the checks so that both check modules (``doctor`` and ``doctor_files``) and
the command line can use these types without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

__all__ = ["Finding", "Report", "Severity"]


class Severity(StrEnum):
    """How much a finding needs the user: info needs nothing, the other two need a look."""

    INFO = "info"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the doctor noticed; ``code`` is stable, ``message`` and ``advice`` are prose."""

    code: str
    severity: Severity
    message: str
    file: str = ""  # relative to the journal folder, with "/"; "" when not about one file
    advice: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "advice": self.advice,
        }


@dataclass(slots=True)
class Report:
    """Everything ``examine`` found about one journal folder."""

    journal: str
    folder: Path
    sync_tool: str | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def needs_user(self) -> bool:
        return any(f.severity is not Severity.INFO for f in self.findings)

    def to_json(self) -> dict[str, object]:
        return {
            "journal": self.journal,
            "folder": str(self.folder),
            "sync_tool": self.sync_tool,
            "needs_user": self.needs_user,
            "findings": [f.to_json() for f in self.findings],
        }
