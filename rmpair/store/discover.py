"""Which journal a folder holds, read from the headers of the logs in it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def find_journal_id(folder: Path, known: Callable[[str], bool] | None = None) -> str | None:
    """The journal whose logs are in ``folder``: one that ``known`` accepts (a journal
    this device belongs to), else the one most files name.

    A stray file of another journal, or one with an altered header, is outvoted
    rather than taken for the folder's journal because its name sorts first.
    """
    from collections import Counter

    from rmpair.store.files import LogFileError, journal_of
    from rmpair.store.syncfiles import FileRole, classify

    devices = folder / "devices"
    if not devices.is_dir():
        return None
    votes: Counter[str] = Counter()
    for path in sorted(devices.rglob("*.json")):
        if classify(path.name).role in (FileRole.TEMPORARY, FileRole.OTHER):
            continue
        try:
            found = journal_of(path)  # an encrypted file names it in its plain header
        except (LogFileError, OSError):
            continue
        if known is not None and known(found):
            return found
        votes[found] += 1
    if not votes:
        return None
    return min(votes, key=lambda journal: (-votes[journal], journal))
