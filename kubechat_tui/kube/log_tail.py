"""A stern-style tail: every container of every pod matching a target, in every cluster
of the scope, each followed by its own `ContainerStream`; events go to one sink.

Pods that start matching join (a `joined` note, then their lines), pods that go away
leave (a `left` note ends their streams). A container still waiting to start is noted
and joins once it runs. When every cluster has listed and nothing matched, one `error`
note says so (no such pod, workload or container).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any

from kubechat_tui.domain.log_records import LogNote, StreamKey, TailOptions
from kubechat_tui.kube.log_pods import ClusterPods, Pod
from kubechat_tui.kube.log_stream import ContainerStream, Sink
from kubechat_tui.kube.log_targets import TailTarget, pod_query

STOP_WAIT = 2.0


class LogTail:
    """The streams of one tail; `start()`, then `stop()` (or `wait()` when not following)."""

    def __init__(self, fleet: Any, clusters: Sequence[str], target: TailTarget,
                 options: TailOptions, sink: Sink) -> None:
        self.fleet = fleet
        self.clusters = list(clusters)
        self.target = target
        self.options = options
        self._sink = sink
        self._lock = threading.Lock()
        self._streams: dict[StreamKey, ContainerStream] = {}
        self._waiting: set[StreamKey] = set()
        self._listed: dict[str, int] = {}
        self._containers: set[str] = set()  # seen in matching pods (for the error line)
        self._failed: dict[str, str] = {}
        self._watchers: list[ClusterPods] = []
        self._done = threading.Event()

    def start(self) -> LogTail:
        """List (and watch) the matching pods in every cluster at once."""
        for cluster in self.clusters:
            self._watchers.append(self._watcher(cluster).start())
        return self

    def _watcher(self, cluster: str) -> ClusterPods:
        def client() -> Any:
            return self.fleet.client(cluster)

        def query() -> dict[str, str] | None:
            return pod_query(self.fleet, cluster, self.target)

        return ClusterPods(client, self.target.namespace, query, self.options.follow,
                           on_pod=functools.partial(self._pod, cluster),
                           on_gone=functools.partial(self._gone, cluster),
                           on_listed=functools.partial(self._was_listed, cluster),
                           on_error=functools.partial(self._cluster_failed, cluster))

    def streams(self) -> list[StreamKey]:
        """The streams started so far (ended ones included)."""
        with self._lock:
            return list(self._streams)

    def wait(self, timeout: float | None = None) -> bool:
        """Not following: wait until every cluster listed and every stream ended."""
        if not self._done.wait(timeout):
            return False
        for watcher in self._watchers:
            watcher.join(timeout)
        with self._lock:
            streams = list(self._streams.values())
        for stream in streams:
            stream.join(timeout)
        return all(s.ended for s in streams)

    def stop(self) -> None:
        """End every watch and stream."""
        for watcher in self._watchers:
            watcher.stop()
        with self._lock:
            streams = list(self._streams.values())
        for stream in streams:
            stream.stop()
        for watcher in self._watchers:
            watcher.join(STOP_WAIT)
        for stream in streams:
            stream.join(STOP_WAIT)

    def _pod(self, cluster: str, pod: Pod) -> None:
        meta = pod.get("metadata") or {}
        namespace, name = meta.get("namespace", ""), meta.get("name", "")
        spec_names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
        statuses = {s.get("name"): s for s in (pod.get("status") or {}).get(
            "containerStatuses") or []}
        with self._lock:
            self._containers.update(spec_names)
        for container in spec_names:
            if self.options.container and container != self.options.container:
                continue
            key = StreamKey(cluster, namespace, name, container)
            self._consider(key, statuses.get(container) or {})

    def _consider(self, key: StreamKey, status: dict[str, Any]) -> None:
        state = status.get("state") or {}
        has_logs = ("running" in state or "terminated" in state
                    or int(status.get("restartCount") or 0) > 0)
        stream: ContainerStream | None = None
        with self._lock:
            if key in self._streams or (not has_logs and key in self._waiting):
                return
            if not has_logs and self.options.follow:
                self._waiting.add(key)
                reason = (state.get("waiting") or {}).get("reason") or "not started"
                note = LogNote(key, "waiting", f"waiting to start ({reason})")
            else:
                self._waiting.discard(key)
                stream = ContainerStream(lambda: self.fleet.client(key.cluster), key,
                                         self.options, self._sink)
                self._streams[key] = stream
                note = LogNote(key, "joined", "following" if self.options.follow else "reading")
        self._sink(note)
        if stream is not None:
            stream.start()

    def _gone(self, cluster: str, pod: Pod) -> None:
        meta = pod.get("metadata") or {}
        with self._lock:
            leaving = [(k, s) for k, s in self._streams.items()
                       if (k.cluster, k.namespace, k.pod) == (cluster, meta.get("namespace"),
                                                              meta.get("name"))]
            for key, _ in leaving:
                del self._streams[key]
        for key, stream in leaving:
            stream.stop(LogNote(key, "left", "pod deleted"))

    def _was_listed(self, cluster: str, count: int) -> None:
        with self._lock:
            first = cluster not in self._listed
            self._listed[cluster] = count
            complete = len(self._listed) + len(self._failed) >= len(self.clusters)
        if first and complete:
            self._all_listed()

    def _cluster_failed(self, cluster: str, line: str) -> None:
        with self._lock:
            first = cluster not in self._failed and cluster not in self._listed
            if first:
                self._failed[cluster] = line
            complete = len(self._listed) + len(self._failed) >= len(self.clusters)
        self._sink(LogNote(None, "error", f"{cluster}: {line}"))
        if first and complete:
            self._all_listed()

    def _all_listed(self) -> None:
        with self._lock:
            matched = sum(self._listed.values())
            started = len(self._streams) + len(self._waiting)
            containers = sorted(self._containers)
        if self._listed and not matched:
            where = ", ".join(sorted(self._listed))
            self._sink(LogNote(None, "error", f"no pod matches {self.target.describe()} "
                                              f"(clusters: {where})", 404))
        elif matched and not started and self.options.container:
            self._sink(LogNote(None, "error", f"no container {self.options.container!r} in "
                                              f"the matching pods (containers: "
                                              f"{', '.join(containers)})", 404))
        self._done.set()
