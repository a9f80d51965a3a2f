"""One container's log, followed through the cluster's client, resumed after any break.

The stream asks for `follow=true&timestamps=true`. When the connection drops, the API
server restarts or the container restarts, it reconnects (backoff as for watches) with
`sinceTime` set to the second of the last line it delivered and drops what it already
delivered (same timestamp and same text), so nothing is repeated or lost; the reconnect
is announced as a note. A refusal that will not change (unknown container, forbidden,
pod gone) ends the stream with an error note; a container still waiting to start is
noted once and retried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import urllib3

from kubechat_tui.domain.log_records import (
    LogEvent,
    LogLine,
    LogNote,
    NoteKind,
    StreamKey,
    TailOptions,
)
from kubechat_tui.kube.backoff import Backoff
from kubechat_tui.kube.client import STREAM_CHUNK, ClusterClient, discard
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.log_lines import NS, bounded_lines, since_time, split_stamp
from kubechat_tui.kube.pages import api_error

Sink = Callable[[LogEvent], None]
FOLLOW_READ_TIMEOUT = 60.0  # a silent stream is reopened (from its last line) after this
MAX_ERROR_BYTES = 1 << 16
STAYED_UP = 5.0  # seconds: a stream up this long reconnects at once after it ends
MAX_SEEN = 50_000  # (timestamp, text) keys kept for the last second, per stream
WAITING = "waiting to start"


class ContainerStream:
    """Follows one container in a daemon thread; `stop()` ends it from any thread."""

    def __init__(self, client: Callable[[], ClusterClient], key: StreamKey,
                 options: TailOptions, sink: Sink,
                 read_timeout: float = FOLLOW_READ_TIMEOUT) -> None:
        self.key = key
        self.options = options
        self._client = client
        self._sink = sink
        self._read_timeout = read_timeout
        self._stop = threading.Event()
        self._ended = threading.Event()
        self._lock = threading.Lock()
        self._response: urllib3.BaseHTTPResponse | None = None
        self._backoff = Backoff()
        self._last_ns: int | None = None  # the last line delivered
        self._resume_ns: int | None = None  # the server's time at the first answer
        self._ended_at: int | None = None  # the stream ended cleanly after this line
        self._quiet = False  # the last connection was closed by our read timeout
        self._seen: set[tuple[int, str]] = set()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"log {key.label()}")

    @property
    def ended(self) -> bool:
        """True once the stream will deliver nothing more."""
        return self._ended.is_set()

    def start(self) -> ContainerStream:
        """Start following; returns self."""
        self._thread.start()
        return self

    def stop(self, note: LogNote | None = None) -> None:
        """End the stream (idempotent); `note` is delivered unless it already ended."""
        with self._lock:
            if self._stop.is_set():
                return
            self._stop.set()
            response = self._response
        if response is not None:
            getattr(response, "shutdown", response.close)()
        if note is not None and not self._ended.is_set():
            self._sink(note)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to finish."""
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._follow()
        finally:
            self._ended.set()

    def _follow(self) -> None:
        broken: str | None = None  # why the last connection failed (announced on success)
        waiting_noted = False
        while not self._stop.is_set():
            try:
                response = self._open()
            except ApiError as exc:
                broken = broken or exc.message
                self._pause(exc.retry_after)
                continue
            except KubeconfigError as exc:
                self._note("error", str(exc))
                return
            if response is None:
                return
            if response.status != 200:
                error = self._refusal(response)
                if error.status == 400 and WAITING in error.message and self.options.follow:
                    if not waiting_noted:
                        self._note("waiting", error.message.removeprefix("HTTP 400: "))
                        waiting_noted = True
                    self._pause()
                    continue
                if error.status in (400, 401, 403, 404):
                    if error.status == 404 and self._last_ns is not None:
                        self._note("left", "pod is gone")
                    else:
                        self._note("error", error.message, error.status)
                    return
                broken = broken or error.message
                self._pause(error.retry_after)
                continue
            if self._resume_ns is None:  # before any line: resume from the server's now
                self._resume_ns = _server_time(response)
            if broken:
                resume = self._last_ns or self._resume_ns
                resumed = since_time(resume) if resume else "the start"
                self._note("reconnected", f"after {broken}; resuming from {resumed}")
                broken = None
            waiting_noted = False
            opened = time.monotonic()
            try:
                delivered = self._pump(response)
                if not self._quiet:  # ended by the server: said with the next new line
                    self._ended_at = self._last_ns or self._resume_ns
            except ApiError as exc:
                broken, delivered = exc.message, 0
            if not self.options.follow or self.options.previous:
                return
            if delivered or time.monotonic() - opened >= STAYED_UP:
                self._backoff.reset()  # it worked: reconnect within BASE_SECONDS
            self._pause()  # an ended container's stream ends at once: back off

    def _open(self) -> urllib3.BaseHTTPResponse | None:
        client = self._client()
        response = client.open("GET", self._path(), query=self._query(), accept="*/*",
                               timeout=self._read_timeout if self.options.follow else None)
        with self._lock:
            if self._stop.is_set():
                discard(response)
                return None
            self._response = response
        return response

    def _path(self) -> str:
        return f"/api/v1/namespaces/{self.key.namespace}/pods/{self.key.pod}/log"

    def _query(self) -> dict[str, str | int | bool]:
        opts = self.options
        query: dict[str, str | int | bool] = {"container": self.key.container,
                                              "timestamps": True}
        if opts.follow and not opts.previous:
            query["follow"] = True
        if opts.previous:
            query["previous"] = True
        resume = self._last_ns or self._resume_ns
        if resume is not None:
            query["sinceTime"] = since_time(resume)
            return query
        if opts.tail_lines is not None:
            query["tailLines"] = opts.tail_lines
        if opts.since_seconds is not None:
            query["sinceSeconds"] = opts.since_seconds
        elif opts.since_time:
            query["sinceTime"] = opts.since_time
        return query

    def _refusal(self, response: urllib3.BaseHTTPResponse) -> ApiError:
        try:
            body = response.read(MAX_ERROR_BYTES)
        except (urllib3.exceptions.HTTPError, OSError):
            body = b""
        finally:
            self._forget(response, False)
        return api_error(self.key.cluster, response.status, body)

    def _pump(self, response: urllib3.BaseHTTPResponse) -> int:
        """Deliver the body's new lines; how many. ApiError when the connection is cut."""
        delivered = 0
        finished = False
        self._quiet = False
        try:
            for raw in bounded_lines(response.stream(STREAM_CHUNK, decode_content=True)):
                line = self._fresh(raw)
                if line is not None:
                    if self._ended_at is not None:
                        self._note("reconnected", "the stream had ended (the container "
                                   f"stopped or restarted); resuming from "
                                   f"{since_time(self._ended_at)}")
                        self._ended_at = None
                    self._sink(line)
                    delivered += 1
            finished = True
        except urllib3.exceptions.ReadTimeoutError:
            self._quiet = True  # nothing for a while: reopen from the last line
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if not self._stop.is_set():
                raise ApiError(self.key.cluster, 0, f"stream cut ({type(exc).__name__})",
                               "cut") from None
        finally:
            self._forget(response, finished)
        return delivered

    def _fresh(self, raw: str) -> LogLine | None:
        """The line, unless it was delivered before (resume overlap) or is empty."""
        parsed = split_stamp(raw)
        if parsed is None:
            return None
        ts, stamp, text = parsed
        last = self._last_ns
        if last is not None:
            if ts < (last // NS) * NS or (ts, text) in self._seen:
                return None
            if ts // NS != last // NS or len(self._seen) >= MAX_SEEN:
                self._seen.clear()
        self._seen.add((ts, text))
        self._last_ns = max(ts, last or ts)
        return LogLine(self.key, ts, stamp, text)

    def _forget(self, response: urllib3.BaseHTTPResponse, finished: bool) -> None:
        with self._lock:
            self._response = None
        discard(response, finished)

    def _pause(self, retry_after: float | None = None) -> None:
        self._stop.wait(self._backoff.delay(retry_after))

    def _note(self, kind: NoteKind, text: str, status: int = 0) -> None:
        if not self._stop.is_set():
            self._sink(LogNote(self.key, kind, text, status))


def _server_time(response: urllib3.BaseHTTPResponse) -> int | None:
    """The answer's Date header in ns (the server's clock, whole seconds), if any."""
    try:
        stamp = parsedate_to_datetime(response.headers.get("Date") or "")
    except (TypeError, ValueError):
        return None
    return int(stamp.timestamp()) * NS
