"""Exact RBAC attributes of HTTP requests, and label selector parsing/matching."""

from __future__ import annotations

import pytest

from kubechat_tui.guard.access import Attributes, attributes_of
from kubechat_tui.guard.policy.selectors import SelectorError, parse_selector
from kubechat_tui.kube.recorder import Request


@pytest.mark.parametrize(("method", "path", "query", "expected"), [
    ("GET", "/api/v1/namespaces/payments/pods", {}, Attributes("list", "", "pods", "",
                                                               "payments")),
    ("GET", "/api/v1/namespaces/payments/pods", {"watch": "true"},
     Attributes("watch", "", "pods", "", "payments")),
    ("GET", "/api/v1/namespaces/payments/pods/web-1/log", {},
     Attributes("get", "", "pods", "log", "payments", "web-1")),
    ("POST", "/api/v1/namespaces/payments/pods/web-1/eviction", {},
     Attributes("create", "", "pods", "eviction", "payments", "web-1")),
    ("POST", "/apis/apps/v1/namespaces/payments/deployments", {},
     Attributes("create", "apps", "deployments", "", "payments")),
    ("GET", "/api/v1/pods", {"fieldSelector": "spec.nodeName=n1"},
     Attributes("list", "", "pods")),
    ("PATCH", "/api/v1/nodes/ip-10-0-3-7", {}, Attributes("patch", "", "nodes", "", "",
                                                          "ip-10-0-3-7")),
    ("DELETE", "/api/v1/namespaces/payments", {}, Attributes("delete", "", "namespaces", "",
                                                             "", "payments")),
    ("DELETE", "/apis/apps/v1/namespaces/payments/replicasets", {},
     Attributes("deletecollection", "apps", "replicasets", "", "payments")),
    ("PUT", "/apis/apps/v1/namespaces/payments/deployments/api", {},
     Attributes("update", "apps", "deployments", "", "payments", "api")),
])
def test_attributes_of_requests(method: str, path: str, query: dict[str, str],
                                expected: Attributes) -> None:
    assert attributes_of(Request("c", method, path, query)) == expected


def test_bad_calls_are_refused() -> None:
    with pytest.raises(ValueError, match="not a Kubernetes API path"):
        attributes_of(Request("c", "GET", "/metrics"))
    with pytest.raises(ValueError, match="unsupported HTTP method"):
        attributes_of(Request("c", "HEAD", "/api/v1/pods"))


@pytest.mark.parametrize(("selector", "labels", "matches"), [
    ("app=web", {"app": "web"}, True),
    ("app==web,tier!=db", {"app": "web", "tier": "db"}, False),
    ("env in (prod, staging)", {"env": "staging"}, True),
    ("env notin (prod)", {}, True),
    ("team", {"team": "x"}, True),
    ("!legacy", {"legacy": "yes"}, False),
    ("", {"any": "thing"}, True),
])
def test_selector_matching(selector: str, labels: dict[str, str], matches: bool) -> None:
    assert parse_selector(selector).matches(labels) is matches


@pytest.mark.parametrize("bad", ["a in (b", "=x", "a b c", "a===b"])
def test_bad_selectors_name_the_term(bad: str) -> None:
    with pytest.raises(SelectorError, match="bad label selector term"):
        parse_selector(bad)
