"""The exact RBAC attributes (verb, group, resource, subresource, namespace, name) of a request.

Read from the HTTP request itself (method, path, query), the way the API server's request
info resolver does, so the pre-flight asks about precisely what the executor sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

_METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


class HttpRequest(Protocol):
    """What the attributes are read from (`kube.recorder.Request` has it)."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> Mapping[str, str]: ...


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


def attributes_of(call: HttpRequest) -> Attributes:
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
        namespace, rest = rest[1], rest[2:]
    if not rest:
        raise ValueError(f"no resource in API path: {call.path}")
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
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
