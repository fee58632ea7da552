"""What the agreement and the prerequisites look like to the pair: the checks and
their status, the items in order, their wording and its digest, how the wording
changed since it was signed. Pure: no journal; the Agreement service builds on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rmpair.domain.invite import (
    human_date,
    local_time,
)
from rmpair.domain.rhythm import cadence_text
from rmpair.errors import UserError
from rmpair.i18n import N_, _, content_language, gettext_for
from rmpair.model.codec import JSONValue
from rmpair.model.lifecycle import NO, YES, Signature
from rmpair.model.records import AgreementItem, Role, Tandem

if TYPE_CHECKING:
    from rmpair.domain.templates import TemplateStore

# Facts about the pair rather than about one person: either partner's answer counts.
SHARED_PREREQUISITES = frozenset({"no-reporting-line"})


@dataclass(frozen=True)
class PrerequisiteCheck:
    """Where one prerequisite stands: both answers and the verdict.

    ``status`` is ``ok`` (confirmed), ``no`` (someone said no) or ``open`` (waiting
    for an answer). For a shared fact one "yes" confirms it for both.
    """

    key: str
    question: str
    why: str
    shared: bool
    answers: Mapping[Role, str | None]
    status: str

    @property
    def needs_attention(self) -> bool:
        return self.status != "ok"

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "key": self.key,
            "question": self.question,
            "why": self.why,
            "shared": self.shared,
            "answers": {role.value: self.answers.get(role) for role in Role},
            "status": self.status,
        }


def prerequisite_status(answers: Mapping[Role, str | None], shared: bool) -> str:
    given = [a for a in answers.values() if a]
    if NO in given:
        return "no"
    if shared:
        return "ok" if YES in given else "open"
    return "ok" if all(answers.get(role) == YES for role in Role) else "open"


def parse_answer(text: str) -> tuple[str, bool]:
    """``KEY=yes`` or ``KEY=no`` (also y/n, true/false) as (key, answer)."""
    key, sep, value = text.partition("=")
    word = value.strip().casefold()
    if not sep or not key.strip() or word not in ("yes", "y", "no", "n", "true", "false"):
        raise UserError(
            _("--answer: '{value}' is not KEY=yes or KEY=no (e.g. voluntary=yes).").format(
                value=text
            )
        )
    return key.strip(), word in ("yes", "y", "true")


def ordered(items: Sequence[AgreementItem]) -> list[AgreementItem]:
    return sorted(items, key=lambda i: (i.position, i.key, i.id))


def wording(items: Sequence[AgreementItem]) -> tuple[tuple[str, str, str], ...]:
    """The agreement's (key, title, text) rows in their order."""
    return tuple((i.key, i.title, i.text) for i in ordered(items))


def agreement_digest(rows: Sequence[tuple[str, str, str]]) -> str:
    """A stable hash of the agreement's wording in its order (positions count only as order)."""
    text = json.dumps([list(row) for row in rows], ensure_ascii=False, separators=(",", ":"))
    import hashlib  # here: it loads OpenSSL, which opening a journal does not need

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ItemChange:
    """How one item differs from the signed wording: ``added``, ``removed`` or ``changed``."""

    change: str
    key: str
    title: str
    old_title: str = ""
    old_text: str = ""
    new_text: str = ""

    def to_json(self) -> dict[str, JSONValue]:
        data: dict[str, JSONValue] = {"change": self.change, "key": self.key, "title": self.title}
        if self.change in ("removed", "changed"):
            data["old_title"] = self.old_title
            data["old_text"] = self.old_text
        if self.change in ("added", "changed"):
            data["new_text"] = self.new_text
        return data


def diff_items(
    signed: Sequence[tuple[str, str, str]], current: Sequence[AgreementItem]
) -> tuple[list[ItemChange], bool]:
    """What changed since ``signed``, item by item, and whether the order changed."""
    old = {key: (title, text) for key, title, text in signed}
    new = {i.key: i for i in current}
    changes: list[ItemChange] = []
    for item in current:
        if item.key not in old:
            changes.append(ItemChange("added", item.key, item.title, new_text=item.text))
        elif old[item.key] != (item.title, item.text):
            title, text = old[item.key]
            changes.append(
                ItemChange("changed", item.key, item.title, title, text, new_text=item.text)
            )
    for key, title, text in signed:
        if key not in new:
            changes.append(ItemChange("removed", key, title, title, text))
    common_old = [key for key, _t, _x in signed if key in new]
    common_new = [i.key for i in current if i.key in old]
    return changes, common_old != common_new


@dataclass(frozen=True)
class SignatureView:
    """A signature and whether the agreement still reads as it did when signed."""

    signature: Signature
    current: bool
    changes: tuple[ItemChange, ...]
    reordered: bool

    def to_json(self, tz: str) -> dict[str, JSONValue]:
        return {
            "role": self.signature.role.value,
            "person": self.signature.person,
            "at": self.signature.at,
            "at_local": local_time(self.signature.at, tz) if self.signature.at else None,
            "digest": self.signature.digest,
            "current": self.current,
            "changes": [c.to_json() for c in self.changes],
            "reordered": self.reordered,
        }


@dataclass(frozen=True)
class AgreementView:
    """The agreement as it stands: items, digest, and each role's signature."""

    items: tuple[AgreementItem, ...]
    stored: bool  # False until the first edit or signature saves the template's items
    digest: str
    signatures: Mapping[Role, SignatureView | None]
    tz: str

    @property
    def signed_by_both(self) -> bool:
        return all(v is not None and v.current for v in self.signatures.values())

    @property
    def changed_since_signed(self) -> bool:
        return any(v is not None and not v.current for v in self.signatures.values())

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "items": [
                {"key": i.key, "title": i.title, "text": i.text, "position": i.position}
                for i in self.items
            ],
            "stored": self.stored,
            "digest": self.digest,
            "signatures": {
                role.value: (view.to_json(self.tz) if view is not None else None)
                for role, view in self.signatures.items()
            },
            "signed_by_both": self.signed_by_both,
            "changed_since_signed": self.changed_since_signed,
        }


def agreement_values(tandem: Tandem) -> dict[str, object]:
    """What the agreement template's placeholders stand for in this tandem, written in
    the tandem's language (the agreement is the pair's shared text)."""
    lang = content_language(tandem.lang)
    return {
        "cadence": cadence_text(
            tandem.cadence, tandem.weekday, lang, week=tandem.week, start=tandem.start
        ),
        "minutes": tandem.session_minutes,
        "end": human_date(tandem.end, lang)
        if tandem.end
        else gettext_for(lang)(N_("the agreed end date")),
        "mentor": tandem.mentor,
        "mentee": tandem.mentee,
    }


def template_items(store: TemplateStore, tandem: Tandem) -> list[AgreementItem]:
    """The agreement template filled in for this tandem, as (unsaved) items."""
    values = agreement_values(tandem)
    return [
        AgreementItem(
            id=item.key,
            key=item.key,
            title=item.title,
            text=item.text.format(**values),
            position=float(n + 1),
        )
        for n, item in enumerate(store.agreement())
    ]


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return value[:40].strip("-") or "item"
