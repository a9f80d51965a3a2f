"""The status bar: row count, per-cluster load progress, sort, filter, and one message line."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widget import Widget

from kubechat_tui.kube.types import LoadProgress
from kubechat_tui.tui.plain_text import escaped


def progress_text(progress: Mapping[str, LoadProgress]) -> Text:
    """`loaded 3/4 clusters · prod-us: error…` style summary."""
    text = Text()
    if not progress:
        return text
    done = sum(1 for p in progress.values() if p.done)
    failed = [p for p in progress.values() if p.error]
    style = "green" if done == len(progress) and not failed else "yellow"
    text.append(f"loaded {done}/{len(progress)} clusters", style)
    loading = [p for p in progress.values() if not p.done and not p.error]
    if loading:
        text.append(f" ({sum(p.rows for p in loading):,} rows arriving)", "dim")
    for item in failed[:2]:
        text.append(f" · {item.cluster}: {item.error}", "red")
    if len(failed) > 2:
        text.append(f" · +{len(failed) - 2} more failing", "red")
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
        """Counts, sort, filter and load progress."""
        text = Text()
        text.append(f" {shown:,}", "bold")
        text.append(f"/{total:,} {kind}" if shown != total else f" {kind}")
        if sort:
            text.append(f" · sort {sort}")
        if filter_text:
            text.append(f" · filter /{filter_text}")
        text.append(" · ")
        text.append_text(progress_text(progress))
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
