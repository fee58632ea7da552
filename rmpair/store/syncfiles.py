"""What sync tools leave in a shared folder, recognised by name.

Only the name is used to *describe* a file (which tool made a conflict copy, which
file is a temporary one to ignore); which device a file belongs to is always read
from its content.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from rmpair.i18n import _
from rmpair.store.files import TEMP_PREFIX

# A month's log, or one of its later segments (<YYYY-MM>.<n>.json, see files.py).
CANONICAL = r"^(\d{4}-\d{2})(\.[1-9]\d{0,5})?\.json$"


class FileRole(StrEnum):
    CANONICAL = "canonical"
    CONFLICT_COPY = "conflict-copy"
    TEMPORARY = "temporary"
    OTHER = "other"


# Patterns are compiled on first use: most starts read no changed file at all.
# Temporary files that a sync tool (or an editor) is still writing: never read them.
_TEMPORARY: list[tuple[str, int]] = [
    (r"^\.syncthing\..*\.tmp$", 0),
    (r"^~syncthing~.*\.tmp$", 0),
    (r".*\.part$", 0),
    (r"^\.~lock\..*", 0),
    (r"^\.dropbox.*", 0),
    (r".*\.icloud$", 0),
    (r"^" + re.escape(TEMP_PREFIX) + r".*", 0),
    (r".*\.(tmp|swp)$", 0),
    (r"^\.DS_Store$|^desktop\.ini$|^Thumbs\.db$", re.IGNORECASE),
]

# Conflict copies, keyed by the tool that names them that way. The stem is the
# canonical name without ".json".
_CONFLICTS: list[tuple[str, tuple[str, int]]] = [
    ("Syncthing", (r"^(?P<stem>.+)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}\.json$", 0)),
    ("Nextcloud", (r"^(?P<stem>.+) \(conflicted copy [^)]*\)\.json$", 0)),
    ("Nextcloud", (r"^(?P<stem>.+)_conflict-\d{8}-\d{6}\.json$", 0)),
    ("Dropbox", (r"^(?P<stem>.+) \(.*conflicted copy.*\)\.json$", re.IGNORECASE)),
    ("Google Drive", (r"^(?P<stem>.+) \(\d+\)\.json$", 0)),
    ("iCloud", (r"^(?P<stem>\d{4}-\d{2}) \d+\.json$", 0)),
    ("OneDrive", (r"^(?P<stem>\d{4}-\d{2})-[A-Za-z0-9][A-Za-z0-9_-]*\.json$", 0)),
]


class Classified(NamedTuple):
    role: FileRole
    tool: str = ""  # the sync tool that made a conflict copy, when known
    stem: str = ""  # the canonical name the copy stands for, when known


@cache
def _compiled() -> tuple[list[re.Pattern[str]], re.Pattern[str], list[tuple[str, re.Pattern[str]]]]:
    temporary = [re.compile(p, flags) for p, flags in _TEMPORARY]
    conflicts = [(tool, re.compile(p, flags)) for tool, (p, flags) in _CONFLICTS]
    return temporary, re.compile(CANONICAL), conflicts


@cache
def _canonical() -> re.Pattern[str]:
    return re.compile(CANONICAL)


def classify(name: str) -> Classified:
    """Say what a file name in a device folder is.

    A log's own name is tried first, with one pattern instead of all of them: no
    temporary pattern matches a name that starts with a digit and ends in ".json"
    (a test holds that), and a start that reads one changed file needs no other."""
    if _canonical().match(name):
        return Classified(FileRole.CANONICAL, stem=name[:-5])
    temporary, _canonical_again, conflicts = _compiled()
    for pattern in temporary:
        if pattern.match(name):
            return Classified(FileRole.TEMPORARY)
    for tool, pattern in conflicts:
        match = pattern.match(name)
        if match:
            return Classified(FileRole.CONFLICT_COPY, tool=tool, stem=match.group("stem"))
    if name.endswith(".json"):
        return Classified(FileRole.CONFLICT_COPY, tool=_("unknown tool"), stem=name[:-5])
    return Classified(FileRole.OTHER)
