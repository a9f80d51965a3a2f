"""A running exec session: stream, transcript, idle and length limits, audited start and end.

    result = start_session(guard, prepared, confirmed=True, client=fleet.client(cluster),
                           events=SessionEvents(on_output=print))
    result.session.send("ls\\r"); result.session.resize(120, 40)
    end = result.session.wait()      # SessionEnd: reason, exit code, transcript artifact

Nothing starts without the confirmation (`exec.not_confirmed` is audited instead); an
approval that released it is consumed first (one approval, one session). `exec.started`,
written before the stream is opened (a one-shot command runs as soon as it is), names the
transcript file; `exec.ended` its sha256, size, the end reason (`exited`,
`idle_timeout`, `max_duration`, `closed`, `stream_cut`, or `not_opened` when the server
refused the stream), the exit code and the seq of the
start record. Every byte of stdin and output goes to the transcript, which redacts it
before writing (`store.transcripts`). An interactive session with no input for
`exec.idle_timeout_seconds` ends, after a notice `exec.idle_notice_seconds` before; any
session ends at `exec.max_session_seconds`. Time comes from `clock` (monotonic seconds),
so tests can move it.
"""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kubechat_tui.config.settings import ExecSettings
from kubechat_tui.domain.redaction import SessionRedactor
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.approvals import ApprovalError
from kubechat_tui.engine.exec_guard import ExecGuard, ExecPrepared
from kubechat_tui.kube.client import ClusterClient
from kubechat_tui.kube.exec_stream import (
    STDERR,
    STDOUT,
    ExecError,
    ExecStream,
    ExecTarget,
    open_exec,
)
from kubechat_tui.store.errors import StoreError
from kubechat_tui.store.transcripts import Stream, TranscriptArtifact, TranscriptWriter

EndReason = Literal["exited", "idle_timeout", "max_duration", "closed", "stream_cut"]
Clock = Callable[[], float]
WATCH_EVERY = 1.0  # seconds between idle/length checks


@dataclass(frozen=True)
class SessionEnd:
    """How a session ended."""

    reason: EndReason
    exit_code: int | None
    message: str
    transcript: TranscriptArtifact
    seconds: float

    def line(self) -> str:
        """One line for the user."""
        code = f", exit code {self.exit_code}" if self.exit_code is not None else ""
        why = f": {self.message}" if self.message else ""
        return f"session ended ({self.reason}{code}){why}"


@dataclass
class SessionEvents:
    """Callbacks (called from the session's threads)."""

    on_output: Callable[[str, str], None] = lambda stream, text: None  # stdout / stderr
    on_notice: Callable[[str], None] = lambda text: None
    on_end: Callable[[SessionEnd], None] = lambda end: None


@dataclass
class StartResult:
    """A started session, or why none started (status as the pipeline's)."""

    status: str
    message: str
    session: ExecSession | None = None


@dataclass
class ExecSession:
    """One open exec stream with its transcript and limits."""

    found: ExecPrepared
    guard: ExecGuard
    stream: ExecStream
    writer: TranscriptWriter
    limits: ExecSettings
    events: SessionEvents
    clock: Clock = time.monotonic
    started_seq: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _done: threading.Event = field(default_factory=threading.Event)
    _end: SessionEnd | None = None
    _noticed: bool = False

    def __post_init__(self) -> None:
        self.started_at = self.last_input = self.clock()

    def run(self, watch_every: float = WATCH_EVERY) -> None:
        """Start reading the stream and watching the limits (daemon threads)."""
        threading.Thread(target=self._read, name="exec-read", daemon=True).start()
        threading.Thread(target=self._watch, args=(watch_every,), name="exec-watch",
                         daemon=True).start()

    def send(self, text: str) -> None:
        """Type into the session (recorded in the transcript first)."""
        if self._done.is_set():
            return
        self._record("stdin", text)
        self.last_input, self._noticed = self.clock(), False
        try:
            self.stream.send_stdin(text)
        except ExecError as exc:
            self.finish("stream_cut", str(exc))

    def resize(self, width: int, height: int) -> None:
        """Tell the terminal size (ignored once the session ended)."""
        if not self._done.is_set():
            try:
                self.stream.resize(width, height)
            except ExecError as exc:
                self.finish("stream_cut", str(exc))

    def tick(self) -> None:
        """Check the limits now: notice, idle end, maximum length."""
        now = self.clock()
        if now - self.started_at >= self.limits.max_session_seconds:
            self.finish("max_duration", f"the session reached its maximum length of "
                        f"{self.limits.max_session_seconds:g} s (exec.max_session_seconds)")
            return
        if not self.found.request.interactive:
            return
        idle = now - self.last_input
        timeout = self.limits.idle_timeout_seconds
        if idle >= timeout:
            self.finish("idle_timeout", f"no input for {timeout:g} s "
                        "(exec.idle_timeout_seconds)")
        elif idle >= timeout - self.limits.idle_notice_seconds and not self._noticed:
            self._noticed = True
            text = (f"no input for {idle:.0f} s: the session ends in {timeout - idle:.0f} s "
                    "unless you type something")
            self._record("note", text + "\n")
            self.events.on_notice(text)

    def finish(self, reason: EndReason, message: str = "") -> SessionEnd:
        """End the session (once): close the stream, seal the transcript, audit the end."""
        with self._lock:
            if self._end is not None:
                return self._end
            self.stream.close()
            artifact = self.writer.finish()
            code = self.stream.exit_code
            self._end = SessionEnd(reason, code, message, artifact,
                                   round(self.clock() - self.started_at, 3))
        try:
            self.found.trail.record(stage.EXEC_ENDED, {
                "session_id": self.found.session_id, "reason": reason, "exit_code": code,
                "message": self.guard.redactor.redact(message), "started_record":
                self.started_seq, "seconds": self._end.seconds,
                "transcript": artifact.to_json()}, reason)
        finally:
            self._done.set()
            self.events.on_end(self._end)
        return self._end

    def wait(self, timeout: float | None = None) -> SessionEnd | None:
        """The end, once it came (None when `timeout` passed first)."""
        self._done.wait(timeout)
        return self._end

    @property
    def ended(self) -> bool:
        """True once the session ended."""
        return self._done.is_set()

    def _record(self, stream: Stream, text: str) -> None:
        with self._lock:
            if self._end is None:
                self.writer.add(stream, text)

    def _read(self) -> None:
        try:
            for frame in self.stream.frames():
                if frame.channel in (STDOUT, STDERR):
                    name: Stream = "stdout" if frame.channel == STDOUT else "stderr"
                    self._record(name, frame.text)
                    self.events.on_output(name, frame.text)
        except ExecError as exc:
            self.finish("stream_cut", str(exc))
            return
        if self.stream.exit_code is not None:
            self.finish("exited", self.stream.failure)
        else:
            self.finish("stream_cut", "the server closed the stream without an exit status")

    def _watch(self, every: float) -> None:
        while not self._done.wait(every):
            self.tick()


def start_session(guard: ExecGuard, found: ExecPrepared, *, confirmed: bool,
                  client: ClusterClient, transcripts: Path, events: SessionEvents | None = None,
                  clock: Clock = time.monotonic, watch_every: float = WATCH_EVERY,
                  size: tuple[int, int] | None = None) -> StartResult:
    """Start a prepared exec (confirmed) and return the running session."""
    if not found.ready:
        return StartResult(found.status, found.message)
    if not confirmed:
        guard.not_confirmed(found)
        return StartResult("needs_confirmation", "not started: exec needs an explicit "
                           "confirmation (--yes, or confirm in the console)")
    pipe, prep = guard.pipeline, found.prep
    approval = prep.approval
    if approval is not None and approval.request is not None:
        try:  # one approval releases one session, consumed before anything is opened
            pipe.approvals.mark_executed(approval.request.id, pipe.operator, found.session_id)
        except ApprovalError as exc:
            return StartResult("denied", f"not started: {exc}")
    req = found.request
    secret_env = found.target.secret_env if found.target is not None else ()
    try:
        writer = TranscriptWriter.create(transcripts, found.session_id,
                                         SessionRedactor(guard.redactor, secret_env))
        writer.command(shlex.join(req.command))
    except OSError as exc:
        raise StoreError(f"cannot create the exec transcript in {transcripts}: "
                         f"{exc.strerror or exc}") from None
    seq = found.trail.record(stage.EXEC_STARTED, {  # before the command can run
        "session_id": found.session_id, "transcript": {"file": writer.path.name},
        "approval_request": approval.request.id if approval and approval.request else None},
        "starting")
    target = ExecTarget(req.namespace, req.pod, found.container, req.command)
    try:
        stream = open_exec(client, target, stdin=req.interactive, tty=req.interactive)
    except ExecError as exc:
        artifact = writer.finish()
        found.trail.record(stage.EXEC_ENDED, {
            "session_id": found.session_id, "reason": "not_opened", "exit_code": None,
            "message": str(exc), "started_record": seq, "seconds": 0,
            "transcript": artifact.to_json()}, "not_opened")
        return StartResult("failed", str(exc))
    if size is not None:
        stream.resize(*size)
    session = ExecSession(found, guard, stream, writer, pipe.settings.exec,
                          events or SessionEvents(), clock, seq)
    session.run(watch_every)
    return StartResult("started", f"session {found.session_id} started "
                       f"({stream.protocol})", session)
