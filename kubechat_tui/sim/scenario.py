"""Build clusters from a scenario data file (kubechat_tui/sim/scenarios/<name>.yaml)."""

from __future__ import annotations

import base64
import re
from importlib import resources
from typing import Any

import yaml

from kubechat_tui.sim import disruption, kubelet, objects, services, workloads
from kubechat_tui.sim.builders import (
    Ids,
    container_spec,
    event,
    managed,
    meta,
    node,
    node_lease,
    pod_template,
    root_ca_configmap,
    stable_suffix,
)
from kubechat_tui.sim.canonical import normalize
from kubechat_tui.sim.catalog import add_catalog
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.store import Obj

NAMESPACES = ("default", "kube-node-lease", "kube-system", "platform", "payments", "checkout",
              "orders")
CHANGE_CAUSE = "kubernetes.io/change-cause"
NODE_HOSTS = (12, 34, 7, 21, 9, 15, 28, 40)
_AGE = re.compile(r"^(\d+)([smhd])$")


def parse_age(text: str | int) -> int:
    """`12m` -> 720 seconds."""
    if isinstance(text, int):
        return text
    match = _AGE.match(text.strip())
    if not match:
        raise ValueError(f"bad age {text!r} in scenario (use e.g. 30s, 12m, 3h, 9d)")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def load_data(name: str) -> dict[str, Any]:
    """The parsed scenario file."""
    path = resources.files("kubechat_tui.sim.scenarios").joinpath(f"{name}.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


def build_incident(start: float, ca_pem: bytes = b"") -> list[Cluster]:
    """Clusters of the incident scenario, fully populated."""
    return build_named("incident", start, ca_pem)


def build_named(name: str, start: float, ca_pem: bytes = b"") -> list[Cluster]:
    """Clusters of a scenario file (`incident`, `insights`), fully populated."""
    data = load_data(name)
    clusters = []
    for spec in data["clusters"]:
        cluster = Cluster(spec["name"], bool(spec.get("production")), data["image_behaviors"],
                          Ids(f"{name}/{spec['name']}"),
                          metrics_api=bool(spec.get("metrics_server", True)), ca_pem=ca_pem)
        ClusterBuilder(cluster, start).build(spec, data["apps"])
        clusters.append(cluster)
    return clusters


class ClusterBuilder:
    """Populates one cluster's store from a scenario cluster entry."""

    def __init__(self, cluster: Cluster, start: float) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self.ids = cluster.ids
        self.start = start
        self.nodes: list[Obj] = []
        self.load: dict[str, int] = {}
        self._placement: dict[tuple[tuple[str, str], ...], tuple[list[Obj], str]] = {}

    def add(self, key: str, obj: Obj) -> Obj:
        """Store an object without emitting a watch event, in the server's field order."""
        self.store.load(key, obj)
        return normalize(obj)

    def build(self, spec: dict[str, Any], apps: dict[str, Any]) -> None:
        """Nodes, namespaces, workloads, services, config and secrets of one cluster."""
        age = parse_age(spec.get("age", "100d"))
        self.add_nodes(spec, age)
        for ns in NAMESPACES:
            self.add_namespace(ns, self.start - age)
        if spec.get("daemonsets", True):
            self.add_daemonset("kube-proxy", "registry.k8s.io/kube-proxy:v1.36.2",
                               self.start - age)
        for dep in spec.get("deployments") or []:
            self.add_deployment(dep, apps[dep["app"]])
        for budget in spec.get("budgets") or []:
            self.add_budget(budget)
        for cm in spec.get("configmaps") or []:
            self.add_configmap(cm)
        for secret in spec.get("secrets") or []:
            self.add_secret(secret)
        objects.mark_nodes(self, spec)
        for manifest in spec.get("objects") or []:
            objects.add_manifest(self, manifest)
        add_catalog(self.add, self.ids, self.cluster.name, self.start)

    def add_nodes(self, spec: dict[str, Any], age: int) -> None:
        """Worker nodes named after their IPs (`ip-10-0-3-7`)."""
        region = spec.get("region", "eu-west-1")
        not_ready = set(spec.get("not_ready") or [])
        subnet = spec.get("subnet", "10.0")
        if not isinstance(subnet, str):
            raise ValueError(f"scenario cluster {spec.get('name')}: subnet must be a quoted "
                             f"string like \"10.20\", not {subnet!r}")
        for i in range(int(spec.get("nodes", 3))):
            ip = f"{subnet}.{i + 1}.{NODE_HOSTS[i % len(NODE_HOSTS)]}"
            name = "ip-" + ip.replace(".", "-")
            ready = name not in not_ready
            obj = node(name, ip, f"{region}{'abc'[i % 3]}", region, self.start - age + i * 60,
                       self.ids, ready=ready, role="worker", now=self.start)
            self.nodes.append(self.add("nodes", obj))
            self.add("leases.coordination.k8s.io", node_lease(obj, ready, self.start, self.ids))
            if not ready:
                self.node_event(obj, "NodeNotReady", f"Node {name} status is now: NodeNotReady",
                                "node-controller", 7 * 60)

    def node_event(self, obj: Obj, reason: str, message: str, component: str, ago: int,
                   type_: str = "Normal", count: int = 1) -> None:
        """An event about a node (stored in the default namespace, as the real recorder does)."""
        self.add("events", event("default", obj, reason, message, type_=type_, component=component,
                                 host="", first=self.start - ago, last=self.start - ago,
                                 count=count, ids=self.ids))

    def add_namespace(self, name: str, created: float) -> None:
        """A namespace and its default service account."""
        self.add("namespaces", {
            "kind": "Namespace", "apiVersion": "v1",
            "metadata": meta(name, "", created, self.ids,
                             labels={"kubernetes.io/metadata.name": name}),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        self.add("serviceaccounts", {"kind": "ServiceAccount", "apiVersion": "v1",
                                     "metadata": meta("default", name, created, self.ids)})
        self.add("configmaps", root_ca_configmap(self.ids, name, self.cluster.ca_pem, created))

    def add_deployment(self, dep: dict[str, Any], app: dict[str, Any]) -> None:
        """A deployment with its ReplicaSet history, pods, service and events."""
        ns, name = app["namespace"], dep["app"]
        labels = {"app": name, **app.get("labels", {})}
        created = self.start - parse_age(dep.get("age", "30d"))
        rollout = self.start - parse_age(dep.get("rollout", "1d"))
        current_images = {c["name"]: c["image"] for c in app["containers"]}
        current_images.update(dep.get("images") or {})
        revisions = [*(dep.get("history") or []), {"age": dep.get("rollout", "1d"),
                                                   "images": current_images,
                                                   "cause": dep.get("cause", "")}]

        def template(images: dict[str, str]) -> Obj:
            containers = [container_spec({**c, "image": images.get(c["name"], c["image"])},
                                         app.get("port")) for c in app["containers"]]
            return pod_template(labels, containers, app.get("node_selector"))

        replicas = int(dep.get("replicas", 1))
        deploy = workloads.deployment(name, ns, labels, replicas,
                                      template(current_images), created, self.ids)
        deploy["metadata"]["annotations"][workloads.REVISION] = str(len(revisions))
        if dep.get("cause"):
            deploy["metadata"]["annotations"][CHANGE_CAUSE] = dep["cause"]
        self.add("deployments.apps", deploy)
        current = None
        for number, rev in enumerate(revisions, start=1):
            images = {**{c["name"]: c["image"] for c in app["containers"]}, **rev["images"]}
            last = number == len(revisions)
            rs = workloads.replicaset(deploy, template(images), number, replicas if last else 0,
                                      self.start - parse_age(rev["age"]), self.ids)
            if rev.get("cause"):
                rs["metadata"]["annotations"][CHANGE_CAUSE] = rev["cause"]
            current = rs
            self.add("replicasets.apps", rs)
        assert current is not None
        pods = [self.add_pod(current, rollout + 3 + i) for i in range(replicas)]
        current["status"] = workloads.replicaset_status(current, pods)
        rss = [o for o in self.store.objects("replicasets.apps", ns)
               if workloads.owned_by(o, deploy)]
        deploy["status"] = workloads.deployment_status(deploy, current, rss, self.start)
        if self.start - rollout < 3600:
            self.add("events", event(
                ns, deploy, "ScalingReplicaSet",
                f"Scaled up replica set {current['metadata']['name']} from 0 to {replicas}",
                type_="Normal", component="deployment-controller", host="", first=rollout,
                last=rollout, count=1, ids=self.ids))
        if app.get("port"):
            self.add_service(ns, name, labels, app["port"], pods, created)

    def add_daemonset(self, name: str, image: str, created: float) -> None:
        """A kube-system DaemonSet with one running pod per node."""
        labels = {"k8s-app": name}
        container = container_spec({"name": name, "image": image, "cpu": "100m"}, None)
        template = pod_template(labels, [container], None)
        template["spec"]["tolerations"] = [{"operator": "Exists"}]
        template["spec"]["priorityClassName"] = "system-node-critical"
        ds: Obj = {"kind": "DaemonSet", "apiVersion": "apps/v1",
                   "metadata": meta(name, "kube-system", created, self.ids, generation=1,
                                    labels=dict(labels),
                                    annotations={"deprecated.daemonset.template.generation": "1"}),
                   "spec": {"selector": {"matchLabels": labels}, "template": template,
                            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {
                                "maxUnavailable": 1, "maxSurge": 0}},
                            "revisionHistoryLimit": 10}}
        ready = 0
        for node_obj in self.nodes:
            pod = workloads.pod_from(ds, created + 30, self.ids)
            pod["metadata"]["labels"]["controller-revision-hash"] = "6d8f5c7b9"
            pod["spec"]["nodeName"] = node_obj["metadata"]["name"]
            pod["status"] = kubelet.running_status(pod, node_obj, created + 32, self.start,
                                                   self.cluster.image_behaviors)
            ready += kubelet.node_ready(node_obj)
            self.add("pods", pod)
        count = len(self.nodes)
        ds["status"] = {"currentNumberScheduled": count, "numberMisscheduled": 0,
                        "desiredNumberScheduled": count, "numberReady": ready,
                        "observedGeneration": 1, "updatedNumberScheduled": count,
                        "numberAvailable": ready}
        if count - ready:
            ds["status"]["numberUnavailable"] = count - ready
        self.add("daemonsets.apps", ds)

    def add_pod(self, rs: Obj, created: float) -> Obj:
        """One pod of rs: scheduled (or not), with container states and matching events."""
        pod = workloads.pod_from(rs, created, self.ids)
        ns = pod["metadata"]["namespace"]
        target, why = self.place(pod)
        behaviors = self.cluster.image_behaviors
        recent = self.start - created < 3600
        if recent:
            self.add("events", event(ns, rs, "SuccessfulCreate",
                                     f"Created pod: {pod['metadata']['name']}", type_="Normal",
                                     component="replicaset-controller", host="", first=created,
                                     last=created, count=1, ids=self.ids))
        if target is None:
            pod["status"] = kubelet.unschedulable_status(why, created)
            self.add("pods", pod)
            self.pod_event(pod, "FailedScheduling", why, "default-scheduler", created,
                           "Warning", max(1, int((self.start - created) / 300)))
            return pod
        node_name = target["metadata"]["name"]
        self.load[node_name] = self.load.get(node_name, 0) + 1
        pod["spec"]["nodeName"] = node_name
        started = created + 2
        pod["status"] = kubelet.running_status(pod, target, started, self.start, behaviors)
        self.cluster.started[pod["metadata"]["uid"]] = started
        self.add("pods", pod)
        if recent:
            self.pod_event(pod, "Scheduled",
                           f"Successfully assigned {ns}/{pod['metadata']['name']} to {node_name}",
                           "default-scheduler", created)
        for container, behavior in kubelet.behaviors(pod, behaviors).items():
            restarts = kubelet.restarts_since(started, self.start, behavior) if (
                behavior in kubelet.FAILING) else 0
            self.container_events(pod, container, behavior, started, restarts, recent)
        return pod

    def place(self, pod: Obj) -> tuple[Obj | None, str]:
        """Schedule like kubelet.schedule, caching which nodes fit each node selector."""
        key = tuple(sorted((pod["spec"].get("nodeSelector") or {}).items()))
        cached = self._placement.get(key)
        if cached is None:
            fitting = []
            why = ""
            for candidate in self.nodes:
                target, why = kubelet.schedule(pod, [candidate], {})
                if target is not None:
                    fitting.append(candidate)
            if not fitting:
                why = kubelet.schedule(pod, self.nodes, {})[1]
            cached = self._placement[key] = (fitting, why)
        fitting, why = cached
        if not fitting:
            return None, why
        return min(fitting, key=lambda n: self.load.get(n["metadata"]["name"], 0)), ""

    def pod_event(self, pod: Obj, reason: str, message: str, component: str, first: float,
                  type_: str = "Normal", count: int = 1, field_path: str = "",
                  last: float | None = None) -> None:
        """An event about a pod (only the kubelet reports its host)."""
        host = pod["spec"].get("nodeName", "") if component == "kubelet" else ""
        self.add("events", event(pod["metadata"]["namespace"], pod, reason, message, type_=type_,
                                 component=component, host=host,
                                 first=first, last=last or first, count=count, ids=self.ids,
                                 field_path=field_path))

    def container_events(self, pod: Obj, container: str, behavior: str, started: float,
                         restarts: int, recent: bool) -> None:
        """Kubelet events that match the container's behavior."""
        image = next(c["image"] for c in pod["spec"]["containers"] if c["name"] == container)
        path = f"spec.containers{{{container}}}"
        if behavior == "imagepull":
            self.pod_event(pod, "Failed", f'Failed to pull image "{image}": rpc error: code = '
                           "NotFound desc = failed to pull and unpack image "
                           f"\"{image}\": failed to "
                           f"resolve reference \"{image}\": {image}: not found", "kubelet",
                           started, "Warning", 6, path, self.start - 40)
            self.pod_event(pod, "BackOff", f'Back-off pulling image "{image}"', "kubelet",
                           started + 10, "Normal", 24, path, self.start - 8)
            return
        if recent or behavior != "healthy":
            failing = behavior != "healthy"
            count = restarts + 1 if failing else 1
            last = self.start - 30 if failing else None
            self.pod_event(pod, "Pulled", f'Container image "{image}" already present on '
                           "machine", "kubelet", started, count=count, field_path=path, last=last)
            self.pod_event(pod, "Started", f"Started container {container}", "kubelet",
                           started + 1, count=count, field_path=path, last=last)
        if behavior == "crashloop":
            self.pod_event(pod, "Unhealthy", "Readiness probe failed: Get \"http://"
                           f"{pod['status'].get('podIP')}:8080/ready\": dial tcp "
                           f"{pod['status'].get('podIP')}:8080: connect: connection refused",
                           "kubelet", started + 5, "Warning", max(1, restarts * 2), path,
                           self.start - 20)
            self.pod_event(pod, "BackOff", f"Back-off restarting failed container {container} in "
                           f"pod {pod['metadata']['name']}_{pod['metadata']['namespace']}"
                           f"({pod['metadata']['uid']})", "kubelet", started + 30, "Warning",
                           max(1, restarts * 4), path, self.start - 5)
        elif behavior == "oomkilled":
            node_obj = self.store.get("nodes", "", pod["spec"]["nodeName"])
            if node_obj is not None:
                self.node_event(node_obj, "OOMKilling", "Memory cgroup out of memory: Killed "
                                f"process {4000 + restarts} (payments-worke) total-vm:1482216kB, "
                                "anon-rss:262144kB, file-rss:0kB, shmem-rss:0kB, UID:1000 "
                                "pgtables:812kB oom_score_adj:999", "kernel-monitor", 60,
                                "Warning", max(1, restarts))
            self.pod_event(pod, "BackOff", f"Back-off restarting failed container {container} in "
                           f"pod {pod['metadata']['name']}_{pod['metadata']['namespace']}"
                           f"({pod['metadata']['uid']})", "kubelet", started + 60, "Warning",
                           max(1, restarts * 2), path, self.start - 12)

    def add_service(self, ns: str, name: str, labels: dict[str, str], port: int, pods: list[Obj],
                    created: float) -> None:
        """A ClusterIP service and its Endpoints (ready pods only)."""
        cluster_ip = f"172.20.{self.ids.rng.randrange(1, 250)}.{self.ids.rng.randrange(2, 250)}"
        service: Obj = {
            "kind": "Service", "apiVersion": "v1",
            "metadata": meta(name, ns, created, self.ids, labels=dict(labels)),
            "spec": {"ports": [{"name": "http", "protocol": "TCP", "port": 80 if port != 53
                                else 53, "targetPort": port}],
                     "selector": {"app": labels["app"]}, "clusterIP": cluster_ip,
                     "clusterIPs": [cluster_ip], "type": "ClusterIP",
                     "sessionAffinity": "None", "ipFamilies": ["IPv4"],
                     "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"},
            "status": {"loadBalancer": {}}}
        service = self.add("services", service)
        self.add("endpoints", {"kind": "Endpoints", "apiVersion": "v1",
                               "metadata": meta(name, ns, created, self.ids, labels=dict(labels)),
                               "subsets": services.subsets(service, pods)})
        uid = service["metadata"]["uid"]
        self.add("endpointslices.discovery.k8s.io", services.endpoint_slice(
            service, services.slice_endpoints(service, pods, services.node_zones(self.nodes)),
            f"{name}-{stable_suffix(uid, 'slice')}", self.ids.stable_uid(uid, "slice"),
            rfc3339(created)))

    def add_budget(self, spec: dict[str, Any]) -> None:
        """A PodDisruptionBudget over an app's pods, status computed from them."""
        ns = spec["namespace"]
        limit = {k: spec[k] for k in ("minAvailable", "maxUnavailable") if k in spec}
        pdb: Obj = {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
                    "metadata": meta(spec["name"], ns, self.start - parse_age(spec.get(
                        "age", "90d")), self.ids, generation=1),
                    "spec": {**limit, "selector": {"matchLabels": {"app": spec["app"]}}}}
        pdb["status"] = disruption.status(pdb, self.store.objects("pods", ns))
        self.add("poddisruptionbudgets.policy", pdb)

    def add_configmap(self, spec: dict[str, Any]) -> None:
        """A ConfigMap; `changed` records a recent edit in managedFields."""
        created = self.start - parse_age(spec.get("age", "30d"))
        fields = [managed("kubectl-client-side-apply", "v1", created, {"f:data": {}})]
        if spec.get("changed"):
            fields.append(managed(spec.get("changed_by", "kubectl-edit"), "v1",
                                  self.start - parse_age(spec["changed"]),
                                  {"f:data": {f"f:{k}": {} for k in spec["data"]}}))
        self.add("configmaps", {"kind": "ConfigMap", "apiVersion": "v1",
                                "metadata": meta(spec["name"], spec["namespace"], created,
                                                 self.ids, managedFields=fields),
                                "data": {k: str(v) for k, v in spec["data"].items()}})

    def add_secret(self, spec: dict[str, Any]) -> None:
        """An Opaque secret with base64 values."""
        created = self.start - parse_age(spec.get("age", "30d"))
        self.add("secrets", {"kind": "Secret", "apiVersion": "v1",
                             "metadata": meta(spec["name"], spec["namespace"], created, self.ids),
                             "data": {k: base64.b64encode(str(v).encode()).decode()
                                      for k, v in spec["data"].items()},
                             "type": spec.get("type", "Opaque")})
