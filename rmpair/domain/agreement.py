"""Setting up the tandem the way the method says: the ask, the prerequisites, the agreement.

No HR department is in the loop, so the tool walks the pair through what programmes
usually check for them: both want it, there is no reporting line, time is committed,
and the expectations are written down and signed by both. A "no" or a missing
signature never blocks anything; it is shown, with the reason it matters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rmpair import fmt
from rmpair.domain.cadence import cadence_text, months_between
from rmpair.domain.records import Records
from rmpair.domain.template_types import InviteTemplate
from rmpair.domain.templates import TemplateStore
from rmpair.errors import UserError
from rmpair.i18n import N_, _, content_language, gettext_for, normalize_language
from rmpair.model.codec import JSONValue
from rmpair.model.lifecycle import NO, YES, PrerequisiteAnswer, Signature
from rmpair.model.records import AgreementItem, Role, Tandem

# Facts about the pair rather than about one person: either partner's answer counts.
SHARED_PREREQUISITES = frozenset({"no-reporting-line"})


def month_name(month: int, lang: str | None = None) -> str:
    """A month's full name (January=1) in ``lang``, else in the interface language."""
    return fmt.month_name(month, lang)


def human_date(day: dt.date, lang: str | None = None) -> str:
    """A date as people write it in a message: "2 May 2027", "2. Mai 2027"."""
    return fmt.long_date(day, lang)


def local_time(stamp: str, tz: str) -> str:
    """A stored UTC stamp as wall-clock time in the tandem's zone (or the text as is)."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- the ask


def invite_text(
    template: InviteTemplate,
    *,
    to: str,
    me: str,
    topic: str | None,
    cadence: str,
    minutes: int,
    months: int,
    end: dt.date,
    lang: str | None = None,
) -> tuple[str, str]:
    """The invitation's subject and body with every placeholder filled; ``lang`` is the
    language of the template, so the end date is written in it too."""
    values: dict[str, object] = {
        "to": to,
        "me": me,
        "cadence": cadence,
        "minutes": minutes,
        "months": months,
        "end": human_date(end, lang),
    }
    topic_text = (topic or "").strip()
    if topic_text:
        body = template.body.format(topic=topic_text, **values)
    else:
        body = template.body_no_topic.format(**values)
    return template.subject.format(**values).strip(), body.strip()


# -------------------------------------------------------------------- prerequisites


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


# --------------------------------------------------------------------- agreement


def ordered(items: Sequence[AgreementItem]) -> list[AgreementItem]:
    return sorted(items, key=lambda i: (i.position, i.key, i.id))


def wording(items: Sequence[AgreementItem]) -> tuple[tuple[str, str, str], ...]:
    """The agreement's (key, title, text) rows in their order."""
    return tuple((i.key, i.title, i.text) for i in ordered(items))


def agreement_digest(rows: Sequence[tuple[str, str, str]]) -> str:
    """A stable hash of the agreement's wording in its order (positions count only as order)."""
    text = json.dumps([list(row) for row in rows], ensure_ascii=False, separators=(",", ":"))
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
        "cadence": cadence_text(tandem.cadence, tandem.weekday, lang),
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


class Agreement:
    """The ask, the prerequisites checklist and the signed agreement."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def _tandem_or_fail(self) -> Tandem:
        tandem = self.records.tandem()
        if tandem is None:
            raise UserError(_("The journal has no tandem yet."))
        return tandem

    def _template_store(self) -> TemplateStore:
        """The templates in the tandem's language (see ``Backlog.templates``)."""
        tandem = self.records.tandem()
        return TemplateStore(lang=content_language(tandem.lang if tandem else None))

    # -- language --------------------------------------------------------------------

    def set_language(self, lang: str) -> bool:
        """Switch the tandem's language: ``en``, ``de`` (German, "du") or ``de_formal``
        (German, "Sie"). Returns whether it changed.

        From now on templates fill new agendas, checklists and an unsaved agreement in
        this language; what is already in the journal (a saved or signed agreement,
        planned sessions) keeps its words. Each person's ``RMPAIR_LANG`` still decides
        the language of their own screen.
        """
        from rmpair.i18n import LANGUAGES

        code = normalize_language(lang)
        if code is None:
            raise UserError(
                _("'{lang}' is not a language rmpair speaks (choose one of: {choices}).").format(
                    lang=lang, choices=", ".join(LANGUAGES)
                )
            )
        tandem = self._tandem_or_fail()
        return self.records.update(Tandem.KIND, tandem.id, {"lang": code})

    # -- the ask -----------------------------------------------------------------

    def invite(
        self,
        *,
        topic: str | None = None,
        to: str | None = None,
        me: str | None = None,
        cadence: str | None = None,
        minutes: int | None = None,
        months: int | None = None,
        store: TemplateStore | None = None,
    ) -> tuple[str, str]:
        """The invitation (subject, body) in the tandem's frame; arguments override it."""
        from rmpair.domain.cadence import add_months, parse_cadence

        tandem = self._tandem_or_fail()
        store = store or self._template_store()
        chosen, weekday = tandem.cadence, tandem.weekday
        if cadence is not None:
            chosen, parsed_day = parse_cadence(cadence)
            weekday = parsed_day if parsed_day is not None else weekday
        start = tandem.start or self.records.today()
        if months is not None:
            end = add_months(start, months)
        else:
            end = tandem.end or add_months(start, 6)
            months = months_between(start, end)
        return invite_text(
            store.invite(),
            to=to or tandem.name_of(self.records.my_role.other),
            me=me or self.records.me,
            topic=topic,
            cadence=cadence_text(chosen, weekday, store.lang),
            minutes=minutes or tandem.session_minutes,
            months=months,
            end=end,
            lang=store.lang,
        )

    # -- prerequisites -------------------------------------------------------------

    def prerequisites(self, store: TemplateStore | None = None) -> list[PrerequisiteCheck]:
        """Every prerequisite of the template with both partners' answers."""
        store = store or self._template_store()
        answers: dict[tuple[str, Role], str] = {}
        for record in self.records.all(PrerequisiteAnswer):
            if record.answer:
                answers[(record.key, record.role)] = record.answer
        checks: list[PrerequisiteCheck] = []
        for item in store.prerequisites():
            given = {role: answers.get((item.key, role)) for role in Role}
            shared = item.key in SHARED_PREREQUISITES
            checks.append(
                PrerequisiteCheck(
                    key=item.key,
                    question=item.question,
                    why=item.why,
                    shared=shared,
                    answers=given,
                    status=prerequisite_status(given, shared),
                )
            )
        return checks

    def answer_prerequisites(
        self, answers: Mapping[str, bool], store: TemplateStore | None = None
    ) -> list[str]:
        """Record this person's answers; returns the keys whose answer changed."""
        store = store or self._template_store()
        known = [p.key for p in store.prerequisites()]
        by_fold = {key.casefold(): key for key in known}
        resolved: dict[str, bool] = {}
        for key, value in answers.items():
            real = by_fold.get(key.casefold())
            if real is None:
                raise UserError(
                    _("--answer: no prerequisite '{key}' (known: {keys}).").format(
                        key=key, keys=", ".join(known)
                    )
                )
            resolved[real] = value
        role = self.records.my_role
        changed: list[str] = []
        with self.records.batch():
            for key, value in resolved.items():
                answer = YES if value else NO
                rec_id = f"{key}:{role.value}"
                current = self.records.get(PrerequisiteAnswer, rec_id)
                if current is not None and current.answer == answer:
                    continue
                self.records.put(
                    PrerequisiteAnswer(
                        rec_id, key, role, answer, self.records.now().isoformat(timespec="seconds")
                    )
                )
                changed.append(key)
        return changed

    # -- agreement -----------------------------------------------------------------

    def agreement_items(self) -> tuple[list[AgreementItem], bool]:
        """The agreement's items in order, and whether they are stored in the journal yet.

        Until the first edit or signature the template's wording is shown unsaved, so
        looking at the agreement writes nothing.
        """
        stored = ordered(self.records.all(AgreementItem))
        if stored or self.records.store.state.kind(AgreementItem.KIND):
            return stored, True
        return template_items(self._template_store(), self._tandem_or_fail()), False

    def _seed_agreement(self) -> None:
        """Save the template's items on first use (inside the caller's batch).

        When both partners do this before their files have synced, both save the same
        wording; identical values are no conflict (see merge.py), so nothing shows.
        """
        items, stored = self.agreement_items()
        if stored:
            return
        for item in items:
            self.records.add(AgreementItem.KIND, item.to_fields(), rec_id=item.id)

    def _resolve_item(self, key: str) -> AgreementItem:
        items, _stored = self.agreement_items()
        wanted = key.strip().casefold()
        exact = [i for i in items if i.key.casefold() == wanted]
        matches = exact or [i for i in items if wanted and i.key.casefold().startswith(wanted)]
        if len(matches) == 1:
            return matches[0]
        keys = ", ".join(i.key for i in items)
        if not matches:
            raise UserError(
                _("No agreement item '{key}' (keys: {keys}).").format(key=key, keys=keys)
            )
        raise UserError(
            _("'{key}' fits several agreement items ({some}); type more of the key.").format(
                key=key, some=", ".join(i.key for i in matches)
            )
        )

    def view(self) -> AgreementView:
        """The agreement with both signatures and, for each, what changed since."""
        tandem = self._tandem_or_fail()
        items, stored = self.agreement_items()
        digest = agreement_digest(wording(items))
        signatures: dict[Role, SignatureView | None] = {}
        for role in Role:
            signature = self.records.get(Signature, role.value)
            if signature is None:
                signatures[role] = None
                continue
            changes, reordered = diff_items(signature.items, items)
            current = signature.digest == digest
            signatures[role] = SignatureView(signature, current, tuple(changes), reordered)
        return AgreementView(
            items=tuple(items),
            stored=stored,
            digest=digest,
            signatures=signatures,
            tz=tandem.tz,
        )

    def sign_agreement(self) -> bool:
        """Sign the agreement as it reads now; False when this role had already signed it."""
        with self.records.batch():
            self._seed_agreement()
            items, _stored = self.agreement_items()
            rows = wording(items)
            digest = agreement_digest(rows)
            current = self.records.get(Signature, self.records.my_role.value)
            if current is not None and current.digest == digest:
                return False
            self.records.put(
                Signature(
                    id=self.records.my_role.value,
                    role=self.records.my_role,
                    person=self.records.me,
                    at=self.records.now().isoformat(timespec="seconds"),
                    digest=digest,
                    items=rows,
                )
            )
        return True

    def edit_agreement_item(
        self, key: str, *, text: str | None = None, title: str | None = None
    ) -> tuple[str, bool]:
        """Change an item's wording; returns its key and whether anything changed."""
        if text is None and title is None:
            raise UserError(_("Give --text, --title or both."))
        if text is not None and not text.strip():
            raise UserError(_("--text must not be empty."))
        if title is not None and not title.strip():
            raise UserError(_("--title must not be empty."))
        item = self._resolve_item(key)
        fields: dict[str, JSONValue] = {}
        if text is not None:
            fields["text"] = text.strip()
        if title is not None:
            fields["title"] = title.strip()
        with self.records.batch():
            self._seed_agreement()
            changed = self.records.update(AgreementItem.KIND, item.id, fields)
        return item.key, changed

    def add_agreement_item(self, title: str, text: str, key: str | None = None) -> str:
        """Add an item at the end; its key comes from the title unless given."""
        if not title.strip() or not text.strip():
            raise UserError(_("An agreement item needs a --title and a --text."))
        with self.records.batch():
            self._seed_agreement()
            items, _stored = self.agreement_items()
            base = slug(key or title)
            taken = set(self.records.store.state.kind(AgreementItem.KIND))
            if key and base in taken and self.records.get(AgreementItem, base) is not None:
                raise UserError(_("There is already an item '{key}'.").format(key=base))
            new_key, n = base, 2
            while new_key in taken:  # a removed item's id is never reused
                new_key, n = f"{base}-{n}", n + 1
            position = max((i.position for i in items), default=0.0) + 1.0
            self.records.add(
                AgreementItem.KIND,
                AgreementItem(new_key, new_key, title.strip(), text.strip(), position).to_fields(),
                rec_id=new_key,
            )
        return new_key

    def remove_agreement_item(self, key: str) -> str:
        item = self._resolve_item(key)
        with self.records.batch():
            self._seed_agreement()
            self.records.delete(AgreementItem.KIND, item.id)
        return item.key

    def refresh_frame(self, old: Tandem, new: Tandem) -> list[str]:
        """After the frame changed (cadence, length, end), rewrite the agreement items that
        still read exactly as the template filled in with the old frame. Items the pair
        edited stay as they are. Returns the keys rewritten; they need signing again."""
        if self.records.store.state.count_live(AgreementItem.KIND) == 0:
            return []
        store = TemplateStore(lang=content_language(new.lang))
        before = {i.key: i.text for i in template_items(store, old)}
        after = {i.key: i.text for i in template_items(store, new)}
        updated: list[str] = []
        for item in self.records.all(AgreementItem):
            if item.key in before and item.text == before[item.key] != after[item.key]:
                self.records.update(AgreementItem.KIND, item.id, {"text": after[item.key]})
                updated.append(item.key)
        return sorted(updated)
