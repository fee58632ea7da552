"""A realistic sample journal: a leader and a junior part-way through their programme.

Both devices are simulated with the real journal code, each in its own data folder
and with a replayed clock, so the sample has the same files, months and merge
history as a pair's journal. ``years`` makes a long weekly history for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from rmpair.clock import SYSTEM_CLOCK, Clock, as_utc, today_in
from rmpair.errors import UserError
from rmpair.i18n import N_, _, content_language, translation_for
from rmpair.journal import Journal
from rmpair.model.records import (
    Cadence,
    Category,
    Role,
)
from rmpair.store.discover import find_journal_id
from rmpair.store.home import Home

MENTEE, MENTOR = "Dana Keller", "Sam Okafor"
TZ = "Europe/Berlin"

TOPICS: list[tuple[str, Category, str]] = [
    (
        N_("Prompting an AI assistant"),
        Category.TECHNOLOGY,
        N_("How do you get useful answers instead of fluff?"),
    ),
    (
        N_("AI in our code reviews"),
        Category.TECHNOLOGY,
        N_("Where does it help you, where does it get in the way?"),
    ),
    (
        N_("Automating the weekly report"),
        Category.PROJECT,
        N_("Could we build this together in a month?"),
    ),
    (
        N_("How you use Slack and Discord"),
        Category.WORK,
        N_("What belongs in a chat, what in a meeting?"),
    ),
    (N_("Async work across time zones"), Category.WORK, N_("What makes async work for you?")),
    (
        N_("Feedback culture from your side"),
        Category.CULTURE,
        N_("What feedback would you like from leaders?"),
    ),
    (
        N_("What frustrates juniors in our codebase"),
        Category.TECHNOLOGY,
        N_("Where do you lose the most time?"),
    ),
    (N_("Good onboarding"), Category.WORK, N_("What did your first weeks need that they lacked?")),
    (
        N_("Inclusive language in job ads"),
        Category.CULTURE,
        N_("What do our ads signal to people your age?"),
    ),
    (
        N_("What young talent looks for"),
        Category.CULTURE,
        N_("Why would you stay, why would you leave?"),
    ),
    (
        N_("Mobile-first habits"),
        Category.TECHNOLOGY,
        N_("How do you actually use our product on a phone?"),
    ),
    (N_("Meaning and purpose at work"), Category.CULTURE, N_("What makes a week feel worth it?")),
]
LEARNED = {
    Role.MENTEE: [
        N_("Asking the assistant for three options beats asking for one answer."),
        N_("Short async updates save a meeting a week."),
        N_("Juniors read silence after a question as disapproval."),
        N_("Our onboarding wiki is outdated in ways I never noticed."),
    ],
    Role.MENTOR: [
        N_("Why budget decisions take a quarter: the planning cycle explained."),
        N_("How to pitch an idea to the leadership team in five minutes."),
        N_("Leaders get far less feedback than I assumed."),
        N_("What a product decision looks like from the business side."),
    ],
}
NOTES = {
    Role.MENTEE: N_("Tried it hands-on; worked better than expected. Try it on a real task."),
    Role.MENTOR: N_("Next time: start from a real task of Dana's."),
}


@dataclass(frozen=True)
class DemoSummary:
    folder: Path
    changes: int
    devices: int


class _SimClock:
    """A replayed wall clock that both simulated devices read."""

    def __init__(self, start: dt.datetime, real: Clock) -> None:
        self.moment = as_utc(start)
        self.real = real

    def now(self) -> dt.datetime:
        return self.moment

    def at(self, moment: dt.datetime) -> None:
        # Never past the real now: a device must not carry stamps from the future.
        self.moment = max(self.moment, min(as_utc(moment), self.real.now()))


def build_demo(
    folder: Path,
    *,
    years: float | None = None,
    home: Home | None = None,
    lang: str | None = None,
    clock: Clock = SYSTEM_CLOCK,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Write a sample journal into ``folder`` with this device as the mentee.

    ``lang`` is the tandem's language; the sample topics, notes and learnings are
    written in it too, as a pair speaking that language would have typed them.
    ``progress(done, total)`` hears after each replayed session (a long history takes
    minutes).
    """
    code = content_language(lang)
    folder = folder.expanduser().absolute()
    if find_journal_id(folder) is not None:
        raise UserError(_("{folder} already holds a journal.").format(folder=folder))
    zone = ZoneInfo(TZ)
    today = today_in(clock, TZ)
    long_history = years is not None
    if long_history:
        assert years is not None
        start = today - dt.timedelta(days=int(years * 365))
        # One month more than the history, so a few sessions still lie ahead.
        cadence, months = Cadence.WEEKLY, max(1, round(years * 12)) + 1
    else:
        start = today - dt.timedelta(days=95)
        cadence, months = Cadence.MONTHLY, 6
    rng = random.Random(20261122)
    sim = _SimClock(dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9), zone), clock)
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
        lang=code,
        home=home,
        clock=sim,
    )
    partner = Journal.join(folder, me=MENTOR, home=Home(Path(partner_home.name)), clock=sim)
    try:
        text = translation_for(code).gettext
        _fill(me, partner, sim, rng, start, today, cadence, long_history, text, progress)
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
    text: Callable[[str], str],
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Replay the programme with the same commands a pair would use; ``text`` puts the
    sample wording into the tandem's language."""
    zone = ZoneInfo(TZ)

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(hour, minute), zone)
        clock.at(moment)
        return moment.astimezone(dt.UTC)

    begin = at(start - dt.timedelta(days=3), 9)
    with me.batch():
        for n, (title, category, question) in enumerate(TOPICS):
            me.backlog.add_topic(
                text(title),
                category=category,
                question=text(question),
                proposed_by=Role.MENTOR if n % 3 == 0 else Role.MENTEE,
                now=begin,
            )
    partner.refresh()
    plan = "engineering-6m" if not long_history else None
    partner.plan.plan_programme(
        template=plan, cadence=cadence.value, time=dt.time(17, 30), now=begin
    )
    me.refresh()
    extra_topic = 0
    sessions = partner.sessions.all()
    for done, session in enumerate(sessions):
        if progress is not None:
            progress(done, len(sessions))
        if session.start is None:
            continue
        day = session.start.date()
        past = day < today
        mine = _own_numbers(partner, session.id, Role.MENTOR)
        partner.agenda.tick_prep(session.id, mine if past else mine[:2])
        me.refresh()
        if not past:
            continue
        if long_history and rng.random() < 0.06:
            me.sessions.cancel_session(session.id, now=at(day - dt.timedelta(days=1), 8))
            partner.refresh()
            continue
        at(day - dt.timedelta(days=1), 19)
        with me.batch():
            me.agenda.tick_prep(session.id, _own_numbers(me, session.id, Role.MENTEE))
            for action in me.notes.action_items(open_only=True):
                if action.owner is Role.MENTEE:
                    me.notes.complete_action(action.id)
        partner.refresh()
        ended = at(day, 18, 40)
        partner.sessions.hold_session(session.id, all_covered=True, now=ended)
        me.refresh()
        with me.batch():
            me.notes.add_note(session.id, text(NOTES[Role.MENTEE]), now=ended)
            me.notes.add_learning(session.id, text(rng.choice(LEARNED[Role.MENTEE])), now=ended)
            me.notes.add_action(
                text(N_("Try it on next week's planning")),
                session_id=session.id,
                due_next_session=True,
                now=ended,
            )
            me.notes.give_feedback(
                session.id, rng.choice([3, 4, 4, 5, 5]), text(N_("Practical and to the point."))
            )
        later = at(day, 19, 5)
        with partner.batch():
            partner.notes.add_note(session.id, text(NOTES[Role.MENTOR]), now=later)
            partner.notes.add_learning(
                session.id, text(rng.choice(LEARNED[Role.MENTOR])), now=later
            )
            partner.notes.add_action(
                text(N_("Send the two links we talked about")),
                session_id=session.id,
                due=day + dt.timedelta(days=3),
                now=later,
            )
            partner.notes.give_feedback(
                session.id, rng.choice([4, 5, 5]), text(N_("Good questions today."))
            )
            for action in partner.notes.action_items(open_only=True):
                if action.owner is Role.MENTOR and action.session != session.id:
                    partner.notes.complete_action(action.id)
        me.refresh()
        if long_history:
            # New questions keep coming: a long journal has a long backlog.
            moment = at(day + dt.timedelta(days=2), 10)
            with me.batch():
                for _n in range(4):
                    title, category, question = TOPICS[extra_topic % len(TOPICS)]
                    extra_topic += 1
                    me.backlog.add_topic(
                        f"{text(title)} ({extra_topic})",
                        category=category,
                        question=text(question),
                        now=moment,
                    )
        partner.refresh()


def _own_numbers(journal: Journal, session_id: str, role: Role) -> list[int]:
    """The checklist numbers of ``role``'s items, as ``prep`` numbers them."""
    items = journal.agenda.prep_items(session_id)
    return [n for n, item in enumerate(items, start=1) if item.role is role]
