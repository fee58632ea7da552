"""A noun's sub-app whose commands Typer builds only when one is looked up.

Typer builds a Click command by reading its function's signature and type hints,
about a millisecond per command. ``rmpair topic add`` needs ``add`` only, so the
other topic commands are built when help or completion lists them, not on every run.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING

import typer.main
from typer.models import CommandInfo

if TYPE_CHECKING:
    from typer._click import Command


class LazyCommands(MutableMapping[str, "Command"]):
    """A group's commands by name, each built (and ``finish``-ed) the first time it
    is read; the names, and so the order help shows, are known from the start."""

    def __init__(
        self, infos: dict[str, CommandInfo], build: Callable[[CommandInfo], Command]
    ) -> None:
        self._infos = infos
        self._build = build
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            self._built[name] = self._build(self._infos[name])
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._built[name] = command
        self._infos.setdefault(name, CommandInfo(name=name))

    def __delitem__(self, name: str) -> None:
        del self._infos[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._infos)

    def __len__(self) -> int:
        return len(self._infos)


def command_name(info: CommandInfo) -> str:
    """The name Typer gives a registered command (its own, else the function's)."""
    if info.name:
        return info.name
    assert info.callback is not None, "a Typer command always has a function"
    return typer.main.get_command_name(info.callback.__name__)


def sub_app_command(sub_app: typer.Typer, finish: Callable[[Command], None]) -> Command:
    """The Click command for a noun's sub-app, as ``typer.main.get_command`` makes it,
    except that a group's own commands are built when first looked up. ``finish``
    runs on the result and on each of its commands once built."""
    plain = (
        not sub_app.registered_callback
        and not sub_app.info.callback
        and not sub_app.registered_groups
        and len(sub_app.registered_commands) <= 1
    )
    if plain:  # one command: nothing to put off
        command = typer.main.get_command(sub_app)
        finish(command)
        return command
    assert not sub_app.registered_groups, "rmpair's nouns have commands, not nested groups"
    infos = {command_name(info): info for info in sub_app.registered_commands}
    # The group itself (its callback, options and help) without building a command.
    bare = copy.copy(sub_app)
    bare.registered_commands = []
    group = typer.main.get_group(bare)

    def build(info: CommandInfo) -> Command:
        command = typer.main.get_command_from_info(
            info,
            pretty_exceptions_short=sub_app.pretty_exceptions_short,
            rich_markup_mode=sub_app.rich_markup_mode,
        )
        finish(command)
        return command

    group.commands = LazyCommands(infos, build)
    finish(group)
    return group
