"""The errors a user can cause or fix, kept in a module that costs nothing to import."""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix (wrong folder, unknown id, impossible date)."""


class ReadOnlyError(Exception):
    """A change was asked for while the journal can only be read; the message says why."""
