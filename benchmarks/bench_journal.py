"""Benchmark of the journal: start-up of ``rmpair status``, opening, merging and saving.

Builds a 1-year and a 5-year sample journal (two devices, weekly sessions) with
``rmpair demo --years N`` in a temporary folder and prints figures measured side by
side in one run, in interleaved rounds, so that a busy machine slows every
contestant alike. Ratios, not absolute times, are what the targets speak of.

    python benchmarks/bench_journal.py [--rounds 21] [--saves 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL_TYPER = """\
import typer

app = typer.Typer()


@app.command()
def main() -> None:
    print("ok")


app()
"""


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run_process(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def build(folder: Path, years: int, env: dict[str, str]) -> None:
    cmd = [sys.executable, "-m", "rmpair", "demo", str(folder), "--years", str(years)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    print(f"  built {years}-year journal: {out.stdout.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="process runs per contestant")
    parser.add_argument("--saves", type=int, default=60, help="saves timed per journal")
    args = parser.parse_args()

    import rmpair
    from rmpair.journal import Journal
    from rmpair.store.home import Home

    if "site-packages" not in rmpair.__file__:
        print(
            "note: rmpair is imported from the source tree (an editable install); its import\n"
            "      hook adds ~10 ms to every start. For the figures users get, run this script\n"
            "      with a normal install: python3 -m venv /tmp/bench && /tmp/bench/bin/pip\n"
            "      install . && /tmp/bench/bin/python benchmarks/bench_journal.py"
        )

    with tempfile.TemporaryDirectory(prefix="rmpair-bench-") as tmp:
        root = Path(tmp)
        # "python -m rmpair" puts the current folder first on sys.path: run from here, or
        # a source checkout's rmpair/ would shadow the installed package.
        os.chdir(root)
        (root / "typer_min.py").write_text(MINIMAL_TYPER)
        envs: dict[int, dict[str, str]] = {}
        journals: dict[int, Path] = {}
        print("Building sample journals ...")
        for years in (1, 5):
            env = dict(os.environ, RMPAIR_HOME=str(root / f"home{years}"))
            env.pop("RMPAIR_JOURNAL", None)
            journals[years] = root / f"journal{years}"
            envs[years] = env
            build(journals[years], years, env)

        # -- whole processes, interleaved ------------------------------------------
        contestants: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], envs[1]),
            "minimal Typer command": ([sys.executable, str(root / "typer_min.py")], envs[1]),
            "rmpair status (1 year)": (
                [sys.executable, "-m", "rmpair", "--journal", str(journals[1]), "status"],
                envs[1],
            ),
            "rmpair status (5 years)": (
                [sys.executable, "-m", "rmpair", "--journal", str(journals[5]), "status"],
                envs[5],
            ),
        }
        for cmd, env in contestants.values():  # warm the OS cache and rmpair's own cache
            run_process(cmd, env)
        samples: dict[str, list[float]] = {name: [] for name in contestants}
        for _ in range(args.rounds):
            for name, (cmd, env) in contestants.items():
                samples[name].append(run_process(cmd, env))

        # -- in process: open + merge, cold and warm ---------------------------------
        open_samples: dict[str, list[float]] = {}
        for years in (1, 5):
            home = Home(Path(envs[years]["RMPAIR_HOME"]))
            cache = next(home.root.glob("journals/*/cache/head.bin"))
            cold: list[float] = []
            warm: list[float] = []
            for _ in range(5):
                cache.unlink(missing_ok=True)
                start = time.perf_counter()
                journal = Journal.open(journals[years], home=home)
                journal.status()
                cold.append(time.perf_counter() - start)
                journal.close()
                start = time.perf_counter()
                journal = Journal.open(journals[years], home=home)
                journal.status()
                warm.append(time.perf_counter() - start)
                journal.close()
            open_samples[f"open+merge+status, no cache ({years}y)"] = cold
            open_samples[f"open+status, cache warm ({years}y)"] = warm

        # -- in process: saving one change ------------------------------------------
        save_samples: dict[int, list[float]] = {1: [], 5: []}
        opened = {
            years: Journal.open(journals[years], home=Home(Path(envs[years]["RMPAIR_HOME"])))
            for years in (1, 5)
        }
        try:
            for i in range(args.saves):
                for years, journal in opened.items():
                    start = time.perf_counter()
                    journal.update("tandem", "tandem", {"location": f"Room {i}"})
                    save_samples[years].append(time.perf_counter() - start)
        finally:
            for journal in opened.values():
                journal.close()

    print()
    print(f"{'measure':45} {'median ms':>10}")
    for name, values in {**samples, **open_samples}.items():
        print(f"{name:45} {median_ms(values):10.1f}")
    for years in (1, 5):
        print(f"{f'save one change ({years}y)':45} {median_ms(save_samples[years]):10.2f}")

    floor = median_ms(samples["minimal Typer command"])
    status5 = median_ms(samples["rmpair status (5 years)"])
    save1, save5 = median_ms(save_samples[1]), median_ms(save_samples[5])
    checks = [
        ("rmpair status (5y) / minimal Typer", status5 / floor, 1.25),
        ("save (5y) / save (1y)", save5 / save1, 1.2),
        ("save (5y) in ms / 20 ms", save5 / 20.0, 1.0),
    ]
    print()
    ok = True
    for label, ratio, limit in checks:
        verdict = "ok" if ratio <= limit else "OVER"
        ok = ok and ratio <= limit
        print(f"{label:45} {ratio:6.2f}  (target <= {limit:.2f})  {verdict}")
    print(f"python -c pass: {median_ms(samples['python -c pass']):.1f} ms (interpreter floor)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
