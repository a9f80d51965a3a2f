"""Kinds the console has no table for (custom resources, add-ons), found by the cluster's
discovery: `:certificates`, `:cert` or `:certificates.cert-manager.io` as in k9s. The kind's
columns are the server's own Table columns (a CRD's additionalPrinterColumns), read from a
one-row Table, so any served resource lists like `kubectl get` prints it.
Blocking: call from worker threads."""

from __future__ import annotations

from typing import Any

import orjson

from kubechat_tui.domain.resources import ResourceInfo, resolve_resource
from kubechat_tui.kube.client import TABLE
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.kinds import table_kind
from kubechat_tui.kube.queries import READ_TIMEOUT, RawRequester, get_json
from kubechat_tui.kube.types import ResourceKind

Obj = dict[str, Any]
# Resources found so far, by kind name (`certificates.cert-manager.io`): the object reads
# (get, describe, events) address them like the built-in ones.
_FOUND: dict[str, ResourceInfo] = {}
# Columns the table shows anyway (NAME, and AGE from creationTimestamp).
OWN_COLUMNS = frozenset({"name", "age", "created at"})


def discover_kind(api: RawRequester, cluster: str, word: str) -> ResourceKind | None:
    """The listable resource `word` names in `cluster` (plural, singular, short name, kind,
    or `plural.group`), with its Table columns; None when the cluster serves none.
    ApiError (one line) when discovery itself fails."""
    wanted = word.strip().lower()
    for group_version, entry in _resources(api, cluster):
        group = group_version.rpartition("/")[0]
        plural = str(entry.get("name", ""))
        names = {plural, str(entry.get("singularName") or ""),
                 str(entry.get("kind") or "").lower(), f"{plural}.{group}" if group else plural,
                 *(str(n) for n in entry.get("shortNames") or ())}
        if wanted in names and "/" not in plural and "list" in (entry.get("verbs") or ()):
            return _kind(api, cluster, group_version, entry)
    return None


def known_resource(word: str) -> ResourceInfo | None:
    """A built-in resource by any of its names, else one found by discovery by its kind
    name."""
    return resolve_resource(word) or _FOUND.get(word)


def _resources(api: RawRequester, cluster: str) -> list[tuple[str, Obj]]:
    """(groupVersion, resource entry) for the core group and each group's preferred version."""
    versions = ["v1"]
    for group in get_json(api, cluster, "/apis").get("groups") or ():
        preferred = (group.get("preferredVersion") or {}).get("groupVersion")
        if preferred:
            versions.append(str(preferred))
    found: list[tuple[str, Obj]] = []
    for version in versions:
        path = "/api/v1" if version == "v1" else f"/apis/{version}"
        try:
            doc = get_json(api, cluster, path)
        except ApiError:  # an aggregated API that is down: the others still count
            continue
        found += [(version, r) for r in doc.get("resources") or () if isinstance(r, dict)]
    return found


def _kind(api: RawRequester, cluster: str, group_version: str, entry: Obj) -> ResourceKind:
    plural, namespaced = str(entry["name"]), bool(entry.get("namespaced"))
    base = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
    group = group_version.rpartition("/")[0]
    status, raw = api.request(cluster, "GET", f"{base}/{plural}", query={"limit": 1},
                              timeout=READ_TIMEOUT, accept=TABLE)
    columns: list[str] = []
    if status == 200:
        doc = orjson.loads(raw)
        columns = [str(c.get("name")) for c in doc.get("columnDefinitions") or ()
                   if not c.get("priority") and str(c.get("name", "")).lower()
                   not in OWN_COLUMNS]
    aliases = tuple(str(n) for n in (entry.get("singularName"), *(entry.get("shortNames")
                                                                   or ())) if n)
    name = f"{plural}.{group}" if group else plural
    _FOUND[name] = ResourceInfo(plural, str(entry.get("kind") or ""), group,
                                group_version.rpartition("/")[2], namespaced, aliases)
    return table_kind(name, f"{base}/{plural}", namespaced, tuple(columns), aliases)
