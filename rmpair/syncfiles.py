"""What sync tools leave in a shared folder, recognised by name.

Only the name is used to *describe* a file (which tool made a conflict copy, which
file is a temporary one to ignore); which device a file belongs to is always read
from its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rmpair.i18n import _
from rmpair.storage import TEMP_PREFIX

CANONICAL = re.compile(r"^(\d{4}-\d{2})\.json$")


class FileRole(StrEnum):
    CANONICAL = "canonical"
    CONFLICT_COPY = "conflict-copy"
    TEMPORARY = "temporary"
    OTHER = "other"


# Temporary files that a sync tool (or an editor) is still writing: never read them.
_TEMPORARY = [
    re.compile(r"^\.syncthing\..*\.tmp$"),
    re.compile(r"^~syncthing~.*\.tmp$"),
    re.compile(r".*\.part$"),
    re.compile(r"^\.~lock\..*"),
    re.compile(r"^\.dropbox.*"),
    re.compile(r".*\.icloud$"),
    re.compile(r"^" + re.escape(TEMP_PREFIX) + r".*"),
    re.compile(r".*\.(tmp|swp)$"),
    re.compile(r"^\.DS_Store$|^desktop\.ini$|^Thumbs\.db$", re.IGNORECASE),
]

# Conflict copies, keyed by the tool that names them that way. The stem is the
# canonical name without ".json".
_CONFLICTS: list[tuple[str, re.Pattern[str]]] = [
    ("Syncthing", re.compile(r"^(?P<stem>.+)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}\.json$")),
    ("Nextcloud", re.compile(r"^(?P<stem>.+) \(conflicted copy [^)]*\)\.json$")),
    ("Nextcloud", re.compile(r"^(?P<stem>.+)_conflict-\d{8}-\d{6}\.json$")),
    ("Dropbox", re.compile(r"^(?P<stem>.+) \(.*conflicted copy.*\)\.json$", re.IGNORECASE)),
    ("Google Drive", re.compile(r"^(?P<stem>.+) \(\d+\)\.json$")),
    ("iCloud", re.compile(r"^(?P<stem>\d{4}-\d{2}) \d+\.json$")),
    ("OneDrive", re.compile(r"^(?P<stem>\d{4}-\d{2})-[A-Za-z0-9][A-Za-z0-9_-]*\.json$")),
]


@dataclass(frozen=True)
class Classified:
    role: FileRole
    tool: str = ""  # the sync tool that made a conflict copy, when known
    stem: str = ""  # the canonical name the copy stands for, when known


def classify(name: str) -> Classified:
    """Say what a file name in a device folder is."""
    for pattern in _TEMPORARY:
        if pattern.match(name):
            return Classified(FileRole.TEMPORARY)
    if CANONICAL.match(name):
        return Classified(FileRole.CANONICAL, stem=name[:-5])
    for tool, pattern in _CONFLICTS:
        match = pattern.match(name)
        if match:
            return Classified(FileRole.CONFLICT_COPY, tool=tool, stem=match.group("stem"))
    if name.endswith(".json"):
        return Classified(FileRole.CONFLICT_COPY, tool=_("unknown tool"), stem=name[:-5])
    return Classified(FileRole.OTHER)
