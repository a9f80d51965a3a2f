"""The exec terminal: a confirmed exec session's output, a line to type into, its end.

    app.push_screen(ExecScreen(guard, found, client, transcripts))   # after the confirmation

The session starts in a thread worker when the screen mounts (`engine.exec_session`); its
output, notices and end come back with `call_from_thread`. The terminal is line-based:
enter sends the typed line (with a carriage return, as a terminal does); output is shown
as text, control sequences as escapes (a container cannot drive the console's terminal).
A one-shot command has no input line. `ctrl+d` ends the session (end reason `closed`),
escape ends it and closes the screen; leaving the screen any other way ends it too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Log, Static

from kubechat_tui.domain.visible_text import visible
from kubechat_tui.tui.bindings import EXEC_BINDINGS
from kubechat_tui.tui.plain_text import plain

if TYPE_CHECKING:
    from kubechat_tui.engine.exec_guard import ExecGuard, ExecPrepared
    from kubechat_tui.engine.exec_session import ExecSession, SessionEnd
    from kubechat_tui.kube.client import ClusterClient

MAX_LINES = 5000  # of output kept on screen (the transcript keeps everything, redacted)


def terminal_text(text: str) -> str:
    """Output as shown: CR LF as a line break, lone CRs dropped, other controls escaped."""
    return visible(text.replace("\r\n", "\n").replace("\r", ""))


class ExecScreen(Screen[str]):
    """One exec session; dismissed with its end line."""

    BINDINGS: ClassVar[list[BindingType]] = list(EXEC_BINDINGS)
    DEFAULT_CSS = """
    ExecScreen #exec-title { height: 1; padding: 0 1; background: $error-darken-2; }
    ExecScreen #exec-output { height: 1fr; border: round $accent; }
    ExecScreen #exec-status { height: 1; padding: 0 1; }
    """

    def __init__(self, guard: ExecGuard, found: ExecPrepared, client: ClusterClient,
                 transcripts: Path) -> None:
        super().__init__()
        self.guard = guard
        self.found = found
        self.client = client
        self.transcripts = transcripts
        self.session: ExecSession | None = None
        self.end_line = ""

    def compose(self) -> ComposeResult:
        req = self.found.request
        with Vertical():
            yield Static(plain(f"exec {self.found.session_id} · {req.cluster}/{req.namespace}/"
                               f"{req.pod} · {self.found.container} · "
                               f"{self.found.command_line}", lines=False), id="exec-title")
            yield Log(max_lines=MAX_LINES, auto_scroll=True, id="exec-output")
            if req.interactive:
                yield Input(placeholder="type a command, enter sends it", id="exec-input")
            yield Static("starting the session…", id="exec-status")
        yield Footer()

    def on_mount(self) -> None:
        if self.found.request.interactive:
            self.query_one(Input).focus()
        self.start()

    @work(thread=True, exclusive=True, group="exec-start")
    def start(self) -> None:
        """Worker: open the session (it reads its stream in its own thread)."""
        from kubechat_tui.engine.exec_session import SessionEvents, start_session

        events = SessionEvents(
            on_output=lambda _stream, text: self.app.call_from_thread(self.show_output, text),
            on_notice=lambda text: self.app.call_from_thread(self.show_status, text, "yellow"),
            on_end=lambda end: self.app.call_from_thread(self.show_end, end))
        log = self.query_one("#exec-output", Log)
        size = (max(log.size.width - 2, 20), max(log.size.height - 2, 5))
        try:
            started = start_session(self.guard, self.found, confirmed=True,
                                    client=self.client, transcripts=self.transcripts,
                                    events=events, size=size)
        except Exception as exc:  # a store failure: one line, the console stays up
            self.app.call_from_thread(self.show_status, f"not started: {exc}", "bold red")
            return
        if started.session is None:
            self.app.call_from_thread(self.show_status, started.message, "bold red")
            self.end_line = started.message
            return
        self.session = started.session
        self.app.call_from_thread(self.show_status, started.message, "green")

    def show_output(self, text: str) -> None:
        """Append output (never markup, controls escaped)."""
        self.query_one("#exec-output", Log).write(terminal_text(text))

    def show_status(self, text: str, style: str = "") -> None:
        """The status line under the terminal."""
        self.query_one("#exec-status", Static).update(plain(text, style, lines=False))

    def show_end(self, end: SessionEnd) -> None:
        """The session ended: say how; typing is over."""
        self.end_line = end.line()
        self.show_status(f"{self.end_line}; transcript {end.transcript.path.name} "
                         f"(sha256 {end.transcript.sha256[:12]}…)", "bold")
        for box in self.query(Input):
            box.disabled = True

    @on(Input.Submitted, "#exec-input")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.session is not None:
            self.session.send(event.value + "\r")
        event.input.value = ""

    def on_resize(self) -> None:
        log = self.query_one("#exec-output", Log)
        if self.session is not None:
            self.session.resize(max(log.size.width - 2, 20), max(log.size.height - 2, 5))

    def action_end_session(self) -> None:
        """Ctrl+D: end the session (the screen stays to read the output)."""
        self._end("ended from the console")

    def action_close(self) -> None:
        """Escape: end the session and go back."""
        self._end("ended from the console")
        self.dismiss(self.end_line or f"session {self.found.session_id} closed")

    def on_unmount(self) -> None:
        self._end("the exec terminal was closed")

    def _end(self, message: str) -> None:
        """End the session in an app worker (it writes the audit record; it outlives this
        screen)."""
        session = self.session
        if session is not None and not session.ended:
            self.app.run_worker(lambda: session.finish("closed", message), thread=True,
                                group="exec-end")
