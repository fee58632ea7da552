"""The search dialog (``/``): type a word, see every topic, agenda item, note, learning
and action item that has it, and open the session or topic it belongs to."""

from __future__ import annotations

from rmpair.screens.base import Context
from rmpair.screens.footer import KeysFooter
from rmpair.screens.table import Column, Table, widest
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from rmpair import fmt
from rmpair.domain.search import KINDS, SearchHit, kind_label
from rmpair.errors import ReadOnlyError, UserError
from rmpair.i18n import N_, _, ngettext


def where(hit: SearchHit) -> str:
    """Where a hit belongs: "Kick-off, Tue 10 Nov 2026", or when a topic was added."""
    if hit.session_start is not None:
        return f"{hit.session_title}, {fmt.date(hit.session_start.date())}"
    if hit.day is not None:
        return _("added {date}").format(date=fmt.date(hit.day))
    return ""


class SearchScreen(ModalScreen[SearchHit | None]):
    """Searches as the user presses enter in the line; enter on a hit returns it, so
    the app can open its session (or, for a topic, the backlog at that topic)."""

    BINDINGS = [Binding("escape", "cancel", N_("Close"))]

    def __init__(self, ctx: Context) -> None:
        super().__init__(classes="dialog-screen")
        self.ctx = ctx
        self.hits: dict[str, SearchHit] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="search"):
            yield Static(_("Search"), classes="dialog-title")
            yield Input(placeholder=_("Text to find, then enter"), id="query")
            yield Static("", id="search-summary")
            yield Table(
                [
                    Column(_("Kind"), widest(_("Kind"), *(kind_label(k) for k in KINDS))),
                    Column(_("Where"), 32),
                    Column(_("Text")),
                ],
                id="hits",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Submitted, "#query")
    async def _search(self, event: Input.Submitted) -> None:
        text = event.value
        summary = self.query_one("#search-summary", Static)
        if not text.strip():
            return
        try:
            hits = await self.ctx.jobs.run(self.ctx.journal, lambda j: j.search.find(text))
        except (UserError, ReadOnlyError, OSError) as exc:
            summary.update(str(exc))
            return
        self.hits = {f"{h.kind}:{h.id}": h for h in hits}
        table = self.query_one("#hits", Table)
        table.empty_text = _("Nothing found for '{text}'.").format(text=text)
        table.set_rows(
            [(key, (kind_label(h.kind), where(h), h.snippet)) for key, h in self.hits.items()],
            keep="",
        )
        summary.update(
            ngettext("{n} hit; enter opens it.", "{n} hits; enter opens one.", len(hits)).format(
                n=len(hits)
            )
            if hits
            else ""
        )
        if hits:
            table.focus()

    @on(Table.Selected, "#hits")
    def _open(self, event: Table.Selected) -> None:
        self.dismiss(self.hits.get(event.key))

    def action_cancel(self) -> None:
        self.dismiss(None)
