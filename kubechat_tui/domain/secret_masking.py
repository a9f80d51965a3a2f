"""Mask Secret values before an object is shown (YAML view, describe, chat context).

Keys stay visible, values never: `data` and `stringData` values become a placeholder with
the value's size, and the last-applied-configuration annotation (which repeats the data in
plain text) is masked too. Lists of Secrets are masked item by item; other kinds pass
through unchanged. The input is never modified.
"""

from __future__ import annotations

import copy
from typing import Any

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SECRET_FIELDS = ("data", "stringData")  # a Secret's fields whose values are the secret
MASK = "********"


def mask_secret_values(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of `obj` with every Secret value masked."""
    if obj.get("kind") == "SecretList" or (
            isinstance(obj.get("items"), list) and obj.get("kind", "").endswith("List")):
        masked = dict(obj)
        masked["items"] = [mask_secret_values(i) if isinstance(i, dict) else i
                           for i in obj["items"]]
        return masked
    if obj.get("kind") != "Secret":
        return obj
    masked = copy.deepcopy(obj)
    for field in SECRET_FIELDS:
        values = masked.get(field)
        if isinstance(values, dict):
            masked[field] = {key: _placeholder(field, value) for key, value in values.items()}
    annotations = (masked.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        annotations[LAST_APPLIED] = MASK
    return masked


def _placeholder(field: str, value: object) -> str:
    text = "" if value is None else str(value)
    size = len(text) * 3 // 4 - text.count("=") if field == "data" else len(text.encode())
    return f"{MASK} ({size} bytes)"
