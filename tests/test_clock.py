"""One clock: nothing in rmpair/ or screens/ reads the wall clock except rmpair/clock.py.

Every "now" goes through the ``Clock`` the journal or the app was given, so the
suite (and the demo) can fix the time. This scan reads the source as Python syntax,
so an aliased import or a call split over lines is found as well.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from rmpair.clock import FixedClock, SystemClock, as_utc, epoch_ms, local_now, today_in

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {ROOT / "rmpair" / "clock.py"}

# datetime.now(), date.today() and friends, however the module or class is spelled.
CLASS_READS = {"now", "utcnow", "today"}
# time.time() and the other functions of the time module that read the wall clock.
TIME_READS = {"time", "time_ns", "clock_gettime", "clock_gettime_ns", "ctime", "asctime"}
# These read the clock only when called without a moment to convert: the number of
# arguments that leaves the moment out.
TIME_READS_WITHOUT_MOMENT = {"localtime": 0, "gmtime": 0, "strftime": 1}


def _name(node: ast.expr) -> str:
    """The last name of ``a.b.c`` (``c``), or of a plain name."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def clock_reads(source: str) -> list[int]:
    """Lines of ``source`` that read the wall clock directly."""
    tree = ast.parse(source)
    time_aliases = {"time"}  # names bound to the time module
    direct: set[str] = set()  # names bound to a clock-reading function itself
    found: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "time":
                    time_aliases.add(alias.asname or "time")
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            for alias in node.names:
                if alias.name in TIME_READS | set(TIME_READS_WITHOUT_MOMENT):
                    direct.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = _name(node.value)
            if (node.attr in CLASS_READS and owner in {"datetime", "date"}) or (
                isinstance(node.value, ast.Name)
                and node.value.id in time_aliases
                and node.attr in TIME_READS
            ):
                found.append(node.lineno)
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in time_aliases
                and TIME_READS_WITHOUT_MOMENT.get(func.attr) == len(node.args)
            ):
                found.append(node.lineno)
        if isinstance(node, ast.Name) and node.id in direct:
            found.append(node.lineno)
    return sorted(set(found))


def sources() -> list[Path]:
    files = sorted((ROOT / "rmpair").rglob("*.py")) + sorted((ROOT / "screens").rglob("*.py"))
    return [path for path in files if path not in ALLOWED]


def test_no_module_reads_the_wall_clock_directly() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sources()
        for line in clock_reads(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read the time through rmpair.clock instead: " + ", ".join(offenders)


def test_the_scan_covers_the_whole_core_and_the_app() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in sources()}
    assert {"rmpair/journal.py", "rmpair/cli/session.py", "screens/app.py"} <= names


@pytest.mark.parametrize(
    "snippet",
    [
        "import datetime as dt\nx = dt.datetime.now(dt.UTC)",
        "import datetime\nx = datetime.datetime.utcnow()",
        "from datetime import date\nx = date.today()",
        "from datetime import datetime\nx = datetime.now()",
        "import time\nx = time.time()",
        "import time as t\nx = t.time_ns()",
        "from time import time\nx = time()",
        "from time import time_ns as ns\nx = ns()",
        "import time\nx = time.localtime()",
        "import time\nx = time.strftime('%H')",
        "import time\nf = time.time\n",
        "import datetime as dt\nf = dt.date.today\n",
    ],
)
def test_the_scan_catches_every_way_of_reading_the_clock(snippet: str) -> None:
    assert clock_reads(snippet) == [2]


@pytest.mark.parametrize(
    "snippet",
    [
        "import time\ntime.sleep(1)",
        "import time\nx = time.monotonic()",
        "import time\nx = time.perf_counter()",
        "import time\nx = time.localtime(0)",
        "import time\nx = time.strftime('%H', time.gmtime(0))",
        "import datetime as dt\nx = dt.datetime.fromtimestamp(0, dt.UTC)",
        "def f(clock):\n    return clock.now()",
        "def f(journal):\n    return journal.today()",
    ],
)
def test_the_scan_leaves_what_does_not_read_the_clock(snippet: str) -> None:
    assert clock_reads(snippet) == []


def test_a_fixed_clock_shows_what_it_is_set_to() -> None:
    clock = FixedClock(dt.datetime(2027, 3, 28, 0, 30))  # naive: taken as UTC
    assert clock.now() == dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
    assert epoch_ms(clock) == 1_806_193_800_000
    clock.advance(dt.timedelta(hours=1))
    # 01:30 UTC is 03:30 in Berlin: the night the clocks went forward.
    assert local_now(clock, "Europe/Berlin") == dt.datetime(2027, 3, 28, 3, 30)
    clock.set(dt.datetime(2027, 12, 31, 23, 30, tzinfo=dt.UTC))
    assert today_in(clock, "UTC") == dt.date(2027, 12, 31)
    assert today_in(clock, "Asia/Tokyo") == dt.date(2028, 1, 1)
    assert today_in(clock, "No/Such_Zone") == dt.date(2027, 12, 31)  # falls back to UTC


def test_the_system_clock_is_aware_and_in_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
    assert as_utc(now) == now
