"""Two devices of one tandem in one test: Alex (mentee) and Sam (mentor), each with its
own data folder and its own copy of the shared folder; the test plays the sync tool.

A module of its own (not conftest.py), so that test modules anywhere below tests/
import the same helpers.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.home import Home

_LOG_NAME = re.compile(r"(\d{4}-\d{2})(?:\.(\d+))?\.json")


def log_files(folder: Path) -> list[Path]:
    """A device's log files in ``folder``, in write order: a month's first segment is
    ``<YYYY-MM>.json``, later ones ``<YYYY-MM>.<n>.json`` (a busy month has several)."""
    found = [(m, p) for p in folder.glob("*.json") if (m := _LOG_NAME.fullmatch(p.name))]
    found.sort(key=lambda mp: (mp[0][1], int(mp[0][2] or 1)))
    return [p for _, p in found]


def copy_into(src: Path, dst: Path) -> None:
    """Deliver a file the way sync tools do: write a temporary file, then rename it."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.parent / f".syncthing.{dst.name}.tmp"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


@dataclass
class TwoDevices:
    """Alex (mentee, device A) and Sam (mentor, device B), each with its own shared folder.

    ``deliver`` plays the sync tool: it copies one device's files into the other's folder.
    """

    tmp: Path
    a: Journal
    b: Journal

    @staticmethod
    def folder(journal: Journal) -> Path:
        return journal.folder

    @staticmethod
    def own_files(journal: Journal) -> list[Path]:
        """The log files of ``journal``'s device in its own shared folder, in write order."""
        return log_files(journal.folder / "devices" / journal.device_id)

    def own_file(self, journal: Journal) -> Path:
        files = self.own_files(journal)
        assert files, f"no file of device {journal.device_id} in its folder"
        return files[-1]

    def peer_file(self, owner: Journal, reader: Journal) -> Path:
        """Where ``owner``'s current month file lives in ``reader``'s folder."""
        own = self.own_file(owner)
        return reader.folder / "devices" / owner.device_id / own.name

    def deliver(self, owner: Journal, reader: Journal) -> None:
        """Copy every file of ``owner``'s device into ``reader``'s folder."""
        for path in self.own_files(owner):
            copy_into(path, reader.folder / "devices" / owner.device_id / path.name)

    def reopen(self, journal: Journal) -> Journal:
        home = journal.store.home
        folder = journal.folder
        journal.close()
        fresh = Journal.open(folder, home=home)
        if journal is self.a:
            self.a = fresh
        elif journal is self.b:
            self.b = fresh
        return fresh


def make_two_devices(tmp: Path) -> TwoDevices:
    a = Journal.init(
        tmp / "shared-a",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        home=Home(tmp / "home-a"),
    )
    for path in sorted((tmp / "shared-a" / "devices").rglob("*.json")):
        copy_into(path, tmp / "shared-b" / path.relative_to(tmp / "shared-a"))
    b = Journal.join(tmp / "shared-b", me="Sam", home=Home(tmp / "home-b"))
    pair = TwoDevices(tmp, a, b)
    pair.deliver(b, a)
    a.refresh()
    return pair


def edit_topic(journal: Journal, step: str, rec: str, n: int, data: Any) -> None:
    """One edit of topic ``rec`` as the property tests draw it (``data`` is hypothesis's
    ``st.data()``): ``delete``, ``retitle``, ``status`` (a drawn status) or, for any
    other step, a new priority."""
    from hypothesis import strategies as st

    from rmpair.model.records import Topic, TopicStatus

    if step == "delete":
        journal.delete(Topic.KIND, rec)
    elif step == "retitle":
        journal.update(Topic.KIND, rec, {"title": f"Renamed {n}"})
    elif step == "status":
        status = data.draw(st.sampled_from(list(TopicStatus)))
        journal.update(Topic.KIND, rec, {"status": status.value})
    else:
        journal.update(Topic.KIND, rec, {"priority": n * 0.5})
