"""The pods a log tail follows in one cluster: listed once, then watched so pods that
start matching join and pods that go away leave (a relist after a 410 or a broken watch
reports the ones that vanished meanwhile)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import orjson
import urllib3

from kubechat_tui.kube.backoff import Backoff
from kubechat_tui.kube.client import ClusterClient, discard
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.pages import api_error

Pod = dict[str, Any]
WATCH_SECONDS = 300
READ_TIMEOUT = 10.0


class Expired(Exception):
    """The watch's resourceVersion is too old (410): list again."""


class ClusterPods:
    """Lists then watches the matching pods of one cluster in a daemon thread.

    `on_pod(pod)` for each pod listed, added or changed, `on_gone(pod)` for each that went
    away, `on_listed(count)` after each list, `on_error(line)` when listing fails (it is
    retried with backoff while following).
    """

    def __init__(self, client: Callable[[], ClusterClient], namespace: str | None,
                 query: Callable[[], dict[str, str] | None], follow: bool, *,
                 on_pod: Callable[[Pod], None], on_gone: Callable[[Pod], None],
                 on_listed: Callable[[int], None], on_error: Callable[[str], None]) -> None:
        self._client = client
        self._path = f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"
        self._query = query
        self._follow = follow
        self._on_pod, self._on_gone = on_pod, on_gone
        self._on_listed, self._on_error = on_listed, on_error
        self._known: dict[str, Pod] = {}  # uid -> pod
        self._stop = threading.Event()
        self._response: urllib3.BaseHTTPResponse | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="log pods")

    def start(self) -> ClusterPods:
        """Start listing (and watching when following)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (idempotent)."""
        self._stop.set()
        response = self._response
        if response is not None:
            getattr(response, "shutdown", response.close)()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread."""
        self._thread.join(timeout)

    def _run(self) -> None:
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                query = self._query()
                if query is None:
                    self._on_listed(0)
                    return
                version = self._list(query)
                if not self._follow:
                    return
                backoff.reset()
                while not self._stop.is_set():
                    version = self._watch(query, version)
            except Expired:
                continue
            except KubeconfigError as exc:
                self._on_error(str(exc))
                return
            except ApiError as exc:
                if self._stop.is_set():
                    return  # the cut of stop() itself
                self._on_error(exc.message)
                if not self._follow or exc.status in (401, 403):
                    return
                self._stop.wait(backoff.delay(exc.retry_after))

    def _list(self, query: dict[str, str]) -> str:
        client = self._client()
        status, body = client.request("GET", self._path, query=query, timeout=READ_TIMEOUT)
        if status != 200:
            raise api_error(client.name, status, body)
        doc = orjson.loads(body)
        pods = [p for p in doc.get("items") or [] if isinstance(p, dict)]
        current = {p["metadata"]["uid"]: p for p in pods}
        for uid, pod in list(self._known.items()):
            if uid not in current:
                self._on_gone(pod)
        self._known = current
        for pod in pods:
            self._on_pod(pod)
        self._on_listed(len(pods))
        return str((doc.get("metadata") or {}).get("resourceVersion") or "")

    def _watch(self, query: dict[str, str], version: str) -> str:
        client = self._client()
        response = client.open("GET", self._path, query={
            **query, "watch": "true", "resourceVersion": version,
            "timeoutSeconds": WATCH_SECONDS}, timeout=WATCH_SECONDS + 30)
        if response.status != 200:
            body = response.data
            discard(response, True)
            if response.status == 410:
                raise Expired
            raise api_error(client.name, response.status, body)
        self._response = response
        try:
            for batch in client.line_batches(response):
                for line in batch:
                    version = self._event(orjson.loads(line), version)
                if self._stop.is_set():
                    break
        finally:
            self._response = None
        return version

    def _event(self, event: dict[str, Any], version: str) -> str:
        kind, pod = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            if pod.get("code") == 410:
                raise Expired
            raise ApiError("", int(pod.get("code") or 0), str(pod.get("message") or "watch"))
        version = str((pod.get("metadata") or {}).get("resourceVersion") or version)
        uid = (pod.get("metadata") or {}).get("uid")
        if kind in ("ADDED", "MODIFIED") and uid:
            self._known[uid] = pod
            self._on_pod(pod)
        elif kind == "DELETED" and uid:
            self._known.pop(uid, None)
            self._on_gone(pod)
        return version
