"""Blocking reads of single objects for the detail and log panes (call from worker threads).

Every function raises ApiError with a one-line message when the cluster refuses or cannot
be reached; `resource` is a plural, singular or short name (`pods`, `deploy`, `no`).
"""

from __future__ import annotations

from typing import Any

import orjson

from kubechat_tui.domain.resources import ResourceInfo
from kubechat_tui.kube.describe import describe_object
from kubechat_tui.kube.discovered_kinds import known_resource
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.kube.kinds import event_time

LOG_LIMIT_BYTES = 1 << 20  # never pull more than 1 MiB of log into memory
READ_TIMEOUT = 10.0
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


def get_object(fleet: Any, cluster: str, resource: str, namespace: str | None,
               name: str) -> dict[str, Any]:
    """The object as the API returns it, without metadata.managedFields (as kubectl shows)."""
    info = _resource(cluster, resource)
    path = info.object_path(namespace if info.namespaced else None, name)
    status, doc = fleet.request_json(cluster, "GET", path, timeout=READ_TIMEOUT)
    _check(cluster, status, doc)
    (doc.get("metadata") or {}).pop("managedFields", None)
    return dict(doc)


def describe(fleet: Any, cluster: str, resource: str, namespace: str | None, name: str) -> str:
    """kubectl-describe-style text of one object (events are shown by `object_events`)."""
    return describe_object(get_object(fleet, cluster, resource, namespace, name))


def object_events(fleet: Any, cluster: str, namespace: str | None, kind: str, name: str,
                  limit: int = 20) -> list[dict[str, Any]]:
    """The most recent events about one object (newest first, at most `limit`)."""
    selector = f"involvedObject.kind={kind},involvedObject.name={name}"
    if namespace:
        path = f"/api/v1/namespaces/{namespace}/events"
        selector += f",involvedObject.namespace={namespace}"
    else:
        path = "/api/v1/events"
    status, doc = fleet.request_json(cluster, "GET", path, query={"fieldSelector": selector},
                                     timeout=READ_TIMEOUT)
    _check(cluster, status, doc)
    items = [i for i in doc.get("items") or () if isinstance(i, dict)]
    items.sort(key=event_time, reverse=True)
    for item in items[:limit]:
        (item.get("metadata") or {}).pop("managedFields", None)
    return items[:limit]


def pod_log_tail(fleet: Any, cluster: str, namespace: str | None, pod: str,
                 container: str | None = None, lines: int = 200,
                 previous: bool = False) -> list[str]:
    """The last `lines` lines of a container's log (default container when not given);
    `previous`: of the container instance that ran before the last restart."""
    if not namespace:
        raise ApiError(cluster, 400, "a pod log needs a namespace")
    if container is None:
        container = default_container(get_object(fleet, cluster, "pods", namespace, pod))
    query: dict[str, str | int] = {"tailLines": max(1, lines), "limitBytes": LOG_LIMIT_BYTES}
    if container:
        query["container"] = container
    if previous:
        query["previous"] = "true"
    path = f"/api/v1/namespaces/{namespace}/pods/{pod}/log"
    status, body = fleet.request(cluster, "GET", path, query=query, timeout=READ_TIMEOUT)
    text = body.decode("utf-8", "replace")
    if status != 200:
        raise ApiError(cluster, status, _message_of(status, text))
    return text.splitlines()[-lines:]


def default_container(pod: dict[str, Any]) -> str | None:
    """The container kubectl picks: the default-container annotation, else the first one."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    chosen = annotations.get(DEFAULT_CONTAINER)
    if chosen:
        return str(chosen)
    containers = (pod.get("spec") or {}).get("containers") or []
    return str(containers[0]["name"]) if containers else None


def _resource(cluster: str, word: str) -> ResourceInfo:
    info = known_resource(word)
    if info is None:
        raise ApiError(cluster, 400, f"unknown resource type {word!r}")
    return info


def _check(cluster: str, status: int, doc: dict[str, Any]) -> None:
    if status != 200:
        message = doc.get("message") or doc.get("reason") or "no message"
        prefix = f"HTTP {status}: " if status else ""
        raise ApiError(cluster, status, f"{prefix}{message}")


def _message_of(status: int, text: str) -> str:
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return f"HTTP {status}: {text.strip()[:200]}"
    message = doc.get("message") if isinstance(doc, dict) else None
    return f"HTTP {status}: {message or 'no message'}" if status else str(message)
