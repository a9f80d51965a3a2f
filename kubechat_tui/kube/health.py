"""One health probe of a cluster: SelfSubjectReview (who am I) mapped to a ClusterStatus.

A failed probe's `error` is the one line from `kube.failures` (credentials rejected or
not obtained, TLS, unreachable, forbidden); credential problems and 403 show as
FORBIDDEN, TLS and network problems as UNREACHABLE.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from kubechat_tui.kube import failures
from kubechat_tui.kube.client import ClusterClient
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.types import ClusterStatus, Health

SSR_PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
SSR_BODY = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
PROBE_TIMEOUT = 5.0
SLOW_SECONDS = 2.0
HEALTHY_RECHECK = 30.0
MAX_BACKOFF = 60.0


def probe(client: ClusterClient, production: bool) -> ClusterStatus:
    """Ask the cluster who we are; the answer (or failure) decides the health badge."""
    name = client.name
    started = time.monotonic()
    try:
        status, body = client.request("POST", SSR_PATH, body=SSR_BODY, timeout=PROBE_TIMEOUT)
        if status == 404:  # API servers before 1.28 have no SelfSubjectReview
            status, body = client.request("GET", "/version", timeout=PROBE_TIMEOUT)
    except ApiError as exc:
        credentials = exc.reason == failures.Failure.CREDENTIALS
        health = Health.FORBIDDEN if credentials else Health.UNREACHABLE
        return ClusterStatus(name, health, production, error=exc.message)
    elapsed = time.monotonic() - started
    doc = _json(body)
    if status in (200, 201):
        user = (doc.get("status") or {}).get("userInfo") or {}
        identity = user.get("username")
        groups = tuple(user.get("groups") or ())
        if elapsed > SLOW_SECONDS:
            return ClusterStatus(name, Health.DEGRADED, production, identity, groups,
                                 error=f"slow: answered in {elapsed:.1f} s")
        return ClusterStatus(name, Health.OK, production, identity, groups)
    message = failures.answer(status, doc)
    if status in (401, 403):
        return ClusterStatus(name, Health.FORBIDDEN, production, error=message)
    return ClusterStatus(name, Health.DEGRADED, production, error=message)


def backoff(failures: int) -> float:
    """Seconds before retry number `failures` (1, 2, 4, ... capped at MAX_BACKOFF)."""
    return float(min(MAX_BACKOFF, 2 ** max(0, failures - 1)))


def _json(body: bytes) -> dict[str, Any]:
    try:
        doc = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        return {}
    return doc if isinstance(doc, dict) else {}
