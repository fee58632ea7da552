"""The errors a user can cause or fix, kept in a module that costs nothing to import."""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix (wrong folder, unknown id, impossible date)."""


class ReadOnlyError(Exception):
    """A change was asked for while the journal can only be read; the message says why."""


class NotSavedError(UserError, OSError):
    """A change could not be written to this device's own copy: nothing was saved.

    A disk error (an ``OSError``) that the user is told about in one line."""


def os_error_text(exc: OSError) -> str:
    """A disk error in plain words: what happened, and to which file or folder."""
    reason = exc.strerror or str(exc) or exc.__class__.__name__
    return f"{reason}: {exc.filename}" if exc.filename else reason
