"""RBAC pre-flight: one SelfSubjectAccessReview per cluster and exact request attributes.

API::

    report = check_rbac(fleet, requests, contact="#sre-oncall")  # blocking; from a worker
    report.allowed          # True only when every review said allowed (errors fail closed)
    report.checks           # AccessCheck per (step, cluster, attributes): allowed, reason, error
    report.denials          # RbacDenial per (cluster, namespace): who, what, remediation text+YAML
    report.summary()        # one line;  report.to_dict() for the audit payload

`requests` are (step id, request) pairs: the request plan the executor built
(`engine.request_plan`), reads included. `fleet` needs only `request_json(cluster, method,
path, *, body=...)` (kube.fleet.Fleet). Identical reviews are sent once; clusters are
asked in parallel.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from kubechat_tui.guard.access import Attributes, attributes_of
from kubechat_tui.guard.rbac_remediation import grant_yaml, remediation_text
from kubechat_tui.kube import failures
from kubechat_tui.kube.recorder import Request

SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SSR_PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
TIMEOUT_SECONDS = 10.0
MAX_WORKERS = 8


class JsonRequester(Protocol):
    """The slice of `kube.fleet.Fleet` the RBAC check uses."""

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]: ...


@dataclass(frozen=True)
class AccessCheck:
    """One review: `allowed` is None when the review itself failed (`error` says why)."""

    step_id: str
    cluster: str
    attributes: Attributes
    allowed: bool | None
    reason: str = ""
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form for audit payloads."""
        return {"step": self.step_id, "cluster": self.cluster,
                "attributes": self.attributes.to_spec(), "allowed": self.allowed,
                "reason": self.reason, "error": self.error}


@dataclass(frozen=True)
class RbacDenial:
    """What one identity lacks in one cluster and namespace, and how to get it."""

    cluster: str
    user: str
    namespace: str
    missing: tuple[Attributes, ...]
    remediation: str
    grant_yaml: str


@dataclass(frozen=True)
class RbacReport:
    """The pre-flight verdict for a whole plan."""

    checks: tuple[AccessCheck, ...]
    denials: tuple[RbacDenial, ...]

    @property
    def allowed(self) -> bool:
        """True only when every check was answered `allowed`."""
        return all(c.allowed is True for c in self.checks)

    @property
    def errors(self) -> tuple[AccessCheck, ...]:
        """Checks that could not be answered (the pre-flight fails closed on them), one
        per cluster and error: an expired token is one error per cluster, not per step."""
        first: dict[tuple[str, str], AccessCheck] = {}
        for check in self.checks:
            if check.allowed is None:
                first.setdefault((check.cluster, check.error), check)
        return tuple(first.values())

    def summary(self) -> str:
        """One line: `RBAC ok (4 checks)`, what is denied where (`RBAC denied: ...`), and
        why a cluster could not be asked (`prod-eu: credentials rejected ...`)."""
        if self.allowed:
            return f"RBAC ok ({len(self.checks)} checks)"
        parts = [f"{c.cluster}: {c.error}" if c.cluster else c.error for c in self.errors]
        if self.denials:
            denied = [f"{d.user}@{d.cluster} cannot "
                      f"{', '.join(a.describe() for a in d.missing)}" for d in self.denials]
            parts.insert(0, "RBAC denied: " + "; ".join(denied))
        return "; ".join(parts)

    def remediation(self) -> str:
        """Every denial's remediation text, separated by blank lines."""
        return "\n\n".join(d.remediation for d in self.denials)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for audit payloads."""
        return {"allowed": self.allowed, "summary": self.summary(),
                "checks": [c.to_dict() for c in self.checks],
                "denials": [{"cluster": d.cluster, "user": d.user, "namespace": d.namespace,
                             "missing": [a.to_spec() for a in d.missing],
                             "grant_yaml": d.grant_yaml} for d in self.denials]}


def review(fleet: JsonRequester, cluster: str, attrs: Attributes) -> tuple[bool | None, str]:
    """Ask one SelfSubjectAccessReview: (allowed, reason) or (None, error text)."""
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attrs.to_spec()}}
    try:
        status, doc = fleet.request_json(cluster, "POST", SSAR_PATH, body=body,
                                         timeout=TIMEOUT_SECONDS)
    except Exception as exc:  # unreachable, TLS, timeouts: the check fails closed
        return None, failures.transport(exc)[1]
    if status not in (200, 201):  # credentials, TLS, network (0) or 403: one line
        return None, failures.answer(status, doc)
    result = doc.get("status") or {}
    allowed = bool(result.get("allowed")) and not result.get("denied")
    return allowed, str(result.get("reason") or result.get("evaluationError") or "")


def whoami(fleet: JsonRequester, cluster: str) -> str:
    """The username the cluster sees (SelfSubjectReview), or "<your identity>"."""
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    try:
        status, doc = fleet.request_json(cluster, "POST", SSR_PATH, body=body,
                                         timeout=TIMEOUT_SECONDS)
        if status in (200, 201):
            return str(doc["status"]["userInfo"]["username"])
    except Exception:  # the denial text still helps without a username
        pass
    return "<your identity>"


def check_rbac(fleet: JsonRequester, requests: Sequence[tuple[str, Request]],
               contact: str | None = None) -> RbacReport:
    """Review every (step id, request) pair in its cluster; an unreadable one fails closed."""
    wanted: list[tuple[str, str, Attributes]] = []
    unreadable: list[AccessCheck] = []
    for step_id, request in requests:
        try:
            attrs = attributes_of(request)
        except ValueError as exc:  # nothing exact to ask: the check fails closed
            unreadable.append(AccessCheck(step_id, request.cluster,
                                          Attributes(request.method.lower(), "", request.path),
                                          None, error=str(exc)))
            continue
        if (step_id, request.cluster, attrs) not in wanted:
            wanted.append((step_id, request.cluster, attrs))
    unique = sorted({(c, a) for _, c, a in wanted}, key=repr)
    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        answers = dict(zip(unique, pool.map(lambda ca: review(fleet, *ca), unique),
                           strict=True))
    checks = list(unreadable)
    for step_id, cluster, attrs in wanted:
        allowed, text = answers[(cluster, attrs)]
        checks.append(AccessCheck(step_id, cluster, attrs, allowed,
                                  reason=text if allowed is not None else "",
                                  error=text if allowed is None else ""))
    return RbacReport(tuple(checks), _denials(fleet, checks, contact))


def _denials(fleet: JsonRequester, checks: Sequence[AccessCheck],
             contact: str | None) -> tuple[RbacDenial, ...]:
    grouped: dict[tuple[str, str], list[Attributes]] = defaultdict(list)
    for check in checks:
        if check.allowed is False and check.attributes not in grouped[
                (check.cluster, check.attributes.namespace)]:
            grouped[(check.cluster, check.attributes.namespace)].append(check.attributes)
    users = {cluster: whoami(fleet, cluster) for cluster, _ in grouped}
    return tuple(
        RbacDenial(cluster, users[cluster], namespace, tuple(missing),
                   remediation_text(cluster, users[cluster], namespace, missing, contact),
                   grant_yaml(users[cluster], namespace, missing))
        for (cluster, namespace), missing in grouped.items()
    )
