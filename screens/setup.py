"""First run: start a new tandem (the frame, the prerequisites, where the journal lives)
or join the journal your partner started in a shared folder.

Nothing here decides anything the CLI would not: the wizard collects what
``rmpair init``/``join``/``plan``/``check`` take and calls the same facade, on a
worker thread, then returns the opened journal with ``dismiss``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from rmpair.screens.footer import KeysFooter
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from rmpair.clock import Clock, zone
from rmpair.domain.cadence import add_months, months_between
from rmpair.domain.templates import TemplateStore
from rmpair.errors import ReadOnlyError, UserError
from rmpair.i18n import N_, _
from rmpair.journal import Journal
from rmpair.model.records import Cadence, Role
from rmpair.store.home import Home

YES, NO, UNSURE = "yes", "no", "-"


def parse_day(text: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            _("{field}: '{value}' is not a date (use YYYY-MM-DD).").format(field=label, value=text)
        ) from None


def check_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            _("Time zone: '{zone}' is not a known time zone (e.g. Europe/Berlin).").format(
                zone=name
            )
        ) from None
    return name.strip()


def local_zone() -> str:
    from rmpair.clock import local_zone_name

    return local_zone_name()


@dataclass(frozen=True)
class NewTandem:
    """What the wizard collected for a new tandem, checked."""

    folder: Path
    me: str
    role: Role
    partner: str
    start: dt.date
    end: dt.date
    cadence: Cadence
    minutes: int
    tz: str
    plan: bool
    answers: dict[str, bool]

    def create(self, home: Home, clock: Clock) -> Journal:
        """Start the journal, fix the frame, record the answers, plan the sessions."""
        journal = Journal.init(
            self.folder,
            me=self.me,
            role=self.role,
            partner=self.partner,
            start=self.start,
            months=months_between(self.start, self.end),
            cadence=self.cadence,
            minutes=self.minutes,
            tz=self.tz,
            home=home,
            clock=clock,
        )
        tandem = journal.tandem()
        if tandem is not None and tandem.end != self.end:
            journal.put(replace(tandem, end=self.end))
        if self.answers:
            journal.agreement.answer_prerequisites(self.answers)
        if self.plan:
            journal.plan.plan_programme(cadence=self.cadence.value, until=self.end)
        return journal


class SetupScreen(Screen[Journal | None]):
    """Three steps in one screen: choose, then the new tandem's form or the join form."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+s", "save", N_("Save")),
    ]

    def __init__(self, home: Home, clock: Clock) -> None:
        super().__init__()
        self.home = home
        self.clock = clock
        self.prerequisites = TemplateStore(lang="en").prerequisites()

    def compose(self) -> ComposeResult:
        # The first session defaults to tomorrow: today's usual time may already be past.
        today = self.clock.now().astimezone(zone(local_zone())).date() + dt.timedelta(days=1)
        yield Header()
        with ContentSwitcher(initial="choose", id="steps"):
            with Vertical(id="choose", classes="setup"):
                yield Static(
                    _(
                        "Welcome to rmpair, the journal of one reverse-mentoring pair: a junior "
                        "mentor teaches a senior mentee.\n\nStart your tandem's journal, or join "
                        "the one your partner started in a shared folder."
                    ),
                    classes="intro",
                )
                with Horizontal(classes="buttons"):
                    yield Button(_("Start a new tandem"), variant="primary", id="new")
                    yield Button(_("Join my partner's journal"), id="to-join")
            with VerticalScroll(id="start-form", classes="setup"):
                yield Static(_("Your tandem"), classes="heading")
                with Grid(classes="form"):
                    yield Label(_("Your name"))
                    yield Input(id="me")
                    yield Label(_("Your role"))
                    yield Select(
                        [
                            (_("mentee: the senior who learns"), Role.MENTEE.value),
                            (_("mentor: the junior who teaches"), Role.MENTOR.value),
                        ],
                        value=Role.MENTEE.value,
                        allow_blank=False,
                        id="role",
                    )
                    yield Label(_("Partner's name"))
                    yield Input(id="partner")
                    yield Label(_("First session"))
                    yield Input(today.isoformat(), id="start-date")
                    yield Label(_("Programme ends"))
                    yield Input(add_months(today, 6).isoformat(), id="end-date")
                    yield Label(_("How often"))
                    yield Select(
                        [
                            (_("weekly"), Cadence.WEEKLY.value),
                            (_("every two weeks"), Cadence.BIWEEKLY.value),
                            (_("monthly"), Cadence.MONTHLY.value),
                        ],
                        value=Cadence.MONTHLY.value,
                        allow_blank=False,
                        id="cadence",
                    )
                    yield Label(_("Minutes"))
                    yield Input("60", id="length")
                    yield Label(_("Time zone"))
                    yield Input(local_zone(), id="tz")
                    yield Label(_("Plan sessions"))
                    yield Select(
                        [(_("yes, plan them now"), YES), (_("no, later"), NO)],
                        value=YES,
                        allow_blank=False,
                        id="plan",
                    )
                    yield Label(_("Journal folder"))
                    yield Input(str(self.home.root / "journal"), id="folder")
                yield Static(
                    _(
                        "The default keeps the journal on this computer. To share it, pick a "
                        "folder inside a folder you sync (Syncthing, Dropbox, OneDrive, ...)."
                    ),
                    classes="tip",
                )
                yield Static(_("Before you start"), classes="heading")
                with Grid(classes="form prereqs"):
                    for item in self.prerequisites:
                        yield Label(item.question)
                        yield Select(
                            [(_("yes"), YES), (_("no"), NO), (_("not sure yet"), UNSURE)],
                            value=UNSURE,
                            allow_blank=False,
                            id=f"pre-{item.key}",
                        )
                yield Static(id="error", classes="error")
                with Horizontal(classes="buttons"):
                    yield Button(_("Start"), variant="primary", id="start")
                    yield Button(_("Back"), id="back-1")
            with Vertical(id="join-form", classes="setup"):
                yield Static(_("Join your partner's journal"), classes="heading")
                with Grid(classes="form"):
                    yield Label(_("Your name"))
                    yield Input(id="join-me")
                    yield Label(_("Shared folder"))
                    yield Input(
                        placeholder=_("the journal folder your partner shared"), id="join-folder"
                    )
                yield Static(id="join-error", classes="error")
                with Horizontal(classes="buttons"):
                    yield Button(_("Join"), variant="primary", id="join")
                    yield Button(_("Back"), id="back-2")
        yield KeysFooter()

    def _step(self, name: str) -> None:
        self.query_one("#steps", ContentSwitcher).current = name

    @on(Button.Pressed, "#new")
    def _new(self) -> None:
        self._step("start-form")
        self.query_one("#me", Input).focus()

    @on(Button.Pressed, "#to-join")
    def _to_join(self) -> None:
        self._step("join-form")
        self.query_one("#join-me", Input).focus()

    @on(Button.Pressed, "#back-1, #back-2")
    def action_back(self) -> None:
        if self.query_one("#steps", ContentSwitcher).current == "choose":
            self.dismiss(None)
        else:
            self._step("choose")

    def action_save(self) -> None:
        """``ctrl+s``, as in every form: start or join, whichever form is shown."""
        current = self.query_one("#steps", ContentSwitcher).current
        if current == "start-form":
            self._start()
        elif current == "join-form":
            self._join()

    def _value(self, wid: str) -> str:
        return self.query_one(wid, Input).value.strip()

    def collect(self) -> NewTandem:
        """The new tandem's values, or a UserError naming the field to fix."""
        me, partner = self._value("#me"), self._value("#partner")
        if not me:
            raise UserError(_("Please enter your name."))
        if not partner:
            raise UserError(_("Please enter your partner's name."))
        start = parse_day(self._value("#start-date"), _("First session"))
        end = parse_day(self._value("#end-date"), _("Programme ends"))
        if end <= start:
            raise UserError(_("Programme ends: the end must come after the first session."))
        length = self._value("#length")
        if not length.isdigit() or not 10 <= int(length) <= 480:
            raise UserError(
                _("Minutes: '{value}' is not a length from 10 to 480 minutes.").format(value=length)
            )
        folder = self._value("#folder")
        if not folder:
            raise UserError(_("Journal folder: please give a folder."))
        answers: dict[str, bool] = {}
        for item in self.prerequisites:
            value = str(self.query_one(f"#pre-{item.key}", Select).value)
            if value != UNSURE:
                answers[item.key] = value == YES
        return NewTandem(
            folder=Path(folder).expanduser(),
            me=me,
            role=Role(str(self.query_one("#role", Select).value)),
            partner=partner,
            start=start,
            end=end,
            cadence=Cadence(str(self.query_one("#cadence", Select).value)),
            minutes=int(length),
            tz=check_zone(self._value("#tz")),
            plan=self.query_one("#plan", Select).value == YES,
            answers=answers,
        )

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#start-form Input")
    def _start(self) -> None:
        try:
            wanted = self.collect()
        except UserError as exc:
            self._error("#error", str(exc))
            return
        if self._busy():
            return
        self._error("#error", _("Creating the journal…"))
        self._create(wanted)

    @on(Button.Pressed, "#join")
    @on(Input.Submitted, "#join-form Input")
    def _join(self) -> None:
        me, folder = self._value("#join-me"), self._value("#join-folder")
        if not me:
            self._error("#join-error", _("Please enter your name."))
            return
        if not folder:
            self._error("#join-error", _("Shared folder: please give the journal's folder."))
            return
        if self._busy():
            return
        self._error("#join-error", _("Joining…"))
        self._join_journal(me, Path(folder).expanduser())

    def _busy(self) -> bool:
        """Whether a journal is being created or joined (a second Enter waits for it)."""
        return any(w.group == "setup" and not w.is_finished for w in self.workers)

    @work(thread=True, group="setup")
    def _create(self, wanted: NewTandem) -> Journal | tuple[str, str]:
        # There is no journal yet, so nothing else can be using it: file I/O runs here
        # and only the result goes back to the UI thread (on_worker_state_changed).
        try:
            return wanted.create(self.home, self.clock)
        except (UserError, ReadOnlyError, OSError) as exc:
            return ("#error", str(exc))

    @work(thread=True, group="setup")
    def _join_journal(self, me: str, folder: Path) -> Journal | tuple[str, str]:
        try:
            return Journal.join(folder, me=me, home=self.home, clock=self.clock)
        except (UserError, ReadOnlyError, OSError) as exc:
            return ("#join-error", str(exc))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The screen is dismissed only after its worker has finished: dismissing from
        # inside the worker removed the screen and so cancelled the very worker that was
        # still returning, and whoever waited for it saw it cancelled.
        if event.worker.group != "setup" or event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        if isinstance(result, Journal):
            self.dismiss(result)
        elif isinstance(result, tuple):
            self._error(*result)

    def _error(self, wid: str, message: str) -> None:
        # The line sits under a long form: bring it into view, or a mistake looks
        # like a key that does nothing.
        line = self.query_one(wid, Static)
        line.update(message)
        self.call_after_refresh(line.scroll_visible, animate=False)
