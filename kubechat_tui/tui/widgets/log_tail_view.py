"""The log tail pane: renders only the visible rows of a LogViewModel (Line API), each line
prefixed `cluster/pod/container` in its stream's colour, errors and fatal lines
highlighted, lines that revealed an anomaly flagged, marked streams tagged. Log text is
drawn as Segments of escaped text: never parsed as markup, no control reaches the
terminal."""

from __future__ import annotations

import zlib

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kubechat_tui.domain.log_records import LogLine, LogNote, StreamKey
from kubechat_tui.domain.visible_text import visible
from kubechat_tui.engine.logtail.buffer import Entry
from kubechat_tui.tui.log_view_model import LogViewModel

STREAM_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_cyan",
                  "bright_magenta", "bright_green", "bright_blue", "orange1", "orchid",
                  "turquoise2")
SEVERITY_STYLES = {"fatal": Style(color="white", bgcolor="red", bold=True),
                   "error": Style(color="bright_red"), "warn": Style(color="yellow")}
NOTE_STYLE = Style(dim=True, italic=True)
ERROR_NOTE = Style(color="bright_red", italic=True)
FLAG_STYLE = Style(color="black", bgcolor="yellow", bold=True)
CURSOR_BG = Style(bgcolor="grey23")
RANGE_BG = Style(bgcolor="dark_blue")
NEW_MARK = Style(overline=True)
PLAIN = Style()


def stream_colour(key: StreamKey) -> str:
    """One colour per stream, stable across runs."""
    return STREAM_COLOURS[zlib.crc32(key.label().encode()) % len(STREAM_COLOURS)]


class LogTailView(ScrollView, can_focus=True):
    """A virtual view over the model; `refresh_rows()` after the model changed."""

    DEFAULT_CSS = """
    LogTailView { border: round $primary-darken-1; height: 1fr; }
    LogTailView:focus { border: round $accent; }
    """

    def __init__(self, model: LogViewModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self._colours: dict[tuple[StreamKey, bool], Style] = {}

    def refresh_rows(self) -> None:
        """Resize to the model and keep the newest line in view while following."""
        width = self._text_width()
        model = self.model
        columns = width if model.wrap else max(width, max(model.lengths, default=0))
        size = Size(columns, model.row_count(width))
        if size != self.virtual_size:  # without a re-layout of the screen (ResourceTable)
            self.set_reactive(LogTailView.virtual_size, size)
            self._scroll_update(size)
        if model.following:
            self.scroll_to(y=max(0, size.height - self.scrollable_content_region.height),
                           animate=False, immediate=True)
        self.refresh()

    def show_cursor(self) -> None:
        """Scroll so the cursor's line is visible."""
        width = self._text_width()
        row = self.model.first_row(self.model.cursor, width)
        self.scroll_to_region(Region(0, row, 1, 1), animate=False, immediate=True)
        self.refresh()

    def _text_width(self) -> int:
        return max(10, self.scrollable_content_region.width)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        model = self.model
        text_width = self._text_width()
        index, piece = model.locate(scroll_y + y, text_width)
        if index >= len(model.entries):
            return Strip.blank(width, base)
        entry = model.entries[index]
        row_style = base
        if index == model.cursor and not model.following:
            row_style = base + CURSOR_BG
        elif model.in_selection(index):
            row_style = base + RANGE_BG
        strip = Strip(self._segments(entry, row_style))
        if model.wrap:
            start = piece * text_width
            return strip.crop_extend(start, start + width, row_style)
        return strip.crop_extend(scroll_x, scroll_x + width, row_style)

    def _segments(self, entry: Entry, row: Style) -> list[Segment]:
        model = self.model
        event = entry.event
        new = model.first_new_seq is not None and entry.seq == model.first_new_seq
        extra = NEW_MARK if new else PLAIN
        prefix = model.prefix_of(entry)
        if isinstance(event, LogNote):
            style = ERROR_NOTE if event.kind == "error" else NOTE_STYLE
            return [Segment(prefix + " ", row + NOTE_STYLE + extra),
                    Segment(model.text_of(entry), row + style + extra)]
        assert isinstance(event, LogLine)
        colour = self._colour(event.key, event.key in model.marked)
        text_style = SEVERITY_STYLES.get(entry.severity or "", PLAIN)
        segments = [Segment(prefix + " ", row + colour + extra),
                    Segment(model.text_of(entry), row + text_style + extra)]
        if entry.flag:
            segments.append(Segment(f"  ⚠ {visible(entry.flag, lines=False)}", FLAG_STYLE))
        return segments

    def _colour(self, key: StreamKey, marked: bool) -> Style:
        found = self._colours.get((key, marked))
        if found is None:
            if len(self._colours) > 10_000:
                self._colours.clear()
            found = self._colours[(key, marked)] = Style(color=stream_colour(key), bold=marked)
        return found
