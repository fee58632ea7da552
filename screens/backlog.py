"""The backlog: the topics in the order the pair agreed, with category, status and age.

Add and edit in a form, reorder with shift+up/down (one topic's priority changes,
so both devices can reorder at once), filter by category and status, and put a
topic on a planned session.
"""

from __future__ import annotations

from rmpair.screens import fmt
from rmpair.screens.base import Context, JournalScreen, with_nav
from rmpair.screens.forms import ChoiceScreen, Field, FormScreen, Work
from rmpair.screens.table import Column, Row, Table, widest
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from rmpair.domain.backlog import OPEN_STATUSES
from rmpair.domain.session_times import end_utc
from rmpair.errors import UserError
from rmpair.fmt import day_month
from rmpair.i18n import N_, _, ngettext
from rmpair.journal import Journal
from rmpair.model.records import Category, SessionStatus, Topic, TopicStatus

STATUS_FILTERS: tuple[tuple[str, tuple[TopicStatus, ...] | None], ...] = (
    (N_("open"), OPEN_STATUSES),
    (N_("backlog"), (TopicStatus.BACKLOG,)),
    (N_("planned"), (TopicStatus.PLANNED,)),
    (N_("covered"), (TopicStatus.COVERED,)),
    (N_("dropped"), (TopicStatus.DROPPED,)),
    (N_("all"), None),
)
CATEGORY_FILTERS: tuple[Category | None, ...] = (None, *Category)


def status_width() -> int:
    """Room for every status, and a planned topic's day ("planned 28 Sep")."""
    import datetime as dt

    days = (day_month(dt.date(2026, month, 28)) for month in range(1, 13))
    return widest(
        _("Status"),
        *(_(status.value) for status in TopicStatus),
        *(_("planned") + " " + day for day in days),
    )


def category_choices() -> tuple[tuple[str, str], ...]:
    return tuple((_(c.value), c.value) for c in Category)


class BacklogScreen(JournalScreen):
    """The topic backlog as a table."""

    NAME = "backlog"
    BINDINGS = with_nav(
        [
            Binding("a", "add", N_("Add topic")),
            Binding("e", "edit", N_("Edit")),
            Binding("shift+up", "move(-1)", N_("Move up"), key_display="⇧↑"),
            Binding("shift+down", "move(1)", N_("Move down"), key_display="⇧↓"),
            Binding("p", "to_session", N_("Put on session")),
            Binding("f", "filter_category", N_("Category filter")),
            Binding("t", "filter_status", N_("Status filter")),
        ]
    )

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.status_filter = 0
        self.category_filter = 0
        self.topics: dict[str, Topic] = {}

    def body(self) -> ComposeResult:
        yield Static(id="filter", classes="line")
        yield Table(
            [
                Column("#", 4),
                Column(_("Topic")),
                Column(_("Category"), widest(_("Category"), *(_(c.value) for c in Category))),
                Column(_("Status"), status_width()),
                Column(_("Age"), 6),
            ],
            id="topics",
        )
        yield Static(id="detail", classes="line detail")

    @property
    def table(self) -> Table:
        return self.query_one("#topics", Table)

    def on_mount(self) -> None:
        self.table.empty_text = _("No topics here. Press a to add one.")
        self.table.focus()

    def show(self) -> None:
        journal, now = self.journal, self.ctx.now()
        label, statuses = STATUS_FILTERS[self.status_filter]
        label = _(label)
        category = CATEGORY_FILTERS[self.category_filter]
        topics = journal.backlog.topics(statuses=statuses, category=category)
        rank = {t.id: n for n, t in enumerate(journal.backlog.ordered(), start=1)}
        where = journal.backlog.topic_sessions()
        today = journal.today(now)
        rows: list[Row] = []
        for topic in topics:
            status = _(topic.status.value)
            session = where.get(topic.id)
            if topic.status is TopicStatus.PLANNED and session and session.start:
                status += " " + day_month(session.start.date())
            waited = journal.backlog.waited_days(topic, today=today)
            age = "" if waited is None else _("{n} d").format(n=waited)
            cells = (str(rank.get(topic.id, "")), topic.title, _(topic.category.value), status, age)
            rows.append((topic.id, cells))
        self.topics = {t.id: t for t in topics}
        self.table.set_rows(rows)
        shown = _("all categories") if category is None else _(category.value)
        self.query_one("#filter", Static).update(
            ngettext(
                "{n} topic · status: {status} · category: {category}   (t, f to change)",
                "{n} topics · status: {status} · category: {category}   (t, f to change)",
                len(rows),
            ).format(n=len(rows), status=label, category=shown)
        )
        self._detail(self.table.cursor_key)

    @on(Table.Highlighted, "#topics")
    def _highlighted(self, event: Table.Highlighted) -> None:
        self._detail(event.key)

    @on(Table.Selected, "#topics")
    def _selected(self) -> None:
        self.action_edit()

    def _detail(self, key: str | None) -> None:
        topic = self.topics.get(key or "")
        text = ""
        if topic is not None:
            text = _("{question} (proposed by the {role})").format(
                question=topic.question, role=_(topic.proposed_by.value)
            )
        # The line's height is fixed: no layout pass for each cursor move.
        self.query_one("#detail", Static).update(fmt.short(text, 400), layout=False)

    def reveal(self, topic_id: str) -> None:
        """Put the cursor on a topic (search opens it here); when the filters hide it,
        show every topic rather than nothing."""
        if topic_id not in self.topics:
            self.status_filter, self.category_filter = len(STATUS_FILTERS) - 1, 0
            self.reload()
        self.table.move_to(topic_id)
        self.table.focus()

    def _current(self) -> Topic | None:
        topic = self.topics.get(self.table.cursor_key or "")
        if topic is None:
            self.app.notify(_("No topic selected."))
        return topic

    # -- actions -------------------------------------------------------------

    def action_add(self) -> None:
        now = self.ctx.now()

        def build(values: dict[str, str]) -> Work[str]:
            title = values["title"].strip()
            if not title:
                raise UserError(_("Title: a topic needs a title."))
            category = Category(values["category"])
            question = values["question"]
            return lambda j: j.backlog.add_topic(
                title, category=category, question=question, now=now
            )

        form: FormScreen[str] = FormScreen(
            self.ctx,
            _("Add a topic"),
            [
                Field("title", _("Title")),
                Field("category", _("Category"), choices=category_choices()),
                Field("question", _("Question"), placeholder=_("What should I know about …?")),
            ],
            build,
        )
        self.app.push_screen(form, self._show_topic)

    def _show_topic(self, topic_id: str | None) -> None:
        if topic_id:
            self.reload()
            self.table.move_to(topic_id)

    def action_edit(self) -> None:
        topic = self._current()
        if topic is None:
            return
        statuses = [TopicStatus.BACKLOG, TopicStatus.COVERED, TopicStatus.DROPPED]
        if topic.status is TopicStatus.PLANNED:
            statuses.insert(1, TopicStatus.PLANNED)

        def build(values: dict[str, str]) -> Work[bool]:
            title = values["title"].strip()
            if not title:
                raise UserError(_("Title: a topic needs a title."))
            status = TopicStatus(values["status"])
            return lambda j: j.backlog.edit_topic(
                topic.id,
                title=title,
                category=Category(values["category"]),
                question=values["question"],
                status=None if status is topic.status else status,
            )

        form: FormScreen[bool] = FormScreen(
            self.ctx,
            _("Edit topic"),
            [
                Field("title", _("Title"), topic.title),
                Field("category", _("Category"), topic.category.value, category_choices()),
                Field("question", _("Question"), topic.question),
                Field(
                    "status",
                    _("Status"),
                    topic.status.value,
                    tuple((_(s.value), s.value) for s in statuses),
                ),
            ],
            build,
        )
        self.app.push_screen(form)

    def action_move(self, delta: int) -> None:
        topic = self._current()
        if topic is None:
            return
        topic_id = topic.id

        def move(journal: Journal) -> int:
            return journal.backlog.move_topic(
                topic_id, journal.backlog.topic_position(topic_id) + delta
            )

        self.save(move)

    def action_to_session(self) -> None:
        topic = self._current()
        if topic is None:
            return
        now = self.ctx.now()
        with self.ctx.jobs.lock:
            ahead = [
                s
                for s in self.journal.sessions.all()
                if s.status is SessionStatus.PLANNED and s.start and end_utc(s) >= now
            ]
            choices = [
                (f"{fmt.when(s)} · {self.journal.sessions.session_title(s)}", s.id) for s in ahead
            ]
        topic_id, title = topic.id, topic.title

        def chosen(session_id: str | None) -> None:
            if session_id:
                self.save(
                    lambda j: j.sessions.add_topic_to_session(session_id, topic_id),
                    lambda _item: self.app.notify(
                        _("'{title}' is on that session's agenda now.").format(title=title)
                    ),
                )

        self.app.push_screen(
            ChoiceScreen(
                _("Put '{title}' on which session?").format(title=title),
                choices,
                empty=_("No session is planned ahead; plan one on the Sessions screen (3)."),
            ),
            chosen,
        )

    def action_filter_category(self) -> None:
        self.category_filter = (self.category_filter + 1) % len(CATEGORY_FILTERS)
        self.reload()

    def action_filter_status(self) -> None:
        self.status_filter = (self.status_filter + 1) % len(STATUS_FILTERS)
        self.reload()
