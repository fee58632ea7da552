"""The rmpair Textual app: a thin shell over the journal facade.

It owns the journal's job queue and the folder watcher, maps the main screens to
modes (each keeps its own stack, so the backlog keeps its place while you look at
a session), and tells the visible screens when the journal changed. Screens other
than home are imported when first shown. Once home shows everything it read, the
app decodes the rest of the journal (see opening.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rmpair.screens.base import (
    Context,
    JournalChanged,
    JournalScreen,
    start_worker,
)
from rmpair.screens.help import HelpScreen, key_rows
from rmpair.screens.palette import PaletteApp
from rmpair.screens.watch import FolderWatcher
from textual import work
from textual.binding import Binding
from textual.screen import Screen

from rmpair.clock import SYSTEM_CLOCK, Clock
from rmpair.i18n import N_
from rmpair.store.home import Home

if TYPE_CHECKING:
    from rmpair.screens.home import Sections

    from rmpair.domain.search import SearchHit
    from rmpair.journal import Journal

# Each main screen's class, imported when the screen is first shown.
MAIN_SCREENS = {
    "home": "rmpair.screens.home:HomeScreen",
    "backlog": "rmpair.screens.backlog:BacklogScreen",
    "sessions": "rmpair.screens.sessions:SessionsScreen",
    "agreement": "rmpair.screens.agreement:AgreementScreen",
    "conflicts": "rmpair.screens.conflicts:ConflictsScreen",
    "report": "rmpair.screens.report:ReportScreen",
}


def build_screen(target: str, ctx: Context, *args: object) -> JournalScreen:
    """A main screen from ``module:Class`` (see MAIN_SCREENS)."""
    import importlib

    module, _sep, name = target.partition(":")
    cls: type[JournalScreen] = getattr(importlib.import_module(module), name)
    return cls(ctx, *args)


class RmpairApp(PaletteApp):
    """One tandem's journal (``journal``), or the first-run wizard when there is none.

    ``snapshot`` is home as the last run left it (start.py), shown for the parts home
    has not read yet; ``clock`` is where every screen reads the time (default: the
    journal's clock, so the app and the journal share one; tests and snapshots freeze
    it); ``watch_interval`` is how often the journal folder is listed (None: never);
    ``marks`` is told "paint" when the first screen has been drawn, "status" when home
    shows the journal's stored status, "live" when it shows all it read from the
    journal, and the app then quits (the benchmark, see launch.py).
    """

    CSS_PATH = "rmpair.tcss"
    TITLE = "rmpair"
    DEFAULT_MODE = "home"
    BINDINGS = [
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
        Binding("question_mark", "help", N_("Keys"), key_display="?"),
        Binding("ctrl+p", "command_palette", N_("Commands"), priority=True),
        Binding("slash", "search", N_("Search"), key_display="/", show=False),
    ]

    def __init__(
        self,
        journal: Journal | None,
        *,
        home: Home | None = None,
        snapshot: Sections | None = None,
        clock: Clock | None = None,
        watch_interval: float | None = 1.0,
        marks: Callable[[str], object] | None = None,
        collector_paused: bool = False,
    ) -> None:
        super().__init__()
        self.journal = journal
        self.home = home or Home()
        self.snapshot = snapshot
        self.clock = clock or (journal.clock if journal is not None else SYSTEM_CLOCK)
        self.watch_interval = watch_interval
        self.marks = marks
        self.marked: set[str] = set()  # the stages asked to be marked
        self.written: set[str] = set()  # and those told to ``marks``
        self.rest_loaded = False
        self.ctx: Context | None = None
        self.watcher: FolderWatcher | None = None
        self.collector_paused = collector_paused

    def _resume_collector(self) -> None:
        """Turn Python's cycle collector back on once the start is over (launch.py
        paused it), after moving what the start made out of its sight (gc.freeze):
        the modules, the journal's state and the screens live as long as the app."""
        if self.collector_paused:
            import gc

            self.collector_paused = False
            gc.freeze()
            gc.enable()

    def get_default_screen(self) -> Screen[None]:
        """The first screen: home, when the app starts with a journal. It is the first
        screen of the first mode, "home", so no mode switch comes before the first frame
        (Textual holds all drawing for a moment after one)."""
        if self.journal is None:  # the first-run wizard goes on top of a blank screen
            return super().get_default_screen()
        return self._home_for(self.journal)

    def _home_for(self, journal: Journal) -> JournalScreen:
        """The screens' context on ``journal`` (kept as ``ctx``) and home in it, showing
        the snapshot (if any) until it has read the journal."""
        self.ctx = ctx = Context(journal, self.clock)
        ctx.on_home = self._home_shown
        return self._new_screen(MAIN_SCREENS["home"], ctx, self.snapshot)

    def on_mount(self) -> None:
        if self.marks is not None:
            self.call_after_refresh(self._mark, "paint")
        # Once the rest of the journal is decoded, or after a while in any case.
        self.set_timer(10, self._resume_collector)
        if self.journal is not None:
            self._start(self.journal)
        else:
            self._resume_collector()
            from rmpair.screens.setup import SetupScreen

            self.push_screen(SetupScreen(self.home, self.clock), self._set_up)

    def _set_up(self, journal: Journal | None) -> None:
        if journal is None:
            self.exit()
            return
        self.journal = journal
        # Over the blank first screen, which nothing pops back to: main screens have no
        # "back" (Textual cannot switch that first screen for another).
        self.push_screen(self._home_for(journal))
        self._start(journal)

    def _start(self, journal: Journal) -> None:
        """The other main screens as modes (home is the first screen), and the watcher."""
        assert self.ctx is not None
        for name, target in MAIN_SCREENS.items():
            # (Home's stack exists already: its factory is never called.)
            self.add_mode(name, partial(self._new_screen, target, self.ctx))
        if self.watch_interval:
            self.watcher = FolderWatcher(journal.folder, journal.device_id, self.watch_interval)
            self._watch(self.watcher)

    def _new_screen(self, target: str, ctx: Context, *args: object) -> JournalScreen:
        """A main screen, made when its mode is first shown. It is styled by the current
        stylesheet when it mounts, so it is marked as up to date with the CSS: else
        Textual parses every rule of the app again, twice, before showing it (about a
        tenth of the start: it refreshes the CSS for a screen it had to style anew)."""
        screen = build_screen(target, ctx, *args)
        screen._css_update_count = self._css_update_count
        return screen

    def _home_shown(self, stage: str) -> None:
        """Home shows the journal: now decode the rest of it (opening.py)."""
        if stage == "live" and not self.rest_loaded:
            self.rest_loaded = True
            start_worker(self, self._load_rest)
        if self.marks is not None and stage not in self.marked:
            self.marked.add(stage)
            # Through the screen's queue, not the app's: home can reach a stage while
            # the app is still busy starting, and the mark is for the frame home drew.
            self.screen.call_after_refresh(self._mark, stage)

    async def _load_rest(self) -> None:
        from rmpair.screens.opening import load_rest

        from rmpair.errors import ReadOnlyError

        assert self.ctx is not None
        try:
            await self.ctx.jobs.run(self.ctx.journal, load_rest)
        except (ReadOnlyError, OSError) as exc:  # a cache part gone meanwhile (rare)
            self.notify(str(exc), severity="error", timeout=10)
        finally:
            self._resume_collector()

    def _mark(self, stage: str) -> None:
        assert self.marks is not None
        if stage in self.written:
            return
        if stage != "paint" and "paint" not in self.written:
            # Home can show the stored status in the very first frame: a frame has been
            # drawn before any mark, so the first paint is told first.
            self._mark("paint")
        self.written.add(stage)
        self.marks(stage)
        if stage == "live":
            self.exit()

    @work(thread=True, group="watch", exit_on_error=False)
    def _watch(self, watcher: FolderWatcher) -> None:
        watcher.run(self.post_message)

    def on_folder_watcher_changed(self, message: FolderWatcher.Changed) -> None:
        """Files changed (the partner's, or a command typed in another terminal here):
        read them on the journal's thread, then show them."""
        if self.ctx is not None:
            start_worker(self, partial(self._refresh, message.own_only))

    async def _refresh(self, own_only: bool) -> None:
        assert self.ctx is not None
        changed = await self.ctx.jobs.run(self.ctx.journal, lambda journal: journal.refresh())
        # This device's own logs change with every save made here too: only new
        # entries are news then. Anything else may also bring problems to show.
        if changed or not own_only:
            self.post_message(JournalChanged())

    def on_journal_changed(self, _message: JournalChanged) -> None:
        # Every screen that can be seen (a form may sit on top of one) shows it again;
        # the others do when they come back into view.
        if self.ctx is not None:
            self.ctx.generation += 1
        for screen in self.screen_stack:
            if isinstance(screen, JournalScreen) and screen.is_mounted:
                screen.reload()

    def action_go(self, name: str) -> None:
        if self.ctx is not None and name in MAIN_SCREENS and self.current_mode != name:
            self.switch_mode(name)

    def action_search(self) -> None:
        """``/``: the search dialog, over the journal once it is open."""
        from rmpair.screens.search import SearchScreen

        if self.ctx is not None and not isinstance(self.screen, SearchScreen):
            self.push_screen(SearchScreen(self.ctx), self._open_hit)

    def _open_hit(self, hit: SearchHit | None) -> None:
        """Open what a search hit belongs to: its session, else its topic in the backlog."""
        if hit is None or self.ctx is None:
            return
        if hit.session:
            from rmpair.screens.session import SessionScreen

            self.push_screen(SessionScreen(self.ctx, hit.session))
        elif hit.topic:
            topic = hit.topic

            def reveal() -> None:
                from rmpair.screens.backlog import BacklogScreen

                if isinstance(self.screen, BacklogScreen):
                    self.screen.reveal(topic)

            self.switch_mode("backlog")
            self.call_after_refresh(reveal)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_rows(self, self.screen)))

    async def settle(self) -> None:
        """Wait until every journal job has finished, and those they led to, and until
        the screen may show what they found (tests, the benchmark). A main screen starts
        its first read as it mounts, and it may mount after this is called: until it
        has, there is nothing to wait for yet. Textual holds all drawing for a moment
        after a mode switch (``delay_update``): a quick read can end before that, and
        its text would not be laid out yet."""
        import asyncio

        for _tick in range(1000):  # ten seconds at most for a screen to mount
            stack = self.screen_stack
            mounting = self.ctx is not None and not (
                any(isinstance(s, JournalScreen) for s in stack)
                and all(s.is_mounted for s in stack)
            )
            jobs = [w for w in self.workers if w.group != "watch"]
            if jobs:  # (an empty list would mean "every worker", the endless watcher too)
                await self.workers.wait_for_complete(jobs)
            elif mounting or self._batch_count:
                await asyncio.sleep(0.01)
            else:
                return

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.ctx is not None:
            self.ctx.jobs.shutdown()
