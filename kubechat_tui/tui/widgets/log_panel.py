"""The log panel: recent lines of the selected pod's container, capped. A log line is
whatever the container wrote: its controls are shown as escapes (the Log widget itself
replaces only U+0000-U+0014, so ESC would reach the terminal)."""

from __future__ import annotations

from textual.widgets import Log

from kubechat_tui.domain.visible_text import visible
from kubechat_tui.tui.plain_text import plain

MAX_LOG_LINES = 500


class LogPanel(Log):
    """A capped Log; the screen fills it from a worker's LogsLoaded message."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    LogPanel { border: round $primary-darken-1; border-title-color: $accent; height: 12; }
    LogPanel:focus { border: round $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=MAX_LOG_LINES, auto_scroll=True, id=id)
        self.border_title = "logs"

    def show_lines(self, title: str, lines: list[str]) -> None:
        """Replace the content with the tail of a pod's log."""
        self.border_title = plain(f"logs · {title}", lines=False)
        self.clear()
        self.write_lines([visible(line) for line in lines[-MAX_LOG_LINES:]])

    def show_note(self, title: str, note: str) -> None:
        """A one-line note instead of logs (not a pod, error…)."""
        self.border_title = plain(f"logs · {title}" if title else "logs", lines=False)
        self.clear()
        self.write_line(visible(note, lines=False))
