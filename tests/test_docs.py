"""The documentation keeps up with the code: every command is in docs/cli.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rmpair.cli.app import SUBCOMMANDS

ROOT = Path(__file__).resolve().parent.parent


def test_cli_reference_is_built_from_its_parts() -> None:
    result = subprocess.run([sys.executable, "tools/build_cli_doc.py", "--check"], cwd=ROOT)
    assert result.returncode == 0, "docs/cli.md is stale: run python tools/build_cli_doc.py"


def test_every_command_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in SUBCOMMANDS if f"rmpair {name}" not in text]
    assert missing == []


def test_the_documents_the_brief_asks_for_exist() -> None:
    for name in ("architecture.md", "cli.md", "benchmarks.md"):
        assert (ROOT / "docs" / name).stat().st_size > 1000, name


def test_the_architecture_names_only_modules_that_exist() -> None:
    """docs/architecture.md and docs/storage.md keep up with moves and renames."""
    import re

    missing = []
    for name in ("architecture.md", "storage.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        for path in sorted(set(re.findall(r"\b((?:rmpair|screens|tools|tests)/[\w/.-]*\w)", text))):
            base = ROOT / path
            if not base.exists() and not (ROOT / "rmpair" / path.split("/", 1)[1]).exists():
                missing.append(f"{name}: {path}")
    assert missing == []
