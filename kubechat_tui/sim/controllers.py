"""Controllers: deployments -> ReplicaSets -> pods, scheduling, kubelet, crash loops, GC."""

from __future__ import annotations

import asyncio

from kubechat_tui.sim import disruption, kubelet, services, workloads
from kubechat_tui.sim.builders import (
    default_service_account,
    event,
    root_ca_configmap,
    stable_suffix,
)
from kubechat_tui.sim.clock import now, rfc3339
from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.resources import RESOURCES, by_kind
from kubechat_tui.sim.store import Change, Obj, clone

DEPLOY, RS, PODS = "deployments.apps", "replicasets.apps", "pods"
PDB = "poddisruptionbudgets.policy"
SLICES = "endpointslices.discovery.k8s.io"
SERVICE_NAME = "kubernetes.io/service-name"
START_DELAY = 1.0   # seconds a new pod spends in ContainerCreating


def _template_key(template: Obj) -> Obj:
    tpl = clone(template)
    tpl.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
    return tpl


class ClusterControllers:
    """Reacts to a cluster's store changes on the server loop."""

    def __init__(self, cluster: Cluster, loop: asyncio.AbstractEventLoop) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self.loop = loop
        self._pending: set[tuple[str, str, str]] = set()
        self._failing: set[tuple[str, str]] | None = None  # crash-looping pods, found lazily
        self._stopping: set[str] = set()  # uids of terminating pods the kubelet is stopping
        self.store.subscribe(self.on_change)

    def close(self) -> None:
        """Stop reacting."""
        self.store.unsubscribe(self.on_change)

    def on_change(self, change: Change) -> None:
        """Queue reconciles for what a change touches."""
        meta = change.obj["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        if change.type == "DELETED":
            self._collect_garbage(change.obj)
        if change.key in (DEPLOY, RS):
            self._queue(change.key, ns, name)
        for ref in meta.get("ownerReferences") or []:
            res = by_kind(ref.get("apiVersion", ""), ref.get("kind", ""))
            if res is not None and res.key in (DEPLOY, RS):
                self._queue(res.key, ns, ref["name"])
        if change.key == PODS and change.type == "ADDED" and not change.obj.get(
                "status", {}).get("conditions") and not meta.get("deletionTimestamp"):
            self._queue("schedule", ns, name)
        if change.key == PODS:
            for pdb in self.store.objects(PDB, ns):
                if disruption.covers(pdb, change.obj):
                    self._queue(PDB, ns, pdb["metadata"]["name"])
            for svc in self.store.objects("services", ns):
                if services.selects(svc, change.obj) or (
                        change.old is not None and services.selects(svc, change.old)):
                    self._queue("services", ns, svc["metadata"]["name"])
        if change.key == PODS and self._failing is not None:
            if change.type != "DELETED" and self._crashing(change.obj):
                self._failing.add((ns, name))
            else:
                self._failing.discard((ns, name))
        if change.key == "services":
            if change.type == "DELETED":
                self.loop.call_soon(self._drop_endpoints, ns, name)
            else:
                self._queue("services", ns, name)
        if change.key == "namespaces" and change.type == "ADDED":
            self.loop.call_soon(self._seed_namespace, name)
        if change.key == "namespaces" and change.type != "DELETED" and meta.get(
                "deletionTimestamp"):
            self.loop.call_soon(self._finish_namespace, name)
        if change.key == PODS and change.type != "DELETED" and meta.get(
                "deletionTimestamp") and meta["uid"] not in self._stopping:
            self._stopping.add(meta["uid"])  # the kubelet stops it once, then it is gone
            self.loop.call_later(kubelet.stop_seconds(change.obj, self.cluster.image_behaviors),
                                 self._finish_pod, ns, name, meta["uid"])

    def _queue(self, key: str, ns: str, name: str) -> None:
        item = (key, ns, name)
        if item not in self._pending:
            self._pending.add(item)
            self.loop.call_soon(self._run, item)

    def _run(self, item: tuple[str, str, str]) -> None:
        self._pending.discard(item)
        key, ns, name = item
        obj = self.store.get(PODS if key == "schedule" else key, ns, name)
        if obj is None:
            return
        if key == DEPLOY:
            self.reconcile_deployment(obj)
        elif key == "services":
            self.reconcile_endpoints(obj)
        elif key == "schedule":
            self.schedule(obj)
        elif key == PDB:
            new = clone(obj)
            new["status"] = disruption.status(obj, self.store.objects(PODS, ns))
            self._put_if_changed(PDB, obj, new)
        else:
            self.reconcile_replicaset(obj)

    def _put_if_changed(self, key: str, old: Obj, new: Obj) -> Obj:
        return self.store.put(key, new) if new != old else old

    def _event(self, ns: str, about: Obj, reason: str, message: str, component: str,
               type_: str = "Normal", field_path: str = "") -> None:
        at = now()
        host = about.get("spec", {}).get("nodeName", "") if component == "kubelet" else ""
        self.store.put("events", event(ns, about, reason, message, type_=type_,
                                       component=component, host=host, first=at, last=at,
                                       count=1, ids=self.cluster.ids, field_path=field_path))

    def reconcile_deployment(self, dep: Obj) -> None:
        """Make one ReplicaSet match the template, scale it, retire the others."""
        ns = dep["metadata"]["namespace"]
        if dep["metadata"].get("deletionTimestamp"):
            self._finish_foreground(DEPLOY, dep)
            return
        rss = [r for r in self.store.objects(RS, ns) if workloads.owned_by(r, dep)]
        want = _template_key(dep["spec"]["template"])
        revision = max((int((r["metadata"].get("annotations") or {}).get(workloads.REVISION, 0))
                        for r in rss), default=0)
        current = next((r for r in rss if _template_key(r["spec"]["template"]) == want), None)
        replicas = dep["spec"].get("replicas", 1)
        if current is None and dep["spec"].get("paused"):
            current = max(rss, key=lambda r: int(r["metadata"]["annotations"].get(
                workloads.REVISION, 0)), default=None)  # paused: no new rollout
        if current is None:
            current = workloads.replicaset(dep, dep["spec"]["template"], revision + 1, replicas,
                                           now(), self.cluster.ids)
            current = self.store.put(RS, current)
            self._event(ns, dep, "ScalingReplicaSet", f"Scaled up replica set "
                        f"{current['metadata']['name']} from 0 to {replicas}",
                        "deployment-controller")
            rss.append(current)
        cur_rev = int(current["metadata"]["annotations"].get(workloads.REVISION, 0))
        for rs in rss:
            target = replicas if rs is current else 0
            new = clone(rs)
            new["spec"]["replicas"] = target
            annotations = new["metadata"].setdefault("annotations", {})
            annotations["deployment.kubernetes.io/desired-replicas"] = str(replicas)
            if rs is current and cur_rev < revision:
                annotations[workloads.REVISION] = str(revision + 1)
            if new != rs:
                if new["spec"] != rs["spec"]:
                    new["metadata"]["generation"] = rs["metadata"].get("generation", 1) + 1
                    old_count = rs["spec"].get("replicas", 0)
                    verb = "up" if target > old_count else "down"
                    self._event(ns, dep, "ScalingReplicaSet", f"Scaled {verb} replica set "
                                f"{rs['metadata']['name']} from {old_count} to {target}",
                                "deployment-controller")
                updated = self.store.put(RS, new)
                if rs is current:
                    current = updated
        rss = [r for r in self.store.objects(RS, ns) if workloads.owned_by(r, dep)]
        new_dep = clone(dep)
        new_dep["metadata"].setdefault("annotations", {})[workloads.REVISION] = (
            current["metadata"]["annotations"][workloads.REVISION])
        status = workloads.deployment_status(dep, current, rss, now(), progressed=now())
        old_status = dep.get("status") or {}
        if _status_core(status) == _status_core(old_status):
            status["conditions"] = old_status.get("conditions", status["conditions"])
        new_dep["status"] = status
        self._put_if_changed(DEPLOY, dep, new_dep)

    def reconcile_endpoints(self, service: Obj) -> None:
        """Keep the service's Endpoints in step with its pods."""
        meta = service["metadata"]
        ns = meta["namespace"]
        wanted = services.subsets(service, self.store.objects(PODS, ns))
        current = self.store.get("endpoints", ns, meta["name"])
        if current is None:
            self.store.put("endpoints", {
                "kind": "Endpoints", "apiVersion": "v1",
                "metadata": {"name": meta["name"], "namespace": ns,
                             "uid": self.cluster.ids.uid(), "creationTimestamp": rfc3339(now()),
                             "labels": dict(meta.get("labels") or {})},
                "subsets": wanted})
        elif current.get("subsets") != wanted:
            new = clone(current)
            new["subsets"] = wanted
            self.store.put("endpoints", new)
        self.reconcile_slice(service)

    def reconcile_slice(self, service: Obj) -> None:
        """Keep the service's EndpointSlice in step with its pods."""
        meta = service["metadata"]
        ns, uid = meta["namespace"], meta["uid"]
        endpoints = services.slice_endpoints(service, self.store.objects(PODS, ns),
                                             services.node_zones(self.store.objects("nodes")))
        current = next((s for s in self.store.objects(SLICES, ns)
                        if (s["metadata"].get("labels") or {}).get(SERVICE_NAME) == meta["name"]),
                       None)
        if current is None:
            self.store.put(SLICES, services.endpoint_slice(
                service, endpoints, f"{meta['name']}-{stable_suffix(uid, 'slice')}",
                self.cluster.ids.stable_uid(uid, "slice"), rfc3339(now())))
        elif (current.get("endpoints"), current.get("ports")) != (
                endpoints, services.slice_ports(service)):
            new = clone(current)
            new["endpoints"], new["ports"] = endpoints, services.slice_ports(service)
            new["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
            self.store.put(SLICES, new)

    def _drop_endpoints(self, ns: str, name: str) -> None:
        """A deleted service takes its Endpoints and EndpointSlices with it."""
        self.store.remove("endpoints", ns, name)
        for item in list(self.store.objects(SLICES, ns)):
            if (item["metadata"].get("labels") or {}).get(SERVICE_NAME) == name:
                self.store.remove(SLICES, ns, item["metadata"]["name"])

    def _seed_namespace(self, name: str) -> None:
        """A new namespace gets its `default` ServiceAccount and kube-root-ca.crt."""
        ns = self.store.get("namespaces", "", name)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return
        at = now()
        if self.store.get("serviceaccounts", name, "default") is None:
            self.store.put("serviceaccounts", default_service_account(self.cluster.ids, name, at))
        if self.store.get("configmaps", name, "kube-root-ca.crt") is None:
            self.store.put("configmaps", root_ca_configmap(self.cluster.ids, name,
                                                           self.cluster.ca_pem, at))

    def reconcile_replicaset(self, rs: Obj) -> None:
        """Create or delete pods to match spec.replicas; refresh status."""
        ns = rs["metadata"]["namespace"]
        if rs["metadata"].get("deletionTimestamp"):
            self._finish_foreground(RS, rs)
            return
        pods = [p for p in self.store.objects(PODS, ns) if workloads.owned_by(p, rs)]
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        want = rs["spec"].get("replicas", 1)
        for _ in range(want - len(live)):
            self._create_pod(rs)
        if len(live) > want:
            doomed = sorted(live, key=lambda p: (kubelet.node_ready_pod(p),
                                                 p["metadata"]["creationTimestamp"]))
            for pod in doomed[:len(live) - want]:
                self._terminate(pod)
                self._event(ns, rs, "SuccessfulDelete",
                            f"Deleted pod: {pod['metadata']['name']}", "replicaset-controller")
        pods = [p for p in self.store.objects(PODS, ns) if workloads.owned_by(p, rs)]
        new = clone(rs)
        new["status"] = workloads.replicaset_status(rs, pods)
        self._put_if_changed(RS, rs, new)

    def _create_pod(self, rs: Obj) -> None:
        pod = workloads.pod_from(rs, now(), self.cluster.ids)
        self._event(pod["metadata"]["namespace"], rs, "SuccessfulCreate",
                    f"Created pod: {pod['metadata']['name']}", "replicaset-controller")
        self.store.put(PODS, pod)  # the scheduler picks it up from the ADDED event

    def schedule(self, pod: Obj) -> None:
        """The scheduler and kubelet for a new pod: bind it to a node, then start it."""
        if pod.get("status", {}).get("conditions"):
            return  # already handled
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        nodes = self.store.objects("nodes")
        wanted = pod["spec"].get("nodeName")
        if wanted:
            target = next((n for n in nodes if n["metadata"]["name"] == wanted), None)
            why = f'node "{wanted}" not found'
        else:
            load: dict[str, int] = {}
            for other in self.store.objects(PODS):
                node_name = other["spec"].get("nodeName")
                if node_name:
                    load[node_name] = load.get(node_name, 0) + 1
            target, why = kubelet.schedule(pod, nodes, load)
        new = clone(pod)
        if target is None:
            new["status"] = kubelet.unschedulable_status(why, now())
            self.store.put(PODS, new)
            self._event(ns, new, "FailedScheduling", why, "default-scheduler", "Warning")
            return
        new["spec"]["nodeName"] = target["metadata"]["name"]
        new["status"] = kubelet.creating_status(new, target, now())
        self.store.put(PODS, new)
        if not wanted:
            self._event(ns, new, "Scheduled", f"Successfully assigned {ns}/{name} to "
                        f"{target['metadata']['name']}", "default-scheduler")
        self.loop.call_later(START_DELAY, self._start_pod, ns, name, pod["metadata"]["uid"])

    def _start_pod(self, ns: str, name: str, uid: str) -> None:
        pod = self.store.get(PODS, ns, name)
        if pod is None or pod["metadata"]["uid"] != uid or pod["metadata"].get(
                "deletionTimestamp"):
            return
        node = self.store.get("nodes", "", pod["spec"]["nodeName"])
        if node is None:
            return
        started = now()
        self.cluster.started[uid] = started
        new = clone(pod)
        kinds = kubelet.behaviors(pod, self.cluster.image_behaviors)
        new["status"] = kubelet.running_status(new, node, started, started,
                                               self.cluster.image_behaviors)
        self.store.put(PODS, new)
        for container, kind in kinds.items():
            path = f"spec.containers{{{container}}}"
            if kind == "imagepull":
                image = next(c["image"] for c in pod["spec"]["containers"]
                             if c["name"] == container)
                self._event(ns, new, "Failed", f'Failed to pull image "{image}": not found',
                            "kubelet", "Warning", path)
            else:
                self._event(ns, new, "Started", f"Started container {container}", "kubelet",
                            field_path=path)

    def _terminate(self, pod: Obj) -> None:
        new = clone(pod)
        new["metadata"]["deletionTimestamp"] = rfc3339(now() + 30)
        new["metadata"]["deletionGracePeriodSeconds"] = 30
        new["metadata"]["generation"] = pod["metadata"].get("generation", 1) + 1
        self.store.put(PODS, new)

    def _finish_pod(self, ns: str, name: str, uid: str) -> None:
        self._stopping.discard(uid)
        pod = self.store.get(PODS, ns, name)
        if pod is not None and pod["metadata"]["uid"] == uid:
            self.store.remove(PODS, ns, name)
            self.cluster.started.pop(uid, None)

    def _dependents(self, owner: Obj) -> list[tuple[str, Obj]]:
        uid = owner["metadata"]["uid"]
        ns = owner["metadata"].get("namespace") or None
        return [(key, o) for key in (RS, PODS) for o in self.store.objects(key, ns)
                if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or [])]

    def _collect_garbage(self, owner: Obj) -> None:
        for key, dep in self._dependents(owner):
            meta = dep["metadata"]
            if key == PODS:
                if not meta.get("deletionTimestamp"):
                    self._terminate(dep)
            else:
                self.store.remove(key, meta["namespace"], meta["name"])

    def _finish_foreground(self, key: str, owner: Obj) -> None:
        self._collect_garbage(owner)
        meta = owner["metadata"]
        if not [d for k, d in self._dependents(owner) if k == RS]:
            self.store.remove(key, meta["namespace"], meta["name"])

    def _finish_namespace(self, name: str) -> None:
        """The namespace controller: delete everything inside, then the namespace."""
        for res in RESOURCES:
            if res.namespaced:
                for obj in list(self.store.objects(res.key, name)):
                    self.store.remove(res.key, name, obj["metadata"]["name"])
        self.store.remove("namespaces", "", name)

    def _crashing(self, pod: Obj) -> bool:
        kinds = kubelet.behaviors(pod, self.cluster.image_behaviors).values()
        return any(k in kubelet.FAILING for k in kinds)

    def tick_crashes(self, at: float | None = None) -> None:
        """Bring crash-looping pods up to `at` (default: now): each instance runs, dies,
        shows as terminated, then waits out the kubelet's back-off before the next restart."""
        at = now() if at is None else at
        if self._failing is None:
            self._failing = {(p["metadata"]["namespace"], p["metadata"]["name"])
                             for p in self.store.objects(PODS) if self._crashing(p)}
        for ns, name in sorted(self._failing):
            pod = self.store.get(PODS, ns, name)
            started = self.cluster.started.get(pod["metadata"]["uid"]) if pod else None
            if pod is None or started is None or pod["metadata"].get("deletionTimestamp"):
                continue
            current = pod.get("status", {}).get("containerStatuses")
            if not current:
                continue
            statuses, _ = kubelet.container_statuses(pod, started, at,
                                                     self.cluster.image_behaviors)
            if statuses == current:
                continue
            new = clone(pod)
            new["status"]["containerStatuses"] = statuses
            self.store.put(PODS, new)
            before = {c["name"]: c.get("restartCount", 0) for c in current}
            for status in statuses:
                crashes = status["restartCount"] - before.get(status["name"], 0)
                if crashes > 0:
                    self._count_backoff(new, status["name"], crashes, at)

    def _count_backoff(self, pod: Obj, container: str, crashes: int, at: float) -> None:
        """The kubelet's BackOff event for the container counts the new crashes."""
        meta = pod["metadata"]
        path = f"spec.containers{{{container}}}"
        for ev in self.store.objects("events", meta["namespace"]):
            inv = ev["involvedObject"]
            if ev.get("reason") == "BackOff" and inv.get("uid") == meta["uid"] and inv.get(
                    "fieldPath", path) == path:
                new = clone(ev)
                new["count"] = int(ev.get("count") or 1) + crashes
                new["lastTimestamp"] = rfc3339(at)
                self.store.put("events", new)
                return
        self._event(meta["namespace"], pod, "BackOff", f"Back-off restarting failed container "
                    f"{container} in pod {meta['name']}_{meta['namespace']}({meta['uid']})",
                    "kubelet", "Warning", path)


def _status_core(status: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in status.items() if k != "conditions"}

