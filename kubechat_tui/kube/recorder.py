"""Request plans: the executor's own code run with reads sent and writes recorded, not sent.

    recorder = RequestRecorder(fleet)
    perform(Mutator(recorder, recording=True), step, snapshot)  # GETs sent, writes kept
    recorder.requests                            # every request, in order, as it would go

What the RBAC pre-flight reviews, the preview shows and the audit records is this list:
the very requests a real run sends, built by the code that sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from kubechat_tui.kube.mutations import ApiRequester

READ_METHODS = frozenset({"GET"})


@dataclass(frozen=True)
class Request:
    """One HTTP request to one cluster (path below the cluster's URL)."""

    cluster: str
    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: object = None
    content_type: str | None = None

    @property
    def mutating(self) -> bool:
        """True for a write (anything but GET)."""
        return self.method not in READ_METHODS

    def line(self) -> str:
        """`PATCH /apis/apps/v1/namespaces/payments/deployments/x/scale?fieldManager=kubechat`."""
        query = urlencode(sorted(self.query.items()))
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")

    def to_json(self) -> dict[str, Any]:
        """The audit / `--json` form."""
        return {"cluster": self.cluster, "method": self.method, "path": self.path,
                "query": dict(self.query), "body": self.body,
                "content_type": self.content_type}


class RequestRecorder:
    """An ApiRequester that sends reads, records every request, and answers writes itself.

    A write is answered `200 {}` without reaching the cluster, so code that builds the
    next request from a write's answer must not depend on it (none of the verbs does).
    """

    def __init__(self, api: ApiRequester) -> None:
        self.api = api
        self.requests: list[Request] = []

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        """Record the request; send it only when it reads."""
        self.requests.append(Request(cluster, method, path,
                                     {k: str(v) for k, v in (query or {}).items()},
                                     body, content_type))
        if method in READ_METHODS:
            return self.api.request_json(cluster, method, path, query=query, body=body,
                                         content_type=content_type, timeout=timeout)
        return 200, {}

    def since(self, start: int) -> list[Request]:
        """The requests recorded after the first `start` ones."""
        return self.requests[start:]
