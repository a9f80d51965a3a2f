"""Prove that a recorded demo simulator is the one its record names (trust model:
`cli.demo_server`), and fetch its kubeconfig.

    document = prove(record)   # the fleet's kubeconfig document; NotTheSimulator: why not

No credential is sent before the server it goes to has proven itself: the challenges are
unauthenticated GETs, the kubeconfig token goes only to a control endpoint that has just
answered its challenge, and the kubeconfig is used only after every server in it has.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import os
import secrets
import ssl
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import orjson

from kubechat_tui.cli.demo_server import DemoServer, NotTheSimulator
from kubechat_tui.sim.proof import FLEET_PATH, KUBECONFIG_PATH, proof

PROBE_TIMEOUT = 2.0  # seconds for each request to a recorded simulator
MAX_ANSWER_BYTES = 8 * 1024 * 1024  # the kubeconfig of a large scenario fits
CLUSTER_FIELDS = frozenset({"server", "certificate-authority-data"})  # what the sim writes


def prove(record: DemoServer) -> dict[str, Any]:
    """The kubeconfig document of the recorded simulator, once the record's process, its
    control endpoint and every server in the document have proven to be that simulator."""
    secret = record.secret_bytes()
    if not _pid_alive(record.pid):
        raise NotTheSimulator(f"process {record.pid} that recorded it is not running")
    control = loopback_url(record.control_url, "http", "its control endpoint")
    _challenge(record, secret, control, None)
    token = proof(secret, "kubeconfig", record.fleet_id, "")
    document = _get_json(control + KUBECONFIG_PATH, None, {"Authorization": f"Bearer {token}"})
    for server, context in _servers(document).items():
        _challenge(record, secret, server, context)
    return document


def loopback_url(url: str, scheme: str, what: str) -> str:
    """`scheme://IP:PORT` rebuilt from url when it is exactly that with a loopback IP
    literal (a host name could resolve anywhere); NotTheSimulator otherwise."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback, port = False, None
    if (not loopback or port is None or parts.scheme != scheme or parts.username
            or parts.password or parts.path not in ("", "/") or parts.query
            or parts.fragment):
        raise NotTheSimulator(f"{what} {url!r} is not a {scheme}:// URL of a loopback "
                              "address and port")
    return f"{scheme}://{'[' + host + ']' if ':' in host else host}:{port}"


def _servers(document: Any) -> dict[str, ssl.SSLContext]:
    """Each distinct server of the kubeconfig with a TLS context trusting only its CA."""
    clusters = document.get("clusters") if isinstance(document, dict) else None
    if not isinstance(clusters, list) or not clusters:
        raise NotTheSimulator("its kubeconfig names no clusters")
    found: dict[str, ssl.SSLContext] = {}
    for entry in clusters:
        body = entry.get("cluster") if isinstance(entry, dict) else None
        if not isinstance(body, dict) or set(body) != CLUSTER_FIELDS:
            raise NotTheSimulator("its kubeconfig has a cluster entry other than a server "
                                  "and an embedded CA")
        server = loopback_url(str(body["server"]), "https", "cluster")
        found.setdefault(server, _tls(str(body["certificate-authority-data"]), server))
    return found


def _tls(ca_data: str, server: str) -> ssl.SSLContext:
    try:
        ca = base64.b64decode(ca_data, validate=True).decode("ascii")
        return ssl.create_default_context(cadata=ca)
    except (binascii.Error, UnicodeDecodeError, ssl.SSLError, ValueError):
        raise NotTheSimulator(f"cluster {server}: its CA is not a PEM certificate") from None


def _challenge(record: DemoServer, secret: bytes, base: str,
               context: ssl.SSLContext | None) -> None:
    """base answers a fresh nonce as the recorded simulator; NotTheSimulator otherwise."""
    what = f"cluster {base}" if context is not None else f"control endpoint {base}"
    nonce = secrets.token_hex(16)
    reply = _get_json(f"{base}{FLEET_PATH}?nonce={nonce}", context, {}, what)
    expected = proof(secret, "fleet", record.fleet_id, nonce)
    given = reply.get("proof") if isinstance(reply, dict) else None
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(),
                                                             expected.encode()):
        raise NotTheSimulator(f"{what} is not the demo simulator (no proof for fleet "
                              f"{record.fleet_id!r})")
    if (reply.get("pid"), reply.get("started_at")) != (record.pid, record.started_at):
        raise NotTheSimulator(f"{what} is not the simulator process the record names")


def _get_json(url: str, context: ssl.SSLContext | None, headers: dict[str, str],
              what: str = "") -> Any:
    """GET url (no proxy, bounded); the JSON answer of a 200, else NotTheSimulator."""
    what = what or url.split("?")[0]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=PROBE_TIMEOUT) as response:
            body = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise NotTheSimulator(f"{what} is not the demo simulator (GET "
                              f"{urlsplit(url).path}: HTTP {exc.code})") from None
    except (OSError, ValueError) as exc:  # URLError, TLS, timeouts, a non-HTTP answer
        reason = getattr(exc, "reason", None) or exc
        raise NotTheSimulator(f"{what} did not answer as the demo simulator "
                              f"({getattr(reason, 'strerror', None) or reason})") from None
    if len(body) > MAX_ANSWER_BYTES:
        raise NotTheSimulator(f"{what} answered more than {MAX_ANSWER_BYTES} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NotTheSimulator(f"{what} did not answer JSON") from None


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate it there: the proofs decide alone
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except OSError:  # gone, or another user's (PermissionError): do not attach
        return False
    return True
