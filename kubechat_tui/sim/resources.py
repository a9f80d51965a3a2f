"""The resource types the simulator serves, with what discovery says about each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

READ = ("get", "list", "watch")
ALL = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
COMMON_FIELDS = ("metadata.name", "metadata.namespace")


@dataclass(frozen=True)
class Subresource:
    """A subresource as listed by discovery (`pods/log`, `deployments/scale`)."""

    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str = ""
    version: str = ""


@dataclass(frozen=True)
class ResourceType:
    """One served resource: names, scope, verbs and the field selectors it accepts."""

    plural: str
    singular: str
    kind: str
    group: str = ""
    version: str = "v1"
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    fields: tuple[str, ...] = COMMON_FIELDS
    has_generation: bool = False
    custom: bool = False  # served from a CustomResourceDefinition (sim/crds.py)

    @property
    def key(self) -> str:
        """Storage key: `pods`, `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        """`v1` or `apps/v1`."""
        return f"{self.group}/{self.version}" if self.group else self.version

    def subresource(self, name: str) -> Subresource | None:
        """The named subresource, if served."""
        return next((s for s in self.subresources if s.name == name), None)


_STATUS = Subresource("status", "", ("get", "patch", "update"))
_SCALE = Subresource("scale", "Scale", ("get", "patch", "update"), "autoscaling", "v1")

RESOURCES: tuple[ResourceType, ...] = (
    ResourceType("namespaces", "namespace", "Namespace", namespaced=False, short_names=("ns",),
                 verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
                 subresources=(Subresource("status", "Namespace", ("get", "patch", "update")),),
                 fields=(*COMMON_FIELDS, "status.phase")),
    ResourceType("nodes", "node", "Node", namespaced=False, short_names=("no",),
                 subresources=(Subresource("status", "Node", ("get", "patch", "update")),),
                 fields=(*COMMON_FIELDS, "spec.unschedulable")),
    ResourceType("pods", "pod", "Pod", short_names=("po",), categories=("all",),
                 has_generation=True,
                 subresources=(
                     Subresource("eviction", "Eviction", ("create",), "policy", "v1"),
                     Subresource("exec", "PodExecOptions", ("create", "get")),
                     Subresource("log", "Pod", ("get",)),
                     Subresource("status", "Pod", ("get", "patch", "update")),
                 ),
                 fields=(*COMMON_FIELDS, "spec.nodeName", "spec.restartPolicy",
                         "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
                         "status.phase", "status.podIP", "status.nominatedNodeName")),
    ResourceType("events", "event", "Event", short_names=("ev",),
                 fields=(*COMMON_FIELDS, "involvedObject.kind", "involvedObject.namespace",
                         "involvedObject.name", "involvedObject.uid",
                         "involvedObject.apiVersion", "involvedObject.resourceVersion",
                         "involvedObject.fieldPath", "reason", "reportingComponent", "source",
                         "type")),
    ResourceType("services", "service", "Service", short_names=("svc",), categories=("all",),
                 verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update",
                        "watch"),
                 subresources=(Subresource("status", "Service", ("get", "patch", "update")),)),
    ResourceType("endpoints", "endpoints", "Endpoints", short_names=("ep",)),
    ResourceType("configmaps", "configmap", "ConfigMap", short_names=("cm",)),
    ResourceType("secrets", "secret", "Secret", fields=(*COMMON_FIELDS, "type")),
    ResourceType("serviceaccounts", "serviceaccount", "ServiceAccount", short_names=("sa",)),
    ResourceType("deployments", "deployment", "Deployment", group="apps",
                 short_names=("deploy",), categories=("all",), has_generation=True,
                 subresources=(_SCALE, Subresource("status", "Deployment", _STATUS.verbs))),
    ResourceType("replicasets", "replicaset", "ReplicaSet", group="apps", short_names=("rs",),
                 categories=("all",), has_generation=True,
                 subresources=(_SCALE, Subresource("status", "ReplicaSet", _STATUS.verbs))),
    ResourceType("statefulsets", "statefulset", "StatefulSet", group="apps",
                 short_names=("sts",), categories=("all",), has_generation=True,
                 subresources=(_SCALE, Subresource("status", "StatefulSet", _STATUS.verbs))),
    ResourceType("daemonsets", "daemonset", "DaemonSet", group="apps", short_names=("ds",),
                 categories=("all",), has_generation=True,
                 subresources=(Subresource("status", "DaemonSet", _STATUS.verbs),)),
    ResourceType("poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget",
                 group="policy", short_names=("pdb",), has_generation=True,
                 subresources=(Subresource("status", "PodDisruptionBudget", _STATUS.verbs),)),
    ResourceType("jobs", "job", "Job", group="batch", categories=("all",), has_generation=True,
                 subresources=(Subresource("status", "Job", _STATUS.verbs),)),
    ResourceType("cronjobs", "cronjob", "CronJob", group="batch", short_names=("cj",),
                 categories=("all",), has_generation=True,
                 subresources=(Subresource("status", "CronJob", _STATUS.verbs),)),
    ResourceType("ingresses", "ingress", "Ingress", group="networking.k8s.io",
                 short_names=("ing",), has_generation=True,
                 subresources=(Subresource("status", "Ingress", _STATUS.verbs),)),
    ResourceType("persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim",
                 short_names=("pvc",),
                 subresources=(Subresource("status", "PersistentVolumeClaim", _STATUS.verbs),)),
    ResourceType("horizontalpodautoscalers", "horizontalpodautoscaler",
                 "HorizontalPodAutoscaler", group="autoscaling", version="v2",
                 short_names=("hpa",), categories=("all",), has_generation=True,
                 subresources=(Subresource("status", "HorizontalPodAutoscaler",
                                           _STATUS.verbs),)),
    # A custom resource, as a CRD installs it (cert-manager's Certificate).
    ResourceType("certificates", "certificate", "Certificate", group="cert-manager.io",
                 short_names=("cert", "certs"), categories=("cert-manager",),
                 has_generation=True,
                 subresources=(Subresource("status", "Certificate", _STATUS.verbs),)),
    ResourceType("customresourcedefinitions", "customresourcedefinition",
                 "CustomResourceDefinition", group="apiextensions.k8s.io", namespaced=False,
                 short_names=("crd", "crds"), categories=("api-extensions",),
                 subresources=(Subresource("status", "CustomResourceDefinition",
                                           _STATUS.verbs),)),
    ResourceType("leases", "lease", "Lease", group="coordination.k8s.io"),
    ResourceType("endpointslices", "endpointslice", "EndpointSlice", group="discovery.k8s.io"),
    ResourceType("nodes", "", "NodeMetrics", group="metrics.k8s.io", version="v1beta1",
                 namespaced=False, verbs=("get", "list")),
    ResourceType("pods", "", "PodMetrics", group="metrics.k8s.io", version="v1beta1",
                 verbs=("get", "list")),
    ResourceType("selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview",
                 group="authorization.k8s.io", namespaced=False, verbs=("create",), fields=()),
    ResourceType("selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview",
                 group="authorization.k8s.io", namespaced=False, verbs=("create",), fields=()),
    ResourceType("selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview",
                 group="authentication.k8s.io", namespaced=False, verbs=("create",), fields=()),
)

GROUP_VERSIONS: dict[str, list[ResourceType]] = {}
Custom = Mapping[str, list[ResourceType]]  # group-version -> custom resources (sim/crds.py)
for _r in RESOURCES:
    GROUP_VERSIONS.setdefault(_r.api_version, []).append(_r)

_BY_PATH: dict[tuple[str, str], ResourceType] = {(r.api_version, r.plural): r for r in RESOURCES}


def lookup(group_version: str, plural: str) -> ResourceType | None:
    """The resource served at /api(s)/<group_version>/<plural>, if any."""
    return _BY_PATH.get((group_version, plural))


def by_kind(api_version: str, kind: str) -> ResourceType | None:
    """The resource type for an object's apiVersion and kind (owner references)."""
    return _BY_KIND.get((api_version, kind))


_BY_KIND: dict[tuple[str, str], ResourceType] = {(r.api_version, r.kind): r for r in RESOURCES}
