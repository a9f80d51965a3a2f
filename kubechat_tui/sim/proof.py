"""What lets a process prove that a simulator is the one a demo record names.

Each SimServer holds a FleetKey: a random fleet id, a random secret, its process id and
start time. Its control endpoint and every cluster's API listener answer
`GET /_sim/fleet?nonce=N` (before authentication) with the fleet id, pid, start time and
`proof(secret, "fleet", fleet id, N)`; only a process holding the secret can answer a fresh
nonce. The control endpoint hands out the fleet's kubeconfig only for a bearer token
derived from the secret (`kubeconfig_token`). A real kube-apiserver has no such endpoint
(it answers 401, 403 or 404).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web

FLEET_PATH = "/_sim/fleet"
KUBECONFIG_PATH = "/_sim/kubeconfig"
NONCE = re.compile(r"[0-9a-f]{32,128}")  # what a challenge must look like (hex)
SECRET_BYTES = 32


@dataclass(frozen=True)
class FleetKey:
    """Who a simulator is: fleet id and start time are shown, the secret never is."""

    fleet_id: str
    secret: bytes = field(repr=False)
    pid: int
    started_at: str  # UTC ISO 8601, milliseconds


def new_fleet_key() -> FleetKey:
    """A fresh identity for a simulator started by this process now."""
    return FleetKey(secrets.token_hex(8), secrets.token_bytes(SECRET_BYTES), os.getpid(),
                    datetime.now(UTC).isoformat(timespec="milliseconds"))


def proof(secret: bytes, purpose: str, fleet_id: str, nonce: str) -> str:
    """HMAC-SHA256 (hex) binding a purpose, the fleet id and a nonce to the secret."""
    message = f"kubechat-sim/{purpose}\n{fleet_id}\n{nonce}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def answer(key: FleetKey, nonce: str) -> dict[str, Any] | None:
    """The reply to a challenge (None when `nonce` is not a hex challenge)."""
    if not NONCE.fullmatch(nonce):
        return None
    return {"kind": "SimFleet", "fleet": key.fleet_id, "pid": key.pid,
            "started_at": key.started_at, "proof": proof(key.secret, "fleet", key.fleet_id,
                                                         nonce)}


def kubeconfig_token(key: FleetKey) -> str:
    """The bearer token the control endpoint wants for the fleet's kubeconfig."""
    return proof(key.secret, "kubeconfig", key.fleet_id, "")


def fleet_reply(key: FleetKey, request: web.Request) -> web.Response:
    """The HTTP answer to `GET /_sim/fleet?nonce=HEX` (control endpoint and listeners)."""
    reply = answer(key, request.query.get("nonce", ""))
    body = reply if reply is not None else {
        "error": "nonce must be 32 to 128 lowercase hex digits"}
    return web.Response(status=200 if reply is not None else 400, body=orjson.dumps(body),
                        content_type="application/json")
