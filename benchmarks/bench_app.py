"""How fast the app is where people notice: home with live data, and big lists.

1. Start-up against an empty Textual app, as whole processes in a pseudo-terminal,
   in interleaved rounds. Each process writes a line to a pipe when it reaches a
   milestone (``RMPAIR_APP_MARKS``, see screens/launch.py): the empty app "paint" and
   "live" after its first screen has been drawn; rmpair "paint" after its first
   screen has been drawn (home from the last run's snapshot, when that still holds:
   a saved picture) and "live" once home has been drawn again from the journal opened
   in this process. Both mark from ``call_after_refresh`` and quit after "live".
   The goal: rmpair's "live" <= 1.5 x the empty app's first paint.
2. A backlog of 10,000 topics: time to open the backlog screen and to move the
   cursor, against the same with 10 topics, and what Textual's DataTable would
   take to hold the same rows (why screens/table.py draws only visible rows).

Run: python benchmarks/bench_app.py [--work DIR] [--rounds N] [--legacy] [--before PY]
The five-year demo journal is built once into DIR (a minute or two) and reused.
``--legacy`` times an rmpair without the marks (before issue 16) by wrapping its
screens from the outside (see LEGACY); ``--before PY`` times such an rmpair,
installed for another Python, in the same rounds as this one.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

MARKS = "RMPAIR_APP_MARKS"
# The terminal every process is started in: columns, rows (a common default size).
TERMINAL = (80, 24)

EMPTY_APP = """
import os, time
from textual.app import App

class Empty(App):
    def on_mount(self):
        self.call_after_refresh(self.drawn)

    def drawn(self):
        fd = int(os.environ["RMPAIR_APP_MARKS"])
        cpu = time.process_time()
        os.write(fd, f"paint {cpu}\\nlive {cpu}\\n".encode())
        self.exit()

Empty().run()
"""

# rmpair before the marks: its start screen and first journal screen, wrapped from the
# outside to write the same marks at the same moments, then the command as usual.
LEGACY = """
import os, sys, time
from rmpair.screens import base, start

fd = int(os.environ["RMPAIR_APP_MARKS"])
shown = base.JournalScreen.reload
mounted = start.StartScreen.on_mount

def on_mount(self):
    mounted(self)
    self.app.call_after_refresh(lambda: os.write(fd, f"paint {{time.process_time()}}\\n".encode()))

def reload(self):
    shown(self)
    if getattr(base, "marked", False):
        return
    base.marked = True
    def live():
        cpu = time.process_time()
        os.write(fd, f"paint {{cpu}}\\nlive {{cpu}}\\n".encode())
        self.app.exit()
    self.app.call_after_refresh(live)

start.StartScreen.on_mount = on_mount
base.JournalScreen.reload = reload
sys.argv = ["rmpair", "--journal", {folder!r}]
from rmpair.entry import main
main()
"""


def run_process(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from the start of a whole process in a fresh pseudo-terminal to each mark
    it wrote ("paint", "live"), to its end ("end"), and its CPU time ("cpu": user +
    system, all threads, which hardly depends on what else the machine is doing)."""
    marks_read, marks_write = os.pipe()
    os.set_inheritable(marks_write, True)
    env = {**env, MARKS: str(marks_write)}
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once, away from the source tree (``-m rmpair``
        # A terminal has a size; a new pseudo-terminal has none (0 x 0), and Textual
        # then guesses twice, 80 x 25 and 80 x 24, and lays out every screen again
        # for the second guess, which no person at a real terminal would see.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", TERMINAL[1], TERMINAL[0], 0, 0))
        os.chdir(tempfile.gettempdir())  # would import it instead of the installed one)
        os.execve(argv[0], argv, env)
    start = time.perf_counter()
    os.close(marks_write)
    found: dict[str, float] = {}
    tail, pending = b"", b""
    open_fds = [fd, marks_read]
    try:
        while fd in open_fds:
            ready, _w, _x = select.select(open_fds, [], [], 30)
            if not ready:
                raise TimeoutError(f"{argv} did not finish")
            now = time.perf_counter() - start
            if marks_read in ready:
                chunk = os.read(marks_read, 256)
                if not chunk:
                    open_fds.remove(marks_read)
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    name, _sep, cpu = line.decode().partition(" ")
                    if name not in found:
                        found[name], found[f"{name}_cpu"] = now, float(cpu)
            if fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk:
                    open_fds.remove(fd)
                tail = (tail + chunk)[-2000:]
    finally:
        _pid, status, usage = os.wait4(pid, 0)
        os.close(fd)
        os.close(marks_read)
    found["end"] = time.perf_counter() - start
    found["cpu"] = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0 or "live" not in found:
        raise RuntimeError(f"{argv} failed ({status}); it wrote: {tail.decode(errors='replace')}")
    return found


def demo_journal(work: Path) -> tuple[Path, Path]:
    """The five-year demo journal and its device folder, built on first use."""
    journal, home = work / "journal", work / "home"
    if not (journal / "devices").is_dir():
        print("Building the five-year demo journal (a minute or two) ...", flush=True)
        env = {**os.environ, "RMPAIR_HOME": str(home)}
        subprocess.run(
            [sys.executable, "-m", "rmpair", "demo", str(journal), "--years", "5"],
            env=env,
            check=True,
        )
    return journal, home


def start_up(
    work: Path, rounds: int, legacy: bool, before: str | None
) -> dict[str, list[dict[str, float]]]:
    """Interleaved rounds of: the empty app; rmpair as people start it (home's snapshot
    from the last run holds); rmpair with no snapshot; and, with ``before``, an older
    rmpair installed for that Python, as people start it (see LEGACY). Every run's
    marks, by contestant."""
    journal, home = demo_journal(work)
    env = {**os.environ, "RMPAIR_HOME": str(home), "TERM": "xterm-256color"}
    env.pop(MARKS, None)
    if legacy:
        rmpair = [sys.executable, "-c", LEGACY.format(folder=str(journal))]
    else:
        rmpair = [sys.executable, "-m", "rmpair", "--journal", str(journal)]
    empty = [sys.executable, "-c", EMPTY_APP]
    older = [before, "-c", LEGACY.format(folder=str(journal))] if before else None
    # One warm-up each: file caches, .pyc files, the journal's cache and home's snapshot.
    run_process(rmpair, env)
    run_process(empty, env)
    runs: dict[str, list[dict[str, float]]] = {"empty": [], "warm": [], "cold": []}
    if older:
        run_process(older, env)
        runs["before"] = []
    for _round in range(rounds):
        runs["empty"].append(run_process(empty, env))
        runs["warm"].append(run_process(rmpair, env))
        if older:
            runs["before"].append(run_process(older, env))
        for snapshot in home.glob("journals/*/app-home.json"):
            snapshot.unlink()
        runs["cold"].append(run_process(rmpair, env))  # leaves a snapshot for the next round
    return runs


def report_start_up(runs: dict[str, list[dict[str, float]]]) -> None:
    def median(name: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[name])

    base, base_cpu = median("empty", "paint"), median("empty", "paint_cpu")
    print(
        f"start-up, medians of {len(runs['empty'])} interleaved rounds (whole processes in a "
        "pseudo-terminal, 5-year journal):"
    )
    print(f"  {'':<34} {'wall':>7} {'ratio':>6} {'paired':>6}   {'CPU':>7} {'ratio':>6}")
    rows = (
        ("empty", "paint", "empty Textual app, first paint"),
        ("warm", "paint", "rmpair, first paint (snapshot)"),
        ("warm", "status", "rmpair, home: live status"),
        ("warm", "live", "rmpair, home: all live"),
        ("cold", "paint", "no snapshot, first paint"),
        ("cold", "status", "no snapshot, home: live status"),
        ("cold", "live", "no snapshot, home: all live"),
        ("before", "paint", "before: first paint (snapshot)"),
        ("before", "live", "before: home live"),
    )
    for name, key, label in rows:
        if name not in runs or any(key not in run for run in runs[name]):
            continue  # (no such mark: an rmpair from before it, or no stored status)
        wall, cpu = median(name, key), median(name, key + "_cpu")
        # The ratio of the medians, and the median of the ratios of runs side by side.
        paired = statistics.median(
            run[key] / empty["paint"] for run, empty in zip(runs[name], runs["empty"], strict=True)
        )
        print(
            f"  {label:<34} {wall * 1000:5.0f}ms {wall / base:6.2f} {paired:6.2f}   "
            f"{cpu * 1000:5.0f}ms {cpu / base_cpu:6.2f}"
        )
    print(
        "  until the process ended: "
        + ", ".join(f"{name} {median(name, 'end') * 1000:.0f} ms" for name in runs)
    )
    print("  goal: rmpair home with live data <= 1.50 x the empty app's first paint (wall)")


# -- big lists -------------------------------------------------------------------------


def journal_with_topics(root: Path, count: int) -> object:
    from rmpair.journal import Journal
    from rmpair.model.records import Category, Role, Topic, TopicStatus
    from rmpair.store.home import Home

    journal = Journal.init(
        root / "shared",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 11, 2),
        tz="Europe/Berlin",
        home=Home(root / "home"),
    )
    categories = list(Category)
    with journal.batch():
        for n in range(count):
            topic = Topic(
                id="",
                title=f"Topic number {n}: something worth an hour",
                category=categories[n % 4],
                question=f"What should I know about topic {n}?",
                priority=float(n),
                status=TopicStatus.BACKLOG,
                created=dt.date(2026, 1, 1) + dt.timedelta(days=n % 300),
            )
            journal.add(Topic.KIND, topic.to_fields())
    return journal


async def backlog_timings(count: int, moves: int) -> dict[str, float]:
    """CPU seconds to open the backlog, per cursor move and per page, each until the
    screen has been drawn again (CPU time leaves out the harness's waiting, mostly)."""
    import rmpair.screens.backlog  # noqa: F401  (imported up front: not part of the timing)
    from rmpair.screens.app import RmpairApp
    from rmpair.screens.table import Table

    with tempfile.TemporaryDirectory() as tmp:
        journal = journal_with_topics(Path(tmp), count)
        app = RmpairApp(journal, watch_interval=None)  # type: ignore[arg-type]
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            start = time.process_time()
            app.action_go("backlog")
            while not app.screen.query(Table) or len(app.screen.query_one(Table).rows) < count:
                await asyncio.sleep(0)
            await pilot.pause()
            opened = time.process_time() - start
            table = app.screen.query_one(Table)
            start = time.process_time()
            for move in range(moves):  # down and up: every move moves, in both lists
                table.action_move(1 if move % 2 == 0 else -1)
                await pilot.pause()
            per_move = (time.process_time() - start) / moves
            start = time.process_time()
            for _page in range(moves):  # scrolling a page at a time (10,000 only)
                table.action_page(1)
                await pilot.pause()
            per_page = (time.process_time() - start) / moves
            start = time.process_time()
            table.action_jump(-1)
            await pilot.pause()
            to_end = time.process_time() - start
        journal.close()  # type: ignore[attr-defined]
    return {"open": opened, "move": per_move, "page": per_page, "end": to_end}


async def datatable_timing(count: int) -> float:
    """CPU seconds for Textual's DataTable to take ``count`` rows and draw once."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Tables(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = Tables()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(DataTable)
        for label, width in (("#", 4), ("Topic", 40), ("Category", 10), ("Status", 15)):
            table.add_column(label, width=width)
        start = time.process_time()
        table.add_rows(
            (str(n), f"Topic number {n}: something worth an hour", "work", "backlog")
            for n in range(count)
        )
        await pilot.pause()
        return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "rmpair-bench")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--only", choices=("paint", "lists"), help="run one part only")
    parser.add_argument("--legacy", action="store_true", help="rmpair without the marks")
    parser.add_argument(
        "--before", metavar="PYTHON", help="also time the rmpair installed for PYTHON (as --legacy)"
    )
    args = parser.parse_args()
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    # "python -m rmpair" puts the current folder first on sys.path: run from the work
    # folder, or a source checkout's rmpair/ would shadow the installed package.
    os.chdir(args.work)

    import rmpair

    if "site-packages" not in rmpair.__file__:
        print(
            "note: rmpair is imported from the source tree (an editable install); its import\n"
            "      hook adds ~10 ms to every rmpair start but not to the empty app. For the\n"
            "      figures users get, run this script with a normal install (see\n"
            "      docs/benchmarks-app.md)."
        )

    if args.only != "lists":
        report_start_up(start_up(args.work, args.rounds, args.legacy, args.before))
    if args.only == "paint":
        return
    asyncio.run(backlog_timings(10, 5))  # warm-up: Textual's first-time work in this process
    small = asyncio.run(backlog_timings(10, 50))
    large = asyncio.run(backlog_timings(10_000, 50))
    print("backlog with 10 and with 10,000 topics (CPU time until drawn):")
    for key, label in (("open", "open the backlog"), ("move", "move the cursor")):
        print(
            f"  {label:<17} {small[key] * 1000:6.1f} ms / {large[key] * 1000:6.1f} ms, "
            f"ratio {large[key] / small[key]:.2f}"
        )
    print(f"  page down in 10,000: {large['page'] * 1000:.1f} ms")
    print(f"  jump to the last of 10,000: {large['end'] * 1000:.1f} ms")
    table = asyncio.run(datatable_timing(10_000))
    print(
        f"  for comparison, Textual's DataTable taking the same 10,000 rows: {table * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
