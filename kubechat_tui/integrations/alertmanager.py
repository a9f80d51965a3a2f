"""Prometheus Alertmanager v2: `GET /api/v2/alerts` (gettableAlerts) into timeline events.

API::

    raw = fetch_alerts(base_url, token, timeout)          # the JSON list; SourceError
    events, skipped = alert_events(raw, LabelMap("cluster", "namespace", ["deployment"]), now)

An alert (``labels``, ``annotations``, ``startsAt``, ``endsAt``, ``fingerprint``,
``status.state``) is firing while ``endsAt`` is in the future and resolved after it; each
state is one event keyed by fingerprint, start and state, so a re-import adds only what
changed. Labels named in the `LabelMap` give its cluster, namespace and workload; an alert
with no labels still imports (no cluster, its fingerprint as its name). Entries that are
not alert objects are counted as skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubechat_tui.integrations.imported import ImportedEvent, SourceError, get_json, parse_time

SOURCE = "alertmanager"
PATH = "/api/v2/alerts"


@dataclass(frozen=True)
class LabelMap:
    """Which alert labels name the cluster, the namespace and the workload."""

    cluster: str = "cluster"
    namespace: str = "namespace"
    workload: Sequence[str] = ("deployment", "statefulset", "daemonset", "job_name", "workload")


def fetch_alerts(base_url: str, token: str | None, timeout: float) -> list[Any]:
    """Every alert Alertmanager holds (active, silenced, inhibited and unprocessed)."""
    raw = get_json(base_url.rstrip("/") + PATH, token, timeout, SOURCE)
    if not isinstance(raw, list):
        raise SourceError(f"{SOURCE}: expected a JSON list of alerts, got "
                          f"{type(raw).__name__}")
    return raw


def alert_events(raw: list[Any], labels: LabelMap,
                 now: datetime) -> tuple[list[ImportedEvent], int]:
    """The events of the alerts, and how many entries were not alerts."""
    events: list[ImportedEvent] = []
    skipped = 0
    for alert in raw:
        event = _event(alert, labels, now) if isinstance(alert, dict) else None
        if event is None:
            skipped += 1
        else:
            events.append(event)
    return events, skipped


def _event(alert: dict[str, Any], labels: LabelMap, now: datetime) -> ImportedEvent | None:
    starts = parse_time(alert.get("startsAt"))
    fingerprint = alert.get("fingerprint")
    if starts is None or not isinstance(fingerprint, str) or not fingerprint:
        return None
    tags = {str(k): str(v) for k, v in (alert.get("labels") or {}).items()} \
        if isinstance(alert.get("labels"), dict) else {}
    notes = {str(k): str(v) for k, v in (alert.get("annotations") or {}).items()} \
        if isinstance(alert.get("annotations"), dict) else {}
    ends = parse_time(alert.get("endsAt"))
    resolved = ends is not None and ends <= now
    state = "resolved" if resolved else "firing"
    status = alert.get("status") if isinstance(alert.get("status"), dict) else {}
    name = tags.get("alertname") or f"alert {fingerprint}"
    namespace = tags.get(labels.namespace, "")
    workload = next((tags[w] for w in labels.workload if tags.get(w)), "")
    where = "/".join(p for p in (namespace, workload) if p)
    severity = tags.get("severity", "")
    title = f"{name} {state}" + (f" {severity}" if severity else "") + \
        (f" on {where}" if where else "")
    body = notes.get("summary") or notes.get("description") or ""
    return ImportedEvent(
        kind="alert", key=f"{SOURCE}:{fingerprint}:{starts.isoformat()}:{state}",
        ts=ends if resolved and ends is not None else starts,
        cluster=tags.get(labels.cluster) or None, author=SOURCE, title=title, body=body,
        payload={"fingerprint": fingerprint, "state": state, "labels": tags,
                 "annotations": notes, "startsAt": alert.get("startsAt"),
                 "endsAt": alert.get("endsAt"),
                 "am_state": (status or {}).get("state", ""),
                 "generatorURL": alert.get("generatorURL", ""),
                 "namespace": namespace, "workload": workload})
