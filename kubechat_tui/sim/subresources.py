"""Subresources: scale, status, eviction and log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from kubechat_tui.sim import (
    admission,
    disruption,
    execs,
    logs,
    patching,
    reads,
    workloads,
    writes,
)
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.responses import reply
from kubechat_tui.sim.status import ApiError, bad_request, conflict
from kubechat_tui.sim.store import clone

if TYPE_CHECKING:
    from kubechat_tui.sim.fleet import SimFleet


async def serve(call: Call, fleet: SimFleet) -> web.StreamResponse:
    """Dispatch on the subresource name."""
    sub = call.target.subresource
    if sub == "log":
        return await logs.serve(call, fleet)
    if sub == "exec":
        return await execs.serve(call, fleet)
    if sub == "scale":
        return reply(scale(call))
    if sub == "eviction":
        return reply(evict(call))
    return reply(status(call))


def scale(call: Call) -> Reply:
    """GET/PUT/PATCH autoscaling/v1 Scale, backed by the workload's spec.replicas."""
    current = reads.fetch(call)
    view = workloads.scale_object(current)
    if call.verb == "get":
        return Reply(200, view)
    if call.verb == "update":
        wanted = call.json_body()
    else:
        wanted = patching.apply_patch(call.content_type, clone(view), writes.decode_patch(call))
    if not isinstance(wanted, dict):
        raise bad_request("the object provided is unrecognized")
    rv = (wanted.get("metadata") or {}).get("resourceVersion")
    if rv and rv != current["metadata"].get("resourceVersion"):
        raise conflict(call.res.plural, call.res.group, current["metadata"]["name"])
    replicas = (wanted.get("spec") or {}).get("replicas", 0)
    new = clone(current)
    new["spec"]["replicas"] = replicas
    new = admission.carry_over(call.res, new, current, call, {"spec": {"replicas": replicas}})
    admission.validate(call.res, new, current)
    if new != current and not call.dry_run:
        new = call.cluster.store.put(call.res.key, new)
    result = workloads.scale_object(new)
    if call.dry_run:
        result["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
    return Reply(200, result)


def status(call: Call) -> Reply:
    """GET/PUT/PATCH the status subresource: only .status changes."""
    current = reads.fetch(call)
    if call.verb == "get":
        return Reply(200, current)
    if call.verb == "update":
        incoming = admission.check_identity(call, call.json_body())
        admission.check_precondition(call.res, incoming, current)
    else:
        incoming = writes.patched(call, current)
    new = clone(current)
    new["status"] = incoming.get("status", {})
    admission.note_manager(new, call, {"status": new["status"]})
    if new == current or call.dry_run:
        return Reply(200, new)
    return Reply(200, call.cluster.store.put(call.res.key, new))


def evict(call: Call) -> Reply:
    """POST pods/<name>/eviction: a policy-checked graceful delete (201 Status)."""
    pod = reads.fetch(call)
    body = call.json_body()
    if not isinstance(body, dict) or body.get("kind", "Eviction") != "Eviction":
        raise bad_request("the object provided is unrecognized (expected an Eviction)")
    name = (body.get("metadata") or {}).get("name")
    if name and name != pod["metadata"]["name"]:
        raise bad_request("name in URL does not match name in Eviction object")
    options = body.get("deleteOptions") or {}
    dry = call.dry_run or "All" in (options.get("dryRun") or [])
    ns = pod["metadata"]["namespace"]
    store = call.cluster.store
    blocking = disruption.blocking_message(store.objects("poddisruptionbudgets.policy", ns),
                                           store.objects("pods", ns), pod)
    if blocking is not None:
        raise ApiError(429, "TooManyRequests",
                       "Cannot evict pod as it would violate the pod's disruption budget.",
                       {"causes": [{"reason": "DisruptionBudget", "message": blocking}]})
    grace = options.get("gracePeriodSeconds")
    writes.remove(call, pod, grace, "", dry)
    return Reply(201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                       "code": 201})
