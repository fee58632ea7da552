"""The one place rmpair reads the wall clock.

Everything that needs "now" (stamps on changes, the nudges, the planner, the report,
the app) asks a ``Clock`` it was given, so a test or the demo can hand in a fixed or
replayed time and the answer never depends on the day the code happens to run.
``tests/test_clock.py`` fails when any other module reads the wall clock directly.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)


class Clock(Protocol):
    """Tells the current instant, always as an aware UTC datetime."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The computer's own clock: what the CLI and the app use."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that shows what it is set to: tests, snapshots and the demo's replay."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = as_utc(at)

    def now(self) -> dt.datetime:
        return self.at

    def set(self, at: dt.datetime) -> None:
        self.at = as_utc(at)

    def advance(self, delta: dt.timedelta) -> None:
        self.at += delta


SYSTEM_CLOCK = SystemClock()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def epoch_ms(clock: Clock) -> int:
    """Milliseconds since 1970 on ``clock``: the physical part of a change's stamp."""
    return (clock.now() - _EPOCH) // _MS


def epoch_seconds(clock: Clock) -> float:
    return (clock.now() - _EPOCH) / dt.timedelta(seconds=1)


def zone(name: str) -> ZoneInfo:
    """The tandem's zone; an unknown name (a hand-edited log) falls back to UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_in(clock: Clock, tz: str) -> dt.date:
    """The calendar date on ``clock`` in the zone named ``tz``."""
    return clock.now().astimezone(zone(tz)).date()


def local_now(clock: Clock, tz: str) -> dt.datetime:
    """The wall-clock time on ``clock`` in ``tz``, naive (as the planner stores times)."""
    return clock.now().astimezone(zone(tz)).replace(tzinfo=None)


def local_zone_name() -> str:
    """The IANA name of this computer's time zone, or UTC when it cannot be told."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and "/" in env:
        return env
    try:
        target = os.path.realpath("/etc/localtime")
        marker = "zoneinfo/"
        if marker in target:
            return target.split(marker, 1)[1]
    except OSError:
        pass
    return "UTC"
