"""A scripted ClusterView: a tiny fleet in memory, to test blast radius and resolution."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubechat_tui.kube.lookup import Pdb, ServiceInfo, Workload


@dataclass
class FakeView:
    """prod-eu/prod-us/staging/canary, each with payments/payments-api (3 replicas)."""

    clusters: list[str] = field(default_factory=lambda: ["prod-eu", "prod-us", "staging",
                                                         "canary"])
    replicas: dict[str, int] = field(default_factory=lambda: {
        "prod-eu": 4, "prod-us": 4, "staging": 2, "canary": 1})
    pdb_allowed: int = 1
    calls: int = 0

    def cluster_names(self) -> list[str]:
        return list(self.clusters)

    def namespaces(self, cluster: str) -> list[str] | None:
        return ["default", "kube-system", "payments", "checkout"]

    def locate(self, cluster: str, resource: str, name: str) -> list[str] | None:
        self.calls += 1
        if name in ("payments-api", "payments-worker"):
            return ["payments"]
        if name == "web":
            return ["checkout", "payments"]  # ambiguous on purpose
        return []

    def workload(self, cluster: str, resource: str, namespace: str | None,
                 name: str) -> Workload | None:
        self.calls += 1
        if name != "payments-api" or cluster not in self.replicas:
            return None
        return Workload(cluster=cluster, namespace="payments", name=name,
                        replicas=self.replicas[cluster], ready=self.replicas[cluster] - 1,
                        selector="app=payments-api", template_labels={"app": "payments-api"},
                        containers=(("api", "registry.example/payments-api:1.4.2"),
                                    ("sidecar", "registry.example/envoy:1.30")))

    def failure(self, cluster: str) -> str | None:
        return None

    def count(self, cluster: str, resource: str, namespace: str | None,
              label_selector: str | None = None, field_selector: str | None = None) -> int | None:
        self.calls += 1
        if cluster == "unreachable":
            return None
        if resource == "pods" and label_selector == "app=payments-api":
            return self.replicas.get(cluster, 0)
        if resource == "pods" and field_selector and field_selector.startswith("spec.nodeName"):
            return 12
        if field_selector and field_selector.startswith("metadata.name="):
            return 1
        if field_selector == "status.phase=Failed":
            return 2
        return 7

    def pdbs(self, cluster: str, namespace: str) -> list[Pdb] | None:
        return [Pdb("payments-api-pdb", self.pdb_allowed,
                    {"matchLabels": {"app": "payments-api"}})]

    def has_metrics(self, cluster: str) -> bool | None:
        return cluster != "canary"

    def services(self, cluster: str, namespace: str) -> list[ServiceInfo] | None:
        return [ServiceInfo("payments-api", {"app": "payments-api"}, 3),
                ServiceInfo("other", {"app": "other"}, 1)]
