"""What the log tail pane shows, without Textual: the filtered entries (bounded), follow or
paused (with the count of lines that arrived since), the cursor and a marked range, wrap
and JSON level-first, and the rows a width wraps the entries into."""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable
from itertools import accumulate

from kubechat_tui.domain.log_records import LogLine, StreamKey
from kubechat_tui.domain.visible_text import visible
from kubechat_tui.engine.logtail.buffer import Entry
from kubechat_tui.engine.logtail.patterns import SHOW_ALL, CompiledFilter
from kubechat_tui.engine.logtail.severity import level_first

MAX_SHOWN_CHARS = 4000  # of one line on screen (the whole line is copied and saved)
MARKED = "⚑ "  # before the prefix of a stream whose error rate jumped


class LogViewModel:
    """The shown entries of a tail and how they are shown."""

    def __init__(self, capacity: int) -> None:
        self.entries: deque[Entry] = deque(maxlen=capacity)
        self.lengths: deque[int] = deque(maxlen=capacity)  # cells each entry takes
        self.shown: CompiledFilter = SHOW_ALL
        self.following = True
        self.new_lines = 0  # arrived while paused
        self.first_new_seq: int | None = None
        self.wrap = False
        self.json_first = False
        self.cursor = 0
        self.anchor: int | None = None  # seq where a marked range starts
        self.marked: set[StreamKey] = set()  # streams with an error-rate anomaly
        self._labels: dict[StreamKey, str] = {}  # escaped prefixes, one per stream
        self._starts: list[int] = []  # wrap: the rows up to and including each entry
        self._width = 0
        self._dirty = True

    def add(self, entries: list[Entry]) -> int:
        """Append the entries the filter shows; how many."""
        added = 0
        for entry in entries[-(self.entries.maxlen or len(entries)):]:
            if self._passes(entry):
                self.entries.append(entry)
                self.lengths.append(self.full_length(entry))
                added += 1
                if not self.following:
                    self.new_lines += 1
                    if self.first_new_seq is None:
                        self.first_new_seq = entry.seq
        if added:
            self._dirty = True
            if self.following:
                self.cursor = len(self.entries) - 1
            else:
                self.cursor = min(self.cursor, len(self.entries) - 1)
        return added

    def refilter(self, shown: CompiledFilter, everything: Iterable[Entry]) -> None:
        """Show `everything` again through a new filter (the streams go on untouched)."""
        self.shown = shown
        self.entries.clear()
        self.entries.extend(e for e in everything if self._passes(e))
        self.cursor = max(0, len(self.entries) - 1)
        self.anchor = None
        self.invalidate()

    def _passes(self, entry: Entry) -> bool:
        event = entry.event
        if isinstance(event, LogLine):
            return self.shown.matches(event.text, event.key.container)
        return not self.shown.spec.container or (
            event.key is None or event.key.container == self.shown.spec.container)

    def pause(self) -> None:
        """Stop following: the view stays where it is while lines arrive."""
        if self.following:
            self.following = False
            self.new_lines, self.first_new_seq = 0, None

    def follow(self) -> None:
        """Follow again: jump to the newest line."""
        self.following = True
        self.new_lines, self.first_new_seq = 0, None
        self.cursor = max(0, len(self.entries) - 1)

    def move(self, delta: int) -> None:
        """Move the cursor (pauses; reaching the end does not resume)."""
        self.pause()
        self.cursor = max(0, min(len(self.entries) - 1, self.cursor + delta))

    def toggle_mark(self) -> None:
        """Start a marked range at the cursor, or clear it."""
        if self.anchor is not None or not self.entries:
            self.anchor = None
        else:
            self.anchor = self.entries[self.cursor].seq

    def selection(self) -> list[Entry]:
        """The marked range (anchor to cursor), else the cursor's entry."""
        if not self.entries:
            return []
        end = self.cursor
        start = end
        if self.anchor is not None:
            start = next((i for i, e in enumerate(self.entries) if e.seq == self.anchor), end)
        low, high = sorted((start, end))
        return [self.entries[i] for i in range(low, high + 1)]

    def in_selection(self, index: int) -> bool:
        """True for rows of the marked range."""
        if self.anchor is None or not self.entries:
            return False
        seq = self.entries[index].seq
        low, high = sorted((self.anchor, self.entries[self.cursor].seq))
        return low <= seq <= high

    def text_of(self, entry: Entry) -> str:
        """The entry's text as shown (JSON level-first when on), controls escaped."""
        event = entry.event
        text = event.text if isinstance(event, LogLine) else entry.text
        if self.json_first and isinstance(event, LogLine):
            text = level_first(text)
        return visible(text[:MAX_SHOWN_CHARS], lines=False)

    def prefix_of(self, entry: Entry) -> str:
        """`cluster/pod/container` (`kubechat` for a note about the whole tail)."""
        key = entry.key
        if key is None:
            return "kubechat"
        label = self._labels.get(key)
        if label is None:
            if len(self._labels) > 4 * (self.entries.maxlen or 0):
                self._labels.clear()
            label = self._labels[key] = visible(key.label(), lines=False)
        return MARKED + label if key in self.marked else label

    def full_length(self, entry: Entry) -> int:
        """Cells of prefix, space and text (measured without building the shown text
        when the line is plain printable text, the common case)."""
        event = entry.event
        if isinstance(event, LogLine) and not self.json_first and event.text.isprintable():
            text = len(event.text) if len(event.text) < MAX_SHOWN_CHARS else MAX_SHOWN_CHARS
        else:
            text = len(self.text_of(entry))
        return len(self.prefix_of(entry)) + 1 + text

    # --- rows: one per entry, or several when wrapping ----------------------------------

    def row_count(self, width: int) -> int:
        """Rows the entries take at `width` columns of text."""
        if not self.wrap:
            return len(self.entries)
        self._layout(width)
        return self._starts[-1] if self._starts else 0

    def locate(self, row: int, width: int) -> tuple[int, int]:
        """(entry index, which wrapped piece) shown on `row`."""
        if not self.wrap:
            return row, 0
        self._layout(width)
        index = bisect.bisect_right(self._starts, row)
        return index, row - (self._starts[index - 1] if index else 0)

    def first_row(self, index: int, width: int) -> int:
        """The first row of entry `index`."""
        if not self.wrap or index <= 0:
            return max(index, 0)
        self._layout(width)
        return self._starts[index - 1]

    def _layout(self, width: int) -> None:
        if not self._dirty and width == self._width:
            return
        self._width, self._dirty = width, False
        step = max(width, 1)
        self._starts = list(accumulate(max(1, -(-n // step)) for n in self.lengths))

    def invalidate(self) -> None:
        """The filter, level-first or the marked streams changed: measure every entry."""
        self.lengths.clear()
        self.lengths.extend(self.full_length(e) for e in self.entries)
        self._dirty = True
