"""The requester one read step uses in one cluster: GETs only, every request recorded, each
within the cluster's deadline.

    sent = ReadRequests(fleet, deadline=monotonic() + 6.0, seconds=6.0)
    kube.queries.list_table(sent, "prod-eu", ...)   # what the step reads
    sent.sent                                        # the requests, as the audit lists them

The readers (`engine.diagnostics.readers`) build their requests through the kube layer's
own code; this wrapper is what makes the read path read-only by construction: anything
but a GET is refused before it reaches the cluster.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from kubechat_tui.kube.client import JSON, Query
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.fleet import parse_json
from kubechat_tui.kube.queries import READ_TIMEOUT, RawRequester
from kubechat_tui.kube.recorder import Request


class ReadApi(RawRequester, Protocol):
    """What the read path needs of the fleet: raw answers, JSON answers (kube.objects and
    the RBAC review of a refused read use them) and the context serving each cluster."""

    def request_json(self, cluster: str, method: str, path: str, *, query: Query = None,
                     body: object | None = None, content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]: ...

    def routes(self) -> dict[str, str]: ...


class ReadRequests:
    """A requester for one (step, cluster): GET only, recorded, bounded by `deadline`
    (a `time.monotonic()` instant; `seconds` is how long the cluster was given)."""

    def __init__(self, api: RawRequester, deadline: float, seconds: float) -> None:
        self.api = api
        self.deadline = deadline
        self.seconds = seconds
        self.sent: list[Request] = []

    def request(self, cluster: str, method: str, path: str, *, query: Query = None,
                body: object | None = None, content_type: str | None = None,
                timeout: float | None = None, accept: str = JSON) -> tuple[int, bytes]:
        """Send one GET within the deadline; ApiError for anything else or too late."""
        if method.upper() != "GET" or body is not None:
            raise ApiError(cluster, 0, f"not sent: the read path sends GET only, not {method} "
                           f"{path}", "ReadOnly")
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise ApiError(cluster, 0, f"timed out: no answer within {self.seconds:g}s",
                           "Timeout")
        self.sent.append(Request(cluster, "GET", path,
                                 {k: str(v) for k, v in (query or {}).items()}))
        wait = min(timeout or READ_TIMEOUT, remaining)
        return self.api.request(cluster, "GET", path, query=query, timeout=wait,
                                accept=accept)

    def request_json(self, cluster: str, method: str, path: str, *, query: Query = None,
                     body: object | None = None, content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        """`request` with the body parsed (for `kube.objects`)."""
        return parse_json(self.request(cluster, method, path, query=query, body=body,
                                       content_type=content_type, timeout=timeout))
