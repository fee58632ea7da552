"""The ask: the message a leader sends a junior to start a tandem, and the dates and
times written in it, in the reader's language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rmpair import fmt
from rmpair.domain.template_types import InviteTemplate


def month_name(month: int, lang: str | None = None) -> str:
    """A month's full name (January=1) in ``lang``, else in the interface language."""
    return fmt.month_name(month, lang)


def human_date(day: dt.date, lang: str | None = None) -> str:
    """A date as people write it in a message: "2 May 2027", "2. Mai 2027"."""
    return fmt.long_date(day, lang)


def local_time(stamp: str, tz: str) -> str:
    """A stored UTC stamp as wall-clock time in the tandem's zone (or the text as is)."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def invite_text(
    template: InviteTemplate,
    *,
    to: str,
    me: str,
    topic: str | None,
    cadence: str,
    minutes: int,
    months: int,
    end: dt.date,
    lang: str | None = None,
) -> tuple[str, str]:
    """The invitation's subject and body with every placeholder filled; ``lang`` is the
    language of the template, so the end date is written in it too."""
    values: dict[str, object] = {
        "to": to,
        "me": me,
        "cadence": cadence,
        "minutes": minutes,
        "months": months,
        "end": human_date(end, lang),
    }
    topic_text = (topic or "").strip()
    if topic_text:
        body = template.body.format(topic=topic_text, **values)
    else:
        body = template.body_no_topic.format(**values)
    return template.subject.format(**values).strip(), body.strip()
