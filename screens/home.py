"""Home: where the pair stands, at a glance.

Who is who, how far the programme has come, the next session with both sides'
readiness, open action items, the backlog's mix, the pitfalls the journal shows
signs of, and whether the devices are in sync.

``sections`` computes the texts from the journal; ``HomeView`` shows them. The
start screen (start.py) shows the same texts from the last run while the journal
opens, so this module imports the journal's modules only inside functions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from rich.text import Text
from rmpair.screens import fmt
from rmpair.screens.base import Context, JournalScreen, start_worker, with_nav
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from rmpair.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from rmpair.domain.device_seen import DeviceSeen
    from rmpair.domain.session_times import Progress
    from rmpair.journal import Journal
    from rmpair.model.records import Session, Tandem

MAX_ACTIONS = 4
SECTIONS = ("tandem", "next", "actions", "mix", "nudges", "devices", "problems")
# The rows the screen keeps for itself around home's text: navigation line, footer.
CHROME_ROWS = 2
COUNTDOWN = "\x00countdown\x00"  # where the next session's countdown goes, filled in live


@dataclass
class Sections:
    """The home screen's texts, and when the next session starts (for its countdown)."""

    texts: dict[str, Text] = field(default_factory=dict)
    next_start: dt.datetime | None = None  # UTC
    next_minutes: int = 0
    # The journal's status the texts were checked against, when known (start.py).
    status: HomeStatus | None = None

    def text(self, name: str, now: dt.datetime) -> Text:
        found = self.texts.get(name, Text())
        if self.next_start is None or COUNTDOWN not in found.plain:
            return found
        # Text.replace is not available for styled text; the marker sits in an
        # unstyled span, so plain replacement keeps the styles around it.
        shown = found.copy()
        when = fmt.countdown_to(self.next_start, self.next_minutes, now)
        start = shown.plain.index(COUNTDOWN)
        shown = shown[:start] + Text(when) + shown[start + len(COUNTDOWN) :]
        return shown


class HomeView(VerticalScroll):
    """The sections of the home screen, one under the other (one widget: quick to draw)."""

    def __init__(self) -> None:
        super().__init__(id="home")
        self.shown = Sections()
        self.drawn: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="home-text")

    def fill(self, sections: Sections, now: dt.datetime, *, keep: bool = False) -> None:
        """Show ``sections``; with ``keep``, sections it lacks stay as they were shown,
        and those never shown say they are being read."""
        if keep:
            if self.shown.texts.get("tandem"):  # with the progress, which needs sessions
                sections.texts["tandem"] = self.shown.texts["tandem"]
            if "next" not in sections.texts:  # with its countdown
                sections.next_start = self.shown.next_start
                sections.next_minutes = self.shown.next_minutes
            for name in SECTIONS:
                if name not in sections.texts:
                    sections.texts[name] = self.shown.texts.get(name) or _reading(name)
        self.shown = sections
        texts = [sections.text(name, now) for name in SECTIONS]
        drawn = Text("\n\n").join(t for t in texts if t)
        if drawn != self.drawn:
            # An update lays the whole screen out and draws it again; home read anew
            # mostly says what the last run's picture said, so the same text is kept.
            self.drawn = drawn
            self.query_one("#home-text", Static).update(drawn)
            # Textual finds out that a scroll view needs its scrollbar while laying the
            # screen out, and then lays it out once more. Home knows its line count
            # beforehand: a text with more lines than the screen (even before any line
            # wraps) overflows, so the bar is there from the first layout. A wrong
            # guess costs nothing more: Textual corrects it as it would have anyway.
            lines = drawn.plain.count("\n") + 2  # and the padding above
            if lines > self.app.size.height - CHROME_ROWS:
                self.show_vertical_scrollbar = True


def _reading(name: str) -> Text:
    """A section not read yet: its title and an ellipsis (the tandem line has all of it)."""
    titles = {
        "next": _("Next session"),
        "actions": _("Open action items ({n})").format(n="…"),
        "mix": _("Backlog"),
    }
    text = Text()
    if name in titles:
        text.append(titles[name], style="bold")
        text.append("\n  …", style="dim")
    return text


class HomeStatus(NamedTuple):
    """The part of the journal's status home shows (see ``home_status``)."""

    tandem: Tandem | None
    devices: list[DeviceSeen]
    nudges: list[tuple[str, str, str]]  # key, message, why
    problems: list[str]
    conflicts: int
    read_only: list[str]


def stored_status(journal: Journal, now: dt.datetime) -> HomeStatus | None:
    """The journal's status at ``now`` as the last command or app that closed it stored
    it (what ``rmpair status`` answers with), when it provably still holds: no file of
    the shared folder or of the replica changed since, and no session or day has begun
    since (rmpair/quick.py). None otherwise."""
    from rmpair.quick import cached_status

    return status_of_report(cached_status(journal.folder, journal.store.home, now=now))


def status_of_report(report: dict[str, Any] | None) -> HomeStatus | None:
    """``HomeStatus`` from a stored status report that still holds (``quick.cached_status``);
    None without one, or when it cannot be read."""
    if report is None:
        return None
    try:
        return _stored_status(report["status"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None  # a cache from elsewhere, or damaged: compute it instead


def home_status(journal: Journal, now: dt.datetime) -> HomeStatus:
    """The journal's status at ``now``: stored (``stored_status``) when it holds, else
    computed, pitfall nudges and all."""
    found = stored_status(journal, now)
    if found is not None:
        return found
    status = journal.status(now)
    return HomeStatus(
        tandem=status.tandem,
        devices=status.devices,
        nudges=[(n.key, n.message, n.why) for n in status.nudges],
        problems=[str(p) for p in status.problems],
        conflicts=len(status.conflicts),
        read_only=list(status.read_only),
    )


def _stored_status(data: dict[str, Any]) -> HomeStatus:
    """``HomeStatus`` from the JSON of ``Status.to_json`` (what quick.py stores)."""
    from rmpair.domain.device_seen import DeviceSeen
    from rmpair.model.records import Tandem

    fields = data["tandem"]
    tandem = None
    if fields is not None:
        tandem = Tandem.from_fields(str(fields["id"]), {k: v for k, v in fields.items()})
    devices = [
        DeviceSeen(
            str(d["device"]),
            str(d["person"]),
            str(d["role"]),
            str(d["label"]),
            dt.datetime.fromisoformat(d["last_change"]) if d["last_change"] else None,
        )
        for d in data["devices"]
    ]
    return HomeStatus(
        tandem=tandem,
        devices=devices,
        nudges=[(str(n["key"]), str(n["message"]), str(n["why"])) for n in data["nudges"]],
        problems=[
            f"{p['file']}: {p['message']}" if p["file"] else str(p["message"])
            for p in data["problems"]
        ],
        conflicts=len(data["conflicts"]),
        read_only=[str(r) for r in data["read_only"]],
    )


def status_sections(journal: Journal, now: dt.datetime) -> tuple[HomeStatus, Sections] | None:
    """What home shows of the journal's status, from the status the last command or app
    stored, when it provably still holds (see ``home_status``), with that status; else
    None. This reads no record of the journal, so home shows it first."""
    status = stored_status(journal, now)
    return None if status is None else (status, _status_sections(journal, status, None))


def sections(journal: Journal, now: dt.datetime, status: HomeStatus | None = None) -> Sections:
    """Everything the home screen shows, read from the journal (on the journal's thread,
    see ``HomeScreen.reload``); ``status`` is the journal's status at ``now`` if known
    (``status_sections`` found it), else it is read or computed (``home_status``)."""
    from rmpair.domain.glance import next_session

    upcoming, progress = next_session(journal.records, now)
    found = _status_sections(journal, status or home_status(journal, now), progress)
    found.texts["next"] = _next_session(journal, upcoming, found)
    found.texts["actions"] = _actions(journal, now)
    found.texts["mix"] = _mix(journal)
    return found


def _status_sections(journal: Journal, status: HomeStatus, progress: Progress | None) -> Sections:
    """The texts home draws from the status: the tandem (with the programme's
    ``progress`` if given: that reads the sessions), nudges, devices and problems."""
    from rmpair.model.records import Role

    tandem, me = status.tandem, journal.my_role
    found = Sections()
    head = Text()
    if tandem is None:
        head.append(_("No tandem yet."), style="bold")
    else:
        from rmpair.domain.rhythm import cadence_text

        head.append(
            _("{mentor} teaches {mentee}").format(
                mentor=fmt.person(tandem, Role.MENTOR, me),
                mentee=fmt.person(tandem, Role.MENTEE, me),
            ),
            style="bold",
        )
        parts = []
        if progress is not None and progress.total:
            parts.append(
                _("session {n} of {total}").format(n=progress.number, total=progress.total)
            )
        if progress is not None and progress.days_left is not None:
            if progress.days_left >= 0:
                parts.append(
                    ngettext("{n} day left", "{n} days left", progress.days_left).format(
                        n=progress.days_left
                    )
                )
            else:
                parts.append(_("the programme has ended"))
        parts.append(
            _("{cadence}, {minutes} min").format(
                cadence=cadence_text(
                    tandem.cadence, tandem.weekday, week=tandem.week, start=tandem.start
                ),
                minutes=tandem.session_minutes,
            )
        )
        head.append("\n" + " · ".join(parts))
    found.texts["tandem"] = head
    nudges = Text()
    if status.nudges:
        nudges.append(_("Watch out"), style="bold")
        for key, message, why in status.nudges:
            nudges.append(f"\n  {fmt.WARN} {message}")
            if key.startswith("prerequisite-"):
                # A precondition the pair said "no" to: say why it matters right here.
                nudges.append(f"\n    {why}", style="dim")
    found.texts["nudges"] = nudges
    found.texts["devices"] = _devices(journal, status.devices, tandem.tz if tandem else "UTC")
    problems = Text()
    for problem in status.problems:
        problems.append(f"  {fmt.WARN} {problem}\n")
    if status.conflicts:
        problems.append(
            f"  {fmt.WARN} "
            + ngettext(
                "{n} value was edited on both devices at once; settle it on Conflicts (5).",
                "{n} values were edited on both devices at once; settle them on Conflicts (5).",
                status.conflicts,
            ).format(n=status.conflicts)
        )
    for reason in status.read_only:
        problems.append(f"\n  {fmt.WARN} " + _("Read-only: {reason}").format(reason=reason))
    if not problems:
        problems.append(f"  {fmt.DONE} " + _("No problems with files, no conflicts."))
    found.texts["problems"] = problems
    return found


def _next_session(journal: Journal, upcoming: Session | None, found: Sections) -> Text:
    from rmpair.domain import glance
    from rmpair.domain.session_times import start_utc
    from rmpair.model.records import Role, Topic

    text = Text()
    text.append(_("Next session"), style="bold")
    if upcoming is None:
        text.append("\n  " + _("None planned. Plan one on the Sessions screen (3)."))
        return text
    found.next_start, found.next_minutes = start_utc(upcoming), upcoming.minutes
    tandem = journal.tandem()
    text.append(f"  {fmt.when(upcoming)} · ")
    text.append(COUNTDOWN)
    titles = [
        t.title
        for t in (
            journal.get(Topic, tid) for tid in glance.session_topics(journal.records, upcoming)
        )
        if t is not None
    ]
    line = journal.sessions.session_title(upcoming)
    if titles:
        line += " · " + _("Topics: {titles}").format(titles="; ".join(titles))
    elif upcoming.theme:
        line += " · " + upcoming.theme
    text.append("\n  " + fmt.short(line, 200))
    ready = journal.agenda.readiness_of([upcoming.id])[upcoming.id]
    prep = " · ".join(
        f"{fmt.person(tandem, role, journal.my_role)} {fmt.readiness(*ready[role])}"
        for role in Role
    )
    text.append("\n  " + _("Prep: {who}").format(who=prep))
    return text


def _actions(journal: Journal, now: dt.datetime) -> Text:
    from rmpair.domain.glance import open_action_items

    items = open_action_items(journal.records)
    text = Text()
    text.append(_("Open action items ({n})").format(n=len(items)), style="bold")
    if not items:
        text.append("\n  " + _("None open."))
    today = journal.today(now)
    for item in items[:MAX_ACTIONS]:
        text.append("\n  " + fmt.action_line(item, today))
    if len(items) > MAX_ACTIONS:
        text.append("\n  " + _("… and {n} more").format(n=len(items) - MAX_ACTIONS))
    return text


def _mix(journal: Journal) -> Text:
    from rmpair.domain.glance import open_topic_mix
    from rmpair.model.records import Category

    total, counts = open_topic_mix(journal.records)
    text = Text()
    text.append(_("Backlog"), style="bold")
    text.append("  " + ngettext("{n} open topic", "{n} open topics", total).format(n=total))
    if total:
        text.append(": " + " · ".join(f"{_(c.value)} {counts[c]}" for c in Category if counts[c]))
    return text


def _devices(journal: Journal, devices: list[DeviceSeen], tz: str) -> Text:
    from rmpair.clock import zone
    from rmpair.fmt import date_time as fmt_date_time

    text = Text()
    text.append(_("Devices"), style="bold")
    where = zone(tz)
    for device in devices:
        when = (
            fmt_date_time(device.last_change.astimezone(where), weekday=False)
            if device.last_change
            else "-"
        )
        mine = " " + _("(this device)") if device.device == journal.device_id else ""
        text.append(
            "\n  "
            + _("{person} ({role}), {label}{mine}: last change {when}").format(
                person=device.person,
                role=_(device.role),
                label=device.label,
                mine=mine,
                when=when,
            )
        )
    return text


class HomeScreen(JournalScreen):
    """The tandem, the next session, what is open, and the sync line."""

    NAME = "home"
    BINDINGS = with_nav(
        [
            Binding("n,enter", "open_next", N_("Next session"), key_display="n"),
            Binding("r", "refresh", N_("Refresh now")),
        ]
    )

    def __init__(self, ctx: Context, shown: Sections | None = None) -> None:
        super().__init__(ctx)
        # What home shows before it reads the journal (start.first_sections), until
        # read anew; False once read.
        self.first: Sections | bool | None = shown

    def body(self) -> ComposeResult:
        yield HomeView()

    def on_mount(self) -> None:
        if isinstance(self.first, Sections):
            # (What the first sections lack, home says it is reading.)
            self.query_one(HomeView).fill(self.first, self.ctx.now(), keep=True)
        self.set_interval(60, self._minute)

    def _minute(self) -> None:
        # Countdowns and nudges follow the clock; a screen out of sight waits.
        if self.is_current:
            self.reload()

    def reload(self) -> None:
        """Read what home shows on the journal's thread (with a five-year journal that
        is most of the start-up), then show it here; the screen stays responsive."""
        self.shown = self.ctx.generation
        start_worker(self.app, partial(self._load, self.ctx.now()))

    async def _load(self, now: dt.datetime) -> None:
        from rmpair.errors import ReadOnlyError

        try:
            status = None
            quick = None
            if isinstance(self.first, Sections):
                # The last run's picture or the stored status (start.first_sections):
                # either holds only while the stored status does, so home shows that
                # status already, and reads the rest with it instead of checking the
                # stored status a second time.
                status, self.first = self.first.status, False
                self.ctx.reached("status")
                await self._drawn()
            elif self.first is None:  # the first time: the stored status first
                self.first = False
                quick = await self.ctx.jobs.run(self.journal, partial(status_sections, now=now))
            if quick is not None and self.is_attached:
                status = quick[0]
                self.query_one(HomeView).fill(quick[1], now, keep=True)
                self.ctx.reached("status")
                await self._drawn()
            found = await self.ctx.jobs.run(self.journal, partial(sections, now=now, status=status))
        except (ReadOnlyError, OSError) as exc:  # a cache part gone meanwhile (rare)
            self.app.notify(str(exc), severity="error", timeout=10)
            return
        if self.is_attached:
            self.query_one(HomeView).fill(found, now)
            self.ctx.reached("live")

    async def _drawn(self) -> None:
        """Wait until home has been drawn: the long read would hold up the drawing."""
        drawn = asyncio.Event()
        self.call_after_refresh(drawn.set)
        await drawn.wait()

    def action_refresh(self) -> None:
        self.save(lambda journal: journal.refresh())

    def action_open_next(self) -> None:
        from rmpair.screens.session import SessionScreen

        with self.ctx.jobs.lock:
            upcoming = self.journal.sessions.next_session(self.ctx.now())
        if upcoming is None:
            self.app.notify(_("No session is planned; plan one on the Sessions screen (3)."))
            return
        self.app.push_screen(SessionScreen(self.ctx, upcoming.id))
