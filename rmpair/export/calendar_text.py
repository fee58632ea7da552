"""The words of the calendar export: event titles and descriptions, translated.

What a session's event says is kept apart from how the events are put together
(``rmpair.export.calendar_events``), so the texts, all in ``_()``, sit in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rmpair.i18n import _
from rmpair.model.records import AgendaItem, Direction, PrepItem, Role, Session, SessionKind, Tandem

__all__ = [
    "calendar_name",
    "event_description",
    "event_summary",
    "kind_label",
    "prep_heading",
    "role_label",
    "session_what",
]


def kind_label(kind: SessionKind) -> str:
    """The kind of session in words, e.g. "Kick-off"."""
    labels = {
        SessionKind.KICKOFF: _("Kick-off"),
        SessionKind.REGULAR: _("Regular session"),
        SessionKind.RETROSPECTIVE: _("Retrospective"),
        SessionKind.PROJECT: _("Project session"),
    }
    return labels[kind]


def role_label(role: Role) -> str:
    """The role in words, as it follows a name: "mentor" or "mentee"."""
    return _("mentor") if role is Role.MENTOR else _("mentee")


def calendar_name(tandem: Tandem) -> str:
    """The calendar's display name, e.g. "Reverse mentoring: Sam & Dana"."""
    return _("Reverse mentoring: {mentor} & {mentee}").format(
        mentor=tandem.mentor, mentee=tandem.mentee
    )


def session_what(session: Session) -> str:
    """The session's own name for the calendar: its title, theme or (if unusual) kind."""
    if session.title:
        return session.title
    if session.theme:
        return session.theme
    return "" if session.kind is SessionKind.REGULAR else kind_label(session.kind)


def event_summary(tandem: Tandem, session: Session) -> str:
    """The event's title: the calendar's name, and the session's own if it has one."""
    what = session_what(session)
    if not what:
        return calendar_name(tandem)
    return _("Reverse mentoring: {mentor} & {mentee} – {what}").format(
        mentor=tandem.mentor, mentee=tandem.mentee, what=what
    )


def event_description(
    tandem: Tandem,
    session: Session,
    agenda: Sequence[AgendaItem],
    prep: Mapping[Role, Sequence[PrepItem]],
) -> str:
    """The event's text: kind and length, who teaches, theme, agenda and checklists."""
    teacher = Role.MENTEE if session.direction is Direction.MENTEE_TEACHES else Role.MENTOR
    learner = teacher.other
    lines = [
        _("{kind}, {minutes} minutes").format(
            kind=kind_label(session.kind), minutes=session.minutes
        ),
        _("{teacher} ({teacher_role}) teaches, {learner} ({learner_role}) learns.").format(
            teacher=tandem.name_of(teacher),
            teacher_role=role_label(teacher),
            learner=tandem.name_of(learner),
            learner_role=role_label(learner),
        ),
    ]
    if session.theme and session.theme != session.title:
        lines.append(_("Theme: {theme}").format(theme=session.theme))
    if agenda:
        lines.extend(["", _("Agenda:")])
        lines.extend(
            _("- {title} ({minutes} min)").format(title=item.title, minutes=item.minutes)
            for item in agenda
        )
    for role in (teacher, learner):
        items = prep.get(role, ())
        if items:
            lines.extend(["", prep_heading(tandem, role)])
            lines.extend(_("- {text}").format(text=item.text) for item in items)
    return "\n".join(lines)


def prep_heading(tandem: Tandem, role: Role) -> str:
    """The line above one side's checklist."""
    return _("Prep checklist for {name} ({role}):").format(
        name=tandem.name_of(role), role=role_label(role)
    )
