"""The merged state cached between runs, keyed by every file's signature, with the
status that ``rmpair status`` shows without opening the journal (see quick.py).
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rmpair import __version__
from rmpair.errors import ReadOnlyError
from rmpair.i18n import _
from rmpair.store.base import StoreCore
from rmpair.store.bulk import many_objects
from rmpair.store.cache import CacheMiss, answer_part_name, bucket_of, part_name
from rmpair.store.changes import decode_kind, is_live
from rmpair.store.merge import MergedState
from rmpair.store.problems import FileInfo
from rmpair.store.scan import Signature, listing_digest

CACHE_VERSION = 4  # quick.CACHE_VERSION must match
# A save keeps at most this many new pieces of an answer kept per bucket in files of
# their own (an edit makes one or two); more go into one part with all the answer's
# (a first read of a large journal would otherwise write thousands of small files).
LOOSE_PIECES = 8

# The live records of one bucket of a kind, as (record id, shown values).
Shown = Iterable[tuple[str, dict[str, Any]]]
Maker = Callable[[Shown], dict[str, Any]]  # a piece of an answer from a bucket's records
Check = Callable[[dict[str, Any]], bool]  # whether a piece read back is as made


class StateCache:
    """Loads and saves the cache of the merged state."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        # The listing of files is cached in groups, one per device and year, so that a
        # save rewrites only the group of the segment it wrote: each group's entries as
        # last saved (``FileInfo``s, not their dumps: comparing them is cheap, dumping
        # hundreds per save was not), and its part.
        self._groups: dict[str, tuple[Any, str]] = {}
        # Answers derived from the records of one kind, saved beside them: per name,
        # (kind, {part of a bucket of the kind's records: part of the answer for it}); and the
        # makers registered in this process that give them anew (see ``derived``).
        self._derived: dict[str, tuple[str, dict[str, str]]] = {}
        self._makers: dict[str, tuple[str, Callable[[], Any]]] = {}
        # Answers made bucket by bucket (see ``per_bucket``): per name, kind, maker and
        # the check a piece read back must pass.
        self._bucket_makers: dict[str, tuple[str, Maker, Check]] = {}
        # Pieces ``bucket_answer`` made, by (name, bucket part): the next save keeps them.
        self._made: dict[tuple[str, str], dict[str, Any]] = {}
        # Per answer, the part that holds the pieces of many buckets at once (a save
        # that makes many writes one part, not a file per bucket), and its content.
        self._packs: dict[str, str] = {}
        self._pack_data: dict[str, dict[str, Any]] = {}
        # The head this process loaded, and the derived answers asked for that it did
        # not hold for records still as cached: a command that only reads saves them at
        # close (``save_derived``), or every later run would work them out again.
        self._head: dict[str, Any] | None = None
        self._missing: set[str] = set()

    def load(self) -> None:
        with many_objects():
            self._load()

    def _load(self) -> None:
        head = self.core._cache.head()
        if head is None:
            return
        try:
            key = (head["version"], head["code"], head["journal"], head["device"])
            if key != (CACHE_VERSION, __version__, self.core.member.journal, self.core.device.id):
                return
            shared: dict[str, FileInfo] = {}
            replica: dict[str, FileInfo] = {}
            published: dict[str, tuple[Signature, Signature]] = {}
            for group, ref in head["listing"].items():
                part = marshal.loads(self.core._cache.part(ref))
                entries: tuple[dict[str, Any], dict[str, Any], dict[str, Any]] = (
                    {},
                    {},
                    dict(part[2]),
                )
                for index, dumps in enumerate(part[:2]):
                    for rel, dumped in dumps.items():
                        entries[index][rel] = FileInfo.load(dumped)
                shared.update(entries[0])
                replica.update(entries[1])
                published.update(part[2])
                self._groups[group] = (entries, ref)
            derived = _derived_entries(head.get("derived"))
            packs = head.get("packs", {})
            packs = {str(k): str(v) for k, v in packs.items()} if isinstance(packs, dict) else {}
            ignored = dict(head["ignored"])
            checkpointed = int(head["checkpointed"])
            state = MergedState.restore(head["state"], self._load_part)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError, CacheMiss):
            self._groups = {}
            return  # a stale cache only costs a full read
        self.core.state, self.core._shared, self.core._replica, self.core._published = (
            state,
            shared,
            replica,
            published,
        )
        self.core._ignored, self._derived = ignored, derived
        self.core._checkpointed = checkpointed
        self._head, self._packs = head, packs

    def _load_part(self, name: str) -> bytes:
        try:
            return self.core._cache.part(name)
        except CacheMiss:
            self.core._cache.clear()
            raise ReadOnlyError(
                _(
                    "This device's cache of the journal was damaged and has been cleared; "
                    "run the command again."
                )
            ) from None

    def derived(self, name: str, kind: str, make: Callable[[], Any]) -> Any | None:
        """The answer ``name`` saved for the records of ``kind`` as they are now, or
        None; ``make`` gives it (a dict by record id) for the records as they are at
        each save, which keeps it beside them. It is kept per bucket of the kind's
        records and used only while every bucket is the one it was made from, so it can
        never answer for other records (a query over 10,000 topics loads these small
        parts instead of decoding the topics), and a save rewrites only the buckets
        whose records changed, so what one edit writes stays small."""
        self._makers[name] = (kind, make)
        entry = self._derived.get(name)
        refs = self.core.state.kind_refs(kind)
        if refs is None:
            return None
        if entry is None or entry[0] != kind or not all(ref in entry[1] for ref in refs):
            self._missing.add(name)
            return None
        parts = entry[1]
        answer: dict[Any, Any] = {}
        try:
            for ref in dict.fromkeys(refs):
                piece = marshal.loads(self.core._cache.part(parts[ref]))
                if not isinstance(piece, dict):
                    raise TypeError(piece)
                answer.update(piece)
        except (CacheMiss, ValueError, EOFError, TypeError):
            # Damaged or not as ``save`` writes it: worked out again, and kept anew.
            del self._derived[name]
            self._missing.add(name)
            return None
        return answer

    def per_bucket(self, name: str, kind: str, make: Maker, valid: Check) -> None:
        """Keep the answer ``name`` beside the records of ``kind``: ``make`` gives, from
        the live records of one bucket, the answer's entries for them (by record id).
        Each bucket's piece is a function of the bucket's content, so it is saved under
        a name made from the answer's name and the bucket part's (``answer_part_name``):
        a save makes the pieces of the buckets it writes, and a query over every record
        (``bucket_answer``) loads the pieces instead of decoding the records. ``name``
        carries a version, changed whenever ``make`` gives something else. A piece read
        back that ``valid`` rejects is made again (and kept) like a missing one."""
        self._bucket_makers[name] = (kind, make, valid)

    def bucket_answer(self, name: str) -> dict[str, Any] | None:
        """The answer ``per_bucket`` keeps as ``name``, for the records as they are now:
        each bucket's saved piece, or the piece made now when there is none (or it is
        damaged); a command that only reads saves those once (``save_derived``). None
        when the kind changed since it was restored or saved (the caller works the
        answer out from the records) or nothing registered ``name``."""
        maker = self._bucket_makers.get(name)
        refs = None if maker is None else self.core.state.kind_refs(maker[0])
        if maker is None or refs is None:
            return None
        answer: dict[str, Any] = {}
        with many_objects():
            for ref in dict.fromkeys(refs):
                piece = self._kept_piece(name, ref)
                if piece is None:
                    piece = maker[1](_live(marshal.loads(self._load_part(ref))))
                    self._made[(name, ref)] = piece
                answer.update(piece)
        return answer

    def _kept_piece(self, name: str, ref: str) -> dict[str, Any] | None:
        """The piece of ``name`` for the bucket part ``ref`` made in this process, in the
        answer's pack or in its own file; None when there is none that can be read."""
        piece = self._made.get((name, ref))
        if piece is not None:
            return piece
        pack = self._pack_data.get(name)
        if pack is None:
            pack = self._pack_data[name] = self._read_pack(self._packs.get(name))
        valid = self._bucket_makers[name][2]
        found = pack.get(ref)
        if isinstance(found, dict) and valid(found):
            return found
        # Only then its own file: with a pack, most buckets have none, and looking for
        # each (a failed open) cost more than reading the pack.
        found = self.core._cache.answer_piece(name, ref)
        if isinstance(found, dict) and valid(found):
            return found
        return None

    def _read_pack(self, ref: str | None) -> dict[str, Any]:
        if ref is None:
            return {}
        try:
            pack = marshal.loads(self.core._cache.part(ref))
            if not isinstance(pack, dict):
                raise TypeError(ref)
        except (CacheMiss, ValueError, EOFError, TypeError):
            # Its pieces are made again when asked for; the damaged file goes, so that
            # a save of the same pieces writes it anew.
            self.core._cache.discard(ref)
            return {}
        return pack

    def _answers(
        self, kinds: dict[str, list[str]], parts: dict[str, bytes], *, writes: bool = True
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The answers kept per bucket, by name with their kind, and their packs, for
        the head; adds to ``parts`` the pieces made since the last save and (``writes``)
        those of the buckets this save writes: each in its own file when there are a
        few (an edit), else all the answer's pieces in one new pack (a first read)."""
        answers: dict[str, str] = {}
        packs = dict(self._packs)
        live: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # each bucket decoded once
        for name, (kind, make, _valid) in self._bucket_makers.items():
            refs = kinds.get(kind)
            if refs is None:
                continue
            answers[name] = kind
            fresh: dict[str, dict[str, Any]] = {}
            for ref in dict.fromkeys(refs):
                piece = self._made.get((name, ref))
                if piece is None and writes and ref in parts:  # a bucket this save writes
                    if ref not in live:
                        live[ref] = list(_live(marshal.loads(parts[ref])))
                    piece = make(live[ref])
                if piece is not None:
                    fresh[ref] = piece
            whole = (
                self._whole(name, refs, fresh, make, parts) if len(fresh) > LOOSE_PIECES else None
            )
            if whole is not None:
                blob = marshal.dumps(whole)
                packs[name] = part_name(blob)
                parts[packs[name]] = blob
                continue
            for ref, piece in fresh.items():
                parts[answer_part_name(name, ref)] = marshal.dumps((name, ref, piece))
        return answers, packs

    def _whole(
        self,
        name: str,
        refs: list[str],
        fresh: dict[str, dict[str, Any]],
        make: Maker,
        parts: dict[str, bytes],
    ) -> dict[str, dict[str, Any]] | None:
        """Every piece of ``name`` for the bucket parts ``refs`` (for a pack), or None
        when a bucket part is gone (another process swept it): then only the new
        pieces are kept, each in its own file."""
        whole: dict[str, dict[str, Any]] = {}
        try:
            for ref in dict.fromkeys(refs):
                piece = fresh.get(ref)
                if piece is None:
                    piece = self._kept_piece(name, ref)
                if piece is None:
                    blob = parts[ref] if ref in parts else self.core._cache.part(ref)
                    piece = make(_live(marshal.loads(blob)))
                whole[ref] = piece
        except (CacheMiss, ValueError, EOFError, TypeError):
            return None
        return whole

    def _derive(self, kinds: dict[str, list[str]], parts: dict[str, bytes]) -> dict[str, Any]:
        derived: dict[str, tuple[str, dict[str, str]]] = {}
        for name, (kind, kept) in self._derived.items():  # about the same records
            refs = kinds.get(kind)
            if refs is not None and all(ref in kept for ref in refs):
                derived[name] = (kind, {ref: kept[ref] for ref in refs})
        for name, (kind, make) in self._makers.items():
            refs = kinds.get(kind)
            if refs is None or name in derived:
                continue
            made = self._answer_parts(name, kind, make, refs, parts)
            if made is not None:
                derived[name] = (kind, made)
        return derived

    def _answer_parts(
        self,
        name: str,
        kind: str,
        make: Callable[[], Any],
        refs: list[str],
        parts: dict[str, bytes],
    ) -> dict[str, str] | None:
        """The answer ``name`` as ``make`` gives it now, cut like the kind's buckets
        ``refs``: per bucket part, the part of the answer (new ones added to ``parts``)."""
        rows = make()
        if not isinstance(rows, dict):
            return None
        old = self._derived.get(name)
        before = old[1] if old is not None and old[0] == kind else {}
        groups: list[dict[Any, Any]] = [{} for _ in refs]
        for rec_id, row in rows.items():
            groups[bucket_of(rec_id, len(refs))][rec_id] = row
        made: dict[str, str] = {}
        for ref, group in zip(refs, groups, strict=True):
            if ref in made:
                continue
            if ref in before:  # the same records as then: the same answer
                made[ref] = before[ref]
                continue
            blob = marshal.dumps(group)
            parts[part_name(blob)] = blob
            made[ref] = part_name(blob)
        return made

    @property
    def derived_pending(self) -> bool:
        """Whether ``save_derived`` has answers to keep (then it needs the lock)."""
        pending = self._missing or self._made
        return bool(pending) and self._head is not None and not self.core._cache_dirty

    def save_derived(self) -> None:
        """At the close of a process that changed nothing: keep the derived answers it
        worked out beside the cached records they were made from, in a new head that
        differs from the loaded one only there (the stored status stays valid). Only
        while the head on disk is still the one loaded: another process's save wins."""
        head = self._head
        if not self.derived_pending or head is None:
            return
        self._missing, derived = set(), dict(self._derived)
        parts: dict[str, bytes] = {}
        kinds = head.get("state", {}).get("kinds", {})
        answers, packs = self._answers(kinds, parts, writes=False)  # see ``bucket_answer``
        for name in sorted(self._makers):
            kind, make = self._makers[name]
            refs = self.core.state.kind_refs(kind)
            entry = derived.get(name)
            if refs is None or (entry is not None and all(r in entry[1] for r in refs)):
                continue
            made = self._answer_parts(name, kind, make, refs, parts)
            if made is not None:
                derived[name] = (kind, made)
        if not parts or self.core._cache.head() != head:
            return
        kept = head.get("answers")
        answers = {**(kept if isinstance(kept, dict) else {}), **answers}
        written = dict(head, derived=derived, answers=answers, packs=packs)
        try:
            self.core._cache.save_head(written, parts)
        except (OSError, ValueError):
            return
        self._derived, self._head, self._made = derived, written, {}
        self._packs, self._pack_data = packs, {}

    def save(self) -> None:
        state_head, parts = self.core.state.snapshot()
        derived = self._derive(state_head["kinds"], parts)
        answers, packs = self._answers(state_head["kinds"], parts)
        groups, listing = self._listing(parts)
        head = {
            "version": CACHE_VERSION,
            "code": __version__,
            "journal": self.core.member.journal,
            "device": self.core.device.id,
            "listing": listing,
            "ignored": self.core._ignored,
            "checkpointed": self.core._checkpointed,
            "state": state_head,
            "derived": derived,
            "answers": answers,
            "packs": packs,
        }
        quick = None
        if self.core.status_snapshot is not None:
            quick = {
                "version": CACHE_VERSION,
                "code": __version__,
                "journal": self.core.member.journal,
                # What a listing of the folders must show for the stored status to hold.
                "expect_shared": listing_digest(
                    {**self.core._ignored, **{k: v.sig for k, v in self.core._shared.items()}}
                ),
                "expect_replica": listing_digest(
                    {
                        **self.core._ignored_replica,
                        **{k: v.sig for k, v in self.core._replica.items()},
                    }
                ),
                "status": self.core.status_snapshot,
            }
        try:
            self.core._cache.save(head, parts, quick)
        except (OSError, ValueError):
            return
        self._made = {}
        if packs != self._packs:
            self._packs, self._pack_data = packs, {}
        self.core.state.saved(state_head)
        self._groups, self._derived = groups, derived
        self._head, self._missing = head, set()  # what is on disk now
        self.core._cache_dirty = False

    def _listing(
        self, parts: dict[str, bytes]
    ) -> tuple[dict[str, tuple[Any, str]], dict[str, str]]:
        """What was read of every file, in groups by device and month; a group whose
        content did not change keeps its part."""
        contents: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {}
        tables = (self.core._shared, self.core._replica)
        for index, table in enumerate(tables):
            for rel, info in table.items():
                contents.setdefault(_group(rel), ({}, {}, {}))[index][rel] = info
        for rel, sigs in self.core._published.items():
            contents.setdefault(_group(rel), ({}, {}, {}))[2][rel] = sigs
        groups: dict[str, tuple[Any, str]] = {}
        for group, content in contents.items():
            known = self._groups.get(group)
            if known is not None and known[0] == content:
                groups[group] = known
                continue
            shared, replica, published = content
            dumped = (
                {rel: info.dump() for rel, info in shared.items()},
                {rel: info.dump() for rel, info in replica.items()},
                published,
            )
            blob = marshal.dumps(dumped)
            ref = part_name(blob)
            parts[ref] = blob
            groups[group] = (content, ref)
        return groups, {group: ref for group, (_content, ref) in groups.items()}

    def renew_status(self) -> None:
        """Save the cache at close although no change arrived, with a fresh status."""
        self.core._cache_dirty = True

    @property
    def cache_dirty(self) -> bool:
        return self.core._cache_dirty


def _live(bucket: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The live records of a bucket's cache part, as (record id, shown values)."""
    for rec_id, state in decode_kind(bucket).items():
        if is_live(state):
            yield rec_id, state.shown_values()


def _group(rel: str) -> str:
    """The group of a file in the cached listing: its device folder and year. Every
    command reads every group, so a five-year journal has about ten of them rather than
    120 (one per month: 5 ms of each start); a save rewrites its year's group, a few
    kilobytes."""
    folder, _sep, name = rel.rpartition("/")
    return f"{folder}/{name[:4]}"


def _derived_entries(data: object) -> dict[str, tuple[str, dict[str, str]]]:
    """The derived answers a cache head lists; what is not as ``save`` writes it is
    left out (it is only worked out again)."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    if not isinstance(data, dict):
        return found
    for name, entry in data.items():
        if (
            isinstance(name, str)
            and isinstance(entry, list | tuple)
            and len(entry) == 2
            and isinstance(entry[0], str)
            and isinstance(entry[1], dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in entry[1].items())
        ):
            found[name] = (entry[0], dict(entry[1]))
    return found
