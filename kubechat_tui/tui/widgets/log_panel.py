"""The log panel: recent lines of the selected pod's container, capped."""

from __future__ import annotations

from textual.widgets import Log

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
        self.border_title = f"logs · {title}"
        self.clear()
        self.write_lines(lines[-MAX_LOG_LINES:])

    def show_note(self, title: str, note: str) -> None:
        """A one-line note instead of logs (not a pod, error…)."""
        self.border_title = f"logs · {title}" if title else "logs"
        self.clear()
        self.write_line(note)
