"""create, update, patch, delete and deletecollection, each honouring dryRun=All."""

from __future__ import annotations

import orjson
import yaml

from kubechat_tui.sim import admission, crds, patching, reads, render
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.canonical import normalize
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.status import (
    ApiError,
    already_exists,
    bad_request,
    namespace_terminating,
    not_found,
    success,
)
from kubechat_tui.sim.store import Obj, clone


def create(call: Call) -> Reply:
    """POST a new object (201)."""
    res = call.res
    obj = admission.check_identity(call, call.json_body())
    meta = obj["metadata"]
    if not meta.get("name"):
        if not meta.get("generateName"):
            raise admission.required(res, "", "metadata.name",
                                     "name or generateName is required")
        meta["name"] = meta["generateName"] + call.cluster.ids.suffix()
    store = call.cluster.store
    ns = call.target.namespace
    namespace = store.get("namespaces", "", ns) if res.namespaced else None
    if res.namespaced and namespace is None:
        raise not_found("namespaces", "", ns)
    if namespace is not None and namespace["metadata"].get("deletionTimestamp"):
        raise namespace_terminating(res.plural, meta["name"], ns)
    if store.get(res.key, ns, meta["name"]) is not None:
        raise already_exists(res.plural, res.group, meta["name"])
    admission.validate(res, obj, None)
    obj = crds.admit(call.cluster.store, res, obj)
    obj = admission.stamp_new(res, obj, call, call.cluster.ids.uid())
    if not call.dry_run:
        store.put(res.key, obj)
    return Reply(201, normalize(obj))


def _without_managed_fields(obj: Obj) -> Obj:
    meta = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    return {**obj, "metadata": meta}


def _save(call: Call, new: Obj, current: Obj) -> Reply:
    res = call.res
    admission.validate(res, new, current)
    new = crds.admit(call.cluster.store, res, new)
    if _without_managed_fields(new) == _without_managed_fields(current):
        return Reply(200, current)  # a no-op update keeps its resourceVersion
    if call.dry_run:
        return Reply(200, normalize(new))
    return Reply(200, call.cluster.store.put(res.key, new))


def replace(call: Call) -> Reply:
    """PUT: full replacement with an optional resourceVersion precondition."""
    current = reads.fetch(call)
    incoming = admission.check_identity(call, call.json_body())
    admission.check_precondition(call.res, incoming, current)
    new = admission.carry_over(call.res, incoming, current, call, incoming.get("spec") or {})
    return _save(call, new, current)


def decode_patch(call: Call) -> object:
    """The patch document (JSON, or YAML for server-side apply)."""
    if call.content_type == patching.APPLY:
        try:
            return yaml.safe_load(call.body.decode("utf-8", "replace"))
        except yaml.YAMLError as exc:
            raise bad_request(f"error decoding YAML: {exc}") from None
    try:
        return call.json_body()
    except ApiError:
        raise bad_request("error decoding patch: invalid JSON in the request body") from None


def patched(call: Call, current: Obj) -> Obj:
    """current with the request's patch applied, admission bookkeeping done."""
    patch = decode_patch(call)
    result = patching.apply_patch(call.content_type, clone(current), patch)
    result = admission.check_identity(call, result)
    admission.check_precondition(call.res, result, current)
    return admission.carry_over(call.res, result, current, call, patch)


def patch(call: Call) -> Reply:
    """PATCH with merge, strategic merge, JSON patch or apply (apply may create)."""
    res = call.res
    if call.content_type == patching.APPLY and not call.arg("fieldManager"):
        raise ApiError(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                       "Required value: is required for apply patch",
                       {"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
                           {"reason": "FieldValueRequired",
                            "message": "Required value: is required for apply patch",
                            "field": "fieldManager"}]})
    existing = call.cluster.store.get(res.key, call.target.namespace, call.target.name)
    if existing is None:
        if call.content_type == patching.APPLY:
            body = decode_patch(call)
            if not isinstance(body, dict):
                raise bad_request("apply patch must be an object")
            call.body = orjson.dumps(body)
            return create(call)
        raise not_found(res.plural, res.group, call.target.name)
    return _save(call, patched(call, existing), existing)


def _options(call: Call) -> tuple[int | None, str, dict[str, str]]:
    body = call.json_body() if call.body.strip() else {}
    if not isinstance(body, dict):
        raise bad_request("DeleteOptions must be an object")
    grace = call.int_arg("gracePeriodSeconds")
    if grace is None and body.get("gracePeriodSeconds") is not None:
        grace = int(body["gracePeriodSeconds"])
    policy = call.arg("propagationPolicy") or body.get("propagationPolicy") or ""
    if body.get("orphanDependents") is True and not policy:
        policy = "Orphan"
    if policy and policy not in ("Orphan", "Background", "Foreground"):
        raise ApiError(422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: '
                       f'propagationPolicy: Unsupported value: "{policy}": supported values: '
                       '"Foreground", "Background", "Orphan", "nil"', {})
    return grace, policy, body.get("preconditions") or {}


def remove(call: Call, obj: Obj, grace: int | None, policy: str, dry_run: bool) -> Reply:
    """Delete one stored object the way its kind is deleted."""
    res, store = call.res, call.cluster.store
    meta = obj["metadata"]
    if res.key == "pods":
        period = grace if grace is not None else obj["spec"].get(
            "terminationGracePeriodSeconds", 30)
        if meta.get("deletionTimestamp") and period >= meta.get("deletionGracePeriodSeconds", 0):
            return Reply(200, obj)
        if period > 0 and obj["spec"].get("nodeName"):
            new = clone(obj)
            new["metadata"]["deletionTimestamp"] = rfc3339(call.now + period)
            new["metadata"]["deletionGracePeriodSeconds"] = period
            new["metadata"]["generation"] = meta.get("generation", 1) + 1
            return Reply(200, new if dry_run else store.put(res.key, new))
        gone = clone(obj) if dry_run else store.remove(res.key, meta.get("namespace", ""),
                                                       meta["name"])
        return Reply(200, gone or obj)
    if res.key == "namespaces":
        new = clone(obj)
        new["metadata"].setdefault("deletionTimestamp", rfc3339(call.now))
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        new["status"] = {"phase": "Terminating"}
        return Reply(200, new if dry_run else store.put(res.key, new))
    if policy == "Foreground":
        new = clone(obj)
        new["metadata"].setdefault("deletionTimestamp", rfc3339(call.now))
        new["metadata"]["deletionGracePeriodSeconds"] = 0
        fins = new["metadata"].setdefault("finalizers", [])
        if "foregroundDeletion" not in fins:
            fins.append("foregroundDeletion")
        return Reply(200, new if dry_run else store.put(res.key, new))
    if not dry_run:
        if policy == "Orphan":
            orphan_dependents(call, obj)
        store.remove(res.key, meta.get("namespace", ""), meta["name"])
        if res.key == crds.CRD_KEY:
            crds.drop_resources(store, obj)
    return Reply(200, success(meta["name"], res.group, res.plural, meta["uid"]))


def orphan_dependents(call: Call, owner: Obj) -> None:
    """Drop owner references to owner from every object that has one."""
    uid = owner["metadata"]["uid"]
    store = call.cluster.store
    for key in ("replicasets.apps", "pods"):
        for dep in list(store.objects(key, owner["metadata"].get("namespace") or None)):
            refs = dep["metadata"].get("ownerReferences") or []
            if any(r.get("uid") == uid for r in refs):
                new = clone(dep)
                kept = [r for r in refs if r.get("uid") != uid]
                if kept:
                    new["metadata"]["ownerReferences"] = kept
                else:
                    new["metadata"].pop("ownerReferences", None)
                store.put(key, new)


def delete(call: Call) -> Reply:
    """DELETE one object (DeleteOptions from query or body)."""
    obj = reads.fetch(call)
    grace, policy, pre = _options(call)
    meta = obj["metadata"]
    if (pre.get("uid") and pre["uid"] != meta["uid"]) or (
            pre.get("resourceVersion") and pre["resourceVersion"] != meta["resourceVersion"]):
        res = call.res
        raise ApiError(409, "Conflict", f"Operation cannot be fulfilled on "
                       f"{res.plural}{'.' + res.group if res.group else ''} \"{meta['name']}\": "
                       "Precondition failed: UID in precondition: "
                       f"{pre.get('uid', '')}, UID in object meta: {meta['uid']}",
                       {"name": meta["name"], "group": res.group, "kind": res.plural})
    return remove(call, obj, grace, policy, call.dry_run or _body_dry_run(call))


def _body_dry_run(call: Call) -> bool:
    if not call.body.strip():
        return False
    body = call.json_body()
    return isinstance(body, dict) and "All" in (body.get("dryRun") or [])


def delete_collection(call: Call) -> Reply:
    """DELETE a collection: every selected object; answers with the deleted list."""
    grace, policy, _pre = _options(call)
    dry = call.dry_run or _body_dry_run(call)
    deleted = [remove(call, obj, grace, policy, dry) for obj in list(reads.matching(call))]
    items = [r.body for r in deleted if isinstance(r.body, dict) and r.body.get("kind") != "Status"]
    lmeta = render.list_meta(call.cluster.store.resource_version, "", None)
    return Reply(200, {"kind": render.list_kind(call.res), "apiVersion": call.res.api_version,
                       "metadata": lmeta, "items": items})
