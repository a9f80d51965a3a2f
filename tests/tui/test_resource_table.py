"""The resource table on its own: rows that keep arriving scroll without re-laying out
the screen, and the scroll range always matches the rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from kubechat_tui.tui.widgets.resource_table import ResourceTable

COLUMNS = ("CLUSTER", "NAMESPACE", "NAME", "STATUS", "AGE")


def rows(count: int) -> list[tuple[str, ...]]:
    return [("c1", "ns", f"pod-{i:05d}", "Running", "2026-11-25T12:00:00Z")
            for i in range(count)]


class LayoutCountingTable(ResourceTable):
    """Counts the refreshes that ask for a new layout of the screen."""

    layouts = 0

    def refresh(self, *regions: Any, layout: bool = False, **kwargs: Any) -> Any:
        if layout:
            self.layouts += 1
        return super().refresh(*regions, layout=layout, **kwargs)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LayoutCountingTable(lambda: datetime(2026, 11, 25, 13, tzinfo=UTC))


@asynccontextmanager
async def running(app: App[None], filter_text: str = "") -> AsyncIterator[
        tuple[Pilot[None], ResourceTable]]:
    """`app` on a small terminal, its table switched to COLUMNS (AGE holds timestamps)."""
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(ResourceTable)
        table.set_kind(COLUMNS, frozenset({"AGE"}), filter_text=filter_text)
        yield pilot, table


async def test_arriving_rows_scroll_without_a_new_layout() -> None:
    async with running(TableApp()) as (pilot, table):
        assert isinstance(table, LayoutCountingTable)
        table.set_rows(rows(3))
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        table.set_rows(rows(100))  # more rows than fit: the scrollbar appears
        await pilot.pause()
        assert table.show_vertical_scrollbar
        before = table.layouts
        for count in (1_000, 5_000, 30_000):  # pages keep arriving
            table.set_rows(rows(count))
            await pilot.pause()
            assert table.virtual_size.height == count + 1  # header line + rows
            assert table.vertical_scrollbar.window_virtual_size == count + 1
        assert table.layouts == before
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor == 29_999
        assert table.scroll_y == table.max_scroll_y > 0


async def test_fewer_rows_clamp_the_scroll_and_hide_the_scrollbar() -> None:
    async with running(TableApp()) as (pilot, table):
        assert isinstance(table, LayoutCountingTable)
        table.set_rows(rows(500))
        await pilot.pause()
        await pilot.press("G")
        await pilot.pause()
        table.set_filter("pod-0000")  # 10 rows match: all fit
        await pilot.pause()
        assert table.row_count == 10
        assert table.scroll_y == 0 and table.max_scroll_y == 0
        assert not table.show_vertical_scrollbar


class SelectionApp(App[None]):
    """Records the Selected messages of its table."""

    def __init__(self) -> None:
        super().__init__()
        self.selected: list[tuple[tuple[str, ...] | None, bool]] = []

    def compose(self) -> ComposeResult:
        yield ResourceTable(lambda: datetime(2026, 11, 25, 13, tzinfo=UTC))

    def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
        self.selected.append((message.row, message.by_user))


async def test_selected_says_whether_a_key_or_arriving_rows_chose_the_row() -> None:
    app = SelectionApp()
    async with running(app, filter_text="pod-0") as (pilot, table):
        assert table.model.filter_text == "pod-0"  # a kept filter is not a key press
        await pilot.pause(0.2)
        table.set_rows(rows(20))
        await pilot.pause(0.2)
        assert app.selected == [(None, False), (rows(20)[0], False)]
        await pilot.press("j")
        await pilot.pause(0.2)
        assert app.selected[-1] == (rows(20)[1], True)
        table.set_rows(list(reversed(rows(20))))  # the cursor follows its row: no message
        await pilot.pause(0.2)
        assert len(app.selected) == 3


async def test_rows_arriving_right_after_a_key_keep_the_cursor_where_the_key_put_it() -> None:
    """The cursor follows the row it is on now, not the last one reported as selected."""
    app = SelectionApp()
    async with running(app) as (pilot, table):
        table.set_rows(rows(20))
        await pilot.pause(0.2)
        await pilot.press("j", "j")
        table.set_rows([("c0", "ns", "first", "Running", "2026-11-25T12:00:00Z"), *rows(20)])
        assert table.selected_row == rows(20)[2]
        await pilot.pause(0.2)
        assert app.selected[-1] == (rows(20)[2], True)
