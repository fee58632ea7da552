"""The agreement: what the pair expects of each other, who signed it, what changed since.

Also the prerequisites the method checks before a tandem starts (both want it, no
reporting line, time committed); a "no" blocks nothing but is shown with why it
matters.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from rmpair.screens import fmt
from rmpair.screens.base import JournalScreen, with_nav
from rmpair.screens.forms import ConfirmScreen, Field, FormScreen, Work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from rmpair.domain.agreement_views import ItemChange
from rmpair.i18n import N_, _
from rmpair.model.lifecycle import NO, YES
from rmpair.model.records import Role

NOT_YET = "-"


def change_text(change: ItemChange) -> str:
    if change.change == "added":
        return _("added: {title}").format(title=change.title)
    if change.change == "removed":
        return _("removed: {title}").format(title=change.title)
    text = _("changed: {title}").format(title=change.title)
    if change.old_text != change.new_text:
        text += "\n        " + _("was: {text}").format(text=change.old_text)
        text += "\n        " + _("now: {text}").format(text=change.new_text)
    return text


class AgreementScreen(JournalScreen):
    """The agreement's items, both signatures, and the prerequisites."""

    NAME = "agreement"
    BINDINGS = with_nav(
        [
            Binding("s", "sign", N_("Sign")),
            Binding("k", "check", N_("Prerequisites")),
        ]
    )

    def body(self) -> ComposeResult:
        with VerticalScroll(id="agreement"):
            yield Static(id="signatures", classes="section")
            yield Static(id="items", classes="section")
            yield Static(id="prereqs", classes="section")

    def show(self) -> None:
        journal = self.journal
        tandem, me = journal.tandem(), journal.my_role
        if tandem is None:
            self.query_one("#items", Static).update(_("The journal has no tandem yet."))
            return
        view = journal.agreement.view()
        signed = Text()
        signed.append(_("Signatures"), style="bold")
        if view.signed_by_both:
            signed.append("  " + fmt.DONE + " " + _("signed by both as it reads now"))
        for role in Role:
            sig = view.signatures.get(role)
            who = fmt.person(tandem, role, me)
            if sig is None:
                signed.append(f"\n  {fmt.WARN} " + _("{who}: not signed yet").format(who=who))
                continue
            at = fmt.local_stamp(sig.signature.at, tandem.tz)
            if sig.current:
                signed.append(f"\n  {fmt.DONE} " + _("{who}: signed {at}").format(who=who, at=at))
                continue
            signed.append(
                f"\n  {fmt.WARN} "
                + _("{who}: signed {at}, but the agreement changed since:").format(who=who, at=at)
            )
            for change in sig.changes:
                signed.append("\n      " + change_text(change))
            if sig.reordered:
                signed.append("\n      " + _("the items were reordered"))
        mine = view.signatures.get(me)
        if mine is None or not mine.current:
            signed.append("\n  " + _("Press s to sign it as it reads now."))
        self.query_one("#signatures", Static).update(signed)

        heading = Text()
        heading.append(_("Agreement"), style="bold")
        if not view.stored:
            heading.append("  " + _("(from the template; saved with the first signature)"))
        # A grid, so that each item's text wraps under its title, not under its number.
        items = Table.grid(padding=(0, 1))
        items.add_column(justify="right", width=4)
        items.add_column()
        for n, item in enumerate(view.items, start=1):
            body = Text()
            body.append(item.title, style="bold")
            body.append("\n" + item.text)
            items.add_row(f"{n}.", body)
        self.query_one("#items", Static).update(Group(heading, items))

        checks = journal.agreement.prerequisites()
        prereqs = Text()
        prereqs.append(_("Prerequisites"), style="bold")
        for check in checks:
            mark = {"ok": fmt.DONE, "no": fmt.WARN}.get(check.status, "?")
            answers = ", ".join(
                f"{_(role.value)} {_(check.answers.get(role) or NOT_YET)}" for role in Role
            )
            prereqs.append(f"\n  {mark} {check.question} ({answers})")
            if check.status == "no":
                prereqs.append(f"\n      {check.why}")
        prereqs.append("\n  " + _("Press k to give your answers."))
        self.query_one("#prereqs", Static).update(prereqs)

    def action_sign(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.save(
                    lambda j: j.agreement.sign_agreement(),
                    lambda new: self.app.notify(
                        _("Signed.") if new else _("You had already signed this wording.")
                    ),
                )

        self.app.push_screen(
            ConfirmScreen(
                _("Sign the agreement as it reads now?"),
                _("Sign"),
                _("If it changes later, it shows as changed since you signed."),
            ),
            answered,
        )

    def action_check(self) -> None:
        with self.ctx.jobs.lock:
            checks = self.journal.agreement.prerequisites()
            me = self.journal.my_role
        choices = ((_("yes"), YES), (_("no"), NO), (_("not sure yet"), NOT_YET))
        fields = [Field(c.key, c.question, c.answers.get(me) or NOT_YET, choices) for c in checks]

        def build(values: dict[str, str]) -> Work[list[str]]:
            answers = {key: value == YES for key, value in values.items() if value != NOT_YET}
            return lambda j: j.agreement.answer_prerequisites(answers)

        self.app.push_screen(FormScreen(self.ctx, _("Prerequisites"), fields, build))
