"""Benchmark of the commands people run, against a minimal Typer command, as journals age.

Issue 16 asks that every command stay as fast in year five and with 10,000 topics as
on day one. This script measures whole ``rmpair`` processes side by side with a
minimal one-command Typer script (the framework's floor), in interleaved rounds, and
prints for each command the median over rounds of (command time / Typer time in the
same round), so a busy machine slows both alike. It also times one topic added in
process on a 10,000-topic journal against the same add on a fresh one.

Journals (built once, then copied for every run so each run starts alike):

- fresh: ``Journal.init`` and nothing else;
- 1 year and 5 years: ``rmpair demo DIR --years N`` (two devices, weekly sessions);
- 10k topics: a fresh journal with 10,000 topics added in one batch (in process).

A partner device is joined to the 5-year journal; between rounds it changes the
tandem's location, so "status after the partner's change" reads one new change from
the other device's file, as the morning after a sync does.

    python benchmarks/bench_commands.py [--rounds 15] [--adds 40] [--journals DIR]
                                        [--compare OTHER_PYTHON] [--only TEXT]

``--journals DIR`` keeps the built journals in DIR and reuses them on the next run
(building the 5-year one takes minutes). ``--compare PYTHON`` runs every command with
a second installation too (e.g. the main branch in another virtualenv), in the same
rounds on its own copies of the journals, and prints both sets of ratios: a before and
after measured side by side. ``--only TEXT`` keeps the measures whose name holds TEXT
("in-process" for the in-process add alone).
Use a normal install (``pip install .``), not an editable one; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

MINIMAL_TYPER = """\
import typer

app = typer.Typer()


@app.command()
def main() -> None:
    print("ok")


app()
"""

TOPICS = 10_000
PARTNER = "Sam Okafor"  # the demo's mentor; the demo's device is the mentee, Dana Keller

# name -> (journal, arguments after 'rmpair --journal DIR'); targets from issue 16.
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "status (fresh)": ("fresh", ["status"]),
    "status (1 year)": ("1y", ["status"]),
    "status (5 years)": ("5y", ["status"]),
    "status (10k topics)": ("10k", ["status"]),
    "status after partner's change (5 years)": ("5y", ["status"]),
    "topic list --json (fresh)": ("fresh", ["topic", "list", "--json"]),
    "topic list --json (5 years)": ("5y", ["topic", "list", "--json"]),
    "topic list --json (10k topics)": ("10k", ["topic", "list", "--json"]),
    "session list (fresh)": ("fresh", ["session", "list"]),
    "session list (1 year)": ("1y", ["session", "list"]),
    "session list (5 years)": ("5y", ["session", "list"]),
    "topic add (fresh)": ("fresh-add", ["topic", "add"]),
    "topic add (5 years)": ("5y-add", ["topic", "add"]),
    "topic add (10k topics)": ("10k-add", ["topic", "add"]),
}
TARGETS = {
    "status (5 years)": 1.25,
    "status after partner's change (5 years)": 2.0,
    "topic list --json (10k topics)": 2.0,
    "session list (5 years)": 2.0,
    "topic add (5 years)": 2.0,
    "topic add (10k topics)": 2.0,
}


def run_process(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def build_init(folder: Path, home: Path, topics: int = 0) -> None:
    """A fresh journal, with ``topics`` topics added in one batch."""
    from rmpair.journal import Journal
    from rmpair.model.records import Category, Role, Topic, TopicStatus
    from rmpair.store.home import Home

    journal = Journal.init(
        folder, me="Dana Keller", role=Role.MENTEE, partner=PARTNER, start=dt.date.today(),
        home=Home(home),
    )  # fmt: skip
    try:
        categories = list(Category)
        with journal.batch():
            for n in range(topics):
                topic = Topic(
                    id="",
                    title=f"Question number {n}",
                    category=categories[n % len(categories)],
                    question=f"What should I know about question {n}?",
                    proposed_by=Role.MENTEE,
                    priority=float(n),
                    status=TopicStatus.BACKLOG,
                    created=journal.today(),
                )
                journal.add(Topic.KIND, topic.to_fields())
    finally:
        journal.close()


def build_demo(folder: Path, home: Path, years: int) -> None:
    env = dict(os.environ, RMPAIR_HOME=str(home))
    env.pop("RMPAIR_JOURNAL", None)
    cmd = [sys.executable, "-m", "rmpair", "demo", str(folder), "--years", str(years)]
    subprocess.run(cmd, env=env, check=True, capture_output=True)


def build_all(store: Path) -> None:
    """Make every journal in ``store`` that is not there yet (folder + its home)."""
    from rmpair.journal import Journal
    from rmpair.store.home import Home

    store.mkdir(parents=True, exist_ok=True)
    steps: dict[str, Callable[[Path, Path], None]] = {
        "fresh": build_init,
        "10k": partial(build_init, topics=TOPICS),
        "1y": partial(build_demo, years=1),
        "5y": partial(build_demo, years=5),
    }
    for name, step in steps.items():
        if (store / name / "done").exists():
            continue
        shutil.rmtree(store / name, ignore_errors=True)
        print(f"  building the {name} journal ...", flush=True)
        start = time.perf_counter()
        step(store / name / "journal", store / name / "home")
        if name == "5y":  # the partner's second device, whose changes arrive between rounds
            Journal.join(
                store / name / "journal", me=PARTNER, home=Home(store / name / "partner")
            ).close()
        (store / name / "done").write_text("")
        print(f"    {time.perf_counter() - start:.0f} s", flush=True)


def copy_journal(store: Path, name: str, to: Path) -> tuple[Path, dict[str, str]]:
    """A copy of a built journal and its home (the membership follows the moved folder)."""
    shutil.copytree(store / name, to, symlinks=True)
    env = dict(os.environ, RMPAIR_HOME=str(to / "home"))
    env.pop("RMPAIR_JOURNAL", None)
    env.pop("RMPAIR_LANG", None)
    return to / "journal", env


def median_ratio(samples: list[float], floor: list[float]) -> float:
    return statistics.median(s / f for s, f in zip(samples, floor, strict=True))


def in_process_adds(fresh: Path, fresh_home: Path, big: Path, big_home: Path, adds: int) -> None:
    """One topic added in process, alternating between the fresh and the 10k journal:
    the whole save, and the part before the write (read model and merge, in a batch)."""
    from rmpair.journal import Journal
    from rmpair.model.records import Category
    from rmpair.store.home import Home

    journals = {
        "fresh": Journal.open(fresh, home=Home(fresh_home)),
        "10k": Journal.open(big, home=Home(big_home)),
    }
    whole: dict[str, list[float]] = {name: [] for name in journals}
    before_write: dict[str, list[float]] = {name: [] for name in journals}
    try:
        for journal in journals.values():  # warm: the first add decodes the backlog once
            journal.backlog.add_topic("Warm-up topic", category=Category.WORK)
        for n in range(adds):
            for name, journal in journals.items():
                start = time.perf_counter()
                journal.backlog.add_topic(f"In-process topic {n}", category=Category.WORK)
                whole[name].append(time.perf_counter() - start)
                with journal.batch():
                    start = time.perf_counter()
                    journal.backlog.add_topic(f"Batched topic {n}", category=Category.WORK)
                    before_write[name].append(time.perf_counter() - start)
    finally:
        for journal in journals.values():
            journal.close()
    print()
    print(f"{'one topic add in process':45} {'fresh ms':>9} {'10k ms':>9} {'ratio':>7}")
    for label, samples in (("whole save", whole), ("before the write", before_write)):
        fresh_ms = statistics.median(samples["fresh"]) * 1000
        big_ms = statistics.median(samples["10k"]) * 1000
        ratio = median_ratio(samples["10k"], samples["fresh"])
        print(f"{label:45} {fresh_ms:9.2f} {big_ms:9.2f} {ratio:7.2f}")
    print(f"{'target: whole save, 10k / fresh':45} {'':9} {'':9} {'<= 2.00':>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="process runs per command")
    parser.add_argument("--adds", type=int, default=40, help="in-process adds per journal")
    parser.add_argument("--journals", type=Path, help="keep and reuse the built journals here")
    parser.add_argument("--only", help="run only the measures whose name contains this")
    parser.add_argument("--compare", help="a second installation's python, run side by side")
    args = parser.parse_args()

    import rmpair
    from rmpair.journal import Journal
    from rmpair.store.home import Home

    print(f"rmpair {rmpair.__version__} from {Path(rmpair.__file__).parent}")
    if "site-packages" not in rmpair.__file__:
        print("note: an editable install adds ~10 ms to every start; use 'pip install .'")

    with tempfile.TemporaryDirectory(prefix="rmpair-bench-") as tmp:
        root = Path(tmp)
        store = args.journals.absolute() if args.journals else root / "built"
        # "python -m rmpair" puts the current folder first on sys.path: run from here, or
        # a source checkout's rmpair/ would shadow the installed package.
        os.chdir(root)
        print("Journals ...", flush=True)
        build_all(store)
        (root / "typer_min.py").write_text(MINIMAL_TYPER)
        pythons = {"": sys.executable}
        if args.compare:
            pythons = {"this": sys.executable, "other": args.compare}
        commands = {
            name: spec for name, spec in COMMANDS.items() if not args.only or args.only in name
        }
        places: dict[str, tuple[Path, dict[str, str]]] = {}
        if commands:
            for tag in pythons:
                for name in ("fresh", "1y", "5y", "10k"):
                    for use in (name, f"{name}-add"):
                        places[tag + use] = copy_journal(store, name, root / (tag + use))
        typer_cmd = [sys.executable, str(root / "typer_min.py")]

        def command(tag: str, name: str, n: int) -> tuple[list[str], dict[str, str]]:
            where, words = commands[name]
            folder, env = places[tag + where]
            extra = [f"Bench topic {n}", "--category", "work"] if words[-1] == "add" else []
            python = pythons[tag]
            return [python, "-m", "rmpair", "--journal", str(folder), *words, *extra], env

        partners = {
            tag: Journal.open(places[tag + "5y"][0], home=Home(root / (tag + "5y") / "partner"))
            for tag in pythons
            if commands
        }
        floor: list[float] = []
        samples: dict[str, list[float]] = {tag + name: [] for tag in pythons for name in commands}
        try:
            if commands:
                print("Warming up (first runs read the copied journals in full) ...", flush=True)
            for tag in pythons:
                for name in commands:
                    run_process(*command(tag, name, -1))
                    run_process(*command(tag, name, -2))
            for n in range(args.rounds if commands else 0):
                floor.append(run_process(typer_cmd, places[next(iter(pythons)) + "fresh"][1]))
                for name in commands:
                    for tag in pythons:
                        if name.startswith("status after"):
                            partners[tag].update("tandem", "tandem", {"location": f"Room {n}"})
                        samples[tag + name].append(run_process(*command(tag, name, n)))
        finally:
            for partner in partners.values():
                partner.close()

        ok = True
        if commands:
            print()
            print(f"{'minimal Typer command':45} {statistics.median(floor) * 1000:8.1f} ms")
            if args.compare:
                print(f"this: {sys.executable}\nother: {args.compare}")
            print(f"{'command':45} {'median ms':>9} {'ratio':>7}  target")
        for name in commands:
            limit = TARGETS.get(name)
            for tag in pythons:
                values = samples[tag + name]
                ratio = median_ratio(values, floor)
                verdict = ""
                if limit is not None and tag != "other":
                    verdict = f"<= {limit:.2f} " + ("ok" if ratio <= limit else "OVER")
                    ok = ok and ratio <= limit
                label = f"{name} [{tag}]" if tag else name
                print(f"{label:45} {statistics.median(values) * 1000:9.1f} {ratio:7.2f}  {verdict}")

        if not args.only or args.only in "in-process add":
            fresh, _env = copy_journal(store, "fresh", root / "in-process-fresh")
            big, _env = copy_journal(store, "10k", root / "in-process-10k")
            in_process_adds(fresh, fresh.parent / "home", big, big.parent / "home", args.adds)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
