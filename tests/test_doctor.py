"""``rmpair doctor``: each check against real journal folders, and the command itself."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clocks import OffsetClock
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pairs import log_files
from typer.testing import CliRunner

from rmpair.cli.app import app
from rmpair.doctor.checks import examine, sync_tool
from rmpair.doctor.report import Finding, Report, Severity
from rmpair.journal import Journal
from rmpair.model.records import Role
from rmpair.store.files import TEMP_PREFIX
from rmpair.store.home import Home

DAY = 86400.0
CODES = {
    "conflict-copy-folded",
    "conflict-copy-partner",
    "conflict-copy-stuck",
    "damaged-file",
    "damaged-local-copy",
    "foreign-file",
    "repaired",
    "newer-schema",
    "read-only",
    "file-problem",
    "encrypted-file",
    "sync-in-progress",
    "sync-leftover",
    "not-downloaded",
    "partner-silent",
    "device-idle",
    "clock-ahead",
    "not-shared",
    "partner-not-joined",
    "open-conflicts",
}


# -- helpers ---------------------------------------------------------------------------


def shared_folder(tmp: Path) -> Path:
    """A journal folder inside a Syncthing folder, so 'not shared' stays quiet."""
    (tmp / "Sync" / ".stfolder").mkdir(parents=True, exist_ok=True)
    return tmp / "Sync" / "mentoring"


def clock(offset_s: float) -> OffsetClock:
    return OffsetClock(dt.timedelta(seconds=offset_s))


def start_journal(
    folder: Path,
    tmp: Path,
    *,
    start: dt.date | None = None,
    offset_s: float = 0.0,
) -> Journal:
    return Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=start or dt.date.today(),
        tz="Europe/Berlin",
        home=Home(tmp / "home-alex"),
        clock=clock(offset_s) if offset_s else None,
    )


def join(folder: Path, tmp: Path, home: str = "home-sam", *, offset_s: float = 0.0) -> Journal:
    return Journal.join(
        folder, me="Sam", home=Home(tmp / home), clock=clock(offset_s) if offset_s else None
    )


def reopen(journal: Journal) -> Journal:
    """Close and open again, as the next command would (fresh notices, fresh read)."""
    home, folder = journal.store.home, journal.folder
    journal.close()
    return Journal.open(folder, home=home)


def month_file(journal: Journal) -> Path:
    return log_files(journal.folder / "devices" / journal.device_id)[-1]


def rel(journal: Journal, path: Path) -> str:
    return path.relative_to(journal.folder).as_posix()


def checked(journal: Journal, *, now: float | None = None) -> Report:
    """``examine`` plus the promises every report keeps."""
    report = examine(journal, now=now)
    for finding in report.findings:
        assert finding.code in CODES, finding
        assert finding.severity in set(Severity)
        assert finding.message.strip(), finding
        assert finding.advice.strip(), finding
        assert "/" not in finding.file or finding.file.startswith("devices/"), finding
    order = [{"problem": 0, "warning": 1, "info": 2}[f.severity] for f in report.findings]
    assert order == sorted(order)
    assert report.needs_user == any(f.severity is not Severity.INFO for f in report.findings)
    return report


def only(report: Report, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, (code, report.findings)
    return found[0]


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Journal, Journal]]:
    """Alex and Sam on two devices over one shared folder inside a Syncthing folder."""
    folder = shared_folder(tmp_path)
    alex = start_journal(folder, tmp_path)
    sam = join(folder, tmp_path)
    alex = reopen(alex)
    journals = [alex, sam]
    yield alex, sam
    for journal in journals:
        journal.close()


# -- a healthy journal -----------------------------------------------------------------


def test_a_healthy_shared_journal_needs_nothing(pair: tuple[Journal, Journal]) -> None:
    alex, sam = pair
    sam = reopen(sam)
    for journal in (alex, sam):
        report = checked(journal)
        assert report.findings == []
        assert report.sync_tool == "Syncthing"
        assert report.needs_user is False
    sam.close()


# -- is it shared? ---------------------------------------------------------------------


def test_a_lone_journal_outside_any_sync_tool_looks_unshared(tmp_path: Path) -> None:
    with start_journal(tmp_path / "journal", tmp_path) as alex:
        report = checked(alex)
    assert report.sync_tool is None
    finding = only(report, "not-shared")
    assert finding.severity is Severity.WARNING
    assert "not shared" in finding.message and "Sam" in finding.advice
    assert report.needs_user


def test_a_synced_folder_where_the_partner_has_not_joined_is_only_a_note(tmp_path: Path) -> None:
    with start_journal(shared_folder(tmp_path), tmp_path) as alex:
        report = checked(alex)
    assert codes(report) == ["partner-not-joined"]
    assert 'rmpair join DIR --me "Sam"' in report.findings[0].advice
    assert not report.needs_user


def test_two_devices_without_a_known_sync_tool_are_evidently_shared(tmp_path: Path) -> None:
    folder = tmp_path / "nas-share" / "journal"
    alex = start_journal(folder, tmp_path)
    join(folder, tmp_path).close()
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    assert report.sync_tool is None
    assert report.findings == []


@pytest.mark.parametrize(
    ("where", "tool"),
    [
        ("Dropbox/mentoring", "Dropbox"),
        ("Dropbox (Personal)/mentoring", "Dropbox"),
        ("OneDrive - Contoso/Mentoring", "OneDrive"),
        ("Library/CloudStorage/OneDrive-Personal/x", "OneDrive"),
        ("Nextcloud/Documents/mentoring", "Nextcloud"),
        ("Google Drive/My Drive/mentoring", "Google Drive"),
        ("Library/CloudStorage/GoogleDrive-alex@example.org/My Drive/m", "Google Drive"),
        ("Library/Mobile Documents/com~apple~CloudDocs/mentoring", "iCloud Drive"),
        ("iCloudDrive/mentoring", "iCloud Drive"),
        ("Documents/mentoring", None),
        ("dropboxes/mentoring", None),
        ("my-onedrive-notes/mentoring", None),
    ],
)
def test_sync_tools_are_recognised_by_their_folder_names(
    tmp_path: Path, where: str, tool: str | None
) -> None:
    assert sync_tool(tmp_path / where) == tool


@pytest.mark.parametrize(
    ("marker", "is_dir", "tool"),
    [
        (".stfolder", True, "Syncthing"),
        (".dropbox", False, "Dropbox"),
        (".sync", True, "Resilio Sync"),
        (".nextcloudsync.log", False, "Nextcloud"),
    ],
)
def test_sync_tools_are_recognised_by_the_marker_at_their_root(
    tmp_path: Path, marker: str, is_dir: bool, tool: str
) -> None:
    root = tmp_path / "shared-stuff"
    journal = root / "a" / "b" / "journal"
    journal.mkdir(parents=True)
    assert sync_tool(journal) is None
    if is_dir:
        (root / marker).mkdir()
    else:
        (root / marker).write_text("")
    assert sync_tool(journal) == tool


def test_a_link_into_a_synced_folder_counts_as_synced(tmp_path: Path) -> None:
    real = shared_folder(tmp_path)
    real.mkdir()
    link = tmp_path / "desktop-link"
    link.symlink_to(real, target_is_directory=True)
    assert sync_tool(link) == "Syncthing"


# -- conflict copies -------------------------------------------------------------------

SYNCTHING_COPY = "{stem}.sync-conflict-20261122-101010-ABCDEFG.json"


def test_a_partners_conflict_copy_is_listed_and_left_for_the_partner(
    pair: tuple[Journal, Journal],
) -> None:
    alex, sam = pair
    source = month_file(sam)
    copy = source.with_name(SYNCTHING_COPY.format(stem=source.stem))
    shutil.copyfile(source, copy)
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "conflict-copy-partner")
    assert finding.file == rel(sam, copy)
    assert finding.severity is Severity.INFO
    assert "Syncthing" in finding.message and "Sam" in finding.advice
    assert copy.exists()
    assert not report.needs_user


def test_this_devices_conflict_copy_is_folded_on_open_and_reported(
    pair: tuple[Journal, Journal],
) -> None:
    alex, _sam = pair
    source = month_file(alex)
    copy = source.with_name(f"{source.stem} (Alex's conflicted copy 2026-11-22).json")
    shutil.copyfile(source, copy)
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "conflict-copy-folded")
    assert finding.file == rel(alex, copy)
    assert not copy.exists()
    assert "archive" in finding.message
    assert not report.needs_user


def test_a_conflict_copy_that_cannot_be_archived_needs_the_user(
    pair: tuple[Journal, Journal],
) -> None:
    alex, _sam = pair
    source = month_file(alex)
    copy = source.with_name(SYNCTHING_COPY.format(stem=source.stem))
    shutil.copyfile(source, copy)
    # A file where the archive folder should be: tidying up fails, even for root.
    alex.store.archive_dir.parent.mkdir(parents=True, exist_ok=True)
    alex.store.archive_dir.write_text("not a folder")
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "conflict-copy-stuck")
    assert finding.severity is Severity.PROBLEM
    assert finding.file == rel(alex, copy)
    assert copy.exists()


# -- damaged and foreign files ---------------------------------------------------------


def test_a_damaged_partner_file_says_what_is_wrong_and_whose_it_is(
    pair: tuple[Journal, Journal],
) -> None:
    alex, sam = pair
    path = month_file(sam)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    old = time.time() - 3600
    os.utime(path, (old, old))
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "damaged-file")
    assert finding.severity is Severity.PROBLEM
    assert finding.file == rel(sam, path)
    assert "truncated" in finding.message
    assert "Sam" in finding.advice
    assert report.needs_user


def test_a_damaged_file_that_just_changed_may_still_be_arriving(
    pair: tuple[Journal, Journal],
) -> None:
    alex, sam = pair
    path = month_file(sam)
    path.write_bytes(b'{"meta": {"1": {"format": "rmpair-log"')
    now = time.time()  # the test's frozen clock: the file changed just now on it
    os.utime(path, (now, now))
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "damaged-file")
    assert finding.severity is Severity.WARNING
    assert "still" in finding.advice
    # The same file a minute later is a real problem.
    with Journal.open(alex.folder, home=alex.store.home) as again:
        later = checked(again, now=time.time() + 60)
    assert only(later, "damaged-file").severity is Severity.PROBLEM


def test_this_devices_lost_file_is_written_again_and_reported_as_repaired(
    pair: tuple[Journal, Journal],
) -> None:
    alex, _sam = pair
    path = month_file(alex)
    path.unlink()
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "repaired")
    assert finding.file == rel(alex, path)
    assert path.exists()
    assert not report.needs_user


def test_a_file_of_another_journal_is_named(pair: tuple[Journal, Journal], tmp_path: Path) -> None:
    alex, _sam = pair
    with start_journal(tmp_path / "other", tmp_path / "x") as other:
        stray = month_file(other)
    target = alex.folder / "devices" / "visitor" / stray.name
    target.parent.mkdir()
    shutil.copyfile(stray, target)
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "foreign-file")
    assert finding.file == rel(alex, target)
    assert finding.severity is Severity.WARNING


def test_an_encrypted_file_is_not_called_damaged(pair: tuple[Journal, Journal]) -> None:
    """Only the store knows whether an encrypted file is locked or damaged; the doctor
    must not guess 'damaged' from bytes it cannot parse."""
    from rmpair.doctor.files import _explain
    from rmpair.store.files import ENCRYPTED_MAGIC
    from rmpair.store.problems import Problem

    alex, sam = pair
    path = month_file(sam)
    path.write_bytes(ENCRYPTED_MAGIC + b"sealed bytes")
    os.utime(path, (time.time() - 600, time.time() - 600))
    said = Problem(rel(sam, path), "encrypted, and this journal was opened without its passphrase")
    finding = _explain(alex, said, time.time())
    assert finding.code == "encrypted-file"
    assert finding.message == said.message
    assert "passphrase" in finding.advice


# -- read-only -------------------------------------------------------------------------


def test_a_newer_format_is_one_finding_naming_the_file(pair: tuple[Journal, Journal]) -> None:
    alex, sam = pair
    path = month_file(sam)
    data = json.loads(path.read_bytes())
    data["meta"]["1"]["schema"] = 99
    path.write_text(json.dumps(data))
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "newer-schema")
    assert finding.severity is Severity.PROBLEM
    assert finding.file == rel(sam, path)
    assert "99" in finding.message
    assert "read-only" not in codes(report)


def test_a_missing_journal_folder_makes_it_read_only(tmp_path: Path) -> None:
    folder = shared_folder(tmp_path)
    alex = start_journal(folder, tmp_path)
    alex.close()
    folder.parent.rename(tmp_path / "unplugged")
    with Journal.open(folder, home=Home(tmp_path / "home-alex")) as alex:
        report = checked(alex)
    finding = only(report, "read-only")
    assert str(folder) in finding.message
    assert report.needs_user


# -- what sync tools leave -------------------------------------------------------------


def test_files_a_sync_tool_is_writing_and_leftovers(pair: tuple[Journal, Journal]) -> None:
    alex, sam = pair
    folder = month_file(sam).parent
    writing = folder / ".syncthing.2026-12.json.tmp"
    writing.write_bytes(b"{")
    stale = folder / "2026-10.json.part"
    stale.write_bytes(b"{")
    ours = month_file(alex).parent / f"{TEMP_PREFIX}2026-11.json.1a2b3c4d"
    ours.write_bytes(b"{")
    cloud = folder / ".2026-09.json.icloud"
    cloud.write_bytes(b"bplist")
    (folder / ".DS_Store").write_bytes(b"junk")
    now = time.time()  # the test's frozen clock: file times are set on it, not the disk's
    for path, at in ((writing, now), (cloud, now), (stale, now - 600), (ours, now - 600)):
        os.utime(path, (at, at))
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    by_file = {f.file: f for f in report.findings}
    assert set(by_file) == {rel(alex, p) for p in (writing, stale, ours, cloud)}
    assert by_file[rel(alex, writing)].code == "sync-in-progress"
    assert by_file[rel(alex, writing)].severity is Severity.WARNING
    assert by_file[rel(alex, stale)].code == "sync-leftover"
    assert by_file[rel(alex, ours)].code == "sync-leftover"
    assert "interrupted save" in by_file[rel(alex, ours)].message
    assert by_file[rel(alex, cloud)].code == "not-downloaded"
    assert report.needs_user
    # Once the transfer has finished the in-progress warning goes away.
    writing.unlink()
    cloud.unlink()
    with Journal.open(alex.folder, home=alex.store.home) as again:
        assert not checked(again).needs_user


# -- devices that went quiet -----------------------------------------------------------


def test_a_partner_silent_for_long_while_the_programme_runs(tmp_path: Path) -> None:
    folder = shared_folder(tmp_path)
    alex = start_journal(folder, tmp_path, start=dt.date.today() - dt.timedelta(days=30))
    join(folder, tmp_path).close()
    alex = reopen(alex)
    try:
        assert checked(alex, now=time.time() + 50 * DAY).findings == []
        report = checked(alex, now=time.time() + 70 * DAY)
        finding = only(report, "partner-silent")
        assert "Sam" in finding.message and "70 days" in finding.message
        assert report.needs_user
        # After the programme's end nobody needs to write any more.
        assert checked(alex, now=time.time() + 200 * DAY).findings == []
    finally:
        alex.close()


def test_silence_counts_from_the_programmes_start(tmp_path: Path) -> None:
    folder = shared_folder(tmp_path)
    alex = start_journal(folder, tmp_path, start=dt.date.today() + dt.timedelta(days=30))
    join(folder, tmp_path).close()
    alex = reopen(alex)
    try:
        assert checked(alex, now=time.time() + 80 * DAY).findings == []
        assert "partner-silent" in codes(checked(alex, now=time.time() + 100 * DAY))
    finally:
        alex.close()


def test_an_old_laptop_of_a_partner_who_still_writes_is_only_a_note(tmp_path: Path) -> None:
    folder = shared_folder(tmp_path)
    alex = start_journal(folder, tmp_path, start=dt.date.today() - dt.timedelta(days=30))
    join(folder, tmp_path, "home-sam-old").close()
    with join(folder, tmp_path, "home-sam-new", offset_s=70 * DAY) as new:
        new.add("topic", {"title": "What the new laptop wrote"})
    alex = reopen(alex)
    report = checked(alex, now=time.time() + 70 * DAY)
    alex.close()
    assert codes(report) == ["device-idle"]
    assert "Sam" in report.findings[0].message
    assert not report.needs_user


# -- clocks ----------------------------------------------------------------------------


def test_a_partner_clock_far_ahead_is_blamed_on_that_device_only(tmp_path: Path) -> None:
    folder = shared_folder(tmp_path)
    alex = start_journal(folder, tmp_path)
    with join(folder, tmp_path, offset_s=2 * 3600) as sam:
        sam.add("topic", {"title": "Written two hours in the future"})
    alex = reopen(alex)
    # Alex's next change continues after Sam's stamp (the clock never goes back).
    alex.add("topic", {"title": "Written by Alex afterwards"})
    alex_wall = int(alex.store.state.last_by_device[alex.device_id][:15])
    assert alex_wall >= int(sam.store.state.max_hlc[:15]) > (time.time() + 3600) * 1000
    report = checked(alex)
    alex.close()
    finding = only(report, "clock-ahead")
    assert "Sam" in finding.message and "about 2 hours" in finding.message
    assert finding.severity is Severity.WARNING


def test_this_computers_own_stamps_in_the_future_mean_its_clock_was_set_back(
    tmp_path: Path,
) -> None:
    folder = shared_folder(tmp_path)
    with start_journal(folder, tmp_path, offset_s=45 * 60) as alex:
        pass
    with Journal.open(folder, home=Home(tmp_path / "home-alex")) as alex:
        report = checked(alex)
    finding = only(report, "clock-ahead")
    assert finding.message.startswith("This computer")
    assert "about 45 minutes" in finding.message


def test_files_that_arrive_late_are_not_a_clock_problem(tmp_path: Path) -> None:
    folder = shared_folder(tmp_path)
    alex = start_journal(
        folder, tmp_path, start=dt.date.today() - dt.timedelta(days=10), offset_s=-4 * DAY
    )
    alex.close()
    # Sam wrote three days ago while offline; the files land now, with fresh times.
    sam_folder = tmp_path / "sam-offline"
    shutil.copytree(folder / "devices", sam_folder / "devices")
    with join(sam_folder, tmp_path, offset_s=-3 * DAY) as sam:
        sam.add("topic", {"title": "Written on the train"})
        sam_files = sam.folder / "devices" / sam.device_id
    shutil.copytree(sam_files, folder / "devices" / sam_files.name)
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    assert report.findings == []


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(offset_min=st.integers(min_value=-5 * 24 * 60, max_value=5 * 24 * 60))
def test_clock_findings_follow_the_offset(tmp_path: Path, offset_min: int) -> None:
    """Ahead by more than ten minutes: reported; anything else: not (the edge is left out)."""
    assume(not 8 <= offset_min <= 12)
    run = tmp_path / f"run{offset_min}-{time.monotonic_ns()}"
    folder = shared_folder(run)
    alex = start_journal(folder, run)
    join(folder, run, offset_s=offset_min * 60).close()
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    assert ("clock-ahead" in codes(report)) == (offset_min > 10)


# -- open conflicts --------------------------------------------------------------------


def test_open_conflicts_are_mentioned(pair: tuple[Journal, Journal]) -> None:
    alex, sam = pair
    alex.update("tandem", "tandem", {"location": "Room 4.12"})
    sam.update("tandem", "tandem", {"location": "Video call"})
    alex = reopen(alex)
    report = checked(alex)
    alex.close()
    finding = only(report, "open-conflicts")
    assert finding.message.startswith("1 field ")
    assert not report.needs_user


# -- the command -----------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str]]:
    runner = CliRunner()

    def run(folder: Path, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("RMPAIR_HOME", str(tmp_path / "home-alex"))
        monkeypatch.setenv("RMPAIR_JOURNAL", str(folder))
        result = runner.invoke(app, ["doctor", *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result
        return result.exit_code, result.output

    return run


def test_cli_says_all_good_and_exits_0(
    pair: tuple[Journal, Journal], cli: Callable[..., tuple[int, str]]
) -> None:
    alex, _sam = pair
    alex.close()
    code, out = cli(alex.folder)
    assert code == 0
    assert "shared with Syncthing" in out
    assert "All good: nothing needs you." in out


def test_cli_explains_and_exits_1_when_something_needs_the_user(
    tmp_path: Path, cli: Callable[..., tuple[int, str]]
) -> None:
    start_journal(tmp_path / "journal", tmp_path).close()
    code, out = cli(tmp_path / "journal")
    assert code == 1
    assert "Warning: The journal folder looks like it is not shared yet" in out
    assert "What to do: Keep the journal inside a folder" in out
    assert "1 thing needs you." in out


def test_cli_json_has_the_documented_keys(
    pair: tuple[Journal, Journal], cli: Callable[..., tuple[int, str]]
) -> None:
    alex, sam = pair
    source = month_file(sam)
    shutil.copyfile(source, source.with_name(SYNCTHING_COPY.format(stem=source.stem)))
    path = month_file(sam)
    path.write_bytes(b"")
    os.utime(path, (time.time() - 60, time.time() - 60))
    alex.close()
    code, out = cli(alex.folder, "--json")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"journal", "folder", "sync_tool", "needs_user", "findings"}
    assert data["journal"] == alex.journal_id
    assert data["folder"] == str(alex.folder)
    assert data["sync_tool"] == "Syncthing"
    assert data["needs_user"] is True
    assert [f["code"] for f in data["findings"]] == ["damaged-file", "conflict-copy-partner"]
    for finding in data["findings"]:
        assert set(finding) == {"code", "severity", "message", "file", "advice"}
    assert data["findings"][0]["severity"] == "problem"
    assert "empty" in data["findings"][0]["message"]
    assert data["findings"][0]["file"] == rel(sam, path)


def test_cli_without_a_journal_is_a_one_line_error(
    tmp_path: Path, cli: Callable[..., tuple[int, str]]
) -> None:
    (tmp_path / "empty").mkdir()
    code, out = cli(tmp_path / "empty")
    assert code == 2
    assert out.startswith("rmpair: ") and out.count("\n") == 1
