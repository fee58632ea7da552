"""The layers hold and no import cycle exists: import-linter's contracts from
pyproject.toml, and our own cycle check (which also sees lazy and importlib imports).
Each check is shown to fail on a deliberately broken copy of the tree."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import check_imports  # noqa: E402


def copy_of_the_tree(tmp_path: Path) -> Path:
    """A copy of what the checks read, to break on purpose."""
    root = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "locale")
    for name in ("rmpair", "screens"):
        shutil.copytree(ROOT / name, root / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "importlinter-app.toml", root / "tools" / "importlinter-app.toml")
    return root


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


def test_the_layer_contracts_hold() -> None:
    done = check_imports.run_contracts()
    assert done.returncode == 0, done.stdout + done.stderr
    summaries = [line for line in done.stdout.splitlines() if line.startswith("Contracts:")]
    assert len(summaries) == 2 and all(line.endswith(" 0 broken.") for line in summaries)


def test_plain_lint_imports_passes_in_the_checkout() -> None:
    """'lint-imports' as a developer runs it, in the editable install: green too."""
    import subprocess

    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # The example of the issue: the TUI toolkit deep inside the command line.
        ("rmpair/cli/topic.py", "import textual.app", "never imports Textual"),
        ("rmpair/domain/backlog.py", "import textual.app", "never imports the UI toolkit"),
        ("rmpair/store/merge.py", "from rmpair.model import records", "knows files and changes"),
        ("screens/backlog.py", "from rmpair.cli import _common", "never imports the command"),
        ("rmpair/cli/topic.py", "import rmpair.screens.app", "never imports the app"),
        ("rmpair/model/records.py", "import rmpair.journal", "Layers"),
    ],
)
def test_a_broken_import_is_caught(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = copy_of_the_tree(tmp_path)
    add_line(root / module, line)
    done = check_imports.run_contracts(root)
    assert done.returncode != 0, done.stdout
    broken = done.stdout.split("Broken contracts")[-1]
    assert contract in broken, done.stdout


def test_no_import_cycles() -> None:
    assert check_imports.check_cycles() == []


@pytest.mark.parametrize(
    ("module", "code", "expected"),
    [
        # A lazy import inside a function is a cycle all the same.
        (
            "rmpair/domain/backlog.py",
            "def _later():\n    from rmpair.journal import Journal\n    return Journal",
            "rmpair.domain.backlog",
        ),
        # So is a command module that imports the root loading it through importlib.
        ("rmpair/cli/topic.py", "import rmpair.cli.app", "rmpair.cli.app"),
        # And a module named in a string for importlib.
        (
            "rmpair/store/cache.py",
            "import importlib\n\n\ndef _later():\n"
            "    return importlib.import_module('rmpair.store.journal_store')",
            "rmpair.store.cache",
        ),
    ],
)
def test_the_cycle_check_finds_a_cycle(
    tmp_path: Path, module: str, code: str, expected: str
) -> None:
    root = copy_of_the_tree(tmp_path)
    add_line(root / module, code)
    found = check_imports.check_cycles(root)
    assert any(expected in line for line in found), found


def test_every_module_stays_readable_in_one_sitting() -> None:
    """No module over ~500 lines unless its docstring gives the reason (``Long because``)."""
    too_long = []
    for path in sorted([*(ROOT / "rmpair").rglob("*.py"), *(ROOT / "screens").rglob("*.py")]):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 500 and "Long because" not in text[:2000]:
            too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
    assert too_long == []
