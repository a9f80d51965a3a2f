"""One cluster's share of an inventory: paginated list, then a resumable watch.

Lists are read in pages (`limit` + `continue`), parsed lazily (`pages`: simdjson) and
reduced to row tuples at once (the page's bytes are dropped); watch events are parsed with
orjson. The watch resumes from the last resourceVersion, follows BOOKMARKs, re-lists on 410
Gone (keeping the old rows on screen until the new list is complete), and reconnects with
backoff when the cluster drops or fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from kubechat_tui.kube import health
from kubechat_tui.kube.client import ClusterClient, discard
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.gcpause import gc_paused
from kubechat_tui.kube.kinds import EventReader, Key, Row, TableReader, resource_version
from kubechat_tui.kube.pages import api_error, position, read_page
from kubechat_tui.kube.types import LoadProgress

WATCH_SECONDS = 240
WATCH_READ_MARGIN = 30.0


class Expired(Exception):
    """The resourceVersion is too old (410 Gone): list again."""


@dataclass(frozen=True)
class FeedSpec:
    """What one feed lists and watches."""

    path: str
    label_selector: str | None
    page_size: int
    max_rows: int


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
        self.progress = LoadProgress(cluster)
        self._response: Any = None

    def load(self, first_page: int | None = None) -> tuple[str | None, float]:
        """The first list, as an inventory loader runs it (the first page may be smaller, for
        a quick first paint): (resourceVersion, 0.0), or (None, seconds until the retry) when
        it failed or was stopped (a failure is shown as the progress error)."""
        try:
            return self.list_all(first_page), 0.0
        except (ApiError, KubeconfigError) as exc:
            delay = _retry_delay(exc, 1)
            self._fail(exc, delay)
            return None, delay

    def run(self, start_version: str | None = None, retry_in: float = 0.0) -> None:
        """Watch from `start_version` (list first when None) until stopped; failures become
        progress errors, retried with backoff. `retry_in` > 0: the list just failed once."""
        version, failures = start_version, int(retry_in > 0)
        self.stop.wait(retry_in)
        while not self.stop.is_set():
            try:
                if version is None:
                    version = self.list_all()
                    continue  # None when stopped midway
                version = self.watch(version)
                failures = 0
            except Expired:
                version = None
                with self.lock:
                    self.progress.relists += 1
            except (ApiError, KubeconfigError) as exc:
                failures += 1
                delay = _retry_delay(exc, failures)
                self._fail(exc, delay)
                self.stop.wait(delay)

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
            self.progress.error = self._cap_note(self.rows)
        self.changed()
        return version

    def watch(self, version: str) -> str:
        """Follow changes from `version` until the server ends the stream; returns the last
        resourceVersion seen. Raises Expired on 410."""
        client = self._client()
        query: dict[str, str | int] = {**self.reader.query, "watch": "true",
                                       "resourceVersion": version,
                                       "allowWatchBookmarks": "true",
                                       "timeoutSeconds": WATCH_SECONDS}
        if self.spec.label_selector:
            query["labelSelector"] = self.spec.label_selector
        response = client.open("GET", self.spec.path, query=query, accept=self.reader.accept,
                               timeout=WATCH_SECONDS + WATCH_READ_MARGIN)
        self._response = response
        if self.stop.is_set():  # stopped while connecting: interrupt() may have missed it
            self._response = None
            discard(response)
            return version
        if response.status != 200:
            self._response = None
            body = response.data
            response.release_conn()
            if response.status == 410:
                raise Expired
            raise api_error(self.cluster, response.status, body)
        self._recovered()
        events = 0
        try:
            for batch in client.line_batches(response):
                version = self._apply(batch, version)
                events += len(batch)
                if self.stop.is_set():
                    break
        finally:
            self._response = None
        if events == 0 and not self.stop.is_set():
            self.stop.wait(1.0)  # the server ended the watch at once: do not spin
        return version

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

    def _recovered(self) -> None:
        with self.lock:
            stale = self.progress.error is not None and self.progress.done
            if stale:
                self.progress.error = self._cap_note(self.rows)
        if stale:
            self.changed()

    def _fail(self, exc: Exception, retry_in: float) -> None:
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        with self.lock:
            self.progress.error = f"{message} (retry in {retry_in:.0f} s)"
        self.changed()

    def _cap_note(self, rows: dict[Key, Row]) -> str | None:
        if len(rows) >= self.spec.max_rows:
            return f"showing the first {self.spec.max_rows} rows"
        return None


def _retry_delay(exc: ApiError | KubeconfigError, failures: int) -> float:
    """Seconds before the next attempt: the server's Retry-After, else backoff."""
    return getattr(exc, "retry_after", None) or health.backoff(failures)


def _add(target: dict[Key, Row], rows: list[tuple[Key, Row]], cap: int) -> None:
    for key, row in rows:
        if key in target or len(target) < cap:
            target[key] = row
