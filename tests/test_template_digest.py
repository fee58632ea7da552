"""The device's digest of the templates (``template_digest``) stands in for the files
only while they are unchanged: an edited, added or removed template is read at once,
a broken one is reported every time, and a damaged digest is never trusted."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from clocks import rmpair_command

import rmpair
from rmpair.domain.templates import TemplateStore, builtin_root
from rmpair.store.home import Home

IDEA_QUESTION = "What should I know about asking an AI tool for what I actually need?"


def ideas_file(*ideas: tuple[str, str, str]) -> str:
    lines = ['kind = "topic-ideas"', 'title = "Our ideas"', ""]
    for title, category, question in ideas:
        lines += ["[[idea]]", f"title = {json.dumps(title)}", f'category = "{category}"']
        lines += [f"question = {json.dumps(question)}", ""]
    return "\n".join(lines)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ideas(user: Path, home: Path, lang: str = "en") -> list[tuple[str, str, str]]:
    store = TemplateStore(lang, user, home=Home(home))
    return [(i.title, i.category, i.question) for i in store.topic_ideas()]


def digests(home: Path) -> list[Path]:
    return sorted((home / "cache").glob("templates-*.bin"))


def test_the_digest_gives_what_the_files_give(tmp_path: Path) -> None:
    user, home = tmp_path / "user", tmp_path / "home"
    for lang in ("en", "de", "de_formal"):
        from_files = TemplateStore(lang, user)
        for _run in range(2):  # the first run reads the files, the second the digest
            store = TemplateStore(lang, user, home=Home(home))
            assert store.topic_ideas() == from_files.topic_ideas()
            assert store.session_kind("regular") == from_files.session_kind("regular")
            assert store.names() == from_files.names()
            assert store.source_text("invite") == from_files.source_text("invite")
            assert store.problems == []
    assert len(digests(home)) == 3  # one per language


def test_a_run_with_the_digest_reads_no_template_file(tmp_path: Path) -> None:
    user, home = tmp_path / "user", tmp_path / "home"
    assert ideas(user, home)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rmpair.domain.templates import TemplateStore\n"
        "from rmpair.store.home import Home\n"
        f"store = TemplateStore('en', Path({str(user)!r}), home=Home(Path({str(home)!r})))\n"
        "print(len(store.topic_ideas()), 'tomllib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    count, parsed = done.stdout.split()
    assert int(count) == len(ideas(user, home)) and parsed == "False"


def test_an_edited_added_or_removed_user_template_is_read_at_once(tmp_path: Path) -> None:
    user, home = tmp_path / "user", tmp_path / "home"
    builtin = ideas(user, home)
    path = write(user / "topic-ideas.toml", ideas_file(("Ours", "work", "Why ours?")))
    assert ideas(user, home) == [("Ours", "work", "Why ours?")]
    # The same size, a later time: still read again.
    write(path, ideas_file(("Ouch", "work", "Why ouch?")))
    assert path.stat().st_size == len(ideas_file(("Ours", "work", "Why ours?")).encode())
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert ideas(user, home) == [("Ouch", "work", "Why ouch?")]
    # A folder for the language, made after the digest: it wins over the generic file.
    write(user / "en" / "topic-ideas.toml", ideas_file(("English", "culture", "And?")))
    assert ideas(user, home) == [("English", "culture", "And?")]
    (user / "en" / "topic-ideas.toml").unlink()
    path.unlink()
    assert ideas(user, home) == builtin


def test_a_broken_user_template_is_reported_every_time(tmp_path: Path) -> None:
    user, home = tmp_path / "user", tmp_path / "home"
    write(user / "topic-ideas.toml", 'kind = "topic-ideas"\ntitle = ')
    for _run in range(2):
        store = TemplateStore("en", user, home=Home(home))
        assert store.topic_ideas() == TemplateStore("en", tmp_path / "none").topic_ideas()
        assert [p.path for p in store.problems] == [str(user / "topic-ideas.toml")]
    assert digests(home) == []


def test_a_damaged_or_forged_digest_is_not_trusted(tmp_path: Path) -> None:
    user, home = tmp_path / "user", tmp_path / "home"
    expected = ideas(user, home)
    [digest] = digests(home)
    good = digest.read_bytes()
    # Files and times as they are, but ideas no file could give.
    deep: list[object] = []
    for _level in range(100):
        deep = [deep]
    forged = []
    for idea_list in (
        [{"title": 1}],
        [{1: "Writing", "category": "technology", "question": "?"}],
        [{"title": None, "category": "technology", "question": "?"}],
        ({"title": "T", "category": "technology", "question": "?"},),
        [{"title": "T", "category": "technology", "question": "?", "x": deep}],
        [{"title": b"T", "category": "technology", "question": "?"}],
    ):
        kept = marshal.loads(good)
        kept["templates"]["topic-ideas"][4]["idea"] = idea_list
        forged.append(marshal.dumps(kept))
    for bad in (b"", good[:100], b"\x00" * 64, marshal.dumps([1, 2]), *forged):
        digest.write_bytes(bad)
        assert ideas(user, home) == expected
    assert marshal.loads(digest.read_bytes())["templates"]["topic-ideas"][4]["idea"][0]["title"]


def test_another_install_keeps_its_own_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two installs sharing a home (two virtual environments) each read their own
    built-ins: a digest names the install it was made by, and lists its folders."""
    user, home = tmp_path / "user", tmp_path / "home"
    expected = ideas(user, home)
    [digest] = digests(home)
    kept = marshal.loads(digest.read_bytes())
    assert str(builtin_root() / "en") in [folder for folder, _files in kept["folders"]]
    monkeypatch.setattr(rmpair, "__file__", str(tmp_path / "other" / "rmpair" / "__init__.py"))
    assert ideas(user, home) == expected
    assert len(digests(home)) == 2
    monkeypatch.setattr(rmpair, "__version__", "0.0.1")
    assert ideas(user, home) == expected
    assert len(digests(home)) == 3


def test_topic_add_takes_the_edited_ideas_at_once(tmp_path: Path) -> None:
    """Through the command line: an idea's title brings its question, and an edit of
    the user's ideas applies to the very next command."""
    home, folder = tmp_path / "home", tmp_path / "journal"
    env = {**os.environ, "RMPAIR_HOME": str(home), "NO_COLOR": "1"}
    for name in ("RMPAIR_JOURNAL", "RMPAIR_LANG", "RMPAIR_TEMPLATES"):
        env.pop(name, None)

    def run(*args: str) -> str:
        done = subprocess.run(
            rmpair_command(*args, "--journal", str(folder)),
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    init = rmpair_command(
        "init", str(folder), "--me", "Dana", "--role", "mentee", "--partner", "Sam"
    )
    subprocess.run(init, env=env, check=True, capture_output=True, timeout=60)

    def question(title: str) -> str:
        listed = json.loads(run("topic", "list", "--json"))
        return str(next(t["question"] for t in listed if t["title"] == title))

    run("topic", "add", "Writing good prompts", "--category", "technology")
    assert question("Writing good prompts") == IDEA_QUESTION
    write(home / "templates" / "topic-ideas.toml", ideas_file(("Podcasts", "culture", "Which?")))
    run("topic", "add", "Podcasts", "--category", "culture")
    assert question("Podcasts") == "Which?"
    (home / "templates" / "topic-ideas.toml").unlink()
    run("topic", "add", "Mobile-first thinking", "--category", "technology")
    assert question("Mobile-first thinking").startswith("What should I know about doing")
