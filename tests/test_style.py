"""The project's own standards, checked where CI sees them: ruff and strict mypy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["rmpair", "screens", "tests", "benchmarks", "tools"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def present(*names: str) -> list[str]:
    return [n for n in names if (ROOT / n).exists()]


def test_ruff_lint_and_format_are_clean() -> None:
    lint = run("ruff", "check", *present(*SOURCES))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run("ruff", "format", "--check", *present(*SOURCES))
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def mypy(cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    # Files and strictness come from pyproject.toml; a fresh cache per test, never a stale one.
    return run("mypy", "--cache-dir", str(cache), *extra)


def test_mypy_strict_on_the_core_and_the_screens(tmp_path: Path) -> None:
    """rmpair/ and screens/ (as rmpair.screens, through typecheck/) are strictly clean, and
    the check sees screens/: a type error put into one of its files fails it."""
    link = ROOT / "typecheck" / "rmpair" / "screens"
    assert link.resolve() == (ROOT / "screens").resolve(), "typecheck/ must mirror screens/"
    clean = mypy(tmp_path / "cache")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    source = Path("typecheck/rmpair/screens/watch.py")
    broken = tmp_path / "watch.py"
    broken.write_text(
        (ROOT / source).read_text(encoding="utf-8") + '\n\ndef _probe() -> int:\n    return "x"\n',
        encoding="utf-8",
    )
    caught = mypy(tmp_path / "cache", "--shadow-file", str(source), str(broken))
    assert caught.returncode == 1, caught.stdout + caught.stderr
    assert f"{source}:" in caught.stdout and "[return-value]" in caught.stdout, caught.stdout
