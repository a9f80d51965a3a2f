"""Builders for the objects a real cluster would hold: nodes, workloads, pods, events."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime
from typing import Any

from kubechat_tui.sim import versions
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.store import Obj, clone

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
ROOT_CA = "kube-root-ca.crt"
ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
    "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
    "guaranteed across distributions of Kubernetes clusters.")


class Ids:
    """Deterministic uids and name suffixes for one cluster."""

    def __init__(self, seed: str, uid_prefix: str = "") -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.uid_prefix = uid_prefix

    def uid(self) -> str:
        """A version-4 UUID string (first 8 hex digits fixed when a prefix is set)."""
        text = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        return self.uid_prefix + text[len(self.uid_prefix):] if self.uid_prefix else text

    def suffix(self, length: int = 5) -> str:
        """A generateName suffix (`6gf77`)."""
        return "".join(self.rng.choice(SAFE_ALPHABET) for _ in range(length))

    def stable_uid(self, *parts: str) -> str:
        """A uid derived from parts, with the prefix, without advancing the sequence."""
        text = stable_uid(self.seed, *parts)
        return self.uid_prefix + text[len(self.uid_prefix):] if self.uid_prefix else text


def stable_suffix(*parts: str, length: int = 5) -> str:
    """A generateName-style suffix derived from parts (does not advance any Ids sequence)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:length])


def stable_uid(*parts: str) -> str:
    """A version-4 style uid derived from parts (does not advance any Ids sequence)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def template_hash(template: Obj) -> str:
    """The pod-template-hash label value for a pod template (10 safe characters)."""
    import orjson

    tpl = clone(template)
    tpl.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)
    digest = hashlib.sha256(orjson.dumps(tpl, option=orjson.OPT_SORT_KEYS)).digest()
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:10])


def managed(manager: str, api_version: str, at: float, fields: dict[str, Any],
            subresource: str = "") -> dict[str, Any]:
    """One managedFields entry."""
    entry: dict[str, Any] = {"manager": manager, "operation": "Update", "apiVersion": api_version,
                             "time": rfc3339(at), "fieldsType": "FieldsV1", "fieldsV1": fields}
    if subresource:
        entry["subresource"] = subresource
    return entry


def meta(name: str, namespace: str, created: float, ids: Ids | None, **extra: Any) -> Obj:
    """ObjectMeta in the server's key order; extra keys are added when truthy (a `uid` given
    in extra is used instead of the next one from ids)."""
    out: Obj = {"name": name}
    if extra.get("generateName"):
        out["generateName"] = extra.pop("generateName")
    if namespace:
        out["namespace"] = namespace
    uid = extra.pop("uid", None)
    assert uid is not None or ids is not None
    out["uid"] = uid or ids.uid()  # type: ignore[union-attr]
    if extra.get("generation"):
        out["generation"] = extra.pop("generation")
    out["creationTimestamp"] = rfc3339(created)
    if not extra.get("managedFields"):
        extra["managedFields"] = [managed(extra.pop("manager", "kubectl-client-side-apply"),
                                          "v1", created, {"f:metadata": {}})]
    extra.pop("manager", None)
    for key in ("labels", "annotations", "ownerReferences", "managedFields"):
        if extra.get(key):
            out[key] = extra[key]
    return out


def owner_ref(owner: Obj) -> dict[str, Any]:
    """A controller ownerReference pointing at owner."""
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def container_spec(spec: dict[str, Any], port: int | None) -> Obj:
    """A container as the API defaults it, from the scenario's short form."""
    out: Obj = {"name": spec["name"], "image": spec["image"]}
    if port and spec.get("probes") is not None:
        out["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
    env = []
    if spec.get("config"):
        out["envFrom"] = [{"configMapRef": {"name": spec["config"]}}]
    if spec.get("secret"):
        env.append({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {
            "name": spec["secret"], "key": "password"}}})
    if env:
        out["env"] = env
    resources: Obj = {}
    if spec.get("memory_limit"):
        resources["limits"] = {"memory": spec["memory_limit"]}
    if spec.get("cpu") or spec.get("memory"):
        resources["requests"] = {k: spec[k] for k in ("cpu", "memory") if spec.get(k)}
    out["resources"] = resources
    if port and spec.get("probes"):
        probe: Obj = {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
                 "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
                 "failureThreshold": 3}
        out["livenessProbe"] = probe
        out["readinessProbe"] = {**probe, "httpGet": {**probe["httpGet"], "path": "/ready"}}
    out["terminationMessagePath"] = "/dev/termination-log"
    out["terminationMessagePolicy"] = "File"
    out["imagePullPolicy"] = "IfNotPresent"
    return out


def pod_template(labels: dict[str, str], containers: list[Obj],
                 node_selector: dict[str, str] | None) -> Obj:
    """A PodTemplateSpec with API defaults filled in."""
    spec: Obj = {"containers": containers, "restartPolicy": "Always",
                 "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst"}
    if node_selector:
        spec["nodeSelector"] = node_selector
    spec.update({"securityContext": {}, "schedulerName": "default-scheduler"})
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


def node(name: str, ip: str, zone: str, region: str, created: float, ids: Ids, *,
         ready: bool, role: str, now: float, extra_labels: dict[str, str] | None = None) -> Obj:
    """A Node with kubelet-reported status."""
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
              "kubernetes.io/os": "linux", f"node-role.kubernetes.io/{role}": "",
              "topology.kubernetes.io/region": region, "topology.kubernetes.io/zone": zone,
              **(extra_labels or {})}
    heartbeat = rfc3339(now - (240 if not ready else 20))
    since = rfc3339(now - (7 * 60 if not ready else 30 * 86400))
    ready_cond = ({"type": "Ready", "status": "True", "lastHeartbeatTime": heartbeat,
                   "lastTransitionTime": since, "reason": "KubeletReady",
                   "message": "kubelet is posting ready status"} if ready else
                  {"type": "Ready", "status": "Unknown", "lastHeartbeatTime": heartbeat,
                   "lastTransitionTime": since, "reason": "NodeStatusUnknown",
                   "message": "Kubelet stopped posting node status."})
    conditions = [
        {"type": t, "status": "False", "lastHeartbeatTime": heartbeat, "lastTransitionTime": since,
         "reason": r, "message": m} if ready else
        {"type": t, "status": "Unknown", "lastHeartbeatTime": heartbeat,
         "lastTransitionTime": since, "reason": "NodeStatusUnknown",
         "message": "Kubelet stopped posting node status."} for t, r, m in (
            ("MemoryPressure", "KubeletHasSufficientMemory",
             "kubelet has sufficient memory available"),
            ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"))
    ]
    conditions.append(ready_cond)
    spec: Obj = {"podCIDR": f"10.244.{ip.split('.')[-1]}.0/24",
                 "providerID": f"aws:///{zone}/i-0{ids.suffix(16)}"}
    if not ready:
        spec["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule",
                           "timeAdded": since},
                          {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute",
                           "timeAdded": since}]
    capacity = {"cpu": "4", "ephemeral-storage": "104845292Ki", "memory": "16226168Ki",
                "pods": "110"}
    kubelet = versions.git_version(versions.served_minor())
    return {
        "kind": "Node", "apiVersion": "v1",
        "metadata": meta(name, "", created, ids, manager="kubelet", labels=labels, annotations={
            "node.alpha.kubernetes.io/ttl": "0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true"}),
        "spec": spec,
        "status": {
            "capacity": capacity,
            "allocatable": {**capacity, "cpu": "3920m", "memory": "15209336Ki"},
            "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": ip},
                          {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": ids.uid().replace("-", ""),
                         "systemUUID": ids.uid(), "bootID": ids.uid(),
                         "kernelVersion": "6.1.109-118.189.amzn2023.x86_64",
                         "osImage": "Amazon Linux 2023.5.20241001",
                         "containerRuntimeVersion": "containerd://1.7.22",
                         "kubeletVersion": kubelet, "kubeProxyVersion": kubelet,
                         "operatingSystem": "linux", "architecture": "amd64"},
        },
    }


def event(namespace: str, involved: Obj, reason: str, message: str, *, type_: str,
          component: str, host: str, first: float, last: float, count: int, ids: Ids,
          field_path: str = "") -> Obj:
    """A core/v1 Event about involved (name is `<object>.<hex>` like the real recorder)."""
    inv_meta = involved["metadata"]
    inv: Obj = {"kind": involved["kind"], "namespace": inv_meta.get("namespace", namespace),
                "name": inv_meta["name"], "uid": inv_meta["uid"],
                "apiVersion": involved["apiVersion"],
                "resourceVersion": inv_meta.get("resourceVersion", "")}
    if not inv["namespace"]:
        inv.pop("namespace")
    if field_path:
        inv["fieldPath"] = field_path
    name = f"{inv_meta['name']}.{int(first * 1e9):x}"
    source: Obj = {"component": component}
    if host:
        source["host"] = host
    return {
        "kind": "Event", "apiVersion": "v1",
        "metadata": meta(name, namespace, first, ids, manager=component),
        "involvedObject": inv, "reason": reason, "message": message, "source": source,
        "firstTimestamp": rfc3339(first), "lastTimestamp": rfc3339(last), "count": count,
        "type": type_, "eventTime": None, "reportingComponent": component,
        "reportingInstance": host,
    }


def node_lease(node_obj: Obj, ready: bool, now: float, ids: Ids) -> Obj:
    """The kube-node-lease Lease a kubelet renews (stale when the node is not ready)."""
    name = node_obj["metadata"]["name"]
    renewed = now - (240 if not ready else 4)
    return {"kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
            "metadata": meta(name, "kube-node-lease", now - 86400, ids, manager="kubelet",
                             ownerReferences=[{"apiVersion": "v1", "kind": "Node", "name": name,
                                               "uid": node_obj["metadata"]["uid"]}]),
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                     "renewTime": datetime.fromtimestamp(renewed, UTC).strftime(
                         "%Y-%m-%dT%H:%M:%S.%fZ")}}


def service_account_volume(pod: Obj) -> None:
    """What ServiceAccount admission adds to a pod: the projected kube-api-access volume
    (token, kube-root-ca.crt, namespace) mounted read-only into every container."""
    spec = pod["spec"]
    if spec.get("automountServiceAccountToken") is False or not isinstance(
            spec.setdefault("volumes", []), list) or any(
            m.get("mountPath") == SA_MOUNT for c in spec.get("containers") or []
            for m in c.get("volumeMounts") or []):
        return
    name = f"kube-api-access-{stable_suffix(pod['metadata'].get('uid', ''), 'sa')}"
    spec["volumes"].append({"name": name, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": ROOT_CA, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ], "defaultMode": 420}})
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        container.setdefault("volumeMounts", []).append(
            {"name": name, "readOnly": True, "mountPath": SA_MOUNT})


def root_ca_configmap(ids: Ids, namespace: str, ca_pem: bytes, created: float) -> Obj:
    """The kube-root-ca.crt ConfigMap the root-ca-cert-publisher puts in every namespace."""
    return {"kind": "ConfigMap", "apiVersion": "v1",
            "metadata": meta(ROOT_CA, namespace, created, None,
                             uid=ids.stable_uid("configmaps", namespace, ROOT_CA),
                             annotations={"kubernetes.io/description": ROOT_CA_DESCRIPTION},
                             manager="kube-controller-manager"),
            "data": {"ca.crt": ca_pem.decode()}}


def default_service_account(ids: Ids, namespace: str, created: float) -> Obj:
    """The `default` ServiceAccount the serviceaccount controller creates in a namespace."""
    return {"kind": "ServiceAccount", "apiVersion": "v1",
            "metadata": meta("default", namespace, created, None,
                             uid=ids.stable_uid("serviceaccounts", namespace, "default"),
                             manager="kube-controller-manager")}
