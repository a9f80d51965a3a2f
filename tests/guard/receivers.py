"""Loopback webhook receivers: plain or TLS, answering a chosen status, slow on purpose."""

from __future__ import annotations

import contextlib
import http.server
import socket
import ssl
import threading
from typing import Any

import orjson

from kubechat_tui.sim.tls import ServerCerts


class Receiver:
    """Collects the JSON bodies POSTed to it; answers `status` after `answer_delay` seconds
    (a delay ends early when the receiver stops). With `certs` it speaks HTTPS and waits
    `handshake_delay` seconds before the TLS handshake."""

    def __init__(self, *, status: int = 200, certs: ServerCerts | None = None,
                 handshake_delay: float = 0.0, answer_delay: float = 0.0) -> None:
        self.status = status
        self.received: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.server = self._server(certs, handshake_delay, answer_delay)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if isinstance(self.server, _TlsServer) else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hook/T000/SECRET"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _server(self, certs: ServerCerts | None, handshake_delay: float,
                answer_delay: float) -> http.server.ThreadingHTTPServer:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                receiver.received.append(orjson.loads(self.rfile.read(length)))
                receiver.release.wait(answer_delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        if certs is None:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        else:
            server = _TlsServer(("127.0.0.1", 0), Handler)
            server.context, server.handshake_delay = certs.server_context(), handshake_delay
            server.release = self.release
        server.daemon_threads = True
        server.block_on_close = False
        return server


class _TlsServer(http.server.ThreadingHTTPServer):
    """HTTPS whose handshake starts only after `handshake_delay` (a slow TLS receiver)."""

    context: ssl.SSLContext
    handshake_delay: float
    release: threading.Event

    def finish_request(self, request: Any, client_address: Any) -> None:
        self.release.wait(self.handshake_delay)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            with contextlib.suppress(OSError):
                tls.shutdown(socket.SHUT_RDWR)
