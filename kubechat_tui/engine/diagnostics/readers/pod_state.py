"""Which pods a status filter means ("only the crashlooping pods"), and which need attention.

A planner's `status_filter` is a comma list of the words kubectl's STATUS column shows
(`CrashLoopBackOff`, `ImagePullBackOff,ErrImagePull`, `OOMKilled`) or `NotReady`. A pod
matches when its STATUS cell says one of them, or — when the full object was read — when
one of its containers is waiting or terminated (now or last time) for that reason: a pod
that was OOM-killed shows CrashLoopBackOff while it waits to restart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

HEALTHY = frozenset({"Running", "Completed", "Succeeded"})
NOT_READY = "NotReady"
CONTAINER_STATE_FILTERS = frozenset({"OOMKilled", "Error", "ContainerCannotRun"})


def wanted(status_filter: str) -> frozenset[str]:
    """The words of a status filter."""
    return frozenset(w.strip() for w in status_filter.split(",") if w.strip())


def needs_containers(status_filter: str) -> bool:
    """True when the filter reads container states the STATUS cell may not show."""
    return bool(wanted(status_filter) & CONTAINER_STATE_FILTERS)


def matches(words: frozenset[str], status: str, ready: str, pod: Mapping[str, Any]) -> bool:
    """True when a pod (its STATUS and READY cells, and its object) is in any state named."""
    if NOT_READY in words and not_ready(status, ready):
        return True
    return status in words or bool(words & set(container_reasons(pod)))


def not_ready(status: str, ready: str) -> bool:
    """READY `1/2` on a pod that should be running."""
    have, _, want = ready.partition("/")
    return status not in ("Completed", "Succeeded") and have.isdigit() and want.isdigit() \
        and int(have) < int(want)


def needs_attention(status: str, ready: str) -> bool:
    """A pod to mark in a table: not running and ready."""
    return status not in HEALTHY or not_ready(status, ready)


def container_reasons(pod: Mapping[str, Any]) -> Iterator[str]:
    """Each container's waiting/terminated reasons, now and at its last termination."""
    status = pod.get("status") or {}
    for cs in [*(status.get("initContainerStatuses") or ()),
               *(status.get("containerStatuses") or ())]:
        for part in ("state", "lastState"):
            for detail in (cs.get(part) or {}).values():
                if isinstance(detail, dict) and detail.get("reason"):
                    yield str(detail["reason"])
