"""Asking for answers on the terminal, for ``checkin``, ``evaluate`` and ``assess``
with ``--ask``: one question at a time, until the answer parses.

It sits below those commands so that both modules ask the same way without importing
each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer

from rmpair.cli._common import fail
from rmpair.i18n import _

T = TypeVar("T")


def ask_question(question: str, current: str, parse: Callable[[str], T | None]) -> T | None:
    """Ask one question on the terminal until the answer parses; blank keeps ``current``.

    Prompts go to stderr so that ``--json`` output stays clean.
    """
    from rmpair.errors import UserError

    for _attempt in range(3):
        try:
            text = typer.prompt(
                question, default=current, show_default=bool(current), err=True
            ).strip()
        except typer.Abort:  # the end of the input, or Ctrl-C at the prompt
            typer.echo("", err=True)  # end the prompt's line before the message
            raise NoMoreAnswers from None
        if text == current:
            return None
        try:
            return parse(text)
        except UserError as exc:
            typer.echo(str(exc), err=True)
    fail(_("--ask: no valid answer to '{question}'.").format(question=question))


def parse_scale(flag: str) -> Callable[[str], int]:
    from rmpair.domain.evaluation import check_scale

    def parse(text: str) -> int:
        from rmpair.errors import UserError

        if not text.isdigit():
            raise UserError(
                _("{flag} must be 1 to 5, not '{value}'.").format(flag=flag, value=text)
            )
        return check_scale(int(text), flag)

    return parse


class NoMoreAnswers(Exception):
    """The input ended (or Ctrl-C) before every question was answered."""
