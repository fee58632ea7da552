"""The foundation's commands: init, join, status, demo (loaded on demand by rmpair.cli.app)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rmpair.cli._common import (
    announce_waits,
    check_zone,
    fail,
    opened,
    options,
    parse_date_option,
    print_json,
)
from rmpair.clock import local_zone_name, today_in
from rmpair.i18n import _

if TYPE_CHECKING:
    from rmpair.journal import Journal

init_app = typer.Typer()
join_app = typer.Typer()
status_app = typer.Typer()
demo_app = typer.Typer()


# -- init / join -----------------------------------------------------------------


@init_app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help=_("Folder for the journal (ideally inside a synced folder)."))
    ],
    me: Annotated[str, typer.Option("--me", help=_("Your name."))],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help=_("Your role: mentor (the junior who teaches) or mentee (the senior who learns)."),
        ),
    ],
    partner: Annotated[str, typer.Option("--partner", help=_("Your partner's name."))],
    start: Annotated[
        str | None,
        typer.Option("--start", help=_("First day of the programme, YYYY-MM-DD (default: today).")),
    ] = None,
    months: Annotated[
        int, typer.Option("--months", min=1, max=36, help=_("Length of the programme in months."))
    ] = 6,
    cadence: Annotated[
        str, typer.Option("--cadence", help=_("weekly, biweekly or monthly."))
    ] = "monthly",
    length: Annotated[
        int, typer.Option("--length", min=10, max=480, help=_("Minutes per session."))
    ] = 60,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help=_("Time zone of the sessions (default: this computer's).")),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=_(
                "Language of the journal: en, de (German, du) or de_formal (German, Sie) "
                "(default: RMPAIR_LANG, else this computer's language, else en)."
            ),
        ),
    ] = None,
    encrypt: Annotated[
        bool,
        typer.Option(
            "--encrypt",
            help=_(
                "Encrypt the files in the shared folder with a passphrase you both know "
                "(asked now, or taken from RMPAIR_PASSPHRASE)."
            ),
        ),
    ] = False,
) -> None:
    """Start a new journal for your tandem."""
    from rmpair.i18n import LANGUAGES, effective_language, normalize_language, set_language
    from rmpair.journal import Journal
    from rmpair.model.records import Cadence, Role
    from rmpair.store.discover import find_journal_id

    try:
        chosen_role = Role(role.lower())
    except ValueError:
        fail(_("--role must be 'mentor' or 'mentee', not '{value}'.").format(value=role))
    try:
        chosen_cadence = Cadence(cadence.lower())
    except ValueError:
        fail(
            _("--cadence must be weekly, biweekly or monthly, not '{value}'.").format(value=cadence)
        )
    chosen_lang = normalize_language(lang) if lang is not None else effective_language(None)
    if chosen_lang is None:
        fail(
            _("--lang must be one of {choices}, not '{value}'.").format(
                choices=", ".join(LANGUAGES), value=lang
            )
        )
    if me.strip().casefold() == partner.strip().casefold():
        fail(_("--me and --partner must be two different people."))
    zone = check_zone(tz) if tz else local_zone_name()
    today = today_in(options.clock, zone)
    start_day = parse_date_option(start, "--start", today) or today
    source = None
    if encrypt and find_journal_id(folder.expanduser().absolute()) is None:
        from rmpair.store.crypto import StandardSource

        source = StandardSource()
        source.prepare_new()  # asked before anything is written
    set_language(effective_language(chosen_lang))
    announce_waits()
    journal = Journal.init(
        folder,
        me=me.strip(),
        role=chosen_role,
        partner=partner.strip(),
        start=start_day,
        months=months,
        cadence=chosen_cadence,
        minutes=length,
        tz=zone,
        lang=chosen_lang,
        encrypt=encrypt,
        passphrase=source,
        clock=options.clock,
    )
    try:
        typer.echo(_("Started the journal in {folder}.").format(folder=journal.folder))
        warn_about_data_folder(journal)
        import shlex

        # Quoted for the shell, so the line can be pasted even with spaces in the path.
        command = (
            f"rmpair join {shlex.quote(str(journal.folder))} --me {shlex.quote(partner.strip())}"
        )
        typer.echo(
            _("{partner} joins from their computer with: {command}").format(
                partner=partner.strip(), command=command
            )
        )
        if source is not None:
            typer.echo(_("The journal is encrypted. {advice}").format(advice=source.summary()))
        if length < 30:
            typer.echo(
                _(
                    "Note: sessions under 30 minutes rarely leave room to learn; "
                    "the method recommends 30 to 60."
                ),
                err=True,
            )
    finally:
        journal.close()


def warn_about_data_folder(journal: Journal) -> None:
    """Say so when this device's own data (private notes) would be synced away."""
    from rmpair.doctor.checks import data_folder_risk

    risk = data_folder_risk(journal.store.home.root, journal.folder)
    if risk is not None:
        typer.echo(
            _("Warning: {risk} Set RMPAIR_HOME to a folder outside it.").format(risk=risk),
            err=True,
        )


@join_app.command()
def join(
    folder: Annotated[
        Path, typer.Argument(help=_("The shared journal folder your partner started."))
    ],
    me: Annotated[str, typer.Option("--me", help=_("Your name, as your partner entered it."))],
) -> None:
    """Join the journal your partner started, from this computer."""
    from rmpair.i18n import effective_language, set_language
    from rmpair.journal import Journal

    announce_waits()
    journal = Journal.join(folder, me=me.strip(), clock=options.clock)
    try:
        warn_about_data_folder(journal)
        tandem = journal.tandem()
        set_language(effective_language(tandem.lang if tandem else None))
        partner = tandem.name_of(journal.my_role.other) if tandem else "?"
        typer.echo(
            _("Joined as {me} ({role}); your partner is {partner}.").format(
                me=journal.me, role=_(journal.my_role.value), partner=partner
            )
        )
    finally:
        journal.close()


# -- status ------------------------------------------------------------------------


def _when(iso: str | None, tz: str) -> str:
    """A stored UTC stamp as wall-clock time in the tandem's zone ``tz``, in the
    interface language: every time a person reads is in that one zone."""
    from rmpair import fmt
    from rmpair.clock import zone

    if not iso:
        return _("never")
    return fmt.date_time(dt.datetime.fromisoformat(iso).astimezone(zone(tz)).replace(tzinfo=None))


def _day(iso: str | None) -> str:
    """A stored ISO date in the interface language ("3 Dec 2026"), or "?"."""
    from rmpair import fmt

    try:
        return fmt.date(dt.date.fromisoformat(iso or ""), weekday=False)
    except ValueError:
        return iso or "?"


def _cadence(tandem: dict[str, Any]) -> str:
    """The tandem's rhythm in words: "once a month, on the last Thursday". The status
    may come from the cache on disk: a value not as rmpair writes it is left out."""
    import datetime as dt

    from rmpair.domain.rhythm import cadence_text

    weekday, week, start = tandem.get("weekday"), tandem.get("week"), tandem.get("start")
    try:
        day = dt.date.fromisoformat(start) if isinstance(start, str) else None
    except ValueError:
        day = None
    return cadence_text(
        str(tandem.get("cadence")),
        weekday if type(weekday) is int else 0,
        week=week if type(week) is int else 1,
        start=day,
    )


def render_status(report: dict[str, Any]) -> None:
    """Plain lines, no Rich: status is the command people run most, so it starts fast."""
    status, me = report["status"], report["me"]
    out: list[str] = []
    tandem = status["tandem"]
    if tandem is not None:
        out.append(
            _("{mentor} (mentor) and {mentee} (mentee)").format(
                mentor=tandem["mentor"], mentee=tandem["mentee"]
            )
        )
        out.append(
            _("{cadence}, {minutes} min per session, {start} to {end} ({tz})").format(
                cadence=_cadence(tandem),
                minutes=tandem["session_minutes"],
                start=_day(tandem["start"]),
                end=_day(tandem["end"]),
                tz=tandem["tz"],
            )
        )
    out.append(_("Journal: {folder}").format(folder=report["folder"]))
    out.append(
        _("You: {me} ({role}) on device {device}").format(
            me=me["person"], role=_(me["role"]), device=me["device"]
        )
    )
    out.append("")
    out.append(_("Devices:"))
    for device in status["devices"]:
        out.append(
            _("  {person} ({role}) on {label} [{device}]: last change {when}").format(
                person=device["person"],
                role=_(device["role"]),
                label=device["label"] or "?",
                device=device["device"],
                when=_when(device["last_change"], tandem["tz"] if tandem else "UTC"),
            )
        )
    for reason in status["read_only"]:
        out.append(_("Read-only: {reason}").format(reason=reason))
    out.append("")
    problems = status["problems"]
    needs_user = [p for p in problems if p["needs_user"]]
    fixed = [p for p in problems if not p["needs_user"]]

    def line(problem: dict[str, Any]) -> str:
        return f"{problem['file']}: {problem['message']}" if problem["file"] else problem["message"]

    if needs_user:
        out.append(_("Problems ({n}):").format(n=len(needs_user)))
        out.extend(f"  ! {line(p)}" for p in needs_user)
    if fixed:
        out.append(_("Put right by rmpair ({n}):").format(n=len(fixed)))
        out.extend(f"  - {line(p)}" for p in fixed)
    if not problems:
        out.append(_("Files: no problems found."))
    conflicts = status["conflicts"]
    if conflicts:
        out.append(
            _("Open conflicts ({n}): both values are kept until you choose.").format(
                n=len(conflicts)
            )
        )
        out.extend(f"  ~ {c['kind']} {c['record']}: {c['field']}" for c in conflicts)
    else:
        out.append(_("Conflicts: none."))
    nudges = status.get("nudges") or []
    if nudges:
        out.append("")
        out.append(_("Worth a look ({n}):").format(n=len(nudges)))
        for nudge in nudges:
            out.append(f"  * {nudge['message']}")
            out.append(f"    {nudge['why']}")
    typer.echo("\n".join(out))


@status_app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON instead of text."))] = False,
) -> None:
    """Show the tandem, the devices seen, file problems and open conflicts."""
    from rmpair.i18n import set_language
    from rmpair.quick import cached_status

    report = cached_status(options.journal, now=options.clock.now())
    if report is None:
        with opened() as journal:
            report = journal.status_report()
    else:
        set_language(report["lang"])  # cached_status checked it is this person's
    if as_json:
        print_json(report["status"])
    else:
        render_status(report)


# -- demo ----------------------------------------------------------------------------


@demo_app.command()
def demo(
    folder: Annotated[
        Path | None,
        typer.Argument(help=_("Where to create the sample journal (default: ./rmpair-demo).")),
    ] = None,
    years: Annotated[
        float | None,
        typer.Option(
            "--years",
            min=0.1,
            max=20,
            help=_("Make a long history of weekly sessions (for benchmarks)."),
        ),
    ] = None,
) -> None:
    """Create a realistic sample journal to look around in."""
    from rmpair.cli._progress import progress
    from rmpair.demo import build_demo
    from rmpair.i18n import effective_language

    target = folder or Path("rmpair-demo")
    with progress(_("Writing the sample journal")) as step:
        summary = build_demo(
            target,
            years=years,
            lang=effective_language(None),
            clock=options.clock,
            progress=step,
        )
    typer.echo(
        _("Sample journal in {folder}: {changes} changes by {devices} devices.").format(
            folder=summary.folder, changes=summary.changes, devices=summary.devices
        )
    )
