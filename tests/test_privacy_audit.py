"""Private stays private: an audit of every byte that reaches the shared journal folder.

The method promises the pair a protected space. So this test writes every kind of
record that exists, each text field carrying its own marker, plus private notes with
markers of their own, and then reads every byte of the shared folder (and of the
partner's device, after a simulated sync): private markers must be nowhere, shared
markers must all be there. The second half proves that the scan itself works.

Record kinds are discovered at run time (every ``Record`` subclass in the ``rmpair``
package), so a kind added later is audited without touching this file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import os
import pkgutil
import shutil
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import rmpair
from rmpair.domain.records import TANDEM_ID
from rmpair.journal import Journal
from rmpair.model.records import Record, Role
from rmpair.store.home import Home, new_id

# In encrypted mode shared markers must be absent from the folder's bytes as well, so
# the scan is proven by the private markers found in this device's own folder and by
# reading the shared markers back through the journal.
MODES = ["plaintext", "encrypted"]
PASSPHRASE = "correct horse battery staple for the audit"
# The kinds the method needs; discovery must find at least these.
REQUIRED_KINDS = {
    "tandem",
    "topic",
    "session",
    "agenda_item",
    "prep_item",
    "note",
    "learning",
    "action_item",
    "feedback",
}
# Settings rather than text: a marker there would break reading the journal back.
SETTING_FIELDS = {"tz", "lang"}


def passphrase(mode: str) -> str | None:
    return PASSPHRASE if mode == "encrypted" else None


def start(mode: str, folder: Path, home: Path) -> Journal:
    return Journal.init(
        folder,
        me="Alex",
        role=Role.MENTEE,
        partner="Sam",
        start=dt.date.today(),
        tz="Europe/Berlin",
        home=Home(home),
        encrypt=mode == "encrypted",
        passphrase=passphrase(mode),
    )


def shared_markers_in_bytes(mode: str) -> bool:
    return mode == "plaintext"


def record_types() -> dict[str, type[Record]]:
    """Every record kind defined anywhere in the rmpair package, by ``KIND``."""
    for info in pkgutil.iter_modules(rmpair.__path__):
        if not info.ispkg and info.name != "__main__":
            importlib.import_module(f"rmpair.{info.name}")
    found: dict[str, type[Record]] = {}
    todo = list(Record.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.KIND:
            found.setdefault(cls.KIND, cls)
    return found


def marked_fields(cls: type[Record], token: str) -> tuple[dict[str, object], list[str]]:
    """A record of ``cls`` with a unique marker in every text field, and the markers."""
    hints = typing.get_type_hints(cls)
    fields = cls(id="audit").to_fields()
    markers = []
    for field in dataclasses.fields(cls):
        if field.name == "id" or field.name in SETTING_FIELDS or hints[field.name] is not str:
            continue
        marker = f"SHARED{cls.KIND}{field.name}{token}".replace("_", "")
        fields[field.name] = marker
        markers.append(marker)
    return fields, markers


def every_file(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every file below ``root``, hidden ones included, as (relative path, bytes)."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            if path.is_symlink():
                continue
            yield path.relative_to(root).as_posix(), path.read_bytes()


def forms(text: str) -> list[bytes]:
    """How a text can appear in a file: as UTF-8, or escaped by a JSON writer (either way)."""
    escaped = {json.dumps(text, ensure_ascii=flag)[1:-1] for flag in (True, False)}
    return sorted({text.encode("utf-8"), *(e.encode("utf-8") for e in escaped)})


def where(text: str, *roots: Path) -> list[str]:
    """The files below ``roots`` whose name or bytes contain ``text`` in any form."""
    wanted = forms(text)
    hits = []
    for root in roots:
        for rel, data in every_file(root):
            if any(w in data or w in rel.encode("utf-8") for w in wanted):
                hits.append(f"{root.name}/{rel}")
    return hits


def add_private_note(journal: Journal, session: str, text: str) -> None:
    """Through the journal's own private-note command, as a user makes one."""
    journal.notes.add_note(session, text, private=True)


def deliver(src: Path, dst: Path) -> None:
    """Play the sync tool: the partner's folder gets every file of the shared folder."""
    shutil.copytree(src, dst, dirs_exist_ok=True)


@pytest.mark.parametrize("mode", MODES)
def test_private_notes_never_reach_the_shared_folder(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = new_id(8)
    folder, home_a, home_b = tmp_path / "shared", tmp_path / "home-alex", tmp_path / "home-sam"
    journal = start(mode, folder, home_a)
    kinds = record_types()
    assert kinds.keys() >= REQUIRED_KINDS
    shared: list[str] = []
    with journal.batch():
        for kind, cls in sorted(kinds.items()):
            fields, markers = marked_fields(cls, token)
            shared.extend(markers)
            if kind == "tandem":  # there is one already: mark its texts
                journal.update(kind, TANDEM_ID, {k: v for k, v in fields.items() if v in markers})
            else:
                journal.add(kind, fields)
    # A real session as the app makes one (agenda and prep checklists from templates),
    # with a shared note and two private ones: through the facade and the command line.
    session = journal.sessions.plan_session(dt.datetime.now().replace(second=0, microsecond=0))
    shared_note = f"SHAREDrealnote{token}"
    journal.add(
        "note", {"session": session, "author": "mentee", "text": shared_note, "created": ""}
    )
    shared.append(shared_note)
    private = [f"PRIVATEfacade{token}", f"PRIVATEcli{token}"]
    add_private_note(journal, session, private[0])
    tandem = journal.tandem()
    assert tandem is not None
    partner = tandem.mentor  # a marker now, like every text
    journal.close()
    monkeypatch.setenv("RMPAIR_HOME", str(home_a))
    monkeypatch.setenv("RMPAIR_JOURNAL", str(folder))
    monkeypatch.setenv("RMPAIR_KEYRING", "off")
    if mode == "encrypted":
        monkeypatch.setenv("RMPAIR_PASSPHRASE", PASSPHRASE)
    runner = CliRunner()
    from rmpair.cli.app import app

    result = runner.invoke(app, ["note", "add", session, private[1], "--private"])
    assert result.exit_code == 0, result.output
    for command in (["status", "--json"], ["doctor", "--json"]):
        assert runner.invoke(app, command).exit_code in (0, 1)

    # The partner's device after the sync tool has delivered the folder.
    deliver(folder, tmp_path / "shared-sam")
    with Journal.join(
        tmp_path / "shared-sam", me=partner, home=Home(home_b), passphrase=passphrase(mode)
    ) as sam:
        assert sam.get(kinds["session"], session) is not None

    everywhere_shared = (folder, tmp_path / "shared-sam", home_b)
    for marker in private:
        assert where(marker, *everywhere_shared) == [], f"private text leaked: {marker}"
    with Journal.open(folder, home=Home(home_a), write=False, passphrase=passphrase(mode)) as alex:
        mine = alex.private_dir
        assert {n.text for n in alex.notes.for_session(session) if n.private} == set(private)
    for marker in private:
        assert where(marker, mine), f"the scan cannot find {marker} where it is stored"
    if shared_markers_in_bytes(mode):
        missing = [m for m in shared if not where(m, folder)]
        assert missing == [], "the scan did not find these shared texts"
        assert all(where(m, tmp_path / "shared-sam") for m in shared)
    else:
        # Encrypted: nothing anyone wrote is readable in the shared folders' bytes...
        readable = [m for m in shared if where(m, folder, tmp_path / "shared-sam")]
        assert readable == [], "text readable in an encrypted journal's shared folder"
        # ...yet every shared text is there for the partner, through the journal.
        with Journal.open(
            tmp_path / "shared-sam", home=Home(home_b), write=False, passphrase=PASSPHRASE
        ) as sam:
            seen = json.dumps(sam.store.state.log(), ensure_ascii=False)
        assert all(m in seen for m in shared)


@pytest.fixture(scope="module", params=MODES)
def audited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Journal, str]]:
    tmp = tmp_path_factory.mktemp("audit")
    journal = start(request.param, tmp / "shared", tmp / "home")
    session = journal.sessions.plan_session(dt.datetime.now().replace(second=0, microsecond=0))
    yield journal, session
    journal.close()


@settings(max_examples=25, deadline=None)
@given(text=st.text(min_size=12, max_size=80))
def test_any_private_text_stays_on_this_device(audited: tuple[Journal, str], text: str) -> None:
    """Whatever the text (any script, quotes, backslashes, emoji), none of it is shared."""
    journal, session = audited
    body = text.strip()
    assume(len(body) >= 12)
    assume(not where(body, journal.folder))  # not there by chance already (digits, ids)
    add_private_note(journal, session, body)
    assert where(body, journal.folder) == []
    assert where(body, journal.private_dir)
