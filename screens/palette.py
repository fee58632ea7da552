"""The command palette (Ctrl+P): every screen and every action of the current one, by name.

Textual's own entries (theme, quit, screenshot) and the palette's prompt are English
only; ``PaletteApp`` offers them in the interface language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import cast

from rmpair.screens.base import SCREENS
from rmpair.screens.help import own_bindings
from textual.app import App, SystemCommand
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from rmpair.i18n import _


class RmpairCommands(Provider):
    """Screens to go to, and the actions bound to keys where the palette was opened."""

    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(name, help, callback) for everything the palette offers right now."""
        app = self.app
        found: list[tuple[str, str, Callable[[], object]]] = []
        if getattr(app, "ctx", None) is not None:
            for name, key, title in SCREENS:
                found.append(
                    (
                        _("Go to {screen}").format(screen=_(title)),
                        _("key {key}").format(key=key),
                        partial(app.run_action, f"go('{name}')"),
                    )
                )
        nodes: list[DOMNode] = [self.screen, *self.screen.walk_children()]
        seen = {name for name, _help, _cb in found}
        for node in nodes:
            for binding in own_bindings(node):
                if binding.action.startswith("app.go("):
                    continue
                name = _(binding.description)
                if name in seen:
                    continue
                seen.add(name)
                keys = app.get_key_display(binding)
                found.append(
                    (
                        name,
                        _("key {key}").format(key=keys),
                        partial(app.run_action, binding.action, node),
                    )
                )
        found.append((_("Keys and help"), _("key ?"), partial(app.run_action, "help")))
        return found

    async def discover(self) -> Hits:
        for name, help_text, callback in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class PaletteApp(App[None]):
    """An app whose command palette speaks the interface language throughout."""

    COMMANDS = App.COMMANDS | {RmpairCommands}

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Theme"), _("Choose another colour theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit rmpair"), self.action_quit)
        yield SystemCommand(
            _("Screenshot"),
            _("Save a picture of this screen (SVG)"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    def action_command_palette(self) -> None:
        # Textual annotates ``is_open(app: App[object])``, but App is invariant in its
        # return type, so no ``App[None]`` passes as written; it only reads ``app.screen``.
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )
