"""Custom resources: what the stored CustomResourceDefinitions serve, and their schemas.

The CRDs are ordinary objects in the cluster store (created through the API like on a real
server); the resource types, discovery entries and validation schemas derive from them.
"""

from __future__ import annotations

from typing import Any

from kubechat_tui.sim.resources import Custom, ResourceType, Subresource
from kubechat_tui.sim.store import ClusterStore, Obj
from kubechat_tui.sim.structural import validated

CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io"
# The order a real server lists a custom resource's verbs in (wire sample 34).
VERBS = ("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")


def _types(crd: Obj) -> list[ResourceType]:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    out = []
    for version in spec.get("versions") or []:
        if not version.get("served"):
            continue
        subs = (
            (Subresource("status", names.get("kind", ""), ("get", "patch", "update")),)
            if "status" in (version.get("subresources") or {})
            else ()
        )
        out.append(
            ResourceType(
                names.get("plural", ""),
                names.get("singular", ""),
                names.get("kind", ""),
                group=spec.get("group", ""),
                version=version.get("name", ""),
                namespaced=spec.get("scope") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                verbs=VERBS,
                subresources=subs,
                has_generation=True,
                custom=True,
            )
        )
    return out


def served(store: ClusterStore) -> Custom:
    """Group-version -> the custom resource types served there."""
    out: dict[str, list[ResourceType]] = {}
    for crd in store.objects(CRD_KEY):
        if crd["metadata"].get("deletionTimestamp"):
            continue
        for res in _types(crd):
            out.setdefault(res.api_version, []).append(res)
    return out


def drop_resources(store: ClusterStore, crd: Obj) -> None:
    """Delete every custom resource a deleted CRD served, as the real server does."""
    for res in _types(crd):
        for obj in list(store.objects(res.key)):
            meta = obj["metadata"]
            store.remove(res.key, meta.get("namespace", ""), meta["name"])


def schema(store: ClusterStore, res: ResourceType) -> dict[str, Any] | None:
    """The openAPIV3Schema of a custom resource's version (None when it declares none)."""
    crd = store.get(CRD_KEY, "", f"{res.plural}.{res.group}")
    if crd is None:
        return None
    for version in crd["spec"].get("versions") or []:
        if version.get("name") == res.version:
            found: dict[str, Any] | None = (version.get("schema") or {}).get("openAPIV3Schema")
            return found
    return None


def established(crd: Obj) -> dict[str, Any]:
    """The status a CRD gets once the server accepts its names."""
    names = dict(crd.get("spec", {}).get("names") or {})
    names.setdefault("listKind", f"{names.get('kind', '')}List")
    stamp = crd["metadata"].get("creationTimestamp", "")
    conditions = [
        {
            "type": "NamesAccepted",
            "status": "True",
            "lastTransitionTime": stamp,
            "reason": "NoConflicts",
            "message": "no conflicts found",
        },
        {
            "type": "Established",
            "status": "True",
            "lastTransitionTime": stamp,
            "reason": "InitialNamesAccepted",
            "message": "the initial names have been accepted",
        },
    ]
    versions = [v["name"] for v in crd.get("spec", {}).get("versions") or [] if v.get("storage")]
    return {"conditions": conditions, "acceptedNames": names, "storedVersions": versions}


def admit(store: ClusterStore, res: ResourceType, obj: Obj) -> Obj:
    """A custom resource pruned and validated against its CRD's schema (422 when invalid);
    any other object unchanged."""
    if not res.custom:
        return obj
    found = schema(store, res)
    return obj if found is None else validated(found, obj, res.kind, res.group)
