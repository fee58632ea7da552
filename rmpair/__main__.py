"""``python -m rmpair`` runs the same command line as the ``rmpair`` script."""

from __future__ import annotations

from rmpair.entry import main

main()
