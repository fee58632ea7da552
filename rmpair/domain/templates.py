"""Load and validate the TOML templates: invitation, agreement, sessions, programmes, ideas.

Built-in templates ship in the ``rmpair.templates`` data package, one folder per
language. A user may override any of them by name, or add new ones, in a folder of
their own; a broken user file is reported and the built-in one is used instead, so a
typo never stops the tool.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from rmpair.domain.template_errors import TemplateNotFound
from rmpair.domain.template_schema import validate
from rmpair.domain.template_types import (
    AgendaTemplateItem,
    AgreementTemplateItem,
    InviteTemplate,
    PrepTemplateItem,
    Prerequisite,
    ProgrammeTemplate,
    ProgrammeTheme,
    SessionKindTemplate,
    TemplateInfo,
    TemplateProblem,
    TopicIdea,
)
from rmpair.i18n import _

if TYPE_CHECKING:
    from importlib.abc import Traversable

    from rmpair.domain.template_digest import Listing, TemplateDigest
    from rmpair.store.home import Home

DATA_PACKAGE = "rmpair.templates"
DEFAULT_LANG = "en"
SOURCE_BUILTIN = "built-in"
SOURCE_USER = "user"

_LANG_RE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")


# ---------------------------------------------------------------- locations


def default_user_dir() -> Path:
    """Where the user's own templates live; environment variables win for tests and setups."""
    explicit = os.environ.get("RMPAIR_TEMPLATES")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("RMPAIR_HOME")
    if home:
        return Path(home).expanduser() / "templates"
    import platformdirs  # here: with RMPAIR_HOME set (tests, setups) it is not needed

    return Path(platformdirs.user_config_dir("rmpair")) / "templates"


def builtin_root() -> Traversable:
    """The folder holding the built-in language folders (``en/`` and so on).

    It is the ``rmpair.templates`` data package, installed from the top-level
    ``templates/`` folder, so editable and normal installs read the same files.
    """
    from importlib import resources

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


# ---------------------------------------------------------------- the store


class _Loaded(NamedTuple):
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

    def __init__(
        self, lang: str = DEFAULT_LANG, user_dir: Path | None = None, home: Home | None = None
    ) -> None:
        self.lang = lang
        self.user_dir = user_dir if user_dir is not None else default_user_dir()
        # Files are listed now and read when a template is first asked for: the
        # templates command shows one file without reading the others. (With a home,
        # the first read reads them all, to keep the digest for the next runs.)
        self._files: dict[str, list[tuple[str, Traversable]]] = {}
        self._problems: dict[str, list[TemplateProblem]] = {}
        self._templates: dict[str, _Loaded] = {}
        # With a ``home``, this device's digest of the templates (``template_digest``)
        # stands in for the files while they are unchanged: (kind, source, path, text,
        # data) by name, each checked as a file is when first used.
        self._digest: TemplateDigest | None = None
        self._digested: dict[str, tuple[Any, ...]] | None = None
        self._listings: list[Listing] | None = None
        if home is not None:
            from rmpair.domain.template_digest import TemplateDigest

            self._digest = TemplateDigest(home, lang, str(self.user_dir))
            self._digested = self._digest.load()
        if self._digested is None:
            self._list_files()

    @property
    def problems(self) -> list[TemplateProblem]:
        """What is wrong with the template files, by template name (reads them all)."""
        self._all()
        return [p for name in sorted(self._problems) for p in self._problems[name]]

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

    def _list_files(self) -> None:
        files = self._files
        candidates = self._candidates()
        if self._digest is not None and all(isinstance(f, Path) for _s, f in candidates):
            from rmpair.domain.template_digest import listing

            # Listed before any file is read: a file that changes meanwhile only
            # makes the next run read the files again.
            self._listings = [listing(str(folder)) for _source, folder in candidates]
        for source, folder in candidates:
            try:
                entries = sorted(folder.iterdir(), key=lambda p: p.name) if folder.is_dir() else []
            except OSError:
                entries = []
            for entry in entries:
                if entry.name.endswith(".toml") and entry.is_file():
                    files.setdefault(entry.name[: -len(".toml")], []).append((source, entry))

    def _one(self, name: str) -> _Loaded | None:
        """The template ``name``: the first of its files that parses and validates."""
        if self._digested is not None:
            return self._one_digested(name)
        if self._digest is not None:
            self._read_files()
        return self._read_one(name)

    def _read_one(self, name: str) -> _Loaded | None:
        if name not in self._problems and name in self._files:
            self._problems[name] = []
            for source, entry in self._files[name]:
                loaded = self._load_one(name, source, entry, _kind_from_name(name))
                if loaded is not None:
                    self._templates[name] = loaded
                    break
        return self._templates.get(name)

    def _read_files(self) -> None:
        """Read every template from its files; the first time, with a digest to keep,
        keep it for the next runs."""
        digest, self._digest = self._digest, None
        for name in sorted(self._files):
            self._read_one(name)
        if digest is not None:
            self._keep(digest)

    def _one_digested(self, name: str) -> _Loaded | None:
        """``name`` from the digest, checked as its file would be; a digest that fails
        the check is dropped and the files are read instead."""
        assert self._digested is not None
        if name in self._problems or name not in self._digested:
            return self._templates.get(name)
        from rmpair.domain.template_digest import toml_shaped

        kind, source, path, text, data = self._digested[name]
        if (
            not toml_shaped(data)
            or kind != data.get("kind")
            or validate(name, data, _kind_from_name(name))
        ):
            self._digested = None
            self._problems, self._templates = {}, {}
            self._list_files()
            return self._one(name)
        self._problems[name] = []
        self._templates[name] = loaded = _Loaded(name, kind, source, path, text, data)
        return loaded

    def _keep(self, digest: TemplateDigest) -> None:
        """Keep what the files said, unless one has a problem (those are reported from
        the files each time) or the built-ins are not plain files on disk."""
        if self._listings is None or any(self._problems.values()):
            return
        digest.save(
            self._listings,
            {t.name: (t.kind, t.source, t.path, t.text, t.data) for t in self._templates.values()},
        )

    def _all(self) -> dict[str, _Loaded]:
        if self._digested is not None:
            for name in sorted(self._digested):
                self._one(name)
            if self._digested is not None:  # every template passed its check
                return self._templates
        self._read_files()
        return self._templates

    def _load_one(
        self, name: str, source: str, entry: Traversable, expected_kind: str | None
    ) -> _Loaded | None:
        import tomllib  # here: a run that has the digest parses no TOML

        path = str(entry)
        try:
            text = entry.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._problem(name, path, "", _("cannot read the file: {error}").format(error=exc))
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self._problem(name, path, "", _("not valid TOML: {error}").format(error=exc))
            return None
        errors = validate(name, data, expected_kind)
        if errors:
            for key, message in errors:
                self._problem(name, path, key, message)
            return None
        return _Loaded(name, str(data["kind"]), source, path, text, data)

    def _problem(self, name: str, path: str, key: str, message: str) -> None:
        problem = TemplateProblem(path, key, message)
        found = self._problems.setdefault(name, [])
        if problem not in found:
            found.append(problem)

    def _get(self, name: str, kind: str | None = None) -> _Loaded:
        loaded = self._one(name)
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
            for t in sorted(self._all().values(), key=lambda t: t.name)
        ]

    def raw(self, name: str) -> dict[str, Any]:
        """The validated data of a template (a copy, safe to change)."""
        import copy

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
        loaded = self._one(full)
        if loaded is None or loaded.kind != "programme":
            loaded = self._get(name, "programme")
        return self._programme(loaded)

    def programmes(self) -> tuple[ProgrammeTemplate, ...]:
        """Every programme plan in use, sorted by name."""
        return tuple(
            self._programme(t)
            for t in sorted(self._all().values(), key=lambda t: t.name)
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
