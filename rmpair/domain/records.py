"""The read model and change writer the domain services share.

Each area of the method (agreement, plan, backlog, sessions, ...) is a small service
that holds a ``Records``; ``journal.Journal`` composes them. Every change to the
journal goes through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rmpair.clock import SYSTEM_CLOCK, Clock, today_in, zone
from rmpair.domain.kept_rows import KeptRows
from rmpair.domain.stored_rows import stored_rows
from rmpair.errors import UserError
from rmpair.i18n import _, content_language
from rmpair.model.codec import JSONValue, decode_some, plain
from rmpair.model.records import Device, Record, Role, Tandem
from rmpair.store.home import new_id
from rmpair.store.journal_store import JournalStore
from rmpair.store.merge import DELETED, Conflict, MergedState

if TYPE_CHECKING:
    # Loaded when first used: the templates (TOML, importlib.resources, platformdirs)
    # are for planning and agendas, and most commands never touch them.
    from rmpair.domain.templates import TemplateStore

R = TypeVar("R", bound=Record)
TANDEM_ID = "tandem"


class _KindView:
    """The decoded records of one kind as of one version of one merged state.

    ``records`` follows the state's order of records, a deleted one kept as ``None`` so
    that it keeps its place if it comes back; the list and the grouping by session are
    derived from it when first asked for after a change.
    """

    __slots__ = ("by_session", "indexes", "listed", "records", "state", "version")

    def __init__(self, state: MergedState, version: int, records: dict[str, Any]) -> None:
        self.state = state
        self.version = version
        self.records = records
        self.listed: list[Any] | None = None
        self.by_session: dict[str, list[Any]] | None = None
        # Per key function (see ``Records.lookup``): key -> {record id: record}, kept up
        # to date change by change.
        self.indexes: dict[Callable[[Any], Hashable], dict[Hashable, dict[str, Any]]] = {}

    def reindex(self, rec_id: str, old: Any, new: Any) -> None:
        for key, index in self.indexes.items():
            if old is not None:
                bucket = index.get(key(old))
                if bucket is not None:
                    bucket.pop(rec_id, None)
            if new is not None:
                index.setdefault(key(new), {})[rec_id] = new


class Records:
    """The read model and the change writer every domain service shares: records in,
    records out, conflicts, and who and when this device is."""

    def __init__(self, store: JournalStore, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        # The only source of "now" for every command and query (see clock.py).
        self.clock = clock
        # Per record class, its records as decoded so far: see ``_view``.
        self._views: dict[type[Record], _KindView] = {}
        # Per record class: record ids by stored session id, and the sessions' records
        # decoded so far (see ``of_session``).
        self._session_ids: dict[
            type[Record], tuple[MergedState, int, dict[Any, list[str]], dict[str, list[Any]]]
        ] = {}
        self._template_cache: tuple[str, TemplateStore] | None = None
        self.kept = KeptRows(store)  # rows over every record of a kind, kept per bucket
        # Per (record class, field names): see ``fields_of`` (and ``_plain``).
        self._fields: dict[
            tuple[type[Record], tuple[str, ...]],
            tuple[MergedState, int, dict[str, dict[str, Any]], dict[str, Any] | None],
        ] = {}

    def refresh(self) -> bool:
        """Pick up the partner's changes; True when something new arrived."""
        return self.store.refresh()

    def batch(self) -> AbstractContextManager[None]:
        """Make several changes as one write; nothing is written if the block fails."""
        return self.store.batch()

    def templates(self) -> TemplateStore:
        """The templates in the tandem's language (the user's folder overrides).

        The tandem's, not the person's (``RMPAIR_LANG``): agendas, checklists and
        programme themes go into the shared journal, and both devices must write the
        same words into the same records.
        """
        tandem = self.tandem()
        lang = content_language(tandem.lang if tandem else None)
        if self._template_cache is None or self._template_cache[0] != lang:
            from rmpair.domain.templates import TemplateStore

            self._template_cache = (lang, TemplateStore(lang=lang, home=self.store.home))
        return self._template_cache[1]

    # -- who am I ------------------------------------------------------------

    @property
    def me(self) -> str:
        return self.store.member.person

    @property
    def my_role(self) -> Role:
        return Role(self.store.member.role)

    @property
    def device_id(self) -> str:
        return self.store.device.id

    @property
    def journal_id(self) -> str:
        return self.store.member.journal

    @property
    def folder(self) -> Path:
        return self.store.folder

    @property
    def private_dir(self) -> Path:
        """This device's folder for what never enters the shared journal."""
        return self.store.local

    def register_device(self) -> None:
        identity = self.store.device
        current = self.get(Device, identity.id)
        wanted = {"person": self.me, "role": self.my_role.value, "label": identity.label}
        if current is None:
            self.store.append(
                [
                    self.draft(
                        "create",
                        Device.KIND,
                        identity.id,
                        {**wanted, "joined": self.today().isoformat()},
                    )
                ]
            )
        elif {k: getattr(current, k) for k in wanted} != wanted:
            self.update(Device.KIND, identity.id, wanted)

    # -- generic record access -----------------------------------------------

    def get(self, cls: type[R], rec_id: str) -> R | None:
        view = self._views.get(cls)
        if view is not None and view.state is self.store.state:
            found: R | None = self._view(cls).records.get(rec_id)
            return found
        fields = self.store.state.fields(cls.KIND, rec_id)
        return None if fields is None else cls.from_fields(rec_id, fields)

    def _view(self, cls: type[Record]) -> _KindView:
        """The records of ``cls``, kept up to date change by change: a change re-decodes
        only the records it touched (``MergedState.touched``), so a command that saves
        and then reads a 10,000-topic backlog does not decode it again."""
        state = self.store.state
        kind = cls.KIND
        version = state.versions.get(kind, 0)
        view = self._views.get(cls)
        touched: list[str] | None = None if view is None or view.state is not state else []
        if view is not None and touched is not None and view.version != version:
            touched = state.touched(kind, view.version)
        if view is not None and touched is not None:
            if view.version == version:
                return view
            records = view.records
            added: list[Any] = []  # records new to the view: they go at the end
            changed = False  # a record already there was edited or deleted
            for rec_id in touched:
                fields = state.fields(kind, rec_id)
                old = records.get(rec_id)
                changed = changed or rec_id in records
                record = None if fields is None else cls.from_fields(rec_id, fields)
                records[rec_id] = record
                view.reindex(rec_id, old, record)
                if record is not None:
                    added.append(record)
            view.version = version
            if changed:
                view.listed, view.by_session = None, None
            else:  # only additions (the common save): extend, do not rebuild
                if view.listed is not None:
                    view.listed.extend(added)
                if view.by_session is not None:
                    for record in added:
                        key = str(getattr(record, "session", ""))
                        view.by_session.setdefault(key, []).append(record)
            return view
        # A new state (the journal was opened or read again): decode the kind once.
        records = {}
        for rec_id, rec_state in state.kind(kind).items():
            live = rec_state.exists() and not rec_state.is_deleted()
            records[rec_id] = cls.from_fields(rec_id, rec_state.values()) if live else None
        view = self._views[cls] = _KindView(state, version, records)
        return view

    def _listed(self, cls: type[R]) -> list[R]:
        view = self._view(cls)
        if view.listed is None:
            view.listed = [r for r in view.records.values() if r is not None]
        return view.listed

    def all(self, cls: type[R]) -> list[R]:
        """Every live record of a kind (a new list; the records are shared)."""
        return list(self._listed(cls))

    def _grouped(self, cls: type[R]) -> dict[str, list[R]]:
        view = self._view(cls)
        if view.by_session is None:
            grouped: dict[str, list[Any]] = {}
            for record in self._listed(cls):
                grouped.setdefault(str(getattr(record, "session", "")), []).append(record)
            view.by_session = grouped
        return view.by_session

    def decoded(self, cls: type[Record]) -> bool:
        """Whether the records of ``cls`` are decoded for the current state already."""
        view = self._views.get(cls)
        return view is not None and view.state is self.store.state

    def fields_of(self, cls: type[Record], names: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        """Per live record of ``cls``, the values of the fields ``names`` as its decoded
        record has them (a new dict; do not change the inner ones). Before anything
        decoded the kind, only those fields are worked out, and kept up to date change
        by change like the views: a topic add on 10,000 topics reads three fields of
        each topic, not every topic decoded, and its answer after the add costs nothing."""
        if self.decoded(cls):
            return {
                rec_id: {name: getattr(record, name) for name in names}
                for rec_id, record in self._view(cls).records.items()
                if record is not None
            }
        state = self.store.state
        kind = cls.KIND
        version = state.versions.get(kind, 0)
        memo = self._fields.get((cls, names))
        touched = None if memo is None or memo[0] is not state else state.touched(kind, memo[1])
        if memo is not None and touched is not None:
            rows, plains = memo[2], memo[3]
            ids: Iterable[str] = touched
        else:  # a new state (opened or read again), or one that cannot say what changed
            # What the last save kept of these fields, if the records are the same.
            stored = self.store.cache.derived(
                f"fields:{kind}:{','.join(names)}", kind, lambda: self._plain(cls, names)
            )
            rows, plains = stored_rows(cls, names, stored)
            ids = state.kind(kind) if plains is None else ()
        self._fields[(cls, names)] = (state, version, rows, plains)
        for rec_id in ids:
            rec_state = state.record(kind, rec_id)
            if rec_state is None or not rec_state.exists() or rec_state.is_deleted():
                rows.pop(rec_id, None)
                if plains is not None:
                    plains.pop(rec_id, None)
                continue
            raw: dict[str, JSONValue] = {}
            for name in names:
                head = rec_state.winner(name)
                if head is not None:
                    raw[name] = head["fields"][name]
            rows[rec_id] = decode_some(cls, raw, names)
            if plains is not None:
                plains[rec_id] = tuple(plain(rows[rec_id][name]) for name in names)
        return dict(rows)

    def _plain(self, cls: type[Record], names: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
        """``fields_of`` as stored values, for the cache (see ``StateCache.derived``)."""
        rows = self.fields_of(cls, names)
        state = self.store.state
        memo = self._fields.get((cls, names))
        current = memo is not None and memo[:2] == (state, state.versions.get(cls.KIND, 0))
        if memo is not None and current and memo[3] is not None:
            return dict(memo[3])
        return {rec_id: tuple(plain(row[name]) for name in names) for rec_id, row in rows.items()}

    def count(self, cls: type[Record]) -> int:
        """How many live records of ``cls``: from the decoded view when there is one,
        else from the state (the cache keeps counts of kinds not decoded)."""
        view = self._views.get(cls)
        if view is not None and view.state is self.store.state:
            return len(self._listed(cls))
        return self.store.state.count_live(cls.KIND)

    def lookup(self, cls: type[R], key: Callable[[R], Hashable], value: Hashable) -> list[R]:
        """The live records of ``cls`` whose ``key(record)`` is ``value``, from an index
        kept up to date change by change (``key`` must be one function, defined once:
        it names the index). Their order is not meaningful."""
        view = self._view(cls)
        index = view.indexes.get(key)
        if index is None:
            index = view.indexes[key] = {}
            for rec_id, record in view.records.items():
                if record is not None:
                    index.setdefault(key(record), {})[rec_id] = record
        return list(index.get(value, {}).values())

    def by_session(self, cls: type[R]) -> dict[str, list[R]]:
        """Records that belong to a session (agenda, prep, notes, ...), by session id."""
        return {session: list(found) for session, found in self._grouped(cls).items()}

    def of_session(self, cls: type[R], session_id: str) -> list[R]:
        """The records of ``cls`` that belong to one session (indexed: no walk over the
        kind per call). Before anything asked for the whole kind, only that session's
        records are decoded: 'session list' shows the prep of the few planned sessions
        without decoding every prep item of five years."""
        view = self._views.get(cls)
        if view is None or view.state is not self.store.state:
            found = self._of_session_raw(cls, session_id)
            if found is not None:
                return found
        return list(self._grouped(cls).get(session_id, ()))

    def _of_session_raw(self, cls: type[R], session_id: str) -> list[R] | None:
        """``of_session`` from the stored session ids, decoding only the matches; None
        when a stored session id is not a plain text (then the decoded view decides)."""
        state = self.store.state
        kind = cls.KIND
        version = state.versions.get(kind, 0)
        hit = self._session_ids.get(cls)
        if hit is None or hit[0] is not state or hit[1] != version:
            index: dict[str | None, list[str]] = {}
            for rec_id, rec_state in state.kind(kind).items():
                head = rec_state.winner("session")
                raw = None if head is None else head["fields"].get("session")
                key = raw if isinstance(raw, str) else "" if raw is None else None
                index.setdefault(key, []).append(rec_id)
            hit = self._session_ids[cls] = (state, version, index, {})
        index, decoded = hit[2], hit[3]
        if None in index:
            return None
        found: list[R] | None = decoded.get(session_id)
        if found is None:  # a session's records are decoded once (agenda, then timebox)
            found = decoded[session_id] = []
            for rec_id in index.get(session_id, ()):
                fields = state.fields(kind, rec_id)
                if fields is not None:
                    found.append(cls.from_fields(rec_id, fields))
        return list(found)

    def tandem(self) -> Tandem | None:
        view = self._view(Tandem)
        found = view.records.get(TANDEM_ID)
        return found if isinstance(found, Tandem) else None

    def now(self) -> dt.datetime:
        """The current instant on the journal's clock (aware, UTC)."""
        return self.clock.now()

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """Today's date in the tandem's zone (``now`` defaults to the journal's clock)."""
        tandem = self.tandem()
        tz = tandem.tz if tandem else "UTC"
        if now is None:
            return today_in(self.clock, tz)
        return now.astimezone(zone(tz)).date()

    def draft(
        self,
        op: str,
        kind: str,
        rec: str,
        fields: Mapping[str, JSONValue],
        prev: list[str] | None = None,
    ) -> dict[str, Any]:
        """A change to append: an ``op`` on record ``rec`` of ``kind`` replacing the
        values ``prev`` names (the store stamps and checks it)."""
        return {
            "id": new_id(20),
            "kind": kind,
            "rec": rec,
            "op": op,
            "fields": {name: plain(value) for name, value in fields.items()},
            "prev": sorted(prev or []),
        }

    def _heads(self, kind: str, rec: str, names: Iterator[str] | list[str]) -> list[str]:
        state = self.store.state.record(kind, rec)
        if state is None:
            return []
        return sorted({cid for n in names for cid in state.heads.get(n, {})})

    def put(self, record: Record) -> str:
        """Store a new record, or the fields of ``record`` that differ from the stored one."""
        kind = record.KIND
        existing = self.store.state.fields(kind, record.id)
        wanted = record.to_fields()
        if existing is None:
            self.store.append([self.draft("create", kind, record.id, wanted)])
        else:
            self.update(kind, record.id, wanted)
        return record.id

    def add(self, kind: str, fields: Mapping[str, JSONValue], rec_id: str | None = None) -> str:
        """Store a new record of ``kind``; returns its id."""
        rec_id = rec_id or new_id(10)
        self.store.append([self.draft("create", kind, rec_id, fields)])
        return rec_id

    def update(self, kind: str, rec: str, fields: Mapping[str, JSONValue]) -> bool:
        """Set fields whose value differs; returns whether anything was stored."""
        current = self.store.state.fields(kind, rec)
        if current is None:
            raise UserError(_("No {kind} with id {id}.").format(kind=kind, id=rec))
        wanted = {k: plain(v) for k, v in fields.items()}
        changed = {k: v for k, v in wanted.items() if current.get(k) != v}
        if not changed:
            return False
        prev = self._heads(kind, rec, list(changed))
        self.store.append([self.draft("set", kind, rec, changed, prev)])
        return True

    def delete(self, kind: str, rec: str) -> None:
        state = self.store.state.record(kind, rec)
        if state is None or self.store.state.fields(kind, rec) is None:
            raise UserError(_("No {kind} with id {id}.").format(kind=kind, id=rec))
        prev = sorted(state.head_ids())
        self.store.append([self.draft("delete", kind, rec, {DELETED: True}, prev)])

    # -- conflicts -----------------------------------------------------------

    def conflicts(self) -> list[Conflict]:
        return self.store.state.conflicts()

    def resolve(self, conflict: Conflict, keep_change: str) -> None:
        """Settle a conflict with the value of one of its changes (an ordinary change)."""
        candidates = {c["id"]: c for c in (conflict.winner, *conflict.others)}
        chosen = candidates.get(keep_change)
        if chosen is None:
            raise UserError(_("That value is not part of this conflict."))
        kind, rec, name = conflict.kind, conflict.rec, conflict.field
        if conflict.is_delete:
            state = self.store.state.record(kind, rec)
            assert state is not None
            if chosen["fields"].get(DELETED):
                prev = sorted(state.head_ids())
                self.store.append([self.draft("delete", kind, rec, {DELETED: True}, prev)])
            else:
                prev = self._heads(kind, rec, [DELETED])
                self.store.append([self.draft("restore", kind, rec, {DELETED: False}, prev)])
            return
        prev = self._heads(kind, rec, [name])
        value = chosen["fields"][name]
        self.store.append([self.draft("resolve", kind, rec, {name: value}, prev)])

    # -- status --------------------------------------------------------------

    def resolve_id(self, cls: type[Record], text: str) -> str:
        """The full id of a live ``cls`` record from an id or a unique prefix of one."""
        wanted = text.strip()
        if not wanted:
            raise UserError(_("An id is needed."))
        if self.get(cls, wanted) is not None:
            return wanted
        view = self._views.get(cls)
        if view is not None and view.state is self.store.state:
            ids = [r for r, record in self._view(cls).records.items() if record is not None]
        else:  # no values worked out: only which records are live
            ids = [
                rec_id
                for rec_id, rec_state in self.store.state.kind(cls.KIND).items()
                if rec_state.exists() and not rec_state.is_deleted()
            ]
        matches = [rec_id for rec_id in ids if rec_id.startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UserError(_("No {kind} with id '{id}'.").format(kind=cls.KIND, id=wanted))
        raise UserError(
            _("'{id}' fits {n} {kind} records ({some}); type more of the id.").format(
                id=wanted, n=len(matches), kind=cls.KIND, some=", ".join(sorted(matches)[:4])
            )
        )
