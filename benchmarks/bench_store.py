"""Benchmark of the store: merging a partner's long log, and what one edit writes.

Builds, in a temporary folder, journals whose partner device made 1k, 10k and 100k
changes (topics created and edited, spread over 24 months), then, on this device:

- **merge, cold**: open the journal with no cache (the replica is there, as after
  deleting the cache) and read everything; then save the cache;
- **merge, first read**: a device that has never read the journal (no replica, no
  cache), as after ``rmpair join``;
- **merge, warm**: open with the cache of the previous run, nothing new.

It also builds a fresh journal and one with 10,000 topics and measures, for one
``topic add`` done as the command does it (open, add, close with the status stored):
the bytes the process writes (``wchar`` of ``/proc/self/io``: the replica, the shared
folder and the cache together), and, in one open journal, the time of one add at
10,000 topics against the same add on a fresh journal, interleaved, as a ratio.

    python benchmarks/bench_store.py [--sizes 1000,10000,100000] [--rounds 5] [--adds 40]
    python benchmarks/bench_store.py --profile cold --sizes 100000   # cProfile one case
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rmpair.clock import FixedClock
from rmpair.journal import Journal
from rmpair.model.records import Category, Role
from rmpair.store.home import Home

START = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


def written_bytes() -> int:
    """Bytes this process has handed to write() so far (Linux)."""
    with open("/proc/self/io") as handle:
        for line in handle:
            if line.startswith("wchar:"):
                return int(line.split()[1])
    return 0


def build_pair(root: Path, name: str) -> tuple[Path, Home, Home]:
    """A journal started by device A (``me``), joined by device B (the partner)."""
    folder = root / name
    home_a, home_b = Home(root / f"{name}-home-a"), Home(root / f"{name}-home-b")
    clock = FixedClock(START)
    journal = Journal.init(
        folder,
        me="Ada",
        role=Role.MENTOR,
        partner="Bo",
        start=START.date(),
        months=24,
        home=home_a,
        clock=clock,
    )
    journal.close()
    Journal.join(folder, me="Bo", home=home_b, clock=clock).close()
    return folder, home_a, home_b


def partner_writes(folder: Path, home: Home, changes: int, batch: int = 50) -> None:
    """The partner makes ``changes`` changes over 24 months, ``batch`` per command: a
    third create topics, the rest edit them (each edit names the head it replaces).
    The last tenth (at most 2,500) comes after the partner's last close, so a
    checkpoint, where the version writes them, does not hold it."""
    clock = FixedClock(START)
    step = dt.timedelta(days=730) / max(changes, 1)
    topics: list[str] = []
    made = 0
    for stop in (changes - min(2500, changes // 10), changes):
        journal = Journal.open(folder, home=home, clock=clock)
        while made < stop:
            with journal.batch():
                for _ in range(min(batch, stop - made)):
                    clock.advance(step)
                    if made % 3 == 0 or not topics:
                        fields = {
                            "title": f"Topic number {made} about something worth knowing",
                            "category": "technology",
                            "question": "What should I know about it, and why does it matter?",
                            "priority": float(made),
                        }
                        topics.append(journal.add("topic", fields))
                    else:
                        rec = topics[(made * 7919) % len(topics)]
                        journal.update("topic", rec, {"priority": float(made) + 0.5})
                    made += 1
        journal.store.close()


def drop_cache(home: Home) -> None:
    for cache in home.root.glob("journals/*/cache"):
        shutil.rmtree(cache)


def drop_local(home: Home) -> None:
    """Forget everything this device read (replica and cache), keeping its membership."""
    for journal_dir in home.root.glob("journals/*"):
        for part in ("cache", "replica"):
            shutil.rmtree(journal_dir / part, ignore_errors=True)


def open_merge(folder: Path, home: Home) -> tuple[float, float, float]:
    """Open and merge, then decode every topic, then save the cache: seconds each."""
    start = time.perf_counter()
    journal = Journal.open(folder, home=home, write=True)
    journal.store.state.count_live("topic")
    merged = time.perf_counter()
    sum(1 for _ in journal.store.state.live("topic"))
    decoded = time.perf_counter()
    journal.store.close()
    return merged - start, decoded - merged, time.perf_counter() - decoded


def bench_merge(root: Path, sizes: list[int], rounds: int, batch: int) -> None:
    print("\nMerge of a partner's log (open + merge), median ms; then decoding every topic")
    print("record, and saving the cache after the cold merge")
    print(
        f"{'changes':>8} {'cold':>8} {'first read':>11} {'warm':>7} {'topics':>7}"
        f" {'save':>7}  shared files"
    )
    for size in sizes:
        folder, home_a, home_b = build_pair(root, f"merge{size}")
        partner_writes(folder, home_b, size, batch)
        files = sum(1 for _ in (folder / "devices").rglob("*") if _.is_file())
        drop_local(home_a)
        first: list[float] = []
        cold: list[float] = []
        save: list[float] = []
        warm: list[float] = []
        topics: list[float] = []
        for i in range(rounds):
            if i < max(1, rounds // 2):
                drop_local(home_a)
                first.append(open_merge(folder, home_a)[0])
            drop_cache(home_a)
            merge, _decode, saved = open_merge(folder, home_a)
            cold.append(merge)
            save.append(saved)
            merge, decode, _saved = open_merge(folder, home_a)
            warm.append(merge)
            topics.append(decode)
        print(
            f"{size:>8} {ms(cold):>8.1f} {ms(first):>11.1f} {ms(warm):>7.1f} {ms(topics):>7.1f}"
            f" {ms(save):>7.1f}  {files}"
        )


def ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def topic_add(folder: Path, home: Home, n: int) -> None:
    """One ``rmpair topic add`` as the command does it: open, add, close."""
    journal = Journal.open(folder, home=home)
    journal.backlog.add_topic(f"Added topic {n}", category=Category.TECHNOLOGY)
    journal.close()


def bench_writes(root: Path, adds: int) -> None:
    fresh, home_fresh, _ = build_pair(root, "fresh")
    big, home_big, _ = build_pair(root, "big")
    journal = Journal.open(big, home=home_big)
    with journal.batch():
        for i in range(10_000):
            journal.add("topic", {"title": f"Topic {i}", "priority": float(i)})
    journal.close()
    for folder, home in ((fresh, home_fresh), (big, home_big)):
        topic_add(folder, home, -1)  # warm the cache and the status
    print("\nOne `topic add` (open, add, close), bytes written by the process, median")
    written: dict[str, list[int]] = {"fresh": [], "10k topics": []}
    for i in range(7):
        for name, folder, home in (
            ("fresh", fresh, home_fresh),
            ("10k topics", big, home_big),
        ):
            before = written_bytes()
            topic_add(folder, home, i)
            written[name].append(written_bytes() - before)
    for name, samples in written.items():
        print(f"  {name:<11} {statistics.median(samples) / 1024:9.1f} KiB")

    print("\nOne add in an open journal (journal.backlog.add_topic), interleaved, median ms")
    open_fresh = Journal.open(fresh, home=home_fresh)
    open_big = Journal.open(big, home=home_big)
    times: dict[str, list[float]] = {"fresh": [], "10k topics": []}
    for i in range(adds):
        for name, journal in (("fresh", open_fresh), ("10k topics", open_big)):
            start = time.perf_counter()
            journal.backlog.add_topic(f"In process {i}", category=Category.TECHNOLOGY)
            times[name].append(time.perf_counter() - start)
    open_fresh.close()
    open_big.close()
    for name, samples in times.items():
        print(f"  {name:<11} {ms(samples):9.2f} ms")
    ratio = statistics.median(
        b / f for f, b in zip(times["fresh"], times["10k topics"], strict=True)
    )
    print(f"  ratio 10k topics / fresh: {ratio:.2f} (target <= 2.0)")


def profile(root: Path, case: str, size: int, batch: int) -> None:
    folder, home_a, home_b = build_pair(root, "profile")
    partner_writes(folder, home_b, size, batch)
    drop_local(home_a)
    open_merge(folder, home_a)
    setups: dict[str, Callable[[], None]] = {
        "cold": lambda: drop_cache(home_a),
        "first": lambda: drop_local(home_a),
        "warm": lambda: None,
    }
    setups[case]()
    profiler = cProfile.Profile()
    profiler.enable()
    open_merge(folder, home_a)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5, help="cold and warm opens per size")
    parser.add_argument("--adds", type=int, default=40, help="in-process adds per journal")
    parser.add_argument("--profile", choices=("cold", "first", "warm"), default=None)
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument(
        "--batch", type=int, default=50, help="changes per partner command when building"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="rmpair-bench-store-") as tmp:
        root = Path(tmp)
        os.environ.pop("RMPAIR_JOURNAL", None)
        os.environ["RMPAIR_HOME"] = str(root / "unused-home")
        if args.profile:
            profile(root, args.profile, sizes[-1], args.batch)
            return 0
        bench_merge(root, sizes, args.rounds, args.batch)
        if not args.skip_writes:
            bench_writes(root, args.adds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
