"""Response bodies for reads: JSON lists, Tables and PartialObjectMetadata, built as bytes."""

from __future__ import annotations

from typing import Any

import orjson

from kubechat_tui.sim import tables
from kubechat_tui.sim.resources import ResourceType
from kubechat_tui.sim.status import ApiError
from kubechat_tui.sim.store import ClusterStore, Obj

TABLE = "table"
METADATA = "metadata"
JSON = "json"


def negotiate(accept: str) -> str:
    """Which representation the Accept header asks for first (406 when none we serve)."""
    if not accept:
        return JSON
    for part in accept.split(","):
        params = {k.strip(): v.strip() for k, _, v in (p.partition("=")
                                                        for p in part.split(";")[1:])}
        media = part.split(";")[0].strip()
        if media not in ("application/json", "*/*", "application/*"):
            continue
        kind = params.get("as", "")
        if kind == "Table" and params.get("g") == "meta.k8s.io" and params.get("v") in (
                "v1", "v1beta1"):
            return TABLE
        if kind in ("PartialObjectMetadata", "PartialObjectMetadataList"):
            return METADATA
        if not kind:
            return JSON
    raise ApiError(406, "NotAcceptable",
                   "only the following media types are accepted: application/json, "
                   "application/yaml, application/vnd.kubernetes.protobuf", {})


def list_kind(res: ResourceType) -> str:
    """`PodList`."""
    return f"{res.kind}List"


def list_meta(rv: int, cont: str, remaining: int) -> dict[str, Any]:
    """ListMeta with continue/remainingItemCount only when paging."""
    out: dict[str, Any] = {"resourceVersion": str(rv)}
    if cont:
        out["continue"] = cont
        out["remainingItemCount"] = remaining
    return out


def json_list(store: ClusterStore, res: ResourceType, items: list[Obj], lmeta: dict[str, Any]
              ) -> bytes:
    """A `<Kind>List`, items without kind/apiVersion like the real server."""
    head = orjson.dumps({"kind": list_kind(res), "apiVersion": res.api_version,
                         "metadata": lmeta})
    body = b",".join(store.encoded_item(o) for o in items)
    return head[:-1] + b',"items":[' + body + b"]}"


def partial(obj: Obj) -> dict[str, Any]:
    """PartialObjectMetadata for one object."""
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj["metadata"]}


def metadata_list(items: list[Obj], lmeta: dict[str, Any]) -> bytes:
    """PartialObjectMetadataList."""
    return orjson.dumps({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                         "metadata": lmeta, "items": [partial(o) for o in items]})


def table_bytes(store: ClusterStore, res: ResourceType, items: list[Obj],
                lmeta: dict[str, Any], include: str, at: float) -> bytes:
    """The same Table as `table`, assembled from cached per-object JSON."""
    head = orjson.dumps({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": lmeta,
                         "columnDefinitions": tables.columns(res.key)})
    rows = []
    for obj in items:
        if include == "None":
            embedded = b"null"
        elif include == "Object":
            embedded = store.encoded(obj)
        else:
            embedded = store.encoded_partial(obj)
        rows.append(b'{"cells":' + orjson.dumps(tables.cells(res.key, obj, at)) + b',"object":'
                    + embedded + b"}")
    return head[:-1] + b',"rows":[' + b",".join(rows) + b"]}"


def table(res: ResourceType, items: list[Obj], lmeta: dict[str, Any], include: str, at: float,
          with_columns: bool = True) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table; include is None, Metadata or Object."""
    rows = []
    for obj in items:
        if include == "None":
            embedded: Any = None
        elif include == "Object":
            embedded = obj
        else:
            embedded = partial(obj)
        rows.append({"cells": tables.cells(res.key, obj, at), "object": embedded})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": lmeta,
            "columnDefinitions": tables.columns(res.key) if with_columns else [],
            "rows": rows}
