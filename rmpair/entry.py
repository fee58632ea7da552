"""The ``rmpair`` command's entry point: Ctrl-C at any moment, even while the command
line is still being imported, ends with exit code 130 and one line, not a traceback.

Every write is atomic and a batch of changes is dropped whole, so an interrupt never
leaves a half-written file behind.
"""

from __future__ import annotations

import sys


def main() -> None:
    import signal

    try:
        # From here on Ctrl-C is a KeyboardInterrupt that this function catches.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from rmpair.cli import main as run

        run()
    except KeyboardInterrupt:
        try:
            from rmpair.i18n import _

            message = _("rmpair: interrupted.")
        except BaseException:  # interrupted while the catalogues were being read
            message = "rmpair: interrupted."
        sys.stderr.write(message + "\n")
        raise SystemExit(130) from None
