"""A table that draws only the rows on screen, so 10,000 topics open and scroll at once.

Textual's DataTable measures every cell of every row when rows are added (about two
seconds for 10,000 topics; see docs/benchmarks-app.md). The lists in rmpair have
fixed columns and one line per row, so this table needs no measuring: setting
the rows stores a list, and ``render_line`` formats just the visible lines.

The cursor row is marked with "›" as well as reverse video, so it shows without
colour. Keys: arrows, page up/down, home/end; enter (or a double click) selects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rmpair.i18n import N_

CURSOR = "›"


@dataclass(frozen=True)
class Column:
    """A column's heading and width; ``width=0`` takes the room the others leave."""

    label: str
    width: int = 0


Row = tuple[str, tuple[str, ...]]  # (key, cells)
ELLIPSIS = "…"


def widest(*texts: str) -> int:
    """The width of a column that must show each of ``texts`` whole (translated labels,
    dates: their length depends on the language)."""
    return max((cell_len(text) for text in texts), default=0)


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells; a cut is marked with "…" so it never reads
    as a whole (shorter) word."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(width - 1, 0)) + ELLIPSIS if width else ""


class Table(ScrollView, can_focus=True):
    """Rows of text in fixed columns with a cursor; renders only what is visible."""

    BINDINGS = [
        Binding("up", "move(-1)", N_("Up"), show=False),
        Binding("down", "move(1)", N_("Down"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
        Binding("home", "jump(0)", N_("First"), show=False),
        Binding("end", "jump(-1)", N_("Last"), show=False),
    ]

    COMPONENT_CLASSES = {"table--header", "table--cursor", "table--muted"}

    DEFAULT_CSS = """
    Table { height: 1fr; overflow-x: hidden; }
    Table > .table--header { text-style: bold; }
    Table > .table--cursor { text-style: reverse; }
    Table:blur > .table--cursor { text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to the row with ``key``."""

        table: Table
        key: str | None

        @property
        def control(self) -> Table:
            return self.table

    @dataclass
    class Selected(Message):
        """The row with ``key`` was chosen (enter or double click)."""

        table: Table
        key: str

        @property
        def control(self) -> Table:
            return self.table

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.rows: list[Row] = []
        self._where: dict[str, int] = {}
        self.empty_text = ""

    # -- content ---------------------------------------------------------------

    def set_rows(self, rows: Sequence[Row], *, keep: str | None = None) -> None:
        """Replace the rows; the cursor stays on ``keep`` (default: the current row)."""
        wanted = keep if keep is not None else self.cursor_key
        old = self.cursor
        self.rows = list(rows)
        self._where = {key: n for n, (key, _cells) in enumerate(self.rows)}
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        target = self._where.get(wanted, min(old, len(self.rows) - 1)) if wanted else old
        self.cursor = max(0, min(target, len(self.rows) - 1))
        self.refresh()

    @property
    def cursor_key(self) -> str | None:
        return self.rows[self.cursor][0] if 0 <= self.cursor < len(self.rows) else None

    def row_index(self, key: str) -> int | None:
        return self._where.get(key)

    def move_to(self, key: str) -> None:
        index = self._where.get(key)
        if index is not None:
            self.cursor = index

    # -- cursor ----------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, value: int) -> None:
        # Keep the cursor row in view (line 0 is the heading); when nothing scrolled,
        # only the two rows whose marker changed are drawn again.
        before = self.scroll_offset
        self.scroll_to_region(Region(0, value, 1, 2), animate=False, force=True)
        if self.scroll_offset == before:
            self.refresh_line(old + 1)
            self.refresh_line(value + 1)
        else:
            self.refresh()
        self.post_message(Table.Highlighted(self, self.cursor_key))

    def action_move(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else len(self.rows) - 1

    def key_enter(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(Table.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.rows):
            self.cursor = index
            if event.chain >= 2:
                self.post_message(Table.Selected(self, self.rows[index][0]))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows) + 1)

    # -- drawing -----------------------------------------------------------------

    def widths(self, total: int) -> list[int]:
        """Each column's width for a table ``total`` cells wide (with one gap each)."""
        fixed = sum(c.width for c in self.columns) + len(self.columns) + 1
        flexible = [c for c in self.columns if c.width == 0]
        room = max(total - fixed, 8 * len(flexible))
        share = room // len(flexible) if flexible else 0
        return [c.width or share for c in self.columns]

    def _line(self, marker: str, cells: Sequence[str], widths: list[int]) -> str:
        parts = [fit(" ".join(str(cell).split()), w) for cell, w in zip(cells, widths, strict=True)]
        return marker + " " + " ".join(parts)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self.widths(width)
        if y == 0:
            text = self._line(" ", [c.label for c in self.columns], widths)
            style = self.get_component_rich_style("table--header")
        else:
            index = int(self.scroll_offset.y) + y - 1
            if index >= len(self.rows):
                if index == 0 and self.empty_text:
                    style = self.get_component_rich_style("table--muted")
                    return Strip([Segment(set_cell_size("  " + self.empty_text, width), style)])
                return Strip.blank(width, self.rich_style)
            _key, cells = self.rows[index]
            mine = index == self.cursor
            text = self._line(CURSOR if mine else " ", cells, widths)
            style = self.get_component_rich_style("table--cursor") if mine else self.rich_style
        text = set_cell_size(text, width) if cell_len(text) != width else text
        return Strip([Segment(text, style)])
