"""The core and the command line must not pull in the TUI toolkit when imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import importlib, json, pkgutil, sys
import rmpair
imported = ["rmpair"]
try:
    import rmpair.cli.app
    imported.append("rmpair.cli.app")
except ModuleNotFoundError as exc:
    if exc.name != "rmpair.cli.app":
        raise
skip = {"rmpair.screens", "rmpair.templates", "rmpair.__main__"}
for info in pkgutil.iter_modules(rmpair.__path__, "rmpair."):
    if info.name in skip or info.name.startswith(("rmpair.screens.", "rmpair.templates.")):
        continue
    importlib.import_module(info.name)
    imported.append(info.name)
heavy = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"imported": imported, "textual": heavy}))
"""


def run_probe(tmp_path: Path) -> dict[str, list[str]]:
    env = {**os.environ, "RMPAIR_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_core_modules_do_not_import_textual(tmp_path: Path) -> None:
    result = run_probe(tmp_path)
    for module in (
        "rmpair.store.merge",
        "rmpair.store.files",
        "rmpair.store.journal_store",
        "rmpair.journal",
    ):
        assert module in result["imported"]
    assert result["textual"] == [], f"imported textual: {result['textual'][:5]}"


def test_probe_detects_textual(tmp_path: Path) -> None:
    """The check itself must be able to fail: importing textual shows up."""
    env = {**os.environ, "RMPAIR_HOME": str(tmp_path / "home")}
    probe = PROBE.replace("import rmpair\n", "import rmpair\nimport textual\n", 1)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "textual" in json.loads(done.stdout.strip().splitlines()[-1])["textual"]
