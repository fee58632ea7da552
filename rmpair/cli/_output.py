"""How the command line prints lists, tables and JSON, for a person or for a pipe.

On a terminal a list is a Rich table fitted to the window. When stdout is a pipe or a
file (``rmpair session list | cut -f1``) nothing is wrapped or cut: each row is one
line of tab-separated cells, headers first, so an id is always whole and a script can
split the columns; ``print_rows`` then does not even import Rich, which is a good part
of a short command's start. ``--json`` is indented for a person and compact (and
quicker to encode) for a program.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table


def stdout_is_terminal() -> bool:
    """True when a person reads stdout (a TTY), not a pipe, a file or a test runner."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def console() -> Console:
    """A Rich console on stdout; off a terminal it never wraps a line (soft wrap)."""
    from rich.console import Console

    if stdout_is_terminal():
        return Console(highlight=False)
    return Console(highlight=False, soft_wrap=True, width=100_000)


def print_json(data: Any) -> None:
    """JSON on stdout: indented on a terminal, one compact line for a program."""
    import json

    if stdout_is_terminal():
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    typer.echo(text)


def print_json_text(text: str) -> None:
    """JSON already encoded (compact) on stdout, indented on a terminal. Written as it
    is: JSON text holds no control character to strip, and a listing of thousands of
    topics is megabytes."""
    if stdout_is_terminal():
        import json

        print_json(json.loads(text))
        return
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def plain_text(text: str) -> str:
    """Text for one tab-separated cell: tabs made spaces, its lines joined by " — "."""
    lines = [line.strip() for line in text.replace("\t", " ").splitlines()]
    return " — ".join(line for line in lines if line)


def print_rows(headers: Sequence[str] | None, rows: Iterable[Sequence[str]]) -> None:
    """A list of rows of plain text (never markup): a Rich table on a terminal (a cell
    may hold two lines); tab-separated lines, headers first, for a program."""
    if not stdout_is_terminal():
        lines = [] if headers is None else ["\t".join(plain_text(h) for h in headers)]
        lines.extend("\t".join(plain_text(cell) for cell in row) for row in rows)
        if lines:
            typer.echo("\n".join(lines))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_header=headers is not None)
    for header in headers or []:
        table.add_column(header)
    for row in rows:
        if headers is None and not table.columns:
            for _cell in row:
                table.add_column()
        table.add_row(*(Text(cell) for cell in row))
    console().print(table)


def plain_cell(cell: RenderableType | None) -> str:
    """A cell's text on one line: markup read, newlines and tabs made spaces.

    A cell that holds two lines on a terminal (a topic's title and question) keeps
    both, joined by " — ", so nothing is lost and the row stays one line.
    """
    from rich.text import Text

    if cell is None:
        return ""
    if isinstance(cell, Text):
        text = cell.plain
    elif isinstance(cell, str):
        text = Text.from_markup(cell).plain
    else:
        text = str(cell)
    return plain_text(text)


def print_table(table: Table, out: Console | None = None) -> None:
    """A Rich table on a terminal; tab-separated plain lines, headers first, otherwise."""
    if stdout_is_terminal():
        (out or console()).print(table)
        return
    columns = table.columns
    lines: list[str] = []
    if table.show_header:
        lines.append("\t".join(plain_cell(c.header) for c in columns))
    cells = [list(c.cells) for c in columns]
    for row in range(table.row_count):
        lines.append("\t".join(plain_cell(column[row]) for column in cells))
    typer.echo("\n".join(lines))
