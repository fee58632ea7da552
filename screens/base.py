"""What every journal screen shares: the journal, the clock, and one queue for its work.

The journal is not thread-safe, so every change (and the live refresh) runs as a
*job* on one background thread, in the order the user asked for them, holding
``Context.lock``; screens read the journal on the UI thread under the same lock.
The UI never waits for the disk, and the journal is never used by two threads at
once. A job's result comes back on the UI thread, and then every visible screen
shows the journal again (``JournalScreen.show``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rmpair.screens.footer import KeysFooter
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from rmpair.clock import SYSTEM_CLOCK, Clock
from rmpair.errors import ReadOnlyError, UserError
from rmpair.i18n import N_, _

if TYPE_CHECKING:  # the start screen paints before the journal's modules are imported
    from textual.dom import DOMNode
    from textual.worker import WorkType

    from rmpair.journal import Journal

T = TypeVar("T")


def start_worker(
    node: DOMNode, work: Callable[[], Coroutine[None, None, None]], group: str = "journal"
) -> None:
    """Run ``work`` in a worker of ``node``. The worker gets the function, not a
    coroutine made beforehand: one cancelled before it starts (the app quitting at that
    moment) then leaves no coroutine that was never awaited, which Python warns about
    on the terminal as the app ends."""
    # (Typed as Textual's union: inferred from the function alone, mypy cannot tell
    # which member it is and finds no result type.)
    job: WorkType[None] = work
    node.run_worker(job, group=group)


class Jobs:
    """One background thread that does the journal's work, one job at a time, in order."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.lock = threading.RLock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rmpair-journal")

    async def run(self, journal: Journal, work: Callable[[Journal], T]) -> T:
        def locked() -> T:
            with self.lock:
                return work(journal)

        return await asyncio.get_running_loop().run_in_executor(self._executor, locked)

    def shutdown(self) -> None:
        """Finish what was asked for (a save must not be lost on quit)."""
        self._executor.shutdown(wait=True)


@dataclass
class Context:
    """What the screens get through their constructors."""

    journal: Journal
    clock: Clock = SYSTEM_CLOCK
    jobs: Jobs = field(default_factory=Jobs)
    # Told when home shows the journal's stored status ("status") and everything it
    # read from the journal ("live"); the app loads the rest of the journal after that.
    on_home: Callable[[str], object] | None = None
    # Counts the journal's changes seen by the app; a screen that comes back into
    # view shows the journal again only if it changed meanwhile.
    generation: int = 0

    def now(self) -> dt.datetime:
        return self.clock.now()

    def reached(self, stage: str) -> None:
        if self.on_home is not None:
            self.on_home(stage)


@dataclass
class JournalChanged(Message):
    """The journal has new content (a save here, or the partner's files): show it again."""


# The main screens, their keys and titles, in the order of the navigation line.
SCREENS: tuple[tuple[str, str, str], ...] = (
    ("home", "1", N_("Home")),
    ("backlog", "2", N_("Backlog")),
    ("sessions", "3", N_("Sessions")),
    ("agreement", "4", N_("Agreement")),
    ("conflicts", "5", N_("Conflicts")),
    ("report", "6", N_("Report")),
)


# Not in the footer: the navigation line shows them (and ? lists them).
NAV_BINDINGS: list[BindingType] = [
    Binding(key, f"app.go('{name}')", title, key_display=key, show=False)
    for name, key, title in SCREENS
]


def with_nav(bindings: list[BindingType]) -> list[BindingType]:
    """A screen's own keys, then the keys of the main screens (the footer's order)."""
    return [*bindings, *NAV_BINDINGS]


def nav_line(current: str, width: int | None) -> str:
    """The navigation line as markup, as much of it as fits in ``width`` cells.

    A title is never cut: when the line is too long (German titles are longer), the
    app's name goes first, then the other screens' titles from the right, leaving
    their keys."""
    from rich.cells import cell_len

    brand = "[b]rmpair[/b] │"
    items = [(name, key, _(title)) for name, key, title in SCREENS]
    titled = [True] * len(items)

    def build(with_brand: bool) -> tuple[str, int]:
        parts, plain = ([brand], ["rmpair │"]) if with_brand else ([], [])
        for (name, key, title), show_title in zip(items, titled, strict=True):
            label = f"{key} {title}" if show_title or name == current else key
            if name == current:
                parts.append(f"[b reverse]>{label}<[/]")
                plain.append(f">{label}<")
            else:
                parts.append(f"[@click=app.go('{name}')]{label}[/]")
                plain.append(label)
        return "  ".join(parts), cell_len("  ".join(plain))

    line, used = build(True)
    if width is None or used <= width:
        return line
    line, used = build(False)
    for index in reversed(range(len(items))):
        if used <= width:
            break
        titled[index] = False
        line, used = build(False)
    return line


class NavBar(Static):
    """The top line: the app's name and the main screens, clickable; the current one is
    marked with > < (no colour needed)."""

    def __init__(self, current: str) -> None:
        self.line = nav_line(current, None)
        super().__init__(self.line, id="nav", markup=True)
        self.current = current

    def on_resize(self) -> None:
        # The padding of #nav is not the content's: size is the content region.
        line = nav_line(self.current, self.content_size.width)
        if line != self.line:  # (an update lays the screen out again)
            self.line = line
            self.update(line)


class JournalScreen(Screen[None]):
    """A screen over the journal: reads it under the lock, saves through ``save``."""

    NAME: ClassVar[str] = ""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.shown = -1  # the generation last shown
        self._resized_to: Size | None = None

    @property
    def journal(self) -> Journal:
        return self.ctx.journal

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield from self.body()
        yield KeysFooter()

    def body(self) -> ComposeResult:
        """The screen's own widgets, between the navigation line and the footer."""
        yield from ()

    def on_mount(self) -> None:
        # Textual runs ``on_mount`` of every class in the MRO, subclass first: a
        # screen's own set-up happens before this first reload, without super().
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        """A second resize to a size the screen was already given is not passed on to
        Textual's own handler, which would lay the whole screen out again for nothing:
        the terminal driver reports the size once more as the app starts, and a full
        layout of a journal screen costs about as much as drawing it. (The first one
        always goes through: a new screen is laid out and scrolled for it.) Only for a
        screen alone in its stack: Textual hands the screens behind the top one the
        same event, and one of them stopping it would stop it for the top one too."""
        if event.size == self._resized_to and len(self.app.screen_stack) == 1:
            event.prevent_default()
        self._resized_to = event.size

    def on_screen_resume(self) -> None:
        # Back from a form or another screen: the journal may have changed meanwhile.
        if self.is_mounted and self.shown != self.ctx.generation:
            self.reload()

    def reload(self) -> None:
        """Show the journal as it is now (never touches what the user is typing)."""
        with self.ctx.jobs.lock:
            self.shown = self.ctx.generation
            self.show()

    def show(self) -> None:
        """Fill the widgets from the journal; subclasses read the facade here."""

    def save(
        self,
        work: Callable[[Journal], T],
        done: Callable[[T], Any] | None = None,
        failed: Callable[[str], Any] | None = None,
    ) -> None:
        """Run ``work`` on the journal's thread, then ``done`` with its result here.

        The worker belongs to the app, so leaving the screen at once loses nothing:
        the change is saved and every screen shows it."""
        start_worker(self.app, partial(self._save, work, done, failed))

    async def _save(
        self,
        work: Callable[[Journal], T],
        done: Callable[[T], Any] | None,
        failed: Callable[[str], Any] | None,
    ) -> None:
        try:
            result = await self.ctx.jobs.run(self.journal, work)
        except (UserError, ReadOnlyError, OSError) as exc:
            message = str(exc)
            if failed is not None and self.is_attached:
                failed(message)
            else:
                self.app.notify(message, title=_("Not saved"), severity="error", timeout=8)
            return
        self.app.post_message(JournalChanged())
        if done is not None and self.is_attached:
            done(result)
