"""Keep the translations in step with the code: extract, merge, compile, check, lint.

python tools/i18n.py extract   write rmpair/locale/rmpair.pot: every _() and command docstring
python tools/i18n.py update    extract, then merge the template into every .po (keeps translations)
python tools/i18n.py compile   write each .po as the .mo the program reads
python tools/i18n.py check     exit 1 if a message is untranslated or fuzzy, or a .mo is stale
python tools/i18n.py lint      exit 1 if a user-facing string in rmpair/ is not wrapped in _()
python tools/i18n.py all       update, compile, check

Everything is written here on purpose (no GNU gettext tools, no Babel): an AST walker
finds the messages, a small PO reader and writer keeps the catalogues, and the GNU MO
format is a header and two tables. Output is deterministic, so a re-run with no code
change leaves every file byte for byte the same. See docs/i18n.md.
"""

from __future__ import annotations

import ast
import difflib
import re
import string
import struct
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("rmpair", "screens")
LOCALE = ROOT / "rmpair" / "locale"
POT = LOCALE / "rmpair.pot"
DOMAIN = "rmpair"
# A catalogue that only overrides the messages of its base that address the reader;
# the program falls back to the base for everything else (rmpair/i18n.py).
OVERLAYS = {"de_formal": "de"}
PLURAL_FORMS = {"de": "nplurals=2; plural=(n != 1);", "de_formal": "nplurals=2; plural=(n != 1);"}
LANGUAGE_NAMES = {"de": "German (du)", "de_formal": "German (Sie)"}

TRANSLATORS = frozenset({"_", "N_"})
PLURAL_TRANSLATORS = frozenset({"ngettext"})

# German words that say "du" (or the plural "ihr") to the reader. A message using any
# of them needs its "Sie" form in the formal catalogue, which must not use the "du"
# words (it may say "ihr": there it is "her" or "their", and "Ihr" is "your").
# Lower case or capitalised, never all capitals: "DIR" is a command-line placeholder.
_DU = (
    "du dich dir dein deins deine deinen deinem deiner deines "
    "euch euer eure eures euren eurem eurer"
)
_DU_WORDS = "|".join(f"{w}|{w.capitalize()}" for w in _DU.split())
INFORMAL_RE = re.compile(rf"\b({_DU_WORDS})\b")
ADDRESS_RE = re.compile(rf"\b({_DU_WORDS}|ihr|Ihr)\b")


# --------------------------------------------------------------------- catalogues


@dataclass
class Entry:
    """One message of a PO file (``msgid`` "" is the header)."""

    msgid: str
    msgstr: str = ""
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    refs: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # the translator's own "# " lines
    extracted: list[str] = field(default_factory=list)  # "#. " lines from the code
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural)
        return bool(self.msgstr)

    def texts(self) -> list[str]:
        """Every translation text of the entry (the forms of a plural)."""
        return list(self.msgstr_plural) if self.msgid_plural is not None else [self.msgstr]


@dataclass
class Catalogue:
    """A PO file: its header and its entries (obsolete ones included, at the end)."""

    header: Entry
    entries: list[Entry]

    def by_key(self) -> dict[tuple[str | None, str], Entry]:
        return {e.key: e for e in self.entries if not e.obsolete}

    def live(self) -> list[Entry]:
        return [e for e in self.entries if not e.obsolete]


def header_text(lang: str | None) -> str:
    """The header entry's text; without a language it is the template's (no dates, so
    an unchanged catalogue stays byte for byte the same)."""
    lines = [
        "Project-Id-Version: rmpair",
        "Report-Msgid-Bugs-To: ",
    ]
    if lang:
        lines.append(f"Language: {lang}")
    lines += [
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if lang:
        lines.append(f"Plural-Forms: {PLURAL_FORMS.get(lang, 'nplurals=2; plural=(n != 1);')}")
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------- PO reading

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unquote(text: str, where: str) -> str:
    text = text.strip(" \t\r")
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    out: list[str] = []
    body = text[1:-1]
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt not in _ESCAPES:
                raise ValueError(f"{where}: unknown escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def parse_po(text: str, name: str = "<po>") -> Catalogue:
    """Read a PO file: comments, flags, context, singular and plural messages, and
    obsolete (``#~``) entries."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which string the continuation lines extend
    pending = Entry("")  # comments seen before the entry's msgid
    started = False

    def finish() -> None:
        nonlocal current, target, pending, started
        if current is not None:
            entries.append(current)
        current, target, pending, started = None, None, Entry(""), False

    def store(entry: Entry, slot: tuple[str, int], value: str, append: bool) -> None:
        kind, index = slot
        if kind == "msgstr_plural":
            while len(entry.msgstr_plural) <= index:
                entry.msgstr_plural.append("")
            entry.msgstr_plural[index] = (entry.msgstr_plural[index] if append else "") + value
        else:
            old = (getattr(entry, kind) or "") if append else ""
            setattr(entry, kind, old + value)

    # Only "\n" ends a line: str.splitlines() would also split at characters such as
    # U+2028 or \x1c inside a message.
    for number, raw in enumerate(text.split("\n"), start=1):
        where = f"{name}:{number}"
        line = raw.strip(" \t\r")
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip(" \t")
        if not line:
            if current is not None and started:
                finish()
            continue
        if line.startswith("#") and not obsolete:
            if current is not None and started:
                finish()
            if line.startswith("#:"):
                pending.refs.extend(line[2:].split())
            elif line.startswith("#,"):
                pending.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#."):
                pending.extracted.append(line[2:].strip())
            elif line.startswith("#|"):
                continue  # previous msgid: not kept
            else:
                pending.comments.append(line[1:].strip())
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{where}: a string continues nothing")
            store(current, target, _unquote(line, where), append=True)
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid"):
            if current is not None and started:
                finish()
            if current is None:
                current = Entry(
                    "",
                    refs=pending.refs,
                    flags=pending.flags,
                    comments=pending.comments,
                    extracted=pending.extracted,
                    obsolete=obsolete,
                )
        if current is None:
            raise ValueError(f"{where}: {keyword} before msgid")
        if keyword == "msgctxt":
            current.msgctxt = ""
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural = ""
            target = ("msgid_plural", 0)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            started = True
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            target = ("msgstr_plural", int(keyword[7:-1]))
            started = True
        else:
            raise ValueError(f"{where}: unknown keyword {keyword!r}")
        store(current, target, _unquote(rest, where), append=False)
    finish()
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    body = [e for e in entries if e is not header]
    return Catalogue(header or Entry("", header_text(None)), body)


# --------------------------------------------------------------------- PO writing


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    )
    return '"' + escaped.replace("\n", "\\n") + '"'


def _string_lines(keyword: str, text: str, prefix: str) -> list[str]:
    """``keyword "text"``; a text with inner line breaks is split after each one."""
    pieces = [p + "\n" for p in text.split("\n")]
    pieces[-1] = pieces[-1][:-1]
    if not pieces[-1]:
        pieces.pop()
    if len(pieces) <= 1:
        return [f"{prefix}{keyword} {_quote(text)}"]
    return [f'{prefix}{keyword} ""'] + [f"{prefix}{_quote(p)}" for p in pieces]


def format_entry(entry: Entry) -> str:
    prefix = "#~ " if entry.obsolete else ""
    lines = [f"# {c}".rstrip() for c in entry.comments]
    lines += [f"#. {c}" for c in entry.extracted]
    if not entry.obsolete:
        lines += [f"#: {ref}" for ref in entry.refs]
    if entry.flags:
        lines.append("#, " + ", ".join(entry.flags))
    if entry.msgctxt is not None:
        lines += _string_lines("msgctxt", entry.msgctxt, prefix)
    lines += _string_lines("msgid", entry.msgid, prefix)
    if entry.msgid_plural is not None:
        lines += _string_lines("msgid_plural", entry.msgid_plural, prefix)
        forms = entry.msgstr_plural or ["", ""]
        for index, form in enumerate(forms):
            lines += _string_lines(f"msgstr[{index}]", form, prefix)
    else:
        lines += _string_lines("msgstr", entry.msgstr, prefix)
    return "\n".join(lines)


def format_po(catalogue: Catalogue, title: str) -> str:
    head = [f"# {title}", "# Generated and merged by tools/i18n.py; edit the msgstr lines only."]
    parts = ["\n".join([*head, format_entry(Entry("", catalogue.header.msgstr))])]
    parts += [format_entry(e) for e in catalogue.entries if not e.obsolete]
    parts += [format_entry(e) for e in catalogue.entries if e.obsolete]
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------- extraction


@dataclass
class Extracted:
    """The messages found in the code, and the calls that could not be read."""

    entries: list[Entry]
    dynamic: list[str]  # "path:line: code" of _() calls on a variable (e.g. enum values)
    problems: list[str]  # "path:line: why" of calls that can never be extracted


def python_files(roots: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found.extend(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(set(found))


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def has_placeholders(text: str) -> bool:
    try:
        return any(field is not None for _l, field, _s, _c in string.Formatter().parse(text))
    except ValueError:
        return False


COMMAND_HELP = "The help of a command (its docstring): the first sentence is its summary."


def _is_command(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether Typer shows the function's docstring as help (``@app.command()``,
    ``@app.callback()``); rmpair.cli.app translates it when it loads the command."""
    return any(
        isinstance(d, ast.Call)
        and isinstance(d.func, ast.Attribute)
        and d.func.attr in ("command", "callback")
        for d in function.decorator_list
    )


def extract(roots: Sequence[Path] | None = None) -> Extracted:
    """Every ``_()``, ``N_()`` and ``ngettext()`` message, and the docstrings Typer
    shows as command help, in file and line order."""
    files = python_files(roots if roots is not None else [ROOT / s for s in SOURCES])
    entries: dict[tuple[str | None, str], Entry] = {}
    dynamic: list[str] = []
    problems: list[str] = []
    for path in files:
        rel = _relative(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        nodes = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            or (isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and _is_command(n))
        ]
        nodes.sort(key=lambda n: (n.lineno, n.col_offset))
        for call in nodes:
            if not isinstance(call, ast.Call):
                doc = ast.get_docstring(call)  # cleaned as Typer cleans it
                if doc:
                    entry = entries.setdefault((None, doc), Entry(doc, extracted=[COMMAND_HELP]))
                    entry.refs.append(f"{rel}:{call.lineno}")
                continue
            name = _call_name(call)
            if not isinstance(call.func, ast.Name):
                continue
            where = f"{rel}:{call.lineno}"
            if name in TRANSLATORS:
                if not call.args:
                    continue
                arg = call.args[0]
                if isinstance(arg, ast.JoinedStr):
                    problems.append(f"{where}: an f-string inside {name}() cannot be translated")
                    continue
                if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
                    dynamic.append(f"{where}: {ast.unparse(call)}")
                    continue
                msgid, plural = arg.value, None
            elif name in PLURAL_TRANSLATORS:
                if len(call.args) < 2 or not all(_is_text(a) for a in call.args[:2]):
                    problems.append(f"{where}: ngettext() needs two literal strings")
                    continue
                first, second = call.args[0], call.args[1]
                assert isinstance(first, ast.Constant) and isinstance(second, ast.Constant)
                msgid, plural = str(first.value), str(second.value)
            else:
                continue
            if not msgid:
                problems.append(f"{where}: an empty message")
                continue
            entry = entries.get((None, msgid))
            if entry is None:
                entry = Entry(msgid, msgid_plural=plural)
                if has_placeholders(msgid) or (plural and has_placeholders(plural)):
                    entry.flags.append("python-brace-format")
                entries[(None, msgid)] = entry
            elif plural is not None and entry.msgid_plural not in (None, plural):
                problems.append(f"{where}: '{msgid}' has two different plural forms")
            if entry.msgid_plural is None and plural is not None:
                entry.msgid_plural = plural
            entry.refs.append(where)
    return Extracted(list(entries.values()), dynamic, problems)


def template_catalogue(extracted: Extracted) -> Catalogue:
    return Catalogue(Entry("", header_text(None)), extracted.entries)


# --------------------------------------------------------------------- merging


def _carry_over(entry: Entry, source: Entry, fuzzy: bool) -> None:
    entry.msgstr = source.msgstr
    if entry.msgid_plural is not None:
        forms = list(source.msgstr_plural) or ([source.msgstr] * 2 if source.msgstr else [])
        entry.msgstr_plural = forms
    entry.comments = list(source.comments)
    keep = [f for f in source.flags if f == "fuzzy"]
    if fuzzy and "fuzzy" not in keep:
        keep.append("fuzzy")
    entry.flags = keep + [f for f in entry.flags if f != "fuzzy"]


def merge(old: Catalogue, template: Catalogue, lang: str) -> Catalogue:
    """The template's messages with ``old``'s translations; a new message close to an
    old one starts with that translation, marked fuzzy; messages gone from the code are
    kept at the end as obsolete, so their translation is not lost."""
    previous = {e.key: e for e in old.entries}
    used: set[tuple[str | None, str]] = set()
    candidates = {e.msgid: e for e in old.entries if e.translated}
    merged: list[Entry] = []
    for source in template.live():
        entry = Entry(
            source.msgid,
            msgid_plural=source.msgid_plural,
            msgctxt=source.msgctxt,
            refs=list(source.refs),
            flags=[f for f in source.flags if f != "fuzzy"],
            extracted=list(source.extracted),
        )
        known = previous.get(entry.key)
        if known is not None:
            _carry_over(entry, known, fuzzy=False)
            used.add(entry.key)
        else:
            close = difflib.get_close_matches(entry.msgid, list(candidates), n=1, cutoff=0.8)
            if close:
                _carry_over(entry, candidates[close[0]], fuzzy=True)
            elif entry.msgid_plural is not None:
                entry.msgstr_plural = ["", ""]
        merged.append(entry)
    gone = [e for e in old.entries if e.key not in used and e.translated]
    for entry in gone:
        entry.obsolete = True
        entry.refs = []
    header = Entry("", header_text(lang))
    return Catalogue(header, merged + gone)


def addresses_reader(text: str) -> bool:
    """Whether a German text may say "du" or "ihr" (dein, euch, ...) to the reader."""
    return bool(ADDRESS_RE.search(text))


def says_du(text: str) -> bool:
    """Whether a German text certainly says "du" (or dein, euch, ...) to the reader."""
    return bool(INFORMAL_RE.search(text))


def merge_overlay(old: Catalogue, base: Catalogue, lang: str) -> Catalogue:
    """A formal overlay: the base's messages that address the reader, plus any the
    overlay already overrides; each keeps its translation (new ones start empty)."""
    previous = {e.key: e for e in old.entries}
    entries: list[Entry] = []
    kept: set[tuple[str | None, str]] = set()
    for source in base.live():
        known = previous.get(source.key)
        needed = source.translated and any(addresses_reader(t) for t in source.texts())
        if not needed and (known is None or not known.translated):
            continue
        entry = Entry(
            source.msgid,
            msgid_plural=source.msgid_plural,
            msgctxt=source.msgctxt,
            refs=list(source.refs),
            flags=[f for f in source.flags if f != "fuzzy"],
        )
        if known is not None and known.translated:
            _carry_over(entry, known, fuzzy=False)
        elif entry.msgid_plural is not None:
            entry.msgstr_plural = ["", ""]
        entries.append(entry)
        kept.add(entry.key)
    gone = [e for e in old.entries if e.key not in kept and e.translated]
    for entry in gone:
        entry.obsolete = True
        entry.refs = []
    return Catalogue(Entry("", header_text(lang)), entries + gone)


# --------------------------------------------------------------------- MO writing


def compile_mo(catalogue: Catalogue) -> bytes:
    """The GNU MO file of a catalogue: translated, non-fuzzy messages and the header.

    Layout (little-endian): magic, revision 0, count N, offset of the originals table,
    offset of the translations table, hash table size 0 and offset; then the two
    tables of (length, offset) pairs, then the NUL-terminated strings. Keys are
    sorted by their bytes, as GNU gettext's binary search expects.
    """
    pairs: dict[bytes, bytes] = {b"": catalogue.header.msgstr.encode("utf-8")}
    for entry in catalogue.live():
        if entry.fuzzy or not entry.translated:
            continue
        key = entry.msgid
        if entry.msgid_plural is not None:
            key += "\0" + entry.msgid_plural
            value = "\0".join(entry.msgstr_plural)
        else:
            value = entry.msgstr
        if entry.msgctxt is not None:
            key = entry.msgctxt + "\x04" + key
        pairs[key.encode("utf-8")] = value.encode("utf-8")
    keys = sorted(pairs)
    count = len(keys)
    originals_at = 7 * 4
    translations_at = originals_at + count * 8
    strings_at = translations_at + count * 8
    ids = b""
    strs = b""
    id_table: list[tuple[int, int]] = []
    str_table: list[tuple[int, int]] = []
    for key in keys:
        id_table.append((len(key), len(ids)))
        ids += key + b"\0"
    for key in keys:
        value = pairs[key]
        str_table.append((len(value), len(strs)))
        strs += value + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, strings_at)
    for length, offset in id_table:
        out += struct.pack("<2I", length, strings_at + offset)
    for length, offset in str_table:
        out += struct.pack("<2I", length, strings_at + len(ids) + offset)
    return out + ids + strs


# --------------------------------------------------------------------- checks


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def languages() -> list[str]:
    """Every language with a catalogue, bases before their overlays."""
    found = sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return sorted(found, key=lambda lang: (lang in OVERLAYS, lang))


def load(path: Path) -> Catalogue:
    """Read a PO file."""
    return parse_po(path.read_text(encoding="utf-8"), _relative(path))


def placeholders(text: str) -> list[str] | None:
    """The ``{names}`` a message fills with ``str.format``, sorted (None: not a format)."""
    try:
        return sorted({f for _l, f, _s, _c in string.Formatter().parse(text) if f is not None})
    except ValueError:
        return None


def entry_problems(entry: Entry) -> list[str]:
    """What is wrong with one translated entry: placeholders that differ from the
    English, or an empty plural form."""
    problems: list[str] = []
    sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
    wanted = placeholders(entry.msgid)
    for text in entry.texts():
        if not text:
            continue
        got = placeholders(text)
        if wanted is not None and entry.msgid_plural is None and got != wanted:
            problems.append(f"placeholders {got} differ from the English {wanted}")
        elif entry.msgid_plural is not None:
            allowed = set().union(*(placeholders(s) or [] for s in sources))
            if got is None or not set(got) <= allowed:
                problems.append(f"placeholders {got} are not among {sorted(allowed)}")
    return problems


def check_catalogue(
    catalogue: Catalogue, wanted: Iterable[Entry], *, overlay: bool = False
) -> list[str]:
    """Messages of ``wanted`` that are missing, untranslated or fuzzy in ``catalogue``,
    and translations whose placeholders do not fit. An overlay only needs the messages
    it lists."""
    have = catalogue.by_key()
    problems: list[str] = []
    for source in wanted:
        entry = have.get(source.key)
        if entry is None:
            if not overlay:
                problems.append(f"missing: {source.msgid!r}")
            continue
        if not entry.translated:
            problems.append(f"untranslated: {source.msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {source.msgid!r}")
        problems += [f"{p}: {source.msgid!r}" for p in entry_problems(entry)]
    return problems


def check_overlay(overlay: Catalogue, base: Catalogue) -> list[str]:
    """Every base message that says "du" has a translation in the overlay, and none of
    the overlay's translations says "du"."""
    have = overlay.by_key()
    problems: list[str] = []
    for entry in base.live():
        if entry.translated and any(addresses_reader(t) for t in entry.texts()):
            formal = have.get(entry.key)
            if formal is None or not formal.translated or formal.fuzzy:
                problems.append(f"needs a formal form: {entry.msgid!r}")
    for entry in overlay.live():
        if any(says_du(t) for t in entry.texts()):
            problems.append(f"says 'du' in the formal catalogue: {entry.msgid!r}")
    return problems


# --------------------------------------------------------------------- lint

# Calls whose text arguments reach the user, with the positions of those arguments
# (None: all of them); records such as Nudge also take keys, which are not text.
SINKS: dict[str, tuple[int, ...] | None] = {
    "echo": None,
    "secho": None,
    "fail": None,
    "print": None,
    "UserError": None,
    "ReadOnlyError": None,
    "RmpairError": None,
    "LogFileError": None,
    "BadParameter": None,
    "confirm": None,
    "prompt": None,
    "Text": None,
    "notify": None,
    "add_column": None,
    "Problem": (1,),
    "TemplateProblem": (2,),
    "Nudge": (1, 2),
}
# Keyword arguments of those calls (and of typer.Option, Argument, Typer, command)
# that carry text for people.
TEXT_KEYWORDS = frozenset({"help", "short_help", "epilog", "message", "why", "prompt", "title"})
# Keyword arguments that never carry words for people.
NON_TEXT_KEYWORDS = frozenset({"style", "err", "nl", "sep", "end", "file", "justify", "markup"})
# Exceptions for programming errors: their text is for developers and stays English.
DEVELOPER_ERRORS = frozenset(
    {
        "ValueError",
        "TypeError",
        "KeyError",
        "IndexError",
        "RuntimeError",
        "AssertionError",
        "NotImplementedError",
        "AttributeError",
        "LookupError",
    }
)
# Calls whose string arguments are code, not text: regular expressions, formats.
CODE_CALLS = frozenset(
    {
        "compile",
        "match",
        "fullmatch",
        "search",
        "sub",
        "split",
        "findall",
        "finditer",
        "strftime",
        "strptime",
        "getLogger",
    }
)
# Words that are the same in every language.
NEUTRAL_WORDS = frozenset({"rmpair"})
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Finding:
    """A string a person would read that is not wrapped for translation."""

    path: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


def _words(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(_PLACEHOLDER_RE.sub(" ", text)) if w not in NEUTRAL_WORDS]


# Markup, an attribute, a regular expression, a CSS declaration block.
_CODE_RE = re.compile(r'^\s*<|="|^\^|\(\?P<|\{[^{}]*:[^{}]*;', re.MULTILINE)


def _is_prose(text: str) -> bool:
    """Three or more words with spaces between them: a sentence, not a key or a name,
    and not code (markup, CSS, a regular expression)."""
    if _CODE_RE.search(text):
        return False
    return len(_words(text)) >= 3 and " " in _PLACEHOLDER_RE.sub("", text).strip()


def _literal_text(node: ast.AST) -> str | None:
    """The words of a string literal, an f-string or ``"...".format(...)``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _literal_text(node.func.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is None and right is None:
            return None
        return (left or "{}") + (right or "{}")
    return None


class _Linter(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self.skip: set[int] = set()

    def _skip_tree(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            self.skip.add(id(sub))

    def _flag(self, node: ast.AST, text: str, why: str) -> None:
        if id(node) in self.skip:
            return
        self._skip_tree(node)
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), text, why))

    def _docstring(self, body: list[ast.stmt]) -> None:
        if body and isinstance(body[0], ast.Expr) and _is_text(body[0].value):
            self._skip_tree(body[0])

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._docstring(node.body)
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if _is_text(node.value):  # a bare string: a docstring of an attribute
            self._skip_tree(node)
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        if node.msg is not None:
            self._skip_tree(node.msg)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if isinstance(exc, ast.Call) and _call_name(exc) in DEVELOPER_ERRORS:
            self._skip_tree(exc)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if isinstance(node.func, ast.Name) and name in TRANSLATORS | PLURAL_TRANSLATORS:
            self._skip_tree(node)
            return
        if name in CODE_CALLS or name in DEVELOPER_ERRORS:
            for arg in node.args:
                self._skip_tree(arg)
        elif name in SINKS:
            positions = SINKS[name]
            texts = [a for i, a in enumerate(node.args) if positions is None or i in positions]
            texts += [k.value for k in node.keywords if k.arg and k.arg not in NON_TEXT_KEYWORDS]
            for arg in texts:
                text = _literal_text(arg)
                if text is not None and _words(text):
                    self._flag(arg, text, f"text passed to {name}() without _()")
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                text = _literal_text(keyword.value)
                if text is not None and _words(text):
                    self._flag(keyword.value, text, f"{keyword.arg}= text without _()")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and _is_prose(node.value):
            self._flag(node, node.value, "a sentence without _()")

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = _literal_text(node) or ""
        if _is_prose(text):
            self._flag(node, text, "an f-string sentence without _()")
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)


def lint(roots: Sequence[Path] | None = None) -> list[Finding]:
    """User-facing strings in ``roots`` (default: rmpair/) that ``_()`` does not wrap."""
    findings: list[Finding] = []
    for path in python_files(roots if roots is not None else [ROOT / "rmpair"]):
        rel = _relative(path)
        linter = _Linter(rel)
        linter.visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel))
        findings += sorted(linter.findings, key=lambda f: f.line)
    return findings


# --------------------------------------------------------------------- commands


def _write(path: Path, data: bytes) -> bool:
    """Write ``data`` unless the file already holds it; True when it changed."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def cmd_extract() -> Extracted:
    extracted = extract()
    text = format_po(template_catalogue(extracted), "Messages of rmpair (the template).")
    if _write(POT, text.encode("utf-8")):
        print(f"wrote {_relative(POT)} ({len(extracted.entries)} messages)")
    for problem in extracted.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return extracted


def cmd_update() -> None:
    extracted = cmd_extract()
    template = template_catalogue(extracted)
    merged: dict[str, Catalogue] = {}
    for lang in languages():
        path = po_path(lang)
        old = load(path)
        title = f"{LANGUAGE_NAMES.get(lang, lang)} messages of rmpair."
        if lang in OVERLAYS:
            base = merged.get(OVERLAYS[lang]) or load(po_path(OVERLAYS[lang]))
            new = merge_overlay(old, base, lang)
            title = f"{LANGUAGE_NAMES.get(lang, lang)}: only what differs from {OVERLAYS[lang]}."
        else:
            new = merge(old, template, lang)
        merged[lang] = new
        if _write(path, format_po(new, title).encode("utf-8")):
            print(f"merged {_relative(path)}")


def cmd_compile() -> None:
    for lang in languages():
        data = compile_mo(load(po_path(lang)))
        if _write(mo_path(lang), data):
            print(f"compiled {_relative(mo_path(lang))}")


def check_all() -> list[str]:
    """Every problem ``check`` reports, as lines."""
    extracted = extract()
    problems = [f"code: {p}" for p in extracted.problems]
    for lang in languages():
        catalogue = load(po_path(lang))
        where = _relative(po_path(lang))
        if lang in OVERLAYS:
            base = load(po_path(OVERLAYS[lang]))
            found = check_catalogue(catalogue, base.live(), overlay=True)
            found += check_overlay(catalogue, base)
        else:
            found = check_catalogue(catalogue, extracted.entries)
        problems += [f"{where}: {p}" for p in found]
        mo = mo_path(lang)
        if not mo.exists() or mo.read_bytes() != compile_mo(catalogue):
            problems.append(f"{_relative(mo)}: not compiled from the current .po")
    return problems


def cmd_check() -> int:
    problems = check_all()
    for line in problems:
        print(line)
    return 1 if problems else 0


def cmd_lint() -> int:
    findings = lint()
    for finding in findings:
        print(finding)
    return 1 if findings else 0


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "all"
    if command == "extract":
        cmd_extract()
    elif command == "update":
        cmd_update()
    elif command == "compile":
        cmd_compile()
    elif command == "check":
        return cmd_check()
    elif command == "lint":
        return cmd_lint()
    elif command == "all":
        cmd_update()
        cmd_compile()
        return cmd_check()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
