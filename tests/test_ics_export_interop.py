"""A journal's calendar export read by parsers we did not write.

For real journals (the scenario of ``test_ics_export`` in every cadence, and random
journals from hypothesis) the UTC start of every occurrence that ical.js, node-ical,
vobject and recurring-ical-events find must equal what ``zoneinfo`` gives for the
journal's sessions directly: each session that is not cancelled, at its current start
(and, with prep blocks, half an hour earlier). Cancelled single events are in the file
on purpose (STATUS:CANCELLED, so a re-import calls them off); they are set aside by
UID or STATUS before comparing, and must be there.

As in ``test_ics_interop``, a missing parser fails the test when ``CI`` is set and
skips it otherwise; ``npm ci`` into ``tests/interop`` runs only when its
``node_modules`` is missing.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icslint import lint
from test_ics_export import build_journal  # the shared scenario (tests/ is on sys.path)

from rmpair.errors import UserError
from rmpair.export.calendar import IcsExport
from rmpair.export.calendar_events import PREP_MINUTES
from rmpair.journal import Journal
from rmpair.model.records import Cadence, Role, Session, SessionStatus
from rmpair.store.home import Home

pytestmark = pytest.mark.interop

INTEROP_DIR = Path(__file__).parent / "interop"
NODE_PACKAGES = ("ical.js", "node-ical")
PY_PACKAGES = {
    "vobject": "vobject==0.9.9",
    "icalendar": "icalendar>=7",
    "recurring_ical_events": "recurring-ical-events==3.8.2",
}
MIN_NODE_MAJOR = 18  # Debian 12 ships Node 18
WINDOW = (dt.datetime(2025, 6, 1, tzinfo=dt.UTC), dt.datetime(2028, 6, 1, tzinfo=dt.UTC))
# Overrides may move an occurrence a little; expand masters this far past the window.
MARGIN = dt.timedelta(days=92)

Occurrence = tuple[str, str]  # (UID, UTC start "YYYY-MM-DDTHH:MM:SSZ")


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required because CI is set)")
    pytest.skip(reason)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_starts(journal: Journal, *, prep_blocks: bool) -> list[str]:
    """Straight from the journal: every session that takes place, via zoneinfo."""
    starts: list[str] = []
    for session in journal.all(Session):
        if session.start is None or session.status is SessionStatus.CANCELLED:
            continue
        instant = session.start.replace(tzinfo=ZoneInfo(session.tz)).astimezone(dt.UTC)
        starts.append(_iso(instant))
        if prep_blocks:
            starts.append(_iso(instant - dt.timedelta(minutes=PREP_MINUTES)))
    return sorted(starts)


def cancelled_uids(export: IcsExport) -> set[str]:
    return {event.uid for event in export.calendar.events if event.cancelled}


# ----------------------------------------------------------------- node parsers


def _node_ready() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("node and npm are needed for the ical.js/node-ical interop tests")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = version.stdout.strip().lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < MIN_NODE_MAJOR:
        _unavailable(f"node >= {MIN_NODE_MAJOR} is needed, found {version.stdout.strip()!r}")
    modules = INTEROP_DIR / "node_modules"
    if not all((modules / name / "package.json").is_file() for name in NODE_PACKAGES):
        result = subprocess.run(
            [npm, "ci", "--prefix", str(INTEROP_DIR), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode != 0:
            _unavailable(f"npm ci in {INTEROP_DIR.name} failed:\n{result.stderr[-2000:]}")
    return node


def node_occurrences(data: bytes) -> dict[str, list[Occurrence]]:
    node = _node_ready()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.ics"
        path.write_bytes(data)
        # An exotic local zone makes any accidental use of local time visible.
        result = subprocess.run(
            [node, str(INTEROP_DIR / "occurrences.mjs"), str(path), *(_iso(w) for w in WINDOW)],
            capture_output=True,
            text=True,
            env={**os.environ, "TZ": "Pacific/Chatham"},
            check=False,
            timeout=300,
        )
    assert result.returncode == 0, f"occurrences.mjs failed:\n{result.stderr}"
    parsed: dict[str, list[dict[str, str]]] = json.loads(result.stdout)
    return {name: [(o["uid"], o["start"]) for o in found] for name, found in parsed.items()}


# --------------------------------------------------------------- python parsers


def _import(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        _unavailable(f"{module} is not installed (pip install {PY_PACKAGES[module]})")


def _utc(value: Any, what: str) -> dt.datetime:
    assert isinstance(value, dt.datetime), f"{what}: {value!r} is not a date-time"
    assert value.utcoffset() is not None, f"{what} is floating"
    return value.astimezone(dt.UTC)


def _status(event: Any) -> str:
    return str(event.status.value) if hasattr(event, "status") else ""


def vobject_occurrences(data: bytes) -> list[tuple[str, str, bool]]:
    """(UID, UTC start, cancelled) of every occurrence in the window, via vobject."""
    vobject = _import("vobject")
    events = list(vobject.readOne(data.decode("utf-8")).vevent_list)
    overrides: dict[tuple[str, dt.datetime], Any] = {}
    for event in events:
        if hasattr(event, "recurrence_id"):
            key = (event.uid.value, _utc(event.recurrence_id.value, "RECURRENCE-ID"))
            overrides[key] = event
    out: list[tuple[str, str, bool]] = []

    def add(uid: str, start: Any, status: str) -> None:
        instant = _utc(start, "DTSTART")
        if WINDOW[0] <= instant < WINDOW[1]:
            out.append((uid, _iso(instant), status == "CANCELLED"))

    for event in events:
        uid = event.uid.value
        if hasattr(event, "recurrence_id"):
            continue
        if not hasattr(event, "rrule"):
            add(uid, event.dtstart.value, _status(event))
            continue
        for occurrence in event.getrruleset(addRDate=True):
            instant = _utc(occurrence, "occurrence")
            if instant > WINDOW[1] + MARGIN:
                break
            override = overrides.get((uid, instant))
            if override is None:
                add(uid, occurrence, _status(event))
            else:
                add(uid, override.dtstart.value, _status(override))
    return sorted(out)


def rie_occurrences(data: bytes) -> list[tuple[str, str, bool]]:
    """(UID, UTC start, cancelled) via icalendar + recurring-ical-events."""
    icalendar = _import("icalendar")
    recurring = _import("recurring_ical_events")
    calendar = icalendar.Calendar.from_ical(data)
    return sorted(
        (
            str(event["UID"]),
            _iso(_utc(event["DTSTART"].dt, "DTSTART")),
            str(event.get("STATUS", "")) == "CANCELLED",
        )
        for event in recurring.of(calendar).between(*WINDOW)
    )


# ------------------------------------------------------------------ scenarios


@functools.cache
def _scenario(cadence: Cadence, per_session: bool) -> tuple[IcsExport, tuple[str, ...]]:
    """Export the shared scenario once per cadence and mode; keep the expected starts."""
    folder = Path(tempfile.mkdtemp(prefix="rmpair-interop-"))
    built = build_journal(folder, cadence)
    with built.journal as journal:
        export = journal.calendar.ics_export(
            per_session=per_session, prep_blocks=per_session, alarm_minutes=10
        )
        expected = tuple(expected_starts(journal, prep_blocks=per_session))
    shutil.rmtree(folder, ignore_errors=True)
    assert lint(export.data) == []
    assert cancelled_uids(export), "the scenario must hold a cancelled single event"
    return export, expected


CASES = [
    pytest.param(cadence, per_session, id=f"{cadence.value}-{mode}")
    for cadence in Cadence
    for per_session, mode in ((False, "series"), (True, "sessions"))
]


@pytest.mark.parametrize(("cadence", "per_session"), CASES)
def test_node_parsers_agree_with_the_journal(cadence: Cadence, per_session: bool) -> None:
    export, expected = _scenario(cadence, per_session)
    cancelled = cancelled_uids(export)
    for parser, found in node_occurrences(export.data).items():
        starts = sorted(start for uid, start in found if uid not in cancelled)
        assert starts == list(expected), parser
        assert {uid for uid, _start in found} >= cancelled, parser


@pytest.mark.parametrize(("cadence", "per_session"), CASES)
def test_python_parsers_agree_with_the_journal(cadence: Cadence, per_session: bool) -> None:
    export, expected = _scenario(cadence, per_session)
    for parser in (vobject_occurrences, rie_occurrences):
        found = parser(export.data)
        assert sorted(start for _uid, start, off in found if not off) == list(expected)
        assert {uid for uid, _start, off in found if off} == cancelled_uids(export)


def test_series_mode_really_recurs() -> None:
    """The comparison above must not pass merely because everything became single."""
    export, expected = _scenario(Cadence.BIWEEKLY, False)
    masters = [e for e in export.calendar.events if e.rrule is not None]
    assert len(masters) == 1
    assert len(export.calendar.events) < len(expected) / 2


# ------------------------------------------------------------ random journals

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC")


@st.composite
def journals(draw: st.DrawFn) -> dict[str, Any]:
    """A random tandem with a programme in its cadence and random changes to it."""
    cadence = draw(st.sampled_from(list(Cadence)))
    first = draw(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    hour = draw(st.integers(6, 21))
    minute = draw(st.sampled_from([0, 15, 30, 45]))
    count = draw(st.integers(1, 9))
    edits = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["keep", "cancel", "move", "delete", "held"]),
                st.integers(-3, 3),
                st.integers(6, 21),
            ),
            min_size=count,
            max_size=count,
        )
    )
    extras = draw(
        st.lists(
            st.tuples(
                st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 6, 30)),
                st.booleans(),  # in the series
                st.booleans(),  # cancelled
            ),
            max_size=3,
        )
    )
    return {
        "cadence": cadence,
        "zone": draw(st.sampled_from(ZONES)),
        "first": dt.datetime.combine(first, dt.time(hour, minute)),
        "count": count,
        "edits": edits,
        "extras": extras,
        "per_session": draw(st.booleans()),
        "prep_blocks": draw(st.booleans()),
    }


def _plan(cadence: Cadence, first: dt.datetime, count: int) -> list[dt.datetime]:
    out = []
    for n in range(count):
        if cadence is Cadence.WEEKLY:
            out.append(first + dt.timedelta(weeks=n))
        elif cadence is Cadence.BIWEEKLY:
            out.append(first + dt.timedelta(weeks=2 * n))
        else:
            index = first.month - 1 + n
            year, month = first.year + index // 12, index % 12 + 1
            if cadence is Cadence.MONTHLY:
                day = min(first.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
                out.append(first.replace(year=year, month=month, day=day))
            else:
                start = first.replace(year=year, month=month, day=1)
                out.append(start + dt.timedelta(days=(first.weekday() - start.weekday()) % 7))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=journals())
def test_random_journals_read_back_through_recurring_ical_events(spec: dict[str, Any]) -> None:
    _import("recurring_ical_events")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with Journal.init(
            root / "j",
            me="Dana",
            role=Role.MENTEE,
            partner="Sam",
            start=spec["first"].date(),
            cadence=spec["cadence"],
            tz=spec["zone"],
            home=Home(root / "h"),
        ) as journal:
            for day, (edit, shift, hour) in zip(
                _plan(spec["cadence"], spec["first"], spec["count"]), spec["edits"], strict=True
            ):
                session = journal.sessions.plan_session(day, planned_start=day, series="programme")
                if edit == "cancel":
                    journal.update(Session.KIND, session, {"status": "cancelled"})
                elif edit == "held":
                    journal.update(Session.KIND, session, {"status": "held"})
                elif edit == "delete":
                    journal.delete(Session.KIND, session)
                elif edit == "move":
                    moved = (day + dt.timedelta(days=shift)).replace(hour=hour)
                    journal.update(Session.KIND, session, {"start": moved.isoformat()})
            for when, in_series, cancelled in spec["extras"]:
                when = when.replace(second=0, microsecond=0)
                session = journal.sessions.plan_session(
                    when, series="programme" if in_series else ""
                )
                if cancelled:
                    journal.update(Session.KIND, session, {"status": "cancelled"})
            expected = expected_starts(journal, prep_blocks=spec["prep_blocks"])
            try:
                export = journal.calendar.ics_export(
                    per_session=spec["per_session"], prep_blocks=spec["prep_blocks"]
                )
            except UserError:  # nothing to put in a calendar: fine only if that is true
                assert not expected
                return
    assert lint(export.data) == []
    found = rie_occurrences(export.data)
    assert sorted(start for _uid, start, off in found if not off) == expected
    assert {uid for uid, _start, off in found if off} == cancelled_uids(export)
