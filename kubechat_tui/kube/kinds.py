"""The resource tables the console shows, and how each is read off the wire into row tuples.

Every kind but events is read as the server's Table (`as=Table;v=v1;g=meta.k8s.io`,
`includeObject=Metadata`): the server computes READY/STATUS/RESTARTS exactly as kubectl
prints them (and any kind, custom resources too, the same way: `kube.discovered_kinds`),
and the metadata gives namespace and creationTimestamp (AGE stays a timestamp;
the view renders ages). Events are read as raw JSON (the Table only has relative times) and
reduced straight to tuples. Nothing is ever turned into a typed client model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import simdjson

from kubechat_tui.domain.ages import restarts_since
from kubechat_tui.domain.resources import path_segment
from kubechat_tui.kube.client import JSON, TABLE
from kubechat_tui.kube.types import ResourceKind

Row = tuple[str, ...]
Key = tuple[str, str]  # (namespace, name); "" namespace for cluster-scoped objects
Obj = dict[str, Any]
# A column's value: a Table cell by its column name, or a metadata field; a "since" cell
# is a count with a relative time ("5 (3m ago)", see `domain.ages.restarts_since`).
Source = tuple[str, str]  # ("cell", "Ready") | ("since", "Restarts") | ("meta", "namespace")

NS, NAME, AGE = ("meta", "namespace"), ("cell", "Name"), ("meta", "creationTimestamp")


def table_kind(name: str, api_path: str, namespaced: bool, cells: tuple[str, ...],
                aliases: tuple[str, ...], age_column: int | None = None,
                since: frozenset[str] = frozenset()) -> ResourceKind:
    """A kind read off the server's Table: CLUSTER, (NAMESPACE,) NAME, the named cells in
    order, and AGE (at `age_column` among the cells, else last) from creationTimestamp.
    Cells named in `since` say "N (3m ago)": they are read with the time made absolute."""
    cell_sources: list[Source] = [("since" if c in since else "cell", c) for c in cells]
    titles = [c.upper() for c in cells]
    at = len(cells) if age_column is None else age_column
    cell_sources.insert(at, AGE)
    titles.insert(at, "AGE")
    head: tuple[Source, ...] = (NS, NAME) if namespaced else (NAME,)
    columns = ("CLUSTER", *(("NAMESPACE",) if namespaced else ()), "NAME", *titles)
    return ResourceKind(name, api_path, namespaced, columns,
                        key_columns=(0, 1, 2) if namespaced else (0, 1, 1), aliases=aliases,
                        sources=(*head, *cell_sources))


PODS = table_kind("pods", "/api/v1/pods", True, ("Ready", "Status", "Restarts", "Node"),
                   ("po", "pod"), age_column=3, since=frozenset({"Restarts"}))
NODES = table_kind("nodes", "/api/v1/nodes", False, ("Status", "Roles", "Version"),
                    ("no", "node"), age_column=2)
EVENTS = ResourceKind(
    "events", "/api/v1/events", True,
    ("CLUSTER", "NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE", "NAME"),
    age_columns=frozenset({"LAST SEEN"}), key_columns=(0, 1, 7), aliases=("ev", "event"))
DEPLOYMENTS = table_kind("deployments", "/apis/apps/v1/deployments", True,
                          ("Ready", "Up-to-date", "Available"), ("deploy", "deployment"))
# More kinds, as `kubectl get` prints them (k9s short names as aliases).
MORE_KINDS = (
    table_kind("services", "/api/v1/services", True,
                ("Type", "Cluster-IP", "External-IP", "Port(s)"), ("svc", "service")),
    table_kind("statefulsets", "/apis/apps/v1/statefulsets", True, ("Ready",),
                ("sts", "statefulset")),
    table_kind("daemonsets", "/apis/apps/v1/daemonsets", True,
                ("Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector"),
                ("ds", "daemonset")),
    table_kind("replicasets", "/apis/apps/v1/replicasets", True,
                ("Desired", "Current", "Ready"), ("rs", "replicaset")),
    table_kind("jobs", "/apis/batch/v1/jobs", True, ("Status", "Completions", "Duration"),
                ("job",)),
    table_kind("cronjobs", "/apis/batch/v1/cronjobs", True,
                ("Schedule", "Suspend", "Active", "Last Schedule"), ("cj", "cronjob")),
    table_kind("configmaps", "/api/v1/configmaps", True, ("Data",), ("cm", "configmap")),
    # A Secret's Table has its type and key count only: its values never reach the table.
    table_kind("secrets", "/api/v1/secrets", True, ("Type", "Data"), ("secret", "sec")),
    table_kind("ingresses", "/apis/networking.k8s.io/v1/ingresses", True,
                ("Class", "Hosts", "Address", "Ports"), ("ing", "ingress")),
    table_kind("persistentvolumeclaims", "/api/v1/persistentvolumeclaims", True,
                ("Status", "Volume", "Capacity", "Access Modes", "StorageClass"),
                ("pvc", "pvcs", "persistentvolumeclaim")),
    table_kind("namespaces", "/api/v1/namespaces", False, ("Status",), ("ns", "namespace")),
    table_kind("horizontalpodautoscalers", "/apis/autoscaling/v2/horizontalpodautoscalers",
                True, ("Reference", "Targets", "MinPods", "MaxPods", "Replicas"),
                ("hpa", "hpas", "horizontalpodautoscaler")),
)

KINDS: dict[str, ResourceKind] = {}
for _kind in (PODS, NODES, EVENTS, DEPLOYMENTS, *MORE_KINDS):
    KINDS[_kind.name] = _kind
    for _alias in _kind.aliases:
        KINDS[_alias] = _kind


def resolve_kind(word: str) -> ResourceKind | None:
    """The kind for a name or alias (`po`, `deploy`), else None."""
    return KINDS.get(word.strip().lower())


def collection_path(kind: ResourceKind, namespace: str | None) -> str:
    """The list/watch path, narrowed to one namespace for namespaced kinds."""
    if not (kind.namespaced and namespace):
        return kind.api_path
    prefix, plural = kind.api_path.rsplit("/", 1)
    return f"{prefix}/namespaces/{path_segment(namespace)}/{plural}"


@dataclass
class TableReader:
    """Rows from Table responses and Table watch events (cells located by column name)."""

    sources: Sequence[Source]
    accept: str = TABLE
    query: dict[str, str] = field(default_factory=lambda: {"includeObject": "Metadata"})
    _indexes: dict[str, int] = field(default_factory=dict)

    def rows(self, cluster: str, doc: Obj) -> list[tuple[Key, Row]]:
        """(key, row) for each row of a Table (a list page or a watch event's object)."""
        definitions = doc.get("columnDefinitions")
        if definitions:
            self._indexes = {c["name"].lower(): i for i, c in enumerate(definitions)}
        plan = [(where != "meta", self._indexes.get(name.lower(), -1), name)
                for where, name in self.sources]
        since = [i + 1 for i, (where, _) in enumerate(self.sources) if where == "since"]
        if since:
            return _with_times(self._rows(cluster, doc, plan), since)
        return self._rows(cluster, doc, plan)

    def _rows(self, cluster: str, doc: Obj,
              plan: list[tuple[bool, int, str]]) -> list[tuple[Key, Row]]:
        if any(is_cell and index < 0 for is_cell, index, _ in plan):
            return [self._row(cluster, row, plan) for row in doc.get("rows") or ()]
        # The common shape is read with three C-level getters per row: the cells, the
        # metadata fields (namespace and name first, for the key), then source order.
        cell_plan = [index for is_cell, index, _ in plan if is_cell]
        fields = ["namespace", "name", *(name for is_cell, _, name in plan if not is_cell)]
        take_cells, take_meta = _getter(cell_plan), _getter(fields)
        cell_at, field_at = iter(range(len(cell_plan))), iter(range(2, len(fields)))
        order = _getter([next(cell_at) if is_cell else len(cell_plan) + next(field_at)
                         for is_cell, _, _ in plan])
        out: list[tuple[Key, Row]] = []
        add = out.append
        for row in doc.get("rows") or ():
            try:
                meta = take_meta(row["object"]["metadata"])
                values = order(take_cells(row["cells"]) + meta)
                "".join(values + meta[:2])  # TypeError unless every value is a string
                if not meta[1]:
                    raise KeyError("name")
            except (KeyError, IndexError, TypeError):  # any other shape: the careful path
                add(self._row(cluster, row, plan))
                continue
            add(((meta[0], meta[1]), (cluster, *values)))
        return out

    @staticmethod
    def _row(cluster: str, row: Obj, plan: list[tuple[bool, int, str]]) -> tuple[Key, Row]:
        """One row of any shape: missing cells and fields become empty strings."""
        cells = row.get("cells") or ()
        meta = (row.get("object") or {}).get("metadata") or {}
        values = [_cell(cells, index) if is_cell else _text(meta.get(name))
                  for is_cell, index, name in plan]
        key = (_text(meta.get("namespace")), _text(meta.get("name")) or _cell(cells, 0))
        return key, (cluster, *values)

    def event_rows(self, cluster: str, obj: Obj) -> list[tuple[Key, Row]]:
        """Rows of one watch event's object (a one-row Table)."""
        return self.rows(cluster, obj)


@dataclass
class EventReader:
    """Rows for core/v1 Events from raw JSON lists and watch events."""

    accept: str = JSON
    query: dict[str, str] = field(default_factory=dict)

    def rows(self, cluster: str, doc: Obj) -> list[tuple[Key, Row]]:
        """(key, row) for each item of an EventList."""
        return [self._row(cluster, item) for item in doc.get("items") or ()]

    def event_rows(self, cluster: str, obj: Obj) -> list[tuple[Key, Row]]:
        """The row of one watched Event."""
        return [self._row(cluster, obj)]

    @staticmethod
    def _row(cluster: str, item: Obj) -> tuple[Key, Row]:
        meta = item.get("metadata") or {}
        involved = item.get("involvedObject") or {}
        target = f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}"
        namespace, name = meta.get("namespace", ""), meta.get("name", "")
        row = (cluster, namespace, event_time(item), item.get("type") or "",
               item.get("reason") or "", target, " ".join(str(item.get("message", "")).split()),
               name)
        return (namespace, name), row


def event_time(item: Obj) -> str:
    """When an event was last seen (RFC 3339), falling back like kubectl does."""
    series = item.get("series") or {}
    return str(item.get("lastTimestamp") or series.get("lastObservedTime")
               or item.get("eventTime") or item.get("firstTimestamp")
               or (item.get("metadata") or {}).get("creationTimestamp") or "")


def reader_for(kind: ResourceKind) -> TableReader | EventReader:
    """A fresh reader for one list+watch of a kind."""
    if kind.name == "events":
        return EventReader()
    return TableReader(kind.sources)


def resource_version(obj: Obj) -> str | None:
    """The resourceVersion of a watch event's object (Table or plain object)."""
    meta = obj.get("metadata") or {}
    version = meta.get("resourceVersion")
    if version:
        return str(version)
    for row in obj.get("rows") or ():
        version = ((row.get("object") or {}).get("metadata") or {}).get("resourceVersion")
        if version:
            return str(version)
    return None


def reading_time() -> datetime:
    """When a page is read: the instant its relative times are counted from."""
    return datetime.now(UTC)


def _with_times(rows: list[tuple[Key, Row]], indexes: list[int]) -> list[tuple[Key, Row]]:
    """Rows with their "since" cells' relative times made absolute (as of now)."""
    now = reading_time()
    out = []
    for key, row in rows:
        cells = list(row)
        for index in indexes:
            if " (" in cells[index]:
                cells[index] = restarts_since(cells[index], now)
        out.append((key, tuple(cells)))
    return out


def _getter(items: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """itemgetter that always returns a tuple (itemgetter of one item does not)."""
    if not items:
        return lambda obj: ()
    if len(items) == 1:
        single = itemgetter(items[0])
        return lambda obj: (single(obj),)
    return itemgetter(*items)


def _cell(cells: Sequence[Any], index: int) -> str:
    if not 0 <= index < len(cells):
        return ""
    value = cells[index]
    return value if type(value) is str else _text(value)


def _text(value: Any) -> str:
    """A value as table text; a nested lazy value becomes plain Python first (no proxy of a
    parsed page outlives it, and it prints like the parsed JSON would)."""
    if isinstance(value, simdjson.Object):
        value = value.as_dict()
    elif isinstance(value, simdjson.Array):
        value = value.as_list()
    return "" if value is None else str(value)
