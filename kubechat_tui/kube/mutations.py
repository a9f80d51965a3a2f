"""The HTTP calls that change a cluster, each guarded by a resourceVersion precondition.

Every mutation carries the resourceVersion the caller last saw (from the snapshot), so a
target changed by someone else in the meantime fails with 409 instead of being clobbered.
With `dry_run=True` the same requests go out with `dryRun=All` (server-side dry run).
Patches are JSON merge patches with `metadata.resourceVersion` set (the API server turns
a mismatch into a 409 Conflict); deletes carry `preconditions`, evictions the pod's uid.
Run over a `kube.recorder.RequestRecorder`, the same methods build a request plan.
A 429 with Retry-After is retried here, within the bounds of the mutator's
`kube.retry.ThrottleRetry` (none unless given).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from kubechat_tui.domain.resources import RESOURCES, ResourceInfo
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.retry import NO_RETRY, Throttled, ThrottleRetry, retry_after_of

FIELD_MANAGER = "kubechat"
MERGE_PATCH = "application/merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
REVISION = "deployment.kubernetes.io/revision"


class ApiRequester(Protocol):
    """The slice of `kube.fleet.Fleet` the mutations use."""

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, Any] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, Any]]: ...


class MutationError(ApiError):
    """A request the cluster refused or never answered; `status` 0 when unreachable."""

    @property
    def conflict(self) -> bool:
        """True when a resourceVersion precondition failed (the target changed)."""
        return self.status == 409


@dataclass(frozen=True)
class Target:
    """One object in one cluster, with its API resource."""

    cluster: str
    info: ResourceInfo
    namespace: str | None
    name: str

    @property
    def path(self) -> str:
        """The object's REST path."""
        return self.info.object_path(self.namespace, self.name)

    def label(self) -> str:
        """`prod-eu/payments/deployments/payments-api`."""
        parts = [self.cluster, self.namespace or "", self.info.plural, self.name]
        return "/".join(p for p in parts if p)


def target(cluster: str, resource: str, namespace: str | None, name: str) -> Target:
    """A Target for a plural resource name (KeyError when the resource is unknown)."""
    info = RESOURCES[resource]
    return Target(cluster, info, namespace if info.namespaced else None, name)


def _status_message(status: int, body: Mapping[str, Any]) -> str:
    message = body.get("message") if isinstance(body, Mapping) else None
    return str(message) if message else f"HTTP {status}"


class Mutator:
    """Mutating (or dry-run) requests against the clusters of one fleet."""

    def __init__(self, api: ApiRequester, *, dry_run: bool = False,
                 timeout: float | None = 15.0, retry: ThrottleRetry = NO_RETRY,
                 recording: bool = False) -> None:
        self.api = api
        self.dry_run = dry_run
        self.timeout = timeout
        self.retry = retry
        self.recording = recording  # over a kube.recorder.RequestRecorder: writes not sent

    @property
    def effective(self) -> bool:
        """True when writes change the cluster: not a dry run, not a request plan."""
        return not self.dry_run and not self.recording

    # -- plumbing ---------------------------------------------------------------
    def _call(self, cluster: str, method: str, path: str, *, body: object | None = None,
              content_type: str | None = None, query: dict[str, Any] | None = None,
              mutating: bool = True) -> dict[str, Any]:
        params: dict[str, Any] = dict(query or {})
        if mutating:
            if self.dry_run:
                params["dryRun"] = "All"
            if method == "PATCH":
                params["fieldManager"] = FIELD_MANAGER
        attempt, waited = 1, 0.0
        while True:
            try:
                return self._send(cluster, method, path, params, body, content_type)
            except MutationError as exc:
                wait = self.retry.wait(exc.status, exc.retry_after, attempt, waited)
                if wait is None:
                    raise self._final(exc, attempt, waited) from None
                notice = Throttled(cluster, f"{method} {path}", attempt, self.retry.attempts,
                                   wait, exc.message)
            if self.retry.on_retry is not None:
                self.retry.on_retry(notice)
            self.retry.sleep(wait)
            attempt, waited = attempt + 1, waited + wait

    def _final(self, exc: MutationError, attempt: int, waited: float) -> MutationError:
        """The error to raise: a throttled one says why it was not retried (again)."""
        why = self.retry.gave_up(exc.retry_after, attempt, waited) if exc.status == 429 else ""
        if not why:
            return exc
        return MutationError(exc.cluster, exc.status, f"{exc.message} ({why})", exc.reason,
                             exc.retry_after)

    def _send(self, cluster: str, method: str, path: str, params: dict[str, Any],
              body: object | None, content_type: str | None) -> dict[str, Any]:
        """One request; MutationError for anything but a 2xx answer."""
        try:
            status, data = self.api.request_json(
                cluster, method, path, query=params or None, body=body,
                content_type=content_type, timeout=self.timeout)
        except MutationError:
            raise
        except ApiError as exc:
            raise MutationError(exc.cluster, exc.status, exc.message, exc.reason,
                                exc.retry_after) from None
        except Exception as exc:  # transport errors: refused, timeout, TLS
            raise MutationError(cluster, 0, f"unreachable: {exc}".splitlines()[0]) from exc
        if status == 0 or status >= 300:  # 0: the fleet could not reach the cluster
            reason = str(data.get("reason", "")) if isinstance(data, Mapping) else ""
            message = _status_message(status, data)
            if status == 0 and not message.startswith("unreachable"):
                message = f"unreachable: {message}"
            raise MutationError(cluster, status, message, reason, retry_after_of(data))
        return data if isinstance(data, dict) else {}

    def get(self, t: Target) -> dict[str, Any]:
        """The current object."""
        return self._call(t.cluster, "GET", t.path, mutating=False)

    def list_objects(self, cluster: str, info: ResourceInfo, namespace: str | None,
                     selector: str | None = None,
                     field_selector: str | None = None) -> list[dict[str, Any]]:
        """Every object of a collection matching the selectors (follows `continue`)."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {"limit": "500"}
        if selector:
            query["labelSelector"] = selector
        if field_selector:
            query["fieldSelector"] = field_selector
        path = info.collection_path(namespace)
        while True:
            data = self._call(cluster, "GET", path, query=dict(query), mutating=False)
            items.extend(data.get("items") or [])
            token = (data.get("metadata") or {}).get("continue")
            if not token:
                return items
            query["continue"] = token

    def _merge(self, t: Target, patch: dict[str, Any], resource_version: str | None,
               subresource: str = "") -> dict[str, Any]:
        body = dict(patch)
        if resource_version:
            body["metadata"] = {**(body.get("metadata") or {}),
                                "resourceVersion": resource_version}
        return self._call(t.cluster, "PATCH", t.path + subresource, body=body,
                          content_type=MERGE_PATCH)

    # -- the verbs --------------------------------------------------------------
    def scale(self, t: Target, replicas: int, resource_version: str | None) -> dict[str, Any]:
        """Set replicas through the scale subresource (returns the Scale object)."""
        return self._merge(t, {"spec": {"replicas": replicas}}, resource_version, "/scale")

    def restart(self, t: Target, at: str, resource_version: str | None) -> dict[str, Any]:
        """`kubectl rollout restart`: stamp the pod template with a restartedAt annotation."""
        patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: at}}}}}
        return self._merge(t, patch, resource_version)

    def set_image(self, t: Target, current: Mapping[str, Any], images: Mapping[str, str],
                  resource_version: str | None) -> dict[str, Any]:
        """`kubectl set image NAME=IMAGE`: new images for the named containers only."""
        containers = [dict(c) for c in _containers(current)]
        known = {c.get("name") for c in containers}
        missing = [n for n in images if n not in known]
        if missing or not images:
            have = ", ".join(sorted(map(str, known)))
            raise MutationError(t.cluster, 422, f"{t.label()}: no container named "
                                f"{', '.join(sorted(missing)) or '(none given)'} (has {have})")
        for c in containers:
            image = images.get(str(c.get("name")))
            if image:
                c["image"] = image
        patch = {"spec": {"template": {"spec": {"containers": containers}}}}
        return self._merge(t, patch, resource_version)

    def replace_template(self, t: Target, current: Mapping[str, Any],
                         template: Mapping[str, Any], resource_version: str | None,
                         replicas: int | None = None) -> dict[str, Any]:
        """Make the pod template exactly `template` (and optionally set replicas)."""
        old = (current.get("spec") or {}).get("template") or {}
        spec: dict[str, Any] = {}
        template_patch = merge_patch(old, template)
        if template_patch:
            spec["template"] = template_patch
        if replicas is not None:
            spec["replicas"] = replicas
        return self._merge(t, {"spec": spec}, resource_version)

    def previous_revision(self, t: Target, current: Mapping[str, Any],
                          to_revision: int | None) -> tuple[int, dict[str, Any]]:
        """The revision number and pod template a rollout undo goes back to."""
        uid = (current.get("metadata") or {}).get("uid")
        rs_info = RESOURCES["replicasets"]
        owned: dict[int, dict[str, Any]] = {}
        for rs in self.list_objects(t.cluster, rs_info, t.namespace):
            meta = rs.get("metadata") or {}
            owners = meta.get("ownerReferences") or []
            if not any(o.get("uid") == uid for o in owners):
                continue
            rev = str((meta.get("annotations") or {}).get(REVISION, ""))
            if rev.isdigit():
                owned[int(rev)] = rs
        current_rev = str(((current.get("metadata") or {}).get("annotations") or {})
                          .get(REVISION, ""))
        now = int(current_rev) if current_rev.isdigit() else max(owned, default=0)
        if to_revision:
            if to_revision not in owned:
                raise MutationError(t.cluster, 404,
                                    f"{t.label()}: no revision {to_revision} in its history")
            revision = to_revision
        else:
            older = [r for r in owned if r < now]
            if not older:
                raise MutationError(t.cluster, 409, f"{t.label()}: no previous revision to undo to")
            revision = max(older)
        template = dict((owned[revision].get("spec") or {}).get("template") or {})
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels.pop("pod-template-hash", None)
        template["metadata"] = {**(template.get("metadata") or {}), "labels": labels}
        return revision, template

    def cordon(self, t: Target, unschedulable: bool,
               resource_version: str | None) -> dict[str, Any]:
        """Mark a node (un)schedulable."""
        return self._merge(t, {"spec": {"unschedulable": unschedulable or None}},
                           resource_version)

    def evict(self, cluster: str, namespace: str, pod: str, uid: str | None) -> dict[str, Any]:
        """POST an Eviction for one pod (the API server checks PodDisruptionBudgets and
        answers 429 while one forbids it); the uid precondition spares a same-named
        replacement."""
        info = RESOURCES["pods"]
        body: dict[str, Any] = {
            "apiVersion": "policy/v1", "kind": "Eviction",
            "metadata": {"name": pod, "namespace": namespace},
        }
        options: dict[str, Any] = {}
        if uid:
            options["preconditions"] = {"uid": uid}
        if self.dry_run:
            options["dryRun"] = ["All"]
        if options:
            body["deleteOptions"] = options
        return self._call(cluster, "POST", info.object_path(namespace, pod) + "/eviction",
                          body=body, content_type="application/json")

    def pods_on_node(self, cluster: str, node: str) -> list[dict[str, Any]]:
        """Every pod bound to the node, in all namespaces (a cluster-wide list)."""
        return self.list_objects(cluster, RESOURCES["pods"], None,
                                 field_selector=f"spec.nodeName={node}")

    def delete(self, t: Target, resource_version: str | None,
               propagation: str = "Background") -> dict[str, Any]:
        """DELETE with a propagation policy and a resourceVersion precondition."""
        body: dict[str, Any] = {"apiVersion": "v1", "kind": "DeleteOptions",
                                "propagationPolicy": propagation}
        if resource_version:
            body["preconditions"] = {"resourceVersion": resource_version}
        if self.dry_run:
            body["dryRun"] = ["All"]
        return self._call(t.cluster, "DELETE", t.path, body=body,
                          content_type="application/json")

    def patch(self, t: Target, patch: Mapping[str, Any],
              resource_version: str | None) -> dict[str, Any]:
        """A JSON merge patch with the precondition added."""
        return self._merge(t, dict(patch), resource_version)

    def apply(self, t: Target, manifest: Mapping[str, Any],
              resource_version: str | None) -> dict[str, Any]:
        """Server-side apply (fieldManager kubechat, force); creates the object when absent."""
        body = dict(manifest)
        if resource_version:
            body["metadata"] = {**(body.get("metadata") or {}),
                                "resourceVersion": resource_version}
        # JSON is YAML: sent as text, since the client only serializes JSON content types
        return self._call(t.cluster, "PATCH", t.path, body=orjson.dumps(body).decode(),
                          content_type=APPLY_PATCH, query={"force": "true"})

    def create(self, t: Target, manifest: Mapping[str, Any]) -> dict[str, Any]:
        """POST a new object (apply of an absent one; recreating a deleted one)."""
        return self._call(t.cluster, "POST", t.info.collection_path(t.namespace),
                          body=dict(manifest), content_type="application/json")


def _containers(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    return list(spec.get("containers") or [])


def merge_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The RFC 7386 merge patch turning `old` into `new` (keys only in `old` become null)."""
    patch: dict[str, Any] = {key: None for key in old if key not in new}
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            sub = merge_patch(before, value)
            if sub:
                patch[key] = sub
        elif key not in old or before != value:
            patch[key] = value
    return patch


def drainable(pods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pods `kubectl drain --ignore-daemonsets` evicts: not DaemonSet-owned, not mirror pods."""
    out = []
    for pod in pods:
        meta = pod.get("metadata") or {}
        owners = meta.get("ownerReferences") or []
        if any(o.get("kind") == "DaemonSet" for o in owners):
            continue
        if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
            continue
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            continue
        out.append(pod)
    return out
