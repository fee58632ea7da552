"""The core and the command line must not pull in the TUI toolkit when imported.

A fresh interpreter imports every module of the package, walking every sub-package
(``rmpair.cli.topic`` as much as ``rmpair.journal``), and then looks at
``sys.modules``. Only the app (``rmpair.screens``) may load Textual.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import check_imports

PROBE = r"""
import importlib, json, pkgutil, sys
import rmpair
skip = ("rmpair.screens", "rmpair.templates", "rmpair.__main__")
imported = []
for info in pkgutil.walk_packages(rmpair.__path__, "rmpair."):
    if info.name.startswith(skip):
        continue
    importlib.import_module(info.name)
    imported.append(info.name)
heavy = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"imported": imported, "textual": heavy}))
"""


def run_probe(tmp_path: Path, site: Path | None = None) -> dict[str, list[str]]:
    env = {**os.environ, "RMPAIR_HOME": str(tmp_path / "home")}
    if site is not None:
        env["PYTHONPATH"] = str(site)  # a staged copy of the package comes first
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


def test_no_module_outside_the_app_imports_textual(tmp_path: Path) -> None:
    result = run_probe(tmp_path)
    for module in (
        "rmpair.journal",
        "rmpair.store.merge",
        "rmpair.store.journal_store",
        "rmpair.domain.sessions",
        "rmpair.cli.app",
        "rmpair.cli.topic",
        "rmpair.report.build",
    ):
        assert module in result["imported"]
    assert result["textual"] == [], f"imported textual: {result['textual'][:5]}"


@pytest.mark.parametrize("module", ["rmpair/cli/topic.py", "rmpair/domain/backlog.py"])
def test_the_probe_finds_textual_imported_deep_in_a_package(tmp_path: Path, module: str) -> None:
    """The check itself must be able to fail, for a module below the top level too."""
    site = check_imports.stage(tmp_path / "staged")
    target = site / module
    target.write_text(target.read_text(encoding="utf-8") + "\nimport textual.app\n")
    assert "textual.app" in run_probe(tmp_path, site)["textual"]
