"""Hybrid logical clock stamps: a total order of changes across devices.

A stamp is wall-clock milliseconds, a counter and the device id. A device never
issues a stamp lower than any it has seen, so a change made after reading the
partner's edits sorts after them even when the two laptops' clocks disagree. The
encoded form sorts as a string, which keeps the stored log readable and comparable.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

_STAMP_PATTERN = r"^(\d{15})\.(\d{6})\.([A-Za-z0-9_-]{1,64})$"


@cache
def stamp_re() -> re.Pattern[str]:
    """The pattern of an encoded stamp, compiled on first use."""
    return re.compile(_STAMP_PATTERN)


class Stamp(NamedTuple):
    """One hybrid logical clock reading; compares as (wall, counter, device)."""

    wall_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.wall_ms:015d}.{self.counter:06d}.{self.device}"

    @classmethod
    def decode(cls, text: str) -> Stamp:
        match = stamp_re().match(text)
        if match is None:
            raise ValueError(f"not a clock stamp: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))


def is_stamp(text: object) -> bool:
    return isinstance(text, str) and stamp_re().match(text) is not None


class Clock:
    """Issues increasing stamps for one device and absorbs stamps seen from others."""

    def __init__(self, device: str, last: Stamp | None = None) -> None:
        self.device = device
        self._wall = last.wall_ms if last else 0
        self._counter = last.counter if last else 0

    def observe(self, encoded: str) -> None:
        """Move the clock past a stamp read from any device's log."""
        wall = int(encoded[:15])
        counter = int(encoded[16:22])
        if (wall, counter) > (self._wall, self._counter):
            self._wall, self._counter = wall, counter

    def tick(self, physical_ms: int) -> Stamp:
        """Issue the next stamp for a change made on this device at ``physical_ms``
        (milliseconds since 1970 on the journal's clock)."""
        physical = physical_ms
        if physical > self._wall:
            self._wall, self._counter = physical, 0
        else:
            self._counter += 1
            if self._counter > 999_999:  # keep the fixed-width encoding sortable
                self._wall, self._counter = self._wall + 1, 0
        return Stamp(self._wall, self._counter, self.device)
