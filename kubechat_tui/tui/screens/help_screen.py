"""`?`: every key (after keymap overrides) and every `:` command."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kubechat_tui.tui.bindings import GROUPS, HELP_BINDINGS, effective_keys
from kubechat_tui.tui.commands import COMMAND_HELP
from kubechat_tui.tui.row_filter import FIELDS

SET_ID_PREFIX = "main.set_"


def help_table(keymap: Mapping[str, str]) -> Table:
    """A two-column table: keys and what they do, grouped."""
    table = Table(box=None, show_header=False, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for group, bindings in GROUPS.items():
        table.add_row(Text(group, "underline"), "")
        set_keys = []
        for binding in bindings:
            if (binding.id or "").startswith(SET_ID_PREFIX):
                set_keys.append(effective_keys(binding, keymap))
            else:
                table.add_row(effective_keys(binding, keymap), binding.description)
        if set_keys:
            table.add_row(" ".join(set_keys), "all clusters (first key) / cluster set N")
        table.add_row("", "")
    table.add_row(Text(": commands", "underline"), "")
    for command, description in COMMAND_HELP.items():
        table.add_row(f":{command}", description)
    table.add_row("", "")
    table.add_row(Text("/ filter", "underline"), "")
    fields = " ".join(f"{f}:TEXT" for f in FIELDS)
    table.add_row(fields, "match a column; other words match anywhere (all AND-ed)")
    return table


class HelpScreen(ModalScreen[None]):
    """A modal list of keys; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = list(HELP_BINDINGS)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = keymap

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_scroll_page(self, pages: int) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_relative(y=pages * max(1, scroll.size.height - 1), animate=False)

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "keys — j/k scroll, escape to close"
            yield Static(help_table(self.keymap), id="help-table")
