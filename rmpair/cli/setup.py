"""``rmpair invite``, ``rmpair check`` and ``rmpair plan``: setting up the tandem.

Each is a Typer app with a single command, so it runs as ``rmpair invite`` rather
than ``rmpair invite invite``. ``invite`` also works before any journal exists: the
leader asks first, and only then do the two start a journal.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from rmpair.cli._common import fail, opened, options, print_json
from rmpair.cli.templates import report_problems
from rmpair.clock import local_zone_name, today_in
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.domain.agreement_views import PrerequisiteCheck
    from rmpair.domain.plan_result import PlanEntry, PlanResult
    from rmpair.journal import Journal

invite_app = typer.Typer()
check_app = typer.Typer()
plan_app = typer.Typer()

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))]


def when(start: dt.datetime) -> str:
    """A session start in a column of the plan: "Tue 2026-12-01 10:00" (tandem's zone)."""
    from rmpair import fmt

    return fmt.compact(start)


# -- invite ------------------------------------------------------------------------


def _journal_if_any() -> Journal | None:
    """The selected journal for reading, or None when there is none yet.

    A journal named with --journal or RMPAIR_JOURNAL must open; the remembered last
    journal is only a default, so if it is gone the invitation uses plain defaults.
    """
    from rmpair.errors import UserError
    from rmpair.journal import Journal
    from rmpair.store.home import Home

    folder = options.journal or Home().last_journal()
    if folder is None:
        return None
    try:
        return Journal.open(folder, write=False, clock=options.clock)
    except UserError:
        if options.journal is not None:
            raise
        return None


@invite_app.command()
def invite(
    topic: Annotated[
        str | None,
        typer.Option("--topic", help=_("What you want to learn about, e.g. 'AI assistants'.")),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help=_("Who you ask (default: your partner in the journal).")),
    ] = None,
    me: Annotated[
        str | None,
        typer.Option("--me", help=_("Your name, to sign the message (default: yours in it).")),
    ] = None,
    cadence: Annotated[
        str | None,
        typer.Option(
            "--cadence", help=_("weekly, biweekly, monthly or first-<weekday> (default: monthly).")
        ),
    ] = None,
    length: Annotated[
        int | None,
        typer.Option("--length", min=1, max=480, help=_("Minutes per session (default: 60).")),
    ] = None,
    months: Annotated[
        int | None,
        typer.Option("--months", min=1, max=36, help=_("How many months (default: 6).")),
    ] = None,
) -> None:
    """Print a short, friendly message asking a junior colleague to be your mentor.

    With a journal the tandem's frame fills it in; without one the flags or the
    defaults do (monthly, 60 minutes, 6 months from today). Prints the subject line,
    a blank line and the body, ready to paste into a mail or chat.
    """
    from rmpair.domain.cadence import CadenceChoice, parse_cadence, programme_end
    from rmpair.domain.invite import invite_text
    from rmpair.domain.rhythm import cadence_text
    from rmpair.domain.templates import TemplateStore
    from rmpair.i18n import N_, current_language, gettext_for
    from rmpair.model.records import Cadence

    journal = _journal_if_any()
    if journal is not None:
        try:
            store = journal.templates()
            report_problems(store)
            subject, body = journal.agreement.invite(
                topic=topic,
                to=to,
                me=me,
                cadence=cadence,
                minutes=length,
                months=months,
                store=store,
            )
        finally:
            journal.close()
    else:
        # No tandem yet: the person's own language (RMPAIR_LANG, else the locale).
        store = TemplateStore(lang=current_language())
        report_problems(store)
        text = gettext_for(store.lang)
        choice = parse_cadence(cadence) if cadence is not None else CadenceChoice(Cadence.MONTHLY)
        weekday = choice.weekday if choice.weekday is not None else 0
        span = months or 6
        today = today_in(options.clock, local_zone_name())
        subject, body = invite_text(
            store.invite(),
            to=to or text(N_("there")),
            me=me or text(N_("[your name]")),
            topic=topic,
            # No start yet, so no weekday for "monthly": the pair settles it when they plan.
            cadence=cadence_text(choice.cadence, weekday, store.lang, week=choice.week),
            minutes=length or 60,
            months=span,
            end=programme_end(today, span, choice.cadence, weekday, choice.week),
            lang=store.lang,
        )
    # The whole message in the template's language, ready to paste as it is.
    typer.echo(gettext_for(store.lang)(N_("Subject: {subject}")).format(subject=subject))
    typer.echo("")
    typer.echo(body)


# -- check -------------------------------------------------------------------------


def _answer_text(answer: str | None) -> str:
    if answer is None:
        return "-"
    return _("yes") if answer == "yes" else _("no")


def _status_mark(check: PrerequisiteCheck) -> str:
    return {"ok": _("ok"), "no": _("NO"), "open": _("open")}.get(check.status, check.status)


def _attention_line(check: PrerequisiteCheck) -> str:
    from rmpair.model.records import Role

    if check.status == "no":
        who = ", ".join(_(r.value) for r in Role if check.answers.get(r) == "no")
        state = _("{who} said no").format(who=who)
    elif check.shared:
        state = _("not answered yet (either of you can answer)")
    else:
        who = ", ".join(_(r.value) for r in Role if check.answers.get(r) is None)
        state = _("waiting for {who}").format(who=who)
    return _("  ! {key} ({state}): {why}").format(key=check.key, state=state, why=check.why)


def render_checks(journal: Journal, checks: list[PrerequisiteCheck]) -> None:
    from rmpair.model.records import Role

    tandem = journal.tandem()
    names = {role: tandem.name_of(role) if tandem else _(role.value) for role in Role}
    out = [
        _("Before you start: {mentor} (mentor) and {mentee} (mentee)").format(
            mentor=names[Role.MENTOR], mentee=names[Role.MENTEE]
        ),
        "",
    ]
    for n, check in enumerate(checks, start=1):
        answers = _("mentor {mentor}, mentee {mentee}").format(
            mentor=_answer_text(check.answers.get(Role.MENTOR)),
            mentee=_answer_text(check.answers.get(Role.MENTEE)),
        )
        out.append(f"{n:>2}. [{_status_mark(check):^4}] {check.key}: {answers}")
        out.append(f"    {check.question}")
        if check.shared:
            out.append("    " + _("(A fact about both of you: either may answer.)"))
    out.append("")
    attention = [c for c in checks if c.needs_attention]
    if not attention:
        out.append(_("All prerequisites are confirmed by both of you."))
    else:
        out.append(
            _(
                "Warning: {n} of {total} need attention. Nothing is blocked, but talk about "
                "these before you start:"
            ).format(n=len(attention), total=len(checks))
        )
        out.extend(_attention_line(c) for c in attention)
        if any(c.answers.get(journal.my_role) is None for c in attention):
            out.append("")
            out.append(_("Answer with: rmpair check --answer KEY=yes|no (or rmpair check --ask)"))
    typer.echo("\n".join(out))


def checks_json(journal: Journal, checks: list[PrerequisiteCheck]) -> dict[str, object]:
    return {
        "me": {"person": journal.me, "role": journal.my_role.value},
        "items": [c.to_json() for c in checks],
        "all_confirmed": not any(c.needs_attention for c in checks),
        "attention": [c.key for c in checks if c.needs_attention],
    }


@check_app.command()
def check(
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            "-a",
            help=_("Your answer to one prerequisite, KEY=yes or KEY=no; repeat for more."),
        ),
    ] = None,
    ask: Annotated[
        bool,
        typer.Option("--ask", help=_("Ask each question you have not answered yet.")),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Confirm the prerequisites and see which still need attention.

    Records your answers, then shows every prerequisite with both of your answers.
    A 'no' or a missing answer is listed with why it matters; it never blocks
    anything, and the command exits 0.
    """
    from rmpair.domain.agreement_views import parse_answer

    given: dict[str, bool] = {}
    for text in answer or ():
        key, value = parse_answer(text)
        given[key] = value
    with opened() as journal:
        store = journal.templates()
        report_problems(store)
        if given:
            journal.agreement.answer_prerequisites(given, store=store)
        if ask:
            given_here = 0
            for item in journal.agreement.prerequisites(store):
                if item.answers.get(journal.my_role) is not None:
                    continue
                try:
                    yes = typer.confirm(item.question, default=True, err=True)
                except typer.Abort:  # the end of the input, or Ctrl-C at the prompt
                    typer.echo("", err=True)
                    if not given_here:
                        fail(_("--ask: the answers ran out before the questions did."))
                    typer.echo(_("The answers ran out; the ones given are kept."), err=True)
                    break
                # Saved one by one: an answer given is never lost to a later question.
                journal.agreement.answer_prerequisites({item.key: yes}, store=store)
                given_here += 1
        checks = journal.agreement.prerequisites(store)
        if as_json:
            print_json(checks_json(journal, checks))
        else:
            render_checks(journal, checks)


# -- plan --------------------------------------------------------------------------


def reason_text(reason: str) -> str:
    texts = {
        "held": _("held"),
        "cancelled": _("cancelled"),
        "past": _("in the past, still planned"),
        "one-off": _("one-off session"),
        "moved": _("moved"),
        "edited": _("edited"),
        "agenda": _("agenda changed"),
        "prep": _("prep checklist changed"),
        "note": _("notes"),
        "learning": _("learnings"),
        "action_item": _("action items"),
        "feedback": _("feedback"),
        "private_note": _("private notes"),
        "manual": _("not made by the plan"),
    }
    return texts.get(reason, reason)


def _entry_marker(entry: PlanEntry) -> str:
    if entry.change == "new":
        return _("new")
    if entry.change == "unchanged":
        return ""
    return _("kept: {why}").format(why=", ".join(reason_text(r) for r in entry.reasons))


def render_plan(result: PlanResult) -> None:
    from rmpair import fmt

    frame = result.frame
    out: list[str] = []
    if result.dry_run:
        out.append(_("Dry run: nothing was saved. Run again without --dry-run to apply it."))
    header = _("{cadence}, {minutes} min at {time}, {start} to {end} ({tz})").format(
        cadence=frame.to_json()["cadence_text"],
        minutes=frame.minutes,
        time=fmt.time(frame.at),
        start=fmt.date(frame.start, weekday=False),
        end=fmt.date(frame.end, weekday=False),
        tz=frame.tz,
    )
    if result.template:
        header = _("Programme '{name}': {frame}").format(name=result.template, frame=header)
    else:
        header = _("Programme: {frame}").format(frame=header)
    out.append(header)
    labels = {"cadence": _("cadence"), "end": _("end"), "minutes": _("minutes")}
    for name, (old, new) in result.frame_changes.items():
        out.append(
            _("  {what}: {old} -> {new}").format(
                what=labels.get(name, name), old=old or "-", new=new
            )
        )
    out.append("")
    kind_width = max((len(_(e.kind.value)) for e in result.entries), default=8)
    theme_width = min(44, max((len(e.theme) for e in result.entries), default=0))
    today = result.today or today_in(options.clock, local_zone_name())
    # Held and cancelled history would bury the plan; past sessions still planned stay.
    earlier = [
        e
        for e in result.entries
        if e.change == "kept" and e.start.date() < today and e.reasons != ("past",)
    ]
    if earlier:
        out.append(
            _("  ({n} earlier sessions not shown; see them with 'rmpair session list')").format(
                n=len(earlier)
            )
        )
    for entry in result.entries:
        if entry in earlier:
            continue
        marker = _entry_marker(entry)
        line = f"  {when(entry.start)}  {_(entry.kind.value):<{kind_width}}  "
        line += f"{entry.theme:<{theme_width}}  {marker}".rstrip()
        out.append(line.rstrip())
    if result.removed:
        out.append("")
        label = _("Would remove") if result.dry_run else _("Removed")
        out.append(_("{label} (planned, nobody had touched them):").format(label=label))
        for session in result.removed:
            out.append(
                f"  {when(session.start)}  {_(session.kind.value)}  {session.theme}".rstrip()
            )
    out.append("")
    kept_work = [
        e for e in result.kept if e.in_series and set(e.reasons) - {"held", "cancelled", "past"}
    ]
    summary = _("{new} new, {removed} removed, {unchanged} unchanged, {kept} kept.").format(
        new=len(result.created),
        removed=len(result.removed),
        unchanged=sum(1 for e in result.entries if e.change == "unchanged"),
        kept=len(result.kept),
    )
    out.append(summary)
    if kept_work:
        out.append(
            _("Kept because you worked on them: {sessions}.").format(
                sessions=", ".join(when(e.start) for e in kept_work)
            )
        )
    past = [e for e in result.kept if e.reasons == ("past",)]
    if past:
        out.append(
            _("{n} past session(s) are still planned: mark them held or cancel them.").format(
                n=len(past)
            )
        )
    if result.topics_added:
        out.append(
            _("Added {n} programme themes to the backlog.").format(n=len(result.topics_added))
        )
    if result.unplaced:
        out.append(
            _("Themes without a session (they stay in the backlog): {titles}.").format(
                titles="; ".join(result.unplaced)
            )
        )
    if result.agreement_updated:
        out.append(
            _(
                "The agreement now reads differently ({keys}); both of you need to sign "
                "again: rmpair agreement sign"
            ).format(keys=", ".join(result.agreement_updated))
        )
    typer.echo("\n".join(out))


@plan_app.command()
def plan(
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            help=_("A programme template (see 'rmpair templates list'), e.g. engineering-6m."),
        ),
    ] = None,
    cadence: Annotated[
        str | None,
        typer.Option(
            "--cadence", help=_("weekly, biweekly, monthly or first-<weekday> (first-tuesday).")
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help=_("Last day: YYYY-MM-DD, or quarter, 6months, year from the start.")
        ),
    ] = None,
    time: Annotated[
        str | None,
        typer.Option("--time", help=_("Start time of the sessions, HH:MM (default: 10:00).")),
    ] = None,
    length: Annotated[
        int | None,
        typer.Option("--length", min=1, max=480, help=_("Minutes per session.")),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=_("Show the plan and what would change; save nothing.")),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Plan the programme's sessions from its cadence and end date, or re-plan them.

    Re-planning keeps held and cancelled sessions and every planned session you
    worked on (notes, learnings, ticked prep, moved); it only replaces future
    planned sessions nobody touched. A changed cadence, end or length is stored
    with the tandem.
    """
    with opened(write=not dry_run) as journal:
        store = journal.templates()
        report_problems(store)
        result = journal.plan.plan_programme(
            template=template,
            cadence=cadence,
            until=until,
            time=time,
            dry_run=dry_run,
            minutes=length,
        )
    for warning in result.warnings:
        typer.echo(_("Note: {warning}").format(warning=warning), err=True)
    if as_json:
        print_json(result.to_json())
    else:
        render_plan(result)
