"""Read .ics bytes as RFC 5545 content lines: unfolding, and splitting each line into its
name, parameters and value (``Prop``), the pieces ``icslint`` builds its component tree of.

Apart from ``icslint`` because reading a file is a job of its own: nothing here judges
what it reads, so broken input (a BOM, bare LF line ends) is accepted and every
complaint is left to the lint rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["BOM", "Component", "Prop", "parse_line", "unescape_text", "unfold", "unfold_pieces"]

BOM = b"\xef\xbb\xbf"
_NAME_RE = re.compile(r"^[A-Z0-9-]+$")


# ------------------------------------------------------------------- unfolding


def _physical_lines(data: bytes) -> list[bytes]:
    """Split at LF, dropping the CR of CRLF; a final empty piece (after the last LF) goes."""
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    return [piece[:-1] if piece.endswith(b"\r") else piece for piece in pieces]


def unfold_pieces(data: bytes) -> list[tuple[int, list[bytes]]]:
    """Logical lines as (1-based number of their first physical line, physical pieces).

    The pieces exclude the line end and the one leading space/tab of a continuation.
    """
    logical: list[tuple[int, list[bytes]]] = []
    for number, line in enumerate(_physical_lines(data), start=1):
        if line[:1] in (b" ", b"\t") and logical:
            logical[-1][1].append(line[1:])
        elif line:
            logical.append((number, [line]))
    return logical


def unfold(data: bytes, errors: str = "strict") -> list[str]:
    """Unfold ``data`` into logical content lines (RFC 5545 3.1), decoded as UTF-8.

    A leading BOM is ignored and bare LF line ends are tolerated, so the lines of a
    slightly broken file can still be inspected. Empty lines are skipped. ``errors`` is
    passed to ``bytes.decode`` ("strict" raises on invalid UTF-8).
    """
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return [b"".join(pieces).decode("utf-8", errors) for _, pieces in unfold_pieces(data)]


# --------------------------------------------------------------------- parsing


@dataclass
class Prop:
    line: int
    name: str
    params: dict[str, list[str]]
    value: str


@dataclass
class Component:
    name: str
    line: int
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def first(self, name: str) -> Prop | None:
        return next((prop for prop in self.props if prop.name == name), None)

    def all(self, name: str) -> list[Prop]:
        return [prop for prop in self.props if prop.name == name]

    def walk(self) -> Iterator[Component]:
        yield self
        for child in self.children:
            yield from child.walk()


def _parse_params(text: str, pos: int) -> tuple[dict[str, list[str]], int] | None:
    """Parse ``;NAME=value,"quoted"...`` from ``pos``; return params and the ':' index."""
    params: dict[str, list[str]] = {}
    size = len(text)
    while pos < size and text[pos] == ";":
        equals = text.find("=", pos + 1)
        if equals < 0:
            return None
        name = text[pos + 1 : equals].upper()
        pos = equals + 1
        values: list[str] = []
        while True:
            if pos < size and text[pos] == '"':
                close = text.find('"', pos + 1)
                if close < 0:
                    return None
                values.append(text[pos + 1 : close])
                pos = close + 1
            else:
                start = pos
                while pos < size and text[pos] not in ';:,"':
                    pos += 1
                values.append(text[start:pos])
            if pos < size and text[pos] == ",":
                pos += 1
                continue
            break
        params[name] = values
    if pos >= size or text[pos] != ":":
        return None
    return params, pos


def parse_line(number: int, text: str) -> Prop | None:
    """Split a content line into name, parameters and value; None if it is not one."""
    pos = 0
    while pos < len(text) and text[pos] not in ";:":
        pos += 1
    name = text[:pos].upper()
    if not _NAME_RE.match(name):
        return None
    parsed = _parse_params(text, pos)
    if parsed is None:
        return None
    params, colon = parsed
    return Prop(number, name, params, text[colon + 1 :])


def unescape_text(value: str) -> str:
    """Read a TEXT value (RFC 5545 3.3.11): ``\\n`` or ``\\N`` is a line break, any other
    escaped character stands for itself."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        following = next(chars, "")
        out.append("\n" if following in ("n", "N") else following)
    return "".join(out)
