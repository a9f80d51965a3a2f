"""Response bodies for reads: content negotiation, JSON/YAML lists, Tables, object metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import yaml

from kubechat_tui.sim import tables
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.resources import ResourceType
from kubechat_tui.sim.status import ApiError, bad_request
from kubechat_tui.sim.store import ClusterStore, Obj

TABLE = "table"
METADATA = "metadata"
JSON = "json"
JSON_MEDIA = "application/json"
YAML_MEDIA = "application/yaml"
SERVED = (JSON_MEDIA, YAML_MEDIA)
ANY = ("*/*", "application/*")
INCLUDE = ("None", "Metadata", "Object")
META_GROUP = "meta.k8s.io"


@dataclass(frozen=True)
class Want:
    """What the client negotiated: shape (object/list, Table, metadata), media, Table rows."""

    shape: str = JSON
    media: str = JSON_MEDIA
    include: str = "Metadata"


def _params(clause: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in clause.split(";")[1:])}


def _shape(params: dict[str, str]) -> str | None:
    kind = params.get("as", "")
    if not kind:
        return JSON
    if params.get("g") != META_GROUP or params.get("v") not in ("v1", "v1beta1"):
        return None
    if kind == "Table":
        return TABLE
    if kind in ("PartialObjectMetadata", "PartialObjectMetadataList"):
        return METADATA
    return None


def negotiate(call: Call) -> Want:
    """The first Accept clause we can serve (406 when none); Table options are validated."""
    accept = call.request.headers.get("Accept", "")
    for clause in (accept or JSON_MEDIA).split(","):
        media = clause.split(";")[0].strip().lower()
        params = _params(clause)
        if media not in SERVED + ANY or params.get("q") in ("0", "0.0"):
            continue
        shape = _shape(params)
        if shape is None:
            continue
        include = "Metadata"
        if shape == TABLE:
            include = call.arg("includeObject") or "Metadata"
            if include not in INCLUDE:
                raise bad_request(f'Unable to convert to Table as requested: includeObject: '
                                  f'Invalid value: "{include}": must be \'Metadata\', '
                                  "'Object', 'None', or empty")
        return Want(shape, YAML_MEDIA if media == YAML_MEDIA else JSON_MEDIA, include)
    raise ApiError(406, "NotAcceptable", "only the following media types are accepted: "
                   + ", ".join(SERVED), {})


def reply(want: Want, body: bytes | dict[str, Any], status: int = 200) -> Reply:
    """The body in the negotiated media type."""
    if want.media == YAML_MEDIA:
        doc = orjson.loads(body) if isinstance(body, bytes) else body
        return Reply(status, yaml.safe_dump(doc, sort_keys=True).encode(), YAML_MEDIA)
    return Reply(status, body)


def list_kind(res: ResourceType) -> str:
    """`PodList`."""
    return f"{res.kind}List"


def list_meta(rv: int, cont: str, remaining: int | None) -> dict[str, Any]:
    """ListMeta: continue when more follow; remainingItemCount only when it is known."""
    out: dict[str, Any] = {"resourceVersion": str(rv)}
    if cont:
        out["continue"] = cont
        if remaining is not None:
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
                         "columnDefinitions": tables.columns(res.key, res.custom)})
    rows = []
    for obj in items:
        if include == "None":
            embedded = b"null"
        elif include == "Object":
            embedded = store.encoded(obj)
        else:
            embedded = store.encoded_partial(obj)
        cells = orjson.dumps(tables.cells(res.key, obj, at, res.custom))
        rows.append(b'{"cells":' + cells + b',"object":' + embedded + b"}")
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
        rows.append({"cells": tables.cells(res.key, obj, at, res.custom), "object": embedded})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": lmeta,
            "columnDefinitions": tables.columns(res.key, res.custom) if with_columns else [],
            "rows": rows}
