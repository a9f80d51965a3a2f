"""A minimal OpenAPI v3 surface: enough for kubectl to see server-side field validation."""

from __future__ import annotations

import hashlib
from typing import Any

from kubechat_tui.sim.discovery import version
from kubechat_tui.sim.resources import GROUP_VERSIONS, ResourceType

_PARAM_NAMES = ("dryRun", "fieldManager", "fieldValidation")


def _prefix(group_version: str) -> str:
    return "api/v1" if group_version == "v1" else f"apis/{group_version}"


def _hash(group_version: str) -> str:
    return hashlib.sha512(f"{version()['gitVersion']}/{group_version}".encode()).hexdigest()[:64]


def root() -> dict[str, Any]:
    """GET /openapi/v3: one entry per served group version."""
    return {"paths": {_prefix(gv): {
        "serverRelativeURL": f"/openapi/v3/{_prefix(gv)}?hash={_hash(gv)}"}
        for gv in GROUP_VERSIONS}}


def _operation(res: ResourceType, action: str) -> dict[str, Any]:
    return {
        "operationId": f"{action}{res.kind}",
        "parameters": [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                       for n in _PARAM_NAMES],
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": res.group, "version": res.version,
                                            "kind": res.kind},
    }


def document(path: str) -> dict[str, Any] | None:
    """GET /openapi/v3/<api/v1 | apis/<group>/<version>>: paths and their operations."""
    gv = next((g for g in GROUP_VERSIONS if _prefix(g) == path), None)
    if gv is None:
        return None
    paths: dict[str, Any] = {}
    for res in GROUP_VERSIONS[gv]:
        scope = f"/{path}/namespaces/{{namespace}}" if res.namespaced else f"/{path}"
        if "create" in res.verbs:
            paths[f"{scope}/{res.plural}"] = {"post": _operation(res, "post")}
        if "patch" in res.verbs:
            paths[f"{scope}/{res.plural}/{{name}}"] = {"patch": _operation(res, "patch"),
                                                       "put": _operation(res, "put")}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": version()["gitVersion"]},
            "paths": paths, "components": {"schemas": {}}}
