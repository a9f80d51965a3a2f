"""Loopback stand-ins for Prometheus Alertmanager (`GET /api/v2/alerts`) and Argo CD
(`GET /api/v1/applications`), speaking the shapes of their published OpenAPI/swagger
definitions, with alerts and syncs matching the demo incident (payments-api 1.5.0 rolled
out 12 minutes before the fleet started in prod-eu and crash-looping since).

API::

    am = alertmanager_standin(started, token="s3cret").start()   # started: epoch seconds
    am.url                          # http://127.0.0.1:PORT
    am.alerts.append({...})         # what the next GET answers (tests change it)
    am.mode = "not_json"            # or "down_500"; "json" (default)
    argo = argocd_standin(started).start(); argo.applications["items"]
    am.stop()

A token, when given, is required as `Authorization: Bearer <token>` (401 otherwise).
"""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Callable
from typing import Any, Literal

import orjson

from kubechat_tui.sim.clock import rfc3339

HOST = "127.0.0.1"
Mode = Literal["json", "not_json", "down_500"]
FIRING_GRACE_SECONDS = 240  # Alertmanager keeps pushing endsAt this far ahead while firing


class StandIn:
    """A small HTTP server answering GET `path` with `answer()` as JSON."""

    def __init__(self, path: str, answer: Callable[[], Any], token: str | None) -> None:
        self.path = path
        self.answer = answer
        self.token = token
        self.mode: Mode = "json"
        self.requests = 0
        self._server = self._build()
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="kubechat-standin", daemon=True)

    @property
    def url(self) -> str:
        """The base URL (what the config's `*_url` names)."""
        return f"http://{HOST}:{self._server.server_address[1]}"

    def start(self) -> StandIn:
        """Serve on a thread; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _reply(self, handler: http.server.BaseHTTPRequestHandler) -> tuple[int, bytes, str]:
        self.requests += 1
        route = handler.path.split("?", 1)[0]
        if route != self.path:
            return 404, b'{"message":"not found"}', "application/json"
        if self.token and handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, b'{"message":"unauthorized"}', "application/json"
        if self.mode == "down_500":
            return 500, b"internal error", "text/plain"
        if self.mode == "not_json":
            return 200, b"<html><body>login</body></html>", "text/html"
        return 200, orjson.dumps(self.answer()), "application/json"

    def _build(self) -> http.server.ThreadingHTTPServer:
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body, kind = stand_in._reply(self)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        server.daemon_threads = True
        return server


class AlertmanagerStandIn(StandIn):
    """`GET /api/v2/alerts`: `alerts` (gettableAlerts), firing ones kept alive."""

    def __init__(self, alerts: list[Any], token: str | None,
                 clock: Callable[[], float]) -> None:
        self.alerts = alerts
        self.clock = clock
        super().__init__("/api/v2/alerts", self._current, token)

    def _current(self) -> list[Any]:
        now = self.clock()
        shown: list[Any] = []
        for alert in self.alerts:
            if not isinstance(alert, dict):  # tests serve malformed entries as they are
                shown.append(alert)
                continue
            copy = dict(alert)
            if copy.get("endsAt") is None:  # still firing: endsAt moves ahead
                copy["endsAt"] = rfc3339(now + FIRING_GRACE_SECONDS)
            copy.setdefault("updatedAt", rfc3339(now))
            shown.append(copy)
        return shown


class ArgoCdStandIn(StandIn):
    """`GET /api/v1/applications`: `applications` (v1alpha1ApplicationList)."""

    def __init__(self, applications: dict[str, Any], token: str | None) -> None:
        self.applications = applications
        super().__init__("/api/v1/applications", lambda: self.applications, token)


def gettable_alert(name: str, labels: dict[str, str], starts: float, *,
                   ends: float | None = None, summary: str = "",
                   fingerprint: str = "") -> dict[str, Any]:
    """One alert as `GET /api/v2/alerts` lists it; `ends` None while firing."""
    return {
        "labels": {"alertname": name, **labels},
        "annotations": {"summary": summary} if summary else {},
        "startsAt": rfc3339(starts),
        "endsAt": None if ends is None else rfc3339(ends),
        "fingerprint": fingerprint or hashlib.sha256(
            orjson.dumps([name, sorted(labels.items())])).hexdigest()[:16],
        "receivers": [{"name": "sre-pager"}],
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []},
        "generatorURL": f"http://prometheus.example/graph?g0.expr={name}",
    }


def demo_alerts(started: float) -> list[dict[str, Any]]:
    """The demo incident's alerts (times relative to the fleet's start, so every demo
    process serves the same alerts and a re-import finds them stored)."""
    minute = 60.0
    return [
        gettable_alert("KubePodCrashLooping", {
            "severity": "critical", "cluster": "prod-eu", "namespace": "payments",
            "deployment": "payments-api", "container": "api"}, started - 9 * minute,
            summary="payments-api is restarting (CrashLoopBackOff) since the 1.5.0 rollout",
            fingerprint="5a1e0c7f2b9d4e11"),
        gettable_alert("PaymentsHighErrorRate", {
            "severity": "critical", "cluster": "prod-eu", "namespace": "payments",
            "deployment": "payments-api"}, started - 10 * minute,
            summary="5xx ratio above 20% on payments-api", fingerprint="7c3f9a2e1d0b8c42"),
        gettable_alert("KubeContainerOOMKilled", {
            "severity": "warning", "cluster": "prod-eu", "namespace": "payments",
            "deployment": "payments-worker", "container": "worker"}, started - 30 * minute,
            summary="payments-worker OOMKilled at its 256Mi limit",
            fingerprint="2b8d6e4a9f1c3e07"),
        gettable_alert("PaymentsLatencyHigh", {
            "severity": "warning", "cluster": "prod-us", "namespace": "payments",
            "deployment": "payments-api"}, started - 40 * minute,
            ends=started - 25 * minute, summary="p99 above 800ms (recovered)",
            fingerprint="9e0a1b2c3d4e5f60"),
        gettable_alert("KubePodNotReady", {
            "severity": "warning", "cluster": "canary", "namespace": "checkout",
            "deployment": "checkout-web"}, started - 20 * minute,
            summary="checkout-web 3.9.0-rc1 cannot pull its image",
            fingerprint="4d5e6f708192a3b4"),
    ]


def demo_applications(started: float) -> dict[str, Any]:
    """The demo's Argo CD applications: payments-api synced to 1.5.0 in prod-eu 12 minutes
    before the fleet started, checkout-web 3.9.0-rc1 failing to sync in canary."""
    minute, day = 60.0, 86_400.0

    def history(entries: list[tuple[int, str, float, str]]) -> list[dict[str, Any]]:
        return [{"id": i, "revision": rev, "deployStartedAt": rfc3339(at - 40),
                 "deployedAt": rfc3339(at), "initiatedBy": {"username": who},
                 "source": {"repoURL": "https://git.example/platform/deploy.git",
                            "path": "payments-api", "targetRevision": "main"}}
                for i, rev, at, who in entries]

    def app(name: str, cluster: str, namespace: str, hist: list[dict[str, Any]],
            operation: dict[str, Any], health: str, sync: str) -> dict[str, Any]:
        return {
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {"project": "default",
                     "destination": {"name": cluster, "namespace": namespace},
                     "source": {"repoURL": "https://git.example/platform/deploy.git",
                                "path": name.rsplit("-", 2)[0], "targetRevision": "main"}},
            "status": {"history": hist, "operationState": operation,
                       "health": {"status": health},
                       "sync": {"status": sync, "revision": hist[-1]["revision"]}},
        }

    pay_rev = "4821e0c9b7a35f12d8e6"
    payments = history([(1, "4702a1b2c3d4e5f60718", started - 9 * day, "ci-bot"),
                        (2, "4777f0e1d2c3b4a59687", started - 3 * day, "ci-bot"),
                        (3, pay_rev, started - 12 * minute, "dana")])
    checkout = history([(1, "3084aa11bb22cc33dd44", started - 5 * day, "ci-bot")])
    return {"metadata": {"resourceVersion": "1"}, "items": [
        app("payments-api-prod-eu", "prod-eu", "payments", payments, {
            "operation": {"sync": {"revision": pay_rev},
                          "initiatedBy": {"username": "dana"}},
            "phase": "Succeeded", "message": "successfully synced (all tasks run)",
            "startedAt": rfc3339(started - 12 * minute - 40),
            "finishedAt": rfc3339(started - 12 * minute),
            "syncResult": {"revision": pay_rev}}, "Degraded", "Synced"),
        app("checkout-web-canary", "canary", "checkout", checkout, {
            "operation": {"sync": {"revision": "3090ee55ff66aa77bb88"},
                          "initiatedBy": {"automated": True}},
            "phase": "Failed",
            "message": "one or more objects failed to apply: image pull back-off",
            "startedAt": rfc3339(started - 25 * minute),
            "finishedAt": rfc3339(started - 24 * minute),
            "syncResult": {"revision": "3090ee55ff66aa77bb88"}}, "Degraded", "OutOfSync"),
    ]}


def alertmanager_standin(started: float, token: str | None = None,
                         clock: Callable[[], float] | None = None) -> AlertmanagerStandIn:
    """An Alertmanager stand-in holding the demo alerts."""
    from kubechat_tui.sim.clock import now

    return AlertmanagerStandIn(demo_alerts(started), token, clock or now)


def argocd_standin(started: float, token: str | None = None) -> ArgoCdStandIn:
    """An Argo CD stand-in holding the demo applications."""
    return ArgoCdStandIn(demo_applications(started), token)
