"""The app in German at 80x24: home and a session, driven with Pilot and snapshotted.

German words are longer than English ones, so these tests check what a German pair
would notice first: every word on screen is whole (the footer, the navigation line
and the tables leave out or mark what does not fit instead of cutting a word), the
dates are written the German way, and no English label is left over.

A word counts as whole when it is in the *vocabulary*: every word of the German
catalogue, the German templates, the journal's own texts and the German names of
days and months. A word cut at the edge ("Themenspeiche") is in none of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rmpair.screens.app import RmpairApp
from rmpair.screens.home import HomeScreen
from rmpair.screens.session import SessionScreen
from test_snapshots import NOW, Words, build, settled  # tests/ is on sys.path

from rmpair import fmt
from rmpair.clock import FixedClock
from rmpair.export.exchange import export_data
from rmpair.i18n import current_language, set_language
from rmpair.journal import Journal
from rmpair.model.records import Category

ROOT = Path(__file__).resolve().parents[1]
SIZE = (80, 24)
WORD = re.compile(r"[^\W\d_]+")
# English labels of these screens; none may show on a German screen.
ENGLISH = (
    "Next session",
    "Open action items",
    "Backlog",
    "Sessions",
    "Agreement",
    "Conflicts",
    "Devices",
    "Refresh now",
    "Keys",
    "Commands",
    "Write note",
    "Back",
    "Shared note",
    "planned",
    "due",
    "(you)",
    "Tue",
    "Nov 2026",
)


pytestmark = pytest.mark.usefixtures("quick_pilot")


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    """The interface in German for the test, as RMPAIR_LANG=de or the tandem would set it."""
    before = current_language()
    set_language("de")
    yield
    set_language(before)


GERMAN = Words(
    "de",
    ("Danas Laptop", "Sams Rechner"),
    (
        ("Git ohne Angst", Category.TECHNOLOGY, "Wie mache ich einen Fehler rückgängig?"),
        ("Wie das Team Slack nutzt", Category.CULTURE, "Was ist unhöflich, was normal?"),
        ("Kurzvideos verstehen", Category.TECHNOLOGY, ""),
        ("Was Berufseinsteigerinnen von Führung erwarten", Category.WORK, ""),
    ),
    (
        "Berufseinsteigerinnen lesen viel mehr, als ich dachte.",
        "Führungskräfte wollen erst das Warum, dann das Wie.",
    ),
    "Wir treffen uns im kleinen Raum; Sam bringt den Laptop mit.",
    ("Git installieren und einen ersten Commit machen", "Dana die Slack-Anleitung schicken"),
)


def strings(value: object) -> list[str]:
    """Every string inside a JSON-like value (the journal's export)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def vocabulary(journal: Journal) -> set[str]:
    """Every word a German screen of this journal may show."""
    texts = [(ROOT / "rmpair" / "locale" / "de" / "LC_MESSAGES" / "rmpair.po").read_text("utf-8")]
    texts += [p.read_text("utf-8") for p in sorted((ROOT / "templates" / "de").rglob("*.toml"))]
    texts += strings(export_data(journal))
    for n in range(12):
        texts += [fmt.month_name(n + 1, "de"), fmt.month_short(n + 1, "de")]
    for n in range(7):
        texts += [fmt.weekday_name(n, "de"), fmt.weekday_short(n, "de")]
    words = {w for text in texts for w in WORD.findall(text)}
    keys = {"esc", "space", "enter", "tab", *"abcdefghijklmnopqrstuvwxyz"}  # the footer's keys
    return words | keys | {"rmpair", "Danas", "Sams", "Laptop", "Rechner", "Europe", "Berlin"}


def flat(text: str) -> str:
    """``text`` with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def screen_lines(app: RmpairApp) -> list[str]:
    """What the terminal shows, line by line, as plain text."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def cut_words(lines: list[str], words: set[str]) -> list[str]:
    """The words on screen that are not whole words (with the line they are on)."""
    return [
        f"{word!r} in {line.strip()!r}"
        for line in lines
        for word in WORD.findall(line)
        if word not in words
    ]


def test_the_check_finds_a_word_cut_at_the_edge() -> None:
    words = {"Themenspeicher", "Start", "Treffen"}
    assert cut_words([" 1 Start  2 Themenspeicher  3 Treffen"], words) == []
    assert cut_words([" 1 Start  2 Themenspeiche"], words) == [
        "'Themenspeiche' in '1 Start  2 Themenspeiche'"
    ]
    assert cut_words(["Reguläres Treffe…"], {"Reguläres", "Treffen"}) != []


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    journal = build(tmp_path, GERMAN)
    yield journal
    journal.close()


def app_for(journal: Journal) -> RmpairApp:
    return RmpairApp(journal, home=journal.store.home, clock=FixedClock(NOW), watch_interval=None)


async def test_home_in_german_at_80x24_shows_whole_words(journal: Journal) -> None:
    app = app_for(journal)
    async with app.run_test(size=SIZE) as pilot:
        await app.settle()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        lines = screen_lines(app)
        shown = "\n".join(lines)
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        assert "Sam (Mentor:in) lehrt, Dana (Mentee) (du) lernt" in shown, shown
        assert "Nächstes Treffen  Di., 24. Nov. 2026, 17:30–18:30 · in 4 Tagen" in shown, shown
        assert "Offene Aufgaben (1)" in shown, shown
        assert "fällig am 15. Nov. 2026, überfällig" in flat(shown), shown
        # The footer keeps whole keys, and always the one that lists them all.
        assert "n Nächstes Treffen" in lines[-1] and "? Tasten" in lines[-1]
        assert "Themenspeicher" in lines[0] and "Konflikte" in lines[0]
        leaked = [w for w in ENGLISH if w in shown]
        assert not leaked, shown
        assert cut_words(lines, vocabulary(journal)) == [], shown
        # The parts below the fold: scrolled into view, they are whole too.
        await pilot.press("end")
        await pilot.pause()
        assert cut_words(screen_lines(app), vocabulary(journal)) == []


async def test_a_session_in_german_at_80x24_shows_whole_words(journal: Journal) -> None:
    app = app_for(journal)
    async with app.run_test(size=SIZE) as pilot:
        await app.settle()
        await pilot.press("n")  # the next session, from home
        await app.settle()
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        lines = screen_lines(app)
        shown = "\n".join(lines)
        assert "Reguläres Treffen · Di., 24. Nov. 2026, 17:30–18:30 (Europe/Berlin)" in shown
        assert "geplant · in 4 Tagen" in flat(shown)
        assert "Agenda (60 von 60 Min.)" in shown
        assert "Git ohne Angst (Thema)" in shown
        assert "Dana (Mentee) (du): 1/" in shown and "Sam (Mentor:in): 2/" in shown
        assert "esc Zurück" in lines[-1] and "? Tasten" in lines[-1]
        leaked = [w for w in ENGLISH if w in shown]
        assert not leaked, shown
        words = vocabulary(journal)
        assert cut_words(lines, words) == [], (cut_words(lines, words), shown)
        # Further down: notes, action items, learnings, feedback.
        for _page in range(4):
            await pilot.press("tab")
            await pilot.pause()
            assert cut_words(screen_lines(app), words) == [], "\n".join(screen_lines(app))


@pytest.fixture
def german_app(tmp_path: Path) -> Iterator[RmpairApp]:
    journal = build(tmp_path, GERMAN)
    yield app_for(journal)
    journal.close()


def test_home_snapshot_in_german(german_app: RmpairApp, snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(german_app, run_before=settled(), terminal_size=SIZE)


def test_session_snapshot_in_german(
    german_app: RmpairApp, snap_compare: Callable[..., bool]
) -> None:
    assert snap_compare(german_app, run_before=settled("n"), terminal_size=SIZE)
