"""The keys, on one page: every binding of the screen, its widgets and the app (``?``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rmpair.screens.footer import KeysFooter
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from rmpair.i18n import N_, _

PACKAGE = "rmpair.screens"


def own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings rmpair declares on ``node``'s classes (not Textual's built-in ones)."""
    found: list[Binding] = []
    seen: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith(PACKAGE) or "BINDINGS" not in cls.__dict__:
            continue
        for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
            if binding.key not in seen and binding.description:
                seen.add(binding.key)
                found.append(binding)
    return found


def key_rows(app: App[Any], screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(where, keys, what) for the screen, each of its widgets that has keys, and the app."""
    rows: list[tuple[str, str, str]] = []

    def add(where: str, bindings: Iterable[Binding]) -> None:
        for binding in bindings:
            rows.append((where, app.get_key_display(binding), _(binding.description)))

    add(_("This screen"), own_bindings(screen))
    for widget in screen.walk_children(Widget):
        bindings = own_bindings(widget)
        if bindings:
            add(widget.border_title or _("In the list"), bindings)
    add(_("Everywhere"), own_bindings(app))
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of escape, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", N_("Close"), key_display="esc")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = rows

    def compose(self) -> ComposeResult:
        lines: list[str] = []
        last = ""
        for where, keys, what in self.rows:
            if where != last:
                if lines:
                    lines.append("")
                lines.append(where)
                last = where
            lines.append(f"  {keys:<12} {what}")
        lines += ["", _("Ctrl+P lists every action by name; the mouse works everywhere.")]
        with Vertical(classes="dialog", id="help"):
            yield Static(_("Keys"), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):  # focusable: arrows scroll the keys
                yield Static("\n".join(lines), markup=False, id="help-text")
        yield KeysFooter()

    def action_close(self) -> None:
        self.dismiss(None)
