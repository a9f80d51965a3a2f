"""pods/exec over the Kubernetes WebSocket protocol (`v5.channel.k8s.io`, else v4).

    stream = open_exec(fleet.client(cluster), ExecTarget(ns, pod, container, argv),
                       stdin=True, tty=True)
    stream.send_stdin("ls\\n"); stream.resize(120, 40)
    for frame in stream.frames(): ...   # Frame(channel, text); channel 3 ends with the exit code
    stream.exit_code, stream.close()

Every frame starts with its channel byte: 0 stdin, 1 stdout, 2 stderr, 3 the error channel
(a `Status`: Success, or the exit code in `details.causes`), 4 resize (`{"Width", "Height"}`),
and in v5 255 to close one direction (stdin end). The URL, the Authorization header and
the TLS material come from the cluster's own client (`kube.client`), so the kubeconfig's
credentials and CA apply as for every other request. A refused upgrade or an unreachable
server is an ExecError with one line.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import websocket

from kubechat_tui.kube import failures
from kubechat_tui.kube.client import ClusterClient
from kubechat_tui.kube.errors import CredentialError

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
CONNECT_TIMEOUT = 10.0


class ExecError(Exception):
    """The exec stream could not be opened or broke; the message is one line."""


@dataclass(frozen=True)
class ExecTarget:
    """Which container runs which command."""

    namespace: str
    pod: str
    container: str
    command: tuple[str, ...]

    def path(self) -> str:
        """The API path of the exec subresource."""
        return f"/api/v1/namespaces/{self.namespace}/pods/{self.pod}/exec"


@dataclass(frozen=True)
class Frame:
    """One frame from the server: its channel and its text."""

    channel: int
    text: str


class ExecStream:
    """An open exec WebSocket."""

    def __init__(self, ws: websocket.WebSocket, cluster: str) -> None:
        self.ws = ws
        self.cluster = cluster
        self.protocol = ws.getsubprotocol() or PROTOCOLS[1]
        self.exit_code: int | None = None
        self.failure = ""  # the error channel's message when the command did not exit 0

    def send_stdin(self, text: str) -> None:
        """Write to the command's stdin."""
        self._send(STDIN, text.encode())

    def resize(self, width: int, height: int) -> None:
        """Tell the terminal's size (used with a TTY)."""
        self._send(RESIZE, orjson.dumps({"Width": width, "Height": height}))

    def close_stdin(self) -> None:
        """End stdin (v5 only; v4 has no way to say it)."""
        if self.protocol == PROTOCOLS[0]:
            self._send(CLOSE, bytes([STDIN]))

    def frames(self) -> Iterator[Frame]:
        """Frames as they arrive, until the server closes; the error channel sets
        `exit_code` (and `failure`)."""
        while True:
            try:
                opcode, data = self.ws.recv_data()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError) as exc:
                if self.exit_code is not None or not self.ws.connected:
                    return
                raise ExecError(f"{self.cluster}: exec stream cut: "
                                f"{failures.one_line(str(exc))}") from None
            if opcode == websocket.ABNF.OPCODE_CLOSE or not data:
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    return
                continue
            raw = data if isinstance(data, bytes) else data.encode()
            channel, text = raw[0], raw[1:].decode("utf-8", "replace")
            if channel == ERROR:
                self._status(text)
            yield Frame(channel, text)

    def close(self) -> None:
        """Close the socket (idempotent)."""
        with contextlib.suppress(websocket.WebSocketException, OSError):
            self.ws.close(timeout=1)

    def _send(self, channel: int, payload: bytes) -> None:
        try:
            self.ws.send(bytes([channel]) + payload, websocket.ABNF.OPCODE_BINARY)
        except (websocket.WebSocketException, OSError) as exc:
            raise ExecError(f"{self.cluster}: exec stream cut: "
                            f"{failures.one_line(str(exc))}") from None

    def _status(self, text: str) -> None:
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError:
            self.exit_code, self.failure = 1, failures.one_line(text)
            return
        self.exit_code, self.failure = exit_status(doc if isinstance(doc, dict) else {})


def exit_status(doc: dict[str, Any]) -> tuple[int, str]:
    """(exit code, message) from the error channel's Status."""
    if doc.get("status") == "Success":
        return 0, ""
    causes = (doc.get("details") or {}).get("causes") or []
    code = str(next((c.get("message") for c in causes if c.get("reason") == "ExitCode"), ""))
    message = failures.one_line(str(doc.get("message") or "the command failed"))
    return (int(code) if code.isdigit() else 1), message


def open_exec(client: ClusterClient, target: ExecTarget, *, stdin: bool, tty: bool,
              timeout: float = CONNECT_TIMEOUT) -> ExecStream:
    """Open the exec WebSocket; ExecError (one line) when the server refuses or is away."""
    params = [("command", arg) for arg in target.command]
    params += [("container", target.container), ("stdin", _flag(stdin)),
               ("stdout", "true"), ("stderr", _flag(not tty)), ("tty", _flag(tty))]
    try:
        _, url, headers, _, _ = client.api.param_serialize(
            method="GET", resource_path=target.path(), query_params=params,
            header_params={}, auth_settings=["BearerToken"])
    except CredentialError as exc:
        raise ExecError(f"{client.name}: {exc}") from None
    header = [f"authorization: {headers['authorization']}"] if "authorization" in headers \
        else []
    ws = websocket.WebSocket(sslopt=_ssl_options(client), skip_utf8_validation=True)
    ws.settimeout(timeout)
    try:
        ws.connect(_ws_url(url), header=header, subprotocols=list(PROTOCOLS))
    except websocket.WebSocketBadStatusException as exc:
        raise ExecError(_refused(client.name, exc)) from None
    except (websocket.WebSocketException, OSError) as exc:
        _, line = failures.transport(exc)
        raise ExecError(f"{client.name}: exec not opened: {line}") from None
    ws.settimeout(None)
    return ExecStream(ws, client.name)


def _refused(cluster: str, exc: websocket.WebSocketBadStatusException) -> str:
    """The server's answer to the upgrade, in one line."""
    body = exc.resp_body if isinstance(exc.resp_body, bytes) else b""
    try:
        doc = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        doc = {}
    status = int(exc.status_code)
    message = doc.get("message") if isinstance(doc, dict) else None
    if message and message != "Upgrade request required":
        return f"{cluster}: exec refused (HTTP {status}): {failures.one_line(str(message))}"
    return (f"{cluster}: the API server refused the WebSocket upgrade for exec (HTTP "
            f"{status}); a proxy or load balancer in front of it may not pass WebSockets")


def _ws_url(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url[len("https://"):]
    if url.startswith("http://"):
        return "ws://" + url[len("http://"):]
    return url


def _ssl_options(client: ClusterClient) -> dict[str, Any]:
    config = client.api.configuration
    options: dict[str, Any] = {"cert_reqs": ssl.CERT_NONE}
    if config.verify_ssl:
        options = {"cert_reqs": ssl.CERT_REQUIRED}
        if config.ssl_ca_cert:
            options["ca_certs"] = config.ssl_ca_cert
        if config.assert_hostname is not None:
            options["check_hostname"] = bool(config.assert_hostname)
    if config.cert_file:
        options["certfile"] = config.cert_file
    if config.key_file:
        options["keyfile"] = config.key_file
    if getattr(config, "tls_server_name", None):
        options["server_hostname"] = config.tls_server_name
    return options


def _flag(value: bool) -> str:
    return "true" if value else "false"
