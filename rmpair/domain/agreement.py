"""Setting up the tandem the way the method says: the ask, the prerequisites, the agreement.

No HR department is in the loop, so the tool walks the pair through what programmes
usually check for them: both want it, there is no reporting line, time is committed,
and the expectations are written down and signed by both. A "no" or a missing
signature never blocks anything; it is shown, with the reason it matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rmpair.domain.agreement_views import (
    SHARED_PREREQUISITES,
    AgreementView,
    PrerequisiteCheck,
    SignatureView,
    agreement_digest,
    diff_items,
    ordered,
    prerequisite_status,
    slug,
    template_items,
    wording,
)
from rmpair.domain.cadence import months_between
from rmpair.domain.invite import (
    invite_text,
)
from rmpair.domain.records import Records
from rmpair.domain.rhythm import cadence_text
from rmpair.errors import UserError
from rmpair.i18n import _, content_language, normalize_language
from rmpair.model.codec import JSONValue
from rmpair.model.lifecycle import NO, YES, PrerequisiteAnswer, Signature
from rmpair.model.records import AgreementItem, Role, Tandem

if TYPE_CHECKING:
    from rmpair.domain.templates import TemplateStore

# --------------------------------------------------------------------------- the ask


# -------------------------------------------------------------------- prerequisites


# --------------------------------------------------------------------- agreement


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
        from rmpair.domain.templates import TemplateStore

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
        from rmpair.domain.cadence import parse_cadence, programme_end

        tandem = self._tandem_or_fail()
        store = store or self._template_store()
        chosen, weekday, week = tandem.cadence, tandem.weekday, tandem.week
        if cadence is not None:
            choice = parse_cadence(cadence)
            chosen, week = choice.cadence, choice.week
            weekday = choice.weekday if choice.weekday is not None else weekday
        start = tandem.start or self.records.today()
        if months is not None:
            end = programme_end(start, months, chosen, weekday, week)
        else:
            end = tandem.end or programme_end(start, 6, chosen, weekday, week)
            months = months_between(start, end)
        return invite_text(
            store.invite(),
            to=to or tandem.name_of(self.records.my_role.other),
            me=me or self.records.me,
            topic=topic,
            cadence=cadence_text(chosen, weekday, store.lang, week=week, start=start),
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

    def agreement_item(self, key: str) -> AgreementItem:
        """The item a key (or the start of one) names, as ``edit`` would change it."""
        return self._resolve_item(key)

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
        from rmpair.domain.templates import TemplateStore

        store = TemplateStore(lang=content_language(new.lang))
        before = {i.key: i.text for i in template_items(store, old)}
        after = {i.key: i.text for i in template_items(store, new)}
        updated: list[str] = []
        for item in self.records.all(AgreementItem):
            if item.key in before and item.text == before[item.key] != after[item.key]:
                self.records.update(AgreementItem.KIND, item.id, {"text": after[item.key]})
                updated.append(item.key)
        return sorted(updated)
