"""A virtualized multi-cluster resource table: renders only the visible rows (Line API).
Cells come from the clusters (names, event messages): drawn with their controls shown as
escapes, since a Segment's text goes to the terminal as it is."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from kubechat_tui.domain.ages import restarts_shown
from kubechat_tui.domain.visible_text import visible
from kubechat_tui.tui.ages import Clock, age
from kubechat_tui.tui.bindings import TABLE_BINDINGS
from kubechat_tui.tui.row_filter import STATUS_COLUMNS, Row
from kubechat_tui.tui.table_model import TableModel

GOOD_STATUS = frozenset({"running", "completed", "succeeded", "ready", "normal", "active", ""})
SAMPLE_ROWS = 400
MAX_COLUMN_WIDTH = 48
AGE_WIDTH = 7
GAP = 2
SETTLE_SECONDS = 0.12
AGE_REFRESH_SECONDS = 5.0


class ResourceTable(ScrollView, can_focus=True):
    """Line 0 is the column header; line y >= 1 shows view row `scroll_y + y - 1`."""

    BINDINGS: ClassVar[list[BindingType]] = list(TABLE_BINDINGS)
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header", "resource-table--cursor", "resource-table--cluster",
        "resource-table--bad",
    }
    DEFAULT_CSS = """
    ResourceTable { background: $surface; }
    ResourceTable > .resource-table--header { background: $panel; color: $text; text-style: bold; }
    ResourceTable > .resource-table--cursor { background: $block-cursor-blurred-background; }
    ResourceTable:focus > .resource-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    ResourceTable > .resource-table--cluster { color: $accent; }
    ResourceTable > .resource-table--bad { color: $error; }
    """

    class Selected(Message):
        """The cursor settled on a row (None: the table is empty); `by_user` when a key
        moved it there (a filter, sort or cursor key), not rows arriving."""

        def __init__(self, row: Row | None, by_user: bool = True) -> None:
            super().__init__()
            self.row = row
            self.by_user = by_user

    class SortChanged(Message):
        """The sort column or direction changed (by key)."""

    def __init__(self, clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.model = TableModel(())
        self.cursor = 0
        self._widths: list[int] = []
        self._status_index: int | None = None
        self._restarts_index: int | None = None
        self._settle: Timer | None = None
        self._selected: Row | None = None
        self._moved_by_user = False  # a key moved the cursor since the last Selected
        self._styles: dict[str, Style] = {}
        self._key: Callable[[Row], object] = itemgetter(0, 1, 2)

    def on_mount(self) -> None:
        self.set_interval(AGE_REFRESH_SECONDS, self.refresh)  # ages advance with the clock

    # --- data -------------------------------------------------------------------------

    def set_kind(self, columns: tuple[str, ...], age_columns: frozenset[str],
                 key_columns: tuple[int, ...] = (0, 1, 2), filter_text: str = "") -> None:
        """Switch to another resource kind: new columns, no rows yet, `filter_text` kept.
        `key_columns` identify an object (cluster, namespace, name) so the cursor can
        follow it."""
        self.model = TableModel(columns, age_columns)
        self.model.set_filter(filter_text)
        self._key = itemgetter(*dict.fromkeys(key_columns))
        upper = [c.upper() for c in columns]
        self._status_index = next((upper.index(c) for c in STATUS_COLUMNS if c in upper), None)
        self._restarts_index = upper.index("RESTARTS") if "RESTARTS" in upper else None
        self.cursor = 0
        self._selected = ()  # differs from any row and from None: the next settle reports
        self._moved_by_user = False
        self._after_view_change(None, by_user=False)

    def set_rows(self, rows: list[Row]) -> None:
        """A new inventory snapshot; the cursor stays on the same object when it can."""
        current = self.selected_row
        self.model.set_rows(rows)
        self._after_view_change(current, by_user=False)

    def set_filter(self, text: str) -> None:
        """Client-side filter (`/`); the cursor goes to the top if its row is filtered out."""
        current = self.selected_row
        self.model.set_filter(text)
        self._after_view_change(current, fallback_top=True)

    def sort_by(self, column_name: str) -> None:
        """`:sort NAME`; raises ValueError for an unknown column."""
        current = self.selected_row
        self.model.sort_by_name(column_name)
        self._after_view_change(current)

    @property
    def row_count(self) -> int:
        """Rows after filtering."""
        return len(self.model.view)

    @property
    def selected_row(self) -> Row | None:
        """The row under the cursor."""
        view = self.model.view
        return view[self.cursor] if 0 <= self.cursor < len(view) else None

    def _after_view_change(self, previous: Row | None, fallback_top: bool = False,
                           by_user: bool = True) -> None:
        """Keep the cursor on `previous` (the row it was on before the view changed)."""
        view = self.model.view
        if previous is not None and self.selected_row != previous:
            fallback = 0 if fallback_top else self.cursor
            self.cursor = self._find(previous, fallback)
        self.cursor = max(0, min(self.cursor, len(view) - 1))
        self._measure()
        self._resize(Size(sum(self._widths) + GAP * len(self._widths), len(view) + 1))
        self._scroll_cursor_into_view()
        self.refresh()
        self._schedule_selected(by_user)

    def _resize(self, size: Size) -> None:
        """Set the scrollable size without re-laying out the screen: assigning
        `virtual_size` re-lays out every widget (~10-100 ms with this screen), and rows
        arrive up to 10 times a second while lists load. The table's own region does not
        change; a scrollbar that appears or goes away still asks for a layout itself."""
        if size != self.virtual_size:
            self.set_reactive(ResourceTable.virtual_size, size)
            self._scroll_update(size)

    def _find(self, row: Row, default: int) -> int:
        """The view index of the object `row` shows (matched by key columns)."""
        if not row:
            return default
        key, get_key = self._key(row), self._key
        return next((i for i, other in enumerate(self.model.view) if get_key(other) == key),
                    default)

    def _measure(self) -> None:
        columns = self.model.columns
        rows = self.model.view or []
        step = max(1, len(rows) // SAMPLE_ROWS)
        sample = rows[::step]
        widths = []
        for index, name in enumerate(columns):
            if index in self.model.age_indexes:
                widths.append(max(AGE_WIDTH, len(name)))
                continue
            if index == self._restarts_index:  # "17 (3m12s ago)" at most, as shown
                longest = max((len(row[index].split(" ", 1)[0]) for row in sample), default=0)
                has_time = any(" " in row[index] for row in sample)
                widths.append(max(len(name), longest + (len(" (10m10s ago)") if has_time
                                                        else 0)))
                continue
            longest = max((len(visible(row[index], lines=False)) for row in sample), default=0)
            widths.append(min(MAX_COLUMN_WIDTH, max(len(name), longest)))
        self._widths = widths

    # --- cursor -------------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        """Put the cursor on a view row (clamped) and keep it visible."""
        last = len(self.model.view) - 1
        new = max(0, min(index, last))
        if new != self.cursor:
            self.cursor = new
            self._scroll_cursor_into_view()
            self.refresh()
            self._schedule_selected()

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor > top + self._page - 1:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False, immediate=True)

    def _schedule_selected(self, by_user: bool = True) -> None:
        self._moved_by_user = self._moved_by_user or by_user
        if self._settle is not None:
            self._settle.stop()
        self._settle = self.set_timer(SETTLE_SECONDS, self._post_selected)

    def _post_selected(self) -> None:
        row, by_user = self.selected_row, self._moved_by_user
        self._moved_by_user = False
        if row != self._selected:
            self._selected = row
            self.post_message(self.Selected(row, by_user))

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self.move_cursor(0)

    def action_cursor_bottom(self) -> None:
        self.move_cursor(len(self.model.view) - 1)

    def action_half_page_down(self) -> None:
        self.move_cursor(self.cursor + self._page // 2)

    def action_half_page_up(self) -> None:
        self.move_cursor(self.cursor - self._page // 2)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self._page)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self._page)

    def action_cycle_sort(self) -> None:
        current = self.selected_row
        self.model.cycle_sort()
        self._after_view_change(current)
        self.post_message(self.SortChanged())

    def action_reverse_sort(self) -> None:
        current = self.selected_row
        self.model.reverse_sort()
        self._after_view_change(current)
        self.post_message(self.SortChanged())

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(round(self.scroll_y) + event.y - 1)

    # --- rendering ----------------------------------------------------------------------

    def sort_label(self) -> str:
        """`NAME ▲` for the status bar, or "" when unsorted."""
        if self.model.sort_column is None:
            return ""
        arrow = "▼" if self.model.sort_reverse else "▲"
        return f"{self.model.columns[self.model.sort_column]} {arrow}"

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _on_focus(self, event: events.Focus) -> None:
        self._styles.clear()
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        self._styles.clear()
        super()._on_blur(event)

    def _style(self, name: str) -> Style:
        """Base style plus a component style, cached until the CSS or focus changes."""
        style = self._styles.get(name)
        if style is None:
            base = self.rich_style
            style = base if name == "base" else base + self.get_component_rich_style(name)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._style("base")
        if y == 0:
            header = self._style("resource-table--header")
            cells = list(self.model.columns)
            if self.model.sort_column is not None:
                arrow = "▼" if self.model.sort_reverse else "▲"
                cells[self.model.sort_column] += arrow
            strip = Strip([Segment(self._join(cells), header)])
            return strip.crop_extend(scroll_x, scroll_x + width, header)
        index = scroll_y + y - 1
        view = self.model.view
        if index >= len(view):
            return Strip.blank(width, base)
        cursor = index == self.cursor
        row_style = self._style("resource-table--cursor") if cursor else base
        strip = Strip(self._row_segments(view[index], row_style, cursor))
        return strip.crop_extend(scroll_x, scroll_x + width, row_style)

    def _row_segments(self, row: Row, style: Style, cursor: bool) -> list[Segment]:
        now = self.clock()
        cluster_style = style if cursor else self._style("resource-table--cluster")
        bad_style = style if cursor else self._style("resource-table--bad")
        segments = []
        for index, width in enumerate(self._widths):
            value = row[index] if index < len(row) else ""
            if index in self.model.age_indexes:
                value = age(value, now)
            elif index == self._restarts_index:
                value = restarts_shown(value, now)
            cell_style = style
            if index == 0:
                cell_style = cluster_style
            elif index == self._status_index and value.lower() not in GOOD_STATUS:
                cell_style = bad_style
            segments.append(Segment(_fit(visible(value, lines=False), width) + " " * GAP,
                                    cell_style))
        return segments

    def _join(self, cells: list[str]) -> str:
        return "".join(_fit(c, w) + " " * GAP for c, w in zip(cells, self._widths, strict=False))


def _fit(text: str, width: int) -> str:
    """Pad or truncate (with an ellipsis) to exactly `width` cells."""
    if len(text) > width:
        return text[: width - 1] + "…"
    return text.ljust(width)
