"""SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview."""

from __future__ import annotations

from typing import Any

from kubechat_tui.sim import rbac
from kubechat_tui.sim.builders import managed
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.status import bad_request


def _fields(value: Any) -> Any:
    if isinstance(value, dict):
        inner = {f"f:{k}": _fields(v) for k, v in sorted(value.items())}
        return {".": {}, **inner} if inner else {}
    return {}


def create(call: Call) -> Reply:
    """POST one of the self reviews (201 with the evaluated status)."""
    body = call.json_body()
    if not isinstance(body, dict):
        raise bad_request("the object provided is unrecognized")
    kind = call.res.kind
    who = call.who
    if kind == "SelfSubjectReview":
        return Reply(201, {"kind": kind, "apiVersion": call.res.api_version,
                           "metadata": {"creationTimestamp": rfc3339(call.now)},
                           "status": {"userInfo": {"username": who.username, "uid": who.uid,
                                                   "groups": list(who.groups)}}})
    spec = body.get("spec") or {}
    meta = {"managedFields": [managed(call.manager, call.res.api_version, call.now,
                                      {"f:spec": {k: v for k, v in _fields(spec).items()
                                                  if k != "."}})]}
    if kind == "SelfSubjectRulesReview":
        ns = spec.get("namespace", "")
        return Reply(201, {"kind": kind, "apiVersion": call.res.api_version, "metadata": meta,
                           "spec": spec, "status": {
                               "resourceRules": rbac.rules_for(who, ns),
                               "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": [
                                   "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                   "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]}],
                               "incomplete": False}})
    attrs = spec.get("resourceAttributes")
    if isinstance(attrs, dict):
        decision = rbac.authorize(who, attrs.get("verb", ""), attrs.get("group", ""),
                                  attrs.get("resource", ""), attrs.get("subresource", ""),
                                  attrs.get("namespace", ""))
    elif isinstance(spec.get("nonResourceAttributes"), dict):
        decision = rbac.Decision(who.role == "cluster-admin" or spec[
            "nonResourceAttributes"].get("verb") == "get")
    else:
        raise bad_request('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: '
                          "spec.resourceAttributes: Invalid value: \"null\": exactly one of "
                          "nonResourceAttributes or resourceAttributes must be specified")
    status: dict[str, Any] = {"allowed": decision.allowed}
    if decision.reason and "system:masters" not in who.groups:
        status["reason"] = decision.reason
    return Reply(201, {"kind": kind, "apiVersion": call.res.api_version, "metadata": meta,
                       "spec": spec, "status": status})
