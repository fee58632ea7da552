"""Marking a session held: tick what was covered, then say where the rest went
(the next session's agenda, or the top of the backlog). Both the sessions list and a
session's own screen open it."""

from __future__ import annotations

from functools import partial

from rmpair.screens import fmt
from rmpair.screens.base import Context, JournalScreen, start_worker
from rmpair.screens.checklist import CheckList, Item
from rmpair.screens.footer import KeysFooter
from rmpair.screens.forms import InfoScreen, Work
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from rmpair.domain.session_times import CarryOver
from rmpair.errors import ReadOnlyError, UserError
from rmpair.i18n import N_, _, ngettext
from rmpair.journal import Journal
from rmpair.model.records import Session, Topic

DEFAULT_ICS = "rmpair-sessions.ics"


def titles(journal: Journal, ids: list[str]) -> str:
    found = [journal.get(Topic, t) for t in ids]
    return ", ".join(t.title if t else i for t, i in zip(found, ids, strict=True))


def carry_text(journal: Journal, result: CarryOver) -> str:
    """What marking a session held or cancelled did, in a few sentences."""
    lines: list[str] = []
    target = journal.get(Session, result.to_session) if result.to_session else None
    if result.covered_topics:
        lines.append(_("Covered: {titles}.").format(titles=titles(journal, result.covered_topics)))
    if result.moved_topics and target is not None:
        lines.append(
            _("Carried over to the session on {when}: {titles}.").format(
                when=fmt.when(target), titles=titles(journal, result.moved_topics)
            )
        )
    if result.back_to_backlog:
        lines.append(
            _(
                "No session is planned, so these went back to the top of the backlog: {titles}."
            ).format(titles=titles(journal, result.back_to_backlog))
        )
    if result.open_actions:
        lines.append(
            ngettext(
                "{n} open action item stays open for the next session.",
                "{n} open action items stay open for the next session.",
                len(result.open_actions),
            ).format(n=len(result.open_actions))
        )
    if result.timebox is not None and result.timebox.over and result.moved_topics:
        lines.append(
            f"{fmt.WARN} "
            + _("That session's agenda is now {over} min longer than the session.").format(
                over=result.timebox.over
            )
        )
    return "\n".join(lines) or _("Nothing to carry over.")


class HeldScreen(ModalScreen[str | None]):
    """Tick what was covered, then mark the session held; returns the carry-over summary."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "submit", N_("Mark held")),
    ]

    def __init__(self, ctx: Context, session_id: str) -> None:
        super().__init__(classes="dialog-screen")
        self.ctx = ctx
        self.session_id = session_id
        self.covered: dict[str, bool] = {}
        self.items: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with self.ctx.jobs.lock:
            journal = self.ctx.journal
            session = journal.sessions.find_session(self.session_id)
            for item in journal.agenda.items(session.id):
                self.items.append((item.id, item.title))
                self.covered[item.id] = item.covered
            heading = _("Mark held: {title}, {when}").format(
                title=journal.sessions.session_title(session), when=fmt.when(session)
            )
        with Vertical(classes="dialog"):
            yield Static(heading, classes="dialog-title")
            yield Static(
                _(
                    "Tick the agenda items you covered (space). Topics not covered go on to the "
                    "next session."
                ),
                classes="dialog-intro",
            )
            yield CheckList(_("Covered"), id="covered", empty=_("The agenda is empty."))
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Mark held"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._show()
        self.query_one("#covered", CheckList).focus()

    def _show(self) -> None:
        self.query_one("#covered", CheckList).set_items(
            [Item(key, text, self.covered[key]) for key, text in self.items]
        )

    @on(CheckList.Toggled)
    def _toggled(self, event: CheckList.Toggled) -> None:
        self.covered[event.key] = event.done
        self._show()

    @on(Button.Pressed, "#save")
    def action_submit(self) -> None:
        numbers = [n for n, (key, _t) in enumerate(self.items, 1) if self.covered[key]]
        session_id, now = self.session_id, self.ctx.now()

        def held(journal: Journal) -> str:
            result = journal.sessions.hold_session(session_id, covered=numbers, now=now)
            return carry_text(journal, result)

        # The app's worker: the form dismisses itself at the end (see FormScreen).
        start_worker(self.app, partial(self._run, held))

    async def _run(self, work: Work[str]) -> None:
        from rmpair.screens.base import JournalChanged

        try:
            summary = await self.ctx.jobs.run(self.ctx.journal, work)
        except (UserError, ReadOnlyError, OSError) as exc:
            self.query_one("#form-error", Static).update(str(exc))
            return
        self.app.post_message(JournalChanged())
        if self.is_attached:
            self.dismiss(summary)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def held(screen: JournalScreen, session_id: str) -> None:
    """Ask what was covered, mark the session held, then tell what moved where."""

    def done(summary: str | None) -> None:
        if summary:
            screen.app.push_screen(InfoScreen(_("Session held"), summary))

    screen.app.push_screen(HeldScreen(screen.ctx, session_id), done)
