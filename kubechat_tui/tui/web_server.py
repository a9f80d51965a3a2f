"""textual-serve's server with kubechat's gate: the token middleware, `/healthz`, no
banner on stdout, and page URLs built from the address the browser used."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from textual_serve.server import Server

from kubechat_tui.tui.web_gate import HEALTH_PATH, health, token_gate


class ConsoleServer(Server):
    """A textual-serve Server whose app admits only requests with the token."""

    def __init__(self, command: str, token: str) -> None:
        super().__init__(command, title="kubechat")
        self._token = token

    async def make_app(self) -> web.Application:
        """The aiohttp application, gated."""
        app = await self._make_app()
        app.middlewares.append(token_gate(self._token))
        app.router.add_get(HEALTH_PATH, health)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: `kubechat serve` prints its own line."""

    async def handle_index(self, request: web.Request) -> Any:
        """The page, with WebSocket and static URLs on the host the browser asked for
        (behind a Service or port-forward the listening address means nothing to it)."""
        scheme = request.headers.get("X-Forwarded-Proto", request.scheme)
        self.public_url = f"{scheme}://{request.host}"  # read synchronously just below
        return await super().handle_index(request)


def console_server(command: str, token: str) -> ConsoleServer:
    """The server for `command` (a shell line) behind `token`."""
    return ConsoleServer(command, token)
