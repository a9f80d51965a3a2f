"""The aiohttp application: cluster prefix, faults, authentication, RBAC, then dispatch."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import orjson
from aiohttp import web

from kubechat_tui.sim import (
    discovery,
    metrics,
    openapi,
    rbac,
    reads,
    reviews,
    subresources,
    watch,
    writes,
)
from kubechat_tui.sim.call import Call, Reply
from kubechat_tui.sim.clock import now
from kubechat_tui.sim.journal import RequestRecord
from kubechat_tui.sim.routing import Target, parse_path
from kubechat_tui.sim.status import (
    ApiError,
    forbidden,
    method_not_allowed,
    unauthorized,
    unknown_resource,
)

if TYPE_CHECKING:
    from kubechat_tui.sim.fleet import SimFleet

log = logging.getLogger(__name__)
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
USER_KEY = web.RequestKey("sim_user", str)
METRICS_GROUP = "metrics.k8s.io"


def error_response(err: ApiError) -> web.Response:
    """A Status body with the server's headers."""
    headers = {**(NOSNIFF if err.code in (401, 403) else {}), **err.headers}
    return web.Response(status=err.code, body=orjson.dumps(err.body()),
                        content_type="application/json", headers=headers)


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


class SimApp:
    """Routes /clusters/<name>/<api path> to the cluster's handlers."""

    def __init__(self, fleet: SimFleet) -> None:
        self.fleet = fleet

    def build(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/clusters/{cluster}/{tail:.*}", self.handle)
        app.router.add_route("*", "/clusters/{cluster}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Entry point for every request: answer it, then record it in the cluster's journal."""
        name = request.match_info["cluster"]
        if name not in self.fleet.clusters:
            return error_response(ApiError(404, "NotFound", f'cluster "{name}" not found', {}))
        response = await self._answer(request, name)
        self.fleet.journals[name].add(RequestRecord(
            request.method, "/" + request.match_info.get("tail", ""), request.query_string,
            request.get(USER_KEY, ""), response.status,
            request.headers.get("Content-Type", "") if request.body_exists else ""))
        return response

    async def _answer(self, request: web.Request, name: str) -> web.StreamResponse:
        faults = self.fleet.faults[name]
        state = faults.state
        if state.unreachable or state.blackhole:
            if state.blackhole:
                await self.fleet.stopping.wait()
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=503)
        if state.latency_ms:
            await asyncio.sleep(state.latency_ms / 1000)
        try:
            injected = faults.injected_error()
            if injected is not None:
                raise injected
            return await self.serve(request, name)
        except ApiError as err:
            return error_response(err)
        except (asyncio.CancelledError, ConnectionResetError):
            raise
        except Exception as exc:  # a simulator bug must still answer like a server
            log.exception("simulator failure on %s %s", request.method, request.path)
            return error_response(ApiError(500, "InternalError",
                                           f"Internal error occurred: {exc}",
                                           {"causes": [{"message": str(exc)}]}))

    def _identity(self, request: web.Request, cluster: str) -> rbac.Identity:
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
        target = parse_path(request.match_info.get("tail", ""))
        cluster = self.fleet.clusters[name]
        if target.group == METRICS_GROUP and not cluster.metrics_api:
            raise unknown_resource()
        cluster.ensure_loaded()
        if target.doc:
            return self._reply(self._document(request, target))
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
            return self._reply(reviews.create(call))
        if call.res.group == METRICS_GROUP:
            return self._reply(metrics.serve(call))
        if target.subresource:
            return await subresources.serve(call, self.fleet)
        if verb == "watch":
            return await watch.serve(call, self.fleet)
        handlers = {"get": reads.get, "list": reads.list_, "create": writes.create,
                    "update": writes.replace, "patch": writes.patch, "delete": writes.delete,
                    "deletecollection": writes.delete_collection}
        reply = handlers[verb](call)
        return self._reply(reply)

    def _document(self, request: web.Request, target: Target) -> Reply:
        """Version, discovery, health and OpenAPI documents."""
        doc = target.doc
        if doc in ("healthz", "livez", "readyz"):
            return Reply(200, b"ok", "text/plain")
        if doc == "openapi":
            spec = openapi.document(target.name) if target.name else openapi.root()
            if spec is None:
                raise unknown_resource()
            return Reply(200, spec)
        if doc == "version":
            return Reply(200, discovery.VERSION)
        if doc == "api":
            return Reply(200, discovery.api_versions(request.host))
        if doc == "apis":
            cluster = self.fleet.clusters[request.match_info["cluster"]]
            hidden = () if cluster.metrics_api else (METRICS_GROUP,)
            return Reply(200, discovery.api_group_list(hidden))
        if doc == "group":
            return Reply(200, discovery.api_group(target.group))
        return Reply(200, discovery.resource_list(target.group_version))

    @staticmethod
    def _reply(reply: Reply) -> web.Response:
        return web.Response(status=reply.status, body=reply.payload(),
                            content_type=reply.content_type)
