"""Conflicts: values both devices changed at the same time, side by side, and a choice.

The journal shows one of the values until someone chooses; choosing is an ordinary
change that syncs, so the partner's device shows the same choice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rmpair.screens import fmt
from rmpair.screens.base import Context, JournalScreen, with_nav
from rmpair.screens.footer import KeysFooter
from rmpair.screens.table import Column, Row, Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from rmpair.domain.status import conflict_json
from rmpair.i18n import N_, _, ngettext
from rmpair.journal import Journal
from rmpair.model.records import AgreementItem, Session, Topic
from rmpair.store.merge import Conflict

LETTERS = "abcdefgh"


def describe(journal: Journal, kind: str, rec: str) -> str:
    """The record a conflict is about, in words people recognise."""
    if kind == Topic.KIND and (topic := journal.get(Topic, rec)) is not None:
        return _("topic '{title}'").format(title=topic.title)
    if kind == Session.KIND and (session := journal.get(Session, rec)) is not None:
        return _("session {when}").format(when=fmt.when(session))
    if kind == AgreementItem.KIND and (item := journal.get(AgreementItem, rec)) is not None:
        return _("agreement item '{title}'").format(title=item.title)
    return f"{_(kind)} {rec}"


def value_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Choice:
    """One of the values in a conflict: which change, what it says, who, when."""

    change: str
    value: str
    who: str
    when: str


@dataclass(frozen=True)
class ConflictView:
    """A conflict as the screen shows it; ``key`` finds it again after a refresh."""

    key: tuple[str, str, str]
    what: str
    field: str
    choices: tuple[Choice, ...]


def view_of(journal: Journal, conflict: Conflict, tz: str) -> ConflictView:
    data = conflict_json(conflict)
    entries = [data["shown"], *data["others"]]
    choices = []
    for entry in entries:
        if conflict.is_delete:
            value = _("delete it") if entry["value"] else _("keep it, with the edit")
        else:
            value = value_text(entry["value"])
        choices.append(
            Choice(entry["change"], value, entry["person"], fmt.local_stamp(entry["at"], tz))
        )
    return ConflictView(
        key=(conflict.kind, conflict.rec, conflict.field),
        what=describe(journal, conflict.kind, conflict.rec),
        field=str(data["field"]),
        choices=tuple(choices),
    )


class ResolveScreen(ModalScreen[str | None]):
    """The values side by side; returns the id of the change to keep."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        # One message per letter: descriptions are translated where they are shown.
        *[
            Binding(letter, f"keep({n})", description)
            for n, (letter, description) in enumerate(
                zip(LETTERS, (N_("Keep A"), N_("Keep B"), N_("Keep C"), N_("Keep D")), strict=False)
            )
        ],
    ]

    def __init__(self, view: ConflictView) -> None:
        super().__init__(classes="dialog-screen")
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(
                _("Both devices changed the {field} of {what}. Which one stays?").format(
                    field=self.view.field, what=self.view.what
                ),
                classes="dialog-title",
            )
            with Horizontal(id="sides"):
                for n, choice in enumerate(self.view.choices):
                    letter = LETTERS[n].upper()
                    shown = " " + _("(shown now)") if n == 0 else ""
                    with Vertical(classes="side"):
                        yield Static(
                            _("{letter}: by {who}, {when}{shown}").format(
                                letter=letter, who=choice.who, when=choice.when, shown=shown
                            ),
                            classes="side-head",
                        )
                        with VerticalScroll(classes="side-value"):
                            yield Static(choice.value, markup=False)
                        yield Button(_("Keep {letter}").format(letter=letter), id=f"keep-{n}")
        yield KeysFooter()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_keep(int(str(event.button.id).rpartition("-")[2]))

    def action_keep(self, index: int) -> None:
        if 0 <= index < len(self.view.choices):
            self.dismiss(self.view.choices[index].change)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictsScreen(JournalScreen):
    """Every open conflict; enter shows the values and lets you choose."""

    NAME = "conflicts"
    BINDINGS = with_nav([Binding("enter", "resolve", N_("Choose a value"), key_display="⏎")])

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.views: dict[str, ConflictView] = {}

    def body(self) -> ComposeResult:
        yield Static(id="conflicts-intro", classes="line")
        yield Table(
            [Column(_("What")), Column(_("Field"), 12), Column(_("Shown now")), Column(_("Other"))],
            id="conflicts",
        )

    @property
    def table(self) -> Table:
        return self.query_one("#conflicts", Table)

    def on_mount(self) -> None:
        self.table.empty_text = _("No conflicts: both devices agree on everything.")
        self.table.focus()

    def show(self) -> None:
        journal = self.journal
        tandem = journal.tandem()
        tz = tandem.tz if tandem else "UTC"
        views = [view_of(journal, c, tz) for c in journal.conflicts()]
        self.views = {"/".join(v.key): v for v in views}
        rows: list[Row] = []
        for key, view in self.views.items():
            others = " | ".join(c.value for c in view.choices[1:])
            rows.append((key, (view.what, view.field, view.choices[0].value, others)))
        self.table.set_rows(rows)
        self.query_one("#conflicts-intro", Static).update(
            ngettext(
                "{n} value was changed on both devices at once. rmpair shows one of them "
                "until you choose.",
                "{n} values were changed on both devices at once. rmpair shows one of them "
                "until you choose.",
                len(rows),
            ).format(n=len(rows))
            if rows
            else _("Nothing to settle.")
        )

    @on(Table.Selected, "#conflicts")
    def action_resolve(self) -> None:
        view = self.views.get(self.table.cursor_key or "")
        if view is None:
            return

        def chosen(change: str | None) -> None:
            if change is None:
                return

            def resolve(journal: Journal) -> None:
                for conflict in journal.conflicts():
                    if (conflict.kind, conflict.rec, conflict.field) == view.key:
                        journal.resolve(conflict, change)
                        return

            self.save(
                resolve, lambda _none: self.app.notify(_("Settled; it syncs like any change."))
            )

        self.app.push_screen(ResolveScreen(view), chosen)
