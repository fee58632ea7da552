"""One save reads this device's month file once, writes it once, and hands the same
bytes to the shared folder: nothing is written, read back and written again.

The files opened are observed with an audit hook of the interpreter (the real opens,
not a stand-in), while a topic is added to a journal that already has a month file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rmpair.journal import Journal
from rmpair.model.records import Category

OPENED: list[tuple[str, str]] | None = None
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def _audit(event: str, args: tuple[object, ...]) -> None:
    if OPENED is None or event != "open" or not isinstance(args[0], str | Path):
        return
    mode, flags = args[1], args[2]
    if mode is None:  # os.open: only flags
        mode = "w" if isinstance(flags, int) and flags & WRITING else "r"
    OPENED.append((str(args[0]), str(mode)))


sys.addaudithook(_audit)


def opens_during(work: object) -> list[tuple[str, str]]:
    global OPENED
    OPENED = []
    try:
        assert callable(work)
        work()
        return OPENED
    finally:
        OPENED = None


def test_a_save_reads_its_month_file_once_and_never_reads_back(journal: Journal) -> None:
    journal.backlog.add_topic("First topic", category=Category.WORK)  # the month file exists
    [replica] = (journal.store.replica_dir / journal.device_id).glob("????-??.json")
    shared = journal.folder / "devices" / journal.device_id / replica.name

    opened = opens_during(
        lambda: journal.backlog.add_topic("Second topic", category=Category.CULTURE)
    )

    def reads_of(path: Path) -> list[str]:
        return [mode for name, mode in opened if name == str(path) and "r" in mode]

    assert len(reads_of(replica)) == 1  # read once to add to it
    assert reads_of(shared) == []  # never read back: the same bytes were published
    # Each file is replaced once, from one temporary file in its own folder (the only
    # other file opened for writing is the device's lock, in its data folder).
    written = [Path(name).parent for name, mode in opened if "w" in mode or "x" in mode]
    assert written.count(replica.parent) == 1
    assert written.count(shared.parent) == 1
    assert shared.read_bytes() == replica.read_bytes()  # a plain journal publishes as is
    titles = [t.title for t in journal.backlog.topics()]
    assert titles == ["First topic", "Second topic"]
