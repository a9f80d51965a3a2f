"""The set of simulated clusters behind one server: stores, tokens, faults, controllers."""

from __future__ import annotations

import asyncio
import secrets

from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.controllers import ClusterControllers
from kubechat_tui.sim.faults import Faults
from kubechat_tui.sim.journal import Journal
from kubechat_tui.sim.kubelet import CRASH_PERIOD
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
                await asyncio.wait_for(self.stopping.wait(), timeout=CRASH_PERIOD)
            except TimeoutError:
                for name, controllers in self._controllers.items():
                    if self.clusters[name].populate is None:
                        controllers.tick_crashes()

    async def stop(self) -> None:
        """Signal streams to end and stop the controllers."""
        self.stopping.set()
        if self._ticker is not None:
            await self._ticker
        for controllers in self._controllers.values():
            controllers.close()
