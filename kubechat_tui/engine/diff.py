"""Object diffs for the preview: YAML with server-side noise removed, unified diff."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from typing import Any

import yaml

NOISE_METADATA = ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp",
                  "selfLink")
NOISE_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def without_status(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of the object minus `status` (what a snapshot keeps)."""
    out = copy.deepcopy(dict(obj))
    out.pop("status", None)
    return out


def clean(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    """The object as a reviewer wants to read it: no status, managedFields or version noise."""
    if not obj:
        return {}
    out = without_status(obj)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in NOISE_METADATA:
            meta.pop(key, None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            for key in NOISE_ANNOTATIONS:
                annotations.pop(key, None)
            if not annotations:
                meta.pop("annotations")
    return out


def to_yaml(obj: Mapping[str, Any] | None) -> str:
    """Stable YAML (sorted keys) of the cleaned object; empty for an absent object."""
    cleaned = clean(obj)
    return yaml.safe_dump(cleaned, sort_keys=True, default_flow_style=False) if cleaned else ""


def unified_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
                 label: str) -> str:
    """A unified diff of the cleaned YAML before and after (empty when nothing changes)."""
    lines = difflib.unified_diff(
        to_yaml(before).splitlines(keepends=True), to_yaml(after).splitlines(keepends=True),
        fromfile=f"{label} (live)", tofile=f"{label} (after)", n=3)
    return "".join(lines)
