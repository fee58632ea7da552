"""The one translation function for every user-facing string.

All text shown to a person goes through ``_()`` so that a German catalogue can be
added without touching the call sites.
"""

from __future__ import annotations

import gettext
import os

DOMAIN = "rmpair"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def _locale_dir() -> str | None:
    from importlib import resources

    try:
        path = resources.files("rmpair") / "locale"
    except ModuleNotFoundError:  # pragma: no cover - package always importable here
        return None
    return str(path) if path.is_dir() else None


def set_language(lang: str | None) -> None:
    """Switch the active catalogue; unknown languages fall back to English."""
    global _translation
    chosen = lang or os.environ.get("RMPAIR_LANG")
    localedir = _locale_dir()
    if not chosen or chosen.startswith("en") or localedir is None:
        _translation = gettext.NullTranslations()
        return
    _translation = gettext.translation(DOMAIN, localedir, languages=[chosen], fallback=True)


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count."""
    return _translation.ngettext(singular, plural, n)
