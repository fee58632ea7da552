"""The typed templates ``TemplateStore`` hands out, and the errors it reports.

Kept apart from loading and validation so the domain modules that only pass these
values around (plan, backlog, agreement) need not know how TOML files are read.
"""

from __future__ import annotations

from dataclasses import dataclass

from rmpair.domain.template_errors import TemplateNotFound
from rmpair.i18n import _

__all__ = [
    "AgendaTemplateItem",
    "AgreementTemplateItem",
    "InviteTemplate",
    "PrepTemplateItem",
    "Prerequisite",
    "ProgrammeTemplate",
    "ProgrammeTheme",
    "SessionKindTemplate",
    "TemplateInfo",
    "TemplateNotFound",
    "TemplateProblem",
    "TopicIdea",
]


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
