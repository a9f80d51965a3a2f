"""Argo CD: `GET /api/v1/applications` (v1alpha1ApplicationList) into deploy events.

API::

    raw = fetch_applications(base_url, token, timeout)    # the JSON object; SourceError
    events, skipped = deploy_events(raw, resolve_cluster)

Each application's sync history (``status.history[]``: ``id``, ``revision``,
``deployedAt``, ``initiatedBy``) is a succeeded deploy; its current operation
(``status.operationState``: ``phase``, ``startedAt``, ``finishedAt``, ``message``,
``syncResult.revision``, ``operation.initiatedBy``) adds the one running or failed. The
cluster comes from ``spec.destination`` (``server`` or ``name``) through
`resolve_cluster`. Keys: application, history id or operation start, and phase.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubechat_tui.integrations.imported import ImportedEvent, SourceError, get_json, parse_time

SOURCE = "argocd"
PATH = "/api/v1/applications"
ClusterResolver = Callable[[str, str], str | None]  # (server, name) -> cluster


def fetch_applications(base_url: str, token: str | None, timeout: float) -> dict[str, Any]:
    """The application list."""
    raw = get_json(base_url.rstrip("/") + PATH, token, timeout, SOURCE)
    if not isinstance(raw, dict):
        raise SourceError(f"{SOURCE}: expected an application list object, got "
                          f"{type(raw).__name__}")
    return raw


def deploy_events(raw: dict[str, Any],
                  resolve: ClusterResolver) -> tuple[list[ImportedEvent], int]:
    """The deploys of every application, and how many items were not applications."""
    events: list[ImportedEvent] = []
    skipped = 0
    for app in raw.get("items") or []:
        name = _get(app, "metadata", "name")
        if not isinstance(name, str) or not name:
            skipped += 1
            continue
        destination = _get(app, "spec", "destination") or {}
        cluster = resolve(str(destination.get("server") or ""),
                          str(destination.get("name") or ""))
        namespace = str(destination.get("namespace") or "")
        for entry in _get(app, "status", "history") or []:
            event = _history_event(name, cluster, namespace, entry)
            if event is not None:
                events.append(event)
        operation = _operation_event(name, cluster, namespace,
                                     _get(app, "status", "operationState"))
        if operation is not None:
            events.append(operation)
    return events, skipped


def _history_event(app: str, cluster: str | None, namespace: str,
                   entry: Any) -> ImportedEvent | None:
    if not isinstance(entry, dict):
        return None
    when = parse_time(entry.get("deployedAt"))
    if when is None:
        return None
    revision = str(entry.get("revision") or "")
    author = _initiator(entry.get("initiatedBy"))
    return ImportedEvent(
        kind="deploy", key=f"{SOURCE}:{app}:history:{entry.get('id')}:{revision}", ts=when,
        cluster=cluster, author=author,
        title=f"argo cd synced {app} to {revision[:12]} (Succeeded)",
        payload={"application": app, "revision": revision, "result": "Succeeded",
                 "namespace": namespace, "initiated_by": author,
                 "started_at": entry.get("deployStartedAt"),
                 "deployed_at": entry.get("deployedAt"), "history_id": entry.get("id")})


def _operation_event(app: str, cluster: str | None, namespace: str,
                     state: Any) -> ImportedEvent | None:
    """The current operation, unless it succeeded (history holds that one)."""
    if not isinstance(state, dict):
        return None
    phase = str(state.get("phase") or "")
    started = parse_time(state.get("startedAt"))
    if started is None or phase in ("", "Succeeded"):
        return None
    finished = parse_time(state.get("finishedAt"))
    revision = str(_get(state, "syncResult", "revision")
                   or _get(state, "operation", "sync", "revision") or "")
    author = _initiator(_get(state, "operation", "initiatedBy"))
    return ImportedEvent(
        kind="deploy", key=f"{SOURCE}:{app}:operation:{state.get('startedAt')}:{phase}",
        ts=finished or started, cluster=cluster, author=author,
        title=f"argo cd sync of {app} to {revision[:12] or '?'}: {phase}",
        body=str(state.get("message") or ""),
        payload={"application": app, "revision": revision, "result": phase,
                 "namespace": namespace, "initiated_by": author,
                 "started_at": state.get("startedAt"), "finished_at": state.get("finishedAt")})


def _initiator(value: Any) -> str:
    if not isinstance(value, dict):
        return SOURCE
    if value.get("username"):
        return str(value["username"])
    return "argocd (automated)" if value.get("automated") else SOURCE


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
