"""The gate between the executor and the clusters: only reviewed requests go out.

    gate = ReviewedRequests(fleet, report)       # the RBAC pre-flight's allowed checks
    Mutator(gate).scale(...)                      # sent: its attributes were allowed
    gate.late                                     # checks made at execution, for the audit

A request whose attributes the pre-flight allowed is sent. One it never saw (a drain that
finds a pod scheduled after the preview) is reviewed first, then sent or refused with 403;
a refusal or a review that cannot be answered stops it before it reaches the cluster.
"""

from __future__ import annotations

import threading
from typing import Any

from kubechat_tui.guard.access import Attributes, attributes_of
from kubechat_tui.guard.rbac import AccessCheck, JsonRequester, RbacReport, review
from kubechat_tui.kube.mutations import MutationError
from kubechat_tui.kube.recorder import Request


class ReviewedRequests:
    """An ApiRequester that sends a request only when RBAC allows its exact attributes."""

    def __init__(self, api: JsonRequester, report: RbacReport | None) -> None:
        self.api = api
        self._allowed: set[tuple[str, Attributes]] = {
            (c.cluster, c.attributes) for c in (report.checks if report else ())
            if c.allowed is True}
        self.late: list[AccessCheck] = []
        self._lock = threading.Lock()

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]:
        """Send the request if its attributes were (or now are) allowed; else 403."""
        request = Request(cluster, method, path, {k: str(v) for k, v in (query or {}).items()})
        try:
            attrs = attributes_of(request)
        except ValueError as exc:
            raise MutationError(cluster, 403, f"not sent: {exc}", "Forbidden") from None
        self._admit(cluster, attrs)
        return self.api.request_json(cluster, method, path, query=query, body=body,
                                     content_type=content_type, timeout=timeout)

    def _admit(self, cluster: str, attrs: Attributes) -> None:
        with self._lock:
            if (cluster, attrs) in self._allowed:
                return
        allowed, text = review(self.api, cluster, attrs)
        check = AccessCheck("", cluster, attrs, allowed, reason=text if allowed is not None
                            else "", error=text if allowed is None else "")
        with self._lock:
            self.late.append(check)
            if allowed:
                self._allowed.add((cluster, attrs))
                return
        why = f"the access review failed ({text})" if allowed is None else "RBAC denies it"
        raise MutationError(cluster, 403, f"not sent: cannot {attrs.describe()}: {why}",
                            "Forbidden")
