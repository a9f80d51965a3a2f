"""Object diffs for the preview: YAML with server-side noise removed, unified diff.

A diff never shows a secret: both sides are redacted (`domain.redaction`: a Secret's
values, credential-looking env values, every credential shape) with markers hashed under
a key of this process, so a changed value shows as a changed marker and an unchanged one
as context. The recorded diff (dry run, approval request) is this very text.
"""

from __future__ import annotations

import copy
import difflib
import secrets
from collections.abc import Mapping
from typing import Any

import yaml

from kubechat_tui.domain.redaction import DEFAULT
from kubechat_tui.domain.redaction_markers import HashMarker

NOISE_METADATA = ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp",
                  "selfLink")
NOISE_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)
_MARKER = HashMarker(secrets.token_bytes(32), remember=False)  # diffs of this process


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
    """A unified diff of the cleaned, redacted YAML before and after (empty when nothing
    changes)."""
    lines = difflib.unified_diff(
        to_yaml(masked(before)).splitlines(keepends=True),
        to_yaml(masked(after)).splitlines(keepends=True),
        fromfile=f"{label} (live)", tofile=f"{label} (after)", n=3)
    return "".join(lines)


def masked(obj: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The object with every secret replaced by a hashed marker (None stays None)."""
    return None if obj is None else DEFAULT.redact_data(clean(obj), _MARKER).value


def masked_text(text: str) -> str:
    """A line shown beside a diff (a rollback's kubectl line) redacted the same way."""
    return DEFAULT.redact(text, _MARKER)
