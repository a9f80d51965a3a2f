"""One loopback port per cluster that can be up, down (refused) or blackholed (timing out)."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable
from contextlib import suppress

from aiohttp import web

UP, DOWN, BLACKHOLE = "up", "down", "blackhole"
HOST = "127.0.0.1"
REBIND_TRIES = 50


class Listener:
    """A cluster's API port, as its apiserver process and network path would behave.

    down: the port is closed and open connections are cut, so clients get ECONNREFUSED
    (`connect: connection refused`). blackhole: the port's accept queue is kept full, so
    new connections hang in SYN_SENT until the client's connect timeout; requests on
    connections opened earlier wait until the blackhole ends.
    """

    def __init__(self, runner: web.AppRunner, port: int, context: ssl.SSLContext) -> None:
        self.runner = runner
        self.port = port
        self.mode = DOWN
        self._context = context
        self._site: web.TCPSite | None = None
        self._hole: list[socket.socket] = []
        self._lock = asyncio.Lock()

    async def set_mode(self, mode: str, tries: int = REBIND_TRIES) -> None:
        """Switch between UP, DOWN and BLACKHOLE (idempotent); binding the port again is
        retried for a moment while the old socket lets go of it."""
        async with self._lock:
            if mode == self.mode:
                return
            if self._site is not None:
                await self._site.stop()
                self._site = None
            self._close_hole()
            if mode == DOWN:
                self._cut_connections()
            elif mode == BLACKHOLE:
                await self._retry_bind(self._open_hole, tries)
            else:
                await self._retry_bind(self._start_site, tries)
            self.mode = mode

    async def _start_site(self) -> None:
        site = web.TCPSite(self.runner, HOST, self.port, ssl_context=self._context,
                           reuse_address=True)
        await site.start()
        self._site = site
        self.port = site.port

    async def _open_hole(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, self.port))
            sock.listen(0)
            filler = socket.create_connection((HOST, self.port), timeout=1)
        except OSError:
            sock.close()
            raise
        self._hole = [sock, filler]  # one queued connection fills a backlog of 0

    async def _retry_bind(self, bind: Callable[[], Awaitable[None]], tries: int) -> None:
        for attempt in range(tries):
            try:
                await bind()
                return
            except OSError:
                if attempt == tries - 1 or self.port == 0:
                    raise
                await asyncio.sleep(0.02)

    def _close_hole(self) -> None:
        for sock in self._hole:
            with suppress(OSError):
                sock.close()
        self._hole = []

    def _cut_connections(self) -> None:
        server = self.runner.server
        for handler in server.connections if server is not None else []:
            if handler.transport is not None:
                handler.transport.abort()

    async def close(self) -> None:
        """Stop listening for good."""
        await self.set_mode(DOWN)
