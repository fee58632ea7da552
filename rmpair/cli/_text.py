"""Long text for notes, learnings and agreement items: on the command line, from stdin
(``-``), or written in the user's editor when no text is given, as ``git commit`` and
``jrnl`` do.

An editor is what people use for more than a line of Markdown; stdin is what a script
or ``pbpaste | rmpair note add next -`` uses. Either way an empty result saves nothing.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from rmpair.cli._common import fail
from rmpair.i18n import _

STDIN = "-"


def editor_command() -> list[str] | None:
    """``$VISUAL``, else ``$EDITOR``, split like a shell would; None when neither is set."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return shlex.split(value)
    return None


def edit_in_editor(initial: str = "") -> str:
    """Open the user's editor on a temporary Markdown file holding ``initial``; its text
    once the editor exits."""
    command = editor_command()
    if command is None:
        fail(
            _(
                "No text given and no editor set: give the text, '-' to read it from stdin, "
                "or set $EDITOR (or $VISUAL)."
            )
        )
    with tempfile.TemporaryDirectory(prefix="rmpair-edit-") as folder:
        path = Path(folder) / "text.md"
        path.write_text(initial, encoding="utf-8")
        try:
            done = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            fail(
                _("Could not start the editor '{editor}' ({error}).").format(
                    editor=command[0], error=exc.strerror or exc
                )
            )
        if done.returncode != 0:
            fail(
                _("The editor exited with status {status}; nothing was saved.").format(
                    status=done.returncode
                )
            )
        return path.read_text(encoding="utf-8")


def read_text(value: str | None, initial: str = "") -> str:
    """The text a command saves: ``value`` as given, stdin for ``-``, else the editor
    (starting from ``initial``). Empty text cancels with a message (exit 2)."""
    if value is None:
        text = edit_in_editor(initial)
    elif value == STDIN:
        text = sys.stdin.read()
    else:
        return value
    text = text.strip()
    if not text:
        fail(_("The text is empty; nothing was saved."))
    return text
