"""A realistic sample journal: a leader and a junior part-way through their programme.

Both devices are simulated with the real journal code, each in its own data folder
and with a replayed clock, so the sample has the same files, months and merge
history as a pair's journal. ``years`` makes a long weekly history for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from rmpair.errors import UserError
from rmpair.home import Home
from rmpair.journal import Journal, find_journal_id
from rmpair.model import (
    ActionItem,
    AgendaItem,
    Cadence,
    Category,
    Feedback,
    Learning,
    Note,
    PrepItem,
    Role,
    Session,
    SessionKind,
    SessionStatus,
    Topic,
    TopicStatus,
)

MENTEE, MENTOR = "Dana Keller", "Sam Okafor"
TZ = "Europe/Berlin"

TOPICS: list[tuple[str, Category, str]] = [
    (
        "Prompting an AI assistant",
        Category.TECHNOLOGY,
        "How do you get useful answers instead of fluff?",
    ),
    (
        "AI in our code reviews",
        Category.TECHNOLOGY,
        "Where does it help you, where does it get in the way?",
    ),
    ("Automating the weekly report", Category.PROJECT, "Could we build this together in a month?"),
    ("How you use Slack and Discord", Category.WORK, "What belongs in a chat, what in a meeting?"),
    ("Async work across time zones", Category.WORK, "What makes async work for you?"),
    (
        "Feedback culture from your side",
        Category.CULTURE,
        "What feedback would you like from leaders?",
    ),
    (
        "What frustrates juniors in our codebase",
        Category.TECHNOLOGY,
        "Where do you lose the most time?",
    ),
    ("Good onboarding", Category.WORK, "What did your first weeks need that they lacked?"),
    (
        "Inclusive language in job ads",
        Category.CULTURE,
        "What do our ads signal to people your age?",
    ),
    ("What young talent looks for", Category.CULTURE, "Why would you stay, why would you leave?"),
    ("Mobile-first habits", Category.TECHNOLOGY, "How do you actually use our product on a phone?"),
    ("Meaning and purpose at work", Category.CULTURE, "What makes a week feel worth it?"),
]
LEARNED = {
    Role.MENTEE: [
        "Asking the assistant for three options beats asking for one answer.",
        "Short async updates save a meeting a week.",
        "Juniors read silence after a question as disapproval.",
        "Our onboarding wiki is outdated in ways I never noticed.",
    ],
    Role.MENTOR: [
        "Why budget decisions take a quarter: the planning cycle explained.",
        "How to pitch an idea to the leadership team in five minutes.",
        "Leaders get far less feedback than I assumed.",
        "What a product decision looks like from the business side.",
    ],
}
AGENDA = [
    ("Check-in and open action items", 10),
    ("Topic", 30),
    ("Questions both ways", 10),
    ("What each of us learned, next steps", 10),
]
PREP = {
    Role.MENTOR: [
        "Prepare the topic",
        "Have two concrete examples ready",
        "Plan something hands-on",
        "Keep it authentic: no slides needed",
        "Check the open action items",
        "Think of one question for Dana",
        "Book a quiet room or a video link",
    ],
    Role.MENTEE: [
        "Write down two concrete questions",
        "Bring a real work problem",
        "Leave the ego at the door",
        "Be ready to take notes",
        "Check the open action items",
        "Share some context from your side",
        "Block the time in the calendar",
    ],
}


@dataclass(frozen=True)
class DemoSummary:
    folder: Path
    changes: int
    devices: int


class _SimClock:
    """A replayed wall clock that both simulated devices read."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start

    def ms(self) -> int:
        return int(self.moment.timestamp() * 1000)

    def at(self, moment: dt.datetime) -> None:
        # Never past the real now: a device must not carry stamps from the future.
        now = dt.datetime.now(dt.UTC)
        self.moment = max(self.moment, min(moment, now))


def build_demo(
    folder: Path, *, years: float | None = None, home: Home | None = None
) -> DemoSummary:
    """Write a sample journal into ``folder`` with this device as the mentee."""
    folder = folder.expanduser().absolute()
    if find_journal_id(folder) is not None:
        raise UserError(f"{folder} already holds a journal.")
    zone = ZoneInfo(TZ)
    today = dt.date.today()
    long_history = years is not None
    if long_history:
        assert years is not None
        start = today - dt.timedelta(days=int(years * 365))
        cadence, months = Cadence.WEEKLY, max(1, round(years * 12))
    else:
        start = today - dt.timedelta(days=95)
        cadence, months = Cadence.MONTHLY, 6
    rng = random.Random(20261122)
    clock = _SimClock(dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9), zone))
    partner_home = tempfile.TemporaryDirectory(prefix="rmpair-demo-partner-")
    me = Journal.init(
        folder,
        me=MENTEE,
        role=Role.MENTEE,
        partner=MENTOR,
        start=start,
        months=months,
        cadence=cadence,
        minutes=60,
        tz=TZ,
        home=home,
        clock_ms=clock.ms,
    )
    partner = Journal.join(folder, me=MENTOR, home=Home(Path(partner_home.name)), clock_ms=clock.ms)
    try:
        _fill(me, partner, clock, rng, start, today, cadence, long_history)
        me.refresh()
        total = len(me.store.state)
    finally:
        partner.close()
        me.close()
        partner_home.cleanup()
    return DemoSummary(folder, total, 2)


def _fill(
    me: Journal,
    partner: Journal,
    clock: _SimClock,
    rng: random.Random,
    start: dt.date,
    today: dt.date,
    cadence: Cadence,
    long_history: bool,
) -> None:
    zone = ZoneInfo(TZ)
    topic_ids: list[str] = []
    with me.batch():
        for n, (title, category, question) in enumerate(TOPICS):
            topic_ids.append(
                me.add(
                    Topic.KIND,
                    Topic(
                        id="",
                        title=title,
                        category=category,
                        question=question,
                        proposed_by=Role.MENTEE if n % 3 else Role.MENTOR,
                        priority=float(n),
                        created=start,
                    ).to_fields(),
                )
            )
    partner.refresh()
    step = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14}.get(cadence, 30)
    day = start + dt.timedelta(days=(1 - start.weekday()) % 7)  # Tuesdays
    number = 0
    open_actions: list[str] = []
    while True:
        number += 1
        begins = dt.datetime.combine(day, dt.time(17, 30))
        past = day < today
        if not long_history and number > 6:
            break
        if long_history and day > today + dt.timedelta(days=28):
            break
        kind = SessionKind.KICKOFF if number == 1 else SessionKind.REGULAR
        topic = topic_ids[number % len(topic_ids)]
        clock.at(dt.datetime.combine(day - dt.timedelta(days=3), dt.time(12), zone))
        with partner.batch():
            session = partner.add(
                Session.KIND,
                Session(
                    id="",
                    start=begins,
                    tz=TZ,
                    minutes=60,
                    kind=kind,
                    topics=(topic,),
                    title=_title(kind, number),
                ).to_fields(),
            )
            agenda = [
                partner.add(
                    AgendaItem.KIND,
                    AgendaItem(
                        id="",
                        session=session,
                        title=t,
                        minutes=m,
                        position=float(i),
                        topic=topic if t == "Topic" else "",
                    ).to_fields(),
                )
                for i, (t, m) in enumerate(AGENDA)
            ]
            prep = {
                role: [
                    partner.add(
                        PrepItem.KIND,
                        PrepItem(
                            id="", session=session, role=role, text=text, position=float(i)
                        ).to_fields(),
                    )
                    for i, text in enumerate(PREP[role])
                ]
                for role in Role
            }
            for item in prep[Role.MENTOR][: 7 if past else 2]:
                partner.update(PrepItem.KIND, item, {"done": True})
        me.refresh()
        if not past:
            day += dt.timedelta(days=step)
            continue
        if long_history and rng.random() < 0.06:
            clock.at(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(8), zone))
            me.update(Session.KIND, session, {"status": SessionStatus.CANCELLED.value})
            partner.refresh()
            day += dt.timedelta(days=step)
            continue
        clock.at(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(19), zone))
        with me.batch():
            for item in prep[Role.MENTEE]:
                me.update(PrepItem.KIND, item, {"done": True})
            for action in open_actions:
                me.update(ActionItem.KIND, action, {"done": True})
            open_actions = []
        clock.at(dt.datetime.combine(day, dt.time(18, 40), zone))
        with me.batch():
            me.add(
                Note.KIND,
                Note(
                    id="",
                    session=session,
                    author=Role.MENTEE,
                    text=f"Session {number}: tried it hands-on, worked better than expected.",
                    created=day.isoformat(),
                ).to_fields(),
            )
            me.add(
                Learning.KIND,
                Learning(
                    id="",
                    session=session,
                    role=Role.MENTEE,
                    text=rng.choice(LEARNED[Role.MENTEE]),
                    created=day.isoformat(),
                ).to_fields(),
            )
            open_actions.append(
                me.add(
                    ActionItem.KIND,
                    ActionItem(
                        id="",
                        session=session,
                        owner=Role.MENTEE,
                        text="Try it on next week's planning",
                        due_next_session=True,
                        created=day.isoformat(),
                    ).to_fields(),
                )
            )
            me.add(
                Learning.KIND,
                Learning(
                    id="",
                    session=session,
                    role=Role.MENTEE,
                    text=rng.choice(LEARNED[Role.MENTEE]),
                    created=day.isoformat(),
                ).to_fields(),
            )
            me.add(
                Feedback.KIND,
                Feedback(
                    id=f"{session}:mentee",
                    session=session,
                    role=Role.MENTEE,
                    rating=rng.choice([4, 4, 5, 5, 3]),
                    comment="Practical and to the point.",
                ).to_fields(),
                rec_id=f"{session}:mentee",
            )
        clock.at(dt.datetime.combine(day, dt.time(19, 5), zone))
        with partner.batch():
            for item in agenda:
                partner.update(AgendaItem.KIND, item, {"covered": True})
            partner.update(Session.KIND, session, {"status": SessionStatus.HELD.value})
            partner.add(
                Note.KIND,
                Note(
                    id="",
                    session=session,
                    author=Role.MENTOR,
                    text="Next time: start from a real task of Dana's.",
                    created=day.isoformat(),
                ).to_fields(),
            )
            partner.add(
                Learning.KIND,
                Learning(
                    id="",
                    session=session,
                    role=Role.MENTOR,
                    text=rng.choice(LEARNED[Role.MENTOR]),
                    created=day.isoformat(),
                ).to_fields(),
            )
            partner.add(
                Learning.KIND,
                Learning(
                    id="",
                    session=session,
                    role=Role.MENTOR,
                    text=rng.choice(LEARNED[Role.MENTOR]),
                    created=day.isoformat(),
                ).to_fields(),
            )
            partner.add(
                ActionItem.KIND,
                ActionItem(
                    id="",
                    session=session,
                    owner=Role.MENTOR,
                    text="Send the two links we talked about",
                    due=day + dt.timedelta(days=3),
                    created=day.isoformat(),
                ).to_fields(),
            )
            partner.add(
                Feedback.KIND,
                Feedback(
                    id=f"{session}:mentor",
                    session=session,
                    role=Role.MENTOR,
                    rating=rng.choice([4, 5, 5]),
                    comment="Good questions today.",
                ).to_fields(),
                rec_id=f"{session}:mentor",
            )
            if rng.random() < 0.3:
                partner.update(Topic.KIND, topic, {"status": TopicStatus.COVERED.value})
        me.refresh()
        if long_history:
            clock.at(dt.datetime.combine(day + dt.timedelta(days=2), dt.time(10), zone))
            with me.batch():
                for n in range(8):
                    title, category, question = TOPICS[(number + n) % len(TOPICS)]
                    me.add(
                        Topic.KIND,
                        Topic(
                            id="",
                            title=f"{title} ({number}.{n})",
                            category=category,
                            question=question,
                            priority=float(number * 2 + n),
                            created=day,
                        ).to_fields(),
                    )
        partner.refresh()
        day += dt.timedelta(days=step)


def _title(kind: SessionKind, number: int) -> str:
    return "Kick-off" if kind is SessionKind.KICKOFF else f"Session {number}"
