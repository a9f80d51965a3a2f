"""`rollout status` (kubectl's status line, without waiting) and `rollout history` (a
deployment's revisions from its ReplicaSets: change-cause and images, the current one
marked)."""

from __future__ import annotations

from typing import Any

from kubechat_tui.engine.diagnostics.readers.base import (
    Obj,
    ReadContext,
    Reading,
    ReadInputError,
    flat,
)
from kubechat_tui.engine.diagnostics.results import TableOutput, TextOutput
from kubechat_tui.kube.objects import get_object
from kubechat_tui.kube.queries import replica_sets_of, revision_of

CHANGE_CAUSE = "kubernetes.io/change-cause"


def read_rollout_status(ctx: ReadContext) -> Reading:
    """The line `kubectl rollout status` prints now (it does not wait)."""
    workload = _workload(ctx)
    line = rollout_status(ctx.step.resource, workload)
    return Reading("text", TextOutput(line), (workload,))


def read_rollout_history(ctx: ReadContext) -> Reading:
    """REVISION, CHANGE-CAUSE and IMAGES of each ReplicaSet revision of a deployment."""
    if ctx.step.resource != "deployments":
        raise ReadInputError(f"rollout history is read for deployments, not "
                             f"{ctx.step.resource}")
    deployment = _workload(ctx)
    revisions = replica_sets_of(ctx.api, ctx.cluster, deployment)
    current = revision_of(deployment)
    rows = tuple((str(revision_of(rs)), _cause(rs), _images(rs)) for rs in revisions)
    marked = tuple(i for i, rs in enumerate(revisions) if revision_of(rs) == current)
    note = (f"revision {current} is current" if current else "") if revisions else \
        "no revisions found"
    return Reading("table", TableOutput(("REVISION", "CHANGE-CAUSE", "IMAGES"), rows, marked,
                                        note), (deployment, *revisions))


def rollout_status(resource: str, obj: Obj) -> str:
    """kubectl's rollout status message for a deployment, statefulset or daemonset."""
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, \
        obj.get("status") or {}
    name, kind = meta.get("name", ""), resource.removesuffix("s")
    if int(meta.get("generation") or 0) > int(status.get("observedGeneration") or 0):
        return f"Waiting for {kind} spec update to be observed..."
    waiting = f'Waiting for {kind} "{name}" rollout to finish: '
    if resource == "deployments":
        return _deployment_status(name, spec, status, waiting)
    if resource == "daemonsets":
        wanted, updated = _n(status, "desiredNumberScheduled"), _n(status,
                                                                  "updatedNumberScheduled")
        available = _n(status, "numberAvailable")
        if updated < wanted:
            return waiting + f"{updated} out of {wanted} new pods have been updated..."
        if available < wanted:
            return waiting + f"{available} of {updated} updated pods are available..."
        return f'daemon set "{name}" successfully rolled out'
    replicas, ready = int(spec.get("replicas", 1)), _n(status, "readyReplicas")
    if ready < replicas:
        return f"Waiting for {replicas - ready} pods to be ready..."
    if status.get("updateRevision") != status.get("currentRevision"):
        return waiting + f"{_n(status, 'updatedReplicas')} of {replicas} updated pods..."
    return f"statefulset rolling update complete {replicas} pods at revision " \
           f"{status.get('currentRevision')}..."


def _deployment_status(name: str, spec: Obj, status: Obj, waiting: str) -> str:
    progressing: Obj = next((c for c in status.get("conditions") or ()
                        if c.get("type") == "Progressing"), {})
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return f'error: deployment "{name}" exceeded its progress deadline'
    wanted, updated = int(spec.get("replicas", 1)), _n(status, "updatedReplicas")
    if updated < wanted:
        return waiting + f"{updated} out of {wanted} new replicas have been updated..."
    if _n(status, "replicas") > updated:
        return waiting + f"{_n(status, 'replicas') - updated} old replicas are pending " \
            "termination..."
    if _n(status, "availableReplicas") < updated:
        return waiting + f"{_n(status, 'availableReplicas')} of {updated} updated replicas " \
            "are available..."
    return f'deployment "{name}" successfully rolled out'


def _workload(ctx: ReadContext) -> Obj:
    if not ctx.step.name:
        raise ReadInputError(f"which {ctx.step.resource.removesuffix('s')}? a rollout "
                             "step names one")
    return get_object(ctx.api, ctx.cluster, ctx.step.resource, ctx.object_namespace,
                      ctx.step.name)


def _cause(rs: Obj) -> str:
    annotations = (rs.get("metadata") or {}).get("annotations") or {}
    return flat(str(annotations.get(CHANGE_CAUSE) or "<none>"), 160)


def _images(rs: Obj) -> str:
    containers = (((rs.get("spec") or {}).get("template") or {}).get("spec") or {}).get(
        "containers") or ()
    return ",".join(f"{c.get('name')}={c.get('image')}" for c in containers)


def _n(status: Obj, key: str) -> int:
    value: Any = status.get(key) or 0
    return int(value)
