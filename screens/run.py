"""Running a session: a clock, the current agenda item and what is left of its timebox.

The timebox of an item starts when you move to it (n), so a late start does not eat
into the first item; the session's own end is shown as well. The clock comes from
the app (``Context.clock``), so tests and snapshots can stop time.
"""

from __future__ import annotations

from rich.text import Text
from rmpair.screens import fmt
from rmpair.screens.base import Context, JournalScreen, with_nav
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from rmpair.clock import zone
from rmpair.domain.session_times import end_utc, start_utc
from rmpair.fmt import date_time
from rmpair.i18n import N_, _
from rmpair.journal import Journal
from rmpair.model.records import AgendaItem, Session


def clock_text(seconds: float) -> str:
    """``mm:ss`` (``h:mm:ss`` from an hour on) of a non-negative duration."""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class RunScreen(JournalScreen):
    """The session as it happens; one agenda item at a time."""

    BINDINGS = with_nav(
        [
            Binding("escape", "back", N_("Back")),
            Binding("n,right", "step(1)", N_("Next item"), key_display="n"),
            Binding("p,left", "step(-1)", N_("Previous item"), key_display="p"),
            Binding("c", "covered", N_("Covered")),
        ]
    )

    def __init__(self, ctx: Context, session_id: str) -> None:
        super().__init__(ctx)
        self.session_id = session_id
        self.session: Session | None = None
        self.items: list[AgendaItem] = []
        self.index: int | None = None
        self.heading = ""
        self.item_started = ctx.now()

    def body(self) -> ComposeResult:
        with Vertical(id="run"):
            yield Static(id="run-clock", classes="section")
            yield Static(id="run-item", classes="section run-item")
            yield Static(id="run-next", classes="section")

    def on_mount(self) -> None:
        self.set_interval(1, self.tick)

    def show(self) -> None:
        self.session = self.journal.get(Session, self.session_id)
        self.heading = self.journal.sessions.session_title(self.session) if self.session else ""
        self.items = self.journal.agenda.items(self.session_id)
        if self.index is None:
            # Start at the first item not yet covered.
            self.index = next((n for n, i in enumerate(self.items) if not i.covered), 0)
        self.index = max(0, min(self.index, len(self.items) - 1))
        self.tick()

    def tick(self) -> None:
        now = self.ctx.now()
        session = self.session
        if session is None:
            self.query_one("#run-item", Static).update(_("This session no longer exists."))
            return
        where = zone(session.tz)
        head = Text()
        head.append(_("Running: {title}").format(title=self.heading), style="bold")
        head.append("   " + now.astimezone(where).strftime("%H:%M:%S"))
        left = (end_utc(session) - now).total_seconds()
        ends = end_utc(session).astimezone(where).strftime("%H:%M")
        if now < start_utc(session):
            head.append(
                "\n"
                + _("The session starts {when} ({at}).").format(
                    when=fmt.countdown(session, now),
                    at=date_time(start_utc(session).astimezone(where)),
                )
            )
        elif left >= 0:
            head.append(
                "\n" + _("Session: {left} left (ends {at})").format(left=clock_text(left), at=ends)
            )
        else:
            head.append(
                "\n"
                + f"{fmt.WARN} "
                + _("Session: {over} over (ended {at})").format(over=clock_text(left), at=ends)
            )
        self.query_one("#run-clock", Static).update(head)
        item_text = Text()
        following = Text()
        if not self.items or self.index is None:
            item_text.append(_("The agenda is empty."))
        else:
            item = self.items[self.index]
            item_text.append(
                _("Item {n} of {total}: ").format(n=self.index + 1, total=len(self.items))
            )
            item_text.append(item.title, style="bold")
            item_text.append(
                f"  {fmt.check(item.covered)} " + (_("covered") if item.covered else "")
            )
            remaining = item.minutes * 60 - (now - self.item_started).total_seconds()
            if remaining >= 0:
                item_text.append(
                    "\n"
                    + _("{left} left of {minutes} min").format(
                        left=clock_text(remaining), minutes=item.minutes
                    )
                )
            else:
                item_text.append(
                    "\n"
                    + f"{fmt.WARN} "
                    + _("{over} over its {minutes} min").format(
                        over=clock_text(remaining), minutes=item.minutes
                    )
                )
            if self.index + 1 < len(self.items):
                upcoming = self.items[self.index + 1]
                following.append(
                    _("Next: {title} ({minutes} min)").format(
                        title=upcoming.title, minutes=upcoming.minutes
                    )
                )
            else:
                following.append(_("This is the last item."))
        self.query_one("#run-item", Static).update(item_text)
        self.query_one("#run-next", Static).update(following)

    def action_step(self, delta: int) -> None:
        if self.index is None or not self.items:
            return
        wanted = max(0, min(self.index + delta, len(self.items) - 1))
        if wanted != self.index:
            self.index = wanted
            self.item_started = self.ctx.now()
            self.tick()

    def action_covered(self) -> None:
        if self.index is None or not self.items:
            return
        item = self.items[self.index]
        session_id, key, done = self.session_id, item.id, not item.covered

        def mark(journal: Journal) -> None:
            ids = [i.id for i in journal.agenda.items(session_id)]
            journal.agenda.mark(session_id, [ids.index(key) + 1], done)

        self.save(mark)

    def action_back(self) -> None:
        self.dismiss()
