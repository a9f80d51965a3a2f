"""An exec session's transcript, from the audit screen: the redacted file the session's
`exec.ended` record names, checked against the sha256 in that record before it is shown.

    app.push_screen(TranscriptScreen(audit_log, session_id))

Reading and checking run in a thread worker. Each entry is one line per piece of text:
time, stream and the (already redacted) text, shown as text, controls as escapes. A file
that is missing or no longer matches its record is said so, in red, and not shown.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditFilter
from kubechat_tui.store.transcripts import (
    ENDED,
    TranscriptEntry,
    check_transcript,
    read_transcript,
    transcript_dir,
)
from kubechat_tui.tui.bindings import TRANSCRIPT_BINDINGS
from kubechat_tui.tui.plain_text import plain

STREAM_STYLE = {"stdin": "bold cyan", "stdout": "", "stderr": "red", "note": "yellow"}


def transcript_text(entries: list[TranscriptEntry]) -> Text:
    """The entries as lines: `12:03:04.120 stdin  echo hi`."""
    text = Text()
    for entry in entries:
        body = entry.text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
        for line in body.split("\n"):
            text.append(f"{entry.at[11:23]} {entry.stream:<6} ", "dim")
            text.append_text(plain(line, STREAM_STYLE[entry.stream], lines=False))
            text.append("\n")
    return text


class TranscriptScreen(Screen[None]):
    """One session's transcript."""

    BINDINGS: ClassVar[list[BindingType]] = list(TRANSCRIPT_BINDINGS)

    def __init__(self, audit: AuditLog, session_id: str) -> None:
        super().__init__()
        self.audit = audit
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = f"transcript of {self.session_id}"
            yield Static(f"reading the transcript of {self.session_id}…", id="transcript")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="transcript")
    def load(self) -> None:
        """Worker: find the session's end record, check the file against it, read it."""
        text = self.read()
        self.app.call_from_thread(self.query_one("#transcript", Static).update, text)

    def read(self) -> Text:
        """The transcript as shown, or the line saying why it is not."""
        try:
            ended = self.audit.latest(AuditFilter(execution_ids=(self.session_id,),
                                                  actions=(ENDED,)), 1)
        except Exception as exc:  # a locked store: one line
            return plain(f"cannot read the audit log: {exc}", "bold red", lines=False)
        named = ended[0].event.payload.get("transcript") if ended else None
        if not isinstance(named, dict) or not named.get("sha256"):
            return plain(f"{self.session_id}: no finished transcript (the session has not "
                         "ended, or it never opened)", "yellow", lines=False)
        path = transcript_dir(self.audit.db.path) / str(named.get("file", ""))
        problem = check_transcript(path, str(named["sha256"]))
        if problem is not None:
            return plain(problem, "bold red", lines=False)
        try:
            entries = read_transcript(path)
        except (OSError, ValueError, KeyError) as exc:
            return plain(f"{path.name}: cannot read transcript ({exc})", "bold red",
                         lines=False)
        head = Text(f"{path.name}: sha256 matches audit record {ended[0].seq}; "
                    f"{len(entries)} entries\n\n", "green")
        return head + transcript_text(entries)

    def action_close(self) -> None:
        """Back to the audit screen."""
        self.app.pop_screen()
