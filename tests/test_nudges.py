"""Each pitfall nudge fires on the signs of its failure mode and stays quiet otherwise;
the nudges reach ``rmpair status`` and never go stale in its quick answer."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rmpair.domain.nudges import (
    alibi,
    cadence_gap,
    not_in_calendar,
    one_way_street,
    preconditions,
    short_sessions,
    technology_only,
)
from rmpair.journal import Journal
from rmpair.model.lifecycle import PrerequisiteAnswer
from rmpair.model.records import (
    Cadence,
    Category,
    Learning,
    Role,
    Session,
    SessionStatus,
    Tandem,
    Topic,
    TopicStatus,
)
from rmpair.quick import cached_status
from rmpair.store.home import Home

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
P, H, C = SessionStatus.PLANNED, SessionStatus.HELD, SessionStatus.CANCELLED


def session(
    n: int,
    days: float,
    status: SessionStatus = H,
    *,
    minutes: int = 60,
    planned_days: float | None = None,
) -> Session:
    """Session ``n`` starting ``days`` from NOW (negative: in the past), in UTC."""
    start = (NOW + dt.timedelta(days=days)).replace(tzinfo=None)
    planned = (
        (NOW + dt.timedelta(days=planned_days)).replace(tzinfo=None)
        if planned_days is not None
        else None
    )
    return Session(id=f"s{n}", start=start, minutes=minutes, status=status, planned_start=planned)


def key(s: Session, minutes: int = 60) -> str:
    """How the calendar export records a session."""
    assert s.start is not None
    return f"{s.start.isoformat()}|{minutes}"


def topic(n: int, category: Category, status: TopicStatus = TopicStatus.BACKLOG) -> Topic:
    return Topic(id=f"t{n}", title=f"Topic {n}", category=category, status=status)


# -- alibi ---------------------------------------------------------------------------------


def test_alibi_fires_when_two_of_the_last_four_slipped() -> None:
    sessions = [
        session(1, -60),
        session(2, -45, C),
        session(3, -30),
        session(4, -16, P, planned_days=-20),  # put off by four days
        session(5, 10, P),  # not due yet: not counted
    ]
    nudge = alibi(sessions, NOW)
    assert nudge is not None and nudge.key == "alibi"
    assert nudge.message == "2 of the last 4 sessions were moved or cancelled."
    # Postponed into the future counts too: it was due by now.
    postponed = [session(1, -30), session(2, -14, C), session(3, 5, P, planned_days=-1)]
    assert alibi(postponed, NOW) is not None


def test_alibi_stays_quiet_for_one_slip_or_old_ones() -> None:
    assert alibi([session(1, -60), session(2, -45, C), session(3, -30)], NOW) is None
    # A new time on the same day is not a postponement.
    same_day = [session(1, -30, planned_days=-30.1), session(2, -14, C)]
    assert alibi(same_day, NOW) is None
    # Two cancellations long ago, then four good sessions.
    old = [session(1, -120, C), session(2, -100, C)] + [session(n, -70 + 14 * n) for n in range(4)]
    assert alibi(old, NOW) is None


# -- no time ---------------------------------------------------------------------------------


def test_no_time_fires_for_a_short_session_ahead() -> None:
    nudge = short_sessions([session(1, 3, P, minutes=20), session(2, 10, P)], NOW)
    assert nudge is not None and nudge.key == "no-time"
    assert nudge.message == "1 planned session is shorter than 30 minutes."


def test_no_time_stays_quiet_for_long_enough_or_past_sessions() -> None:
    sessions = [
        session(1, 3, P, minutes=30),
        session(2, -3, H, minutes=20),
        session(3, 5, C, minutes=15),
    ]
    assert short_sessions(sessions, NOW) is None


def test_not_in_calendar_fires_when_nothing_or_not_everything_was_exported() -> None:
    ahead = [session(1, 3, P), session(2, 17, P)]
    never = not_in_calendar(ahead, None, NOW)
    assert never is not None and never.key == "not-in-calendar"
    assert never.message == "No session has been exported to your calendar yet."
    partly = not_in_calendar(ahead, {"s1": key(ahead[0])}, NOW)
    assert partly is not None and partly.message.startswith("1 upcoming session is not")
    changed = {"s1": key(ahead[0], 45), "s2": key(ahead[1])}
    assert not_in_calendar(ahead, changed, NOW) is not None


def test_not_in_calendar_stays_quiet_when_the_export_is_current() -> None:
    ahead = [session(1, 3, P), session(2, 17, P), session(3, 30, C)]
    assert ahead[1].start is not None
    exported = {
        "s1": key(ahead[0]),
        # An export that wrote the instant with its offset describes the same time.
        "s2": ahead[1].start.replace(tzinfo=dt.UTC).isoformat() + "|60",
    }
    assert not_in_calendar(ahead, exported, NOW) is None
    # Nothing ahead: nothing to export, even if nothing ever was.
    assert not_in_calendar([session(1, -3)], None, NOW) is None


# -- technology only -------------------------------------------------------------------------


def test_technology_only_fires_for_a_backlog_or_recent_sessions_of_tech() -> None:
    backlog = [topic(n, Category.TECHNOLOGY) for n in range(4)] + [topic(9, Category.WORK)]
    nudge = technology_only(backlog, [])
    assert nudge is not None and nudge.key == "technology-only"
    assert nudge.message == "80% of the topics in your backlog are about technology."
    recent = [topic(n, Category.TECHNOLOGY) for n in range(4)]
    from_sessions = technology_only([topic(9, Category.CULTURE)], recent)
    assert from_sessions is not None and "last sessions" in from_sessions.message


def test_technology_only_stays_quiet_for_a_mix_or_few_topics() -> None:
    mix = [topic(n, Category.TECHNOLOGY) for n in range(3)] + [
        topic(8, Category.WORK),
        topic(9, Category.CULTURE),
    ]
    assert technology_only(mix, mix) is None
    few = [topic(n, Category.TECHNOLOGY) for n in range(3)]
    assert technology_only(few, few) is None


# -- one-way street --------------------------------------------------------------------------


def learning(session_id: str, role: Role) -> Learning:
    return Learning(id=f"{session_id}-{role.value}", session=session_id, role=role, text="x")


def test_one_way_street_fires_when_only_one_side_records_learnings() -> None:
    held = [session(1, -40), session(2, -25), session(3, -10)]
    learnings = [learning("s1", Role.MENTEE), learning("s2", Role.MENTEE)]
    nudge = one_way_street(held, learnings)
    assert nudge is not None and nudge.key == "one-way-street"
    assert nudge.message == "Only the mentee recorded learnings in the last 3 sessions."
    assert "the mentor can note a learning too" in nudge.why


def test_one_way_street_stays_quiet_when_both_sides_learn() -> None:
    held = [session(0, -60), session(1, -40), session(2, -25), session(3, -10)]
    both = [learning("s1", Role.MENTEE), learning("s3", Role.MENTOR)]
    assert one_way_street(held, both) is None
    # The mentor's learning from before the last three sessions does not count...
    old = [learning("s0", Role.MENTOR), learning("s2", Role.MENTEE)]
    assert one_way_street(held, old) is not None
    # ...and one held session is too early to tell.
    assert one_way_street([session(1, -3)], [learning("s1", Role.MENTEE)]) is None


# -- cadence ---------------------------------------------------------------------------------


def tandem(cadence: Cadence = Cadence.MONTHLY, *, start_days: int = -200) -> Tandem:
    start = (NOW + dt.timedelta(days=start_days)).date()
    return Tandem(id="tandem", cadence=cadence, start=start, end=start + dt.timedelta(days=365))


def test_cadence_fires_after_a_long_gap_with_nothing_planned() -> None:
    nudge = cadence_gap(tandem(), [session(1, -50), session(2, 40, P)], NOW)
    assert nudge is not None and nudge.key == "cadence"
    assert nudge.message == "No session for 50 days, and none planned in the next 30 days."
    weekly = cadence_gap(tandem(Cadence.WEEKLY), [session(1, -11)], NOW)
    assert weekly is not None
    never = cadence_gap(tandem(start_days=-60), [], NOW)
    assert never is not None and "since the start" in never.message


def test_cadence_stays_quiet_within_the_rhythm_or_with_a_date_in_sight() -> None:
    assert cadence_gap(tandem(), [session(1, -40)], NOW) is None  # under 45 days
    assert cadence_gap(tandem(), [session(1, -50), session(2, 12, P)], NOW) is None
    assert cadence_gap(tandem(start_days=-20), [], NOW) is None  # just started
    ended = Tandem(id="tandem", start=dt.date(2025, 1, 1), end=dt.date(2025, 7, 1))
    assert cadence_gap(ended, [], NOW) is None  # the programme is over


# -- in the journal and in ``rmpair status`` --------------------------------------------------


def make(tmp_path: Path) -> Journal:
    return Journal.init(
        tmp_path / "j",
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(tmp_path / "a"),
    )


def test_the_journal_runs_every_check(tmp_path: Path) -> None:
    journal = make(tmp_path)
    try:
        now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
        # A new tandem is asked to confirm the method's preconditions first.
        keys = [n.key for n in journal.nudges.current(now)]
        assert keys == [
            "prerequisite-voluntary",
            "prerequisite-no-reporting-line",
            "prerequisite-no-competition",
            "prerequisite-protected-space",
        ]
        preconditions = [key.removeprefix("prerequisite-") for key in keys]
        journal.agreement.answer_prerequisites(dict.fromkeys(preconditions, True))
        assert [n.key for n in journal.nudges.current(now)] == keys[:1] + keys[2:]
        for key in preconditions:  # the partner's answers, as their device writes them
            journal.put(PrerequisiteAnswer(f"{key}:mentor", key, Role.MENTOR, "yes", ""))
        assert journal.nudges.current(now) == []
        for n in range(4):
            journal.backlog.add_topic(f"Tool {n}", category=Category.TECHNOLOGY)
        journal.sessions.plan_session(dt.datetime(2026, 11, 24, 17, 30), minutes=20)
        keys = [n.key for n in journal.nudges.current(now)]
        assert keys == ["no-time", "not-in-calendar", "technology-only"]
        # Stored with the status, so the quick path and a full read agree.
        stored = journal.status().to_json()["nudges"]
        assert [n["key"] for n in stored] == keys
        # The status holds until the session starts, at most a day.
        start = dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC)
        assert journal.nudges.valid_until(now) == now + dt.timedelta(days=1)
        assert journal.nudges.valid_until(start - dt.timedelta(hours=2)) == start
    finally:
        journal.close()


def test_the_quick_status_follows_the_calendar_export_and_the_clock(tmp_path: Path) -> None:
    journal = make(tmp_path)
    session = journal.sessions.plan_session(
        dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=3)
    )
    home, folder, private = journal.store.home, journal.folder, journal.private_dir
    journal.close()
    report = cached_status(folder, home, now=dt.datetime.now(dt.UTC))
    assert report is not None
    assert "not-in-calendar" in [n["key"] for n in report["status"]["nudges"]]
    # Exporting touches no journal file, yet the stored status must not be shown.
    start = Journal.open(folder, home=home)
    found = start.sessions.find_session(session)
    start.close()
    assert found.start is not None
    (private / "exports.json").write_text(
        json.dumps({"sessions": {session: f"{found.start.isoformat()}|{found.minutes}"}})
    )
    assert cached_status(folder, home, now=dt.datetime.now(dt.UTC)) is None
    again = Journal.open(folder, home=home)
    again.close()  # renews the stored status
    renewed = cached_status(folder, home, now=dt.datetime.now(dt.UTC))
    assert renewed is not None
    assert "not-in-calendar" not in [n["key"] for n in renewed["status"]["nudges"]]
    # A status past its time is not used either.
    stored = dict(renewed)
    stored["valid_until"] = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    from rmpair.quick import status_expired

    now = dt.datetime.now(dt.UTC)
    assert status_expired(stored, private, now)
    assert not status_expired(renewed, private, now)


def test_preconditions_warn_until_both_confirm_and_say_no_louder() -> None:
    def answer(key: str, role: Role, value: str) -> PrerequisiteAnswer:
        return PrerequisiteAnswer(f"{key}:{role.value}", key, role, value, "")

    keys = [
        "prerequisite-voluntary",
        "prerequisite-no-reporting-line",
        "prerequisite-no-competition",
        "prerequisite-protected-space",
    ]
    # Nothing answered yet: every precondition asks to be confirmed.
    unanswered = preconditions([])
    assert [n.key for n in unanswered] == keys
    assert all(n.message.startswith("Not confirmed yet") for n in unanswered)
    # One "yes" is not enough for a personal precondition; it is for the pair's fact.
    half = preconditions(
        [answer("voluntary", Role.MENTOR, "yes"), answer("no-reporting-line", Role.MENTEE, "yes")]
    )
    assert [n.key for n in half] == [keys[0], keys[2], keys[3]]
    # "time-committed" is not one of the method's preconditions for the pair itself.
    everything_yes = [answer(key[13:], role, "yes") for key in keys for role in Role]
    assert preconditions([*everything_yes, answer("time-committed", Role.MENTOR, "no")]) == []
    found = preconditions(
        [
            *everything_yes,
            answer("no-competition", Role.MENTEE, "no"),
            answer("voluntary", Role.MENTEE, "no"),
            answer("protected-space", Role.MENTOR, "no"),
        ]
    )
    assert [n.key for n in found] == [keys[0], keys[2], keys[3]]
    assert not any(n.message.startswith("Not confirmed yet") for n in found)
    assert all(n.why and "\n" not in n.why for n in found)
