"""The ``rmpair`` command's entry point: Ctrl-C at any moment, even while the command
line is still being imported, ends with exit code 130 and one line, not a traceback.

Every write is atomic and a batch of changes is dropped whole, so an interrupt never
leaves a half-written file behind.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from collections.abc import Callable

    from rmpair.clock import Clock


def _launch_app(journal: Path | None, clock: Clock) -> None:
    """Open the Textual app: the command line and the UI meet here, in the entry point,
    so neither imports the other (and Textual loads only when the app opens)."""
    from rmpair.screens.launch import run_app

    run_app(journal, clock)


def _serve_web(journal: Path | None, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve the app to a browser (``rmpair web``); it lives with the app in screens/."""
    from rmpair.screens.web import serve

    serve(journal, port, on_ready)


def _app_only(args: list[str]) -> tuple[bool, Path | None]:
    """Whether the command line only opens the app (``rmpair``, ``rmpair --journal
    DIR``, in a terminal or served to a browser), and the journal it names, as the
    command line's root reads it (``--journal``/``-j``, else ``RMPAIR_JOURNAL``).
    Anything else, the command line decides (Typer, its help, its errors)."""
    from rmpair import WEB_SESSION_ENV

    if not args:
        named = os.environ.get("RMPAIR_JOURNAL")
        journal = Path(named) if named else None
    elif len(args) == 2 and args[0] in ("--journal", "-j") and args[1][:1] not in ("", "-"):
        journal = Path(args[1])
    else:
        return False, None
    served = os.environ.get(WEB_SESSION_ENV) == "1"
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False, None  # in a pipe: the command line prints the status instead
    return True, journal


def _run_app(journal: Path | None) -> None:
    """The app without importing the command line (Typer and its commands take about
    a tenth of the app's start); a mistake ends as the command line ends it: one line
    on stderr and exit code 2."""
    from rmpair.clock import SYSTEM_CLOCK
    from rmpair.errors import ReadOnlyError, UserError, os_error_text
    from rmpair.quick import startup_language

    startup_language()
    try:
        _launch_app(journal, SYSTEM_CLOCK)
        return
    except (UserError, ReadOnlyError) as exc:
        message = str(exc)
    except OSError as exc:
        message = os_error_text(exc)
    sys.stderr.write(f"rmpair: {message}\n")
    raise SystemExit(2)


def _by_ctrl_c(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a Ctrl-C: a KeyboardInterrupt is among its causes."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _leave_interrupted() -> NoReturn:
    """One line on stderr, and exit code 130 at once."""
    try:
        from rmpair.i18n import _

        message = _("rmpair: interrupted.")
    except BaseException:  # interrupted while the catalogues were being read
        message = "rmpair: interrupted."
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    sys.stdout.flush()
    # The interrupted command has unwound (its journal closed, its lock released);
    # leave with 130 at once, so that Python's own exit cannot report the signal.
    os._exit(130)


def main() -> None:
    code: object = 0
    from rmpair import WEB_SESSION_ENV

    if os.environ.get(WEB_SESSION_ENV) == "1":
        # An app served to a browser has no terminal of its own: Ctrl-C in the server's
        # terminal is for the server, which then asks this app to quit and save.
        os.setpgrp()
    try:
        # From here on Ctrl-C is a KeyboardInterrupt that this function catches.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        app_only, journal = _app_only(sys.argv[1:])
        if app_only:
            _run_app(journal)
            raise SystemExit(0)
        # Importing the command line makes many objects and no garbage: the cycle
        # collector would only walk them again and again (about 10 ms of each start).
        # What the imports made is then moved out of its sight (``gc.freeze``).
        collecting = gc.isenabled()
        gc.disable()
        try:
            from rmpair.cli._common import options
            from rmpair.cli.app import main as run
        finally:
            gc.freeze()
            if collecting:
                gc.enable()

        options.launch_app = _launch_app
        options.serve_web = _serve_web
        run()
    except KeyboardInterrupt:
        _leave_interrupted()
    except SystemExit as done:
        # Typer ends a Ctrl-C anywhere in its run (reading the command line, running
        # the command, closing its context) with exit code 130 and not a word.
        if done.code == 130 and _by_ctrl_c(done):
            _leave_interrupted()
        code = done.code
    except Exception as exc:
        # Python 3.11 hands on a Ctrl-C that lands while a class is being made (a
        # dataclass, as a module is imported) as a RuntimeError caused by it.
        if not _by_ctrl_c(exc):
            raise
        _leave_interrupted()
    finally:
        # The command's work is over: a Ctrl-C while Python shuts down changes nothing
        # and must not turn a finished command into a killed one.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise SystemExit(code)
