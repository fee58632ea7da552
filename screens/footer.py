"""The footer: the keys of the screen, in the interface language, never cut off.

Textual's own footer shows every binding and lets the last ones run off the edge,
which at 80 columns in German cut "Themenspeicher" to "Themenspeiche". This one
shows the keys that fit whole, in the screen's order, and always keeps the help key: ``?`` lists
the rest, and Ctrl+P finds them by name. Descriptions are stored untranslated
(``N_``) and translated here, so the language can be chosen after import.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from rmpair.i18n import _

HELP_ACTIONS = ("help", "app.help")
# FooterKey draws " key description " (padding 1 around the key, 1 after the text).
KEY_PADDING = 3
# The palette key also has a border on its left and padding on its right.
PALETTE_EXTRA = 2


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


class Key(FooterKey):
    """A key in the footer, never compact. Textual's key starts compact and its footer
    then binds it to the footer's (not compact): two restyles of every key each time
    the footer is composed, which happens several times while the app starts."""

    compact = reactive(False)


# A key as the footer shows it: key, key display, description, action, whether it is
# enabled, tooltip, and whether it is the command palette's.
Entry = tuple[str, str, str, str, bool, str, bool]


class KeysFooter(Footer):
    """A footer with whole, translated key descriptions; what does not fit is left out."""

    _composed: list[Entry] | None = None

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
            palette_entry = (binding.key, key_display, text, binding.action, enabled, tip, True)
        found: list[Entry] = []
        for binding, key_display, text in fitting(items, room):
            enabled, tooltip = tooltips[binding.key]
            found.append((binding.key, key_display, text, binding.action, enabled, tooltip, False))
        return found if palette_entry is None else [*found, palette_entry]

    def compose(self) -> ComposeResult:
        # Textual's footer waits for its screen's first "bindings changed" signal and
        # is empty until then: its keys are mounted and the screen laid out again
        # after the first frame. The screen's and the app's bindings are known when
        # the footer is composed, so the keys come in the first frame; the signal then
        # finds the same keys and composes nothing (``recompose``).
        self._composed = self.entries()
        for key, key_display, text, action, enabled, tooltip, is_palette in self._composed:
            yield (FooterKey if is_palette else Key)(
                key,
                key_display,
                text,
                action,
                classes="-command-palette" if is_palette else "",
                disabled=not enabled,
                tooltip=tooltip,
            )

    async def recompose(self) -> None:
        """Compose again, unless the same keys would be shown: Textual's footer does it
        at every change of focus or bindings, and each time the screen is laid out and
        drawn anew (four times while the app starts)."""
        if self._composed is not None and self.is_attached and self.entries() == self._composed:
            return
        await super().recompose()

    _width: int | None = None

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.call_after_refresh(self.recompose)
