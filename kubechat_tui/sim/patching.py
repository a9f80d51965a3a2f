"""JSON merge patch, strategic merge patch (the directives kubectl sends) and JSON patch."""

from __future__ import annotations

from typing import Any

from kubechat_tui.sim import json_patch
from kubechat_tui.sim.status import ApiError, bad_request

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"

# patchMergeKey per list field name, as in the Go API types.
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "volumeMounts": "mountPath", "env": "name", "imagePullSecrets": "name",
    "conditions": "type", "ownerReferences": "uid", "taints": "key", "addresses": "type",
    "hostAliases": "ip", "containerStatuses": "name", "topologySpreadConstraints": "topologyKey",
    "volumeDevices": "devicePath", "resourceClaims": "name",
}
PORT_KEYS = ("containerPort", "port")
PRIMITIVE_SETS = {"finalizers"}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _merge_key(field: str, items: list[Any]) -> str | None:
    if field == "ports":
        return next((k for k in PORT_KEYS if items and all(isinstance(i, dict) and k in i
                                                             for i in items)), None)
    return MERGE_KEYS.get(field)


def _merge_list(field: str, current: list[Any], patch: list[Any]) -> list[Any]:
    if field in PRIMITIVE_SETS:
        return current + [v for v in patch if v not in current]
    key = _merge_key(field, [p for p in patch if not (isinstance(p, dict) and "$patch" in p)])
    if key is None or not all(isinstance(p, dict) for p in patch):
        return [strategic_merge(None, p) if isinstance(p, dict) else p for p in patch]
    result = [dict(c) if isinstance(c, dict) else c for c in current]
    for item in patch:
        directive = item.get("$patch")
        if directive == "replace":
            return [strategic_merge(None, {k: v for k, v in p.items() if k != "$patch"})
                    for p in patch if p.get("$patch") != "replace"]
        index = next((i for i, c in enumerate(result)
                      if isinstance(c, dict) and c.get(key) == item.get(key)), None)
        if directive == "delete":
            if index is not None:
                result.pop(index)
            continue
        if index is None:
            result.append(strategic_merge(None, item))
        else:
            result[index] = strategic_merge(result[index], item)
    return result


def strategic_merge(target: Any, patch: Any) -> Any:
    """Strategic merge: lists with a merge key merge by key; `$patch`, `$retainKeys`,
    `$deleteFromPrimitiveList/` and `$setElementOrder/` directives are honoured."""
    if not isinstance(patch, dict):
        return patch
    if patch.get("$patch") == "replace":
        return {k: v for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = dict(target) if isinstance(target, dict) else {}
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys") or key.startswith("$setElementOrder/"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            result[name] = [v for v in result.get(name) or [] if v not in value]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(key, result[key], value)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = value
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def apply_patch(content_type: str, current: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Apply a decoded patch body of the given media type to current."""
    if content_type == JSON_PATCH:
        try:
            return json_patch.apply(current, json_patch.decode(patch))
        except json_patch.DecodeError as exc:
            raise bad_request(str(exc)) from None
        except json_patch.PatchFailed:  # the real server keeps the reason to itself too
            raise ApiError(422, "Invalid", "the server rejected our request due to an error "
                           "in our request", {}) from None
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type "
                          "map[string]interface {}")
    if content_type == MERGE_PATCH:
        result: dict[str, Any] = merge_patch(current, patch)
        return result
    if content_type in (STRATEGIC, APPLY):
        merged: dict[str, Any] = strategic_merge(current, patch)
        return merged
    raise ApiError(415, "UnsupportedMediaType",
                   f'the body of the request was in an unknown format - accepted media types '
                   f'include: {JSON_PATCH}, {MERGE_PATCH}, {APPLY}, {STRATEGIC}', {})
