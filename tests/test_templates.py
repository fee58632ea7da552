"""Tests for the built-in TOML templates and the loader in ``rmpair.domain.templates``."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import platformdirs
import pytest

from rmpair.domain.template_errors import TemplateNotFound
from rmpair.domain.template_schema import (
    AGREEMENT_PLACEHOLDERS,
    CATEGORIES,
    INVITE_NO_TOPIC_PLACEHOLDERS,
    INVITE_PLACEHOLDERS,
    REQUIRED_AGREEMENT,
    REQUIRED_PREREQUISITES,
    SESSION_KINDS,
    placeholder_problem,
    validate,
)
from rmpair.domain.template_types import TemplateProblem
from rmpair.domain.templates import (
    SOURCE_BUILTIN,
    SOURCE_USER,
    TemplateStore,
    builtin_root,
    default_user_dir,
)

BUILTIN_NAMES = {
    "invite",
    "prerequisites",
    "agreement",
    "session-kickoff",
    "session-regular",
    "session-retrospective",
    "session-project",
    "prep-mentor",
    "prep-mentee",
    "programme-engineering-6m",
    "programme-quarter",
    "programme-year",
    "topic-ideas",
}

ALL_INVITE_VALUES = {
    "to": "Sam",
    "me": "Alex",
    "topic": "AI assistants",
    "cadence": "once a month",
    "minutes": 60,
    "months": 6,
    "end": "30 June",
}
ALL_AGREEMENT_VALUES = {
    "cadence": "once a month",
    "minutes": 60,
    "end": "30 June",
    "mentor": "Sam",
    "mentee": "Alex",
}


@pytest.fixture
def store(tmp_path: Path) -> TemplateStore:
    """A store with an empty user folder: only the built-ins."""
    return TemplateStore(user_dir=tmp_path / "user")


def builtin_text(name: str) -> str:
    return (builtin_root() / "en" / f"{name}.toml").read_text(encoding="utf-8")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ built-ins


def test_every_builtin_file_validates() -> None:
    folder = builtin_root() / "en"
    files = sorted(f.name for f in folder.iterdir() if f.name.endswith(".toml"))
    assert {f.removesuffix(".toml") for f in files} == BUILTIN_NAMES
    for file in files:
        name = file.removesuffix(".toml")
        data = tomllib.loads((folder / file).read_text(encoding="utf-8"))
        assert validate(name, data) == [], file
        assert data["title"].strip() and data["description"].strip(), file


def test_builtin_store_has_no_problems(store: TemplateStore) -> None:
    assert store.problems == []
    infos = store.names()
    assert [i.name for i in infos] == sorted(BUILTIN_NAMES)
    assert all(i.source == SOURCE_BUILTIN for i in infos)
    assert all(Path(i.path).is_file() for i in infos)
    kinds = {i.name: i.kind for i in infos}
    assert kinds["session-regular"] == "session"
    assert kinds["programme-year"] == "programme"
    assert kinds["topic-ideas"] == "topic-ideas"


def test_invite_content_and_placeholders(store: TemplateStore) -> None:
    invite = store.invite()
    body = invite.body.format(**ALL_INVITE_VALUES)
    assert "I'd like to learn from you" in body
    assert "What should I know about AI assistants?" in body
    for fact in ("once a month", "60 minutes", "6 months", "30 June", "Sam", "Alex"):
        assert fact in body
    lowered = body.lower()
    for word in ("voluntary", "line manager", "protected space", "say no", "end it"):
        assert word in lowered
    no_topic = {k: v for k, v in ALL_INVITE_VALUES.items() if k != "topic"}
    assert "{topic}" not in invite.body_no_topic
    assert "voluntary" in invite.body_no_topic.format(**no_topic).lower()
    assert invite.subject.format(**no_topic)


def test_prerequisites(store: TemplateStore) -> None:
    items = store.prerequisites()
    keys = [p.key for p in items]
    assert set(REQUIRED_PREREQUISITES) <= set(keys)
    assert len(keys) == len(set(keys))
    for item in items:
        assert item.question.endswith("?")
        assert len(item.why) > 20


def test_agreement_items_and_placeholders(store: TemplateStore) -> None:
    items = store.agreement()
    keys = [i.key for i in items]
    assert set(REQUIRED_AGREEMENT) <= set(keys)
    texts = {i.key: i.text.format(**ALL_AGREEMENT_VALUES) for i in items}
    assert "once a month" in texts["frequency"]
    assert "60 minutes" in texts["session-length"]
    assert "30 June" in texts["end-date"]
    assert "without blame" in texts["ending-early"]
    assert "in person" in texts["mode"] and "video" in texts["mode"]


@pytest.mark.parametrize("kind", SESSION_KINDS)
def test_session_kinds_timeboxes_add_up(store: TemplateStore, kind: str) -> None:
    template = store.session_kind(kind)
    assert template.session_kind == kind
    assert template.default_minutes >= 30
    assert all(item.minutes > 0 for item in template.agenda)
    assert sum(item.minutes for item in template.agenda) == template.default_minutes
    slots = [item for item in template.agenda if item.slot == "topics"]
    assert len(slots) == (1 if kind in ("regular", "project") else 0)
    assert store.session_kind(f"session-{kind}") == template


def test_session_agendas_follow_the_method(store: TemplateStore) -> None:
    def titles(kind: str) -> str:
        return " | ".join(a.title for a in store.session_kind(kind).agenda).lower()

    assert "get to know" in titles("kickoff") and "expectations" in titles("kickoff")
    assert "priorit" in titles("kickoff")
    assert "questions both ways" in titles("regular") and "learned" in titles("regular")
    assert "feedback from both sides" in titles("retrospective")
    assert "continue" in titles("retrospective")
    assert "goal" in titles("project") and "result" in titles("project")


def test_prep_checklists(store: TemplateStore) -> None:
    mentor = " ".join(i.text for i in store.prep("mentor")).lower()
    mentee = " ".join(i.text for i in store.prep("mentee")).lower()
    assert "hands-on" in mentor and "examples" in mentor and "over-prepare" in mentor
    assert "ego" in mentee and "notes" in mentee and "questions" in mentee
    assert "context" in mentee


def test_prep_filters_by_session_kind(store: TemplateStore) -> None:
    everything = store.prep("mentor")
    kickoff = store.prep("mentor", "kickoff")
    regular = store.prep("mentor", "regular")
    restricted = [i for i in everything if i.session_kinds]
    assert restricted, "some items should belong to one session kind only"
    assert all(not i.session_kinds for i in regular)
    assert len(regular) < len(kickoff) < len(everything)
    assert all(not i.session_kinds or "kickoff" in i.session_kinds for i in kickoff)


def test_engineering_programme(store: TemplateStore) -> None:
    plan = store.programme("engineering-6m")
    assert plan == store.programme("programme-engineering-6m")
    assert (plan.name, plan.months, plan.cadence) == ("engineering-6m", 6, "monthly")
    assert plan.minutes >= 30
    assert [t.month for t in plan.themes] == [1, 2, 3, 4, 5, 6]
    titles = [t.title.lower() for t in plan.themes]
    assert "developer experience" in titles[0]
    assert "onboarding" in titles[3]
    assert "retrospective" in titles[5]


def test_programmes_mix_categories(store: TemplateStore) -> None:
    plans = {p.name: p for p in store.programmes()}
    assert set(plans) == {"engineering-6m", "quarter", "year"}
    assert (plans["quarter"].months, plans["quarter"].cadence) == (3, "biweekly")
    assert (plans["year"].months, plans["year"].cadence) == (12, "monthly")
    for plan in plans.values():
        categories = [t.category for t in plan.themes]
        assert len(set(categories)) >= 3, plan.name
        assert categories.count("technology") <= len(categories) / 2, plan.name
        assert all(t.month is None or 1 <= t.month <= plan.months for t in plan.themes)


def test_topic_ideas_per_category(store: TemplateStore) -> None:
    everything = store.topic_ideas()
    for category in CATEGORIES:
        ideas = store.topic_ideas(category)
        assert len(ideas) >= 6, category
        assert all(i.category == category for i in ideas)
    assert len(everything) == sum(len(store.topic_ideas(c)) for c in CATEGORIES)
    text = " ".join(f"{i.title} {i.question}" for i in everything).lower()
    for needle in ("codebase", "onboarding", "use our product", "expect from an app"):
        assert needle in text
    assert sum(i.question.startswith("What should I know about") for i in everything) >= 20


# ------------------------------------------------------------ placeholders


def test_placeholder_checker() -> None:
    assert placeholder_problem("Hi {to}, {{literal}}", INVITE_PLACEHOLDERS) is None
    assert placeholder_problem("Hi {boss}", INVITE_PLACEHOLDERS) is not None
    assert placeholder_problem("Hi {}", INVITE_PLACEHOLDERS) is not None
    assert placeholder_problem("Hi {to.upper}", INVITE_PLACEHOLDERS) is not None
    assert placeholder_problem("Hi {to!r}", INVITE_PLACEHOLDERS) is not None
    assert placeholder_problem("Hi {to", INVITE_PLACEHOLDERS) is not None
    assert placeholder_problem("About {topic}", INVITE_NO_TOPIC_PLACEHOLDERS) is not None
    assert placeholder_problem("{mentor} and {mentee}", AGREEMENT_PLACEHOLDERS) is None


# ---------------------------------------------------------------- user dirs


def test_default_user_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RMPAIR_TEMPLATES", str(tmp_path / "t"))
    monkeypatch.setenv("RMPAIR_HOME", str(tmp_path / "home"))
    assert default_user_dir() == tmp_path / "t"
    monkeypatch.delenv("RMPAIR_TEMPLATES")
    assert default_user_dir() == tmp_path / "home" / "templates"
    monkeypatch.delenv("RMPAIR_HOME")
    assert default_user_dir() == Path(platformdirs.user_config_dir("rmpair")) / "templates"


def test_store_uses_default_user_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RMPAIR_HOME", str(tmp_path))
    monkeypatch.delenv("RMPAIR_TEMPLATES", raising=False)
    text = builtin_text("invite").replace("I'd like to learn from you\"", 'Coffee, {to}?"')
    write(tmp_path / "templates" / "invite.toml", text)
    assert TemplateStore().invite().subject == "Coffee, {to}?"


def test_user_override_by_name(tmp_path: Path) -> None:
    text = builtin_text("session-regular").replace('title = "Regular session"', 'title = "Ours"')
    path = write(tmp_path / "session-regular.toml", text)
    store = TemplateStore(user_dir=tmp_path)
    assert store.problems == []
    assert store.session_kind("regular").title == "Ours"
    assert store.source_text("session-regular") == text
    info = {i.name: i for i in store.names()}["session-regular"]
    assert (info.source, info.path, info.title) == (SOURCE_USER, str(path), "Ours")
    assert {i.name: i for i in store.names()}["invite"].source == SOURCE_BUILTIN


def test_language_specific_beats_generic(tmp_path: Path) -> None:
    generic = builtin_text("invite").replace("I'd like to learn from you\"", 'Generic"')
    german = builtin_text("invite").replace("I'd like to learn from you\"", 'Deutsch"')
    write(tmp_path / "invite.toml", generic)
    de_path = write(tmp_path / "de" / "invite.toml", german)
    assert TemplateStore("de", tmp_path).invite().subject == "Deutsch"
    assert TemplateStore("de_AT", tmp_path).invite().subject == "Deutsch"
    assert TemplateStore("en", tmp_path).invite().subject == "Generic"
    assert TemplateStore("de", tmp_path).source_text("invite") == de_path.read_text("utf-8")


def test_missing_language_falls_back_to_english(tmp_path: Path) -> None:
    store = TemplateStore("xx", tmp_path)
    assert store.problems == []
    assert {i.name for i in store.names()} == BUILTIN_NAMES
    assert store.invite() == TemplateStore("en", tmp_path).invite()
    # Odd language strings never escape the template folders.
    assert {i.name for i in TemplateStore("../..", tmp_path).names()} == BUILTIN_NAMES


def test_user_file_adds_a_programme(tmp_path: Path) -> None:
    write(
        tmp_path / "programme-my-plan.toml",
        """
kind = "programme"
title = "My plan"
description = "Two months, weekly."
months = 2
cadence = "weekly"
minutes = 45
future_option = "ignored"   # unknown keys are fine

[[theme]]
title = "Prompting"
category = "technology"
question = "What should I know about prompting?"

[[theme]]
title = "Async work"
category = "work"
question = "How do you work without meetings?"
month = 2
""",
    )
    store = TemplateStore(user_dir=tmp_path)
    assert store.problems == []
    plan = store.programme("my-plan")
    assert (plan.name, plan.title, plan.months, plan.cadence, plan.minutes) == (
        "my-plan",
        "My plan",
        2,
        "weekly",
        45,
    )
    assert [t.month for t in plan.themes] == [None, 2]
    assert [p.name for p in store.programmes()] == ["engineering-6m", "my-plan", "quarter", "year"]
    assert store.raw("programme-my-plan")["future_option"] == "ignored"


def test_raw_is_a_copy(store: TemplateStore) -> None:
    data = store.raw("topic-ideas")
    data["idea"].clear()
    assert len(store.topic_ideas()) >= 24


# ---------------------------------------------------------- broken user files

BROKEN = [
    pytest.param(
        "invite",
        lambda t: t.replace('kind = "invite"', 'kind = "invite'),
        "",
        "line 1",
        id="syntax-error",
    ),
    pytest.param(
        "prerequisites",
        lambda t: t.replace('why = "Learning only', 'reason = "Learning only'),
        "item[1].why",
        "missing",
        id="missing-key",
    ),
    pytest.param(
        "session-regular",
        lambda t: t.replace("default_minutes = 60", 'default_minutes = "sixty"'),
        "default_minutes",
        "whole number",
        id="wrong-type",
    ),
    pytest.param(
        "topic-ideas",
        lambda t: t.replace('category = "technology"', 'category = "sports"', 1),
        "idea[1].category",
        "sports",
        id="bad-category",
    ),
    pytest.param(
        "session-kickoff",
        lambda t: t.replace("minutes = 15", "minutes = 20", 1),
        "agenda",
        "65",
        id="timebox-sum",
    ),
    pytest.param(
        "session-project",
        lambda t: t.replace("minutes = 10", "minutes = 0", 1),
        "agenda[1].minutes",
        "at least 1",
        id="zero-timebox",
    ),
    pytest.param(
        "programme-quarter",
        lambda t: t.replace('cadence = "biweekly"', 'cadence = "daily"'),
        "cadence",
        "daily",
        id="bad-cadence",
    ),
    pytest.param(
        "programme-year",
        lambda t: t.replace("months = 12", "months = 0"),
        "months",
        "at least 1",
        id="zero-months",
    ),
    pytest.param(
        "programme-engineering-6m",
        lambda t: t.replace("month = 6", "month = 7"),
        "theme[6].month",
        "7",
        id="theme-after-end",
    ),
    pytest.param(
        "session-retrospective",
        lambda t: t.replace("default_minutes = 60", "default_minutes = 20"),
        "default_minutes",
        "30",
        id="too-short",
    ),
    pytest.param(
        "prep-mentor",
        lambda t: t.replace('session_kinds = ["kickoff"]', 'session_kinds = ["party"]'),
        "item[7].session_kinds",
        "party",
        id="bad-session-kind",
    ),
    pytest.param(
        "prep-mentee",
        lambda t: t.replace('role = "mentee"', 'role = "mentor"'),
        "role",
        "mentee",
        id="role-mismatch",
    ),
    pytest.param(
        "agreement",
        lambda t: t.replace("We meet {cadence}.", "We meet {cadense}."),
        "item[2].text",
        "cadense",
        id="bad-placeholder",
    ),
    pytest.param(
        "agreement",
        lambda t: t.replace('key = "ending-early"', 'key = "frequency"'),
        "item[10].key",
        "twice",
        id="duplicate-key",
    ),
    pytest.param(
        "invite",
        lambda t: t.replace('kind = "invite"', 'kind = "programme"'),
        "kind",
        "invite",
        id="kind-mismatch",
    ),
    pytest.param(
        "invite",
        lambda t: t.replace("What should I know that", "What about {topic} that"),
        "body_no_topic",
        "topic",
        id="topic-in-no-topic-body",
    ),
    pytest.param(
        "prerequisites",
        lambda t: t.replace('key = "no-reporting-line"', 'key = "no-boss"'),
        "item",
        "no-reporting-line",
        id="required-key-gone",
    ),
]


@pytest.mark.parametrize(("name", "break_it", "key", "needle"), BROKEN)
def test_broken_user_template_is_reported_and_builtin_used(
    tmp_path: Path, name: str, break_it: Callable[[str], str], key: str, needle: str
) -> None:
    original = builtin_text(name)
    broken = break_it(original)
    assert broken != original, "the test's replacement did not apply"
    path = write(tmp_path / f"{name}.toml", broken)

    store = TemplateStore(user_dir=tmp_path)

    matching = [p for p in store.problems if p.key == key]
    assert matching, store.problems
    assert all(p.path == str(path) for p in store.problems)
    assert any(needle in p.message for p in matching), matching
    assert str(path) in str(matching[0])
    info = {i.name: i for i in store.names()}[name]
    assert info.source == SOURCE_BUILTIN
    assert store.source_text(name) == original


def test_broken_language_file_falls_back_to_generic_user_file(tmp_path: Path) -> None:
    good = builtin_text("invite").replace("I'd like to learn from you\"", 'Generic"')
    write(tmp_path / "invite.toml", good)
    bad = write(tmp_path / "de" / "invite.toml", "kind = ")
    store = TemplateStore("de", tmp_path)
    assert store.invite().subject == "Generic"
    assert [(p.path, p.key) for p in store.problems] == [(str(bad), "")]


def test_broken_new_template_is_not_available(tmp_path: Path) -> None:
    path = write(tmp_path / "programme-half.toml", 'kind = "programme"\ntitle = "Half"\n')
    store = TemplateStore(user_dir=tmp_path)
    keys = {p.key for p in store.problems}
    assert {"months", "cadence", "minutes", "theme"} <= keys
    assert all(p.path == str(path) for p in store.problems)
    assert "programme-half" not in {i.name for i in store.names()}
    with pytest.raises(TemplateNotFound):
        store.programme("half")


def test_unknown_kind_in_new_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "notes.toml", 'kind = "poem"\ntitle = "Roses"\n')
    store = TemplateStore(user_dir=tmp_path)
    assert [p.key for p in store.problems] == ["kind"]
    assert "poem" in store.problems[0].message
    with pytest.raises(KeyError):
        store.raw("notes")


def test_problem_reads_as_one_line() -> None:
    problem = TemplateProblem("/x/invite.toml", "subject", "missing")
    assert str(problem) == "/x/invite.toml: key 'subject': missing"
    assert str(TemplateProblem("/x/a.toml", "", "not valid TOML")) == "/x/a.toml: not valid TOML"


# ---------------------------------------------------------------- unknown names


def test_unknown_names_raise(store: TemplateStore) -> None:
    with pytest.raises(TemplateNotFound) as caught:
        store.raw("nope")
    assert "nope" in str(caught.value)
    assert isinstance(caught.value, LookupError)
    for call in (
        lambda: store.source_text("nope"),
        lambda: store.programme("nope"),
        lambda: store.session_kind("nap"),
        lambda: store.prep("boss"),
        lambda: store.info("nope"),
    ):
        with pytest.raises(TemplateNotFound):
            call()
    with pytest.raises(TemplateNotFound):
        store.programme("session-regular")  # exists, but is not a programme
