"""Modal dialogs: a form that saves through the journal's queue, a question, a choice.

Each returns its value with ``dismiss``. A form stays open while its change is being
saved and shows the journal's answer (say, "The backlog already has 'Git'") inline,
so nothing typed is lost to a mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

from rmpair.screens.base import Context, JournalChanged, start_worker
from rmpair.screens.footer import KeysFooter
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from rmpair.errors import ReadOnlyError, UserError
from rmpair.i18n import N_, _
from rmpair.journal import Journal

T = TypeVar("T")
Work = Callable[[Journal], T]


@dataclass(frozen=True)
class Field:
    """One labelled input of a form: a line, a choice (``choices``) or a text area."""

    name: str
    label: str
    value: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (what the user sees, the value)
    placeholder: str = ""
    multiline: bool = False


class Body(VerticalScroll, can_focus=False):
    """A dialog's scrolling middle; the fields in it take the focus, not the scroll."""

    DEFAULT_CLASSES = "dialog-body"


class FormScreen(ModalScreen[T | None], Generic[T]):
    """Asks for a few values, turns them into a journal change and saves it.

    ``build`` checks the values (raising UserError with a message that names the
    field) and returns the work to run on the journal; its result is dismissed.
    """

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "submit", N_("Save")),
    ]

    def __init__(
        self,
        ctx: Context,
        title: str,
        fields: Sequence[Field],
        build: Callable[[dict[str, str]], Work[T]],
        *,
        intro: str = "",
        save_label: str | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.ctx = ctx
        self.title_text = title
        self.fields = list(fields)
        self.build = build
        self.intro = intro
        self.save_label = save_label or _("Save")
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.intro:
                yield Static(self.intro, classes="dialog-intro")
            with Body(), Grid(classes="form"):
                for item in self.fields:
                    yield Label(item.label)
                    yield self._widget(item)
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button(self.save_label, variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")
        yield KeysFooter()

    def _widget(self, item: Field) -> Input | Select[str] | TextArea:
        wid = f"field-{item.name}"
        if item.choices:
            values = [value for _label, value in item.choices]
            return Select(
                list(item.choices),
                value=item.value if item.value in values else values[0],
                allow_blank=False,
                id=wid,
            )
        if item.multiline:
            area = TextArea(item.value, id=wid, soft_wrap=True, classes="form-area")
            area.cursor_blink = False
            return area
        return Input(item.value, placeholder=item.placeholder, id=wid)

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def values(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for item in self.fields:
            widget = self.query_one(f"#field-{item.name}")
            if isinstance(widget, Select):
                found[item.name] = str(widget.value)
            elif isinstance(widget, TextArea):
                found[item.name] = widget.text
            elif isinstance(widget, Input):
                found[item.name] = widget.value
        return found

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(message)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def action_submit(self) -> None:
        if self.busy:
            return
        try:
            work = self.build(self.values())
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.busy = True
        self.show_error("")
        # The app's worker, not the form's: the form dismisses itself when the job is
        # done, and dismissing a screen cancels its own workers (the one still running).
        start_worker(self.app, partial(self._run, work))

    async def _run(self, work: Work[T]) -> None:
        try:
            result = await self.ctx.jobs.run(self.ctx.journal, work)
        except (UserError, ReadOnlyError, OSError) as exc:
            self.busy = False
            self.show_error(str(exc))
            return
        self.app.post_message(JournalChanged())
        if self.is_attached:
            self.dismiss(result)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; returns True for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No"), key_display="n"),
    ]

    def __init__(self, question: str, yes: str | None = None, detail: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.yes = yes or _("Yes")
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-intro")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", variant="primary", id="yes")
                yield Button(_("No (n)"), id="no")
        yield KeysFooter()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class InfoScreen(ModalScreen[None]):
    """A message to read and close (say, what moved where after a session)."""

    BINDINGS = [Binding("escape,enter", "close", N_("Close"), key_display="esc")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            with Body():
                yield Static(self.text, markup=False, id="info-text")
            with Horizontal(classes="buttons"):
                yield Button(_("Close"), variant="primary", id="close")
        yield KeysFooter()

    @on(Button.Pressed)
    def action_close(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of a few things (say, the session a topic goes to)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], empty: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.choices = list(choices)
        self.empty = empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            if self.choices:
                yield OptionList(
                    *[Option(label, id=value) for label, value in self.choices], id="choices"
                )
            else:
                yield Static(self.empty, classes="dialog-intro")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel")
        yield KeysFooter()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
