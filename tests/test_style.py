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


def test_mypy_strict_on_the_core() -> None:
    result = run("mypy", "--no-incremental")  # files and strictness come from pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
