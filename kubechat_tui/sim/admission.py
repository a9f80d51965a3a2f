"""What the apiserver does to an object on its way in: defaults, validation, bookkeeping."""

from __future__ import annotations

import re
from typing import Any

from kubechat_tui.sim.builders import managed, service_account_volume
from kubechat_tui.sim.call import Call
from kubechat_tui.sim.clock import rfc3339
from kubechat_tui.sim.crds import CRD_KEY, established
from kubechat_tui.sim.resources import ResourceType
from kubechat_tui.sim.status import ApiError, bad_request, conflict, invalid
from kubechat_tui.sim.store import Obj

_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
WORKLOADS = ("deployments.apps", "replicasets.apps", "statefulsets.apps")


def check_identity(call: Call, obj: Any) -> Obj:
    """The body must be an object of the addressed kind, name and namespace."""
    res = call.res
    if not isinstance(obj, dict):
        raise bad_request("the object provided is unrecognized (the body is not a JSON object)")
    if obj.get("kind") and obj["kind"] != res.kind:
        raise bad_request(f'the kind in the data ({obj["kind"]}) does not match the expected '
                          f"kind ({res.kind})")
    if obj.get("apiVersion") and obj["apiVersion"] != res.api_version:
        raise bad_request(f"the API version in the data ({obj['apiVersion']}) does not match the "
                          f"expected API version ({res.api_version})")
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    ns = call.target.namespace
    if res.namespaced:
        if meta.get("namespace") and meta["namespace"] != ns:
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        meta["namespace"] = ns
    if call.target.name and meta.get("name") and meta["name"] != call.target.name:
        raise bad_request("the name of the object "
                          f"({meta['name']}) does not match the name on the URL "
                          f"({call.target.name})")
    for part in ("metadata", "spec"):
        if isinstance(obj.get(part), dict):
            obj[part] = prune_nulls(obj[part])
    return {"kind": res.kind, "apiVersion": res.api_version,
            **{k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}}


def prune_nulls(value: Any) -> Any:
    """Drop null fields, as decoding into Go structs with omitempty does."""
    if isinstance(value, dict):
        return {k: prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune_nulls(v) for v in value]
    return value


def validate(res: ResourceType, obj: Obj, old: Obj | None) -> None:
    """Field validation for what kubechat can change (422 Invalid)."""
    meta = obj["metadata"]
    name = meta.get("name", "")
    if not _DNS1123.match(name) or len(name) > 253:
        raise invalid(res.kind, res.group, name, "metadata.name", name,
                      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                      "characters, '-' or '.', and must start and end with an alphanumeric "
                      "character (e.g. 'example.com', regex used for validation is "
                      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
    spec = obj.get("spec") or {}
    if res.key in WORKLOADS:
        replicas = spec.get("replicas", 1)
        if isinstance(replicas, bool) or not isinstance(replicas, int):
            raise bad_request(
                f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: json: '
                f"cannot unmarshal {type(replicas).__name__.replace('str', 'string')} into Go "
                f"struct field {res.kind}Spec.spec.replicas of type int32")
        if replicas < 0:
            raise invalid(res.kind, res.group, name, "spec.replicas", replicas,
                          "must be greater than or equal to 0")
        if old is not None and spec.get("selector") != old.get("spec", {}).get("selector"):
            raise invalid(res.kind, res.group, name, "spec.selector", spec.get("selector"),
                          "field is immutable")
        template_spec = (spec.get("template") or {}).get("spec") or {}
        _check_containers(res, name, template_spec.get("containers"), "spec.template.spec")
    if res.key == "pods":
        _check_containers(res, name, spec.get("containers"), "spec")


def required(res: ResourceType, name: str, field: str, detail: str = "") -> ApiError:
    """422 for a missing required field."""
    subject = f"{res.kind}.{res.group}" if res.group else res.kind
    text = f"Required value: {detail}" if detail else "Required value"
    details: dict[str, Any] = {"name": name}
    if res.group:
        details["group"] = res.group
    details["kind"] = res.kind
    details["causes"] = [{"reason": "FieldValueRequired", "message": text, "field": field}]
    return ApiError(422, "Invalid", f'{subject} "{name}" is invalid: {field}: {text}', details)


def _check_containers(res: ResourceType, name: str, containers: Any, prefix: str) -> None:
    if not isinstance(containers, list) or not containers:
        raise required(res, name, f"{prefix}.containers")
    for i, container in enumerate(containers):
        for key in ("name", "image"):
            if not isinstance(container, dict) or not container.get(key):
                raise required(res, name, f"{prefix}.containers[{i}].{key}")


def check_precondition(res: ResourceType, incoming: Obj, current: Obj) -> None:
    """409 when the body names a resourceVersion or uid other than the stored one."""
    meta, cur = incoming.get("metadata") or {}, current["metadata"]
    rv = meta.get("resourceVersion")
    if rv and rv != cur.get("resourceVersion"):
        raise conflict(res.plural, res.group, cur["name"])
    if meta.get("uid") and meta["uid"] != cur.get("uid"):
        raise conflict(res.plural, res.group, cur["name"])


def _fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {f"f:{k}": _fields(v) for k, v in value.items()
                if not k.startswith("$") and k not in ("resourceVersion", "uid")}
    return {}


def carry_over(res: ResourceType, new: Obj, old: Obj, call: Call, changed: Any) -> Obj:
    """Server-owned metadata survives an update; generation bumps when spec changes."""
    meta, prev = new["metadata"], old["metadata"]
    for key in ("uid", "creationTimestamp", "generation", "deletionTimestamp",
                "deletionGracePeriodSeconds"):
        if key in prev:
            meta[key] = prev[key]
        else:
            meta.pop(key, None)
    meta["resourceVersion"] = prev.get("resourceVersion", "")
    if res.has_generation and new.get("spec") != old.get("spec"):
        meta["generation"] = prev.get("generation", 1) + 1
    if call.target.subresource != "status" and "status" in old:
        new["status"] = old["status"]
    note_manager(new, call, changed)
    return new


def note_manager(obj: Obj, call: Call, changed: Any, operation: str = "Update") -> None:
    """Record the field manager like managedFields does (one entry per manager)."""
    meta = obj["metadata"]
    entries = [e for e in meta.get("managedFields") or []
               if e.get("manager") != call.manager or e.get("subresource")]
    entry = managed(call.manager, call.res.api_version, call.now, _fields(changed),
                    call.target.subresource if call.target.subresource == "status" else "")
    entry["operation"] = operation
    entries.append(entry)
    meta["managedFields"] = entries


def stamp_new(res: ResourceType, obj: Obj, call: Call, uid: str) -> Obj:
    """uid, creationTimestamp, generation and the kind's initial status."""
    meta = obj["metadata"]
    for key in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds"):
        meta.pop(key, None)
    ordered: Obj = {"name": meta.pop("name")}
    if "generateName" in meta:
        ordered["generateName"] = meta.pop("generateName")
    if "namespace" in meta:
        ordered["namespace"] = meta.pop("namespace")
    ordered["uid"] = uid
    if res.has_generation:
        ordered["generation"] = 1
    ordered["creationTimestamp"] = rfc3339(call.now)
    meta.pop("uid", None)
    meta.pop("creationTimestamp", None)
    meta.pop("generation", None)
    ordered.update(meta)
    obj["metadata"] = ordered
    note_manager(obj, call, {k: v for k, v in obj.items() if k not in ("kind", "apiVersion",
                                                                       "status")})
    if res.key == "pods":
        if isinstance(obj.get("spec"), dict):
            obj["spec"].setdefault("serviceAccountName", "default")
            obj["spec"].setdefault("serviceAccount", obj["spec"]["serviceAccountName"])
            service_account_volume(obj)
        obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    elif res.key == "namespaces":
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
    elif res.key in WORKLOADS or res.key == "daemonsets.apps":
        obj["status"] = {}
    elif res.key == CRD_KEY:
        obj["status"] = established(obj)
    return obj
