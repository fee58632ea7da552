"""Run our .ics export through parsers we did not write and compare every occurrence.

Parsers: Mozilla's ical.js and node-ical (npm, via ``tests/interop/occurrences.mjs``),
vobject and recurring-ical-events (PyPI). For each, the UTC start of every occurrence
in the window must equal what ``zoneinfo`` gives for the journal's sessions directly.
ical.js and vobject compute offsets from our VTIMEZONE; node-ical and
recurring-ical-events use their own IANA data, so both paths are covered.

Missing tools fail the test when the ``CI`` environment variable is set and skip it
otherwise. Nothing is installed here except ``npm ci`` into ``tests/interop`` (from the
committed lockfile) when its ``node_modules`` is missing.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import pytest
from icslint import lint

from rmpair.export.ics import render
from rmpair.export.ics_model import Alarm, IcsCalendar, IcsEvent, Recurrence, Slot
from rmpair.export.ics_recurrence import build_series

pytestmark = pytest.mark.interop

INTEROP_DIR = Path(__file__).parent / "interop"
NODE_PACKAGES = ("ical.js", "node-ical")
PY_PACKAGES = {"vobject": "vobject==0.9.9", "recurring_ical_events": "recurring-ical-events==3.8.2"}
MIN_NODE_MAJOR = 18  # Debian 12 ships Node 18; node-ical 0.26 would need 20

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
STAMP = datetime(2026, 1, 12, 8, 30, tzinfo=UTC)
DESCRIPTION = (
    'Grüße an Jürgen & Zoë; Themen: Git, Code-Review, "Pairing"\n'
    "Pfad: C:\\Users\\jürgen\\notes; Backslash am Ende \\\n"
    "Letzte Zeile mit Umlauten äöü ÄÖÜ ß und einem Komma, bitte."
)


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required because CI is set)")
    pytest.skip(reason)


# ------------------------------------------------------------------- scenario


@dataclass(frozen=True)
class Scenario:
    ics: bytes
    expected: list[str]  # sorted UTC starts, "YYYY-MM-DDTHH:MM:SSZ"


def _slot(key: str, start: datetime, description: str = DESCRIPTION, **kwargs: Any) -> Slot:
    return Slot(
        key=key,
        start=start,
        minutes=kwargs.pop("minutes", 75),
        summary=kwargs.pop("summary", "Reverse Mentoring: Lea → Herr Müller"),
        description=description,
        stamp=STAMP,
        **kwargs,
    )


def _berlin_slots() -> list[Slot]:
    """Fortnightly Tuesdays 17:30 Berlin, 17 Feb to 10 Nov 2026: across both DST changes."""
    slots: list[Slot] = []
    day = datetime(2026, 2, 17, 17, 30, tzinfo=BERLIN)
    index = 0
    while day <= datetime(2026, 11, 10, 17, 30, tzinfo=BERLIN):
        key = f"ber-{index:02d}"
        if day.date().isoformat() == "2026-04-28":
            slots.append(_slot(key, day, cancelled=True))
        elif day.date().isoformat() == "2026-06-09":
            moved = datetime(2026, 6, 11, 19, 15, tzinfo=BERLIN)  # Thursday, later hour
            slots.append(_slot(key, moved, planned_start=day))
        elif day.date().isoformat() == "2026-08-18":
            pass  # deleted from the journal altogether
        elif day.date().isoformat() == "2026-09-15":
            slots.append(_slot(key, day, description="Nur heute: Börse; Kurse, \\ und\nmehr"))
        else:
            slots.append(_slot(key, day))
        day = datetime.combine(day.date() + timedelta(weeks=2), day.timetz())
        index += 1
    slots.append(_slot("ber-extra", datetime(2026, 7, 1, 8, 0, tzinfo=BERLIN), minutes=30))
    return slots


def _new_york_slots() -> list[Slot]:
    """First Tuesday of each month, 09:00 New York, Jan to Dec 2026."""
    slots: list[Slot] = []
    for month in range(1, 13):
        first = datetime(2026, month, 1, 9, 0, tzinfo=NEW_YORK)
        day = first + timedelta(days=(1 - first.weekday()) % 7)
        key = f"ny-{month:02d}"
        if month == 7:
            slots.append(_slot(key, day, cancelled=True))
        elif month == 9:
            slots.append(
                _slot(key, day.replace(day=day.day + 1, hour=10, minute=30), planned_start=day)
            )
        else:
            slots.append(_slot(key, day, summary="Monthly sync"))
    return slots


def _sydney_slots() -> list[Slot]:
    """Weekly Mondays 18:00 Sydney, March to October 2026: both southern DST changes."""
    start = datetime(2026, 3, 2, 18, 0, tzinfo=SYDNEY)
    slots = []
    for week in range(36):
        day = datetime.combine(start.date() + timedelta(weeks=week), start.timetz())
        slots.append(_slot(f"syd-{week:02d}", day, cancelled=week == 5, summary="Sydney"))
    return slots


def _scenario() -> Scenario:
    berlin = _berlin_slots()
    new_york = _new_york_slots()
    sydney = _sydney_slots()
    events = (
        *build_series(
            "berlin-series@rmpair",
            berlin,
            Recurrence("WEEKLY", interval=2, byday="TU"),
            "Reverse Mentoring: Lea → Herr Müller",
            DESCRIPTION,
            sequence=3,
            alarm=Alarm(15, "Gleich: Mentoring"),
        ),
        *build_series(
            "ny-series@rmpair",
            new_york,
            Recurrence("MONTHLY", byday="1TU"),
            "Monthly sync",
            DESCRIPTION,
            sequence=0,
        ),
        *build_series(
            "sydney-series@rmpair", sydney, Recurrence("WEEKLY"), "Sydney", DESCRIPTION, 1
        ),
        IcsEvent(
            "utc-single@rmpair",
            "UTC call",
            "",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            30,
            STAMP,
        ),
    )
    ics = render(IcsCalendar("Tandem Lea & Herr Müller", events))
    starts = [s.start for s in (*berlin, *new_york, *sydney) if not s.cancelled]
    starts.append(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    expected = sorted(_iso(s) for s in starts if WINDOW[0] <= s.astimezone(UTC) < WINDOW[1])
    return Scenario(ics, expected)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return _scenario()


@pytest.fixture(scope="module")
def ics_path(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("interop") / "rmpair.export.ics"
    path.write_bytes(scenario.ics)
    return path


def test_scenario_is_lint_clean_and_non_trivial(scenario: Scenario) -> None:
    assert lint(scenario.ics) == []
    text = scenario.ics.decode()
    for needle in (
        "RECURRENCE-ID;TZID=Europe/Berlin",
        "EXDATE;TZID=Europe/Berlin",
        "INTERVAL=2",
        "BYDAY=1TU",
    ):
        assert needle in text
    assert len(scenario.expected) > 60


# ----------------------------------------------------------------- node side


def _node_ready() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("node and npm are needed for the ical.js/node-ical interop tests")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = version.stdout.strip().lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < MIN_NODE_MAJOR:
        _unavailable(f"node >= {MIN_NODE_MAJOR} is needed, found {version.stdout.strip()!r}")
    modules = INTEROP_DIR / "node_modules"
    if all((modules / name / "package.json").is_file() for name in NODE_PACKAGES):
        return
    result = subprocess.run(
        [npm, "ci", "--prefix", str(INTEROP_DIR), "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        _unavailable(f"npm ci in {INTEROP_DIR.name} failed:\n{result.stderr[-2000:]}")


@functools.cache
def _node_results(ics_path: Path) -> dict[str, list[dict[str, str]]]:
    """Run occurrences.mjs once per file (called from the tests, so a missing tool
    shows up as a failed or skipped test rather than a setup error)."""
    _node_ready()
    node = shutil.which("node")
    assert node is not None
    # An exotic local zone makes any accidental use of local time visible.
    env = {**os.environ, "TZ": "Pacific/Chatham"}
    result = subprocess.run(
        [node, str(INTEROP_DIR / "occurrences.mjs"), str(ics_path), *(_iso(w) for w in WINDOW)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, f"occurrences.mjs failed:\n{result.stderr}"
    parsed: dict[str, list[dict[str, str]]] = json.loads(result.stdout)
    return parsed


@pytest.mark.parametrize("parser", NODE_PACKAGES)
def test_node_parsers_agree_with_zoneinfo(parser: str, ics_path: Path, scenario: Scenario) -> None:
    starts = sorted(item["start"] for item in _node_results(ics_path)[parser])
    assert starts == scenario.expected


# --------------------------------------------------------------- python side


def _import(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError:
        _unavailable(f"{module} is not installed (pip install {PY_PACKAGES[module]})")


def _aware_utc(value: Any, what: str) -> datetime:
    assert isinstance(value, datetime), f"{what}: {value!r} is not a date-time"
    assert value.tzinfo is not None and value.utcoffset() is not None, f"{what} is floating"
    return value.astimezone(UTC)


def _vobject_starts(data: bytes) -> Iterator[datetime]:
    vobject = _import("vobject")
    calendar = vobject.readOne(data.decode("utf-8"))
    events = list(calendar.vevent_list)
    overrides: dict[tuple[str, datetime], datetime] = {}
    for event in events:
        if hasattr(event, "recurrence_id"):
            key = (event.uid.value, _aware_utc(event.recurrence_id.value, "RECURRENCE-ID"))
            overrides[key] = _aware_utc(event.dtstart.value, "DTSTART")
    horizon = WINDOW[1] + timedelta(days=92)
    for event in events:
        if hasattr(event, "recurrence_id"):
            continue
        start = _aware_utc(event.dtstart.value, "DTSTART")
        if not hasattr(event, "rrule"):
            yield start
            continue
        for occurrence in event.getrruleset(addRDate=True):
            instant = _aware_utc(occurrence, "occurrence")
            if instant > horizon:
                break
            yield overrides.get((event.uid.value, instant), instant)


def _recurring_ical_events_starts(data: bytes) -> Iterator[datetime]:
    icalendar = _import("icalendar")
    recurring = _import("recurring_ical_events")
    calendar = icalendar.Calendar.from_ical(data)
    for event in recurring.of(calendar).between(*WINDOW):
        yield _aware_utc(event["DTSTART"].dt, "DTSTART")


def test_vobject_agrees_with_zoneinfo(scenario: Scenario) -> None:
    starts = sorted(_iso(s) for s in _vobject_starts(scenario.ics) if WINDOW[0] <= s < WINDOW[1])
    assert starts == scenario.expected


def test_recurring_ical_events_agrees_with_zoneinfo(scenario: Scenario) -> None:
    starts = sorted(_iso(s) for s in _recurring_ical_events_starts(scenario.ics))
    assert starts == scenario.expected


def test_python_parsers_read_text_back(scenario: Scenario) -> None:
    # Escaping must survive a real parser: the description comes back unchanged.
    icalendar = _import("icalendar")
    vobject = _import("vobject")
    descriptions = {
        str(event["DESCRIPTION"])
        for event in icalendar.Calendar.from_ical(scenario.ics).walk("VEVENT")
    }
    assert DESCRIPTION in descriptions
    assert "Nur heute: Börse; Kurse, \\ und\nmehr" in descriptions
    parsed = vobject.readOne(scenario.ics.decode("utf-8"))
    assert DESCRIPTION in {event.description.value for event in parsed.vevent_list}
