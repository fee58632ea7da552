"""Options of the commands that write files (export, report).

Kept out of ``_common.py``: the help text is translated when the module loads, and
``_common`` loads before the interface language is known; this module loads with the
command that needs it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from rmpair.i18n import _

AllowInJournalOpt = Annotated[
    bool,
    typer.Option(
        "--allow-in-journal",
        help=_("Allow writing the file inside the shared journal folder."),
    ),
]
