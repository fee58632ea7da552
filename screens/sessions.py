"""Sessions, past and upcoming: plan, move, cancel, mark held, export to the calendar."""

from __future__ import annotations

from pathlib import Path

from rmpair.screens import fmt
from rmpair.screens.base import Context, JournalScreen, with_nav
from rmpair.screens.forms import ConfirmScreen, Field, FormScreen, InfoScreen, Work
from rmpair.screens.held import carry_text, held, titles
from rmpair.screens.table import Column, Row, Table, widest
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from rmpair.domain.session_times import parse_wall_time, was_moved
from rmpair.errors import UserError
from rmpair.i18n import N_, _, ngettext
from rmpair.journal import Journal
from rmpair.model.records import Session, SessionKind, SessionStatus

DEFAULT_ICS = "rmpair-sessions.ics"


def plan_fields(journal: Journal) -> list[Field]:
    tandem = journal.tandem()
    return [
        Field("at", _("When"), placeholder=_("YYYY-MM-DD HH:MM")),
        Field(
            "kind",
            _("Kind"),
            SessionKind.REGULAR.value,
            tuple((_(k.value), k.value) for k in SessionKind),
        ),
        Field("minutes", _("Minutes"), str(tandem.session_minutes if tandem else 60)),
        Field("title", _("Title"), placeholder=_("optional")),
    ]


def parse_minutes(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not 10 <= int(value) <= 480:
        raise UserError(
            _("Minutes: '{value}' is not a length from 10 to 480 minutes.").format(value=text)
        )
    return int(value)


class SessionsScreen(JournalScreen):
    """Every session, earliest first, with the cursor on the next one."""

    NAME = "sessions"
    BINDINGS = with_nav(
        [
            Binding("enter", "open", N_("Open"), key_display="⏎"),
            Binding("p", "plan", N_("Plan")),
            Binding("m", "move", N_("Move")),
            Binding("x", "cancel", N_("Cancel session")),
            Binding("d", "held", N_("Mark held")),
            Binding("e", "export", N_("Export calendar")),
        ]
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.sessions: dict[str, Session] = {}
        self.first = True

    def body(self) -> ComposeResult:
        yield Static(id="summary", classes="line")
        yield Table(
            [
                Column(_("When"), widest(_("When"), "Mon 2026-12-28 17:30–18:30")),
                Column(_("Session")),
                Column(
                    _("Status"),
                    widest(
                        _("Status"),
                        _("planned") + " " + _("(moved)"),
                        _("held"),
                        _("cancelled"),
                    ),
                ),
                Column(_("Prep"), widest(_("Prep"), "10/10 10/10")),
            ],
            id="sessions",
        )

    @property
    def table(self) -> Table:
        return self.query_one("#sessions", Table)

    def on_mount(self) -> None:
        self.table.empty_text = _("No sessions yet. Press p to plan one.")
        self.table.focus()

    def show(self) -> None:
        journal, now = self.journal, self.ctx.now()
        sessions = journal.sessions.all()
        rows: list[Row] = []
        for session in sessions:
            what = journal.sessions.session_title(session)
            topics = journal.sessions.session_topics(session)
            if topics:
                what += ": " + titles(journal, topics)
            elif session.theme:
                what += ": " + session.theme
            status = _(session.status.value)
            if session.status is SessionStatus.PLANNED and was_moved(session):
                status += " " + _("(moved)")
            prep = ""
            if session.status is SessionStatus.PLANNED:
                ready = journal.agenda.readiness(session.id)
                prep = " ".join(f"{done}/{total}" for done, total in ready.values())
            rows.append((session.id, (fmt.when_column(session), what, status, prep)))
        self.sessions = {s.id: s for s in sessions}
        upcoming = journal.sessions.next_session(now)
        keep = upcoming.id if self.first and upcoming else None
        self.first = False
        self.table.set_rows(rows, keep=keep)
        line = ngettext("{n} session", "{n} sessions", len(sessions)).format(n=len(sessions))
        if upcoming is not None:
            line += " · " + _("next: {when}, {countdown}").format(
                when=fmt.when(upcoming), countdown=fmt.countdown(upcoming, now)
            )
        line += " · " + _("Prep shows mentor, then mentee.")
        self.query_one("#summary", Static).update(line)

    def _current(self) -> Session | None:
        session = self.sessions.get(self.table.cursor_key or "")
        if session is None:
            self.app.notify(_("No session selected."))
        return session

    @on(Table.Selected, "#sessions")
    def action_open(self) -> None:
        from rmpair.screens.session import SessionScreen

        session = self._current()
        if session is not None:
            self.app.push_screen(SessionScreen(self.ctx, session.id))

    def action_plan(self) -> None:
        with self.ctx.jobs.lock:
            tandem = self.journal.tandem()
            fields = plan_fields(self.journal)
        tz = tandem.tz if tandem else "UTC"

        def build(values: dict[str, str]) -> Work[str]:
            start = parse_wall_time(values["at"], _("When"), tz)
            minutes = parse_minutes(values["minutes"])
            kind = SessionKind(values["kind"])
            title = values["title"].strip()
            return lambda j: j.sessions.plan_session(start, kind=kind, minutes=minutes, title=title)

        form: FormScreen[str] = FormScreen(
            self.ctx,
            _("Plan a session"),
            fields,
            build,
            intro=_("The time is in the tandem's zone ({tz}).").format(tz=tz),
        )
        self.app.push_screen(form, self._select)

    def _select(self, session_id: str | None) -> None:
        if session_id:
            self.reload()
            self.table.move_to(session_id)

    def action_move(self) -> None:
        session = self._current()
        if session is None:
            return
        session_id, tz = session.id, session.tz
        start = session.start.strftime("%Y-%m-%d %H:%M") if session.start else ""

        def build(values: dict[str, str]) -> Work[Session]:
            moment = parse_wall_time(values["at"], _("New time"), tz)
            return lambda j: j.sessions.move_session(session_id, moment)

        form: FormScreen[Session] = FormScreen(
            self.ctx,
            _("Move the session of {when}").format(when=fmt.when(session)),
            [Field("at", _("New time"), start, placeholder=_("YYYY-MM-DD HH:MM"))],
            build,
        )
        self.app.push_screen(form)

    def action_cancel(self) -> None:
        session = self._current()
        if session is None:
            return
        session_id, now = session.id, self.ctx.now()

        def answered(yes: bool | None) -> None:
            if yes:
                self.save(
                    lambda j: carry_text(j, j.sessions.cancel_session(session_id, now)),
                    lambda text: self.app.push_screen(InfoScreen(_("Session cancelled"), text)),
                )

        self.app.push_screen(
            ConfirmScreen(
                _("Cancel the session of {when}?").format(when=fmt.when(session)),
                _("Cancel it"),
                _("Its topics move on to the next session; its action items stay open."),
            ),
            answered,
        )

    def action_held(self) -> None:
        session = self._current()
        if session is not None:
            held(self, session.id)

    def action_export(self) -> None:
        def build(values: dict[str, str]) -> Work[str]:
            path = Path(values["path"].strip() or DEFAULT_ICS).expanduser()
            per_session = values["series"] == "sessions"

            def export(journal: Journal) -> str:
                data = journal.calendar.ics_export(per_session=per_session)
                target = journal.calendar.write_ics(data, path)
                return _("Wrote {events} events for {sessions} sessions to {path}.").format(
                    events=len(data.calendar.events), sessions=len(data.sessions), path=target
                )

            return export

        form: FormScreen[str] = FormScreen(
            self.ctx,
            _("Export the sessions to your calendar"),
            [
                Field("path", _("File"), str(Path.home() / DEFAULT_ICS)),
                Field(
                    "series",
                    _("Events"),
                    "series",
                    (
                        (_("the programme as one series"), "series"),
                        (_("one event per session"), "sessions"),
                    ),
                ),
            ],
            build,
            intro=_("Import the file into your calendar; a newer export updates the same events."),
            save_label=_("Export"),
        )

        def exported(text: str | None) -> None:
            if text:
                self.app.notify(text, timeout=8)

        self.app.push_screen(form, exported)
