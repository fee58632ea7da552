"""How fast the app is where people notice: the first paint, and big lists.

1. Time to first paint of the home screen with a five-year journal, against an
   empty Textual app, as whole processes in a pseudo-terminal, in interleaved
   rounds. Both exit right after their first screen has been drawn (rmpair with
   RMPAIR_FIRST_PAINT_EXIT=1, see screens/launch.py); the goal is a ratio <= 1.3.
2. A backlog of 10,000 topics: time to open the backlog screen and to move the
   cursor, against the same with 10 topics, and what Textual's DataTable would
   take to hold the same rows (why screens/table.py draws only visible rows).

Run: python benchmarks/bench_app.py [--work DIR] [--rounds N]
The five-year demo journal is built once into DIR (about a minute) and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EMPTY_APP = """
from textual.app import App

class Empty(App):
    def on_mount(self):
        self.call_after_refresh(self.exit)

Empty().run()
"""


LAUNCH = """
from pathlib import Path
from rmpair.screens.launch import run_app
run_app(Path({folder!r}))
"""


def timed_process(argv: list[str], env: dict[str, str]) -> float:
    """Wall time of a whole process whose terminal is a fresh pseudo-terminal."""
    return run_process(argv, env)[0]


def run_process(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a whole process in a fresh pseudo-terminal. CPU time
    (user + system, all threads) hardly depends on what else the machine is doing."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once, away from the source tree (``-m rmpair``
        os.chdir(tempfile.gettempdir())  # would import it instead of the installed one)
        os.execve(argv[0], argv, env)
    start = time.perf_counter()
    tail = b""
    try:
        while True:
            ready, _w, _x = select.select([fd], [], [], 30)
            if not ready:
                raise TimeoutError(f"{argv} did not finish")
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            tail = (tail + chunk)[-2000:]
    finally:
        _pid, status, usage = os.wait4(pid, 0)
        os.close(fd)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed ({status}); it wrote: {tail.decode(errors='replace')}")
    return elapsed, usage.ru_utime + usage.ru_stime


def demo_journal(work: Path) -> tuple[Path, Path]:
    """The five-year demo journal and its device folder, built on first use."""
    journal, home = work / "journal", work / "home"
    if not (journal / "devices").is_dir():
        print("Building the five-year demo journal (about a minute) ...", flush=True)
        env = {**os.environ, "RMPAIR_HOME": str(home)}
        subprocess.run(
            [sys.executable, "-m", "rmpair", "demo", str(journal), "--years", "5"],
            env=env,
            check=True,
        )
    return journal, home


def first_paint(work: Path, rounds: int) -> dict[str, float]:
    """Medians of interleaved rounds: rmpair warm (home's snapshot from the last run
    holds), rmpair cold (no snapshot: the journal is opened before the app starts),
    and the empty app."""
    journal, home = demo_journal(work)
    env = {**os.environ, "RMPAIR_HOME": str(home), "TERM": "xterm-256color"}
    env.pop("RMPAIR_FIRST_PAINT_EXIT", None)
    app_env = {**env, "RMPAIR_FIRST_PAINT_EXIT": "1"}
    rmpair = [sys.executable, "-m", "rmpair", "--journal", str(journal)]
    # The same start without the command line in front (Typer and its parsing).
    direct = [sys.executable, "-c", LAUNCH.format(folder=str(journal))]
    empty = [sys.executable, "-c", EMPTY_APP]
    # One warm-up each: file caches, .pyc files, the journal's cache and home's snapshot.
    timed_process(rmpair, app_env)
    timed_process(empty, env)
    wall: dict[str, list[float]] = {"warm": [], "cold": [], "empty": [], "direct": []}
    cpu: dict[str, list[float]] = {"warm": [], "cold": [], "empty": [], "direct": []}

    def run(name: str, argv: list[str], environ: dict[str, str]) -> None:
        seconds, used = run_process(argv, environ)
        wall[name].append(seconds)
        cpu[name].append(used)

    for _round in range(rounds):
        run("warm", rmpair, app_env)
        run("empty", empty, env)
        run("direct", direct, app_env)
        for snapshot in home.glob("journals/*/app-home.json"):
            snapshot.unlink()
        run("cold", rmpair, app_env)  # leaves a snapshot for the next round
    found = {name: statistics.median(values) for name, values in wall.items()}
    found |= {f"{name}_cpu": statistics.median(values) for name, values in cpu.items()}
    for name in ("warm", "cold", "direct"):
        found[f"{name}_ratio"] = found[name] / found["empty"]
        found[f"{name}_cpu_ratio"] = found[f"{name}_cpu"] / found["empty_cpu"]
    return found


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
        paint = first_paint(args.work, args.rounds)
        print(f"first paint, medians of {args.rounds} interleaved rounds (whole processes):")
        print(
            f"  empty Textual app       {paint['empty'] * 1000:5.0f} ms wall, "
            f"{paint['empty_cpu'] * 1000:5.0f} ms CPU"
        )
        for name, label in (
            ("warm", "rmpair home, 5 years"),
            ("direct", "same, no command line"),
            ("cold", "same, no snapshot"),
        ):
            print(
                f"  {label:<23} {paint[name] * 1000:5.0f} ms wall, "
                f"{paint[name + '_cpu'] * 1000:5.0f} ms CPU; ratio {paint[name + '_ratio']:.2f} "
                f"wall, {paint[name + '_cpu_ratio']:.2f} CPU"
            )
        print("  goal: rmpair home <= 1.30 x the empty app")
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
