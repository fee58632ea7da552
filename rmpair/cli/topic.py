"""``rmpair topic``: the backlog of what the mentee wants to learn, in order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rmpair.cli._common import fail, opened, print_json, print_json_text, print_rows
from rmpair.cli._sessions import parse_role
from rmpair.i18n import _, ngettext

if TYPE_CHECKING:
    from rmpair.model.records import Category, TopicStatus

app = typer.Typer(help=_("The topic backlog."), no_args_is_help=True)

TopicArg = Annotated[str, typer.Argument(help=_("A topic id (or the start of one)."))]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]
CATEGORY_HELP = _("technology, work, culture or project.")


def parse_category(value: str | None) -> Category | None:
    from rmpair.model.records import Category

    if value is None:
        return None
    try:
        return Category(value.strip().lower())
    except ValueError:
        fail(
            _("--category must be technology, work, culture or project, not '{value}'.").format(
                value=value
            )
        )


def parse_status(value: str, *, allow_all: bool) -> list[TopicStatus] | None:
    """``None`` means every status."""
    from rmpair.domain.backlog import OPEN_STATUSES
    from rmpair.model.records import TopicStatus

    text = value.strip().lower()
    if text == "open":
        return list(OPEN_STATUSES)
    if allow_all and text == "all":
        return None
    try:
        return [TopicStatus(text)]
    except ValueError:
        # The words --status takes, in the order people think of them (not a sentence).
        words = ["open", *(status.value for status in TopicStatus), *(["all"] if allow_all else [])]
        choices = ", ".join(words)
        fail(
            _("--status must be one of {choices}, not '{value}'.").format(
                choices=choices, value=value
            )
        )


@app.command("add")
def add(
    title: Annotated[
        str | None,
        typer.Argument(help=_("The topic; a title from 'rmpair topic ideas' fills in the rest.")),
    ] = None,
    idea: Annotated[
        int | None, typer.Option("--idea", help=_("Add idea number N from 'rmpair topic ideas'."))
    ] = None,
    category: Annotated[str | None, typer.Option("--category", help=CATEGORY_HELP)] = None,
    question: Annotated[
        str | None,
        typer.Option(
            "--question", help=_("The question behind it: 'What should I know about ...?'")
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help=_("Who proposes it: mentor or mentee (default: you).")),
    ] = None,
) -> None:
    """Add a topic at the end of the backlog."""
    if title is None and idea is None:
        fail(_("Give a title or --idea N (see 'rmpair topic ideas')."))
    chosen = parse_category(category)
    role = parse_role(by, "--by")
    with opened() as journal:
        topic_id = journal.backlog.add_topic(
            title or "",
            category=chosen,
            question=question or "",
            proposed_by=role,
            idea=idea,
        )
        topic = journal.backlog.topic(topic_id)
        typer.echo(
            _("Added topic {id}: {title} ({category}), number {rank} in the backlog.").format(
                id=topic.id,
                title=topic.title,
                category=_(topic.category.value),
                rank=journal.backlog.topic_position(topic.id),
            )
        )


@app.command("list")
def list_topics(
    category: Annotated[str | None, typer.Option("--category", help=CATEGORY_HELP)] = None,
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help=_("open (backlog and planned), backlog, planned, covered, dropped or all."),
        ),
    ] = "open",
    as_json: JsonOpt = False,
) -> None:
    """The backlog in order (rank 1 is next), then planned, covered and dropped topics."""
    chosen = parse_category(category)
    statuses = parse_status(status, allow_all=True)
    with opened() as journal:
        if as_json:
            print_json_text(
                journal.backlog.listing_json(journal.today(), statuses=statuses, category=chosen)
            )
            return
        # The keys and their order are the JSON's (``Backlog.listing``).
        rows = journal.backlog.listing(journal.today(), statuses=statuses, category=chosen)
        if not rows:
            typer.echo(
                _("No topics here. Add one with 'rmpair topic add' or see 'rmpair topic ideas'.")
            )
            return
        from rmpair import fmt
        from rmpair.model.records import Session

        lines: list[list[str]] = []
        for row in rows:
            state = _(row["status"])
            session = journal.get(Session, row["session"]) if row["session"] else None
            if session is not None:
                day = fmt.date(session.start.date()) if session.start else "?"
                state = _("planned for {day}").format(day=day)
            waited = (
                ngettext("{n} day", "{n} days", row["waited_days"]).format(n=row["waited_days"])
                if row["waited_days"] is not None
                else ""
            )
            lines.append(
                [
                    str(row["rank"] or ""),
                    row["id"],
                    f"{row['title']}\n{row['question']}",
                    _(row["category"]),
                    _(row["proposed_by"]),
                    state,
                    waited,
                ]
            )
        headers = ["#", _("id"), _("topic"), _("category"), _("by"), _("status"), _("waited")]
        print_rows(headers, lines)


@app.command("edit")
def edit(
    topic: TopicArg,
    title: Annotated[str | None, typer.Option("--title", help=_("A new title."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=CATEGORY_HELP)] = None,
    question: Annotated[
        str | None, typer.Option("--question", help=_("The question behind it."))
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help=_("Who proposed it: mentor or mentee."))
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help=_("backlog, covered or dropped (backlog brings a topic back).")
        ),
    ] = None,
) -> None:
    """Change a topic's title, category, question, proposer or status."""
    chosen = parse_category(category)
    role = parse_role(by, "--by")
    new_status = None
    if status is not None:
        parsed = parse_status(status, allow_all=False)
        if parsed is None or len(parsed) != 1:
            fail(_("--status must be backlog, covered or dropped."))
        new_status = parsed[0]
    if all(v is None for v in (title, chosen, question, role, new_status)):
        fail(_("Nothing to change: give --title, --category, --question, --by or --status."))
    with opened() as journal:
        found = journal.backlog.topic(topic)
        changed = journal.backlog.edit_topic(
            found.id,
            title=title,
            category=chosen,
            question=question,
            proposed_by=role,
            status=new_status,
        )
        if changed:
            typer.echo(_("Changed topic {id}.").format(id=found.id))
        else:
            typer.echo(_("Topic {id} already says that.").format(id=found.id))


@app.command("move")
def move(
    topic: TopicArg,
    to: Annotated[
        int | None, typer.Option("--to", min=1, help=_("The new place (1 = next up)."))
    ] = None,
    up: Annotated[bool, typer.Option("--up", help=_("One place up."))] = False,
    down: Annotated[bool, typer.Option("--down", help=_("One place down."))] = False,
    top: Annotated[bool, typer.Option("--top", help=_("To the top."))] = False,
    bottom: Annotated[bool, typer.Option("--bottom", help=_("To the bottom."))] = False,
) -> None:
    """Reorder the backlog."""
    given = sum([to is not None, up, down, top, bottom])
    if given != 1:
        fail(_("Give exactly one of --to N, --up, --down, --top, --bottom."))
    with opened() as journal:
        found = journal.backlog.topic(topic)
        current = journal.backlog.topic_position(found.id)
        size = len(journal.backlog.ordered())
        if to is not None:
            target = to
        elif up:
            target = max(1, current - 1)
        elif down:
            target = current + 1
        elif top:
            target = 1
        else:
            target = size
        place = journal.backlog.move_topic(found.id, target)
        typer.echo(
            _("'{title}' is now number {place} of {size} in the backlog.").format(
                title=found.title, place=place, size=size
            )
        )


@app.command("done")
def done(topic: TopicArg) -> None:
    """Mark a topic covered."""
    from rmpair.model.records import TopicStatus

    with opened() as journal:
        found = journal.backlog.topic(topic)
        journal.backlog.set_topic_status(found.id, TopicStatus.COVERED)
        typer.echo(_("Topic {id} is covered: {title}.").format(id=found.id, title=found.title))


@app.command("drop")
def drop(topic: TopicArg) -> None:
    """Drop a topic (it leaves the agendas of planned sessions)."""
    from rmpair.model.records import TopicStatus

    with opened() as journal:
        found = journal.backlog.topic(topic)
        touched = journal.backlog.set_topic_status(found.id, TopicStatus.DROPPED)
        typer.echo(_("Dropped topic {id}: {title}.").format(id=found.id, title=found.title))
        for session_id in touched:
            typer.echo(_("Taken off the agenda of session {id}.").format(id=session_id))


@app.command("ideas")
def ideas(
    category: Annotated[str | None, typer.Option("--category", help=CATEGORY_HELP)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Topic ideas from the templates; add one with 'rmpair topic add --idea N'."""
    chosen = parse_category(category)
    with opened() as journal:
        found = journal.backlog.topic_ideas(chosen)
        if as_json:
            print_json(
                [
                    {
                        "number": n.number,
                        "title": n.idea.title,
                        "category": n.idea.category,
                        "question": n.idea.question,
                    }
                    for n in found
                ]
            )
            return
        print_rows(
            ["#", _("idea"), _("category")],
            [
                [
                    str(numbered.number),
                    f"{numbered.idea.title}\n{numbered.idea.question}",
                    _(numbered.idea.category),
                ]
                for numbered in found
            ],
        )
