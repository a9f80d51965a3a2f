"""Read-only queries for the engine's read path: Tables, object lists, metrics, the
ReplicaSets of a deployment (blocking: call from worker threads).

Every function sends GETs only and raises ApiError with one line (`kube.failures`) when
the cluster refuses or does not answer. Lists are paginated (`limit`/`continue`) and
capped at `MAX_PAGES` pages: a diagnostic never pulls a whole fleet into memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from kubechat_tui.domain.resources import RESOURCES, ResourceInfo, path_segment
from kubechat_tui.kube import failures
from kubechat_tui.kube.client import JSON, TABLE, Query
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.pages import position, read_page

PAGE = 500
MAX_PAGES = 10
READ_TIMEOUT = 10.0
METRICS_GROUP_VERSION = "metrics.k8s.io/v1beta1"
Obj = dict[str, Any]


class RawRequester(Protocol):
    """The slice of `kube.fleet.Fleet` the queries use: raw answers (Tables, logs)."""

    def request(self, cluster: str, method: str, path: str, *, query: Query = None,
                body: object | None = None, content_type: str | None = None,
                timeout: float | None = None, accept: str = JSON) -> tuple[int, bytes]: ...


class MetricsUnavailable(ApiError):
    """The cluster does not serve `metrics.k8s.io` (no metrics-server): a 404."""


@dataclass(frozen=True)
class Column:
    """A Table column as the server defines it (priority 0: shown without `-o wide`)."""

    name: str
    priority: int = 0


@dataclass(frozen=True)
class TableRow:
    """One row: the server's cells and the object (metadata only unless full was asked)."""

    cells: tuple[Any, ...]
    object: Obj


@dataclass(frozen=True)
class ServerTable:
    """A collection as the server prints it (kubectl's columns), and whether it was cut."""

    columns: tuple[Column, ...]
    rows: tuple[TableRow, ...]
    truncated: bool = False


def get_json(api: RawRequester, cluster: str, path: str, query: Query = None) -> Obj:
    """GET `path` as JSON; ApiError (one line) on anything but 200."""
    status, raw = api.request(cluster, "GET", path, query=query, timeout=READ_TIMEOUT)
    doc = _parse(raw)
    if status != 200:
        raise ApiError(cluster, status, _answer(status, doc, path), str(doc.get("reason") or ""))
    return doc


def list_table(api: RawRequester, cluster: str, info: ResourceInfo, namespace: str | None, *,
               label_selector: str | None = None, field_selector: str | None = None,
               full_objects: bool = False) -> ServerTable:
    """The collection as a server-side Table, every page up to MAX_PAGES. Each row's object
    is the whole object with `full_objects`, else just its namespace and name: pages are
    parsed lazily (`kube.pages`), so the metadata a row does not need never becomes
    Python objects."""
    query: dict[str, str | int] = {"includeObject": "Object" if full_objects else "Metadata",
                                   **_selectors(label_selector, field_selector)}
    path = info.collection_path(namespace)
    columns: tuple[Column, ...] = ()
    rows: list[TableRow] = []
    token = ""
    for _ in range(MAX_PAGES):
        page = {**query, "limit": PAGE, **({"continue": token} if token else {})}
        status, raw = api.request(cluster, "GET", path, query=page, timeout=READ_TIMEOUT,
                                  accept=TABLE)
        if status != 200:
            doc = _parse(raw)
            raise ApiError(cluster, status, _answer(status, doc, path),
                           str(doc.get("reason") or ""))
        doc = read_page(cluster, status, raw)
        if not columns:
            columns = tuple(Column(str(c.get("name", "")), int(c.get("priority") or 0))
                            for c in doc.get("columnDefinitions") or ())
        rows += [_table_row(r, full_objects) for r in doc.get("rows") or ()]
        token = position(doc)[0] or ""
        del doc  # the parser takes the next page only once this one is released
        if not token:
            return ServerTable(columns, tuple(rows))
    return ServerTable(columns, tuple(rows), truncated=True)


def _table_row(row: Any, full: bool) -> TableRow:
    """A row with plain Python values: its cells, and its object (whole, or namespace and
    name only)."""
    cells = tuple(row.get("cells") or ())
    cells = tuple(c if isinstance(c, str | int | float | bool) or c is None else str(c)
                  for c in cells)
    found = row.get("object")
    if found is None:
        return TableRow(cells, {})
    if full:
        return TableRow(cells, found.as_dict())
    meta = found.get("metadata") or {}
    return TableRow(cells, {"metadata": {"namespace": str(meta.get("namespace") or ""),
                                         "name": str(meta.get("name") or "")}})


def list_items(api: RawRequester, cluster: str, info: ResourceInfo, namespace: str | None, *,
               label_selector: str | None = None,
               field_selector: str | None = None) -> tuple[list[Obj], bool]:
    """(objects, truncated): the collection as JSON, every page up to MAX_PAGES; each
    object with its `apiVersion` and `kind`, which list items leave out (as kubectl shows
    them, and as Secret masking recognizes a Secret)."""
    items: list[Obj] = []
    query: dict[str, str | int] = dict(_selectors(label_selector, field_selector))
    version = f"{info.group}/{info.version}" if info.group else info.version
    for doc, more in _pages(api, cluster, info.collection_path(namespace), query, JSON):
        items += [{"apiVersion": version, "kind": info.kind, **i}
                  for i in doc.get("items") or () if isinstance(i, dict)]
        if more is None:
            return items, False
    return items, True


def metrics(api: RawRequester, cluster: str, resource: str, namespace: str | None,
            name: str | None = None, label_selector: str | None = None) -> list[Obj]:
    """PodMetrics or NodeMetrics (`resource` pods|nodes) from `metrics.k8s.io`;
    MetricsUnavailable when the cluster does not serve that API."""
    base = f"/apis/{METRICS_GROUP_VERSION}"
    if resource == "pods" and namespace:
        base += f"/namespaces/{path_segment(namespace)}"
    path = f"{base}/{resource}" + (f"/{path_segment(name)}" if name else "")
    query = _selectors(label_selector, None)
    status, raw = api.request(cluster, "GET", path, query=query or None, timeout=READ_TIMEOUT)
    doc = _parse(raw)
    if status == 404 and (not name or doc.get("kind") != "Status"):
        raise MetricsUnavailable(cluster, 404, f"metrics API not available on {cluster}",
                                 "NotFound")
    if status != 200:
        raise ApiError(cluster, status, _answer(status, doc, path))
    if name:
        return [doc]
    return [i for i in doc.get("items") or () if isinstance(i, dict)]


def replica_sets_of(api: RawRequester, cluster: str, deployment: Obj) -> list[Obj]:
    """The ReplicaSets a deployment owns (its revisions), oldest revision first."""
    meta = deployment.get("metadata") or {}
    labels = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or None
    items, _ = list_items(api, cluster, RESOURCES["replicasets"], meta.get("namespace"),
                          label_selector=selector)
    uid = meta.get("uid")
    owned = [rs for rs in items if any(o.get("uid") == uid and o.get("controller")
                                       for o in (rs.get("metadata") or {}).get(
                                           "ownerReferences") or ())]
    return sorted(owned, key=revision_of)


def revision_of(obj: Mapping[str, Any]) -> int:
    """The `deployment.kubernetes.io/revision` of a ReplicaSet (0 when absent)."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(
        "deployment.kubernetes.io/revision", "0")
    return int(value) if str(value).isdigit() else 0


def _pages(api: RawRequester, cluster: str, path: str, query: dict[str, str | int],
           accept: str) -> Iterator[tuple[Obj, str | None]]:
    """(page document, its continue token or None) for up to MAX_PAGES pages."""
    token = ""
    for _ in range(MAX_PAGES):
        page = {**query, "limit": PAGE, **({"continue": token} if token else {})}
        status, raw = api.request(cluster, "GET", path, query=page, timeout=READ_TIMEOUT,
                                  accept=accept)
        doc = _parse(raw)
        if status != 200:
            raise ApiError(cluster, status, _answer(status, doc, path),
                           str(doc.get("reason") or ""))
        token = str((doc.get("metadata") or {}).get("continue") or "")
        yield doc, token or None
        if not token:
            return


def _selectors(label_selector: str | None, field_selector: str | None) -> dict[str, str]:
    query = {}
    if label_selector:
        query["labelSelector"] = label_selector
    if field_selector:
        query["fieldSelector"] = field_selector
    return query


def _parse(raw: bytes) -> Obj:
    try:
        doc = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return {"message": raw[:200].decode("utf-8", "replace").strip()}
    return doc if isinstance(doc, dict) else {}


def _answer(status: int, doc: Obj, path: str) -> str:
    """One line; a plain-text 404 (no such path) says the cluster does not serve it."""
    if status == 404 and doc.get("kind") != "Status":
        return f"the server does not serve {path} (404)"
    return failures.answer(status, doc)
