"""First run: start a tandem's journal (a local folder by default) or join one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from rmpair.errors import UserError
from rmpair.home import Home
from rmpair.i18n import _
from rmpair.journal import Journal
from rmpair.model import Cadence, Role


class SetupScreen(Screen[Journal | None]):
    """A short form; returns the opened journal with ``dismiss``."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, home: Home) -> None:
        super().__init__()
        self.home = home

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="setup"):
            yield Static(_("Start your tandem's journal, or join your partner's."), id="intro")
            with Grid(id="form"):
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
                yield Input(placeholder=_("empty to join an existing journal"), id="partner")
                yield Label(_("Journal folder"))
                yield Input(str(self.home.root / "journal"), id="folder")
            yield Static(_("Tip: a folder inside your synced folder shares the journal."), id="tip")
            yield Static(id="error")
            with Horizontal(id="buttons"):
                yield Button(_("Start"), variant="primary", id="start")
                yield Button(_("Join"), id="join")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        me = self.query_one("#me", Input).value.strip()
        partner = self.query_one("#partner", Input).value.strip()
        folder = Path(self.query_one("#folder", Input).value.strip()).expanduser()
        role = Role(str(self.query_one("#role", Select).value))
        if not me:
            self._error(_("Please enter your name."))
            return
        if event.button.id == "start" and not partner:
            self._error(_("Please enter your partner's name."))
            return
        self._create(event.button.id == "join", me, role, partner, folder)

    @work(thread=True, exclusive=True)
    def _create(self, join: bool, me: str, role: Role, partner: str, folder: Path) -> None:
        # File I/O runs off the UI thread; results come back through call_from_thread.
        try:
            if join:
                journal = Journal.join(folder, me=me, home=self.home)
            else:
                journal = Journal.init(
                    folder,
                    me=me,
                    role=role,
                    partner=partner,
                    start=dt.date.today(),
                    cadence=Cadence.MONTHLY,
                    home=self.home,
                )
        except (UserError, OSError) as exc:
            self.app.call_from_thread(self._error, str(exc))
            return
        self.app.call_from_thread(self.dismiss, journal)

    def _error(self, message: str) -> None:
        self.query_one("#error", Static).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
