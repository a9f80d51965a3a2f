"""SimServer: the simulated fleet served over HTTPS on 127.0.0.1 from a background thread."""

from __future__ import annotations

import asyncio
import functools
import shutil
import threading
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from kubechat_tui.sim import credentials, kubeconfig, tls, versions
from kubechat_tui.sim.app import SimApp
from kubechat_tui.sim.clock import now
from kubechat_tui.sim.cluster import Cluster
from kubechat_tui.sim.control import Control
from kubechat_tui.sim.faults import Faults, FaultState
from kubechat_tui.sim.fleet import SimFleet
from kubechat_tui.sim.journal import RequestRecord
from kubechat_tui.sim.listeners import BLACKHOLE, DOWN, HOST, UP, Listener
from kubechat_tui.sim.proof import FleetKey, new_fleet_key
from kubechat_tui.sim.rbac import IDENTITIES

SCENARIOS = ("incident", "scale", "insights")
MAX_PORT = 65535


def build_clusters(scenario: str, ca_pem: bytes = b"") -> list[Cluster]:
    """The clusters of a named scenario (ca_pem goes into each kube-root-ca.crt)."""
    if scenario == "incident":
        from kubechat_tui.sim.scenario import build_incident

        return build_incident(now(), ca_pem)
    if scenario == "insights":
        from kubechat_tui.sim.scenario import build_named

        return build_named("insights", now(), ca_pem)
    if scenario == "scale":
        from kubechat_tui.sim.scale import build_scale

        return build_scale(now(), ca_pem)
    raise ValueError(f"unknown scenario {scenario!r} (choose from {', '.join(SCENARIOS)})")


class SimServer:
    """A simulated multi-cluster Kubernetes API on 127.0.0.1, one HTTPS port per cluster.

    `port` is the control endpoint's port (plain HTTP, 0: a free one); with a fixed port the
    clusters take the ports after it, in scenario order, else free ports.
    """

    def __init__(self, scenario: str = "incident", port: int = 0) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r} (choose from "
                             f"{', '.join(SCENARIOS)})")
        versions.served_minor()  # an unsupported KUBECHAT_SIM_KUBERNETES fails here, at once
        self.scenario = scenario
        self._requested_port = port
        self._port = 0
        self._certs = tls.generate()
        self.key: FleetKey = new_fleet_key()  # what proves this simulator (sim/proof.py)
        self._kubeconfig: dict[str, object] | None = None  # the last one written
        self._clusters = build_clusters(scenario, self._certs.ca_pem)
        self._fleet: SimFleet | None = None
        self._listeners: dict[str, Listener] = {}
        self._runners: list[web.AppRunner] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._binding = port  # the port being bound, for the error message
        if port and port + len(self._clusters) > MAX_PORT:
            raise ValueError(f"port {port} leaves no room for {len(self._clusters)} cluster "
                             f"ports below {MAX_PORT + 1}")

    @property
    def clusters(self) -> list[str]:
        """Cluster names in scenario order."""
        return [c.name for c in self._clusters]

    @property
    def control_url(self) -> str:
        """`http://127.0.0.1:PORT`: the fault control endpoint (see sim/control.py)."""
        return f"http://{HOST}:{self._port}"

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
        """The control endpoint's bound port (after start)."""
        return self._port

    def cluster_port(self, name: str) -> int:
        """The loopback port cluster `name` is served on."""
        self._check_cluster(name)
        if name not in self._listeners:
            raise RuntimeError("SimServer is not started: call start() first")
        return self._listeners[name].port

    def cluster_url(self, name: str) -> str:
        """The kubeconfig `server:` URL of one cluster (`https://127.0.0.1:PORT`)."""
        return f"https://{HOST}:{self.cluster_port(name)}"

    def token(self, cluster: str, identity: str) -> str:
        """The bearer token of identity (admin, viewer, operator, lead) on cluster."""
        self._check_cluster(cluster)
        if identity not in IDENTITIES:
            raise ValueError(f"unknown identity {identity!r} (choose from "
                             f"{', '.join(IDENTITIES)})")
        return self._started_fleet().token_of[(cluster, identity)]

    def issue_token(self, cluster: str, identity: str) -> str:
        """A new bearer token of identity on cluster (e.g. the next one a token file
        rotates to); `revoke_token` makes it (or any token) answer 401."""
        self._check_cluster(cluster)
        return credentials.issue_token(self._started_fleet(), cluster, identity)

    def revoke_token(self, token: str) -> None:
        """From now on requests with `token` get 401 Unauthorized."""
        credentials.revoke_token(self._started_fleet(), token)

    def client_certificate(self, user: str, groups: tuple[str, ...] = ()) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) the fleet authenticates as `user` in `groups`."""
        return credentials.issue_client_certificate(self._certs, user, groups)

    def faults(self, cluster: str) -> Faults:
        """The fault switchboard of one cluster (changes take effect before set() returns)."""
        self._check_cluster(cluster)
        return self._started_fleet().faults[cluster]

    def write_log(self, cluster: str, namespace: str, pod: str, container: str,
                  lines: list[str]) -> None:
        """Append lines to a running container's log (stamped now); follow streams send
        them at once. KeyError when the pod does not exist."""
        self._check_cluster(cluster)
        fleet = self._started_fleet()
        obj = fleet.clusters[cluster].store.get("pods", namespace, pod)
        if obj is None:
            raise KeyError(f"pod {namespace}/{pod} not found in {cluster}")
        uid = obj["metadata"]["uid"]

        async def write() -> None:
            fleet.log_streams.write(cluster, uid, container, lines)

        self._on_loop(write())

    def compact(self, cluster: str) -> int:
        """Forget cluster's change history, as an etcd compaction does: watches and continue
        tokens from before now get 410. Returns the oldest resourceVersion still served."""
        self._check_cluster(cluster)
        fleet = self._started_fleet()
        return self._on_loop(self._compact(fleet, cluster))

    @staticmethod
    async def _compact(fleet: SimFleet, cluster: str) -> int:
        return fleet.compact(cluster)

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
        """Write a kubeconfig with a context per cluster and identity; returns its path.
        The control endpoint serves the last one written (`GET /_sim/kubeconfig`)."""
        names = self.clusters
        if current not in names and current.split("@")[-1] not in names:
            current = names[0]
        target = Path(path)
        beside = target.parent / f"{target.name}.d"  # token files and the plugin script
        beside.mkdir(parents=True, exist_ok=True, mode=0o700)
        plugin = beside / "sim-credential-plugin.py"
        plugin.write_text(kubeconfig.PLUGIN)

        def token_file(cluster: str) -> str:
            file = beside / f"operator@{cluster}.token"
            file.write_text(self.token(cluster, "operator") + "\n")
            file.chmod(0o600)
            return str(file)

        shapes = kubeconfig.Credentials(token_file, str(plugin),
                                        lambda _cluster: self.client_certificate("dev"))
        document = kubeconfig.render(names, self.cluster_url, self.token, current,
                                     self._certs.ca_pem, shapes)
        written = kubeconfig.write(target, document)
        self._kubeconfig = document
        return written

    def start(self) -> SimServer:
        """Start serving; returns once every port is listening."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="kubechat-sim", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread = None
            reason = getattr(self._error, "strerror", None) or self._error
            raise RuntimeError(f"simulator failed to start: cannot listen on "
                               f"{HOST}:{self._binding}: {reason}") from self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except OSError as exc:  # reported by start(); a port is taken or not allowed
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
        fleet = self._fleet = SimFleet(self._clusters)
        fleet.start()
        control = web.AppRunner(
            Control(fleet, self.cluster_url, self.key, lambda: self._kubeconfig).build(),
            access_log=None, shutdown_timeout=1.0)
        self._runners.append(control)
        await control.setup()
        site = web.TCPSite(control, HOST, self._requested_port)
        await site.start()
        self._port = site.port
        apps = SimApp(fleet, self.key)
        context = self._certs.server_context()
        for index, name in enumerate(self.clusters):
            runner = web.AppRunner(apps.build(name), access_log=None, shutdown_timeout=1.0)
            self._runners.append(runner)
            await runner.setup()
            port = self._requested_port + 1 + index if self._requested_port else 0
            listener = Listener(runner, port, context)
            self._binding = port
            await listener.set_mode(UP, tries=1)
            self._listeners[name] = listener
            fleet.faults[name].bind(functools.partial(self._apply, name))

    def _apply(self, cluster: str, state: FaultState, drop: bool, drop_logs: bool) -> None:
        """Make the cluster's port and watches follow its fault settings (any thread; a
        stopped server has no port to change)."""
        if self._loop is not None and self._loop.is_running():
            self._on_loop(self._reconcile(cluster, drop, drop_logs))

    async def _reconcile(self, cluster: str, drop: bool, drop_logs: bool) -> None:
        fleet = self._started_fleet()
        state = fleet.faults[cluster].state  # the latest, should changes race
        fleet.note_faults(cluster, state)
        mode = DOWN if state.unreachable else BLACKHOLE if state.blackhole else UP
        await self._listeners[cluster].set_mode(mode)
        if drop:
            fleet.cut_watches(cluster)
        if drop_logs:
            fleet.log_streams.cut(cluster)

    def _on_loop(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run coro on the server loop and wait for it (scheduled only, when called on it)."""
        loop = self._loop
        if loop is None or not loop.is_running():
            coro.close()
            raise RuntimeError("SimServer is not running")
        if threading.current_thread() is self._thread:
            return loop.create_task(coro)
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    async def _shutdown(self) -> None:
        if self._fleet is not None:
            await self._fleet.stop()
        for listener in self._listeners.values():
            await listener.close()
        for runner in self._runners:
            await runner.cleanup()

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
