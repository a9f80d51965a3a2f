"""How to get a missing permission: the Role/RoleBinding YAML that would allow it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import yaml

from kubechat_tui.guard.access import Attributes

_NAMELESS_VERBS = frozenset({"list", "watch", "create", "deletecollection"})
RBAC_API = "rbac.authorization.k8s.io"


def _rule(attrs: Attributes) -> dict[str, list[str]]:
    resource = attrs.resource + (f"/{attrs.subresource}" if attrs.subresource else "")
    rule = {"apiGroups": [attrs.group], "resources": [resource], "verbs": [attrs.verb]}
    if attrs.name and attrs.verb not in _NAMELESS_VERBS:
        rule["resourceNames"] = [attrs.name]
    return rule


def grant_yaml(user: str, namespace: str, missing: Sequence[Attributes]) -> str:
    """A Role + RoleBinding (or ClusterRole + ClusterRoleBinding when namespace is "")."""
    digest = hashlib.sha256(repr((user, namespace, tuple(missing))).encode()).hexdigest()[:8]
    safe_user = "".join(c if c.isalnum() or c in "-." else "-" for c in user.lower())
    name = f"kubechat-{safe_user}-{digest}"
    role_kind = "Role" if namespace else "ClusterRole"
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    rules: list[dict[str, list[str]]] = []
    for attrs in missing:
        rule = _rule(attrs)
        if rule not in rules:
            rules.append(rule)
    role = {"apiVersion": f"{RBAC_API}/v1", "kind": role_kind, "metadata": metadata,
            "rules": rules}
    binding = {"apiVersion": f"{RBAC_API}/v1", "kind": f"{role_kind}Binding",
               "metadata": dict(metadata),
               "subjects": [{"kind": "User", "name": user, "apiGroup": RBAC_API}],
               "roleRef": {"kind": role_kind, "name": name, "apiGroup": RBAC_API}}
    return yaml.safe_dump_all([role, binding], sort_keys=False)


def remediation_text(cluster: str, user: str, namespace: str, missing: Sequence[Attributes],
                     contact: str | None) -> str:
    """What is missing and how to get it, ending with the YAML an admin would apply."""
    lines = [f"{user}@{cluster} is not allowed to:"]
    lines += [f"  - {a.describe()}" for a in missing]
    who = contact or "a cluster administrator"
    lines.append(f"Ask {who} to grant it on cluster {cluster}, e.g. `kubectl apply -f -` with:")
    lines.append(grant_yaml(user, namespace, missing).rstrip())
    lines.append("Or run kubechat with a context whose identity already has these rights.")
    return "\n".join(lines)
