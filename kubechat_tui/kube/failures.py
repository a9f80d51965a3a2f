"""What failed when a cluster could not be used: one short line, the one home for its words.

Kinds: credentials rejected (401), credentials not obtained (a credential plugin or token
file failed), TLS (verification or handshake), unreachable (refused, timed out, DNS) and
forbidden (403 — the only RBAC matter). `transport()` classifies an exception raised while
sending a request; `answer()` describes an HTTP answer that is not a success (status 0 is
the fleet's "never answered", whose message is already one of these lines).
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any

import urllib3

ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
MAX_LINE = 300  # characters of untrusted text (a plugin's stderr, a server message) kept
REJECTED = "credentials rejected (401 Unauthorized)"
# OpenSSL verify codes a wrong or missing certificate-authority produces.
UNTRUSTED_CODES = frozenset({2, 7, 18, 19, 20, 21})
EXPIRED_CODE, HOSTNAME_CODE = 10, 62


class Failure(StrEnum):
    """The kind of a failure that got no answer (its ApiError.reason); a 401 or 403 is
    told by its status."""

    CREDENTIALS = "CredentialsUnavailable"
    TLS = "TLSFailed"
    UNREACHABLE = "Unreachable"


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """Untrusted text as one printable line: terminal escape sequences dropped, other
    control characters and runs of whitespace made one space, cut at `limit` characters."""
    visible = ESCAPES.sub("", text)
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in visible).split())
    return cleaned if len(cleaned) <= limit else cleaned[:limit - 1] + "…"


def rejected(user: str | None, advice: str) -> str:
    """The line for a 401: who was refused and what to do."""
    return f"{REJECTED} for user {user} — {advice}" if user else f"{REJECTED} — {advice}"


def answer(status: int, doc: Mapping[str, Any] | None) -> str:
    """One line for a non-success answer (status 0: never answered)."""
    body = doc if isinstance(doc, Mapping) else {}
    message = one_line(str(body.get("message") or body.get("reason") or ""))
    if status == 0:
        return message or "unreachable"
    if status == 401:
        if message.startswith(REJECTED):
            return message
        return REJECTED if message in ("", "Unauthorized") else f"{REJECTED}: {message}"
    if status == 403:
        return f"forbidden (403): {message or 'no message'}"
    return f"HTTP {status}: {message or 'no message'}"


def transport(exc: BaseException) -> tuple[Failure, str]:
    """(kind, line) for an exception raised while connecting, sending or reading."""
    chain = list(_causes(exc))
    for cause in chain:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return Failure.TLS, _verification(cause)
    for cause in chain:
        if isinstance(cause, ssl.SSLError | urllib3.exceptions.SSLError):
            return Failure.TLS, _handshake(cause)
    return Failure.UNREACHABLE, f"unreachable: {_unreachable(chain)}"


def _verification(error: ssl.SSLCertVerificationError) -> str:
    detail = one_line(str(error.verify_message or error.reason or error))
    if error.verify_code in UNTRUSTED_CODES:
        what = "the server's certificate is not signed by the cluster's certificate-authority"
    elif error.verify_code == EXPIRED_CODE:
        what = "the server's certificate has expired (or is not valid yet)"
    elif error.verify_code == HOSTNAME_CODE:
        what = "the server's certificate is not valid for the server's address"
    else:
        what = "the server's certificate was not accepted"
    return f"TLS verification failed: {what} ({detail})"


def _handshake(error: BaseException) -> str:
    text = one_line(str(getattr(error, "reason", None) or error))
    upper = text.upper()
    if "PEM" in upper or "KEY_VALUES_MISMATCH" in upper or "NO SUCH FILE" in upper:
        return f"TLS setup failed: the client certificate or key cannot be loaded ({text})"
    if "ALERT" in upper:
        return f"TLS handshake failed: the server refused the connection ({text})"
    return f"TLS handshake failed: {text}"


def _unreachable(chain: list[BaseException]) -> str:
    """Refused, DNS, timed out (in that order: urllib3's NewConnectionError is also a
    ConnectTimeoutError), else the innermost message."""
    checks: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
        ((ConnectionRefusedError,), "connection refused"),
        ((socket.gaierror, urllib3.exceptions.NameResolutionError), "host name not found (DNS)"),
        ((TimeoutError, urllib3.exceptions.TimeoutError), "timed out"),
    )
    for types, line in checks:
        if any(isinstance(c, types) and not isinstance(
                c, urllib3.exceptions.NewConnectionError) for c in chain):
            return line
    text = one_line(str(chain[-1]), 160)
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timed out" in lowered:
        return "timed out"
    if "aborted" in lowered or "remotedisconnected" in lowered or "closed" in lowered:
        return "connection closed by the server"
    return text or type(chain[-1]).__name__


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps (urllib3 `reason`, `__cause__`, `__context__`, exception
    arguments), outermost first, each once."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [getattr(current, "reason", None), current.__cause__, current.__context__,
                 *current.args]
        pending += [e for e in inner if isinstance(e, BaseException)]
