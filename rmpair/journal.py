"""The journal facade: opens a journal and composes the domain services over it.

The CLI and the Textual screens only talk to ``Journal``. It wires one store, one read
model and change writer (``Records``) and one service per area of the method
(``journal.backlog``, ``journal.sessions``, ...), and answers "where do we stand". It
inherits nothing; each service lives in ``rmpair/domain`` or ``rmpair/export``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rmpair.clock import SYSTEM_CLOCK, Clock, epoch_ms
from rmpair.domain.kept_rows import KEPT_ANSWERS
from rmpair.domain.records import TANDEM_ID, Records
from rmpair.errors import UserError
from rmpair.i18n import _, current_language
from rmpair.model import check_change
from rmpair.model.codec import JSONValue
from rmpair.model.records import ActionItem, Cadence, Record, Role, Session, Tandem, Topic
from rmpair.store.discover import find_journal_id
from rmpair.store.home import Home, Membership, new_id
from rmpair.store.journal_store import JournalStore
from rmpair.store.merge import Conflict

if TYPE_CHECKING:
    from rmpair.domain.agenda import Agenda
    from rmpair.domain.agreement import Agreement
    from rmpair.domain.backlog import Backlog
    from rmpair.domain.evaluation import Evaluations
    from rmpair.domain.notes import Notes
    from rmpair.domain.nudges import Nudges
    from rmpair.domain.plan import Plan
    from rmpair.domain.search import Search
    from rmpair.domain.sessions import Sessions
    from rmpair.domain.status import DeviceSeen, Status
    from rmpair.domain.templates import TemplateStore
    from rmpair.export.calendar import Calendar
    from rmpair.store.crypto import Passphrase

R = TypeVar("R", bound=Record)

# Per service of ``Journal``: its module, its class, and the services it is given.
_SERVICES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "backlog": ("rmpair.domain.backlog", "Backlog", ()),
    "agenda": ("rmpair.domain.agenda", "Agenda", ()),
    "sessions": ("rmpair.domain.sessions", "Sessions", ("backlog", "agenda")),
    "agreement": ("rmpair.domain.agreement", "Agreement", ()),
    "plan": ("rmpair.domain.plan", "Plan", ("sessions", "agreement")),
    "notes": ("rmpair.domain.notes", "Notes", ("sessions",)),
    "search": ("rmpair.domain.search", "Search", ("sessions", "notes")),
    "evaluation": ("rmpair.domain.evaluation", "Evaluations", ("sessions", "backlog")),
    "nudges": ("rmpair.domain.nudges", "Nudges", ("sessions",)),
    "calendar": ("rmpair.export.calendar", "Calendar", ()),
}


class Journal:
    """One tandem's journal as seen from this device: opening and closing it, who and
    when this device is, generic record access, status, and one service per area of
    the method. A command reads ``journal.sessions.next_session()``; a new feature
    goes into the service of its area, not into this class."""

    def __init__(self, store: JournalStore, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        # The only source of "now" for every command and query (see clock.py).
        self.clock = clock
        self.records = Records(store, clock)
        for name, kind, make, valid in KEPT_ANSWERS:
            store.cache.per_bucket(name, kind, make, valid)  # kept by every save
        # The last status computed, with what it depends on (see ``close``).
        self._last_status: tuple[tuple[object, int, int], Status, dict[str, Any]] | None = None
        self._nudges_from: tuple[str | None, ...] = (None,) * 3  # quick.current_nudges

    # Services are made, and their modules imported, when first used (a list is quick).
    backlog: Backlog
    agenda: Agenda
    sessions: Sessions
    agreement: Agreement
    plan: Plan
    notes: Notes
    search: Search
    evaluation: Evaluations
    nudges: Nudges
    calendar: Calendar

    def __getattr__(self, name: str) -> Any:
        spec = _SERVICES.get(name)
        if spec is None or name in self.__dict__:
            raise AttributeError(name)
        module, cls, uses = spec
        made = getattr(import_module(module), cls)(self.records, *(getattr(self, u) for u in uses))
        self.__dict__[name] = made
        return made

    # -- who and when --------------------------------------------------------

    @property
    def me(self) -> str:
        return self.records.me

    @property
    def my_role(self) -> Role:
        return self.records.my_role

    @property
    def device_id(self) -> str:
        return self.records.device_id

    @property
    def journal_id(self) -> str:
        return self.records.journal_id

    @property
    def folder(self) -> Path:
        return self.records.folder

    @property
    def private_dir(self) -> Path:
        """This device's folder for what never enters the shared journal."""
        return self.records.private_dir

    def now(self) -> dt.datetime:
        return self.records.now()

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return self.records.today(now)

    def tandem(self) -> Tandem | None:
        return self.records.tandem()

    def templates(self) -> TemplateStore:
        """The templates in the tandem's language (the user's folder overrides)."""
        return self.records.templates()

    # -- records, changes and conflicts (see domain/records.py) --------------

    def refresh(self) -> bool:
        """Pick up the partner's changes; True when something new arrived."""
        return self.records.refresh()

    def batch(self) -> AbstractContextManager[None]:
        """Make several changes as one write; nothing is written if the block fails."""
        return self.records.batch()

    def get(self, cls: type[R], rec_id: str) -> R | None:
        return self.records.get(cls, rec_id)

    def all(self, cls: type[R]) -> list[R]:
        return self.records.all(cls)

    def put(self, record: Record) -> str:
        return self.records.put(record)

    def add(self, kind: str, fields: Mapping[str, JSONValue], rec_id: str | None = None) -> str:
        return self.records.add(kind, fields, rec_id)

    def update(self, kind: str, rec: str, fields: Mapping[str, JSONValue]) -> bool:
        return self.records.update(kind, rec, fields)

    def delete(self, kind: str, rec: str) -> None:
        self.records.delete(kind, rec)

    def by_session(self, cls: type[R]) -> dict[str, list[R]]:
        return self.records.by_session(cls)

    def resolve_id(self, cls: type[Record], text: str) -> str:
        return self.records.resolve_id(cls, text)

    def conflicts(self) -> list[Conflict]:
        return self.records.conflicts()

    def resolve(self, conflict: Conflict, keep_change: str) -> None:
        self.records.resolve(conflict, keep_change)

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def init(
        cls,
        folder: Path,
        *,
        me: str,
        role: Role,
        partner: str,
        start: dt.date,
        months: int = 6,
        cadence: Cadence = Cadence.MONTHLY,
        minutes: int = 60,
        tz: str = "UTC",
        lang: str = "en",
        home: Home | None = None,
        clock: Clock | None = None,
        encrypt: bool = False,
        passphrase: Passphrase = None,
    ) -> Journal:
        """Start a new journal in ``folder`` with this device as ``me``. ``clock`` is
        where the journal reads the time (default: the computer's clock; the demo
        replays a past programme, tests freeze it). ``encrypt`` encrypts the shared
        folder from the first write on (crypto.py)."""
        home = home or Home()
        folder = folder.expanduser().absolute()
        from rmpair.domain.cadence import programme_end

        if find_journal_id(folder) is not None:
            raise UserError(
                _("{folder} already holds a journal; use 'rmpair join' to join it.").format(
                    folder=folder
                )
            )
        if folder.exists() and not folder.is_dir():
            raise UserError(_("{folder} is a file, not a folder.").format(folder=folder))
        member = Membership(new_id(), folder, me, role.value)
        folder.mkdir(parents=True, exist_ok=True)
        home.save_membership(member)
        journal = cls._open_member(home, member, write=True, clock=clock, passphrase=passphrase)
        if encrypt:
            journal.store.start_encryption()  # before the first write: nothing leaves in plain
        mentor, mentee = (me, partner) if role is Role.MENTOR else (partner, me)
        tandem = Tandem(
            id=TANDEM_ID,
            mentor=mentor,
            mentee=mentee,
            start=start,
            end=programme_end(start, months, cadence, start.weekday()),
            cadence=cadence,
            weekday=start.weekday(),
            session_minutes=minutes,
            tz=tz,
            lang=lang,
        )
        journal.records.register_device()
        journal.put(tandem)
        if encrypt:
            from rmpair.encryption import encrypt_journal

            # Recorded in the journal: the partner's device follows.
            encrypt_journal(journal.records)
        home.remember(folder)
        return journal

    @classmethod
    def join(
        cls,
        folder: Path,
        *,
        me: str,
        home: Home | None = None,
        clock: Clock | None = None,
        passphrase: Passphrase = None,
    ) -> Journal:
        """Join the journal another device started in ``folder``."""
        home = home or Home()
        folder = folder.expanduser().absolute()
        journal_id = find_journal_id(folder)
        if journal_id is None:
            raise UserError(
                _(
                    "No journal found in {folder}. If your partner just created it, wait until "
                    "the sync has finished."
                ).format(folder=folder)
            )
        provisional = Membership(journal_id, folder, me, Role.MENTEE.value)
        existing = home.membership(journal_id)
        home.save_membership(provisional)
        try:
            journal = cls._open_member(
                home, provisional, write=True, clock=clock, passphrase=passphrase
            )
        except BaseException:  # e.g. a wrong passphrase: leave no trace here either
            if existing is not None:
                home.save_membership(existing)
            else:
                import shutil

                shutil.rmtree(home.journal_dir(journal_id), ignore_errors=True)
            raise
        tandem = journal.tandem()
        role = None
        if tandem is not None:
            for candidate in Role:
                if tandem.name_of(candidate).casefold() == me.casefold():
                    role = candidate
        if role is None:
            journal.close()
            if existing is not None:
                home.save_membership(existing)
            else:
                journal.store.remove_local()  # a failed join leaves no trace here
            if journal.store.locked:
                raise UserError(_("This journal is encrypted; joining it needs its passphrase."))
            names = f"{tandem.mentor}, {tandem.mentee}" if tandem else "?"
            raise UserError(
                _("'{me}' is not in this tandem (it has: {names}).").format(me=me, names=names)
            )
        member = Membership(journal_id, folder, tandem.name_of(role) if tandem else me, role.value)
        home.save_membership(member)
        journal.store.member = member
        journal.records.register_device()
        home.remember(folder)
        return journal

    @classmethod
    def open(
        cls,
        folder: Path | None = None,
        *,
        home: Home | None = None,
        write: bool = True,
        hold_lock: bool = False,
        passphrase: Passphrase = None,
        clock: Clock | None = None,
    ) -> Journal:
        """Open ``folder`` (or the last used journal) as this device's member.

        ``hold_lock`` claims the device's lock for the whole session (the app does);
        commands take it at their first write instead. ``passphrase`` is for an
        encrypted journal: the passphrase, a source asked when it is needed, or None
        for RMPAIR_PASSPHRASE / the keyring / a terminal prompt (see crypto.py).
        """
        home = home or Home()
        if folder is None:
            folder = home.last_journal()
            if folder is None:
                raise UserError(
                    _(
                        "No journal yet. Start one with 'rmpair init DIR' or join one with "
                        "'rmpair join DIR'."
                    )
                )
        folder = folder.expanduser().absolute()
        member = home.find_by_path(folder)
        if member is None:
            if not folder.is_dir():
                raise UserError(_("There is no folder {folder}.").format(folder=folder))
            journal_id = find_journal_id(folder, lambda j: home.membership(j) is not None)
            known = home.membership(journal_id) if journal_id else None
            if known is None:
                raise UserError(
                    _(
                        "This device has not joined the journal in {folder}; run 'rmpair join "
                        "{folder} --me NAME'."
                    ).format(folder=folder)
                )
            member = Membership(known.journal, folder, known.person, known.role)
            home.save_membership(member)  # the folder moved; follow it
        journal = cls._open_member(
            home, member, write=write, hold_lock=hold_lock, passphrase=passphrase, clock=clock
        )
        home.remember(folder)
        return journal

    @classmethod
    def _open_member(
        cls,
        home: Home,
        member: Membership,
        *,
        write: bool,
        clock: Clock | None = None,
        hold_lock: bool = False,
        passphrase: Passphrase = None,
    ) -> Journal:
        clock = clock or SYSTEM_CLOCK
        store = JournalStore(
            member.path,
            home,
            member,
            home.device(),
            write=write,
            passphrase=passphrase,
            validate=check_change,
        )
        store.now_ms = partial(epoch_ms, clock)
        store.open(hold_lock=hold_lock)
        return cls(store, clock)

    def close(self, *, keep_status: bool = True) -> None:
        """Release the lock and write the cache, with the status for quick answers.

        The stored status is renewed when the journal changed or it is missing or out
        of date. Computing it reads every session, topic and learning, so with
        ``keep_status=False`` (a command that only edits) it is stored only if this
        process already computed it for the journal as it is now; otherwise none is
        stored and the next ``rmpair status`` computes it (and stores it).
        """
        from rmpair.quick import stored_status_current

        now = self.now()
        if self.store.cache_dirty or not stored_status_current(self.store.local, now):
            report = self._reusable_report(now)
            if report is None and keep_status:
                report = self.status_report(lasting_only=True)
            if report is not None:
                self.store.status_snapshot = report
                self.store.renew_status()
        self.store.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def devices(self) -> list[DeviceSeen]:
        from rmpair.domain.status import devices_seen

        return devices_seen(self.records)

    def status_report(self, *, lasting_only: bool = False) -> dict[str, Any]:
        """Status as JSON plus who this device is, for ``rmpair status``.

        ``lasting_only`` leaves out what rmpair put right during this run, which was
        worth telling once but is not part of the journal's state.
        """
        now = self.now()
        status = self.status(now)
        report = self._report(status, now)
        self._last_status = (self._status_key(), status, report)
        return self._lasting(report) if lasting_only else report

    def _report(self, status: Status, now: dt.datetime) -> dict[str, Any]:
        from rmpair.quick import exports_signature

        inputs, since, until = self._nudges_from
        return {
            "status": status.to_json(),
            "me": {"person": self.me, "role": self.my_role.value, "device": self.device_id},
            "folder": str(self.folder),
            # When the nudges in ``data`` may change although no file did (quick.py).
            "valid_until": until or self.nudges.valid_until(now).isoformat(),
            "nudge_inputs": inputs,  # what the nudges were worked out from
            "nudges_since": since or now.isoformat(),
            "exports": exports_signature(self.private_dir),
            # The language its messages are in; quick.py reuses it only for that one.
            "lang": current_language(),
        }

    def _lasting(self, report: dict[str, Any]) -> dict[str, Any]:
        data = dict(report["status"])
        data["problems"] = [
            {"file": p.file, "message": p.message, "needs_user": p.needs_user}
            for p in self.store.lasting_problems()
        ]
        return {**report, "status": data}

    def _status_key(self) -> tuple[object, int, int]:
        """What a computed status depends on besides the time: the merged state (its
        object and how many changes it has taken) and the reasons it is read-only."""
        state = self.store.state
        return (state, sum(state.versions.values()), len(self.store.read_only_reasons))

    def _reusable_report(self, now: dt.datetime) -> dict[str, Any] | None:
        """The status this process computed, stored-ready, if it still holds at ``now``."""
        from rmpair.quick import status_expired

        if self._last_status is None:
            return None
        key, _status, report = self._last_status
        same = key[0] is self.store.state and key[1:] == self._status_key()[1:]
        if not same or report.get("lang") != current_language():
            return None
        if status_expired(report, self.private_dir, now):
            return None
        return self._lasting(report)

    def status(self, now: dt.datetime | None = None) -> Status:
        """Where the journal stands; ``now`` is for the nudges (default: the clock)."""
        from rmpair.domain.status import Status
        from rmpair.quick import current_nudges

        counts = {cls.KIND: self.records.count(cls) for cls in (Topic, Session, ActionItem)}
        nudges, self._nudges_from = current_nudges(self.nudges, self.private_dir, now or self.now())
        return Status(
            journal=self.journal_id,
            folder=self.folder,
            tandem=self.tandem(),
            devices=self.devices(),
            problems=self.store.problems,
            conflicts=self.conflicts(),
            read_only=list(self.store.read_only_reasons),
            counts=counts,
            nudges=nudges,
        )


@contextmanager
def opened(
    folder: Path | None = None, *, write: bool = True, clock: Clock | None = None
) -> Iterator[Journal]:
    journal = Journal.open(folder, write=write, clock=clock)
    try:
        yield journal
    finally:
        journal.close()
