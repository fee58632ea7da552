"""The footer: the keys of the screen, in the interface language, never cut off.

Textual's own footer shows every binding and lets the last ones run off the edge,
which at 80 columns in German cut "Themenspeicher" to "Themenspeiche". This one
shows the keys that fit whole, in the screen's order, and always keeps the help key: ``?`` lists
the rest, and Ctrl+P finds them by name. Descriptions are stored untranslated
(``N_``) and translated here, so the language can be chosen after import.

It is one widget that draws one line, not a widget per key as Textual's footer has:
every screen has a footer, and styling, laying out and drawing seven small widgets
took about a twelfth of the app's start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

from rmpair.i18n import _

HELP_ACTIONS = ("help", "app.help")
if TYPE_CHECKING:
    from textual.screen import Screen

# A key is drawn as " key description " (a space around the key, one after the text).
KEY_PADDING = 3
# The palette key, at the right end, also has a bar on its left and a space after it.
PALETTE_EXTRA = 2
PALETTE_BAR = "\u258f"


def key_width(key_display: str, description: str) -> int:
    """Cells one key takes in the footer."""
    return cell_len(key_display) + cell_len(description) + KEY_PADDING


def fitting(items: list[tuple[Binding, str, str]], room: int) -> list[tuple[Binding, str, str]]:
    """The ``(binding, key, description)`` items that fit in ``room`` cells whole, taken
    in the screen's order (one too long is left out, shorter ones after it may still
    fit), plus the help key wherever it stands (it leads to all the others)."""
    helps = [item for item in items if item[0].action in HELP_ACTIONS]
    room -= sum(key_width(key, text) for _b, key, text in helps)
    shown: list[tuple[Binding, str, str]] = []
    for item in items:
        if item in helps:
            shown.append(item)
            continue
        width = key_width(item[1], item[2])
        if width > room:
            continue
        room -= width
        shown.append(item)
    return shown


class Entry(NamedTuple):
    """A key as the footer shows it."""

    key: str
    key_display: str
    description: str
    enabled: bool
    tooltip: str
    is_palette: bool = False


class KeysFooter(Widget, can_focus=False):
    """A footer with whole, translated key descriptions; what does not fit is left out.
    A click on a key presses it; a disabled key only rings the bell."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keys-footer--key", "keys-footer--description", "keys-footer--bar"}
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keys-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .keys-footer--bar {
            color: $foreground 20%;
        }
    }
    """

    show_command_palette = True

    def __init__(self) -> None:
        super().__init__()
        self._shown: list[Entry] | None = None
        # Where each key was drawn: (first cell, cell after it, entry).
        self._places: list[tuple[int, int, Entry]] = []
        self._hover: Entry | None = None

    def entries(self) -> list[Entry]:
        """The keys to show, in order, as they fit the app's width now."""
        active = self.screen.active_bindings
        items: list[tuple[Binding, str, str]] = []
        tooltips: dict[str, tuple[bool, str]] = {}
        seen: set[str] = set()
        palette = self.app.COMMAND_PALETTE_BINDING
        for key, (_node, binding, enabled, tooltip) in active.items():
            if not binding.show or key == palette or binding.action in seen:
                continue
            seen.add(binding.action)
            items.append((binding, self.app.get_key_display(binding), _(binding.description)))
            tooltips[binding.key] = (enabled, tooltip)
        room = self.app.size.width
        palette_entry: Entry | None = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette in active:
            _node, binding, enabled, tooltip = active[palette]
            key_display, text = self.app.get_key_display(binding), _(binding.description)
            room -= key_width(key_display, text) + PALETTE_EXTRA
            tip = _(binding.tooltip) if binding.tooltip else text
            palette_entry = Entry(binding.key, key_display, text, enabled, tip, True)
        found = [
            Entry(binding.key, key_display, text, *tooltips[binding.key])
            for binding, key_display, text in fitting(items, room)
        ]
        return found if palette_entry is None else [*found, palette_entry]

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        # Focus moved or a binding was turned on or off: draw again only if the keys
        # shown change (a repaint of one line, never a layout).
        if self.is_attached and self.entries() != self._shown:
            self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh()

    def render(self) -> Text:
        entries = self.entries()
        self._shown = entries
        key_style = self.get_component_rich_style("keys-footer--key")
        text_style = self.get_component_rich_style("keys-footer--description")
        hover = Style(bgcolor=self.app.current_theme.primary) if self._hover else None
        line = Text(no_wrap=True, overflow="crop")
        places: list[tuple[int, int, Entry]] = []

        def draw(entry: Entry, key: str, description: str) -> None:
            start = line.cell_len
            dim = Style(dim=True) if not entry.enabled else Style()
            line.append(key, key_style + dim)
            line.append(description, text_style + dim)
            if hover is not None and entry == self._hover:
                line.stylize(hover, start, line.cell_len)
            places.append((start, line.cell_len, entry))

        keys = [entry for entry in entries if not entry.is_palette]
        for entry in keys:
            draw(entry, f" {entry.key_display} ", f"{entry.description} ")
        for entry in entries:
            if entry.is_palette:
                right = cell_len(entry.key_display) + cell_len(entry.description) + 2
                line.append(" " * max(1, self.size.width - line.cell_len - right - 1))
                line.append(PALETTE_BAR, self.get_component_rich_style("keys-footer--bar"))
                draw(entry, entry.key_display, f" {entry.description} ")
        self._places = places
        return line

    def _entry_at(self, x: int) -> Entry | None:
        return next((entry for start, end, entry in self._places if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self._entry_at(event.x)
        if entry != self._hover:
            self._hover = entry
            self.tooltip = entry.tooltip if entry is not None and entry.tooltip else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        self.tooltip = None  # (else it would show again over the space between keys)
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        entry = self._entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()
