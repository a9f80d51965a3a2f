"""A recording stand-in for Fleet.request_json, for request-shape unit tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[str, str, dict[str, Any], Any], tuple[int, dict[str, Any]]]


@dataclass
class Call:
    cluster: str
    method: str
    path: str
    query: dict[str, Any]
    body: Any
    content_type: str | None


@dataclass
class RecordingApi:
    """Answers from a handler (method, path, query, body) and records every request."""

    handler: Handler
    calls: list[Call] = field(default_factory=list)

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        self.calls.append(Call(cluster, method, path, dict(query or {}), body, content_type))
        return self.handler(method, path, dict(query or {}), body)


def deployment(replicas: int = 3, rv: str = "722", image: str = "registry.example/api:1.4.2"
               ) -> dict[str, Any]:
    """A payments-api Deployment shaped like the real server's (wire sample 15)."""
    return {
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": "payments-api", "namespace": "payments", "uid": "u-1",
                     "resourceVersion": rv, "generation": 3,
                     "labels": {"app": "payments-api"},
                     "annotations": {"deployment.kubernetes.io/revision": "2"},
                     "managedFields": [{"manager": "kubectl"}]},
        "spec": {"replicas": replicas,
                 "template": {"metadata": {"labels": {"app": "payments-api"}},
                              "spec": {"containers": [{"name": "api", "image": image},
                                                      {"name": "sidecar",
                                                       "image": "registry.example/envoy:1.30"}]}}},
        "status": {"replicas": replicas},
    }
