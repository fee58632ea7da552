"""Helpers every command module shares: options, opening the journal, output, flag checks.

They sit below the command modules, so a command never imports the root module that
loads it (``app.py``), and no import cycle runs through the command line.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from rmpair.cli._output import console, print_json, print_json_text, print_rows, print_table
from rmpair.clock import SYSTEM_CLOCK, Clock
from rmpair.i18n import _, effective_language, set_language

if TYPE_CHECKING:
    from rmpair.journal import Journal


__all__ = [
    "RmpairError",
    "console",
    "fail",
    "opened",
    "options",
    "print_json",
    "print_json_text",
    "print_rows",
    "print_table",
]


class RmpairError(Exception):
    """A user mistake found by the command line itself (a bad flag value)."""


def fail(message: str) -> NoReturn:
    raise RmpairError(message)


class _Options:
    journal: Path | None = None
    # Where every command reads the time; in-process tests may swap it.
    clock: Clock = SYSTEM_CLOCK
    # Opens the app when ``rmpair`` runs without a command. The console entry point
    # (entry.py) sets it, so the command line never imports the UI.
    launch_app: Callable[[Path | None, Clock], None] | None = None
    # Serves the app to a browser for 'rmpair web' (journal, port, told the address);
    # set by entry.py too, for the same reason.
    serve_web: Callable[[Path | None, int, Callable[[str], None]], None] | None = None


options = _Options()


@contextmanager
def opened(write: bool = True) -> Iterator[Journal]:
    """The selected journal, closed (lock released, cache written) afterwards.

    A command does not compute the status for ``rmpair status`` at the end unless it
    already did (``Journal.close(keep_status=False)``): an edit costs the same in year
    five as on day one, and the next ``rmpair status`` computes it once.

    Switches the interface to this person's language for the tandem (``RMPAIR_LANG``,
    else the tandem's): first as the stored status remembers it, so problems found
    while opening are told in it too, then as the journal says.
    """
    # A command's objects (changes, records, rows) are freed by reference counting or
    # live until it ends; Python's cycle collector, which walks all of them again and
    # again while a large journal is loaded, would only cost time (a good part of
    # listing 10,000 topics). It is paused for the command, from the journal's imports
    # on (modules and classes are made once and kept); at its end what is left is
    # moved out of the collector's sight (gc.freeze), so neither turning it back on nor
    # the interpreter's exit walks it all once more.
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        from rmpair.journal import Journal
        from rmpair.quick import stored_language

        set_language(effective_language(stored_language(options.journal)))
        announce_waits()
        journal = Journal.open(options.journal, write=write, clock=options.clock)
    except BaseException:
        if was_collecting:
            gc.enable()
        raise
    try:
        tandem = journal.tandem()
        set_language(effective_language(tandem.lang if tandem else None))
        yield journal
    finally:
        try:
            journal.close(keep_status=False)
        finally:
            gc.freeze()
            if was_collecting:
                gc.enable()
        if journal.store.unshared:
            typer.echo(
                _(
                    "rmpair: saved on this computer, not yet shared ({reason}); it is shared "
                    "by itself once the journal folder can be written."
                ).format(reason=journal.store.unshared),
                err=True,
            )


def announce_waits() -> None:
    """Tell the user when a write waits for another rmpair on this device (the app, or
    a command in another terminal), instead of seeming to hang."""
    from rmpair.store.journal_store import JournalStore

    def waiting() -> None:
        typer.echo(_("Waiting for another rmpair on this device to finish writing…"), err=True)

    JournalStore.on_wait = waiting


def parse_date_option(value: str | None, flag: str, today: dt.date | None = None) -> dt.date | None:
    """A day from a flag: ISO, or the spoken grammar (today, tomorrow, fri, +2w) read
    against ``today`` (the tandem's; by default the injected clock's UTC day)."""
    from rmpair.domain.spoken_dates import parse_day

    if value is None:
        return None
    return parse_day(value, flag, today or options.clock.now().date())


def check_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(_("--tz: '{zone}' is not a known time zone (e.g. Europe/Berlin).").format(zone=name))
    return name
