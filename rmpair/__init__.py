"""rmpair: a terminal companion for one reverse-mentoring pair."""

from __future__ import annotations

__version__ = "0.1.0"
