"""The one translation function for every user-facing string, and the choice of language.

All text shown to a person goes through ``_()`` (or ``ngettext()`` when it depends on a
count), so the catalogues in ``rmpair/locale`` translate it without touching the call
sites. ``tools/i18n.py`` extracts the messages, merges them into the catalogues and
compiles them.

Languages are ``en`` (the source, and the fallback for anything untranslated), ``de``
(German, addressing people with "du") and ``de_formal`` (German with "Sie"; only the
messages that address someone differ, the rest comes from ``de``). Who decides:

* the interface (messages, labels, dates) follows ``effective_language``: the person's
  ``RMPAIR_LANG``, else the tandem's language, else the locale, else English;
* what is written into the shared journal or sent to the partner (agreement, agendas,
  prep checklists, the invitation) follows ``content_language``: the tandem's language
  only, so both devices write the same words into the same records.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

DOMAIN = "rmpair"
DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "de", "de_formal")
FORMAL_SUFFIX = "_formal"

# The variables gettext itself reads, in its order; LANGUAGE is a colon-separated list.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


class Translations(Protocol):
    """What a catalogue offers: gettext's translation classes fit this."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class _Source:
    """English, the language the messages are written in: nothing to look up, so the
    common case loads no gettext machinery at all (it matters for start-up time)."""

    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural


_translations: dict[str, Translations] = {}
_language = DEFAULT_LANGUAGE
_translation: Translations = _Source()


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (it is shown later,
    through ``_()``, e.g. a stored value such as ``"mentor"``)."""
    return message


# Stored values that are shown as words (``_(role.value)``, ``_(session.kind.value)``).
# Listed so the extractor finds them; tests/test_i18n.py checks every value of the
# model's enums is here.
WORDS = (
    # Role
    N_("mentor"),
    N_("mentee"),
    # Cadence
    N_("weekly"),
    N_("biweekly"),
    N_("monthly"),
    N_("first-weekday"),
    # Category
    N_("technology"),
    N_("work"),
    N_("culture"),
    N_("project"),
    # TopicStatus
    N_("backlog"),
    N_("planned"),
    N_("covered"),
    N_("dropped"),
    # SessionKind
    N_("kickoff"),
    N_("regular"),
    N_("retrospective"),
    # SessionStatus
    N_("held"),
    N_("cancelled"),
    # Direction
    N_("mentor->mentee"),
    N_("mentee->mentor"),
)


# --------------------------------------------------------------- which language


def normalize_language(value: str | None) -> str | None:
    """The supported language a code or locale names, or None.

    ``de_DE.UTF-8`` and ``de-AT`` give ``de``; ``de-formal``, ``de_formal`` and
    WordPress's ``de_DE_formal`` give ``de_formal``; ``C`` and ``POSIX`` give ``en``;
    anything else (``fr_FR``, ``""``) gives None.
    """
    if not value:
        return None
    text = value.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_").casefold()
    if text in ("c", "posix"):
        return DEFAULT_LANGUAGE
    parts = [p for p in text.split("_") if p]
    if not parts:
        return None
    base = parts[0]
    formal = len(parts) > 1 and parts[-1] == FORMAL_SUFFIX.strip("_")
    if formal and base + FORMAL_SUFFIX in LANGUAGES:
        return base + FORMAL_SUFFIX
    return base if base in LANGUAGES else None


def _is_c_locale(value: str) -> bool:
    return value.split(".", 1)[0] in ("C", "POSIX")


def locale_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the process locale asks for, as gettext reads it, or None.

    ``LANGUAGE`` (a priority list) counts unless the locale is C; otherwise the first
    of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set decides.
    """
    env = os.environ if environ is None else environ
    locale_value = next((env[v] for v in LOCALE_VARIABLES if env.get(v)), "")
    if env.get("LANGUAGE") and not _is_c_locale(locale_value):
        for entry in env["LANGUAGE"].split(":"):
            found = normalize_language(entry)
            if found:
                return found
    return normalize_language(locale_value)


def effective_language(
    tandem_lang: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """The interface language for this person: ``RMPAIR_LANG``, else the tandem's
    language, else the locale, else English. Unsupported values count as unset."""
    env = os.environ if environ is None else environ
    for candidate in (env.get("RMPAIR_LANG"), tandem_lang):
        found = normalize_language(candidate)
        if found:
            return found
    return locale_language(env) or DEFAULT_LANGUAGE


def content_language(tandem_lang: str | None) -> str:
    """The language of what goes into the shared journal: the tandem's, else English.

    No personal override here: two devices writing the same record (an agreement
    item, a programme theme) must write the same words.
    """
    return normalize_language(tandem_lang) or DEFAULT_LANGUAGE


def base_language(lang: str) -> str:
    """``de_formal`` -> ``de``: the language without its form of address."""
    return lang.removesuffix(FORMAL_SUFFIX)


def fallback_chain(lang: str) -> list[str]:
    """The catalogues to consult, best first (English, the source, is implicit)."""
    chain = [lang]
    if base_language(lang) != lang:
        chain.append(base_language(lang))
    return [code for code in chain if code != DEFAULT_LANGUAGE]


# --------------------------------------------------------------- catalogues


def locale_dir() -> Path | None:
    """Where the compiled catalogues live (``rmpair/locale``, shipped inside the package),
    if it exists."""
    path = Path(__file__).resolve().parent / "locale"
    return path if path.is_dir() else None


def translation_for(lang: str) -> Translations:
    """The catalogue chain for ``lang`` (cached): e.g. de_formal, then de, then English."""
    code = normalize_language(lang) or DEFAULT_LANGUAGE
    cached = _translations.get(code)
    if cached is not None:
        return cached
    chain = fallback_chain(code)
    if not chain:
        result: Translations = _Source()
        _translations[code] = result
        return result
    import gettext

    folder = locale_dir()
    found: list[gettext.NullTranslations] = []
    if folder is not None:
        for part in chain:
            path = folder / part / "LC_MESSAGES" / f"{DOMAIN}.mo"
            try:
                with path.open("rb") as handle:
                    found.append(gettext.GNUTranslations(handle))
            except OSError:
                continue
    if not found:
        result = _Source()
    else:
        for more in found[1:]:
            found[0].add_fallback(more)
        result = found[0]
    _translations[code] = result
    return result


def set_language(lang: str | None) -> str:
    """Switch the interface to ``lang`` (None: ``effective_language()`` without a
    tandem); unsupported languages mean English. Returns the language now active."""
    global _language, _translation
    code = normalize_language(lang) if lang else effective_language(None)
    _language = code or DEFAULT_LANGUAGE
    _translation = translation_for(_language)
    return _language


def current_language() -> str:
    """The interface language in use, e.g. ``de``."""
    return _language


def gettext_for(lang: str | None) -> Callable[[str], str]:
    """The translate function of ``lang``, or ``_`` (the interface language) for None.

    For text written in the tandem's language whatever the interface shows, e.g. the
    cadence inside the invitation."""
    return _ if lang is None else translation_for(lang).gettext


def _(message: str) -> str:
    """Translate ``message`` into the active language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message that depends on a count."""
    return _translation.ngettext(singular, plural, n)


set_language(None)
