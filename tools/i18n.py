"""Keep the translations in step with the code: extract, merge, compile, check, lint.

python tools/i18n.py extract   write rmpair/locale/rmpair.pot: every _() and command docstring
python tools/i18n.py update    extract, then merge the template into every .po (keeps translations)
python tools/i18n.py compile   write each .po as the .mo the program reads
python tools/i18n.py check     exit 1 if a message is untranslated or fuzzy, or a .mo is stale
python tools/i18n.py lint      exit 1 if a user-facing string in rmpair/ is not wrapped in _()
python tools/i18n.py all       update, compile, check
python tools/i18n.py apply F…  fill in translations from JSON files: {"msgid": "du text"}
                               or {"msgid": ["du text", "Sie text"]}; then compile, check

Babel does the catalogue work (it is a test extra; rmpair itself reads the .mo files with
the standard library's gettext and never imports Babel): its Python extractor finds the
messages, its Catalog merges them into the .po files (fuzzy guesses, obsolete entries,
plural forms) and its writers write the .po, .pot and .mo files. What stays here is
ours: which docstrings are command help, the formal catalogue that only overrides the
messages saying "du", the checks, and the lint for text left unwrapped. Output is
deterministic, so a re-run with no code change leaves every file byte for byte the same.
See docs/i18n.md.
"""

from __future__ import annotations

import ast
import io
import json
import re
import string
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, PoFileParser, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("rmpair", "screens")
LOCALE = ROOT / "rmpair" / "locale"
POT = LOCALE / "rmpair.pot"
DOMAIN = "rmpair"
# A catalogue that only overrides the messages of its base that address the reader;
# the program falls back to the base for everything else (rmpair/i18n.py).
OVERLAYS = {"de_formal": "de"}
LANGUAGE_NAMES = {"de": "German (du)", "de_formal": "German (Sie)"}

# The functions of rmpair.i18n that mark a message, as Babel's keyword specification:
# the positions of the singular and plural texts.
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "ngettext": (1, 2)}
TRANSLATORS = frozenset({"_", "N_"})
PLURAL_TRANSLATORS = frozenset({"ngettext"})
COMMAND_HELP = "The help of a command (its docstring): the first sentence is its summary."

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

# The header fields written: what gettext reads (Content-Type, Plural-Forms) and what
# names the file. Babel would add the creation and revision dates, its own version and
# translator placeholders, which change on every run or say nothing.
HEADER_FIELDS = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "Language",
    "Plural-Forms",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)


class Catalogue(Catalog):
    """Babel's catalogue with a header that does not change from run to run, so an
    unchanged catalogue is written byte for byte the same and two branches that add
    messages do not conflict over a timestamp."""

    @property
    def mime_headers(self) -> list[tuple[str, str]]:
        headers = dict(super().mime_headers)
        kept = [(name, headers[name].strip()) for name in HEADER_FIELDS if name in headers]
        name, value = kept[-1]
        kept[-1] = (name, value + "\n")  # every header line ends in a line break
        return kept

    @mime_headers.setter
    def mime_headers(self, headers: Iterable[tuple[str, str]]) -> None:
        Catalog.mime_headers.fset(self, headers)  # type: ignore[attr-defined]  # a property


def new_catalogue(lang: str | None = None) -> Catalogue:
    """An empty catalogue (without a language: the template). Babel knows each
    language's plural rule; ``de_formal`` counts as ``de``."""
    return Catalogue(locale=lang, project="rmpair", version="", msgid_bugs_address="", fuzzy=False)


def load_bytes(data: bytes) -> Catalogue:
    """Read a PO file's content; a malformed one (e.g. left with merge conflict
    markers) raises PoFileError instead of losing entries."""
    catalogue = Catalogue()
    PoFileParser(catalogue, abort_invalid=True).parse(io.BytesIO(data))
    return catalogue


class Unreadable(Exception):
    """A catalogue that cannot be read, with the file and line where it broke."""


def load(path: Path) -> Catalogue:
    """Read a PO file."""
    try:
        return load_bytes(path.read_bytes())
    except PoFileError as error:  # Babel counts lines from 0
        where = f"{_relative(path)}:{error.lineno + 1}"
        raise Unreadable(f"{where}: cannot read {error.line.strip()!r}") from error


def format_po(catalogue: Catalog, title: str) -> bytes:
    """The PO file of a catalogue: messages unwrapped (split only after a line break),
    fuzzy ones with the previous msgid (``#|``), obsolete ones (``#~``) at the end."""
    catalogue.header_comment = (
        f"# {title}\n# Written by tools/i18n.py with Babel; edit the msgstr lines only."
    )
    catalogue.project, catalogue.version, catalogue.msgid_bugs_address = "rmpair", "", ""
    out = io.BytesIO()
    write_po(out, catalogue, width=0, include_previous=True)
    return out.getvalue()


def compile_mo(catalogue: Catalog) -> bytes:
    """The GNU MO file of a catalogue: its translated, non-fuzzy messages and header."""
    out = io.BytesIO()
    write_mo(out, catalogue, use_fuzzy=False)
    return out.getvalue()


def msgid(message: Message) -> str:
    """The singular English text of a message."""
    return message.id[0] if isinstance(message.id, list | tuple) else message.id


def texts(message: Message) -> list[str]:
    """Every translation text of a message (the forms of a plural)."""
    found = message.string
    return list(found) if isinstance(found, list | tuple) else [found or ""]


def translated(message: Message) -> bool:
    forms = texts(message)
    return bool(forms) and all(forms)


def messages(catalogue: Catalog) -> list[Message]:
    """The catalogue's live messages, without the header."""
    return [m for m in catalogue if m.id]


# --------------------------------------------------------------------- extraction


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


def _is_command(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether Typer shows the function's docstring as help (``@app.command()``,
    ``@app.callback()``); rmpair.cli.app translates it when it loads the command."""
    return any(
        isinstance(d, ast.Call)
        and isinstance(d.func, ast.Attribute)
        and d.func.attr in ("command", "callback")
        for d in function.decorator_list
    )


def extract_rmpair(
    fileobj: Any, keywords: Any, comment_tags: Collection[str], options: Any
) -> list[Any]:
    """A Babel extraction method: Babel's own for Python, plus what it cannot see: the
    docstrings Typer shows as the help of a command, and ``_()`` calls inside an
    f-string (``f"<h2>{_('Pictures')}</h2>"``: before Python 3.12 the tokenizer Babel
    reads hands it the whole f-string as one token). In line order."""
    # Each found: line (None: skipped), function name (None: not a call), the text or
    # the texts of a plural, comments.
    found: list[Any] = list(extract_python(fileobj, keywords, comment_tags, options))
    fileobj.seek(0)
    for node in ast.walk(ast.parse(fileobj.read())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_command(node):
            doc = ast.get_docstring(node)  # cleaned as Typer cleans it
            if doc:
                found.append((node.lineno, None, doc, [COMMAND_HELP]))
        elif isinstance(node, ast.JoinedStr):
            for call in ast.walk(node):
                if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                    continue
                name = call.func.id
                args = call.args[: 2 if name in PLURAL_TRANSLATORS else 1]
                words = [a.value for a in args if isinstance(a, ast.Constant) and a.value]
                if name in keywords and words and len(words) == len(args):
                    found.append((call.lineno, name, tuple(words), []))
    return sorted(found, key=lambda item: item[0] or 0)  # Babel gives no line for what it skips


def extract(roots: Sequence[Path] | None = None) -> Catalogue:
    """The template: every ``_()``, ``N_()`` and ``ngettext()`` message, and the
    docstrings Typer shows as command help, in file and line order."""
    template = new_catalogue()
    for path in python_files(roots if roots is not None else [ROOT / s for s in SOURCES]):
        where = _relative(path)
        for line, message, comments, context in extract_from_file(extract_rmpair, path, KEYWORDS):
            template.add(
                message, locations=[(where, line)], auto_comments=comments, context=context
            )
    return template


def untranslatable(roots: Sequence[Path] | None = None) -> list[str]:
    """``path:line: why`` of each call Babel skips with at most a warning, though its
    text would reach a person in English: an f-string inside ``_()`` (its words
    change with the values), ``ngettext()`` without two literal texts, an empty text,
    and one singular given two different plurals."""
    found: list[tuple[str, int, str]] = []
    plurals: dict[str, str] = {}
    for path in python_files(roots if roots is not None else [ROOT / s for s in SOURCES]):
        where = _relative(path)
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=where)):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                continue
            name = call.func.id
            plural = name in PLURAL_TRANSLATORS
            if not call.args or not (plural or name in TRANSLATORS):
                continue
            args = call.args[:2] if plural else call.args[:1]
            if any(isinstance(a, ast.JoinedStr) for a in args):
                why = f"an f-string inside {name}() cannot be translated"
            elif plural and (len(args) < 2 or not all(_is_text(a) for a in args)):
                why = f"{name}() needs two literal strings"
            elif any(isinstance(a, ast.Constant) and a.value == "" for a in args):
                why = "an empty message"
            elif plural:
                one, many = (str(a.value) for a in args if isinstance(a, ast.Constant))
                if plurals.setdefault(one, many) == many:
                    continue
                why = f"{one!r} has two different plural forms"
            else:
                continue
            found.append((where, call.lineno, why))
    return [f"{where}:{line}: {why}" for where, line, why in sorted(found)]


# --------------------------------------------------------------------- merging


def merge(old: Catalog, template: Catalog) -> Catalog:
    """Babel's update of ``old`` from ``template``: every message keeps its
    translation; a new message close to an old one starts with that translation,
    marked fuzzy; messages gone from the code stay at the end as obsolete (``#~``) if
    they were translated, and one that comes back gets its translation again."""
    for key, message in list(old.obsolete.items()):
        if template.get(message.id, message.context) is not None:
            del old.obsolete[key]
            old[message.id] = message
    old.update(template, update_header_comment=False, update_creation_date=False)
    for key in [k for k, m in old.obsolete.items() if not translated(m)]:
        del old.obsolete[key]
    return old


def addresses_reader(text: str) -> bool:
    """Whether a German text may say "du" or "ihr" (dein, euch, ...) to the reader."""
    return bool(ADDRESS_RE.search(text))


def says_du(text: str) -> bool:
    """Whether a German text certainly says "du" (or dein, euch, ...) to the reader."""
    return bool(INFORMAL_RE.search(text))


def merge_overlay(old: Catalog, base: Catalog) -> Catalog:
    """A formal overlay: the base's messages that address the reader, plus any the
    overlay already overrides, merged as ``merge`` does (new ones start empty)."""
    wanted = new_catalogue()
    for message in messages(base):
        known = old.get(message.id, message.context)
        needed = translated(message) and any(addresses_reader(t) for t in texts(message))
        if needed or (known is not None and translated(known)):
            wanted.add(
                message.id,
                locations=message.locations,
                flags=message.flags - {"fuzzy"},
                auto_comments=message.auto_comments,
                context=message.context,
            )
    return merge(old, wanted)


# --------------------------------------------------------------------- checks


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def languages() -> list[str]:
    """Every language with a catalogue, bases before their overlays."""
    found = sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return sorted(found, key=lambda lang: (lang in OVERLAYS, lang))


def placeholders(text: str) -> list[str] | None:
    """The ``{names}`` a message fills with ``str.format``, sorted (None: not a format)."""
    try:
        return sorted({f for _l, f, _s, _c in string.Formatter().parse(text) if f is not None})
    except ValueError:
        return None


def entry_problems(message: Message) -> list[str]:
    """What is wrong with one translated message: placeholders that differ from the
    English, or that a plural form does not take from either English form."""
    problems: list[str] = []
    plural = isinstance(message.id, list | tuple)
    sources = list(message.id) if plural else [msgid(message)]
    wanted = placeholders(sources[0])
    for text in texts(message):
        if not text:
            continue
        got = placeholders(text)
        if not plural and wanted is not None and got != wanted:
            problems.append(f"placeholders {got} differ from the English {wanted}")
        elif plural:
            allowed = set().union(*(placeholders(s) or [] for s in sources))
            if got is None or not set(got) <= allowed:
                problems.append(f"placeholders {got} are not among {sorted(allowed)}")
    return problems


def check_catalogue(
    catalogue: Catalog, wanted: Iterable[Message], *, overlay: bool = False
) -> list[str]:
    """Messages of ``wanted`` that are missing, untranslated or fuzzy in ``catalogue``,
    and translations whose placeholders do not fit. An overlay only needs the messages
    it lists."""
    problems: list[str] = []
    for source in wanted:
        if not source.id:
            continue
        message = catalogue.get(source.id, source.context)
        text = msgid(source)
        if message is None:
            if not overlay:
                problems.append(f"missing: {text!r}")
            continue
        if not translated(message):
            problems.append(f"untranslated: {text!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {text!r}")
        problems += [f"{p}: {text!r}" for p in entry_problems(message)]
    return problems


def check_overlay(overlay: Catalog, base: Catalog) -> list[str]:
    """Every base message that says "du" has a translation in the overlay, and none of
    the overlay's translations says "du"."""
    problems: list[str] = []
    for message in messages(base):
        if translated(message) and any(addresses_reader(t) for t in texts(message)):
            formal = overlay.get(message.id, message.context)
            if formal is None or not translated(formal) or formal.fuzzy:
                problems.append(f"needs a formal form: {msgid(message)!r}")
    for message in messages(overlay):
        if any(says_du(t) for t in texts(message)):
            problems.append(f"says 'du' in the formal catalogue: {msgid(message)!r}")
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


def cmd_extract() -> Catalogue:
    template = extract()
    if _write(POT, format_po(template, "Messages of rmpair (the template).")):
        print(f"wrote {_relative(POT)} ({len(messages(template))} messages)")
    for problem in untranslatable():
        print(f"problem: {problem}", file=sys.stderr)
    return template


def _title(lang: str) -> str:
    name = LANGUAGE_NAMES.get(lang, lang)
    if lang in OVERLAYS:
        return f"{name}: only what differs from {OVERLAYS[lang]}."
    return f"{name} messages of rmpair."


def _save(catalogues: Mapping[str, Catalog], verb: str) -> None:
    for lang, catalogue in catalogues.items():
        if _write(po_path(lang), format_po(catalogue, _title(lang))):
            print(f"{verb} {_relative(po_path(lang))}")


def cmd_update() -> None:
    old = {lang: load(po_path(lang)) for lang in languages()}  # all readable, or no writing
    template = cmd_extract()
    for lang, catalogue in old.items():
        if lang in OVERLAYS:
            merge_overlay(catalogue, old[OVERLAYS[lang]])  # the base is merged already
        else:
            merge(catalogue, template)
    _save(old, "merged")


def apply_translations(base: Catalog, overlay: Catalog, given: Mapping[str, Any]) -> list[str]:
    """Fill in translations written elsewhere (e.g. while another branch changed the
    catalogues): ``{"msgid": "du text"}`` or ``{"msgid": ["du text", "Sie text"]}``.
    Each becomes a checked translation (no longer fuzzy); the overlay first takes up
    the messages whose new text addresses the reader. Returns what was not applied."""
    left: list[str] = []
    formal: dict[str, str] = {}
    for text, value in given.items():
        forms = [value] if isinstance(value, str) else value
        message = base.get(text)
        if not isinstance(forms, list) or not 1 <= len(forms) <= 2:
            left.append(f"not a text or [du, Sie]: {text!r}")
        elif message is None:
            left.append(f"not in the catalogue (run update first): {text!r}")
        elif isinstance(message.id, list | tuple):
            left.append(f"a plural: fill in its msgstr[0] and msgstr[1] by hand: {text!r}")
        else:
            message.string, message.previous_id = forms[0], []
            message.flags.discard("fuzzy")
            if len(forms) == 2:
                formal[text] = forms[1]
    merge_overlay(overlay, base)
    for text, value in formal.items():
        message = overlay.get(text)
        if message is None:
            left.append(f"the formal catalogue does not need it (no du in it): {text!r}")
            continue
        message.string, message.previous_id = value, []
        message.flags.discard("fuzzy")
    return left


def cmd_apply(paths: Sequence[str]) -> int:
    overlay_lang, base_lang = next(iter(OVERLAYS.items()))
    base, overlay = load(po_path(base_lang)), load(po_path(overlay_lang))
    catalogues = {base_lang: base, overlay_lang: overlay}
    left: list[str] = []
    for name in paths:
        given = json.loads(Path(name).read_text(encoding="utf-8"))
        left += [f"{name}: {line}" for line in apply_translations(base, overlay, given)]
    _save(catalogues, "filled")
    for line in left:
        print(line)
    return 1 if left else 0


def cmd_compile() -> None:
    for lang in languages():
        if _write(mo_path(lang), compile_mo(load(po_path(lang)))):
            print(f"compiled {_relative(mo_path(lang))}")


def check_all() -> list[str]:
    """Every problem ``check`` reports, as lines."""
    problems = [f"code: {p}" for p in untranslatable()]
    template = extract()
    for lang in languages():
        catalogue = load(po_path(lang))
        where = _relative(po_path(lang))
        if lang in OVERLAYS:
            base = load(po_path(OVERLAYS[lang]))
            found = check_catalogue(catalogue, messages(base), overlay=True)
            found += check_overlay(catalogue, base)
        else:
            found = check_catalogue(catalogue, messages(template))
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
    try:
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
        elif command == "apply":
            return cmd_apply(argv[1:])
        elif command == "all":
            cmd_update()
            cmd_compile()
            return cmd_check()
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except Unreadable as error:  # e.g. merge conflict markers left in a .po file
        print(f"{error} (a merge conflict left in it?); nothing was written", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
