"""The programme plan: pure slot generation (cadences, month ends, leap years, DST) and
re-planning a real journal without losing anything the pair did."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmpair.domain.cadence import (
    SERIES,
    add_months,
    cadence_label,
    months_between,
    parse_cadence,
    parse_time,
    parse_until,
    programme_end,
    programme_month,
)
from rmpair.domain.planner import (
    Existing,
    Frame,
    Slot,
    Theme,
    is_day_off,
    plan_slots,
    reconcile,
    slot_dates,
    to_utc,
)
from rmpair.domain.rhythm import cadence_text, weekday_rule
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.records import (
    AgendaItem,
    Cadence,
    Learning,
    Note,
    PrepItem,
    Role,
    Session,
    SessionKind,
    SessionStatus,
    Tandem,
    Topic,
    TopicStatus,
)
from rmpair.store.home import Home

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def frame(
    start: dt.date,
    end: dt.date,
    cadence: Cadence = Cadence.MONTHLY,
    *,
    weekday: int = 1,
    at: dt.time = dt.time(10, 0),
    minutes: int = 60,
    tz: str = BERLIN,
    avoid_days_off: bool = True,
) -> Frame:
    return Frame(start, end, cadence, weekday, at, minutes, tz, avoid_days_off)


def offset_hours(local: dt.datetime, tz: str) -> float:
    offset = local.replace(tzinfo=ZoneInfo(tz)).utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


# ------------------------------------------------------------------ month ends


def test_monthly_keeps_the_weekday_of_the_start_not_the_day_of_the_month() -> None:
    # Tue 2 Mar 2027 is a first Tuesday: so is every later session.
    days = slot_dates(dt.date(2027, 3, 2), dt.date(2027, 9, 2), Cadence.MONTHLY)
    assert days == [
        dt.date(2027, 3, 2),
        dt.date(2027, 4, 6),
        dt.date(2027, 5, 4),
        dt.date(2027, 6, 1),
        dt.date(2027, 7, 6),
        dt.date(2027, 8, 3),
    ]
    # Thu 16 Dec 2027: the third Thursday.
    third = slot_dates(dt.date(2027, 12, 16), dt.date(2028, 3, 31), Cadence.MONTHLY)
    assert third == [
        dt.date(2027, 12, 16),
        dt.date(2028, 1, 20),
        dt.date(2028, 2, 17),
        dt.date(2028, 3, 16),
    ]


def test_monthly_from_a_month_end_meets_on_its_last_weekday() -> None:
    # Sat 31 Jan 2026 stands for the Friday before it: the last Friday of each month.
    days = slot_dates(dt.date(2026, 1, 31), dt.date(2026, 7, 31), Cadence.MONTHLY)
    assert days == [
        dt.date(2026, 1, 31),  # the start opens the programme (plan_slots moves it off the weekend)
        dt.date(2026, 2, 27),
        dt.date(2026, 3, 27),
        dt.date(2026, 4, 24),
        dt.date(2026, 5, 29),
        dt.date(2026, 6, 26),
        dt.date(2026, 7, 31),
    ]
    # Mon 31 Jan 2028 is in the month's fifth week: the last Monday, also in February.
    leap = slot_dates(dt.date(2028, 1, 31), dt.date(2028, 3, 31), Cadence.MONTHLY)
    assert leap == [dt.date(2028, 1, 31), dt.date(2028, 2, 28), dt.date(2028, 3, 27)]


def test_leap_years_give_the_29th_of_february() -> None:
    leap_start = dt.date(2028, 2, 29)
    assert parse_until("year", leap_start) == dt.date(2029, 2, 28)
    assert add_months(leap_start, 12) == dt.date(2029, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)


def test_a_programme_counted_in_months_keeps_its_last_months_session() -> None:
    # Six months from Mon 2 Nov 2026 end on Sun 2 May; May's first Monday is the 3rd.
    start = dt.date(2026, 11, 2)
    end = programme_end(start, 6, Cadence.MONTHLY)
    assert end == dt.date(2027, 5, 3)
    assert (
        parse_until("6 months", start, end_of=lambda m: programme_end(start, m, Cadence.MONTHLY))
        == end
    )
    assert len(slot_dates(start, end, Cadence.MONTHLY)) == 7
    # An end a given date names is kept as it is, and so is one the rule meets anyway.
    assert programme_end(start, 3, Cadence.MONTHLY) == dt.date(2027, 2, 2)
    assert programme_end(start, 6, Cadence.WEEKLY) == dt.date(2027, 5, 2)
    # A named rule far from the end's day does not stretch the programme by weeks.
    assert programme_end(start, 6, Cadence.FIRST_WEEKDAY, 3, -1) == dt.date(2027, 5, 2)


def test_weekly_and_biweekly_cross_a_leap_day() -> None:
    weekly = slot_dates(dt.date(2028, 2, 22), dt.date(2028, 3, 14), Cadence.WEEKLY)
    assert weekly == [
        dt.date(2028, 2, 22),
        dt.date(2028, 2, 29),
        dt.date(2028, 3, 7),
        dt.date(2028, 3, 14),
    ]
    biweekly = slot_dates(dt.date(2028, 2, 15), dt.date(2028, 3, 14), Cadence.BIWEEKLY)
    assert biweekly == [dt.date(2028, 2, 15), dt.date(2028, 2, 29), dt.date(2028, 3, 14)]


def test_first_tuesday_of_each_month() -> None:
    tuesday = 1
    # Starts on a first Tuesday: that day counts.
    days = slot_dates(dt.date(2026, 9, 1), dt.date(2026, 12, 31), Cadence.FIRST_WEEKDAY, tuesday)
    assert days == [
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 6),
        dt.date(2026, 11, 3),
        dt.date(2026, 12, 1),
    ]
    # Starts after this month's first Tuesday: the first slot is next month's.
    later = slot_dates(dt.date(2026, 9, 2), dt.date(2026, 11, 2), Cadence.FIRST_WEEKDAY, tuesday)
    assert later == [dt.date(2026, 10, 6)]
    assert all(d.weekday() == tuesday and d.day <= 7 for d in days)


def test_parse_cadence_accepts_the_spellings_people_use() -> None:
    assert parse_cadence("weekly") == (Cadence.WEEKLY, None, 1)
    assert parse_cadence("Every two weeks") == (Cadence.BIWEEKLY, None, 1)
    assert parse_cadence("MONTHLY") == (Cadence.MONTHLY, None, 1)
    assert parse_cadence("first Tuesday") == (Cadence.FIRST_WEEKDAY, 1, 1)
    assert parse_cadence("first-fri") == (Cadence.FIRST_WEEKDAY, 4, 1)
    assert parse_cadence("first_sunday") == (Cadence.FIRST_WEEKDAY, 6, 1)
    assert parse_cadence("second-tuesday") == (Cadence.FIRST_WEEKDAY, 1, 2)
    assert parse_cadence("Last Thursday") == (Cadence.FIRST_WEEKDAY, 3, -1)
    for bad in ("daily", "first-t", "first-blursday", "", "fifth-monday", "last"):
        with pytest.raises(UserError, match="--cadence"):
            parse_cadence(bad)


def test_cadence_as_words() -> None:
    assert cadence_text(Cadence.MONTHLY) == "once a month"
    assert cadence_text(Cadence.BIWEEKLY) == "every two weeks"
    assert cadence_text(Cadence.WEEKLY) == "once a week"
    assert cadence_text(Cadence.FIRST_WEEKDAY, 1) == "on the first Tuesday of each month"
    assert cadence_text(Cadence.FIRST_WEEKDAY, 3, week=-1) == "on the last Thursday of each month"
    assert cadence_label(Cadence.FIRST_WEEKDAY, 3, -1) == "last-thursday"
    monday = dt.date(2026, 12, 7)
    assert cadence_text(Cadence.MONTHLY, start=monday) == "once a month, on the first Monday"


def test_parse_until_lengths_and_dates() -> None:
    start = dt.date(2026, 8, 31)
    assert parse_until("quarter", start) == dt.date(2026, 11, 30)
    assert parse_until("6 months", start) == dt.date(2027, 2, 28)
    assert parse_until("6m", start) == dt.date(2027, 2, 28)
    assert parse_until("half-year", start) == dt.date(2027, 2, 28)
    assert parse_until("year", start) == dt.date(2027, 8, 31)
    assert parse_until("2 years", start) == dt.date(2028, 8, 31)
    assert parse_until("2027-01-15", start) == dt.date(2027, 1, 15)
    for bad in ("2027-02-30", "soon", "0 months", "2027-1-5", "31.12.2027"):
        with pytest.raises(UserError, match="--until"):
            parse_until(bad, start)


def test_parse_time() -> None:
    assert parse_time("9:05") == dt.time(9, 5)
    assert parse_time("16:30") == dt.time(16, 30)
    for bad in ("24:00", "9", "9.30", "10:60", "ten"):
        with pytest.raises(UserError, match="--time"):
            parse_time(bad)


def test_kinds_kickoff_first_retrospective_last() -> None:
    # (Days off stay where they are: this is about the kinds, not the dates.)
    start = dt.date(2026, 1, 5)
    slots, warnings = plan_slots(
        frame(start, programme_end(start, 6, Cadence.MONTHLY), avoid_days_off=False)
    )
    assert [s.kind for s in slots] == [
        SessionKind.KICKOFF,
        *[SessionKind.REGULAR] * 5,
        SessionKind.RETROSPECTIVE,
    ]
    assert warnings == []


def test_short_sessions_warn_but_plan() -> None:
    slots, warnings = plan_slots(frame(dt.date(2026, 1, 5), dt.date(2026, 3, 5), minutes=20))
    assert len(slots) == 3
    assert len(warnings) == 1 and "20 minutes" in warnings[0] and "30" in warnings[0]
    assert plan_slots(frame(dt.date(2026, 1, 5), dt.date(2026, 3, 5), minutes=30))[1] == []


def test_impossible_frames_are_user_errors() -> None:
    with pytest.raises(UserError, match="before the start"):
        plan_slots(frame(dt.date(2026, 5, 1), dt.date(2026, 4, 1)))
    with pytest.raises(UserError, match="No first-tuesday session"):
        plan_slots(
            frame(dt.date(2026, 9, 2), dt.date(2026, 9, 30), Cadence.FIRST_WEEKDAY, weekday=1)
        )


# ------------------------------------------------------------------------- DST


@pytest.mark.parametrize(
    ("tz", "start", "end", "before", "after"),
    [
        # Berlin: summer time starts 29 Mar 2026, ends 25 Oct 2026.
        (BERLIN, dt.date(2026, 3, 16), dt.date(2026, 4, 13), 1.0, 2.0),
        (BERLIN, dt.date(2026, 10, 12), dt.date(2026, 11, 9), 2.0, 1.0),
        # New York: 8 Mar 2026 and 1 Nov 2026.
        (NEW_YORK, dt.date(2026, 2, 23), dt.date(2026, 3, 23), -5.0, -4.0),
        (NEW_YORK, dt.date(2026, 10, 19), dt.date(2026, 11, 16), -4.0, -5.0),
    ],
)
def test_local_time_stays_across_dst(
    tz: str, start: dt.date, end: dt.date, before: float, after: float
) -> None:
    slots, warnings = plan_slots(frame(start, end, Cadence.WEEKLY, at=dt.time(18, 0), tz=tz))
    assert warnings == []
    assert all(s.start.time() == dt.time(18, 0) for s in slots)
    offsets = [offset_hours(s.start, tz) for s in slots]
    assert offsets[0] == before and offsets[-1] == after
    utc_hours = [to_utc(s.start, tz).hour for s in slots]
    assert utc_hours[0] != utc_hours[-1]  # the UTC time moves so the local time does not
    assert all(to_utc(s.start, tz).astimezone(ZoneInfo(tz)).hour == 18 for s in slots)


def test_time_in_the_spring_gap_moves_after_it_with_a_warning() -> None:
    slots, warnings = plan_slots(
        frame(
            dt.date(2026, 3, 22),
            dt.date(2026, 4, 5),
            Cadence.WEEKLY,
            at=dt.time(2, 30),
            avoid_days_off=False,  # the clocks change on Sunday nights
        )
    )
    assert [s.start for s in slots] == [
        dt.datetime(2026, 3, 22, 2, 30),
        dt.datetime(2026, 3, 29, 3, 30),  # 02:30 does not exist that night in Berlin
        dt.datetime(2026, 4, 5, 2, 30),
    ]
    assert any("2026-03-29" in w for w in warnings)


def test_repeated_autumn_hour_takes_the_first() -> None:
    slots, _warnings = plan_slots(
        frame(dt.date(2026, 10, 25), dt.date(2026, 10, 25), Cadence.WEEKLY, at=dt.time(2, 30))
    )
    assert slots[0].start == dt.datetime(2026, 10, 25, 2, 30)
    assert offset_hours(slots[0].start, BERLIN) == 2.0


# ------------------------------------------------------------------- properties

DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))
ZONES = st.sampled_from([BERLIN, NEW_YORK, "UTC", "Australia/Sydney", "Asia/Kolkata"])
CADENCES = st.sampled_from(list(Cadence))
# Times no zone here skips or repeats (their DST changes happen between 00:00 and 03:00).
SAFE_TIMES = st.times(min_value=dt.time(4, 0), max_value=dt.time(23, 59)).map(
    lambda t: t.replace(second=0, microsecond=0)
)


def expected_count(start: dt.date, end: dt.date, cadence: Cadence, weekday: int) -> int:
    if cadence is Cadence.WEEKLY:
        return (end - start).days // 7 + 1
    if cadence is Cadence.BIWEEKLY:
        return (end - start).days // 14 + 1
    months = (end.year - start.year) * 12 + end.month - start.month
    count = 1 if cadence is Cadence.MONTHLY else 0  # monthly opens on the start itself
    for index in range(1 if cadence is Cadence.MONTHLY else 0, months + 1):
        year, month = divmod(start.month - 1 + index, 12)
        first = dt.date(start.year + year, month + 1, 1)
        week_days = [
            first + dt.timedelta(days=d)
            for d in range(calendar.monthrange(first.year, first.month)[1])
        ]
        if cadence is Cadence.MONTHLY:
            wanted, week = weekday_rule(start)
        else:
            wanted, week = weekday, 1
        matching = [d for d in week_days if d.weekday() == wanted]
        day = matching[week - 1] if week > 0 else matching[-1]
        count += start <= day <= end
    return count


@settings(max_examples=300, deadline=None)
@given(
    start=DATES,
    length=st.integers(min_value=0, max_value=800),
    cadence=CADENCES,
    weekday=st.integers(min_value=0, max_value=6),
    at=SAFE_TIMES,
    tz=ZONES,
)
def test_slots_properties(
    start: dt.date, length: int, cadence: Cadence, weekday: int, at: dt.time, tz: str
) -> None:
    end = start + dt.timedelta(days=length)
    days = slot_dates(start, end, cadence, weekday)
    assert len(days) == expected_count(start, end, cadence, weekday)
    if not days:
        with pytest.raises(UserError):
            plan_slots(frame(start, end, cadence, weekday=weekday, at=at, tz=tz))
        return
    slots, _warnings = plan_slots(frame(start, end, cadence, weekday=weekday, at=at, tz=tz))
    starts = [s.start for s in slots]
    assert all(start <= s.date() <= end for s in starts)
    assert all(a < b for a, b in itertools.pairwise(starts))
    assert {s.time() for s in starts} == {at}  # the wall-clock time never drifts
    utc = [to_utc(s, tz) for s in starts]
    assert all(a < b for a, b in itertools.pairwise(utc))
    assert slots[0].kind is SessionKind.KICKOFF
    if len(slots) > 1:
        assert slots[-1].kind is SessionKind.RETROSPECTIVE
    assert all(s.kind is SessionKind.REGULAR for s in slots[1:-1])
    if cadence is Cadence.MONTHLY:
        weekday_of_start, _week = weekday_rule(start)
        assert all(d.weekday() == weekday_of_start for d in days[1:])
        assert len({(d.year, d.month) for d in days}) == len(days)  # one per month
        # Never on a weekend or 1 January, unless the programme has no working day near it.
        for day in (s.date() for s in starts):
            near = [day + dt.timedelta(days=k) for k in range(-3, 4)]
            assert not is_day_off(day) or all(is_day_off(d) or not start <= d <= end for d in near)
    if cadence is Cadence.FIRST_WEEKDAY:
        assert all(d.weekday() == weekday and d.day <= 7 for d in days)


@settings(max_examples=200, deadline=None)
@given(start=DATES, months=st.integers(min_value=1, max_value=40))
def test_month_helpers_agree(start: dt.date, months: int) -> None:
    end = add_months(start, months)
    assert months_between(start, end) == months
    assert programme_month(start, end) == months
    assert programme_month(start, start) == 0
    assert end.day == min(start.day, calendar.monthrange(end.year, end.month)[1])


def as_existing(slot: Slot, session_id: str, minutes: int) -> Existing:
    return Existing(
        id=session_id,
        start=slot.start,
        kind=slot.kind,
        minutes=minutes,
        planned_start=slot.start,
        theme=slot.theme,
        topics=(slot.topic,) if slot.topic else (),
    )


@settings(max_examples=150, deadline=None)
@given(
    start=DATES,
    length=st.integers(min_value=40, max_value=400),  # room for a first-weekday slot
    cadence=CADENCES,
    today_offset=st.integers(min_value=-20, max_value=420),
    held=st.sets(st.integers(min_value=0, max_value=40), max_size=5),
    touched=st.sets(st.integers(min_value=0, max_value=40), max_size=5),
)
def test_reconcile_keeps_the_pairs_work_and_is_idempotent(
    start: dt.date,
    length: int,
    cadence: Cadence,
    today_offset: int,
    held: set[int],
    touched: set[int],
) -> None:
    end = start + dt.timedelta(days=length)
    themes = [Theme(f"Theme {m}", m, f"t{m}") for m in range(1, 7)]
    slots, _w = plan_slots(frame(start, end, cadence))
    first = reconcile(slots, [], today=start, start=start, minutes=60, themes=themes)
    assert [s.start for s in first.create] == [s.start for s in slots]
    existing = [as_existing(slot, f"s{i}", 60) for i, slot in enumerate(first.create)]
    marked: list[Existing] = []
    for i, session in enumerate(existing):
        if i in held:
            session = Existing(**{**session.__dict__, "status": SessionStatus.HELD})
        elif i in touched:
            session = Existing(**{**session.__dict__, "touched": ("note",)})
        marked.append(session)
    today = start + dt.timedelta(days=today_offset)
    new_slots, _w = plan_slots(frame(start, end + dt.timedelta(days=30), Cadence.WEEKLY))
    second = reconcile(new_slots, marked, today=today, start=start, minutes=60, themes=themes)
    protected = {s.id for s in marked if s.status is SessionStatus.HELD or s.touched}
    assert not protected & {s.id for s in second.remove}
    assert protected <= {s.id for s, _r in second.kept}
    assert all(s.start.date() >= today for s in second.create)
    kept_days = {s.start.date() for s, _r in second.kept}
    assert not kept_days & {s.start.date() for s in second.create}
    placed = [s.topic for s in second.create if s.topic]
    assert len(placed) == len(set(placed))  # a theme is never placed twice
    # Applying the result and planning again changes nothing.
    after = [s for s, _r in second.kept] + list(second.unchanged)
    after += [as_existing(slot, f"n{i}", 60) for i, slot in enumerate(second.create)]
    third = reconcile(new_slots, after, today=today, start=start, minutes=60, themes=themes)
    assert third.create == () and third.remove == ()


def test_themes_follow_their_month_and_skip_the_kickoff() -> None:
    start = dt.date(2026, 11, 2)
    slots, _w = plan_slots(frame(start, programme_end(start, 6, Cadence.MONTHLY)))
    themes = [Theme(f"M{m}", m, f"t{m}") for m in range(1, 7)]
    result = reconcile(slots, [], today=start, start=start, minutes=60, themes=themes)
    assert [(s.kind, s.theme, s.topic) for s in result.create] == [
        (SessionKind.KICKOFF, "", ""),
        (SessionKind.REGULAR, "M1", "t1"),
        (SessionKind.REGULAR, "M2", "t2"),
        (SessionKind.REGULAR, "M3", "t3"),
        (SessionKind.REGULAR, "M4", "t4"),
        (SessionKind.REGULAR, "M5", "t5"),
        (SessionKind.RETROSPECTIVE, "M6", ""),  # the retrospective carries the title only
    ]
    assert result.unplaced == ()


# ------------------------------------------------------------- the journal side

START = dt.date(2026, 11, 2)
BEFORE = dt.datetime(2026, 11, 1, 9, 0)


def new_journal(tmp_path: Path, *, tz: str = BERLIN, name: str = "a") -> Journal:
    return Journal.init(
        tmp_path / "j",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=START,
        tz=tz,
        home=Home(tmp_path / name),
    )


def series(journal: Journal) -> list[Session]:
    return sorted(
        (s for s in journal.all(Session) if s.series == SERIES),
        key=lambda s: (s.start or dt.datetime.min, s.id),
    )


def records_of(journal: Journal, session_id: str) -> dict[str, dict[str, object]]:
    """Every record that belongs to a session, by kind:id, with its stored fields."""
    found: dict[str, dict[str, object]] = {}
    for kind in (AgendaItem.KIND, PrepItem.KIND, Note.KIND, Learning.KIND):
        for rec_id, fields in journal.store.state.live(kind):
            if fields.get("session") == session_id:
                found[f"{kind}:{rec_id}"] = dict(fields)
    fields = journal.store.state.fields(Session.KIND, session_id)
    assert fields is not None
    found[f"session:{session_id}"] = dict(fields)
    return found


def test_first_plan_with_a_template(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        result = journal.plan.plan_programme("engineering-6m", time="17:30", now=BEFORE)
        sessions = series(journal)
        assert len(sessions) == 7 == len(result.created)
        assert [s.kind for s in sessions] == [
            SessionKind.KICKOFF,
            *[SessionKind.REGULAR] * 5,
            SessionKind.RETROSPECTIVE,
        ]
        assert all(s.start is not None and s.start.time() == dt.time(17, 30) for s in sessions)
        assert all(s.planned_start == s.start and s.tz == BERLIN for s in sessions)
        assert sessions[1].theme == "Developer experience"
        assert sessions[-1].theme == "Retrospective with recommendations"
        # The themes are in the backlog, and the ones on a regular session are planned.
        topics = {t.id: t for t in journal.all(Topic)}
        assert len(result.topics_added) == 6
        first_theme = topics[sessions[1].topics[0]]
        assert (first_theme.title, first_theme.status) == (
            "Developer experience",
            TopicStatus.PLANNED,
        )
        assert first_theme.proposed_by is Role.MENTEE
        agenda = [a.title for a in journal.all(AgendaItem) if a.session == sessions[1].id]
        assert "Developer experience" in agenda
        # The frame came from the template and the time is remembered.
        tandem = journal.tandem()
        # Six months from Mon 2 Nov, to May's first Monday: the last theme keeps its session.
        assert tandem is not None and tandem.end == dt.date(2027, 5, 3)
        again = journal.plan.plan_programme(now=BEFORE)
        assert again.created == () and again.removed == ()
        assert {e.change for e in again.entries} == {"unchanged"}
        assert all(
            s.start is not None and s.start.time() == dt.time(17, 30) for s in series(journal)
        )
    finally:
        journal.close()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        before = len(journal.store.state.changes)
        result = journal.plan.plan_programme("quarter", dry_run=True, now=BEFORE)
        assert result.dry_run and len(result.created) == 7
        assert all(e.id is None for e in result.created)
        assert len(journal.store.state.changes) == before
        assert journal.all(Session) == [] and journal.all(Topic) == []
    finally:
        journal.close()


def test_replanning_keeps_held_and_touched_sessions(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        journal.plan.plan_programme("engineering-6m", now=BEFORE)
        kickoff, devex, tools, culture, *_rest = series(journal)
        # The kick-off was held, with notes, learnings and an edited agenda.
        journal.update(Session.KIND, kickoff.id, {"status": SessionStatus.HELD.value})
        journal.add(Note.KIND, {"session": kickoff.id, "author": "mentee", "text": "Good start"})
        journal.add(Learning.KIND, {"session": kickoff.id, "role": "mentor", "text": "Budgets"})
        first_item = next(a for a in journal.all(AgendaItem) if a.session == kickoff.id)
        journal.update(AgendaItem.KIND, first_item.id, {"covered": True})
        held_before = records_of(journal, kickoff.id)
        # The next one got a ticked prep item; the third a private note on this device.
        prep = next(
            p for p in journal.all(PrepItem) if p.session == devex.id and p.role is Role.MENTEE
        )
        journal.update(PrepItem.KIND, prep.id, {"done": True})
        touched_before = records_of(journal, devex.id)
        journal.notes.add_note(tools.id, "Only for me", private=True)

        result = journal.plan.plan_programme(
            cadence="biweekly", now=dt.datetime(2026, 11, 20, 9, 0)
        )

        assert records_of(journal, kickoff.id) == held_before
        assert records_of(journal, devex.id) == touched_before
        assert journal.get(Session, tools.id) is not None
        kept = {e.id: e.reasons for e in result.kept}
        assert kept[kickoff.id] == ("held",)
        assert kept[devex.id] == ("prep",)
        assert kept[tools.id] == ("private_note",)
        # Untouched future sessions went, with their agenda and checklists.
        assert journal.get(Session, culture.id) is None
        assert culture.id in {r.id for r in result.removed}
        assert not [a for a in journal.all(AgendaItem) if a.session == culture.id]
        assert not [p for p in journal.all(PrepItem) if p.session == culture.id]
        # New sessions every two weeks, none on the days the kept ones hold.
        sessions = series(journal)
        new = [s for s in sessions if s.id in {e.id for e in result.created}]
        assert new and all(
            s.start is not None and s.start.weekday() == START.weekday() for s in new
        )
        kept_days = {s.start.date() for s in sessions if s.id in kept and s.start}
        assert not kept_days & {s.start.date() for s in new if s.start}
        assert [s.kind for s in new].count(SessionKind.KICKOFF) == 0
        assert new[-1].kind is SessionKind.RETROSPECTIVE
        # The frame change is stored with the tandem.
        tandem = journal.tandem()
        assert tandem is not None and tandem.cadence is Cadence.BIWEEKLY
        assert result.frame_changes == {"cadence": ("monthly", "biweekly")}
        # Nothing planned twice: every theme topic is on at most one session.
        placed = [t for s in sessions for t in s.topics]
        assert len(placed) == len(set(placed))
    finally:
        journal.close()


def test_moved_or_cancelled_sessions_stay_and_block_their_day(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        journal.plan.plan_programme(now=BEFORE)
        sessions = series(journal)
        moved, cancelled = sessions[2], sessions[3]
        assert moved.start is not None and cancelled.start is not None
        journal.update(Session.KIND, moved.id, {"start": moved.start + dt.timedelta(days=2)})
        journal.update(Session.KIND, cancelled.id, {"status": SessionStatus.CANCELLED.value})
        result = journal.plan.plan_programme(time="15:00", now=BEFORE)
        kept = {e.id: e.reasons for e in result.kept}
        assert kept == {moved.id: ("moved",), cancelled.id: ("cancelled",)}
        new_days = {e.start.date() for e in result.created}
        assert cancelled.start.date() not in new_days  # not planned again on its day
        assert moved.start.date() not in new_days
        assert len(result.removed) == len(sessions) - 2
    finally:
        journal.close()


def test_shorter_end_removes_untouched_sessions_after_it(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        journal.plan.plan_programme(now=BEFORE)
        result = journal.plan.plan_programme(until="quarter", now=BEFORE)
        tandem = journal.tandem()
        assert tandem is not None and tandem.end == dt.date(2027, 2, 2)
        assert [s.start.date() if s.start else None for s in series(journal)] == [
            dt.date(2026, 11, 2),
            dt.date(2026, 12, 7),
            dt.date(2027, 1, 4),
            dt.date(2027, 2, 1),
        ]
        assert series(journal)[-1].kind is SessionKind.RETROSPECTIVE
        assert len(result.removed) == 4  # three regular ones and the old retrospective
    finally:
        journal.close()


def test_frame_change_updates_unedited_agreement_wording(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        journal.agreement.sign_agreement()
        journal.agreement.edit_agreement_item("session-length", text="We take as long as we need.")
        result = journal.plan.plan_programme(cadence="first tuesday", minutes=45, now=BEFORE)
        assert result.agreement_updated == ("frequency",)
        items = {i.key: i.text for i in journal.agreement.view().items}
        assert "first Tuesday of each month" in items["frequency"]
        assert items["session-length"] == "We take as long as we need."
        assert journal.agreement.view().changed_since_signed
        tandem = journal.tandem()
        assert tandem is not None
        assert (tandem.cadence, tandem.weekday, tandem.session_minutes) == (
            Cadence.FIRST_WEEKDAY,
            1,
            45,
        )
    finally:
        journal.close()


def test_dropped_theme_is_not_planned_again(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        journal.plan.plan_programme("engineering-6m", now=BEFORE)
        devex = series(journal)[1]
        topic_id = devex.topics[0]
        journal.plan.plan_programme(cadence="weekly", dry_run=False, now=BEFORE)
        journal.update(Topic.KIND, topic_id, {"status": TopicStatus.DROPPED.value})
        journal.plan.plan_programme(cadence="monthly", now=BEFORE)
        assert all(topic_id not in s.topics for s in series(journal))
        topic = journal.get(Topic, topic_id)
        assert topic is not None and topic.status is TopicStatus.DROPPED
    finally:
        journal.close()


def test_removed_themes_go_back_to_the_backlog(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        journal.plan.plan_programme("engineering-6m", now=BEFORE)
        journal.plan.plan_programme(until="2027-01-10", now=BEFORE)
        statuses = {t.title: t.status for t in journal.all(Topic)}
        assert statuses["Developer experience"] is TopicStatus.PLANNED
        assert statuses["Career expectations"] is TopicStatus.BACKLOG
    finally:
        journal.close()


def test_concurrent_plans_on_two_devices_converge(tmp_path: Path) -> None:
    a = new_journal(tmp_path)
    shutil.copytree(tmp_path / "j", tmp_path / "j2")
    b = Journal.join(tmp_path / "j2", me="Sam", home=Home(tmp_path / "b"))
    try:
        a.plan.plan_programme(now=BEFORE)
        b.plan.plan_programme(now=BEFORE)
        for src, dst in ((a, b), (b, a)):
            for path in (src.folder / "devices" / src.device_id).glob("*.json"):
                target = dst.folder / "devices" / src.device_id / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        a.refresh()
        assert len(series(a)) == 14  # both plans, before anyone noticed
        result = a.plan.plan_programme(now=BEFORE)
        assert len(result.removed) == 7 and result.created == ()
        assert len(series(a)) == 7
        assert len({s.start for s in series(a)}) == 7
    finally:
        a.close()
        b.close()


def test_plan_needs_a_known_template(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        with pytest.raises(UserError, match="engineering-6m"):
            journal.plan.plan_programme("nonsense", now=BEFORE)
    finally:
        journal.close()


def test_plan_in_new_york_keeps_local_time(tmp_path: Path) -> None:
    journal = new_journal(tmp_path, tz=NEW_YORK)
    try:
        journal.plan.plan_programme(cadence="weekly", until="2027-03-22", time="08:15", now=BEFORE)
        sessions = series(journal)
        starts = [s.start for s in sessions if s.start is not None]
        assert {s.time() for s in starts} == {dt.time(8, 15)}
        offsets = {offset_hours(s, NEW_YORK) for s in starts}
        assert offsets == {-5.0, -4.0}
        tandem = journal.tandem()
        assert isinstance(tandem, Tandem) and tandem.tz == NEW_YORK
    finally:
        journal.close()


def test_first_plan_after_the_start_plans_from_today(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        result = journal.plan.plan_programme(cadence="weekly", now=dt.datetime(2026, 11, 20, 12, 0))
        starts = [e.start.date() for e in result.created]
        assert starts[0] == dt.date(2026, 11, 23)  # the next Monday, not the past ones
        assert result.created[0].kind is SessionKind.KICKOFF
        assert any("the 3 session dates before today" in w for w in result.warnings)
    finally:
        journal.close()


def test_monthly_sessions_move_off_weekends_and_new_year_with_a_note() -> None:
    # Monthly is a weekday rule: Mon 2 Nov is a first Monday, and so is every date after.
    start = dt.date(2026, 11, 2)
    slots, warnings = plan_slots(frame(start, programme_end(start, 6, Cadence.MONTHLY)))
    days = [s.start.date() for s in slots]
    assert days == [
        dt.date(2026, 11, 2),
        dt.date(2026, 12, 7),
        dt.date(2027, 1, 4),
        dt.date(2027, 2, 1),
        dt.date(2027, 3, 1),
        dt.date(2027, 4, 5),
        dt.date(2027, 5, 3),
    ]
    assert warnings == []
    # A programme that starts on a Saturday opens on the Monday and meets on first Mondays.
    saturday = dt.date(2027, 1, 2)
    slots, warnings = plan_slots(frame(saturday, programme_end(saturday, 3, Cadence.MONTHLY)))
    assert [s.start.date() for s in slots] == [
        dt.date(2027, 1, 4),
        dt.date(2027, 2, 1),
        dt.date(2027, 3, 1),
        dt.date(2027, 4, 5),
    ]
    assert warnings == ["Moved off a weekend or 1 January: Sat 2 Jan 2027 to Mon 4 Jan 2027."]
    # The first Friday of January 2027 is New Year's Day: that session moves, with a note.
    friday = dt.date(2026, 12, 4)
    slots, warnings = plan_slots(frame(friday, programme_end(friday, 2, Cadence.MONTHLY)))
    assert [s.start.date() for s in slots] == [
        dt.date(2026, 12, 4),
        dt.date(2027, 1, 4),
        dt.date(2027, 2, 5),
    ]
    assert warnings == ["Moved off a weekend or 1 January: Fri 1 Jan 2027 to Mon 4 Jan 2027."]
