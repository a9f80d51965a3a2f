"""Decode the few protobuf request bodies kubectl sends (reviews, evictions, delete options)."""

from __future__ import annotations

from typing import Any

from kubechat_tui.sim.status import ApiError, bad_request

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

Schema = dict[int, tuple[str, Any]]
OBJECT_META: Schema = {1: ("name", "str"), 2: ("generateName", "str"), 3: ("namespace", "str"),
                       5: ("uid", "str"), 6: ("resourceVersion", "str")}
RESOURCE_ATTRIBUTES: Schema = {1: ("namespace", "str"), 2: ("verb", "str"), 3: ("group", "str"),
                               4: ("version", "str"), 5: ("resource", "str"),
                               6: ("subresource", "str"), 7: ("name", "str")}
PRECONDITIONS: Schema = {1: ("uid", "str"), 2: ("resourceVersion", "str")}
DELETE_OPTIONS: Schema = {1: ("gracePeriodSeconds", "int"), 2: ("preconditions", PRECONDITIONS),
                          3: ("orphanDependents", "bool"), 4: ("propagationPolicy", "str"),
                          5: ("dryRun", "strlist")}
KINDS: dict[str, Schema] = {
    "SelfSubjectAccessReview": {1: ("metadata", OBJECT_META), 2: ("spec", {
        1: ("resourceAttributes", RESOURCE_ATTRIBUTES),
        2: ("nonResourceAttributes", {1: ("path", "str"), 2: ("verb", "str")})})},
    "SelfSubjectRulesReview": {1: ("metadata", OBJECT_META),
                               2: ("spec", {1: ("namespace", "str")})},
    "SelfSubjectReview": {1: ("metadata", OBJECT_META)},
    "Eviction": {1: ("metadata", OBJECT_META), 2: ("deleteOptions", DELETE_OPTIONS)},
    "DeleteOptions": DELETE_OPTIONS,
}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise bad_request("proto: unexpected end of input")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) pairs: ints for varints, bytes for length-delimited."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            out.append((number, value))
        elif wire == 2:
            length, pos = _varint(data, pos)
            out.append((number, data[pos:pos + length]))
            pos += length
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise bad_request(f"proto: illegal wireType {wire}")
    return out


def _decode(data: bytes, schema: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, value in fields(data):
        if number not in schema:
            continue
        name, kind = schema[number]
        if isinstance(kind, dict) and isinstance(value, bytes):
            out[name] = _decode(value, kind)
        elif kind == "str" and isinstance(value, bytes) and value:
            out[name] = value.decode("utf-8", "replace")
        elif kind == "strlist" and isinstance(value, bytes):
            out.setdefault(name, []).append(value.decode("utf-8", "replace"))
        elif kind == "int" and isinstance(value, int):
            out[name] = value
        elif kind == "bool" and isinstance(value, int):
            out[name] = bool(value)
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf-encoded API object as the equivalent JSON dict (415 for kinds we cannot read)."""
    if not body.startswith(MAGIC):
        raise bad_request("provided object is not a Kubernetes protobuf message")
    type_meta: dict[str, str] = {}
    raw = b""
    for number, value in fields(body[len(MAGIC):]):
        if number == 1 and isinstance(value, bytes):
            for sub, text in fields(value):
                if isinstance(text, bytes):
                    type_meta["apiVersion" if sub == 1 else "kind"] = text.decode()
        elif number == 2 and isinstance(value, bytes):
            raw = value
    kind = type_meta.get("kind", "")
    schema = KINDS.get(kind)
    if schema is None:
        raise ApiError(415, "UnsupportedMediaType",
                       f"the body of the request was in an unknown format - accepted media "
                       f"types include: application/json, application/yaml ({kind or 'unknown'}"
                       " in protobuf is not supported by the simulator)", {})
    return {"kind": kind, "apiVersion": type_meta.get("apiVersion", ""), **_decode(raw, schema)}
