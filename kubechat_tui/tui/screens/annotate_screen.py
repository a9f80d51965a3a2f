"""The annotate dialog: one line saying what to add to a timeline entry (a note, `ticket
KEY URL` or `runbook NAME|URL`); enter dismisses with the line, escape with None.

    app.push_screen(AnnotateScreen("t12", "KubePodCrashLooping firing"), on_answer)
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kubechat_tui.tui.bindings import ANNOTATE_BINDINGS
from kubechat_tui.tui.plain_text import plain

HINT = "a note, or: ticket OPS-12 https://jira.example/OPS-12, or: runbook NAME|URL"


class AnnotateScreen(ModalScreen[str | None]):
    """Asks for the annotation of one entry (or a note on the incident)."""

    BINDINGS: ClassVar[list[BindingType]] = list(ANNOTATE_BINDINGS)
    DEFAULT_CSS = """
    AnnotateScreen { align: center middle; }
    AnnotateScreen > Vertical {
        width: 96; height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    AnnotateScreen Static { height: auto; }
    """

    def __init__(self, ref: str, title: str) -> None:
        super().__init__()
        self.ref = ref
        self.entry_title = title

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"annotate {self.ref}" if self.ref else "note on the incident"
            yield Static(plain(self.entry_title, lines=False), id="annotate-entry")
            yield Input(placeholder=HINT, id="annotate-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        """Nothing added."""
        self.dismiss(None)
