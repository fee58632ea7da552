"""What sync tools leave in a shared folder, recognised by name."""

from __future__ import annotations

import pytest

from rmpair.store.files import TEMP_PREFIX
from rmpair.store.syncfiles import FileRole, classify

CONFLICT_COPIES = [
    ("2026-11.sync-conflict-20261122-101010-ABCDEFG.json", "Syncthing"),
    ("2026-11 (Sam's conflicted copy 2026-11-22).json", "Dropbox"),
    ("2026-11 (conflicted copy 2026-11-22 101010).json", "Nextcloud"),
    ("2026-11_conflict-20261122-101010.json", "Nextcloud"),
    ("2026-11-LAPTOP7.json", "OneDrive"),
    ("2026-11 (1).json", "Google Drive"),
    ("2026-11 2.json", "iCloud"),
]

TEMPORARY = [
    ".syncthing.2026-11.json.tmp",
    "~syncthing~2026-11.json.tmp",
    "2026-11.json.part",
    ".~lock.2026-11.json#",
    ".dropbox.cache",
    ".dropbox",
    "2026-11.json.icloud",
    ".2026-11.json.icloud",
    f"{TEMP_PREFIX}2026-11.json.1a2b3c4d",
    "2026-11.json.tmp",
    ".2026-11.json.swp",
    ".DS_Store",
    "desktop.ini",
    "Thumbs.db",
]


@pytest.mark.parametrize("name", ["2026-11.json", "1999-01.json", "2031-12.json"])
def test_canonical_month_files(name: str) -> None:
    found = classify(name)
    assert found.role is FileRole.CANONICAL
    assert found.stem == name.removesuffix(".json")
    assert found.tool == ""


@pytest.mark.parametrize(("name", "tool"), CONFLICT_COPIES)
def test_conflict_copies_name_their_tool_and_stem(name: str, tool: str) -> None:
    found = classify(name)
    assert found.role is FileRole.CONFLICT_COPY
    assert found.tool == tool
    assert found.stem == "2026-11"


@pytest.mark.parametrize(
    "name",
    [
        "2026-11 (Sam's Conflicted Copy 2026-11-22).json",
        "2026-11 (Alex conflicted copy).json",
        "2026-11 (12).json",
        "2026-11 13.json",
        "2026-11.sync-conflict-20261122-101010-7Q2ZK3M.json",
    ],
)
def test_conflict_copy_variants(name: str) -> None:
    found = classify(name)
    assert found.role is FileRole.CONFLICT_COPY
    assert found.stem == "2026-11"


@pytest.mark.parametrize("name", TEMPORARY)
def test_temporary_files_are_never_read(name: str) -> None:
    assert classify(name).role is FileRole.TEMPORARY


def test_unknown_json_is_read_as_a_copy_of_unknown_origin() -> None:
    found = classify("backup of november.json")
    assert found.role is FileRole.CONFLICT_COPY
    assert found.tool  # says "unknown tool" in the user's language, never empty
    assert found.stem == "backup of november"


@pytest.mark.parametrize("name", ["notes.txt", "README", "2026-11.json.bak", "2026-11.JSON~"])
def test_other_files_are_ignored(name: str) -> None:
    assert classify(name).role is FileRole.OTHER


def test_canonical_names_are_not_mistaken_for_copies() -> None:
    # a OneDrive-style suffix must not swallow the month itself
    assert classify("2026-11.json").role is FileRole.CANONICAL
    assert classify("2026-11-1.json").role is FileRole.CONFLICT_COPY
