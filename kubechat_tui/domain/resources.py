"""The API resources a plan may name: plural name -> group/version, kind, scope, aliases."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class ResourceInfo:
    """One API resource as the API server's discovery describes it."""

    plural: str
    kind: str
    group: str  # "" for the core group
    version: str
    namespaced: bool
    aliases: tuple[str, ...] = ()

    def collection_path(self, namespace: str | None) -> str:
        """The REST path of the collection (namespaced when a namespace is given)."""
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if self.namespaced and namespace:
            return f"{base}/namespaces/{path_segment(namespace)}/{self.plural}"
        return f"{base}/{self.plural}"

    def object_path(self, namespace: str | None, name: str) -> str:
        """The REST path of one object."""
        return f"{self.collection_path(namespace)}/{path_segment(name)}"


def path_segment(value: str) -> str:
    """A value as exactly one URL path segment, percent-quoted; ValueError for a value
    that could change the path anyway (empty, `.`, `..`, or containing `/`, which API
    servers decode before routing)."""
    if value in ("", ".", "..") or "/" in value:
        raise ValueError(f"{value[:80]!r} cannot be a name in an API path")
    return quote(value, safe="")


def _r(plural: str, kind: str, group: str, version: str, namespaced: bool,
       *aliases: str) -> ResourceInfo:
    return ResourceInfo(plural, kind, group, version, namespaced, aliases)


RESOURCES: dict[str, ResourceInfo] = {
    r.plural: r
    for r in (
        _r("pods", "Pod", "", "v1", True, "pod", "po"),
        _r("services", "Service", "", "v1", True, "service", "svc"),
        _r("endpoints", "Endpoints", "", "v1", True, "ep"),
        _r("events", "Event", "", "v1", True, "event", "ev"),
        _r("nodes", "Node", "", "v1", False, "node", "no"),
        _r("namespaces", "Namespace", "", "v1", False, "namespace", "ns"),
        _r("configmaps", "ConfigMap", "", "v1", True, "configmap", "cm"),
        _r("secrets", "Secret", "", "v1", True, "secret"),
        _r("serviceaccounts", "ServiceAccount", "", "v1", True, "serviceaccount", "sa"),
        _r("persistentvolumeclaims", "PersistentVolumeClaim", "", "v1", True, "pvc"),
        _r("persistentvolumes", "PersistentVolume", "", "v1", False, "pv"),
        _r("deployments", "Deployment", "apps", "v1", True, "deployment", "deploy"),
        _r("replicasets", "ReplicaSet", "apps", "v1", True, "replicaset", "rs"),
        _r("statefulsets", "StatefulSet", "apps", "v1", True, "statefulset", "sts"),
        _r("daemonsets", "DaemonSet", "apps", "v1", True, "daemonset", "ds"),
        _r("jobs", "Job", "batch", "v1", True, "job"),
        _r("cronjobs", "CronJob", "batch", "v1", True, "cronjob", "cj"),
        _r("ingresses", "Ingress", "networking.k8s.io", "v1", True, "ingress", "ing"),
        _r("networkpolicies", "NetworkPolicy", "networking.k8s.io", "v1", True, "netpol"),
        _r("poddisruptionbudgets", "PodDisruptionBudget", "policy", "v1", True, "pdb"),
        _r("horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling", "v2", True,
           "hpa"),
        _r("roles", "Role", "rbac.authorization.k8s.io", "v1", True, "role"),
        _r("rolebindings", "RoleBinding", "rbac.authorization.k8s.io", "v1", True,
           "rolebinding"),
        _r("clusterroles", "ClusterRole", "rbac.authorization.k8s.io", "v1", False,
           "clusterrole"),
        _r("clusterrolebindings", "ClusterRoleBinding", "rbac.authorization.k8s.io", "v1",
           False, "clusterrolebinding"),
        _r("customresourcedefinitions", "CustomResourceDefinition", "apiextensions.k8s.io",
           "v1", False, "crd", "crds"),
    )
}

RBAC_RESOURCES = frozenset({"roles", "rolebindings", "clusterroles", "clusterrolebindings"})
# Workloads whose pods are managed through a pod template (scale/restart/set image/undo).
WORKLOAD_RESOURCES = frozenset({"deployments", "statefulsets", "daemonsets"})


def resolve_resource(word: str) -> ResourceInfo | None:
    """The resource for a plural, singular or short name (`deploy`, `po`), else None."""
    key = word.strip().lower()
    if key in RESOURCES:
        return RESOURCES[key]
    for info in RESOURCES.values():
        if key in info.aliases or key == info.kind.lower():
            return info
    return None
