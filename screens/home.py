"""Home: the tandem, the devices that write into the journal, problems and conflicts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from rmpair.i18n import _
from rmpair.journal import Journal


class HomeScreen(Screen[None]):
    """Where the pair stands, at a glance."""

    BINDINGS = [
        Binding("r", "refresh", _("Refresh")),
        Binding("q", "app.quit", _("Quit")),
    ]

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(id="tandem")
            yield Static(id="devices")
            yield Static(id="problems")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def action_refresh(self) -> None:
        self.journal.refresh()
        self.show()

    def show(self) -> None:
        status = self.journal.status()
        tandem = status.tandem
        if tandem is not None:
            text = _("{mentor} (mentor) teaches {mentee} (mentee)").format(
                mentor=tandem.mentor, mentee=tandem.mentee
            )
            text += "\n" + _("{start} to {end}, {cadence}, {minutes} min").format(
                start=tandem.start,
                end=tandem.end,
                cadence=_(tandem.cadence.value),
                minutes=tandem.session_minutes,
            )
        else:
            text = _("No tandem yet.")
        self.query_one("#tandem", Static).update(text)
        lines = [_("Devices")]
        for device in status.devices:
            when = (
                device.last_change.astimezone().strftime("%Y-%m-%d %H:%M")
                if device.last_change
                else "-"
            )
            lines.append(f"  {device.person} ({_(device.role)}), {device.label}: {when}")
        self.query_one("#devices", Static).update("\n".join(lines))
        problems = [f"  ! {p}" for p in status.problems]
        problems += [f"  ~ {c.kind} {c.rec}: {c.field}" for c in status.conflicts]
        summary = _("No problems, no conflicts.") if not problems else "\n".join(problems)
        self.query_one("#problems", Static).update(summary)
