"""Screens talk to the journal and the core only: never to the command line, never to files."""

from __future__ import annotations

import ast
from pathlib import Path

SCREENS = Path(__file__).resolve().parent.parent / "screens"
# The command line, and the store's file writing (the core has functions for what screens
# keep between runs, such as rmpair.quick.keep_home_snapshot).
FORBIDDEN = ("rmpair.cli", "rmpair.store.files")


def imported_modules(source: str) -> set[str]:
    """Every module ``source`` imports, at any depth (``from a import b`` gives a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def forbidden_in(source: str) -> list[str]:
    return sorted(
        name
        for name in imported_modules(source)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    )


def test_the_check_finds_forbidden_imports() -> None:
    source = "def f():\n    from rmpair.cli import app\n    from rmpair.store import files\n"
    assert forbidden_in(source) == ["rmpair.cli", "rmpair.cli.app", "rmpair.store.files"]
    assert forbidden_in("from rmpair.store.home import Home\nimport rmpair.client\n") == []


def test_screens_import_neither_the_command_line_nor_file_writing() -> None:
    files = sorted(SCREENS.glob("*.py"))
    assert len(files) > 10
    found = {f.name: bad for f in files if (bad := forbidden_in(f.read_text(encoding="utf-8")))}
    assert found == {}
