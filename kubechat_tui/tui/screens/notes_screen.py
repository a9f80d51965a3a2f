"""The incident notes editor: the latest saved version (or a draft from the timeline when
none is saved), edited as text; every save keeps a new version. Below the editor, the
action items it names (`@owner`, `due YYYY-MM-DD`) as they are typed.

    app.push_screen(NotesScreen(console, view))

Keys: `ctrl+s` save a version, `ctrl+t` replace the text with a fresh draft from the
timeline, `ctrl+l` have the configured model polish the text (it sees it redacted; the text
stays when there is no model), escape back. Saved versions are always kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from kubechat_tui.engine.incident_notes import action_items
from kubechat_tui.tui.bindings import NOTES_BINDINGS
from kubechat_tui.tui.detail_fetch import one_line
from kubechat_tui.tui.plain_text import plain

if TYPE_CHECKING:
    from kubechat_tui.engine.incident_console import IncidentConsole
    from kubechat_tui.engine.incident_view import IncidentView


def items_text(body: str) -> Text:
    """`action items: @bob (due 2026-12-10): check the ledger …` (or that there are none)."""
    found = action_items(body)
    if not found:
        return Text("no action items yet (a line naming an @owner, optionally due "
                    "YYYY-MM-DD)", "dim")
    text = Text("action items: ", "bold")
    for item in found:
        text.append_text(plain(f"@{item.owner}", "bold cyan", lines=False))
        if item.due:
            text.append(f" (due {item.due})", "yellow")
        text.append("  ")
    return text


class NotesScreen(Screen[None]):
    """A text editor over the incident's notes, with their versions."""

    BINDINGS: ClassVar[list[BindingType]] = list(NOTES_BINDINGS)
    DEFAULT_CSS = """
    NotesScreen #notes-title { height: 1; padding: 0 1; }
    NotesScreen #notes-editor { height: 1fr; }
    NotesScreen #notes-items { height: auto; max-height: 3; padding: 0 1; }
    NotesScreen #notes-status { height: 1; padding: 0 1; }
    """

    def __init__(self, console: IncidentConsole, view: IncidentView) -> None:
        super().__init__()
        self.console = console
        self.view = view
        self.saved_version = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"notes of {self.view.incident.id}: "
                               f"{self.view.incident.title}", "bold", lines=False),
                         id="notes-title")
            yield TextArea("", id="notes-editor", soft_wrap=True)
            yield Static("", id="notes-items")
            yield Static("reading the notes...", id="notes-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        self.load()

    @work(thread=True, exclusive=True, group="notes-load")
    def load(self) -> None:
        """The latest version, else a draft, off the UI thread."""
        try:
            versions = self.console.notes(self.view.incident)
            if versions:
                body, version = versions[-1].body, versions[-1].version
                status = f"version {version} of {len(versions)} (saved {versions[-1].at[:19]} " \
                         f"by {versions[-1].author})"
            else:
                body, version = self.console.draft(self.view), 0
                status = "a draft from the timeline (not saved yet: ctrl+s keeps it)"
        except Exception as exc:
            self.app.call_from_thread(self.show_status, f"cannot read notes: {one_line(exc)}",
                                      "red")
            return
        self.app.call_from_thread(self.show_text, body, version, status)

    def show_text(self, body: str, version: int, status: str) -> None:
        """Put the text in the editor."""
        self.saved_version = version
        self.query_one(TextArea).load_text(body)
        self.show_status(status, "dim")

    def show_status(self, line: str, style: str) -> None:
        """The status line."""
        self.query_one("#notes-status", Static).update(plain(line, style, lines=False))

    def action_save(self) -> None:
        """Keep the text as a new version."""
        self.save(self.query_one(TextArea).text)

    def action_draft(self) -> None:
        """Replace the text with a fresh draft from the timeline (unsaved)."""
        self.query_one(TextArea).load_text(self.console.draft(self.view))
        self.show_status("a fresh draft from the timeline (not saved yet)", "dim")

    def action_polish(self) -> None:
        """Ask the configured model to polish the text (in a worker)."""
        self.show_status("asking the model to polish the notes...", "dim")
        self.polish(self.query_one(TextArea).text)

    @work(thread=True, exclusive=True, group="notes-polish")
    def polish(self, text: str) -> None:
        """The model's rewrite off the UI thread; the text stays when there is none."""
        polished = self.console.polish(text)
        if polished.text != text:
            self.app.call_from_thread(self.query_one(TextArea).load_text, polished.text)
        self.app.call_from_thread(self.show_status, f"{polished.note} (not saved yet)", "dim")

    def action_close(self) -> None:
        """Back to the timeline."""
        self.app.pop_screen()

    @work(thread=True, group="notes-save")
    def save(self, body: str) -> None:
        """Store a version off the UI thread."""
        try:
            version = self.console.save_notes(self.view.incident, body)
        except Exception as exc:
            self.app.call_from_thread(self.show_status, f"not saved: {one_line(exc)}", "red")
            return
        self.saved_version = version
        self.app.call_from_thread(self.show_status, f"saved version {version}", "green")

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        self.query_one("#notes-items", Static).update(items_text(event.text_area.text))
