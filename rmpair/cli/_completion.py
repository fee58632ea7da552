"""Shell completion for ``rmpair``: the root's ``--install-completion SHELL`` and
``--show-completion SHELL``.

Typer's own pair of options takes no shell name when it can detect the shell, so
``--show-completion bash`` would read ``bash`` as a command, and a script piped into a
file may be for the wrong shell; these name it. The completing itself is Typer's (the
``_RMPAIR_COMPLETE`` protocol), over the root's lazily loaded sub-commands.
"""

from __future__ import annotations

from typing import Any

import typer
from typer._click import core as click
from typer.core import TyperOption

from rmpair.i18n import _

PROG_NAME = "rmpair"
COMPLETE_VAR = "_RMPAIR_COMPLETE"
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
# Typer's own options, replaced by these.
TYPER_NAMES = ("install_completion", "show_completion")


def _shell(value: str) -> str:
    if value not in SHELLS:
        raise typer.BadParameter(
            _("'{value}' is not a shell rmpair completes; use one of {shells}.").format(
                value=value, shells=", ".join(SHELLS)
            )
        )
    return value


def _show(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import get_completion_script

    shell = _shell(value)
    typer.echo(get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell))
    raise typer.Exit()


def _install(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import install

    shell, path = install(shell=_shell(value), prog_name=PROG_NAME, complete_var=COMPLETE_VAR)
    typer.echo(
        _("Completion for {shell} is installed in {path}; it works in new terminals.").format(
            shell=shell, path=path
        )
    )
    raise typer.Exit()


def _option(name: str, callback: Any, help_text: str) -> TyperOption:
    return TyperOption(
        # Its own name: the root drops Typer's pair, named after the same flags.
        param_decls=[name, "rmpair_" + name.strip("-").replace("-", "_")],
        type=str,
        metavar="SHELL",
        expose_value=False,
        is_eager=True,
        callback=callback,
        help=help_text,
    )


def completion_options() -> list[click.Parameter]:
    """The root's two completion options."""
    return [
        _option(
            "--install-completion",
            _install,
            _("Install completion of commands and options for SHELL."),
        ),
        _option(
            "--show-completion",
            _show,
            _("Print the completion script for SHELL, to install it yourself."),
        ),
    ]
