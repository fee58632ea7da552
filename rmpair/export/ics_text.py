"""The text layer of an .ics file: TEXT escaping, content lines, folding, date-time values.

Shared by the VTIMEZONE generator and the renderer, which both write content lines;
nothing here knows about events or rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rmpair.export.ics_model import to_utc

__all__ = [
    "content_line",
    "escape_text",
    "fmt_local",
    "fmt_offset",
    "fmt_utc",
    "fold_line",
    "unescape_text",
]

_MAX_OCTETS = 75
_CRLF = b"\r\n"


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines.

    CR LF and lone CR become one newline. Other control characters cannot appear in
    TEXT at all and are dropped; a tab is kept.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == ";":
            out.append("\\;")
        elif char == ",":
            out.append("\\,")
        elif char == "\n":
            out.append("\\n")
        elif (ord(char) < 0x20 and char != "\t") or char == "\x7f":
            continue
        else:
            out.append(char)
    return "".join(out)


def unescape_text(value: str) -> str:
    """Undo ``escape_text`` (also accepts ``\\N``); an unknown escape keeps its character."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        following = next(chars, "")
        out.append("\n" if following in ("n", "N") else following)
    return "".join(out)


def fold_line(line: str) -> bytes:
    """Encode one content line as UTF-8 and fold it at 75 octets, ending in CRLF.

    Continuation lines start with a single space. A fold never splits a multi-byte
    UTF-8 sequence, because several clients decode each physical line on its own.
    """
    raw = line.encode("utf-8")
    chunks: list[bytes] = []
    limit = _MAX_OCTETS
    pos = 0
    while len(raw) - pos > limit:
        cut = pos + limit
        while raw[cut] & 0xC0 == 0x80:  # continuation byte: move the fold before it
            cut -= 1
        chunks.append(raw[pos:cut])
        pos = cut
        limit = _MAX_OCTETS - 1  # the leading space counts towards the 75 octets
    chunks.append(raw[pos:])
    return b"\r\n ".join(chunks) + _CRLF


def _param_value(value: str) -> str:
    if any(ord(c) < 0x20 or c in '"\x7f' for c in value):
        raise ValueError(f"parameter value {value!r} contains characters iCalendar forbids")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def content_line(name: str, value: str, params: Sequence[tuple[str, str]] = ()) -> str:
    head = name + "".join(f";{key}={_param_value(val)}" for key, val in params)
    return f"{head}:{value}"


def fmt_local(value: datetime) -> str:
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}"
    )


def fmt_utc(value: datetime) -> str:
    return fmt_local(to_utc(value)) + "Z"


def fmt_offset(offset: timedelta) -> str:
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")
