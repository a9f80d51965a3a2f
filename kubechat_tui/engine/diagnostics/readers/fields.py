"""Field paths as kubectl's `custom-columns` and `--sort-by` write them (`.spec.containers[*]
.image`, `.status.containerStatuses[0].restartCount`): the simple JSONPath subset planners
emit, read from API objects."""

from __future__ import annotations

import re
from typing import Any

_PART = re.compile(r"\.([A-Za-z0-9_-]+)(?:\[(\*|\d+)\])?")


def field_values(obj: Any, path: str) -> list[Any]:
    """Every value at `path` in `obj` (`{.a.b}` braces allowed); [] where it is absent.
    ValueError for a path outside the subset."""
    text = path.strip().removeprefix("{").removesuffix("}")
    parts = list(_PART.finditer(text))
    if not parts or "".join(p.group(0) for p in parts) != text:
        raise ValueError(f"unsupported field path {path!r} (use .a.b, .a[0].b or .a[*].b)")
    values = [obj]
    for part in parts:
        key, index = part.group(1), part.group(2)
        values = [v.get(key) for v in values if isinstance(v, dict) and key in v]
        if index is not None:
            lists = [v for v in values if isinstance(v, list)]
            values = ([item for v in lists for item in v] if index == "*"
                      else [v[int(index)] for v in lists if int(index) < len(v)])
    return values


def field_text(obj: Any, path: str) -> str:
    """The values at `path` as kubectl prints a cell (`a,b`; `<none>` when absent)."""
    values = field_values(obj, path)
    return ",".join(str(v) for v in values) if values else "<none>"


def custom_columns(spec: str) -> list[tuple[str, str]]:
    """`custom-columns=NAME:.metadata.name,...` as (header, path) pairs; ValueError."""
    body = spec.removeprefix("custom-columns=")
    columns = []
    for part in body.split(","):
        header, sep, path = part.partition(":")
        if not sep or not header or not path:
            raise ValueError(f"custom-columns: expected HEADER:.path, got {part!r}")
        field_values({}, path)  # checks the path
        columns.append((header, path))
    return columns
