"""The typed templates ``TemplateStore`` hands out, and the errors it reports.

Kept apart from loading and validation so the domain modules that only pass these
values around (plan, backlog, agreement) need not know how TOML files are read.
Named tuples, not dataclasses: they are made at import, ten times faster, and every
``topic add`` with a title imports them (to match it against the ideas).
"""

from __future__ import annotations

from typing import NamedTuple

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
    "TemplateProblem",
    "TopicIdea",
]


class TemplateProblem(NamedTuple):
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


class TemplateInfo(NamedTuple):
    """What ``templates list`` shows about one template in use."""

    name: str
    kind: str
    title: str
    source: str  # SOURCE_BUILTIN or SOURCE_USER
    path: str
    description: str = ""


class Prerequisite(NamedTuple):
    """A yes/no question the pair confirms before starting, and why it matters."""

    key: str
    question: str
    why: str


class AgreementTemplateItem(NamedTuple):
    """One point of the tandem agreement; ``text`` may hold placeholders."""

    key: str
    title: str
    text: str


class AgendaTemplateItem(NamedTuple):
    """A timeboxed agenda point; ``slot="topics"`` marks where chosen topics go."""

    title: str
    minutes: int
    slot: str = ""


class SessionKindTemplate(NamedTuple):
    """The default length and agenda of one session kind."""

    session_kind: str
    title: str
    default_minutes: int
    agenda: tuple[AgendaTemplateItem, ...]


class PrepTemplateItem(NamedTuple):
    """A preparation step; empty ``session_kinds`` means it fits every session."""

    text: str
    session_kinds: tuple[str, ...] = ()


class ProgrammeTheme(NamedTuple):
    """A theme of a programme plan, optionally pinned to a month (1-based)."""

    title: str
    category: str
    question: str
    month: int | None


class ProgrammeTemplate(NamedTuple):
    """A ready-made plan: duration, rhythm, session length and themes."""

    name: str
    title: str
    months: int
    cadence: str
    minutes: int
    themes: tuple[ProgrammeTheme, ...]


class TopicIdea(NamedTuple):
    """A starting point for the topic backlog."""

    title: str
    category: str
    question: str


class InviteTemplate(NamedTuple):
    """The invitation a leader sends; ``body_no_topic`` is for when no topic is set."""

    subject: str
    body: str
    body_no_topic: str
