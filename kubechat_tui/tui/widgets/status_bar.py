"""The status bar: row count, per-cluster load progress and freshness, sort, filter, and one
message line."""

from __future__ import annotations

from collections.abc import Mapping
from time import monotonic

from rich.text import Text
from textual.widget import Widget

from kubechat_tui.kube.types import DataState, LoadProgress
from kubechat_tui.tui.ages import human_duration
from kubechat_tui.tui.plain_text import escaped

SHOWN = 2  # clusters named per kind of trouble; the rest are counted


def progress_text(progress: Mapping[str, LoadProgress], now: float) -> Text:
    """`loaded 3/4 clusters, 1 stale (prod-us: not updated for 12s: HTTP 503…)` style
    summary: only clusters whose rows are kept current count as loaded."""
    text = Text()
    if not progress:
        return text
    states = list(progress.values())
    loaded = sum(p.loaded for p in states)
    text.append(f"loaded {loaded}/{len(states)} clusters", "green" if loaded == len(states)
                else "yellow")
    loading = [p for p in states if p.state is DataState.LOADING]
    if loading:
        text.append(f" ({sum(p.rows for p in loading):,} rows arriving)", "dim")
    stale = [p for p in states if p.state is DataState.STALE]
    if stale:
        text.append(f", {len(stale)} stale", "bold yellow")
        reasons = [f"{p.cluster}: not updated for {human_duration(now - p.since)}: "
                   f"{p.error or 'reconnecting'}" for p in stale[:SHOWN]]
        more = f"; +{len(stale) - SHOWN} more" if len(stale) > SHOWN else ""
        text.append(f" ({'; '.join(reasons)}{more})", "yellow")
    failed = [p for p in states if p.state is DataState.FAILED]
    for item in failed[:SHOWN]:
        text.append(f" · {item.cluster}: {item.error}", "red")
    if len(failed) > SHOWN:
        text.append(f" · +{len(failed) - SHOWN} more failing", "red")
    for item in [p for p in states if p.note][:SHOWN]:
        text.append(f" · {item.cluster}: {item.note}", "dim")
    return text


class StatusBar(Widget):
    """One line at the bottom; errors replace the summary until the next action."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; }
    StatusBar.-error { background: $error; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.message = ""
        self._summary = Text()
        self._text = Text()

    def render(self) -> Text:
        return self._text

    def update(self, text: Text) -> None:
        """Show `text` (a repaint of this line only, no relayout); cluster errors and
        messages may quote a server: their controls are shown as escapes."""
        self._text = escaped(text, lines=False)
        self.refresh()

    def show_summary(self, kind: str, shown: int, total: int, sort: str, filter_text: str,
                     progress: Mapping[str, LoadProgress]) -> None:
        """Counts, sort, filter, load progress and freshness (ages as of now)."""
        text = Text()
        text.append(f" {shown:,}", "bold")
        text.append(f"/{total:,} {kind}" if shown != total else f" {kind}")
        if sort:
            text.append(f" · sort {sort}")
        if filter_text:
            text.append(f" · filter /{filter_text}")
        text.append(" · ")
        text.append_text(progress_text(progress, monotonic()))
        self._summary = text
        if not self.message:
            self.update(text)

    def show_error(self, message: str) -> None:
        """A one-line error (unknown command, bad scope…)."""
        self.message = message
        self.add_class("-error")
        self.update(Text(f" {message}"))

    def show_info(self, message: str) -> None:
        """A one-line notice."""
        self.message = message
        self.remove_class("-error")
        self.update(Text(f" {message}"))

    def clear_message(self) -> None:
        """Back to the summary."""
        if self.message:
            self.message = ""
            self.remove_class("-error")
            self.update(self._summary)
