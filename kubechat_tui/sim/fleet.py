"""The set of simulated clusters behind one server: stores, tokens, faults, controllers."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.controllers import ClusterControllers
from kubechat_tui.sim.faults import Faults, FaultState
from kubechat_tui.sim.journal import Journal
from kubechat_tui.sim.kubelet import CRASH_TICK
from kubechat_tui.sim.log_streams import LogStreams
from kubechat_tui.sim.rbac import IDENTITIES


class SimFleet:
    """Everything the HTTP layer needs to answer for every cluster."""

    def __init__(self, clusters: list[Cluster]) -> None:
        self.clusters = {c.name: c for c in clusters}
        self.faults = {c.name: Faults() for c in clusters}
        self.journals = {c.name: Journal() for c in clusters}
        self.tokens: dict[str, tuple[str, str]] = {}
        self.token_of: dict[tuple[str, str], str] = {}
        for cluster in clusters:
            for identity in IDENTITIES:
                token = f"sim-{identity}-{secrets.token_hex(16)}"
                self.tokens[token] = (cluster.name, identity)
                self.token_of[(cluster.name, identity)] = token
        self.stopping = asyncio.Event()
        self._open: dict[str, set[asyncio.Queue[Any]]] = {c.name: set() for c in clusters}
        self.log_streams = LogStreams(list(self.clusters))
        self._reachable = {c.name: asyncio.Event() for c in clusters}
        for event in self._reachable.values():
            event.set()
        self._controllers: dict[str, ClusterControllers] = {}
        self._ticker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Attach controllers (on the running loop) and start the crash-loop ticker."""
        loop = asyncio.get_running_loop()
        for name, cluster in self.clusters.items():
            self._controllers[name] = ClusterControllers(cluster, loop)
        self._ticker = loop.create_task(self._tick())

    async def _tick(self) -> None:
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), timeout=CRASH_TICK)
            except TimeoutError:
                for name, controllers in self._controllers.items():
                    if self.clusters[name].populate is None:
                        controllers.tick_crashes()

    def open_watch(self, cluster: str, queue: asyncio.Queue[Any]) -> None:
        """Register an open watch by its event queue (a None put there cuts it)."""
        self._open[cluster].add(queue)

    def close_watch(self, cluster: str, queue: asyncio.Queue[Any]) -> None:
        """Forget a watch that ended."""
        self._open[cluster].discard(queue)

    def cut_watches(self, cluster: str) -> int:
        """Cut every watch open on cluster right now (once); returns how many."""
        open_now = list(self._open[cluster])
        for queue in open_now:
            queue.put_nowait(None)
        return len(open_now)

    def note_faults(self, cluster: str, state: FaultState) -> None:
        """Let requests waiting out a blackhole go once it has ended."""
        if state.blackhole:
            self._reachable[cluster].clear()
        else:
            self._reachable[cluster].set()

    async def reachable(self, cluster: str) -> None:
        """Wait until cluster is not blackholed (or the server stops)."""
        waiters = [asyncio.ensure_future(self._reachable[cluster].wait()),
                   asyncio.ensure_future(self.stopping.wait())]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    def compact(self, cluster: str) -> int:
        """Compact a cluster's history (etcd compaction); returns the oldest readable rv."""
        store = self.clusters[cluster].store
        store.compact()
        return store.compacted

    async def stop(self) -> None:
        """Signal streams to end and stop the controllers."""
        self.stopping.set()
        for events in self._reachable.values():
            events.set()
        if self._ticker is not None:
            await self._ticker
        for controllers in self._controllers.values():
            controllers.close()
