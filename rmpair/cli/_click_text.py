"""Click's and Typer's own words (Usage, Options, Commands, Error, No such option…) in
the interface language, so that ``RMPAIR_LANG=de rmpair --help`` is German throughout.

Click and Typer translate these with ``from gettext import gettext as _`` in each
module, i.e. through gettext's global domain, which our catalogues are not. ``bind()``
points those modules' ``_`` and ``ngettext`` at rmpair.i18n instead; the messages are
listed here so that tools/i18n.py extracts them into our catalogues.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from rmpair.i18n import N_, _, ngettext

# Modules that translate with gettext; the ones not yet imported are bound when they
# are (typer.rich_utils costs half a second, so it loads only for help and errors).
MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
    "click.shell_completion",
    "typer.core",
    "typer.rich_utils",
)

# typer.rich_utils translates these once, when it is imported: its constant -> msgid.
RICH_CONSTANTS = {
    "DEPRECATED_STRING": N_("(deprecated) "),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}

# The messages of Click and Typer a user meets; the rest stays English.
MESSAGES = (
    N_("Usage:"),
    N_("Show this message and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("No such option: {name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("Aborted!"),
    N_("required"),
    N_("default: {default}"),
    N_("env var: {var}"),
)


def _plurals() -> None:  # pragma: no cover - never called: lists plurals for extraction
    ngettext(
        "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", 1
    )
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)
    ngettext(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.", 1
    )
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)


def _bind(module: ModuleType) -> None:
    """Make ``module`` translate through rmpair.i18n (it looks ``_`` up at each call)."""
    if hasattr(module, "_"):
        module._ = _  # type: ignore[attr-defined]
    if hasattr(module, "ngettext"):
        module.ngettext = ngettext  # type: ignore[attr-defined]
    if module.__name__ == "typer.rich_utils":
        for constant, message in RICH_CONSTANTS.items():
            setattr(module, constant, _(message))


class _BindOnImport(importlib.abc.MetaPathFinder):
    """Binds the listed modules that load later, right after they have run."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _BindingLoader(spec.loader)
        return spec


class _BindingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self.loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        _bind(module)


def bind() -> None:
    """Translate Click's and Typer's messages through rmpair.i18n from now on."""
    for name in MODULES:
        module = sys.modules.get(name)
        if module is not None:
            _bind(module)
    if not any(isinstance(finder, _BindOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _BindOnImport())
