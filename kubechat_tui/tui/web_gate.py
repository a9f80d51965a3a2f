"""The browser console's gate: a token (query once, then an HttpOnly cookie, or a bearer
header) on every path but `/healthz`, and same-origin WebSocket upgrades only."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

COOKIE = "kubechat_serve_token"
HEALTH_PATH = "/healthz"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def token_gate(token: str) -> Middleware:
    """An aiohttp middleware admitting only requests that carry `token`."""

    @web.middleware
    async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == HEALTH_PATH:
            return await handler(request)
        if "token" in request.query:
            return _exchange(request, token)
        given = request.cookies.get(COOKIE) or _bearer(request)
        if given is None:
            return _refuse(401, "a token is required: open the URL printed by kubechat serve")
        if not _same(given, token):
            return _refuse(403, "wrong token")
        if request.headers.get("Upgrade", "").lower() == "websocket" and not _same_origin(request):
            return _refuse(403, "cross-origin WebSocket refused")
        return await handler(request)

    return gate


async def health(_request: web.Request) -> web.Response:
    """Liveness for the Docker HEALTHCHECK and the chart's probes (no token)."""
    return web.Response(text="ok\n")


def _exchange(request: web.Request, token: str) -> web.Response:
    """`?token=` once: set the cookie and redirect to the same URL without the token, so it
    stays out of the history and of Referer headers."""
    if not _same(request.query["token"], token):
        return _refuse(403, "wrong token")
    query = request.rel_url.query.copy()
    del query["token"]
    location = str(request.rel_url.with_query(query))
    response = web.Response(status=303, headers={"Location": location})
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
    return response


def _bearer(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or origin.partition("://")[2] == request.host


def _refuse(status: int, reason: str) -> web.Response:
    return web.Response(status=status, text=f"kubechat serve: {reason}\n")
