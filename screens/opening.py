"""Opening the journal for the app: only what home needs first, the rest afterwards.

A command opens a journal lazily: the cache's parts are decoded when a query first
needs their kind of record. The app used to decode all of them at once (``hold_lock``),
which for five years of sessions costs about as much as starting Textual; home needs
only some of them. So the app opens the journal as a command does, shows home, and
then decodes the rest (``load_rest``) on the journal's thread, so that a long session
does not depend on cache parts that a command run meanwhile may replace.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rmpair.clock import Clock
from rmpair.store.home import Home

if TYPE_CHECKING:
    from rmpair.journal import Journal
    from rmpair.store.crypto import Passphrase, PassphraseRequest


def open_for_app(folder: Path, home: Home, clock: Clock, passphrase: Passphrase = None) -> Journal:
    """Open ``folder`` for the app before it starts, in the terminal: a passphrase can
    be typed. Lazily, unless it is encrypted: then as before, everything now and the
    passphrase (``passphrase``, else the usual sources) asked here, once, before the
    app owns the terminal. The lazy attempt never asks."""
    from rmpair.journal import Journal

    journal = Journal.open(folder, home=home, clock=clock, passphrase=_never_asked)
    if not journal.store.encryption_wanted():
        return journal
    journal.close()
    return Journal.open(folder, home=home, hold_lock=True, passphrase=passphrase, clock=clock)


def _never_asked(_request: PassphraseRequest) -> str | None:
    """``crypto.no_passphrase``, without loading the encryption's module for a journal
    that is not encrypted (most are)."""
    return None


def load_rest(journal: Journal) -> None:
    """Decode every part of the journal's cache not decoded yet (on the journal's thread)."""
    journal.store.state.load_all()
