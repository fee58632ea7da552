"""This device's digest of the templates of one language: what the files said, parsed
and checked, with the list of files it was made from.

Every ``topic add`` matches its title against the topic ideas, and home shows the next
session's kind. Finding the template files (``importlib.resources``), importing the
TOML parser and checking the files took about a tenth of such a command. The digest is
used only while each folder it was made from lists the same ``.toml`` files with the
same sizes and times, and for the same rmpair install; otherwise the templates are
read from their files again and a new digest is kept. Templates with a problem are
never digested, so their problems are always reported from the files themselves.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence
from typing import Any

import rmpair
from rmpair.store.cache import part_name
from rmpair.store.home import Home

FORMAT = 1
MAX_DEPTH = 16  # deeper than any template nests its tables and arrays

# (folder, [(file name, size, modification time in ns), ...] or None when unreadable)
Listing = tuple[str, tuple[tuple[str, int, int], ...] | None]


def listing(folder: str) -> Listing:
    """The ``.toml`` files directly in ``folder``, as the digest compares them."""
    try:
        with os.scandir(folder) as entries:
            found = []
            for entry in entries:
                if entry.name.endswith(".toml") and entry.is_file():
                    st = entry.stat()
                    found.append((entry.name, st.st_size, st.st_mtime_ns))
    except OSError:
        return folder, None
    return folder, tuple(sorted(found))


class TemplateDigest:
    """The digest for one language and one folder of the user's templates."""

    def __init__(self, home: Home, lang: str, user_dir: str) -> None:
        self.home = home
        # One digest per install, language and user folder: two installs that share
        # a home (two virtual environments, say) must not read each other's built-ins.
        key = "\0".join((str(FORMAT), rmpair.__file__ or "", rmpair.__version__, lang, user_dir))
        self.name = "templates-" + part_name(key.encode("utf-8"))

    def load(self) -> dict[str, tuple[Any, ...]] | None:
        """The digested templates by name, if the files are still the ones digested.
        Only their shape is checked here; ``TemplateStore`` checks each template's
        content (``toml_shaped``, then as it checks a file's) when it is first used."""
        raw = self.home.kept(self.name)
        if raw is None:
            return None
        try:
            kept = marshal.loads(raw)
        except (EOFError, ValueError, TypeError):
            return None
        if not (isinstance(kept, dict) and kept.get("format") == FORMAT):
            return None
        folders, templates = kept.get("folders"), kept.get("templates")
        if not (isinstance(folders, list) and isinstance(templates, dict)):
            return None
        for seen in folders:
            if not (isinstance(seen, tuple) and len(seen) == 2 and isinstance(seen[0], str)):
                return None
            if listing(seen[0]) != seen:
                return None
        if not all(_valid(name, entry) for name, entry in templates.items()):
            return None
        return templates

    def save(self, listings: Sequence[Listing], templates: dict[str, tuple[Any, ...]]) -> None:
        """Keep ``templates`` as read from the folders of ``listings`` (listed before
        reading, so a file changed meanwhile only makes the next run read again)."""
        payload = {"format": FORMAT, "folders": list(listings), "templates": templates}
        try:
            data = marshal.dumps(payload)
        except ValueError:  # a value marshal cannot keep (a TOML date): not digested
            return
        self.home.keep(self.name, data)


def _valid(name: object, entry: object) -> bool:
    """A digested template's shape: (kind, source, path, text, data)."""
    return (
        isinstance(name, str)
        and isinstance(entry, tuple)
        and len(entry) == 5
        and all(isinstance(part, str) for part in entry[:4])
        and isinstance(entry[4], dict)
    )


def toml_shaped(value: object, depth: int = 0) -> bool:
    """Whether ``value`` is made of what TOML gives (tables with text keys, arrays,
    text, numbers, booleans): the checks of a template expect nothing else."""
    if isinstance(value, str | bool | int | float):
        return True
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, list):
        return all(toml_shaped(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and toml_shaped(item, depth + 1) for key, item in value.items()
        )
    return False
