"""The exact RBAC attributes (verb, group, resource, subresource, namespace, name) of a step.

Derived from the API calls a step stands for, so the check asks about precisely what the
executor will send. Placeholders such as `{pod}` or `{namespace}` (resolved at execution)
become "" - any name / all namespaces - the way RBAC reads an empty attribute.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubechat_tui.domain import ApiCall, Plan, Step

_METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


@dataclass(frozen=True)
class Attributes:
    """SelfSubjectAccessReview resourceAttributes for one request."""

    verb: str
    group: str
    resource: str
    subresource: str = ""
    namespace: str = ""
    name: str = ""

    def to_spec(self) -> dict[str, str]:
        """The `resourceAttributes` mapping (empty fields left out)."""
        fields = {"namespace": self.namespace, "verb": self.verb, "group": self.group,
                  "resource": self.resource, "subresource": self.subresource,
                  "name": self.name}
        return {k: v for k, v in fields.items() if v or k in ("verb", "resource")}

    def describe(self) -> str:
        """`patch deployments/scale "payments-api" in namespace payments (group apps)`."""
        what = self.resource + (f"/{self.subresource}" if self.subresource else "")
        text = f"{self.verb} {what}" + (f" {self.name!r}" if self.name else "")
        text += f" in namespace {self.namespace}" if self.namespace else " (cluster-wide)"
        return text + (f" (group {self.group})" if self.group else "")


def _concrete(segment: str) -> str:
    return "" if segment.startswith("{") else segment


def attributes_of(call: ApiCall) -> Attributes:
    """Parse an API path (`/api/v1/...` or `/apis/GROUP/VERSION/...`) and method."""
    parts = [p for p in call.path.split("?")[0].split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, rest = "", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, rest = parts[1], parts[3:]
    else:
        raise ValueError(f"not a Kubernetes API path: {call.path}")
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = _concrete(rest[1]), rest[2:]
    if not rest:
        raise ValueError(f"no resource in API path: {call.path}")
    resource = rest[0]
    name = _concrete(rest[1]) if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    method = call.method.upper()
    if method == "GET":
        verb = "watch" if call.query.get("watch") in ("true", "1") else (
            "get" if len(rest) > 1 else "list")
    elif method == "DELETE":
        verb = "delete" if len(rest) > 1 else "deletecollection"
    elif method in _METHOD_VERBS:
        verb = _METHOD_VERBS[method]
    else:
        raise ValueError(f"unsupported HTTP method {call.method} for {call.path}")
    return Attributes(verb, group, resource, subresource, namespace, name)


def fallback_attributes(step: Step, plan: Plan) -> Attributes:
    """What a step names (kubectl verb, resource, namespace, name) when its calls cannot be
    read; used only to describe a check that fails closed."""
    return Attributes(step.verb.value, "", step.resource, "",
                      step.namespace or plan.scope.namespace or "", step.name or "")


def step_attributes(step: Step, plan: Plan) -> list[tuple[str, Attributes]]:
    """(cluster, attributes) for every API call of an accepted step, without duplicates.

    Raises ValueError for a call that is not a Kubernetes API request, and for a mutating
    step without any API call (there would be nothing to review).
    """
    if not step.accepted:
        return []
    if step.mutating and not step.api_calls:
        raise ValueError(f"mutating step {step.id} has no API calls to review")
    calls = [attributes_of(call) for call in step.api_calls]
    found: list[tuple[str, Attributes]] = []
    for cluster in step.clusters or plan.scope.clusters:
        for attrs in calls:
            if (cluster, attrs) not in found:
                found.append((cluster, attrs))
    return found
