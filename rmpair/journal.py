"""The journal facade: commands become stored changes, queries read the merged state.

The CLI and the Textual screens only talk to this class. It knows the domain words
(tandem, topic, session, ...) and leaves files to ``store.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from rmpair.clock import SYSTEM_CLOCK, Clock, epoch_ms
from rmpair.domain.agreement import TandemMixin
from rmpair.domain.backlog import BacklogMixin
from rmpair.domain.evaluation import EvaluationMixin
from rmpair.domain.notes import NotesMixin
from rmpair.domain.nudges import Nudge, NudgesMixin
from rmpair.domain.plan import PlanMixin
from rmpair.domain.records import TANDEM_ID, JournalBase
from rmpair.domain.sessions import SessionsMixin
from rmpair.errors import UserError
from rmpair.export.calendar import ExportMixin
from rmpair.i18n import _, current_language
from rmpair.model.records import (
    Cadence,
    Device,
    JSONValue,
    Record,
    Role,
    Tandem,
)
from rmpair.model.schema import change_fits
from rmpair.store.home import Home, Membership, new_id
from rmpair.store.journal_store import JournalStore, Problem
from rmpair.store.merge import Change, Conflict

if TYPE_CHECKING:
    from rmpair.store.crypto import Passphrase

R = TypeVar("R", bound=Record)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DeviceSeen(NamedTuple):
    """A device that has written into the journal, and when it last did."""

    device: str
    person: str
    role: str
    label: str
    last_change: dt.datetime | None

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "device": self.device,
            "person": self.person,
            "role": self.role,
            "label": self.label,
            "last_change": self.last_change.isoformat() if self.last_change else None,
        }


class Status(NamedTuple):
    """Where the journal stands: who, which devices, what needs attention."""

    journal: str
    folder: Path
    tandem: Tandem | None
    devices: list[DeviceSeen]
    problems: list[Problem]
    conflicts: list[Conflict]
    read_only: list[str]
    counts: dict[str, int]
    nudges: tuple[Nudge, ...] = ()

    def to_json(self) -> dict[str, JSONValue]:
        tandem = None
        if self.tandem is not None:
            tandem = {"id": self.tandem.id, **self.tandem.to_fields()}
        return {
            "journal": self.journal,
            "tandem": tandem,
            "devices": [d.to_json() for d in self.devices],
            "problems": [
                {"file": p.file, "message": p.message, "needs_user": p.needs_user}
                for p in self.problems
            ],
            "conflicts": [conflict_json(c) for c in self.conflicts],
            "read_only": self.read_only,
            "counts": self.counts,
            "nudges": [n.to_json() for n in self.nudges],
        }


def stamp_time(change: Change) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(change["hlc"][:15]) / 1000, tz=dt.UTC)


def _change_json(change: Change, field_name: str) -> dict[str, JSONValue]:
    return {
        "change": change["id"],
        "value": change["fields"].get(field_name),
        "device": change["device"],
        "person": change["person"],
        "at": stamp_time(change).isoformat(),
    }


def conflict_json(conflict: Conflict) -> dict[str, JSONValue]:
    """A conflict as JSON: the value shown and the values kept aside."""
    return {
        "kind": conflict.kind,
        "record": conflict.rec,
        "field": "deleted" if conflict.is_delete else conflict.field,
        "shown": _change_json(conflict.winner, conflict.field),
        "others": [_change_json(c, conflict.field) for c in conflict.others],
    }


def find_journal_id(folder: Path, known: Callable[[str], bool] | None = None) -> str | None:
    """The journal whose logs are in ``folder``: one that ``known`` accepts (a journal
    this device belongs to), else the one most files name.

    A stray file of another journal, or one with an altered header, is outvoted
    rather than taken for the folder's journal because its name sorts first.
    """
    from collections import Counter

    from rmpair.store.files import LogFileError, journal_of
    from rmpair.store.syncfiles import FileRole, classify

    devices = folder / "devices"
    if not devices.is_dir():
        return None
    votes: Counter[str] = Counter()
    for path in sorted(devices.rglob("*.json")):
        if classify(path.name).role in (FileRole.TEMPORARY, FileRole.OTHER):
            continue
        try:
            found = journal_of(path)  # an encrypted file names it in its plain header
        except (LogFileError, OSError):
            continue
        if known is not None and known(found):
            return found
        votes[found] += 1
    if not votes:
        return None
    return min(votes, key=lambda journal: (-votes[journal], journal))


class Journal(
    TandemMixin,
    PlanMixin,
    ExportMixin,
    NudgesMixin,
    NotesMixin,
    EvaluationMixin,
    SessionsMixin,
    BacklogMixin,
    JournalBase,
):
    """One tandem's journal as seen from this device: lifecycle, status, and (through
    the base classes) every command and query the CLI and the app use."""

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
        """Start a new journal in ``folder`` with this device as ``me``.

        ``clock`` is where the journal reads the time (default: the computer's clock;
        the demo replays a past programme, tests freeze it).
        ``encrypt`` encrypts the shared folder from the first write on (crypto.py).
        """
        home = home or Home()
        folder = folder.expanduser().absolute()
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
            end=add_months(start, months),
            cadence=cadence,
            weekday=start.weekday(),
            session_minutes=minutes,
            tz=tz,
            lang=lang,
        )
        journal._register_device()
        journal.put(tandem)
        if encrypt:
            from rmpair.encryption import encrypt_journal

            encrypt_journal(journal)  # recorded in the journal: the partner's device follows
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
        journal._register_device()
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
            validate=change_fits,
        )
        store.now_ms = partial(epoch_ms, clock)
        store.open(hold_lock=hold_lock)
        return cls(store, clock)

    def close(self) -> None:
        """Release the lock and write the cache, with the status for quick answers."""
        from rmpair.quick import stored_status_expired

        if self.store.cache_dirty or stored_status_expired(self.store.local, self.now()):
            self.store.status_snapshot = self.status_report(lasting_only=True)
            self.store.renew_status()
        self.store.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def devices(self) -> list[DeviceSeen]:
        state = self.store.state
        seen: list[DeviceSeen] = []
        for device in self.all(Device):
            last = state.last_by_device.get(device.id)
            when = dt.datetime.fromtimestamp(int(last[:15]) / 1000, tz=dt.UTC) if last else None
            seen.append(DeviceSeen(device.id, device.person, device.role.value, device.label, when))
        return sorted(seen, key=lambda d: (d.person.casefold(), d.device))

    def status_report(self, *, lasting_only: bool = False) -> dict[str, Any]:
        """Status as JSON plus who this device is, for ``rmpair status``.

        ``lasting_only`` leaves out what rmpair put right during this run, which was
        worth telling once but is not part of the journal's state.
        """
        status = self.status()
        data = status.to_json()
        if lasting_only:
            data["problems"] = [
                {"file": p.file, "message": p.message, "needs_user": p.needs_user}
                for p in self.store.lasting_problems()
            ]
        from rmpair.quick import exports_signature

        return {
            "status": data,
            "me": {"person": self.me, "role": self.my_role.value, "device": self.device_id},
            "folder": str(self.folder),
            # When the nudges in ``data`` may change although no file did (quick.py).
            "valid_until": self.nudges_valid_until().isoformat(),
            "exports": exports_signature(self.private_dir),
            # The language its messages are in; quick.py reuses it only for that one.
            "lang": current_language(),
        }

    def status(self, now: dt.datetime | None = None) -> Status:
        """Where the journal stands; ``now`` is for the nudges (default: the clock)."""
        counts = {
            kind: self.store.state.count_live(kind) for kind in ("topic", "session", "action_item")
        }
        return Status(
            journal=self.journal_id,
            folder=self.folder,
            tandem=self.tandem(),
            devices=self.devices(),
            problems=self.store.problems,
            conflicts=self.conflicts(),
            read_only=list(self.store.read_only_reasons),
            counts=counts,
            nudges=tuple(self.nudges(now)),
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
