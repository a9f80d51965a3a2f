"""The detail pane: describe-style text or YAML of the selected object, and its recent events.
Everything in it comes from the cluster: shown as text, its controls as escapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from kubechat_tui.tui.ages import age
from kubechat_tui.tui.messages import ObjectKey
from kubechat_tui.tui.plain_text import escaped, plain

MAX_DETAIL_LINES = 400


def events_text(events: list[dict[str, Any]], now: datetime) -> Text:
    """`AGE TYPE REASON MESSAGE` lines, newest last, Warnings highlighted."""
    text = Text("\n\nEvents:\n", "bold")
    if not events:
        text.append("  <none>\n", "dim")
        return text
    for event in events:
        stamp = event.get("lastTimestamp") or event.get("eventTime") or ""
        kind = str(event.get("type", ""))
        line = f"  {age(stamp, now):>6}  {kind:<8} {event.get('reason', ''):<18} "
        text.append(line, "yellow" if kind == "Warning" else "")
        text.append(f"{event.get('message', '')}\n")
    return text


def title(mode: str, key: ObjectKey) -> Text:
    """`describe · prod-eu/payments-api-…` (a Text: a str title is parsed as markup)."""
    return plain(f"{mode} · {key.cluster}/{key.name}", lines=False)


class DetailPane(VerticalScroll):
    """Shows one object; the screen fills it from a worker's DetailLoaded message."""

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    DetailPane { border: round $primary-darken-1; border-title-color: $accent; }
    DetailPane:focus-within { border: round $accent; }
    DetailPane > Static { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "detail"

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-body")

    def show_loading(self, key: ObjectKey, mode: str) -> None:
        """A placeholder while the worker fetches."""
        self.border_title = title(mode, key)
        self.query_one("#detail-body", Static).update(Text("loading…", "dim"))

    def show_empty(self) -> None:
        """Nothing selected."""
        self.border_title = "detail"
        self.query_one("#detail-body", Static).update(Text("no row selected", "dim"))

    def show_object(self, key: ObjectKey, mode: str, body: str, events: list[dict[str, Any]],
                    now: datetime, error: str | None = None) -> None:
        """Render fetched text and events (or the error line)."""
        self.border_title = title(mode, key)
        if error:
            self.query_one("#detail-body", Static).update(plain(error, "red"))
            return
        lines = body.splitlines()
        if len(lines) > MAX_DETAIL_LINES:
            lines = [*lines[:MAX_DETAIL_LINES], f"… {len(lines) - MAX_DETAIL_LINES} more lines"]
        text = Text("\n".join(lines))
        text.append_text(events_text(events, now))
        self.query_one("#detail-body", Static).update(escaped(text))
        self.scroll_home(animate=False)
