"""SimServer: the simulated fleet served over HTTP on 127.0.0.1 from a background thread."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path
from types import TracebackType

from aiohttp import web

from kubechat_tui.sim import kubeconfig, tls
from kubechat_tui.sim.app import SimApp
from kubechat_tui.sim.clock import now
from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.faults import Faults
from kubechat_tui.sim.fleet import SimFleet
from kubechat_tui.sim.journal import RequestRecord
from kubechat_tui.sim.rbac import IDENTITIES

SCENARIOS = ("incident", "scale")


def build_clusters(scenario: str) -> list[Cluster]:
    """The clusters of a named scenario."""
    if scenario == "incident":
        from kubechat_tui.sim.scenario import build_incident

        return build_incident(now())
    if scenario == "scale":
        from kubechat_tui.sim.scale import build_scale

        return build_scale(now())
    raise ValueError(f"unknown scenario {scenario!r} (choose from {', '.join(SCENARIOS)})")


class SimServer:
    """A simulated multi-cluster Kubernetes API on 127.0.0.1."""

    def __init__(self, scenario: str = "incident", port: int = 0) -> None:
        self.scenario = scenario
        self._requested_port = port
        self._port = 0
        self._fleet: SimFleet | None = None
        self._clusters = build_clusters(scenario)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._certs = tls.generate()

    @property
    def clusters(self) -> list[str]:
        """Cluster names in scenario order."""
        return [c.name for c in self._clusters]

    @property
    def base_url(self) -> str:
        """`https://127.0.0.1:PORT` (TLS: kubectl sends bearer tokens only over https)."""
        return f"https://127.0.0.1:{self._port}"

    @property
    def ca_file(self) -> Path:
        """PEM file of the CA that signed the server certificate."""
        return self._certs.ca_file

    @property
    def ca_pem(self) -> bytes:
        """The CA certificate (PEM), as embedded in the kubeconfig."""
        return self._certs.ca_pem

    @property
    def port(self) -> int:
        """The bound port (after start)."""
        return self._port

    def cluster_url(self, name: str) -> str:
        """The kubeconfig `server:` URL of one cluster."""
        self._check_cluster(name)
        return f"{self.base_url}/clusters/{name}"

    def token(self, cluster: str, identity: str) -> str:
        """The bearer token of identity (admin, viewer, operator, lead) on cluster."""
        self._check_cluster(cluster)
        if identity not in IDENTITIES:
            raise ValueError(f"unknown identity {identity!r} (choose from "
                             f"{', '.join(IDENTITIES)})")
        return self._started_fleet().token_of[(cluster, identity)]

    def faults(self, cluster: str) -> Faults:
        """The fault switchboard of one cluster."""
        self._check_cluster(cluster)
        return self._started_fleet().faults[cluster]

    def requests(self, cluster: str) -> list[RequestRecord]:
        """The requests cluster has answered (newest last, bounded), for call-pattern tests."""
        self._check_cluster(cluster)
        return self._started_fleet().journals[cluster].records()

    def clear_requests(self) -> None:
        """Empty every cluster's request journal."""
        for journal in self._started_fleet().journals.values():
            journal.clear()

    def is_production(self, cluster: str) -> bool:
        """Whether the scenario marks the cluster as production."""
        self._check_cluster(cluster)
        return next(c.production for c in self._clusters if c.name == cluster)

    def write_kubeconfig(self, path: str | Path, current: str = "prod-eu") -> Path:
        """Write a kubeconfig with a context per cluster and identity; returns its path."""
        names = self.clusters
        if current not in names and current.split("@")[-1] not in names:
            current = names[0]
        document = kubeconfig.render(names, self.cluster_url, self.token, current,
                                     self._certs.ca_pem)
        return kubeconfig.write(path, document)

    def start(self) -> SimServer:
        """Start serving; returns once the port is listening."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="kubechat-sim", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread = None
            reason = getattr(self._error, "strerror", None) or self._error
            raise RuntimeError(f"simulator failed to start: cannot listen on "
                               f"127.0.0.1:{self._requested_port}: {reason}") from self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except OSError as exc:  # reported by start(); the port is taken or not allowed
            self._error = exc
            loop.run_until_complete(self._shutdown())
            loop.close()
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._shutdown())
        loop.close()

    async def _serve(self) -> None:
        self._fleet = SimFleet(self._clusters)
        self._fleet.start()
        app = SimApp(self._fleet).build()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._requested_port,
                           ssl_context=self._certs.server_context())
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        self._port = sockets[0].getsockname()[1] if sockets else self._requested_port

    async def _shutdown(self) -> None:
        if self._fleet is not None:
            await self._fleet.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None
        shutil.rmtree(self._certs.directory, ignore_errors=True)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _started_fleet(self) -> SimFleet:
        if self._fleet is None:
            raise RuntimeError("SimServer is not started: call start() first")
        return self._fleet

    def _check_cluster(self, name: str) -> None:
        if name not in self.clusters:
            raise ValueError(f"unknown cluster {name!r} (clusters: {', '.join(self.clusters)})")
