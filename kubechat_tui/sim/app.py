"""One cluster's aiohttp application: faults, authentication, RBAC, then dispatch.

`GET /_sim/fleet?nonce=HEX` is answered before authentication (sim/proof.py): it is how a
`--demo` process proves that this listener belongs to the simulator its record names.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from typing import TYPE_CHECKING

from aiohttp import web

from kubechat_tui.sim import (
    crds,
    discovery,
    metrics,
    openapi,
    rbac,
    reads,
    responses,
    reviews,
    subresources,
    watch,
    writes,
)
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.clock import now
from kubechat_tui.sim.credentials import certificate_identity
from kubechat_tui.sim.journal import RequestRecord
from kubechat_tui.sim.proof import FLEET_PATH, FleetKey, fleet_reply
from kubechat_tui.sim.resources import Custom
from kubechat_tui.sim.responses import FLOW_KEY, USER_KEY
from kubechat_tui.sim.routing import Target, parse_path
from kubechat_tui.sim.status import (
    ApiError,
    forbidden,
    method_not_allowed,
    page_not_found,
    unauthorized,
)

if TYPE_CHECKING:
    from kubechat_tui.sim.fleet import SimFleet

log = logging.getLogger(__name__)
METRICS_GROUP = "metrics.k8s.io"
HOLD_POLL_SECONDS = 0.05  # a held write's answer goes out this soon after the fault clears
ROOT_PATHS = ("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz",
              "/version")


def _verb(method: str, target: Target, watching: bool) -> str:
    if method == "GET":
        if watching:
            return "watch"
        return "get" if target.name else "list"
    verbs = {"POST": "create", "PUT": "update", "PATCH": "patch"}
    if method in verbs:
        return verbs[method]
    if method == "DELETE":
        return "delete" if target.name else "deletecollection"
    raise method_not_allowed()


def _committing(request: web.Request | RequestRecord) -> bool:
    """A write that changes the cluster: not a read, a dry run or an access review."""
    query = request.query_string if isinstance(request, web.Request) else request.query
    return (request.method not in ("GET", "HEAD") and "dryRun=All" not in query
            and not request.path.rstrip("/").endswith("reviews"))


def _flow(cluster: str, who: rbac.Identity) -> tuple[str, str]:
    """Stable uids of the FlowSchema and PriorityLevel a request of who is classified into."""
    name = "exempt" if "system:masters" in who.groups else "global-default"
    return (str(uuid.uuid5(uuid.NAMESPACE_URL, f"{cluster}/flowschema/{name}")),
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"{cluster}/prioritylevel/{name}")))


class SimApp:
    """Builds the application that answers for one cluster on its own port."""

    def __init__(self, fleet: SimFleet, key: FleetKey) -> None:
        self.fleet = fleet
        self.key = key

    def build(self, name: str) -> web.Application:
        """The aiohttp application of cluster `name`."""
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", functools.partial(self.handle, name))
        app.on_response_prepare.append(responses.on_prepare)
        return app

    async def handle(self, name: str, request: web.Request) -> web.StreamResponse:
        """Entry point for every request: answer it, then record it in the cluster's journal
        (a committing write held by `hold_writes_ms` is recorded before its answer waits)."""
        response = await self._answer(request, name)
        record = RequestRecord(
            request.method, request.path, request.query_string, request.get(USER_KEY, ""),
            response.status,
            request.headers.get("Content-Type", "") if request.body_exists else "")
        self.fleet.journals[name].add(record)
        if response.status < 300 and _committing(record):
            await self._hold(name)
        return response

    async def _hold(self, name: str) -> None:
        """Hold a committing write's answer `hold_writes_ms`, or until that fault is cleared."""
        faults = self.fleet.faults[name]
        until = asyncio.get_running_loop().time() + faults.state.hold_writes_ms / 1000
        while faults.state.hold_writes_ms and asyncio.get_running_loop().time() < until:
            await asyncio.sleep(HOLD_POLL_SECONDS)

    async def _answer(self, request: web.Request, name: str) -> web.StreamResponse:
        faults = self.fleet.faults[name]
        if faults.state.blackhole:  # a connection opened earlier: its request waits it out
            await self.fleet.reachable(name)
        state = faults.state
        if state.unreachable or self.fleet.stopping.is_set():
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=503)
        if request.path == FLEET_PATH and request.method == "GET":
            return fleet_reply(self.key, request)  # who we are: no latency, no injected error
        if state.latency_ms:
            await asyncio.sleep(state.latency_ms / 1000)
        try:
            injected = faults.injected_error(_committing(request))
            if injected is not None:
                raise injected
            return await self.serve(request, name)
        except ApiError as err:
            return responses.error(err)
        except ConnectionError:  # the client went away mid-response: nothing left to say
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=499)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a simulator bug must still answer like a server
            log.exception("simulator failure on %s %s", request.method, request.path)
            return responses.error(ApiError(500, "InternalError",
                                            f"Internal error occurred: {type(exc).__name__}",
                                            {"causes": [{"message": type(exc).__name__}]}))

    def _identity(self, request: web.Request, cluster: str) -> rbac.Identity:
        """x509 first, then the bearer token, as kube-apiserver's authenticators."""
        tls = request.transport.get_extra_info("ssl_object") if request.transport else None
        der = tls.getpeercert(binary_form=True) if tls is not None else None
        if der:
            return certificate_identity(der)
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        found = self.fleet.tokens.get(token)
        if found is None or found[0] != cluster:
            raise unauthorized()
        return rbac.IDENTITIES[found[1]]

    async def serve(self, request: web.Request, name: str) -> web.StreamResponse:
        """Authenticate, authorize and dispatch one request."""
        who = self._identity(request, name)
        request[USER_KEY] = who.username
        request[FLOW_KEY] = _flow(name, who)
        cluster = self.fleet.clusters[name]
        hidden = () if cluster.metrics_api else (METRICS_GROUP,)
        cluster.ensure_loaded()
        custom = crds.served(cluster.store)
        target = parse_path(request.path, hidden, custom)
        if target.doc:
            return responses.reply(self._document(request, target, hidden, custom))
        watching = request.query.get("watch", "").lower() in ("1", "true")
        verb = _verb(request.method, target, watching)
        if target.subresource == "exec":
            verb = "create"  # RBAC checks create on pods/exec for WebSocket GETs too
        res = target.resource
        assert res is not None
        if target.subresource:
            sub = res.subresource(target.subresource)
            assert sub is not None
            if verb not in sub.verbs:
                raise method_not_allowed()
        elif verb not in res.verbs:
            raise method_not_allowed()
        decision = rbac.authorize(who, verb, res.group, res.plural, target.subresource,
                                  target.namespace)
        if not decision.allowed:
            raise forbidden(who.username, verb, res.plural, target.subresource, res.group,
                            target.namespace, target.name)
        body = await request.read() if request.method in ("POST", "PUT", "PATCH", "DELETE") else b""
        call = Call(request, cluster, who, target, verb, body, now())
        return await self._dispatch(call)

    async def _dispatch(self, call: Call) -> web.StreamResponse:
        target, verb = call.target, call.verb
        if call.res.plural in rbac.SELF_REVIEWS:
            return responses.reply(reviews.create(call))
        if call.res.group == METRICS_GROUP:
            return responses.reply(metrics.serve(call))
        if target.subresource:
            return await subresources.serve(call, self.fleet)
        if verb == "watch":
            return await watch.serve(call, self.fleet)
        handlers = {"get": reads.get, "list": reads.list_, "create": writes.create,
                    "update": writes.replace, "patch": writes.patch, "delete": writes.delete,
                    "deletecollection": writes.delete_collection}
        return responses.reply(handlers[verb](call))

    @staticmethod
    def _document(request: web.Request, target: Target, hidden: tuple[str, ...],
                  custom: Custom) -> Reply:
        """Root paths, version, discovery, health and OpenAPI documents."""
        doc = target.doc
        if doc == "root":
            return Reply(200, {"paths": sorted(ROOT_PATHS)})
        if doc in ("healthz", "livez", "readyz"):
            return Reply(200, b"ok", "text/plain; charset=utf-8")
        if doc == "openapi":
            spec = openapi.document(target.name) if target.name else openapi.root()
            if spec is None:
                raise page_not_found()
            return Reply(200, spec)
        if doc == "version":
            return Reply(200, discovery.version())
        if doc == "api":
            return Reply(200, discovery.api_versions(request.host))
        if doc == "apis":
            return Reply(200, discovery.api_group_list(hidden, custom))
        if doc == "group":
            return Reply(200, discovery.api_group(target.group, custom))
        return Reply(200, discovery.resource_list(target.group_version, custom))
