"""The `scale` scenario: 50 generated clusters, 1,000 nodes, 30,000 pods.

Two template clusters are generated once (one healthy, one with a crash-looping rollout); each
cluster is a copy of one of them with its own uids, made on first use in a few milliseconds.
"""

from __future__ import annotations

from typing import Any

import orjson

from kubechat_tui.sim.builders import Ids
from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.scenario import ClusterBuilder
from kubechat_tui.sim.store import Obj

CLUSTERS = 50
NODES_PER_CLUSTER = 20
NAMESPACES = ("payments", "checkout", "orders", "platform", "search", "identity")
DEPLOYMENTS_PER_NAMESPACE = 5
REPLICAS = 20  # 6 namespaces x 5 deployments x 20 = 600 pods per cluster
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1", "us-west-2")
FAILING_IMAGE = "registry.example/search-indexer:4.0.0-bad"
IMAGE_BEHAVIORS = {FAILING_IMAGE: "crashloop"}
TEMPLATE_PREFIX = "5ca1e000"


def _apps() -> dict[str, dict[str, Any]]:
    apps: dict[str, dict[str, Any]] = {}
    for ns in NAMESPACES:
        for j in range(DEPLOYMENTS_PER_NAMESPACE):
            name = f"{ns}-svc-{j}"
            apps[name] = {"namespace": ns, "labels": {"tier": "backend", "team": ns},
                          "port": 8080,
                          "containers": [{"name": "app",
                                          "image": f"registry.example/{name}:1.{j}.0",
                                          "cpu": "50m", "memory": "64Mi", "probes": True}]}
    return apps


def _spec(failing: bool) -> dict[str, Any]:
    deployments = []
    for name in _apps():
        dep: dict[str, Any] = {"app": name, "replicas": REPLICAS, "age": "120d", "rollout": "7d"}
        if failing and name == "search-svc-0":
            dep.update(images={"app": FAILING_IMAGE}, rollout="20m")
        deployments.append(dep)
    return {"nodes": NODES_PER_CLUSTER, "age": "400d", "region": "eu-west-1", "subnet": "10.8",
            "daemonsets": False, "deployments": deployments}


class TemplateFleet:
    """The two generated template clusters, serialized once and copied per cluster."""

    def __init__(self, start: float, ca_pem: bytes = b"") -> None:
        self.start = start
        self.ca_pem = ca_pem
        self._templates: dict[bool, tuple[dict[str, bytes], bytes]] = {}

    def _template(self, failing: bool) -> tuple[dict[str, bytes], bytes]:
        cached = self._templates.get(failing)
        if cached is None:
            model = Cluster("template", False, IMAGE_BEHAVIORS,
                            Ids(f"scale/{failing}", TEMPLATE_PREFIX), ca_pem=self.ca_pem)
            ClusterBuilder(model, self.start).build(_spec(failing), _apps())
            store = model.store
            keys = ("namespaces", "serviceaccounts", "configmaps", "nodes", "deployments.apps",
                    "replicasets.apps", "pods", "services", "endpoints",
                    "endpointslices.discovery.k8s.io", "events")
            cached = ({k: orjson.dumps(store.objects(k)) for k in keys},
                      orjson.dumps(model.started))
            self._templates[failing] = cached
        return cached

    def populate(self, cluster: Cluster, index: int, failing: bool) -> None:
        """Fill cluster with a copy of a template, uids rewritten to be unique."""
        objects, started = self._template(failing)
        old, new = TEMPLATE_PREFIX.encode(), f"5ca1e{index:03d}".encode()
        for key, data in objects.items():
            items: list[Obj] = orjson.loads(data.replace(old, new))
            for obj in items:
                cluster.store.load(key, obj)
        cluster.started.update(orjson.loads(started.replace(old, new)))


def build_scale(start: float, ca_pem: bytes = b"") -> list[Cluster]:
    """50 clusters whose objects are generated on first request to each."""
    templates = TemplateFleet(start, ca_pem)
    clusters = []
    for index in range(1, CLUSTERS + 1):
        failing = index % 10 == 0

        def populate(cluster: Cluster, index: int = index, failing: bool = failing) -> None:
            templates.populate(cluster, index, failing)

        clusters.append(Cluster(f"fleet-{index:02d}", index <= 30, IMAGE_BEHAVIORS,
                                Ids(f"scale/{index}", f"5ca1e{index:03d}"), populate=populate,
                                ca_pem=ca_pem))
    return clusters
