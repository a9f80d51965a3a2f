"""Reading one custom object (kubechat's AuditPolicy, AIProvider) through a named
kubeconfig context: a plain GET of /apis/<group>/<version>/namespaces/<ns>/<plural>/<name>."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.fleet import Fleet, parse_json

READ_TIMEOUT = 10.0


@dataclass(frozen=True)
class CustomObjectRef:
    """Which custom object, read with which context's credentials."""

    context: str
    group: str
    version: str
    plural: str
    namespace: str
    name: str

    @property
    def path(self) -> str:
        """The object's API path."""
        return (
            f"/apis/{self.group}/{self.version}/namespaces/{self.namespace}/"
            f"{self.plural}/{self.name}"
        )

    def __str__(self) -> str:
        return f"{self.context}/{self.namespace}/{self.plural}.{self.group}/{self.name}"


def get_custom_object(fleet: Fleet, ref: CustomObjectRef) -> dict[str, Any]:
    """The object as the cluster stores it; ApiError (one line) when it cannot be read,
    KubeconfigError when the context cannot be used."""
    client = fleet.context_client(ref.context)
    status, doc = parse_json(client.request("GET", ref.path, timeout=READ_TIMEOUT))
    if status != 200:
        message = doc.get("message") or f"HTTP {status}"
        raise ApiError(
            ref.context, status, f"cannot read {ref}: {message}", str(doc.get("reason", ""))
        )
    if doc.get("kind") is None or not isinstance(doc.get("spec"), dict):
        raise ApiError(ref.context, status, f"{ref}: the answer is not a custom object")
    return doc
