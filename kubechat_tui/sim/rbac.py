"""Identities behind bearer tokens and the RBAC decisions made for them."""

from __future__ import annotations

from dataclasses import dataclass

READ_VERBS = frozenset({"get", "list", "watch"})
# What ClusterRole `view` grants no access to (besides all writes).
VIEW_HIDDEN = frozenset({"secrets", "pods/exec", "pods/attach", "pods/portforward",
                         "pods/proxy", "services/proxy", "nodes/proxy"})
# Open to every authenticated user (system:basic-user and friends).
SELF_REVIEWS = frozenset({"selfsubjectaccessreviews", "selfsubjectrulesreviews",
                          "selfsubjectreviews"})


@dataclass(frozen=True)
class Identity:
    """A user the simulator authenticates: the kubeconfig user maps to one of these."""

    name: str
    username: str
    groups: tuple[str, ...]
    role: str  # cluster-admin | view | edit-scoped | namespace-edit
    namespaces: frozenset[str] = frozenset()

    @property
    def uid(self) -> str:
        """The uid reported by SelfSubjectReview."""
        return f"{self.username}-uid"


IDENTITIES: dict[str, Identity] = {
    "admin": Identity("admin", "admin", ("system:masters", "system:authenticated"),
                      "cluster-admin"),
    "viewer": Identity("viewer", "viewer", ("viewers", "system:authenticated"), "view"),
    "operator": Identity("operator", "operator", ("operators", "system:authenticated"),
                         "edit-scoped", frozenset({"payments", "checkout"})),
    "lead": Identity("lead", "sre-lead", ("sre-leads", "system:authenticated"), "cluster-admin"),
    # bound to ClusterRole edit by a RoleBinding in payments only: no cluster-wide reads
    "dev": Identity("dev", "dev", ("system:authenticated",), "namespace-edit",
                    frozenset({"payments"})),
}
# What ClusterRole `edit` does not grant, even in its namespace.
EDIT_HIDDEN = frozenset({"roles", "rolebindings", "resourcequotas", "limitranges"})


@dataclass(frozen=True)
class Decision:
    """An authorization answer with the reason RBAC would report."""

    allowed: bool
    reason: str = ""


def authorize(
    who: Identity, verb: str, group: str, resource: str, subresource: str, namespace: str
) -> Decision:
    """Decide one request the way the RBAC authorizer would for our fixed bindings."""
    full = f"{resource}/{subresource}" if subresource else resource
    if resource in SELF_REVIEWS and verb == "create":
        return Decision(True, 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of '
                              'ClusterRole "system:basic-user" to Group "system:authenticated"')
    if "system:masters" in who.groups:
        return Decision(True)
    if who.role == "cluster-admin":
        return Decision(True, f'RBAC: allowed by ClusterRoleBinding "{who.name}-cluster-admin" of '
                              f'ClusterRole "cluster-admin" to User "{who.username}"')
    if who.role == "namespace-edit":
        if namespace in who.namespaces and resource not in EDIT_HIDDEN:
            return Decision(True, f'RBAC: allowed by RoleBinding "{who.name}-edit/{namespace}" '
                                  f'of ClusterRole "edit" to User "{who.username}"')
        return Decision(False)
    readable = verb in READ_VERBS and full not in VIEW_HIDDEN
    if who.role == "edit-scoped" and namespace in who.namespaces and full not in (
            "nodes", "namespaces"):
        return Decision(True, f'RBAC: allowed by RoleBinding "operator-edit/{namespace}" of '
                              f'ClusterRole "edit" to User "{who.username}"')
    if readable:
        return Decision(True, f'RBAC: allowed by ClusterRoleBinding "{who.name}-view" of '
                              f'ClusterRole "view" to User "{who.username}"')
    return Decision(False)


def rules_for(who: Identity, namespace: str) -> list[dict[str, list[str]]]:
    """SelfSubjectRulesReview resourceRules for a namespace."""
    if who.role == "cluster-admin":
        return [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
    rules = [{"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
              "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
             {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"],
              "resources": ["selfsubjectreviews"]}]
    if who.role in ("edit-scoped", "namespace-edit") and namespace in who.namespaces:
        rules.append({"verbs": ["*"], "apiGroups": ["", "apps", "policy"], "resources": ["*"]})
    if who.role == "namespace-edit":
        return rules
    rules.append({"verbs": ["get", "list", "watch"],
                  "apiGroups": ["", "apps", "policy", "discovery.k8s.io"],
                  "resources": ["configmaps", "endpoints", "endpointslices", "events", "pods",
                                "pods/log",
                                "services", "serviceaccounts", "deployments", "replicasets",
                                "statefulsets", "daemonsets", "deployments/scale",
                                "poddisruptionbudgets", "namespaces", "nodes"]})
    return rules
