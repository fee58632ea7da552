"""The wheel ships the templates and stylesheets inside ``rmpair`` and nothing generic.

Builds the real wheel and installs it into a fresh virtualenv, so a missing
package-data rule or a wrong package-dir mapping fails here and not on a user's
machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (found,) = out.glob("rmpair-*.whl")
    return found


def test_wheel_contains_templates_and_styles(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    templates = [n for n in names if n.startswith("rmpair/templates/") and n.endswith(".toml")]
    assert "rmpair/templates/en/invite.toml" in names
    assert len(templates) >= 13
    assert "rmpair/screens/rmpair.tcss" in names
    assert "rmpair/screens/app.py" in names
    # Nothing generic at the top level of site-packages.
    tops = {n.split("/", 1)[0] for n in names}
    assert tops <= {"rmpair", *(t for t in tops if t.endswith(".dist-info"))}


def test_installed_wheel_finds_its_data(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    # Borrow the dependencies (Textual, TinyDB, ...) from the running environment. A
    # path line in a .pth file adds the folder without running the .pth files in it,
    # so an editable install of rmpair there cannot shadow the wheel.
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (purelib / "_rmpair_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    modules = sorted(
        ".".join(("rmpair", *path.relative_to(ROOT / "rmpair").with_suffix("").parts))
        for path in (ROOT / "rmpair").rglob("*.py")
        if path.name not in ("__main__.py", "__init__.py")
    )
    modules += [
        f"rmpair.screens.{p.stem}"
        for p in (ROOT / "screens").glob("*.py")
        if p.name != "__init__.py"
    ]
    probe = (
        "import importlib, importlib.resources as r, rmpair, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(rmpair.__file__)\n"
        "print((r.files('rmpair.templates') / 'en' / 'agreement.toml').is_file())\n"
        "print((r.files('rmpair.screens') / 'rmpair.tcss').is_file())\n"
        "from rmpair.domain.templates import TemplateStore\n"
        "print(len(TemplateStore().names()))\n"
    )
    result = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    where, agreement, tcss, count = result.stdout.split()
    assert str(env_dir) in where, "imported rmpair from the source tree, not the wheel"
    assert (agreement, tcss) == ("True", "True")
    assert int(count) >= 13
    # The installed command runs (every sub-command module is in the wheel).
    run = subprocess.run(
        [
            str(python),
            "-m",
            "rmpair",
            "init",
            str(tmp_path / "j"),
            "--me",
            "A",
            "--role",
            "mentee",
            "--partner",
            "B",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "RMPAIR_HOME": str(tmp_path / "home")},
    )
    assert run.returncode == 0, run.stderr
