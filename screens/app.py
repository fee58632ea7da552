"""The rmpair Textual app: a thin shell over the journal facade."""

from __future__ import annotations

from rmpair.screens.home import HomeScreen
from rmpair.screens.setup import SetupScreen
from textual.app import App
from textual.binding import Binding

from rmpair.home import Home
from rmpair.i18n import _
from rmpair.journal import Journal


class RmpairApp(App[None]):
    """Shows one tandem's journal; starts with the setup form when there is none yet."""

    CSS_PATH = "rmpair.tcss"
    TITLE = "rmpair"
    BINDINGS = [
        Binding("ctrl+q", "quit", _("Quit"), priority=True),
        Binding("question_mark", "show_help", _("Help")),
    ]

    def __init__(self, journal: Journal | None, *, home: Home | None = None) -> None:
        super().__init__()
        self.journal = journal
        self.home = home or Home()

    def on_mount(self) -> None:
        if self.journal is not None:
            self.push_screen(HomeScreen(self.journal))
        else:
            self.push_screen(SetupScreen(self.home), self._set_up)

    def _set_up(self, journal: Journal | None) -> None:
        if journal is None:
            self.exit()
            return
        self.journal = journal
        self.push_screen(HomeScreen(journal))

    def action_show_help(self) -> None:
        self.action_show_help_panel()
