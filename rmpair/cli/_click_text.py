"""Click's and Typer's own words (Usage, Options, Commands, Error, No such option...) in
the interface language, so that ``RMPAIR_LANG=de rmpair --help`` is German throughout.

Typer translates its panel titles with ``from gettext import gettext as _``, i.e.
through gettext's global domain, which our catalogues are not: ``bind()`` points them
at rmpair.i18n instead. The Click that Typer carries inside (``typer._click``) has its
words fixed in English, so ``bind()`` also wraps Typer's help and error rendering to
put those into our words. The messages are listed here so that tools/i18n.py extracts
them into our catalogues.
"""

from __future__ import annotations

import importlib.machinery
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from rmpair.i18n import N_, _

if TYPE_CHECKING:
    import importlib.abc

# Modules that translate with gettext; typer.rich_utils is bound when it is imported
# (it costs half a second, so it loads only for help and errors).
MODULES = ("typer.core", "typer.rich_utils")

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

USAGE = N_("Usage:")
# The placeholders Click puts after the command in a usage line.
USAGE_PLACEHOLDERS = (N_("COMMAND [ARGS]..."), N_("[OPTIONS]"))
HELP_TEXT = N_("Show this message and exit.")

# Click's fixed English error sentences a user meets, as patterns, and their msgids.
ERRORS = (
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (r"No such command '(?P<name>[^']*)'\.", N_("No such command '{name}'.")),
    (r"Missing argument '(?P<name>[^']*)'\.", N_("Missing argument '{name}'.")),
    (r"Missing option '(?P<name>[^']*)'\.", N_("Missing option '{name}'.")),
    (r"Missing parameter '(?P<name>[^']*)'\.", N_("Missing parameter '{name}'.")),
    (
        r"Option '(?P<name>[^']*)' requires an argument\.",
        N_("Option '{name}' requires an argument."),
    ),
    (
        r"Option '(?P<name>[^']*)' does not take a value\.",
        N_("Option '{name}' does not take a value."),
    ),
    (
        r"Got unexpected extra arguments? \((?P<args>.*)\)",
        N_("Got unexpected extra arguments ({args})"),
    ),
    (
        r"Invalid value for (?P<param>'[^']*'(?: / '[^']*')*): (?P<message>.*)",
        N_("Invalid value for {param}: {message}"),
    ),
    (r"Did you mean (?P<names>.*)\?", N_("Did you mean {names}?")),
    (r"\(Possible options: (?P<names>.*)\)", N_("(Possible options: {names})")),
)


def translate_error(message: str) -> str:
    """Click's English error ``message`` in the interface language, sentence by
    sentence; sentences it does not know stay as they are."""
    out: list[str] = []
    for line in message.split("\n"):
        rest, parts = line, []
        while rest:
            for pattern, msgid in ERRORS:
                found = re.match(pattern, rest)
                if found:
                    parts.append(_(msgid).format(**found.groupdict()))
                    rest = rest[found.end() :].lstrip()
                    break
            else:
                parts.append(rest)
                rest = ""
        out.append(" ".join(parts))
    return "\n".join(out)


def _bind(module: ModuleType) -> None:
    """Make ``module`` translate through rmpair.i18n (it looks ``_`` up at each call)."""
    if hasattr(module, "_"):
        module._ = _  # type: ignore[attr-defined]
    if module.__name__ == "typer.rich_utils":
        for constant, message in RICH_CONSTANTS.items():
            setattr(module, constant, _(message))
        _wrap_rendering(module)


def _wrap_rendering(rich_utils: Any) -> None:
    """Put Click's fixed English (the usage prefix, the help option's text, errors) into
    our words as Typer renders help and errors."""
    from typer._click.exceptions import ClickException, UsageError
    from typer._click.formatting import HelpFormatter

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            for placeholder in USAGE_PLACEHOLDERS:
                args = args.replace(placeholder, _(placeholder))
            super().write_usage(prog, args, _(USAGE) + " " if prefix is None else prefix)

    format_help, format_error = rich_utils.rich_format_help, rich_utils.rich_format_error

    def rich_format_help(*, obj: Any, ctx: Any, markup_mode: Any) -> None:
        ctx.formatter_class = Formatter
        for param in obj.get_params(ctx):
            if param.help == HELP_TEXT:
                param.help = _(HELP_TEXT)
        format_help(obj=obj, ctx=ctx, markup_mode=markup_mode)

    def rich_format_error(self: Any) -> None:
        text = translate_error(self.format_message())
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            ctx.formatter_class = Formatter
        translated = UsageError(text, ctx) if isinstance(self, UsageError) else ClickException(text)
        format_error(translated)

    rich_utils.rich_format_help = rich_format_help
    rich_utils.rich_format_error = rich_format_error


class _BindOnImport:
    """Binds the listed modules that load later, right after they have run.

    A plain class, not importlib.abc's: the import system only calls ``find_spec``,
    and importing importlib.abc costs every command about 6 ms (it loads tempfile)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        # Duck-typed like the finder (see above); the cast only informs the type checker.
        spec.loader = cast("importlib.abc.Loader", _BindingLoader(spec.loader))
        return spec


class _BindingLoader:
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
