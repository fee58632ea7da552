"""Setting up the tandem: the invitation, the prerequisites and the signed agreement,
including signatures and edits made on two devices."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rmpair.domain.agreement_views import agreement_digest, parse_answer
from rmpair.domain.invite import human_date, invite_text
from rmpair.domain.template_schema import REQUIRED_AGREEMENT
from rmpair.domain.templates import TemplateStore
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model.lifecycle import PrerequisiteAnswer, Signature
from rmpair.model.records import AgreementItem, Cadence, Role
from rmpair.store.home import Home

if TYPE_CHECKING:
    # Only a type: importing "conftest" at run time can pick up another conftest.py.
    from pairs import TwoDevices


def sync(pair: TwoDevices) -> None:
    """Both directions, the way the sync tool would, then both devices re-read."""
    pair.deliver(pair.a, pair.b)
    pair.deliver(pair.b, pair.a)
    pair.a.refresh()
    pair.b.refresh()


# ------------------------------------------------------------------- invite


def test_invite_text_fills_every_placeholder() -> None:
    template = TemplateStore().invite()
    subject, body = invite_text(
        template,
        to="Sam",
        me="Dana",
        topic="AI assistants",
        cadence="every two weeks",
        minutes=45,
        months=3,
        end=dt.date(2027, 2, 1),
    )
    assert subject == "I'd like to learn from you"
    assert body.startswith("Hi Sam,")
    assert "What should I know about AI assistants?" in body
    assert "every two weeks, for 45 minutes" in body
    assert "for 3 months, until 1 February 2027" in body
    assert body.endswith("Dana")
    assert "{" not in body and "}" not in body


def test_invite_without_topic_uses_the_open_question() -> None:
    template = TemplateStore().invite()
    _subject, body = invite_text(
        template,
        to="Sam",
        me="Dana",
        topic="  ",
        cadence="once a month",
        minutes=60,
        months=6,
        end=dt.date(2027, 5, 2),
    )
    assert "What should I know about" not in body
    assert "people in my position tend to miss" in body


def test_journal_invite_takes_the_tandem_frame(tmp_path: Path) -> None:
    journal = Journal.init(
        tmp_path / "j",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        months=3,
        cadence=Cadence.BIWEEKLY,
        minutes=45,
        home=Home(tmp_path / "a"),
    )
    try:
        _subject, body = journal.agreement.invite(topic="prompting")
        assert body.startswith("Hi Sam,") and body.endswith("Dana")
        assert "every two weeks, for 45 minutes" in body
        assert "for 3 months, until 2 February 2027" in body
        _s, other = journal.agreement.invite(cadence="first-thursday", minutes=90, months=12)
        assert "on the first Thursday of each month, for 90 minutes" in other
        # Twelve months end on 2 Nov 2027; that month's first Thursday (the 4th) still counts.
        assert "for 12 months, until 4 November 2027" in other
        with pytest.raises(UserError, match="--cadence"):
            journal.agreement.invite(cadence="hourly")
    finally:
        journal.close()


def test_human_date() -> None:
    assert human_date(dt.date(2027, 5, 2)) == "2 May 2027"
    assert human_date(dt.date(2028, 2, 29)) == "29 February 2028"


# ------------------------------------------------------------ prerequisites


def test_parse_answer() -> None:
    assert parse_answer("voluntary=yes") == ("voluntary", True)
    assert parse_answer(" time-committed = N ") == ("time-committed", False)
    for bad in ("voluntary", "voluntary=maybe", "=yes"):
        with pytest.raises(UserError, match="--answer"):
            parse_answer(bad)


def test_prerequisites_need_both_answers(two_devices: TwoDevices) -> None:
    alex, sam = two_devices.a, two_devices.b  # mentee, mentor
    checks = {c.key: c for c in alex.agreement.prerequisites()}
    assert set(checks) >= {"voluntary", "no-reporting-line", "confidentiality"}
    assert {c.status for c in checks.values()} == {"open"}

    assert alex.agreement.answer_prerequisites({"voluntary": True, "time-committed": False}) == [
        "voluntary",
        "time-committed",
    ]
    assert alex.agreement.answer_prerequisites({"voluntary": True}) == []  # same answer: no change
    record = alex.get(PrerequisiteAnswer, "voluntary:mentee")
    assert record is not None and (record.key, record.role, record.answer) == (
        "voluntary",
        Role.MENTEE,
        "yes",
    )
    checks = {c.key: c for c in alex.agreement.prerequisites()}
    assert checks["voluntary"].status == "open"  # the mentor has not answered
    assert checks["time-committed"].status == "no"
    assert checks["time-committed"].why

    sam.agreement.answer_prerequisites({"voluntary": True, "time-committed": True})
    sync(two_devices)
    for journal in (alex, sam):
        checks = {c.key: c for c in journal.agreement.prerequisites()}
        assert checks["voluntary"].status == "ok"
        assert checks["voluntary"].answers == {Role.MENTOR: "yes", Role.MENTEE: "yes"}
        # A "no" stays a "no" even when the other side said yes.
        assert checks["time-committed"].status == "no"


def test_reporting_line_is_a_fact_either_may_confirm(two_devices: TwoDevices) -> None:
    alex, sam = two_devices.a, two_devices.b
    sam.agreement.answer_prerequisites({"no-reporting-line": True})
    sync(two_devices)
    checks = {c.key: c for c in alex.agreement.prerequisites()}
    assert checks["no-reporting-line"].shared
    assert checks["no-reporting-line"].status == "ok"
    assert not checks["confidentiality"].shared
    alex.agreement.answer_prerequisites({"no-reporting-line": False})
    assert {c.key: c for c in alex.agreement.prerequisites()}["no-reporting-line"].status == "no"


def test_unknown_prerequisite_is_a_user_error(two_devices: TwoDevices) -> None:
    with pytest.raises(UserError, match="no prerequisite 'boss'"):
        two_devices.a.agreement.answer_prerequisites({"boss": True})
    # Keys are matched without regard to case.
    assert two_devices.a.agreement.answer_prerequisites({"VOLUNTARY": True}) == ["voluntary"]


# ----------------------------------------------------------------- agreement


def test_agreement_is_the_filled_template_until_first_use(two_devices: TwoDevices) -> None:
    alex = two_devices.a
    before = len(alex.store.state.changes)
    view = alex.agreement.view()
    assert not view.stored
    assert len(alex.store.state.changes) == before  # looking writes nothing
    keys = [i.key for i in view.items]
    assert set(REQUIRED_AGREEMENT) <= set(keys)
    texts = {i.key: i.text for i in view.items}
    # Monthly from Mon 2 Nov 2026: the first Monday of each month, to 3 May 2027.
    assert texts["frequency"].startswith("We meet once a month, on the first Monday.")
    assert "60 minutes" in texts["session-length"]
    assert "3 May 2027" in texts["end-date"]
    assert "Sam" in texts["confidentiality"] and "Alex" in texts["confidentiality"]
    assert all("{" not in t for t in texts.values())
    assert view.signatures == {Role.MENTOR: None, Role.MENTEE: None}
    assert not view.signed_by_both and not view.changed_since_signed


def test_agreement_asks_for_feedback_both_ways(two_devices: TwoDevices) -> None:
    """The method asks for a feedback culture from both sides; the agreement says so,
    in English and in German (written in the "wir" form, so it fits du and Sie)."""
    texts = {i.key: i.text for i in two_devices.a.agreement.view().items}
    assert "feedback in both directions" in texts["feedback"]
    assert "Sam" in texts["feedback"] and "Alex" in texts["feedback"]
    for lang in ("de", "de_formal"):
        items = {i.key: i for i in TemplateStore(lang=lang).agreement()}
        assert items["feedback"].title == "Feedback"
        assert "in beide Richtungen" in items["feedback"].text
        assert not re.search(r"\b(du|dich|dir|dein\w*|Sie|Ihnen|Ihr\w*)\b", items["feedback"].text)


def test_sign_change_and_sign_again_across_two_devices(two_devices: TwoDevices) -> None:
    alex, sam = two_devices.a, two_devices.b
    assert alex.agreement.sign_agreement() is True
    assert alex.agreement.sign_agreement() is False  # already signed this wording
    sync(two_devices)
    assert sam.agreement.view().stored
    assert sam.agreement.sign_agreement() is True
    sync(two_devices)
    for journal in (alex, sam):
        view = journal.agreement.view()
        assert view.signed_by_both
        signatures = {r: v.signature for r, v in view.signatures.items() if v is not None}
        assert signatures[Role.MENTEE].person == "Alex"
        assert signatures[Role.MENTOR].person == "Sam"
        assert signatures[Role.MENTEE].digest == signatures[Role.MENTOR].digest == view.digest

    # Sam edits one item and adds one; Alex removes one, on their own devices.
    sam.agreement.edit_agreement_item("freq", text="We meet every other Thursday.")
    new_key = sam.agreement.add_agreement_item("Coffee", "The one who is late brings coffee.")
    alex.agreement.remove_agreement_item("mode")
    sync(two_devices)
    for journal in (alex, sam):
        view = journal.agreement.view()
        assert not view.signed_by_both and view.changed_since_signed
        for role in Role:
            signed = view.signatures[role]
            assert signed is not None and not signed.current
            changes = {(c.change, c.key) for c in signed.changes}
            assert changes == {("changed", "frequency"), ("added", new_key), ("removed", "mode")}
            changed = next(c for c in signed.changes if c.change == "changed")
            assert changed.old_text.startswith("We meet once a month, on the first Monday.")
            assert changed.new_text == "We meet every other Thursday."
    assert alex.agreement.view().digest == sam.agreement.view().digest

    # Alex signs again: Alex's signature is current, Sam's still shows the changes.
    assert alex.agreement.sign_agreement()
    sync(two_devices)
    view = sam.agreement.view()
    mentee, mentor = view.signatures[Role.MENTEE], view.signatures[Role.MENTOR]
    assert mentee is not None and mentee.current and mentee.changes == ()
    assert mentor is not None and not mentor.current
    assert sam.agreement.sign_agreement()
    sync(two_devices)
    assert alex.agreement.view().signed_by_both and sam.agreement.view().signed_by_both


def test_signature_keeps_what_was_signed(two_devices: TwoDevices) -> None:
    alex = two_devices.a
    alex.agreement.sign_agreement()
    signature = alex.get(Signature, "mentee")
    assert signature is not None
    items = alex.agreement.view().items
    assert signature.items == tuple((i.key, i.title, i.text) for i in items)
    assert signature.digest == agreement_digest(signature.items)
    assert signature.role is Role.MENTEE and signature.at.endswith("+00:00")


def test_reordering_counts_as_a_change(two_devices: TwoDevices) -> None:
    alex = two_devices.a
    alex.agreement.sign_agreement()
    alex.update(AgreementItem.KIND, "mode", {"position": 0.5})
    view = alex.agreement.view()
    assert view.items[0].key == "mode"
    signed = view.signatures[Role.MENTEE]
    assert signed is not None and not signed.current
    assert signed.changes == () and signed.reordered
    # Renumbering without changing the order keeps the signature valid.
    alex.update(AgreementItem.KIND, "mode", {"position": 0.25})
    alex.agreement.sign_agreement()
    alex.update(AgreementItem.KIND, "mode", {"position": 0.1})
    assert alex.agreement.view().signed_by_both is False
    signed = alex.agreement.view().signatures[Role.MENTEE]
    assert signed is not None and signed.current


def test_agreement_mistakes_are_user_errors(two_devices: TwoDevices) -> None:
    alex = two_devices.a
    with pytest.raises(UserError, match="No agreement item 'nope'"):
        alex.agreement.edit_agreement_item("nope", text="x")
    with pytest.raises(UserError, match="several"):
        alex.agreement.remove_agreement_item("e")  # end-date, ending-early
    with pytest.raises(UserError, match="--text"):
        alex.agreement.edit_agreement_item("mode")
    with pytest.raises(UserError, match="--title"):
        alex.agreement.add_agreement_item(" ", "text")
    # Nothing was saved by the failed attempts.
    assert not alex.agreement.view().stored


def test_added_key_is_never_a_removed_one(two_devices: TwoDevices) -> None:
    alex = two_devices.a
    first = alex.agreement.add_agreement_item("Check-ins", "We check in halfway.")
    assert first == "check-ins"
    alex.agreement.remove_agreement_item("check-ins")
    again = alex.agreement.add_agreement_item("Check-ins", "Check-ins, monthly.")
    assert again == "check-ins-2"
    with pytest.raises(UserError, match="already"):
        alex.agreement.add_agreement_item("Other", "x", key="check-ins-2")
    assert alex.conflicts() == []


def test_signing_at_the_same_time_leaves_no_conflict(two_devices: TwoDevices) -> None:
    alex, sam = two_devices.a, two_devices.b
    # Both sign before the sync tool has carried anything: each saves the template.
    alex.agreement.sign_agreement()
    sam.agreement.sign_agreement()
    sync(two_devices)
    # Both saved the same wording: identical values are no conflict.
    assert alex.conflicts() == [] and sam.conflicts() == []
    assert alex.agreement.view().signed_by_both and sam.agreement.view().signed_by_both
    assert sam.agreement.view().digest == alex.agreement.view().digest
    # A real disagreement is left for the pair to settle.
    alex.agreement.edit_agreement_item("mode", text="Video only.")
    sam.agreement.edit_agreement_item("mode", text="In person only.")
    sync(two_devices)
    assert [(c.rec, c.field) for c in alex.conflicts()] == [("mode", "text")]
