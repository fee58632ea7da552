"""A list of things to tick: prep items, agenda items, action items.

Ticked items show "[✓]", open ones "[ ]", and items that belong to the partner are
shown but cannot be ticked here (they say whose they are), so the state reads the
same without colour. Space (or a click on the box) ticks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from rmpair.screens import fmt
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from rmpair.i18n import N_, _


@dataclass(frozen=True)
class Item:
    """One line: its key, text, whether it is ticked, and whether this device may tick it."""

    key: str
    text: str
    done: bool
    mine: bool = True


class CheckList(OptionList):
    """Items with a box each; space toggles the highlighted one."""

    BINDINGS = [Binding("space", "tick", N_("Tick / untick"), key_display="space")]

    @dataclass
    class Toggled(Message):
        """The user asked to (un)tick ``key``; ``done`` is the state wanted."""

        checklist: CheckList
        key: str
        done: bool

        @property
        def control(self) -> CheckList:
            return self.checklist

    def __init__(self, title: str, *, id: str | None = None, empty: str = "") -> None:
        super().__init__(id=id, classes="checklist")
        self.border_title = title
        self.items: list[Item] = []
        self.empty = empty

    def set_items(self, items: Sequence[Item]) -> None:
        """Show ``items``, keeping the highlight on the same key where possible."""
        current = self.highlighted
        key = self.items[current].key if current is not None and current < len(self.items) else None
        self.items = list(items)
        self.clear_options()
        if not self.items:
            self.add_option(Option(Text(self.empty or _("(nothing here)")), disabled=True))
            return
        self.add_options([Option(self._label(item), id=item.key) for item in self.items])
        keys = [item.key for item in self.items]
        if key in keys:
            self.highlighted = keys.index(key)
        elif current is not None:
            self.highlighted = min(current, len(self.items) - 1)
        else:
            self.highlighted = 0

    @staticmethod
    def _label(item: Item) -> Table:
        """The box and the text in two columns, so a long text wraps under itself
        (a hanging indent) and the box stays alone at the left."""
        box = fmt.check(item.done)
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(width=cell_len(box), no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_row(box, Text(item.text))
        return grid

    def action_tick(self) -> None:
        index = self.highlighted
        if index is None or index >= len(self.items):
            return
        item = self.items[index]
        if not item.mine:
            self.app.notify(_("That item is your partner's to tick."))
            return
        self.post_message(CheckList.Toggled(self, item.key, not item.done))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Enter or a click ticks as well: the box is the only thing to do with an item.
        event.stop()
        self.action_tick()
