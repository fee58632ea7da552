"""The tests' lint for .ics bytes: the RFC 5545 rules and client quirks that bite in practice.

``lint`` returns a list of problems (empty means clean). It checks the byte layer (BOM,
CRLF, 75-octet lines, UTF-8 after unfolding), the component structure, the properties
every VCALENDAR/VEVENT needs, time zones (no floating times, every TZID defined) and
recurrence rules. It never raises, whatever the input. The calendar tests run it on
every export; it is not part of rmpair (users never see its words), so it lives here.
Unfolding and splitting content lines live in ``ics_parse``; this module holds the rules.
"""

from __future__ import annotations

from ics_parse import BOM, Component, Prop, parse_line, unfold_pieces

__all__ = ["lint"]

_MAX_OCTETS = 75
# Problems of one kind beyond this many are summarised, so a broken file stays readable.
_MAX_PER_KIND = 5


class _Report:
    """Collects problems, summarising a kind once it repeats too often."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        count = self._counts.get(kind, 0) + 1
        self._counts[kind] = count
        if count <= _MAX_PER_KIND:
            self.problems.append(message)

    def finish(self) -> list[str]:
        for kind, count in self._counts.items():
            if count > _MAX_PER_KIND:
                self.problems.append(
                    f"... and {count - _MAX_PER_KIND} more problems of the kind '{kind}'"
                )
        return self.problems


# ---------------------------------------------------------------- byte checks


def _check_bytes(data: bytes, report: _Report) -> None:
    if data.startswith(BOM):
        report.add("bom", ("file starts with a UTF-8 byte order mark (BOM); remove it"))
        data = data[len(BOM) :]
    if not data:
        report.add("empty", ("file is empty"))
        return
    pieces = data.split(b"\n")
    last = pieces.pop()
    if last:
        report.add(
            "unterminated",
            (f"line {len(pieces) + 1}: file does not end with CRLF (truncated?)"),
        )
    bare_lf: list[int] = []
    for number, piece in enumerate([*pieces, last] if last else pieces, start=1):
        terminated = number <= len(pieces)
        if terminated and not piece.endswith(b"\r"):
            bare_lf.append(number)
        body = piece[:-1] if terminated and piece.endswith(b"\r") else piece
        if b"\r" in body:
            report.add("cr", (f"line {number}: contains a bare CR"))
        if len(body) > _MAX_OCTETS:
            report.add(
                "long",
                (f"line {number}: {len(body)} octets long, more than {_MAX_OCTETS} (fold it)"),
            )
    if bare_lf:
        # One message: a file with LF endings has them everywhere, listing each is noise.
        report.add(
            "lf",
            (f"line {bare_lf[0]}: {len(bare_lf)} line(s) end with a bare LF instead of CRLF"),
        )


def _decode_lines(data: bytes, report: _Report) -> list[tuple[int, str]]:
    if data.startswith(BOM):
        data = data[len(BOM) :]
    lines: list[tuple[int, str]] = []
    for number, pieces in unfold_pieces(data):
        raw = b"".join(pieces)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            report.add("utf8", (f"line {number}: not valid UTF-8 after unfolding"))
            text = raw.decode("utf-8", "replace")
        else:
            # Valid as a whole but not piece by piece: a fold cut a character in two,
            # which clients that decode each physical line turn into garbage.
            if len(pieces) > 1 and not all(_is_utf8(piece) for piece in pieces):
                report.add(
                    "split",
                    (f"line {number}: a fold splits a multi-byte UTF-8 character"),
                )
        lines.append((number, text))
    return lines


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ------------------------------------------------------------ structure checks


def _build_tree(lines: list[tuple[int, str]], report: _Report) -> list[Component]:
    roots: list[Component] = []
    stack: list[Component] = []
    for number, text in lines:
        prop = parse_line(number, text)
        if prop is None:
            report.add("syntax", (f"line {number}: not a valid content line"))
            continue
        if prop.name == "BEGIN":
            component = Component(prop.value.strip().upper(), number)
            if stack:
                stack[-1].children.append(component)
            else:
                if component.name != "VCALENDAR":
                    report.add(
                        "outside",
                        (f"line {number}: BEGIN:{component.name} outside of a VCALENDAR"),
                    )
                roots.append(component)
            stack.append(component)
        elif prop.name == "END":
            name = prop.value.strip().upper()
            if stack and stack[-1].name == name:
                stack.pop()
            elif any(open_.name == name for open_ in stack):
                while stack[-1].name != name:
                    inner = stack.pop()
                    report.add(
                        "unclosed",
                        (f"line {inner.line}: BEGIN:{inner.name} is never closed"),
                    )
                stack.pop()
            else:
                report.add(
                    "unopened",
                    (f"line {number}: END:{name} without a matching BEGIN"),
                )
        elif stack:
            stack[-1].props.append(prop)
        else:
            report.add(
                "outside",
                (f"line {number}: property {prop.name} outside of any component"),
            )
    for component in reversed(stack):
        report.add(
            "unclosed",
            (f"line {component.line}: BEGIN:{component.name} is never closed (file truncated?)"),
        )
    if not roots:
        report.add("nocal", ("no VCALENDAR component found"))
    return roots


def _where(component: Component) -> str:
    return f"line {component.line}: {component.name}"


def _check_calendar(calendar: Component, report: _Report) -> None:
    if calendar.name != "VCALENDAR":
        return
    for name in ("VERSION", "PRODID", "CALSCALE", "METHOD"):
        if calendar.first(name) is None:
            report.add(
                "calprop",
                (f"{_where(calendar)} is missing {name}"),
            )
    version = calendar.first("VERSION")
    if version is not None and version.value.strip() != "2.0":
        report.add(
            "version",
            (f"line {version.line}: VERSION must be 2.0, not {version.value!r}"),
        )


def _is_floating(prop: Prop) -> bool:
    if prop.params.get("VALUE", [""])[0].upper() == "DATE":
        return False
    if "TZID" in prop.params:
        return False
    values = [v.strip() for v in prop.value.split(",")]
    return any(not v.upper().endswith("Z") for v in values)


def _rrule_parts(prop: Prop) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in prop.value.split(";"):
        key, _sep, value = item.partition("=")
        parts[key.strip().upper()] = value.strip()
    return parts


def _check_rrule(rrule: Prop, dtstart: Prop | None, report: _Report) -> None:
    parts = _rrule_parts(rrule)
    if "FREQ" not in parts:
        report.add("rrule", (f"line {rrule.line}: RRULE without FREQ"))
    if "COUNT" in parts and "UNTIL" in parts:
        report.add(
            "rrule",
            (f"line {rrule.line}: RRULE has both COUNT and UNTIL (RFC 5545 forbids it)"),
        )
    until = parts.get("UNTIL")
    anchored = dtstart is None or "TZID" in dtstart.params or dtstart.value.strip().endswith("Z")
    if until is not None and anchored and not until.upper().endswith("Z"):
        report.add(
            "until",
            (
                f"line {rrule.line}: RRULE UNTIL={until} is floating; it must be UTC "
                "(end in Z) when DTSTART has a TZID or is UTC"
            ),
        )


def _check_event(event: Component, report: _Report) -> None:
    for name in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
        if event.first(name) is None:
            report.add(
                "eventprop",
                (f"{_where(event)} is missing {name}"),
            )
    if event.first("DTEND") is None and event.first("DURATION") is None:
        report.add(
            "eventprop",
            (f"{_where(event)} is missing DTEND or DURATION"),
        )
    if event.first("DTEND") is not None and event.first("DURATION") is not None:
        report.add(
            "eventprop",
            (f"{_where(event)} has both DTEND and DURATION"),
        )
    stamp = event.first("DTSTAMP")
    if stamp is not None and not stamp.value.strip().upper().endswith("Z"):
        report.add("stamp", (f"line {stamp.line}: DTSTAMP must be in UTC (end in Z)"))
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE"):
        for prop in event.all(name):
            if _is_floating(prop):
                report.add(
                    "floating",
                    (f"line {prop.line}: {name} is a floating time (needs TZID or Z)"),
                )
    dtstart = event.first("DTSTART")
    rrules = event.all("RRULE")
    if len(rrules) > 1:
        report.add("rrule", (f"{_where(event)} has more than one RRULE"))
    for rrule in rrules:
        _check_rrule(rrule, dtstart, report)


def _check_timezone(tz: Component, report: _Report) -> None:
    if tz.first("TZID") is None:
        report.add("vtimezone", (f"{_where(tz)} is missing TZID"))
    observances = [c for c in tz.children if c.name in ("STANDARD", "DAYLIGHT")]
    if not observances:
        report.add(
            "vtimezone",
            (f"{_where(tz)} has no STANDARD or DAYLIGHT component"),
        )
    for observance in observances:
        for name in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
            if observance.first(name) is None:
                report.add(
                    "vtimezone",
                    (f"{_where(observance)} is missing {name}"),
                )
        rdates = observance.all("RDATE")
        if len(rdates) > 1 or any("," in rdate.value for rdate in rdates):
            report.add(
                "rdate",
                (
                    f"{_where(observance)}: RDATE lists several dates in a VTIMEZONE "
                    "(Outlook and ical.js read only the first); use a yearly RRULE"
                ),
            )
        for rrule in observance.all("RRULE"):
            until = _rrule_parts(rrule).get("UNTIL")
            if until is not None and not until.upper().endswith("Z"):
                report.add(
                    "until",
                    (f"line {rrule.line}: RRULE UNTIL={until} in a VTIMEZONE must be UTC"),
                )


def _check_references(roots: list[Component], report: _Report) -> None:
    defined: set[str] = set()
    for root in roots:
        for component in root.walk():
            if component.name == "VTIMEZONE":
                tzid_prop = component.first("TZID")
                if tzid_prop is not None:
                    defined.add(tzid_prop.value.strip())
    seen: dict[tuple[str, str], int] = {}
    for root in roots:
        for component in root.walk():
            if component.name in ("STANDARD", "DAYLIGHT", "VTIMEZONE"):
                continue
            for prop in component.props:
                for tzid in prop.params.get("TZID", []):
                    if tzid.strip() not in defined:
                        report.add(
                            "tzid",
                            (f"line {prop.line}: TZID={tzid} has no VTIMEZONE in the file"),
                        )
            if component.name != "VEVENT":
                continue
            uid = component.first("UID")
            if uid is None:
                continue
            rid = component.first("RECURRENCE-ID")
            rid_key = "" if rid is None else f"{rid.params.get('TZID', [''])[0]}:{rid.value}"
            key = (uid.value, rid_key)
            if key in seen:
                report.add(
                    "dupuid",
                    (
                        f"line {component.line}: duplicate VEVENT UID {uid.value} "
                        f"(same RECURRENCE-ID as the event at line {seen[key]})"
                    ),
                )
            else:
                seen[key] = component.line


# ---------------------------------------------------------------------- entry


def lint(data: bytes) -> list[str]:
    """Check .ics bytes and return the problems found (an empty list means clean).

    Each message starts with the (physical) line number it concerns where there is one.
    """
    report = _Report()
    _check_bytes(data, report)
    lines = _decode_lines(data, report)
    if lines and lines[0][1].strip().upper() != "BEGIN:VCALENDAR":
        report.add("start", (f"line {lines[0][0]}: file must start with BEGIN:VCALENDAR"))
    roots = _build_tree(lines, report)
    for root in roots:
        _check_calendar(root, report)
        for component in root.walk():
            if component.name == "VEVENT":
                _check_event(component, report)
            elif component.name == "VTIMEZONE":
                _check_timezone(component, report)
    _check_references(roots, report)
    return report.finish()
