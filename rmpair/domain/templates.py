"""Load and validate the TOML templates: invitation, agreement, sessions, programmes, ideas.

Built-in templates ship in the ``rmpair.templates`` data package, one folder per
language. A user may override any of them by name, or add new ones, in a folder of
their own; a broken user file is reported and the built-in one is used instead, so a
typo never stops the tool.
"""

from __future__ import annotations

import copy
import os
import re
import string
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import platformdirs

from rmpair.i18n import _
from rmpair.model.records import Category, SessionKind

DATA_PACKAGE = "rmpair.templates"
DEFAULT_LANG = "en"
SOURCE_BUILTIN = "built-in"
SOURCE_USER = "user"

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
    "ending-early",
)

_LANG_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template file, kept so the user can fix it."""

    path: str
    key: str
    message: str

    def __str__(self) -> str:
        if self.key:
            return _("{file}: key '{key}': {problem}").format(
                file=self.path, key=self.key, problem=self.message
            )
        return _("{file}: {problem}").format(file=self.path, problem=self.message)


@dataclass(frozen=True)
class TemplateInfo:
    """What ``templates list`` shows about one template in use."""

    name: str
    kind: str
    title: str
    source: str  # SOURCE_BUILTIN or SOURCE_USER
    path: str
    description: str = ""


@dataclass(frozen=True)
class Prerequisite:
    """A yes/no question the pair confirms before starting, and why it matters."""

    key: str
    question: str
    why: str


@dataclass(frozen=True)
class AgreementTemplateItem:
    """One point of the tandem agreement; ``text`` may hold placeholders."""

    key: str
    title: str
    text: str


@dataclass(frozen=True)
class AgendaTemplateItem:
    """A timeboxed agenda point; ``slot="topics"`` marks where chosen topics go."""

    title: str
    minutes: int
    slot: str = ""


@dataclass(frozen=True)
class SessionKindTemplate:
    """The default length and agenda of one session kind."""

    session_kind: str
    title: str
    default_minutes: int
    agenda: tuple[AgendaTemplateItem, ...]


@dataclass(frozen=True)
class PrepTemplateItem:
    """A preparation step; empty ``session_kinds`` means it fits every session."""

    text: str
    session_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgrammeTheme:
    """A theme of a programme plan, optionally pinned to a month (1-based)."""

    title: str
    category: str
    question: str
    month: int | None


@dataclass(frozen=True)
class ProgrammeTemplate:
    """A ready-made plan: duration, rhythm, session length and themes."""

    name: str
    title: str
    months: int
    cadence: str
    minutes: int
    themes: tuple[ProgrammeTheme, ...]


@dataclass(frozen=True)
class TopicIdea:
    """A starting point for the topic backlog."""

    title: str
    category: str
    question: str


@dataclass(frozen=True)
class InviteTemplate:
    """The invitation a leader sends; ``body_no_topic`` is for when no topic is set."""

    subject: str
    body: str
    body_no_topic: str


class TemplateNotFound(KeyError):
    """Raised for a template name (or kind) that is not available."""

    def __init__(self, name: str, kind: str = "") -> None:
        super().__init__(name)
        self.name = name
        self.kind = kind

    def __str__(self) -> str:
        if self.kind:
            return _("No {kind} template named '{name}'.").format(kind=self.kind, name=self.name)
        return _("No template named '{name}'.").format(name=self.name)


# ---------------------------------------------------------------- locations


def default_user_dir() -> Path:
    """Where the user's own templates live; environment variables win for tests and setups."""
    explicit = os.environ.get("RMPAIR_TEMPLATES")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("RMPAIR_HOME")
    if home:
        return Path(home).expanduser() / "templates"
    return Path(platformdirs.user_config_dir("rmpair")) / "templates"


def builtin_root() -> Traversable:
    """The folder holding the built-in language folders (``en/`` and so on).

    It is the ``rmpair.templates`` data package, installed from the top-level
    ``templates/`` folder, so editable and normal installs read the same files.
    """
    return resources.files(DATA_PACKAGE)


def _lang_chain(lang: str) -> list[str]:
    """``de_AT`` -> ``["de_AT", "de"]``; ``de-formal`` -> ``["de_formal", "de"]`` (the
    "Sie" templates, then the rest from German); anything odd-looking counts as English."""
    if not _LANG_RE.match(lang):
        return [DEFAULT_LANG]
    parts = re.split(r"[_-]", lang)
    base = parts[0].lower()
    if len(parts) > 1 and parts[-1].casefold() == "formal":
        lang = f"{base}_formal"
    chain = [lang]
    if base != lang:
        chain.append(base)
    return chain


def _kind_from_name(name: str) -> str | None:
    """The kind a built-in naming scheme implies, e.g. ``session-regular`` -> session."""
    if name in ("invite", "prerequisites", "agreement", "topic-ideas"):
        return name
    for prefix in ("session", "prep", "programme"):
        if name.startswith(prefix + "-"):
            return prefix
    return None


# ---------------------------------------------------------------- validation

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


# ---------------------------------------------------------------- the store


@dataclass(frozen=True)
class _Loaded:
    name: str
    kind: str
    source: str
    path: str
    text: str
    data: dict[str, Any]


class TemplateStore:
    """All templates in use for one language: user files first, then the built-ins.

    Lookup order per name: ``<user_dir>/<lang>/<name>.toml``, ``<user_dir>/<name>.toml``,
    the built-in for ``<lang>``, the English built-in. The first file that parses and
    validates wins; every one that doesn't is recorded in ``problems``.
    """

    def __init__(self, lang: str = DEFAULT_LANG, user_dir: Path | None = None) -> None:
        self.lang = lang
        self.user_dir = user_dir if user_dir is not None else default_user_dir()
        self.problems: list[TemplateProblem] = []
        self._templates: dict[str, _Loaded] = {}
        self._load_all()

    # -- loading

    def _candidates(self) -> list[tuple[str, Traversable]]:
        """The folders to search, best first, each with its source label."""
        folders: list[tuple[str, Traversable]] = []
        chain = _lang_chain(self.lang)
        for code in chain:
            folders.append((SOURCE_USER, self.user_dir / code))
        folders.append((SOURCE_USER, self.user_dir))
        root = builtin_root()
        for code in [*chain, DEFAULT_LANG]:
            folders.append((SOURCE_BUILTIN, root / code))
        seen: set[str] = set()
        unique: list[tuple[str, Traversable]] = []
        for source, folder in folders:
            if str(folder) not in seen:
                seen.add(str(folder))
                unique.append((source, folder))
        return unique

    def _load_all(self) -> None:
        files: dict[str, list[tuple[str, Traversable]]] = {}
        for source, folder in self._candidates():
            try:
                entries = sorted(folder.iterdir(), key=lambda p: p.name) if folder.is_dir() else []
            except OSError:
                entries = []
            for entry in entries:
                if entry.name.endswith(".toml") and entry.is_file():
                    files.setdefault(entry.name[: -len(".toml")], []).append((source, entry))
        for name, found in sorted(files.items()):
            expected = _kind_from_name(name)
            for source, entry in found:
                loaded = self._load_one(name, source, entry, expected)
                if loaded is not None:
                    self._templates[name] = loaded
                    break

    def _load_one(
        self, name: str, source: str, entry: Traversable, expected_kind: str | None
    ) -> _Loaded | None:
        path = str(entry)
        try:
            text = entry.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._problem(path, "", _("cannot read the file: {error}").format(error=exc))
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self._problem(path, "", _("not valid TOML: {error}").format(error=exc))
            return None
        errors = validate(name, data, expected_kind)
        if errors:
            for key, message in errors:
                self._problem(path, key, message)
            return None
        return _Loaded(name, str(data["kind"]), source, path, text, data)

    def _problem(self, path: str, key: str, message: str) -> None:
        problem = TemplateProblem(path, key, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def _get(self, name: str, kind: str | None = None) -> _Loaded:
        loaded = self._templates.get(name)
        if loaded is None or (kind is not None and loaded.kind != kind):
            raise TemplateNotFound(name, kind or "")
        return loaded

    # -- generic access

    def names(self) -> list[TemplateInfo]:
        """Every template in use, user ones overriding built-ins of the same name."""
        return [
            TemplateInfo(
                name=t.name,
                kind=t.kind,
                title=str(t.data["title"]),
                source=t.source,
                path=t.path,
                description=str(t.data.get("description", "")),
            )
            for t in sorted(self._templates.values(), key=lambda t: t.name)
        ]

    def raw(self, name: str) -> dict[str, Any]:
        """The validated data of a template (a copy, safe to change)."""
        return copy.deepcopy(self._get(name).data)

    def source_text(self, name: str) -> str:
        """The TOML text of the file actually in use, e.g. to copy and adapt it."""
        return self._get(name).text

    def info(self, name: str) -> TemplateInfo:
        """Where a single template comes from (user or built-in, and its path)."""
        for item in self.names():
            if item.name == name:
                return item
        raise TemplateNotFound(name)

    # -- typed access

    def invite(self) -> InviteTemplate:
        """The invitation text with its placeholders still in place."""
        data = self._get("invite", "invite").data
        return InviteTemplate(
            subject=data["subject"], body=data["body"], body_no_topic=data["body_no_topic"]
        )

    def prerequisites(self) -> tuple[Prerequisite, ...]:
        """The questions the pair confirms before starting, in file order."""
        data = self._get("prerequisites", "prerequisites").data
        return tuple(Prerequisite(i["key"], i["question"], i["why"]) for i in data["item"])

    def agreement(self) -> tuple[AgreementTemplateItem, ...]:
        """The points of the tandem agreement, in file order."""
        data = self._get("agreement", "agreement").data
        return tuple(AgreementTemplateItem(i["key"], i["title"], i["text"]) for i in data["item"])

    def session_kind(self, kind: str) -> SessionKindTemplate:
        """Length and agenda for a session kind such as ``"kickoff"``."""
        name = kind if kind.startswith("session-") else f"session-{kind}"
        data = self._get(name, "session").data
        return SessionKindTemplate(
            session_kind=data["session_kind"],
            title=data["title"],
            default_minutes=data["default_minutes"],
            agenda=tuple(
                AgendaTemplateItem(a["title"], a["minutes"], a.get("slot", ""))
                for a in data["agenda"]
            ),
        )

    def prep(self, role: str, session_kind: str | None = None) -> tuple[PrepTemplateItem, ...]:
        """The preparation checklist for a role, limited to one session kind if given."""
        data = self._get(f"prep-{role}", "prep").data
        items = (
            PrepTemplateItem(i["text"], tuple(i.get("session_kinds", ()))) for i in data["item"]
        )
        return tuple(
            item
            for item in items
            if session_kind is None or not item.session_kinds or session_kind in item.session_kinds
        )

    def programme(self, name: str) -> ProgrammeTemplate:
        """A programme plan by short (``engineering-6m``) or full name."""
        full = name if name.startswith("programme-") else f"programme-{name}"
        loaded = self._templates.get(full)
        if loaded is None or loaded.kind != "programme":
            loaded = self._get(name, "programme")
        return self._programme(loaded)

    def programmes(self) -> tuple[ProgrammeTemplate, ...]:
        """Every programme plan in use, sorted by name."""
        return tuple(
            self._programme(t)
            for t in sorted(self._templates.values(), key=lambda t: t.name)
            if t.kind == "programme"
        )

    @staticmethod
    def _programme(loaded: _Loaded) -> ProgrammeTemplate:
        data = loaded.data
        return ProgrammeTemplate(
            name=loaded.name.removeprefix("programme-"),
            title=data["title"],
            months=data["months"],
            cadence=data["cadence"],
            minutes=data["minutes"],
            themes=tuple(
                ProgrammeTheme(t["title"], t["category"], t["question"], t.get("month"))
                for t in data["theme"]
            ),
        )

    def topic_ideas(self, category: str | None = None) -> tuple[TopicIdea, ...]:
        """Ideas for the topic backlog, optionally of one category only."""
        data = self._get("topic-ideas", "topic-ideas").data
        return tuple(
            TopicIdea(i["title"], i["category"], i["question"])
            for i in data["idea"]
            if category is None or i["category"] == category
        )
