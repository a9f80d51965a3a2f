"""One cluster's share of an inventory: paginated list, then a resumable watch.

Lists are read in pages (`limit` + `continue`), parsed lazily (`pages`: simdjson) and
reduced to row tuples at once (the page's bytes are dropped); watch events are parsed with
orjson. As client-go's reflector does: a watch that ends (the server's timeout, a dropped
connection, a read silent past the timeout) resumes at once from the last resourceVersion
(BOOKMARKs advance it); a watch that cannot be opened, or closes at once without an event,
is retried with jittered backoff (`backoff`: Retry-After honoured); 410 Gone lists again,
keeping the old rows on screen until the new list is complete. Whether the rows are current
is tracked in `progress` (`freshness`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from kubechat_tui.kube import freshness
from kubechat_tui.kube.backoff import Backoff
from kubechat_tui.kube.client import ClusterClient, discard
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.gcpause import gc_paused
from kubechat_tui.kube.kinds import EventReader, Key, Row, TableReader, resource_version
from kubechat_tui.kube.pages import api_error, position, read_page
from kubechat_tui.kube.types import LoadProgress

WATCH_SECONDS = 240
WATCH_READ_MARGIN = 30.0  # a watch silent this long past its timeout is renewed
SHORT_WATCH_SECONDS = 1.0  # a watch ending sooner without an event counts as a failure
DENIED_RETRY_SECONDS = 60.0  # 401/403 are not fixed by retrying fast: RBAC changes slowly


class Expired(Exception):
    """The resourceVersion is too old (410 Gone): list again."""


@dataclass(frozen=True)
class FeedSpec:
    """What one feed lists and watches. `fallback`: the namespaced path to use instead
    when the cluster forbids the cluster-wide list (the context's namespace, as for a user
    bound to one namespace) — said in the progress note, never silently."""

    path: str
    label_selector: str | None
    page_size: int
    max_rows: int
    fallback: tuple[str, str] | None = None  # (namespace, its collection path)


@dataclass(frozen=True)
class WatchEnd:
    """How a watch ended: the resourceVersion to resume from, whether it stayed up (then
    the next one starts at once), and why it was cut (None: the server ended it)."""

    version: str
    lasted: bool
    reason: str | None = None


class ClusterFeed:
    """Lists then watches one cluster; rows live in `self.rows` (guarded by `lock`)."""

    def __init__(self, cluster: str, client: Callable[[], ClusterClient],
                 reader: TableReader | EventReader, spec: FeedSpec, lock: threading.Lock,
                 changed: Callable[[], None], stop: threading.Event,
                 gate: threading.Semaphore) -> None:
        self.cluster = cluster
        self._client = client
        self.reader = reader
        self.spec = spec
        self.lock = lock
        self.changed = changed
        self.stop = stop
        self.gate = gate
        self.rows: dict[Key, Row] = {}
        self.progress = LoadProgress(cluster, since=time.monotonic())
        self._backoff = Backoff()
        self._response: Any = None
        self._scope_note: str | None = None  # set when listing narrowed to one namespace

    def load(self, first_page: int | None = None) -> tuple[str | None, float]:
        """The first list, as an inventory loader runs it (the first page may be smaller, for
        a quick first paint): (resourceVersion, 0.0), or (None, seconds until the retry) when
        it failed or was stopped (a failure is shown as the progress error)."""
        try:
            return self.list_all(first_page), 0.0
        except (ApiError, KubeconfigError) as exc:
            if self._narrowed(exc):
                return self.load(first_page)
            return None, self._failed(exc)

    def run(self, start_version: str | None = None, retry_in: float = 0.0) -> None:
        """Watch from `start_version` (list first when None) until stopped, waiting
        `retry_in` first (the first list just failed)."""
        version = start_version
        self.stop.wait(retry_in)
        while not self.stop.is_set():
            try:
                if version is None:
                    version = self.list_all()
                    continue  # None when stopped midway
                end = self.watch(version)
                version = end.version
                if self.stop.is_set():
                    break
                if end.lasted:
                    self._backoff.reset()
                    self._mark(freshness.interrupted, end.reason)
                else:
                    self.stop.wait(self._failed(end.reason or "the watch closed at once"))
            except Expired:
                version = None
                with self.lock:
                    self.progress.relists += 1
                self._mark(freshness.interrupted, "resource version expired (410): listing again")
            except (ApiError, KubeconfigError) as exc:
                if not self._narrowed(exc):
                    self.stop.wait(self._failed(exc))

    def _narrowed(self, problem: ApiError | KubeconfigError) -> bool:
        """Switch to the fallback namespace after a cluster-wide 403 (True: switched)."""
        fallback = self.spec.fallback
        if fallback is None or getattr(problem, "status", None) != 403:
            return False
        namespace, path = fallback
        self.spec = FeedSpec(path, self.spec.label_selector, self.spec.page_size,
                             self.spec.max_rows)
        self._scope_note = (f"namespace {namespace} only: not allowed to list across "
                            "namespaces here")
        return True

    def list_all(self, first_page: int | None = None) -> str | None:
        """Read every page (the first one `first_page` rows long when given); returns the
        list's resourceVersion, or None when stopped before the list was complete."""
        client = self._client()
        fresh: dict[Key, Row] = {}
        first_load = not self.progress.done
        token: str | None = None
        limit = min(first_page or self.spec.page_size, self.spec.page_size)
        while True:
            if self.stop.is_set():
                return None
            query: dict[str, str | int] = {**self.reader.query, "limit": limit}
            limit = self.spec.page_size
            if token:
                query["continue"] = token
            if self.spec.label_selector:
                query["labelSelector"] = self.spec.label_selector
            with self.gate:
                status, body = client.request("GET", self.spec.path, query=query,
                                              accept=self.reader.accept)
                if status == 410 and token:  # continue token expired: start over
                    token, fresh = None, {}
                    continue
                with gc_paused():
                    doc = read_page(self.cluster, status, body)
                    page = self.reader.rows(self.cluster, doc)
                    token, version = position(doc)
                    del doc, body  # the parser's buffer is reused for the next page
            target = self.rows if first_load else fresh
            with self.lock:
                _add(target, page, self.spec.max_rows)
                self.progress.pages += 1
                if first_load:
                    self.progress.rows = len(self.rows)
            if first_load and token:
                self.changed()
            if not token:
                break
        with self.lock:
            if not first_load:
                self.rows = fresh
            self.progress.rows = len(self.rows)
            self.progress.done = True
            self.progress.note = self._cap_note(self.rows)
            freshness.current(self.progress, time.monotonic())
        self.changed()
        return version

    def watch(self, version: str) -> WatchEnd:
        """Follow changes from `version` until the stream ends or is cut. Raises Expired on
        410 and ApiError when the watch cannot be opened."""
        client = self._client()
        query: dict[str, str | int] = {**self.reader.query, "watch": "true",
                                       "resourceVersion": version,
                                       "allowWatchBookmarks": "true",
                                       "timeoutSeconds": WATCH_SECONDS}
        if self.spec.label_selector:
            query["labelSelector"] = self.spec.label_selector
        started = time.monotonic()
        response = client.open("GET", self.spec.path, query=query, accept=self.reader.accept,
                               timeout=WATCH_SECONDS + WATCH_READ_MARGIN)
        self._response = response
        if self.stop.is_set():  # stopped while connecting: interrupt() may have missed it
            self._response = None
            discard(response)
            return WatchEnd(version, True)
        if response.status != 200:
            self._response = None
            body = response.data
            response.release_conn()
            if response.status == 410:
                raise Expired
            raise api_error(self.cluster, response.status, body)
        self._mark(freshness.current)
        events, reason = 0, None
        try:
            for batch in client.line_batches(response):
                version = self._apply(batch, version)
                events += len(batch)
                if self.stop.is_set():
                    break
        except ApiError as exc:  # cut, or an ERROR event
            reason = exc.message
        finally:
            self._response = None
        lasted = events > 0 or time.monotonic() - started >= SHORT_WATCH_SECONDS
        return WatchEnd(version, lasted, reason)

    def interrupt(self) -> None:
        """Unblock a watch read in progress (used by stop)."""
        response = self._response
        if response is not None:
            getattr(response, "shutdown", response.close)()

    def _apply(self, batch: list[bytes], version: str) -> str:
        changed = False
        with self.lock:
            for line in batch:
                event = orjson.loads(line)
                kind, obj = event.get("type"), event.get("object") or {}
                if kind == "ERROR":
                    if obj.get("code") == 410:
                        raise Expired
                    raise ApiError(self.cluster, int(obj.get("code") or 0),
                                   str(obj.get("message") or "watch error"))
                version = resource_version(obj) or version
                if kind == "BOOKMARK":
                    continue
                rows = self.reader.event_rows(self.cluster, obj)
                if kind == "DELETED":
                    for key, _ in rows:
                        self.rows.pop(key, None)
                else:
                    _add(self.rows, rows, self.spec.max_rows)
                changed = True
            self.progress.rows = len(self.rows)
        if changed:
            self.changed()
        return version

    def _mark(self, transition: Callable[..., None], *reason: str | None) -> None:
        """Move `progress` to a new data state (the console polls it: no change call)."""
        with self.lock:
            transition(self.progress, time.monotonic(), *reason)

    def _failed(self, problem: ApiError | KubeconfigError | str) -> float:
        """Record a failed attempt (an error, or what went wrong); returns the seconds to
        wait before the next one (a minute after 401/403: asking again soon changes
        nothing, and the status bar already says why)."""
        delay = self._backoff.delay(getattr(problem, "retry_after", None))
        if getattr(problem, "status", None) in (401, 403):
            delay = max(delay, DENIED_RETRY_SECONDS)
        message = problem.message if isinstance(problem, ApiError) else str(problem)
        self._mark(freshness.failing, f"{message} (retry in {_seconds(delay)} s)")
        if not self.progress.done:
            self.changed()  # the console's load stage counts a failed first list as settled
        return delay

    def _cap_note(self, rows: dict[Key, Row]) -> str | None:
        notes = [self._scope_note] if self._scope_note else []
        if len(rows) >= self.spec.max_rows:
            notes.append(f"showing the first {self.spec.max_rows} rows")
        return "; ".join(notes) or None


def _seconds(value: float) -> str:
    """`1`, `0.3`, `4.2`: a delay as a short number (rounded up to tenths)."""
    return f"{math.ceil(value * 10) / 10:.1f}".removesuffix(".0")


def _add(target: dict[Key, Row], rows: list[tuple[Key, Row]], cap: int) -> None:
    for key, row in rows:
        if key in target or len(target) < cap:
            target[key] = row
