"""RFC 6902 JSON patch with the semantics of evanphx/json-patch (v4), as kube-apiserver runs it.

Its quirks are kept (`replace` of a missing key in an existing object adds it; `copy` from a
missing key copies null; negative array indexes count from the end for add and remove).
Failures carry the library's wording for logs only: the server never sends it back.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import orjson

from kubechat_tui.sim.status import go_json_type

_INT = re.compile(r"^[+-]?\d+$")
Doc = dict[str, Any] | list[Any]


class DecodeError(Exception):
    """The body is not a JSON patch document (400 with this message)."""


class PatchFailed(Exception):
    """An operation does not apply (422, without this message)."""



def decode(patch: Any) -> list[dict[str, Any]]:
    """DecodePatch: a JSON array of operation objects (null items become empty operations)."""
    if not isinstance(patch, list):
        raise DecodeError(f"json: cannot unmarshal {go_json_type(patch)} into Go value of type "
                          "jsonpatch.Patch")
    ops = []
    for op in patch:
        if op is not None and not isinstance(op, dict):
            raise DecodeError(f"json: cannot unmarshal {go_json_type(op)} into Go value of type "
                              "jsonpatch.Operation")
        ops.append(op or {})
    return ops


def _text(op: dict[str, Any], field: str) -> str:
    value = op.get(field)
    if not isinstance(value, str):
        raise PatchFailed(f"operation missing {field} field")
    return value


def _key(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _index(key: str, size: int, negative: bool) -> int:
    if not _INT.match(key):
        raise PatchFailed(f"value was not a proper array index: '{key}'")
    index = int(key)
    if negative and index < 0:
        index += size
    if not 0 <= index < size:
        raise PatchFailed(f"Unable to access invalid index: {key}")
    return index


def _find(doc: Doc, path: str) -> tuple[Doc, str]:
    """The container holding the path's last segment, and that segment (findObject)."""
    parts = path.split("/")
    if len(parts) < 2:
        raise PatchFailed(f"doc is missing path: {path}")
    node: Any = doc
    for part in parts[1:-1]:
        if isinstance(node, dict):
            node = node.get(_key(part))
        elif isinstance(node, list) and _INT.match(part) and 0 <= int(part) < len(node):
            node = node[int(part)]
        else:
            node = None
        if not isinstance(node, (dict, list)):
            raise PatchFailed(f"doc is missing path: {path}")
    return node, _key(parts[-1])


def _get(container: Doc, key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key)  # a missing key reads as null, not as an error
    return container[_index(key, len(container), negative=False)]


def _add(container: Doc, key: str, value: Any) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif key == "-":
        container.append(value)
    else:
        container.insert(_index(key, len(container) + 1, negative=True), value)


def _remove(container: Doc, key: str) -> None:
    if isinstance(container, dict):
        if key not in container:
            raise PatchFailed(f"Unable to remove nonexistent key: {key}")
        del container[key]
    else:
        del container[_index(key, len(container), negative=True)]


def _same(left: Any, right: Any) -> bool:
    """JSON equality (`1` is not `true`, `1` is not `1.0`), as the library compares."""
    return orjson.dumps(left, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        right, option=orjson.OPT_SORT_KEYS)


def apply(doc: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """doc with every operation applied in order (doc itself is changed)."""
    for op in ops:
        kind = op.get("op") if isinstance(op.get("op"), str) else "unknown"
        if kind in ("add", "remove", "replace", "test"):
            container, key = _find(doc, _text(op, "path"))
            if kind == "add":
                _add(container, key, copy.deepcopy(op.get("value")))
            elif kind == "remove":
                _remove(container, key)
            elif kind == "replace":
                _get(container, key)
                if isinstance(container, dict):
                    container[key] = copy.deepcopy(op.get("value"))
                else:
                    container[_index(key, len(container), negative=False)] = copy.deepcopy(
                        op.get("value"))
            elif not _same(_get(container, key), op.get("value")):
                raise PatchFailed(f"testing value {op['path']} failed: test failed")
        elif kind in ("move", "copy"):
            source, from_key = _find(doc, _text(op, "from"))
            value = _get(source, from_key)
            if kind == "move":
                _remove(source, from_key)
            else:
                value = copy.deepcopy(value)
            target, key = _find(doc, _text(op, "path"))
            _add(target, key, value)
        else:
            raise PatchFailed(f"Unexpected kind: {kind}")
    return doc
