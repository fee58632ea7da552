"""The HTML report in a real browser: headless Chromium renders it to a PNG, and its DOM
holds the pair's names. Only file:// is used; nothing is fetched.

Skipped when Chromium is missing, unless the environment variable CI is set (then the
missing browser is a failure: CI installs Debian's ``chromium`` package).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_report import PRIVATE, SHARED, Programme, build_programme  # tests/ is on sys.path

from rmpair.report.html import render_html

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI: apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    return found


@pytest.fixture
def programme(tmp_path: Path) -> Iterator[Programme]:
    built = build_programme(tmp_path)
    yield built
    built.a.close()
    built.b.close()


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Headless, sandbox off (root in containers), no network features, own profile."""
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, timeout=90, check=False)


def test_chromium_renders_the_report_with_the_pairs_names(
    chromium: str, programme: Programme, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(programme.report(with_notes=True)), encoding="utf-8")
    url = page.as_uri()
    assert url.startswith("file://")

    png = tmp_path / "report.png"
    shot = run_chromium(
        chromium, tmp_path / "profile-1", f"--screenshot={png}", "--window-size=1200,1600", url
    )
    assert shot.returncode == 0, shot.stderr.decode(errors="replace")[-2000:]
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000  # a blank page compresses to far less

    dom = run_chromium(chromium, tmp_path / "profile-2", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    html = dom.stdout.decode("utf-8")
    assert "Sam (mentor)" in html and "Alex (mentee)" in html
    assert '<h1 id="title">Reverse mentoring: Sam (mentor) and Alex (mentee)</h1>' in html
    assert html.count("<svg") == 2 and "<polyline" in html and "<rect" in html
    assert SHARED in html and PRIVATE not in html
