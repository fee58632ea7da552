"""What a valid template file holds, and ``validate``, which checks a parsed one.

The rules of every template kind (required keys, allowed values, placeholders the
texts may use) live here, apart from the loader in ``templates``, so they can be read
and tested on their own; every message names the key it is about.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rmpair.i18n import _
from rmpair.model.records import Category, SessionKind

__all__ = [
    "AGENDA_SLOTS",
    "AGREEMENT_PLACEHOLDERS",
    "CATEGORIES",
    "INVITE_NO_TOPIC_PLACEHOLDERS",
    "INVITE_PLACEHOLDERS",
    "KINDS",
    "MIN_SESSION_MINUTES",
    "PROGRAMME_CADENCES",
    "REQUIRED_AGREEMENT",
    "REQUIRED_PREREQUISITES",
    "ROLES",
    "SESSION_KINDS",
    "placeholder_problem",
    "validate",
]

KINDS = (
    "invite",
    "prerequisites",
    "agreement",
    "session",
    "prep",
    "programme",
    "topic-ideas",
)
CATEGORIES = tuple(c.value for c in Category)
SESSION_KINDS = tuple(k.value for k in SessionKind)
PROGRAMME_CADENCES = ("weekly", "biweekly", "monthly")
ROLES = ("mentor", "mentee")
AGENDA_SLOTS = ("", "topics")
MIN_SESSION_MINUTES = 30

INVITE_PLACEHOLDERS = frozenset({"to", "me", "topic", "cadence", "minutes", "months", "end"})
INVITE_NO_TOPIC_PLACEHOLDERS = INVITE_PLACEHOLDERS - {"topic"}
AGREEMENT_PLACEHOLDERS = frozenset({"cadence", "minutes", "end", "mentor", "mentee"})

# Keys the rest of the tool relies on (it warns per prerequisite, checks the agreement).
REQUIRED_PREREQUISITES = (
    "voluntary",
    "no-reporting-line",
    "no-competition",
    "time-committed",
    "confidentiality",
    "protected-space",
)
REQUIRED_AGREEMENT = (
    "learning-goals",
    "frequency",
    "session-length",
    "end-date",
    "confidentiality",
    "protected-space",
    "mode",
    "feedback",
    "ending-early",
)


_Errors = list[tuple[str, str]]


def _type_name(value: object) -> str:
    names = {
        str: _("text"),
        int: _("a whole number"),
        bool: _("true/false"),
        float: _("a decimal number"),
        list: _("a list"),
        dict: _("a table"),
    }
    return names.get(type(value), type(value).__name__)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _text(table: Mapping[str, Any], key: str, prefix: str, errors: _Errors) -> str:
    """A required, non-empty string."""
    where = _join(prefix, key)
    if key not in table:
        errors.append((where, _("missing")))
        return ""
    value = table[key]
    if not isinstance(value, str):
        errors.append((where, _("should be text, not {type}").format(type=_type_name(value))))
        return ""
    if not value.strip():
        errors.append((where, _("must not be empty")))
    return value


def _optional_text(table: Mapping[str, Any], key: str, prefix: str, errors: _Errors) -> str:
    if key not in table:
        return ""
    value = table[key]
    if not isinstance(value, str):
        errors.append(
            (
                _join(prefix, key),
                _("should be text, not {type}").format(type=_type_name(value)),
            )
        )
        return ""
    return value


def _number(
    table: Mapping[str, Any],
    key: str,
    prefix: str,
    errors: _Errors,
    minimum: int,
    *,
    required: bool = True,
) -> int | None:
    """A whole number of at least ``minimum`` (TOML booleans don't count)."""
    where = _join(prefix, key)
    if key not in table:
        if required:
            errors.append((where, _("missing")))
        return None
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(
            (where, _("should be a whole number, not {type}").format(type=_type_name(value)))
        )
        return None
    if value < minimum:
        errors.append((where, _("must be at least {minimum}").format(minimum=minimum)))
        return None
    return value


def _choice(
    table: Mapping[str, Any],
    key: str,
    prefix: str,
    errors: _Errors,
    allowed: Iterable[str],
) -> str:
    options = tuple(allowed)
    value = _text(table, key, prefix, errors)
    if value and value not in options:
        errors.append(
            (
                _join(prefix, key),
                _("'{value}' is not one of: {allowed}").format(
                    value=value, allowed=", ".join(options)
                ),
            )
        )
    return value


def _tables(
    table: Mapping[str, Any], key: str, errors: _Errors
) -> list[tuple[str, dict[str, Any]]]:
    """A non-empty array of tables (``[[key]]``), each with its key path (1-based)."""
    if key not in table:
        errors.append((key, _("missing")))
        return []
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.append((key, _("should be a list of [[{key}]] tables").format(key=key)))
        return []
    if not value:
        errors.append((key, _("must not be empty")))
    return [(f"{key}[{i}]", v) for i, v in enumerate(value, start=1)]


def placeholder_problem(text: str, allowed: Iterable[str]) -> str | None:
    """Why ``text`` can't be filled with ``str.format`` from ``allowed`` names, or None."""
    names = frozenset(allowed)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return _("broken braces ({error}); write {{{{ and }}}} for literal braces").format(
            error=exc
        )
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in names or spec or conversion:
            return _("unknown placeholder {{{field}}}; allowed: {allowed}").format(
                field=field, allowed=", ".join("{" + n + "}" for n in sorted(names))
            )
    return None


def _placeholders(
    table: Mapping[str, Any], key: str, prefix: str, errors: _Errors, allowed: Iterable[str]
) -> None:
    value = _text(table, key, prefix, errors)
    problem = placeholder_problem(value, allowed) if value else None
    if problem:
        errors.append((_join(prefix, key), problem))


def _keyed_items(
    data: Mapping[str, Any], errors: _Errors, required_keys: Iterable[str]
) -> list[tuple[str, dict[str, Any]]]:
    """``[[item]]`` tables with unique ``key`` values, including all required ones."""
    items = _tables(data, "item", errors)
    seen: set[str] = set()
    for where, item in items:
        key = _text(item, "key", where, errors)
        if key in seen:
            errors.append((_join(where, "key"), _("'{key}' appears twice").format(key=key)))
        seen.add(key)
    if items:
        for key in required_keys:
            if key not in seen:
                errors.append(("item", _("no item with key '{key}'").format(key=key)))
    return items


def _check_invite(name: str, data: Mapping[str, Any], errors: _Errors) -> None:
    # The subject serves both bodies, so like body_no_topic it can't rely on {topic}.
    _placeholders(data, "subject", "", errors, INVITE_NO_TOPIC_PLACEHOLDERS)
    _placeholders(data, "body", "", errors, INVITE_PLACEHOLDERS)
    _placeholders(data, "body_no_topic", "", errors, INVITE_NO_TOPIC_PLACEHOLDERS)


def _check_prerequisites(name: str, data: Mapping[str, Any], errors: _Errors) -> None:
    for where, item in _keyed_items(data, errors, REQUIRED_PREREQUISITES):
        _text(item, "question", where, errors)
        _text(item, "why", where, errors)


def _check_agreement(name: str, data: Mapping[str, Any], errors: _Errors) -> None:
    for where, item in _keyed_items(data, errors, REQUIRED_AGREEMENT):
        _text(item, "title", where, errors)
        _placeholders(item, "text", where, errors, AGREEMENT_PLACEHOLDERS)


def _check_session(name: str, data: Mapping[str, Any], errors: _Errors) -> None:
    kind = _choice(data, "session_kind", "", errors, SESSION_KINDS)
    implied = name.removeprefix("session-")
    if kind and implied in SESSION_KINDS and kind != implied:
        errors.append(
            (
                "session_kind",
                _("'{value}' does not match the file name; expected '{expected}'").format(
                    value=kind, expected=implied
                ),
            )
        )
    default = _number(data, "default_minutes", "", errors, MIN_SESSION_MINUTES)
    total = 0
    slots = 0
    complete = True
    for where, item in _tables(data, "agenda", errors):
        _text(item, "title", where, errors)
        minutes = _number(item, "minutes", where, errors, 1)
        if minutes is None:
            complete = False
        else:
            total += minutes
        slot = _optional_text(item, "slot", where, errors)
        if slot not in AGENDA_SLOTS:
            errors.append(
                (
                    _join(where, "slot"),
                    _("'{value}' is not one of: {allowed}").format(value=slot, allowed="topics"),
                )
            )
        elif slot:
            slots += 1
    if slots > 1:
        errors.append(("agenda", _('only one item may have slot = "topics"')))
    if default is not None and complete and "agenda" in data and total != default:
        errors.append(
            (
                "agenda",
                _(
                    "the timeboxes add up to {total} minutes, but default_minutes is {default}"
                ).format(total=total, default=default),
            )
        )


def _check_prep(name: str, data: Mapping[str, Any], errors: _Errors) -> None:
    role = _choice(data, "role", "", errors, ROLES)
    implied = name.removeprefix("prep-")
    if role and implied in ROLES and role != implied:
        errors.append(
            (
                "role",
                _("'{value}' does not match the file name; expected '{expected}'").format(
                    value=role, expected=implied
                ),
            )
        )
    for where, item in _tables(data, "item", errors):
        _text(item, "text", where, errors)
        kinds = item.get("session_kinds", [])
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            errors.append((_join(where, "session_kinds"), _("should be a list of texts")))
            continue
        for kind in kinds:
            if kind not in SESSION_KINDS:
                errors.append(
                    (
                        _join(where, "session_kinds"),
                        _("'{value}' is not one of: {allowed}").format(
                            value=kind, allowed=", ".join(SESSION_KINDS)
                        ),
                    )
                )


def _check_programme(name: str, data: Mapping[str, Any], errors: _Errors) -> None:
    months = _number(data, "months", "", errors, 1)
    _choice(data, "cadence", "", errors, PROGRAMME_CADENCES)
    _number(data, "minutes", "", errors, MIN_SESSION_MINUTES)
    for where, theme in _tables(data, "theme", errors):
        _text(theme, "title", where, errors)
        _choice(theme, "category", where, errors, CATEGORIES)
        _text(theme, "question", where, errors)
        month = _number(theme, "month", where, errors, 1, required=False)
        if month is not None and months is not None and month > months:
            errors.append(
                (
                    _join(where, "month"),
                    _("month {month} is after the end of a {months}-month programme").format(
                        month=month, months=months
                    ),
                )
            )


def _check_topic_ideas(name: str, data: Mapping[str, Any], errors: _Errors) -> None:
    for where, idea in _tables(data, "idea", errors):
        _text(idea, "title", where, errors)
        _choice(idea, "category", where, errors, CATEGORIES)
        _text(idea, "question", where, errors)


_CHECKS: dict[str, Callable[[str, Mapping[str, Any], _Errors], None]] = {
    "invite": _check_invite,
    "prerequisites": _check_prerequisites,
    "agreement": _check_agreement,
    "session": _check_session,
    "prep": _check_prep,
    "programme": _check_programme,
    "topic-ideas": _check_topic_ideas,
}


def validate(name: str, data: Mapping[str, Any], expected_kind: str | None = None) -> _Errors:
    """All problems of one parsed template as ``(key, message)`` pairs; empty means valid."""
    errors: _Errors = []
    kind = _choice(data, "kind", "", errors, KINDS)
    if kind and expected_kind and kind != expected_kind:
        errors.append(
            (
                "kind",
                _("'{value}' does not match the file name; expected '{expected}'").format(
                    value=kind, expected=expected_kind
                ),
            )
        )
        return errors
    _text(data, "title", "", errors)
    _optional_text(data, "description", "", errors)
    if kind in _CHECKS:
        _CHECKS[kind](name, data, errors)
    return errors
