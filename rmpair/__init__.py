"""rmpair: a terminal companion for one reverse-mentoring pair."""

from __future__ import annotations

import os
import signal
import sys

__version__ = "0.1.0"

# Set by 'rmpair web' for the app processes it starts: they talk to a browser through
# pipes, with no terminal of their own (screens/web.py, rmpair/entry.py).
WEB_SESSION_ENV = "RMPAIR_WEB_SESSION"


def _started_as_the_command() -> bool:
    """Whether this process is the ``rmpair`` command (the script or ``-m rmpair``),
    not a program that uses rmpair as a library."""
    argv = getattr(sys, "orig_argv", [])
    return argv[1:3] == ["-m", "rmpair"] or (
        len(argv) > 1 and os.path.basename(argv[1]) in ("rmpair", "rmpair.exe")
    )


def _interrupted_while_starting(_signum: int, _frame: object) -> None:
    # Nothing has been read or written yet: leave at once, with one line.
    os.write(2, b"rmpair: interrupted.\n")
    os._exit(130)


if _started_as_the_command():
    # Ctrl-C while the command line is still being imported: no traceback. The entry
    # point hands Ctrl-C back to Python as soon as it can catch it (rmpair/entry.py).
    signal.signal(signal.SIGINT, _interrupted_while_starting)
