"""Discovery documents: /version, /api, /apis, /apis/<group>, /api(s)/<group-version>."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from kubechat_tui.sim import versions
from kubechat_tui.sim.resources import GROUP_VERSIONS, Custom, ResourceType


def version() -> dict[str, str]:
    """GET /version: the release this simulator speaks (`sim.versions`)."""
    return versions.version_document(versions.served_minor())


def _address(host: str) -> list[dict[str, str]]:
    return [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]


def api_versions(host: str) -> dict[str, Any]:
    """GET /api."""
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": _address(host)}


def _group(name: str, custom: Custom) -> dict[str, Any]:
    versions = [{"groupVersion": gv, "version": gv.split("/")[1]}
                for gv in (*GROUP_VERSIONS, *custom) if gv.startswith(f"{name}/")]
    return {"name": name, "versions": versions, "preferredVersion": versions[0]}


def api_group_list(hidden: tuple[str, ...] = (), custom: Custom | None = None) -> dict[str, Any]:
    """GET /apis (without the hidden groups: add-ons a cluster does not run); the groups of
    custom resources come last, as aggregated CRD groups do on a real server."""
    custom = custom or {}
    names = sorted({gv.split("/")[0] for gv in GROUP_VERSIONS if "/" in gv} - set(hidden),
                   key=lambda n: (n != "apps", n))
    names += sorted({gv.split("/")[0] for gv in custom} - set(names))
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group(n, custom) for n in names]}


def api_group(name: str, custom: Custom | None = None) -> dict[str, Any]:
    """GET /apis/<group>."""
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, custom or {})}


def _entry(r: ResourceType) -> dict[str, Any]:
    out: dict[str, Any] = {"name": r.plural, "singularName": r.singular,
                           "namespaced": r.namespaced, "kind": r.kind, "verbs": list(r.verbs)}
    if r.short_names:
        out["shortNames"] = list(r.short_names)
    if r.categories:
        out["categories"] = list(r.categories)
    digest = hashlib.sha256(f"{r.api_version}/{r.plural}".encode()).digest()[:8]
    out["storageVersionHash"] = base64.b64encode(digest).decode()
    return out


def resource_list(group_version: str, custom: Custom | None = None) -> dict[str, Any]:
    """GET /api/v1 or /apis/<group>/<version>: resources and their subresources."""
    entries: list[dict[str, Any]] = []
    for r in GROUP_VERSIONS.get(group_version) or (custom or {}).get(group_version, []):
        entries.append(_entry(r))
        for sub in r.subresources:
            item: dict[str, Any] = {"name": f"{r.plural}/{sub.name}", "singularName": "",
                                    "namespaced": r.namespaced}
            if sub.group:
                item["group"] = sub.group
                item["version"] = sub.version
            item["kind"] = sub.kind or r.kind
            item["verbs"] = list(sub.verbs)
            entries.append(item)
    head: dict[str, Any] = {"kind": "APIResourceList"}
    if "/" in group_version:  # the core list carries no apiVersion on the real server
        head["apiVersion"] = "v1"
    return {**head, "groupVersion": group_version, "resources": entries}
