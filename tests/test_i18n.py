"""The German edition: catalogues complete and compiled, no user-facing text left
unwrapped, German templates that match the English ones, dates written the German way,
and the language chosen per tandem and overridden per person."""

from __future__ import annotations

import datetime as dt
import gettext
import importlib.util
import io
import os
import re
import string
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import PoFileError
from clocks import rmpair_command
from hypothesis import given
from hypothesis import strategies as st

from rmpair import fmt, i18n
from rmpair.domain.templates import TemplateStore, builtin_root
from rmpair.errors import UserError
from rmpair.journal import Journal
from rmpair.model import records as model
from rmpair.model.records import Role
from rmpair.store.home import Home

ROOT = Path(__file__).resolve().parents[1]


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rmpair_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()

# User-facing text in files whose owners are changing them right now; each entry is
# a known violation the lead removes once the file wraps its messages in _().
PENDING: dict[str, set[str]] = {}
# Text that is not language, in files where the lint cannot tell (none at present).
NOT_LANGUAGE: dict[str, set[str]] = {}


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Tests here switch the interface language; the next test finds it as it was."""
    before = i18n.current_language()
    yield
    i18n.set_language(before)


@pytest.fixture(scope="module")
def extracted() -> Any:
    return tool.extract()


def rmpair_messages(extracted: Any) -> list[Message]:
    """Every message of the program: the core and the app's screens."""
    return [
        m
        for m in tool.messages(extracted)
        if any(path.startswith(("rmpair/", "screens/")) for path, _line in m.locations)
    ]


# --------------------------------------------------------------------- wrapped strings


def test_no_user_facing_string_in_rmpair_is_left_unwrapped() -> None:
    allowed = {
        path: PENDING.get(path, set()) | NOT_LANGUAGE.get(path, set())
        for path in {*PENDING, *NOT_LANGUAGE}
    }
    findings = tool.lint()
    left = [f for f in findings if f.text not in allowed.get(f.path, set())]
    assert not left, "wrap these in _():\n" + "\n".join(str(f) for f in left)
    found = {(f.path, f.text) for f in findings}
    stale = [(p, t) for p, texts in allowed.items() for t in texts if (p, t) not in found]
    assert not stale, f"allow-list entries no longer needed, remove them: {stale}"


def test_the_lint_catches_what_a_person_would_read(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "import typer\n"
        "from rmpair.i18n import _\n"
        "def cmd(name: str = typer.Option('x', help='Your name.')) -> None:\n"
        '    """A docstring is for developers."""\n'
        "    typer.echo(f'Hello {name}, welcome back')\n"
        "    typer.echo(_('Fine: {name}').format(name=name))\n"
        "    typer.echo(f'{name}: {name}')\n"
        "    raise ValueError('internal: this never reaches a person')\n"
        "def problem() -> str:\n"
        "    return 'the file is broken beyond repair'\n",
        encoding="utf-8",
    )
    found = {(f.line, f.text) for f in tool.lint([source])}
    assert found == {
        (3, "Your name."),
        (5, "Hello {}, welcome back"),
        (10, "the file is broken beyond repair"),
    }


# --------------------------------------------------------------------- catalogues


def test_every_message_in_rmpair_and_the_app_has_a_german_translation(extracted: Any) -> None:
    assert not tool.untranslatable()
    assert len(rmpair_messages(extracted)) > 1000
    german = tool.load(tool.po_path("de"))
    problems = tool.check_catalogue(german, rmpair_messages(extracted))
    assert not problems, "\n".join(problems)


def test_the_formal_catalogue_says_sie_wherever_german_says_du() -> None:
    german = tool.load(tool.po_path("de"))
    formal = tool.load(tool.po_path("de_formal"))
    problems = tool.check_overlay(formal, german)
    problems += tool.check_catalogue(formal, tool.messages(formal), overlay=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["de", "de_formal"])
def test_the_compiled_catalogue_is_current(lang: str) -> None:
    mo = tool.mo_path(lang)
    assert mo.is_file(), f"{mo} is missing: run python tools/i18n.py compile"
    assert mo.read_bytes() == tool.compile_mo(tool.load(tool.po_path(lang))), (
        f"{mo} is stale: run python tools/i18n.py compile"
    )


def test_the_shipped_catalogues_are_where_the_package_finds_them() -> None:
    folder = i18n.locale_dir()
    assert folder is not None
    for lang in ("de", "de_formal"):
        assert (folder / lang / "LC_MESSAGES" / "rmpair.mo").is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]
    assert "locale/*/LC_MESSAGES/*.mo" in data["rmpair"]


def test_every_stored_value_shown_as_a_word_is_translated() -> None:
    german = i18n.translation_for("de")
    for enum in (
        model.Role,
        model.Cadence,
        model.Category,
        model.TopicStatus,
        model.SessionKind,
        model.SessionStatus,
        model.Direction,
    ):
        for member in enum:
            assert member.value in i18n.WORDS, f"add N_({member.value!r}) to rmpair.i18n.WORDS"
            assert german.gettext(member.value) != member.value, member.value


def test_command_help_comes_from_translated_docstrings(extracted: Any) -> None:
    docs = {m.id for m in tool.messages(extracted) if tool.COMMAND_HELP in m.auto_comments}
    assert "Reorder the backlog." in docs
    german = i18n.translation_for("de")
    assert german.gettext("Reorder the backlog.") == "Die Reihenfolge im Themenspeicher ändern."


# --------------------------------------------------------------------- the tool itself


def test_extraction_finds_every_kind_of_message(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "import typer\n"
        "from rmpair.i18n import N_, _, ngettext\n"
        "app = typer.Typer()\n"
        "WORD = N_('planned')\n"
        "@app.command()\n"
        "def go(n: int) -> None:\n"
        '    """Go somewhere.\n\n    Really.\n    """\n'
        "    print(_('Hello {name}').format(name='x'))\n"
        "    print(ngettext('{n} day', '{n} days', n).format(n=n))\n"
        "    print(_(WORD))\n"
        "    print(f\"<h2>{_('Inside an f-string')}</h2>\")\n"
        "    print(_(f'bad {n}'))\n",
        encoding="utf-8",
    )
    found = tool.messages(tool.extract([source]))
    assert [m.id for m in found] == [
        "planned",
        "Go somewhere.\n\nReally.",
        "Hello {name}",
        ("{n} day", "{n} days"),
        "Inside an f-string",
    ]
    assert [line for m in found for _path, line in m.locations] == [4, 6, 11, 12, 14]
    assert tool.COMMAND_HELP in found[1].auto_comments
    assert "python-brace-format" in found[2].flags
    [problem] = tool.untranslatable([source])
    assert problem.endswith("sample.py:15: an f-string inside _() cannot be translated")


def test_the_calls_that_cannot_be_extracted_are_named(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from rmpair.i18n import _, ngettext\n"
        "def show(n: int, word: str) -> None:\n"
        "    print(ngettext('{n} day', word, n))\n"
        "    print(_(''))\n"
        "    print(ngettext('{n} item', '{n} items', n))\n"
        "    print(ngettext('{n} item', '{n} things', n))\n"
        "    print(_(word))\n",  # a stored value shown as a word: fine (see i18n.WORDS)
        encoding="utf-8",
    )
    assert [p.split("sample.py:", 1)[1] for p in tool.untranslatable([source])] == [
        "3: ngettext() needs two literal strings",
        "4: an empty message",
        "6: '{n} item' has two different plural forms",
    ]


def _catalogue(*messages: Message) -> Any:
    catalogue = tool.new_catalogue("de")
    for message in messages:
        catalogue[message.id] = message
    return catalogue


def test_the_mo_file_reads_back_with_gettext() -> None:
    catalogue = _catalogue(
        Message("Hello", "Hallo"),
        Message(("{n} day", "{n} days"), ("{n} Tag", "{n} Tage")),
        Message("Fuzzy", "Unsicher", flags=["fuzzy"]),
        Message("Empty", ""),
        Message("Ärger", "Verdruss"),
    )
    data = tool.compile_mo(catalogue)
    assert data[:4] == b"\xde\x12\x04\x95"  # the magic number, little-endian
    read = gettext.GNUTranslations(io.BytesIO(data))
    assert read.gettext("Hello") == "Hallo"
    assert read.gettext("Ärger") == "Verdruss"
    assert read.ngettext("{n} day", "{n} days", 1) == "{n} Tag"
    assert read.ngettext("{n} day", "{n} days", 5) == "{n} Tage"
    assert read.gettext("Fuzzy") == "Fuzzy"  # fuzzy translations are not used
    assert read.gettext("Empty") == "Empty"
    assert read.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"
    assert tool.compile_mo(catalogue) == data  # deterministic: no dates in the header


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


@given(msgid=texts.filter(bool), msgstr=texts, comment=st.text("abc xyz", max_size=10))
def test_a_po_file_reads_back_what_was_written(msgid: str, msgstr: str, comment: str) -> None:
    catalogue = _catalogue(
        Message(msgid, msgstr, locations=[("rmpair/x.py", 1)], user_comments=[comment.strip()]),
        Message((msgid + "!", msgid + "s"), (msgstr, msgstr)),
    )
    text = tool.format_po(catalogue, "Test.")
    back = tool.load_bytes(text)
    assert back.mime_headers == catalogue.mime_headers
    [one, two] = tool.messages(back)
    assert (one.id, one.string, one.locations) == (msgid, msgstr, [("rmpair/x.py", 1)])
    assert (two.id, two.string) == ((msgid + "!", msgid + "s"), (msgstr, msgstr))
    assert tool.format_po(back, "Test.") == text


def test_merging_keeps_translations_and_marks_close_guesses_fuzzy() -> None:
    old = _catalogue(
        Message("Sign the agreement.", "Die Vereinbarung unterschreiben."),
        Message("Removed in the code.", "Im Code entfernt."),
        Message("Cancelled session {id}.", "Treffen {id} abgesagt."),
        Message("Never translated.", ""),
    )
    old.obsolete["Back in the code."] = Message("Back in the code.", "Wieder im Code.")
    template = _catalogue(
        Message("Sign the agreement.", locations=[("rmpair/a.py", 1)]),
        Message("Cancelled the session {id}.", locations=[("rmpair/a.py", 2)]),
        Message("Brand new.", locations=[("rmpair/a.py", 3)]),
        Message("Back in the code.", locations=[("rmpair/a.py", 4)]),
    )
    merged = tool.merge(old, template)
    live = {m.id: m for m in tool.messages(merged)}
    assert live["Sign the agreement."].string == "Die Vereinbarung unterschreiben."
    assert not live["Sign the agreement."].fuzzy
    assert live["Cancelled the session {id}."].string == "Treffen {id} abgesagt."
    assert live["Cancelled the session {id}."].fuzzy
    assert live["Brand new."].string == ""
    assert live["Back in the code."].string == "Wieder im Code."  # taken up again
    assert not live["Back in the code."].fuzzy
    # Gone from the code: kept at the end if translated; the fuzzy guess's source is
    # named as the previous msgid instead.
    assert [m.id for m in merged.obsolete.values()] == ["Removed in the code."]
    text = tool.format_po(merged, "Test.").decode()
    assert '#~ msgid "Removed in the code."' in text
    assert '#| msgid "Cancelled session {id}."' in text
    assert [m.id for m in tool.load_bytes(text.encode()).obsolete.values()] == [
        "Removed in the code."
    ]
    problems = tool.check_catalogue(merged, tool.messages(template))
    assert problems == [
        "fuzzy: 'Cancelled the session {id}.'",
        "untranslated: 'Brand new.'",
    ]


def test_a_translation_must_keep_the_placeholders() -> None:
    wrong = Message("Moved session {id} to {when}.", "Treffen {id} verschoben.")
    assert tool.entry_problems(wrong)
    right = Message("{a} and {b}", "{b} und {a}, {a}")
    assert not tool.entry_problems(right)
    plural = Message(("{n} day", "{n} days"), ("ein Tag", "{n} Tage"))
    assert not tool.entry_problems(plural)
    assert tool.entry_problems(Message(("{n} day", "{n} days"), ("{n} Tag", "{count} Tage")))


def test_the_formal_overlay_asks_for_every_message_that_says_du() -> None:
    base = _catalogue(
        Message("Your name.", "Dein Name."),
        Message("Both signed.", "Ihr habt beide unterschrieben."),
        Message("Start in DIR.", "In DIR starten."),
        Message("Saved.", "Gespeichert."),
    )
    overlay = tool.merge_overlay(tool.new_catalogue("de_formal"), base)
    assert [m.id for m in tool.messages(overlay)] == ["Your name.", "Both signed."]
    assert tool.check_overlay(overlay, base) == [
        "needs a formal form: 'Your name.'",
        "needs a formal form: 'Both signed.'",
    ]
    overlay["Your name."].string = "Ihr Name."
    overlay["Both signed."].string = "Ihr habt beide unterschrieben."  # still du-plural: no
    assert tool.check_overlay(overlay, base) == []  # "ihr" may be "her": not flagged here
    overlay["Both signed."].string = "Dein Gegenüber hat unterschrieben."
    assert tool.check_overlay(overlay, base) == [
        "says 'du' in the formal catalogue: 'Both signed.'"
    ]
    # A message the overlay translates stays even when the base no longer says "du".
    base["Your name."].string = "Name."
    kept = tool.merge_overlay(overlay, base)
    assert kept["Your name."].string == "Ihr Name."


def test_translations_written_elsewhere_are_filled_in() -> None:
    base = _catalogue(
        Message("Your topic.", "Thema.", flags=["fuzzy"], previous_id=["Your topics."]),
        Message("Saved.", ""),
        Message("Gone.", ""),
        Message(("{n} day", "{n} days"), ("", "")),
    )
    overlay = tool.merge_overlay(tool.new_catalogue("de_formal"), base)
    assert tool.messages(overlay) == []  # nothing German says "du" yet
    left = tool.apply_translations(
        base,
        overlay,
        {
            "Your topic.": ["Dein Thema.", "Ihr Thema."],
            "Saved.": ["Gespeichert.", "Gespeichert."],
            "{n} day": ["{n} Tag", "{n} Tage"],
            "Not a message.": "Keine Nachricht.",
        },
    )
    assert left == [
        "a plural: fill in its msgstr[0] and msgstr[1] by hand: '{n} day'",
        "not in the catalogue (run update first): 'Not a message.'",
        "the formal catalogue does not need it (no du in it): 'Saved.'",
    ]
    assert (base["Your topic."].string, base["Your topic."].fuzzy) == ("Dein Thema.", False)
    assert base["Saved."].string == "Gespeichert."
    assert [(m.id, m.string) for m in tool.messages(overlay)] == [("Your topic.", "Ihr Thema.")]
    assert tool.check_overlay(overlay, base) == []
    text = tool.format_po(base, "Test.").decode()
    assert "#|" not in text and "fuzzy" not in text


def test_a_catalogue_left_with_conflict_markers_is_refused(tmp_path: Path) -> None:
    text = tool.format_po(_catalogue(Message("Saved.", "Gespeichert.")), "Test.").decode()
    broken = text.replace('msgstr "Gespeichert."', '<<<<<<< HEAD\nmsgstr "Gespeichert."')
    with pytest.raises(PoFileError):
        tool.load_bytes(broken.encode())
    path = tmp_path / "rmpair.po"
    path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("<<<<<<< HEAD") + 1
    with pytest.raises(tool.Unreadable, match=f"rmpair.po:{line}: cannot read '<<<<<<< HEAD'"):
        tool.load(path)


# --------------------------------------------------------------------- which language


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("de_DE.UTF-8", "de"),
        ("de-AT", "de"),
        ("de_CH@euro", "de"),
        ("de-formal", "de_formal"),
        ("de_DE_formal", "de_formal"),
        ("en_GB.UTF-8", "en"),
        ("C.UTF-8", "en"),
        ("POSIX", "en"),
        ("en_formal", "en"),
        ("fr_FR.UTF-8", None),
        ("", None),
        (None, None),
    ],
)
def test_language_codes_and_locales_are_understood(value: str | None, expected: str) -> None:
    assert i18n.normalize_language(value) == expected


def test_rmpair_lang_beats_the_tandem_which_beats_the_locale() -> None:
    env = {"LANG": "de_DE.UTF-8"}
    assert i18n.effective_language(None, env) == "de"
    assert i18n.effective_language("en", env) == "en"
    assert i18n.effective_language("de_formal", {"LANG": "en_US.UTF-8"}) == "de_formal"
    assert i18n.effective_language("de", {**env, "RMPAIR_LANG": "en"}) == "en"
    assert i18n.effective_language("en", {"RMPAIR_LANG": "de-formal"}) == "de_formal"
    # Something rmpair does not speak counts as unset, not as a reason to guess.
    assert i18n.effective_language("de", {"RMPAIR_LANG": "fr"}) == "de"
    assert i18n.effective_language(None, {"LANG": "fr_FR.UTF-8"}) == "en"
    assert i18n.effective_language(None, {}) == "en"


def test_the_locale_is_read_as_gettext_reads_it() -> None:
    assert i18n.locale_language({"LC_ALL": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}) == "de"
    assert i18n.locale_language({"LC_MESSAGES": "de_AT.UTF-8", "LANG": "en_US"}) == "de"
    assert i18n.locale_language({"LANGUAGE": "fr:de", "LANG": "en_US.UTF-8"}) == "de"
    # GNU gettext ignores LANGUAGE under the C locale.
    assert i18n.locale_language({"LANGUAGE": "de", "LANG": "C.UTF-8"}) == "en"
    assert i18n.locale_language({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE"}) is None


def test_the_formal_catalogue_falls_back_to_german_then_english() -> None:
    i18n.set_language("de_formal")
    assert i18n._("Your name.") == "Ihr Name."
    assert i18n._("Cancelled session {id}.") == "Treffen {id} abgesagt."  # from de
    assert i18n._("not a message of rmpair") == "not a message of rmpair"
    i18n.set_language("de")
    assert i18n._("Your name.") == "Dein Name."
    assert i18n.ngettext("{n} day", "{n} days", 2) == "{n} Tagen"
    assert i18n.set_language("xx") == "en"
    assert i18n._("Your name.") == "Your name."


# --------------------------------------------------------------------- dates and numbers


def test_dates_and_times_are_written_the_german_and_the_english_way() -> None:
    moment = dt.datetime(2026, 12, 1, 10, 0)
    assert fmt.date_time(moment, "de") == "Di., 1. Dez. 2026, 10:00"
    assert fmt.date_time(moment, "de_formal") == "Di., 1. Dez. 2026, 10:00"
    assert fmt.date_time(moment, "en") == "Tue 1 Dec 2026, 10:00"
    assert fmt.date(dt.date(2027, 3, 3), "de") == "Mi., 3. März 2027"
    assert fmt.date(dt.date(2027, 9, 30), "de", weekday=False) == "30. Sept. 2027"
    assert fmt.long_date(dt.date(2027, 5, 2), "de") == "2. Mai 2027"
    assert fmt.long_date(dt.date(2027, 5, 2), "en") == "2 May 2027"
    assert fmt.compact(moment, "de") == "Di. 2026-12-01 10:00"
    end = dt.datetime(2026, 12, 1, 11, 30)
    assert fmt.time_span(moment, end, "de") == "Di., 1. Dez. 2026, 10:00\u201311:30"
    late = dt.datetime(2026, 12, 2, 0, 30)
    assert fmt.time_span(dt.datetime(2026, 12, 1, 23, 30), late, "en") == (
        "Tue 1 Dec 2026, 23:30 \u2013 Wed 2 Dec 2026, 00:30"
    )


def test_the_interface_language_is_the_default() -> None:
    i18n.set_language("de")
    assert fmt.date(dt.date(2026, 1, 5)) == "Mo., 5. Jan. 2026"
    i18n.set_language("en")
    assert fmt.date(dt.date(2026, 1, 5)) == "Mon 5 Jan 2026"


def test_numbers_use_the_language_s_marks() -> None:
    assert fmt.number(1234.5, "de", decimals=1) == "1.234,5"
    assert fmt.number(1234.5, "en", decimals=1) == "1,234.5"
    assert fmt.number(-1234567, "de") == "-1.234.567"
    assert fmt.percent(0.42, "de") == "42\u202f%"
    assert fmt.percent(0.425, "en", decimals=1) == "42.5%"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_every_day_has_names_in_both_languages(day: dt.date) -> None:
    for lang in ("de", "en"):
        text = fmt.date(day, lang)
        assert str(day.year) in text and str(day.day) in text
        assert fmt.weekday_name(day.weekday(), lang) and fmt.month_name(day.month, lang)
    assert fmt.date(day, "de").startswith(fmt.weekday_short(day.weekday(), "de") + ",")


# --------------------------------------------------------------------- templates


def _shape(name: str, data: dict[str, Any]) -> Any:
    """What must be the same in every language: keys, counts, numbers, choices, and the
    placeholders each text uses."""

    def fields(text: str) -> list[str]:
        return sorted({f for _l, f, _s, _c in string.Formatter().parse(text) if f})

    kind = data["kind"]
    if kind == "invite":
        return {k: fields(data[k]) for k in ("subject", "body", "body_no_topic")}
    if kind in ("prerequisites", "agreement"):
        return [(i["key"], fields(i.get("text", ""))) for i in data["item"]]
    if kind == "prep":
        return data["role"], [tuple(i.get("session_kinds", ())) for i in data["item"]]
    if kind == "session":
        return (
            data["session_kind"],
            data["default_minutes"],
            [(a["minutes"], a.get("slot", "")) for a in data["agenda"]],
        )
    if kind == "programme":
        return (
            data["months"],
            data["cadence"],
            data["minutes"],
            [(t.get("month"), t["category"]) for t in data["theme"]],
        )
    assert kind == "topic-ideas", name
    return [i["category"] for i in data["idea"]]


@pytest.mark.parametrize("lang", ["de", "de_formal"])
def test_every_german_template_matches_its_english_counterpart(lang: str, tmp_path: Path) -> None:
    english = TemplateStore(lang="en", user_dir=tmp_path)
    german = TemplateStore(lang=lang, user_dir=tmp_path)
    assert not german.problems
    names = [i.name for i in english.names()]
    assert [i.name for i in german.names()] == names
    for info in german.names():
        assert f"/{lang}/" in info.path or (lang == "de_formal" and "/de/" in info.path)
        assert _shape(info.name, german.raw(info.name)) == _shape(
            info.name, english.raw(info.name)
        ), info.name


def _words(path: Path) -> str:
    """A template's text without its comments, which speak to whoever edits the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def test_the_german_templates_are_in_german_and_the_formal_ones_say_sie() -> None:
    root = Path(str(builtin_root()))
    english = {p.name for p in (root / "en").glob("*.toml")}
    assert {p.name for p in (root / "de").glob("*.toml")} == english
    formal = {p.name for p in (root / "de_formal").glob("*.toml")}
    assert formal and formal <= english
    for path in (root / "de_formal").glob("*.toml"):
        assert not tool.says_du(_words(path)), path.name
        assert tool.addresses_reader(_words(root / "de" / path.name)), (
            f"{path.name} says the same as de/{path.name}: remove it from de_formal"
        )
    for name in english - formal:
        # Used as they are in both forms of address, so they must not address anyone.
        assert not tool.addresses_reader(_words(root / "de" / name)), name
    invite = TemplateStore(lang="de").invite()
    assert invite.subject == "Ich möchte von dir lernen"
    assert TemplateStore(lang="de_formal").invite().subject == "Ich möchte von Ihnen lernen"
    # The spellings people type for the formal variant find the same templates.
    assert TemplateStore(lang="de-formal").invite().subject == "Ich möchte von Ihnen lernen"
    assert TemplateStore(lang="de_AT").invite().subject == "Ich möchte von dir lernen"


# --------------------------------------------------------------------- the facade


def test_the_tandem_can_switch_its_language(tmp_path: Path) -> None:
    journal = Journal.init(
        tmp_path / "j",
        me="Dana",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date(2026, 12, 1),
        home=Home(tmp_path / "a"),
    )
    try:
        assert journal.templates().lang == "en"
        assert journal.agreement.set_language("de-formal") is True
        tandem = journal.tandem()
        assert tandem is not None and tandem.lang == "de_formal"
        assert journal.agreement.set_language("de_formal") is False
        assert journal.templates().prep("mentee")[0].text.startswith("Bringen Sie")
        subject, body = journal.agreement.invite(topic="KI-Assistenten")
        assert subject == "Ich möchte von Ihnen lernen"
        assert "einmal im Monat" in body and "bis 1. Juni 2027" in body
        with pytest.raises(UserError, match="'klingon'"):
            journal.agreement.set_language("klingon")
    finally:
        journal.close()


def test_the_german_demo_is_written_in_german(tmp_path: Path) -> None:
    from rmpair.demo import build_demo

    build_demo(tmp_path / "demo", home=Home(tmp_path / "h"), lang="de")
    journal = Journal.open(tmp_path / "demo", home=Home(tmp_path / "h"), write=False)
    try:
        titles = {t.title for t in journal.backlog.topics()}
        assert "Gute Prompts für KI-Assistenten" in titles
        tandem = journal.tandem()
        assert tandem is not None and tandem.lang == "de"
    finally:
        journal.close()


# --------------------------------------------------------------------- as a person sees it


def rmpair(
    home: Path, *args: str, lang: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run rmpair in its own process, so its language cannot leak into other tests."""
    environ = {k: v for k, v in os.environ.items() if k not in ("RMPAIR_LANG", "LANGUAGE")}
    environ.update({"RMPAIR_HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "", **env})
    environ.pop("RMPAIR_JOURNAL", None)
    if lang:
        environ["RMPAIR_LANG"] = lang
    done = subprocess.run(
        rmpair_command(*args),
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_invite_and_agenda_of_a_german_tandem_are_in_german(tmp_path: Path) -> None:
    home = tmp_path / "dana"
    rmpair(
        home,
        "init",
        str(tmp_path / "j"),
        "--me",
        "Dana",
        "--role",
        "mentee",
        "--partner",
        "Sam",
        "--start",
        "2026-12-01",
        "--tz",
        "Europe/Berlin",
        "--lang",
        "de",
    )
    invite = rmpair(home, "invite", "--topic", "KI-Assistenten").stdout.splitlines()
    assert invite[0] == "Betreff: Ich möchte von dir lernen"
    assert invite[2] == "Hallo Sam,"
    text = "\n".join(invite)
    assert "ich möchte von dir lernen. Was sollte ich über KI-Assistenten wissen?" in text
    # Tue 1 Dec 2026: the first Tuesday of each month.
    assert "wir treffen uns einmal im Monat, am ersten Dienstag, jeweils 60 Minuten" in text
    assert "6 Monate lang, bis 1. Juni 2027" in text
    assert invite[-1] == "Dana" and "{" not in text

    rmpair(home, "session", "plan", "--at", "2026-12-01 10:00", "--kind", "kickoff")
    agenda = rmpair(home, "agenda", "next").stdout
    assert "Auftakttreffen" in agenda
    assert "Di., 1. Dez. 2026, 10:00\u201311:00 (Europe/Berlin), geplant" in agenda
    assert "Kennenlernen: Werdegang, Interessen, Gemeinsamkeiten" in agenda
    assert "Agenda (60 von 60 Min.)" in agenda
    assert "Deine Checkliste als Mentee" in agenda
    assert "Bring konkrete Fragen" in agenda
    for english in ("Agenda (60 of", "Your checklist", "planned", "Get to know"):
        assert english not in agenda

    # One person prefers English: their screen is English, the pair's agenda stays German.
    mine = rmpair(home, "agenda", "next", lang="en").stdout
    assert "Your checklist as mentee" in mine and "Tue 1 Dec 2026, 10:00" in mine
    assert "Kennenlernen: Werdegang" in mine

    # status answers from its cache the second time, in the language asked for each time.
    first = rmpair(home, "status", PYTHONPROFILEIMPORTTIME="1")
    assert "Geräte:" in first.stdout
    assert "Geräte:" in rmpair(home, "status").stdout
    assert "Devices:" in rmpair(home, "status", lang="en").stdout
    # The catalogue is read with the standard library's gettext; Babel, which writes the
    # catalogues, is tooling and never loads when rmpair runs.
    loaded = {
        line.rsplit("|", 1)[-1].strip()
        for line in first.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "gettext" in loaded
    assert not [name for name in loaded if name.split(".")[0] == "babel"]


def test_the_formal_tandem_says_sie(tmp_path: Path) -> None:
    home = tmp_path / "dana"
    rmpair(
        home,
        "init",
        str(tmp_path / "j"),
        "--me",
        "Dana",
        "--role",
        "mentee",
        "--partner",
        "Sam",
        "--lang",
        "de_formal",
    )
    invite = rmpair(home, "invite").stdout
    assert invite.startswith("Betreff: Ich möchte von Ihnen lernen\n\nGuten Tag Sam,")
    assert not re.search(r"\b(du|dich|dir|dein\w*)\b", invite)
    assert "Ihr Name" in rmpair(home, "init", "--help").stdout


def test_without_a_journal_the_locale_decides(tmp_path: Path) -> None:
    home = tmp_path / "nobody"
    invite = rmpair(home, "invite", LANG="de_DE.UTF-8").stdout
    assert invite.startswith("Betreff: Ich möchte von dir lernen\n\nHallo [Name],")
    assert invite.rstrip().endswith("[dein Name]")
    helped = rmpair(home, "topic", "--help", LANG="de_DE.UTF-8").stdout
    assert "Die Reihenfolge im Themenspeicher ändern." in helped
    assert "Subject: I'd like to learn from you" in rmpair(home, "invite").stdout
    rmpair(
        home,
        "init",
        str(tmp_path / "j"),
        "--me",
        "Dana",
        "--role",
        "mentee",
        "--partner",
        "Sam",
        LANG="de_DE.UTF-8",
    )
    # A tandem started on a German computer is German, for both partners.
    assert "Geräte:" in rmpair(home, "status").stdout
