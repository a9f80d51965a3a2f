"""The loopback control endpoint of `kubechat sim serve`: faults and compaction over HTTP.

    GET    /_sim/clusters               {"prod-eu": "https://127.0.0.1:41235", ...}
    GET    /_sim/fleet?nonce=HEX        who this simulator is, with a proof (sim/proof.py)
    GET    /_sim/kubeconfig             the kubeconfig it wrote (bearer: the kubeconfig token)
    GET    /_sim/faults                 every cluster's fault settings
    GET    /_sim/faults/<cluster>       one cluster's settings
    POST   /_sim/faults/<cluster>       {"latency_ms": 200}  change some settings
    DELETE /_sim/faults/<cluster>       back to healthy
    POST   /_sim/compact/<cluster>      forget the change history (old resourceVersions: 410)
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web

from kubechat_tui.sim.fleet import SimFleet
from kubechat_tui.sim.proof import (
    FLEET_PATH,
    KUBECONFIG_PATH,
    FleetKey,
    fleet_reply,
    kubeconfig_token,
)


def _json(status: int, body: Any) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body, option=orjson.OPT_INDENT_2),
                        content_type="application/json")


class Control:
    """Handlers over the fleet; cluster_url names each cluster's API endpoint, kubeconfig
    is the document the server last wrote (None: none yet)."""

    def __init__(self, fleet: SimFleet, cluster_url: Callable[[str], str], key: FleetKey,
                 kubeconfig: Callable[[], dict[str, object] | None]) -> None:
        self.fleet = fleet
        self.cluster_url = cluster_url
        self.key = key
        self.kubeconfig_document = kubeconfig

    def build(self) -> web.Application:
        """The control application."""
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_get("/_sim/clusters", self.clusters)
        app.router.add_get(FLEET_PATH, self.fleet_identity)
        app.router.add_get(KUBECONFIG_PATH, self.kubeconfig)
        app.router.add_get("/_sim/faults", self.all_faults)
        app.router.add_route("*", "/_sim/faults/{cluster}", self.faults)
        app.router.add_post("/_sim/compact/{cluster}", self.compact)
        return app

    async def clusters(self, request: web.Request) -> web.Response:
        """Where each cluster's API is served."""
        return _json(200, {name: self.cluster_url(name) for name in self.fleet.clusters})

    async def fleet_identity(self, request: web.Request) -> web.Response:
        """Fleet id, pid, start time and the proof over the caller's nonce."""
        return fleet_reply(self.key, request)

    async def kubeconfig(self, request: web.Request) -> web.Response:
        """The kubeconfig document, for the holder of the kubeconfig token only."""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), kubeconfig_token(self.key).encode()):
            return _json(401, {"error": "the kubeconfig needs the fleet's kubeconfig token"})
        document = self.kubeconfig_document()
        if document is None:
            return _json(404, {"error": "this simulator has written no kubeconfig"})
        return _json(200, document)

    async def all_faults(self, request: web.Request) -> web.Response:
        """Fault settings of every cluster."""
        return _json(200, {name: f.state.as_dict() for name, f in self.fleet.faults.items()})

    async def faults(self, request: web.Request) -> web.Response:
        """GET, POST (change some settings) or DELETE (clear) one cluster's faults."""
        name = request.match_info["cluster"]
        faults = self.fleet.faults.get(name)
        if faults is None:
            return _json(404, {"error": f"unknown cluster {name!r} (clusters: "
                                        f"{', '.join(self.fleet.clusters)})"})
        loop = asyncio.get_running_loop()
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                settings = orjson.loads(await request.read() or b"{}")
            except orjson.JSONDecodeError as exc:
                return _json(400, {"error": f"body is not JSON: {exc}"})
            if not isinstance(settings, dict):
                return _json(400, {"error": "body must be a JSON object of fault settings"})
            try:  # in a worker thread: the change waits for the loop to move the port
                await loop.run_in_executor(None, lambda: faults.set(**settings))
            except (TypeError, ValueError) as exc:
                return _json(400, {"error": str(exc)})
        elif request.method == "DELETE":
            await loop.run_in_executor(None, faults.clear)
        elif request.method != "GET":
            return _json(405, {"error": "use GET, POST or DELETE"})
        return _json(200, faults.state.as_dict())

    async def compact(self, request: web.Request) -> web.Response:
        """Compact one cluster's history."""
        name = request.match_info["cluster"]
        if name not in self.fleet.clusters:
            return _json(404, {"error": f"unknown cluster {name!r}"})
        return _json(200, {"compacted": self.fleet.compact(name)})
