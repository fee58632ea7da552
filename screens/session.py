"""One session: agenda, both prep checklists, action items, notes, learnings, feedback.

Shared notes are written in the text area at the bottom; a private note (ctrl+t)
stays in this device's own folder and never enters the shared journal, which the
area's title says in words. A live refresh never touches the text area, so what is
being typed survives the partner's changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.text import Text
from rmpair.screens import fmt
from rmpair.screens.base import Context, JournalScreen, with_nav
from rmpair.screens.checklist import CheckList, Item
from rmpair.screens.forms import ConfirmScreen, Field, FormScreen, Work
from rmpair.screens.held import held
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, TextArea

from rmpair.domain.nudges import squeezed
from rmpair.errors import UserError
from rmpair.i18n import N_, _
from rmpair.journal import Journal
from rmpair.model.records import Direction, Role, Session, SessionStatus


def parse_due(text: str) -> tuple[dt.date | None, bool]:
    """``''`` (no date), ``next`` (the next session) or ``YYYY-MM-DD``."""
    value = text.strip()
    if not value:
        return None, False
    if value.casefold() == "next":
        return None, True
    try:
        return dt.date.fromisoformat(value), False
    except ValueError:
        raise UserError(
            _("Due: '{value}' is not a date (use YYYY-MM-DD, 'next' or leave it empty).").format(
                value=text
            )
        ) from None


class SessionScreen(JournalScreen):
    """Everything about one session, and writing into it."""

    BINDINGS = with_nav(
        [
            Binding("escape", "back", N_("Back")),
            Binding("n", "write", N_("Write note")),
            Binding("ctrl+s", "save_note", N_("Save note")),
            Binding("ctrl+t", "private", N_("Private/shared")),
            Binding("i", "prep_item", N_("Prep item")),
            Binding("l", "learned", N_("Learned")),
            Binding("a", "action_item", N_("Action item")),
            Binding("f", "feedback", N_("Feedback")),
            Binding("d", "held", N_("Mark held")),
            Binding("r", "run", N_("Run session")),
        ]
    )

    def __init__(self, ctx: Context, session_id: str) -> None:
        super().__init__(ctx)
        self.session_id = session_id
        self.session: Session | None = None
        self.private = False

    def body(self) -> ComposeResult:
        with VerticalScroll(id="session"):
            yield Static(id="heading", classes="section")
            yield CheckList(_("Agenda"), id="agenda", empty=_("The agenda is empty."))
            with Horizontal(id="preps"):
                yield CheckList(_("My checklist"), id="prep-mine")
                yield CheckList(_("Partner's checklist"), id="prep-partner")
            yield CheckList(_("Action items"), id="actions", empty=_("No action items."))
            yield Static(id="notes", classes="section")
            area = TextArea(id="note", soft_wrap=True)
            area.cursor_blink = False
            yield area
            yield Static(id="learnings", classes="section")
            yield Static(id="feedback", classes="section")

    def on_mount(self) -> None:
        self._note_title()
        self.query_one("#agenda", CheckList).focus()

    # -- showing -----------------------------------------------------------------

    def show(self) -> None:
        journal, now = self.journal, self.ctx.now()
        session = journal.get(Session, self.session_id)
        self.session = session
        heading = self.query_one("#heading", Static)
        if session is None:
            heading.update(_("This session no longer exists (it was re-planned or removed)."))
            return
        tandem, me = journal.tandem(), journal.my_role
        head = Text()
        head.append(journal.sessions.session_title(session), style="bold")
        head.append(f" · {fmt.when(session)} ({session.tz}) · {_(session.status.value)}")
        countdown = fmt.countdown(session, now)
        if countdown:
            head.append(f" · {countdown}")
        if session.direction is Direction.MENTEE_TEACHES:
            head.append("\n" + _("This time the mentee teaches and the mentor learns."))
        short = squeezed(session.minutes) if session.status is SessionStatus.PLANNED else None
        if short:
            head.append(f"\n{fmt.WARN} {short}")
        heading.update(head)

        box = journal.agenda.timebox(session)
        agenda = self.query_one("#agenda", CheckList)
        agenda.border_title = _("Agenda ({total} of {length} min)").format(
            total=box.total, length=box.length
        ) + (f" {fmt.WARN} " + _("over by {n}").format(n=box.over) if box.over else "")
        clock = session.start
        items = []
        for item in journal.agenda.items(session.id):
            at = clock.strftime("%H:%M") if clock else ""
            clock = clock + dt.timedelta(minutes=item.minutes) if clock else None
            topic = " " + _("(topic)") if item.topic else ""
            items.append(
                Item(item.id, f"{at} {item.minutes:>3} min  {item.title}{topic}", item.covered)
            )
        agenda.set_items(items)

        ready = journal.agenda.readiness(session.id)
        for role, wid in ((me, "#prep-mine"), (me.other, "#prep-partner")):
            checklist = self.query_one(wid, CheckList)
            checklist.border_title = (
                f"{fmt.person(tandem, role, me)}: {fmt.readiness(*ready[role])}"
            )
            checklist.set_items(
                [
                    Item(p.id, p.text, p.done, mine=role is me)
                    for p in journal.agenda.prep_items(session.id, role)
                ]
            )

        today = journal.today(now)
        actions = [
            *journal.sessions.open_action_items(session),
            *journal.sessions.session_action_items(session.id),
        ]
        seen: set[str] = set()
        rows = []
        for action in actions:
            if action.id not in seen:
                seen.add(action.id)
                line = fmt.action_line(action, today)[4:]  # the list draws its own box
                rows.append(Item(action.id, line, action.done))
        self.query_one("#actions", CheckList).set_items(rows)

        notes = Text()
        notes.append(_("Notes"), style="bold")
        found = journal.notes.for_session(session.id)
        if not found:
            notes.append("\n  " + _("No notes yet. Press n to write one."))
        for note in found:
            who = fmt.person(tandem, note.author, me)
            when = fmt.local_stamp(note.created, session.tz)
            mark = " " + _("(private: only on this device)") if note.private else ""
            notes.append(f"\n  {when} {who}{mark}\n    ")
            notes.append(note.text.replace("\n", "\n    "))
        self.query_one("#notes", Static).update(notes)

        learned = Text()
        learned.append(_("What we learned"), style="bold")
        learnings = journal.notes.learnings(session.id)
        for role in Role:
            mine = [lr.text for lr in learnings if lr.role is role]
            learned.append(f"\n  {fmt.person(tandem, role, me)}: ")
            learned.append("; ".join(mine) if mine else _("nothing recorded yet"))
        self.query_one("#learnings", Static).update(learned)

        feedback = Text()
        feedback.append(_("Feedback"), style="bold")
        given = journal.notes.feedback(session.id)
        if not given:
            text = (
                _("Rate the session with f once it is held.")
                if session.status is not SessionStatus.HELD
                else _("No feedback yet; press f to give yours.")
            )
            feedback.append("\n  " + text)
        for fb in given:
            comment = f" - {fb.comment}" if fb.comment else ""
            feedback.append(f"\n  {fmt.person(tandem, fb.role, me)}: {fb.rating}/5{comment}")
        self.query_one("#feedback", Static).update(feedback)

    def _note_title(self) -> None:
        area = self.query_one("#note", TextArea)
        if self.private:
            area.border_title = _("New PRIVATE note: never leaves this device (ctrl+s saves)")
        else:
            area.border_title = _("New shared note: your partner sees it (ctrl+s saves)")
        area.set_class(self.private, "private")

    # -- ticking -----------------------------------------------------------------

    @on(CheckList.Toggled)
    def _toggled(self, event: CheckList.Toggled) -> None:
        session_id, key, done = self.session_id, event.key, event.done
        wid = event.checklist.id
        if wid == "agenda":

            def mark(journal: Journal) -> None:
                ids = [i.id for i in journal.agenda.items(session_id)]
                journal.agenda.mark(session_id, [ids.index(key) + 1], done)

            self.save(mark)
        elif wid == "prep-mine":

            def tick(journal: Journal) -> None:
                ids = [p.id for p in journal.agenda.prep_items(session_id)]
                journal.agenda.tick_prep(session_id, [ids.index(key) + 1], done)

            self.save(tick)
        elif wid == "actions":
            self.save(lambda journal: journal.notes.complete_action(key, done))

    # -- notes -------------------------------------------------------------------

    def action_write(self) -> None:
        self.query_one("#note", TextArea).focus()

    def action_private(self) -> None:
        # Choosing shared or private is the start of writing: go to the editor.
        self.private = not self.private
        self._note_title()
        self.query_one("#note", TextArea).focus()

    def action_save_note(self) -> None:
        area = self.query_one("#note", TextArea)
        text = area.text
        if not text.strip():
            self.app.notify(_("Write the note first (n)."))
            return
        session_id, private, now = self.session_id, self.private, self.ctx.now()

        def saved(_note_id: str) -> None:
            # Only what was saved is cleared; anything typed meanwhile stays. A saved
            # note is done: the next one starts shared (a private one is chosen each
            # time) and the keys work again (n would otherwise type "n" into it).
            if area.text == text:
                area.clear()
                self.private = False
                self._note_title()
                if area.has_focus:
                    self.query_one("#agenda", CheckList).focus()
            self.app.notify(_("Private note saved.") if private else _("Note saved."))

        self.save(lambda j: j.notes.add_note(session_id, text, private=private, now=now), saved)

    def action_back(self) -> None:
        area = self.query_one("#note", TextArea)
        if area.has_focus:
            self.query_one("#agenda", CheckList).focus()
            return
        if area.text.strip():

            def answered(yes: bool | None) -> None:
                if yes:
                    self.dismiss()

            self.app.push_screen(
                ConfirmScreen(_("Leave without saving the note?"), _("Leave")), answered
            )
            return
        self.dismiss()

    # -- forms -------------------------------------------------------------------

    def _form(
        self, title: str, fields: list[Field], build: Callable[[dict[str, str]], Work[Any]]
    ) -> None:
        self.app.push_screen(FormScreen(self.ctx, title, fields, build))

    def action_prep_item(self) -> None:
        session_id = self.session_id

        def build(values: dict[str, str]) -> Work[str]:
            text = values["text"]
            return lambda j: j.agenda.add_prep(session_id, text)

        self._form(_("Add to my checklist"), [Field("text", _("Item"))], build)

    def action_learned(self) -> None:
        session_id, now = self.session_id, self.ctx.now()

        def build(values: dict[str, str]) -> Work[str]:
            text = values["text"]
            return lambda j: j.notes.add_learning(session_id, text, now)

        self._form(
            _("What did you learn in this session?"),
            [Field("text", _("Learning"), multiline=True)],
            build,
        )

    def action_action_item(self) -> None:
        session_id, now, me = self.session_id, self.ctx.now(), self.journal.my_role

        def build(values: dict[str, str]) -> Work[str]:
            due, next_session = parse_due(values["due"])
            owner = Role(values["owner"])
            text = values["text"]
            return lambda j: j.notes.add_action(
                text,
                session_id=session_id,
                owner=owner,
                due=due,
                due_next_session=next_session,
                now=now,
            )

        self._form(
            _("New action item"),
            [
                Field("text", _("What")),
                Field("owner", _("Who"), me.value, tuple((_(r.value), r.value) for r in Role)),
                Field("due", _("Due"), "next", placeholder=_("YYYY-MM-DD, 'next' or empty")),
            ],
            build,
        )

    def action_feedback(self) -> None:
        session_id = self.session_id

        def build(values: dict[str, str]) -> Work[str]:
            rating = int(values["rating"])
            comment = values["comment"]
            return lambda j: j.notes.give_feedback(session_id, rating, comment)

        self._form(
            _("How was this session for you?"),
            [
                Field(
                    "rating", _("Rating"), "4", tuple((f"{n} / 5", str(n)) for n in range(5, 0, -1))
                ),
                Field("comment", _("Comment"), placeholder=_("optional")),
            ],
            build,
        )

    def action_held(self) -> None:
        held(self, self.session_id)

    def action_run(self) -> None:
        from rmpair.screens.run import RunScreen

        if self.session is not None:
            self.app.push_screen(RunScreen(self.ctx, self.session_id))
