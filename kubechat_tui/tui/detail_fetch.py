"""Blocking fetches for the detail and log panes (run inside thread workers)."""

from __future__ import annotations

from typing import Any

import yaml

from kubechat_tui.tui.backend import KubeBackend
from kubechat_tui.tui.messages import ObjectKey

LOG_LINES = 200


def one_line(exc: BaseException) -> str:
    """An exception as a single status-bar line."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def fetch_detail(backend: KubeBackend, fleet: Any, key: ObjectKey,
                 mode: str) -> tuple[str, list[dict[str, Any]]]:
    """Describe text (or YAML with Secret values masked) and the object's recent events."""
    if mode == "yaml":
        obj = backend.get_object(fleet, key.cluster, key.kind, key.namespace, key.name)
        body = yaml.safe_dump(backend.mask_secret_values(obj), sort_keys=False, width=120)
    else:
        body = backend.describe(fleet, key.cluster, key.kind, key.namespace, key.name)
    events: list[dict[str, Any]] = []
    if key.kind != "events":
        from kubechat_tui.kube.discovered_kinds import known_resource

        info = known_resource(key.kind)
        events = backend.object_events(
            fleet, key.cluster, key.namespace, info.kind if info else key.kind, key.name
        )
    return body, events


def fetch_logs(backend: KubeBackend, fleet: Any, key: ObjectKey) -> list[str]:
    """The tail of a pod's (first) container log."""
    return backend.pod_log_tail(fleet, key.cluster, key.namespace, key.name, lines=LOG_LINES)
