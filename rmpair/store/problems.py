"""What a read of the journal folder finds: problems with their codes, what is known of
each file, and the bookkeeping of entries set aside (quarantined).

Kept apart from the reading and writing so that ``rmpair doctor`` and the facade can
name a problem's kind without the machinery that finds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from rmpair.i18n import _
from rmpair.store.files import SCHEMA, LogFile, segment_file
from rmpair.store.merge import Change, MergedState, sum_problem
from rmpair.store.scan import Signature
from rmpair.store.syncfiles import classify

QUARANTINED = "quarantined"  # Problem.code of an entry set aside (see schema.py)
UNSHARED = "unshared"  # Problem.code: saved here, not yet written to the shared folder
MISPLACED = "misplaced"  # Problem.code: this device's entries in another device's folder
OLDER_COPY = "older-copy"  # Problem.code: a partner's file older than what was read


class Problem(NamedTuple):
    """Something found in the journal folder, with the file it concerns.

    ``needs_user`` is False for things rmpair put right by itself (a republished
    file, a folded conflict copy), which are still worth telling.
    """

    file: str
    message: str
    needs_user: bool = True
    # What kind of problem, for ``rmpair doctor``'s advice ("" for a file problem).
    code: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


class FileInfo(NamedTuple):
    sig: Signature
    problem: str | None = None
    schema: int = SCHEMA
    device: str = ""
    period: str = ""
    encrypted: bool = False  # an encrypted file of this journal
    locked: bool = False  # encrypted and not read: no passphrase in this process
    foreign: bool = False  # a file of another journal
    # Entries set aside, never applied: (change id, why). See schema.py.
    quarantined: tuple[tuple[str, str], ...] = ()
    segment: int = 1

    @property
    def canonical_name(self) -> str:
        """Where a file with this content belongs, relative to the devices folder."""
        return f"{self.device}/{segment_file(self.period, self.segment)}"

    def dump(self) -> dict[str, Any]:
        return {
            "sig": list(self.sig),
            "problem": self.problem,
            "schema": self.schema,
            "device": self.device,
            "period": self.period,
            "encrypted": self.encrypted,
            "locked": self.locked,
            "foreign": self.foreign,
            "quarantined": [list(entry) for entry in self.quarantined],
            "segment": self.segment,
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> FileInfo:
        sig = data["sig"]
        return cls(
            (int(sig[0]), int(sig[1]), int(sig[2])),
            data.get("problem"),
            int(data.get("schema", SCHEMA)),
            str(data.get("device", "")),
            str(data.get("period", "")),
            bool(data.get("encrypted", False)),
            bool(data.get("locked", False)),
            bool(data.get("foreign", False)),
            tuple((str(e[0]), str(e[1])) for e in data.get("quarantined", ())),
            int(data.get("segment", 1)),
        )


class LoadReport:
    """What one scan of the folder found and did."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.new_changes = 0


def admit(
    log: LogFile,
    validate: Callable[[Change], str | None] | None,
    known: Callable[[Change], bool] | None = None,
) -> tuple[list[Change], tuple[tuple[str, str], ...]]:
    """The changes of ``log`` that may be applied, and those set aside with why.

    A change must match the checksum it was written with (when it has one) and fit
    its kind's schema; anything else stays in the file, unapplied, and is listed by
    ``rmpair doctor``. A valid version arriving later is applied as usual. A change
    ``known`` says was applied already, with this very content, passed these checks
    then and is left out (applying it again would change nothing).
    """
    admitted: list[Change] = []
    quarantined = list(log.rejected)
    for change in log.changes:
        if known is not None and known(change):
            continue
        problem = sum_problem(change)
        if problem is None and validate is not None:
            problem = validate(change)
        if problem is None:
            admitted.append(change)
        else:
            quarantined.append((str(change["id"])[:40], problem))
    return admitted, tuple(quarantined)


def file_problems(
    replica: dict[str, FileInfo], shared: dict[str, FileInfo], own: str, state: MergedState
) -> list[Problem]:
    """What the files as they are tell: damaged copies, entries set aside, and partners'
    conflict copies (``own`` is this device's id)."""
    out = []
    for rel, info in sorted(replica.items()):
        if info.problem is not None:
            out.append(
                Problem(
                    "",
                    _("This device's own copy {file} is damaged: {problem}").format(
                        file=rel, problem=info.problem
                    ),
                )
            )
    told: set[str] = set()
    for rel, info in sorted(shared.items()):
        for cid, why in info.quarantined:
            told.add(cid)
            out.append(
                Problem(
                    f"devices/{rel}",
                    _("entry {id} of device {device} is set aside, never applied: {why}").format(
                        id=cid, device=info.device or "?", why=why
                    ),
                    code=QUARANTINED,
                )
            )
    for rel, info in sorted(replica.items()):
        for cid, why in info.quarantined:
            if cid not in told:
                out.append(
                    Problem(
                        "",
                        _(
                            "This device's copy {file}: entry {id} is set aside, never "
                            "applied: {why}"
                        ).format(file=rel, id=cid, why=why),
                        code=QUARANTINED,
                    )
                )
    for rel, info in sorted(shared.items()):
        if info.problem is not None:
            suffix = _("the last good copy of these entries is used")
            out.append(Problem(f"devices/{rel}", f"{info.problem} — {suffix}"))
        elif info.device != own and rel != info.canonical_name:
            kind = classify(rel.rsplit("/", 1)[-1])
            device = state.fields("device", info.device) or {}
            out.append(
                Problem(
                    f"devices/{rel}",
                    _(
                        "a {tool} conflict copy of {person}'s log: its entries were read, and "
                        "{person}'s rmpair will tidy it up"
                    ).format(
                        tool=kind.tool or _("sync"), person=device.get("person") or info.device
                    ),
                    needs_user=False,
                )
            )
    return out
