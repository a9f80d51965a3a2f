"""The one-line wording of failures that need no live cluster to produce (DNS stays off the
network here); the live ones are in test_credentials and test_exec_plugins."""

from __future__ import annotations

import socket

import pytest
import urllib3

from kubechat_tui.kube.failures import Failure, answer, one_line, transport


def _wrapped(inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise urllib3.exceptions.MaxRetryError(None, "/version", exc) from exc  # type: ignore[arg-type]
    except urllib3.exceptions.MaxRetryError as outer:
        return outer


def test_dns_failure_is_unreachable() -> None:
    error = _wrapped(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    assert transport(error) == (Failure.UNREACHABLE, "unreachable: host name not found (DNS)")


def test_client_key_that_does_not_load_is_a_tls_setup_line() -> None:
    import ssl

    error = _wrapped(ssl.SSLError(9, "[SSL] PEM lib (_ssl.c:3900)"))
    kind, line = transport(error)
    assert kind is Failure.TLS
    assert line.startswith("TLS setup failed: the client certificate or key cannot be loaded")


@pytest.mark.parametrize(("status", "doc", "line"), [
    (401, {"message": "Unauthorized"}, "credentials rejected (401 Unauthorized)"),
    (403, {"message": 'pods is forbidden: User "viewer" cannot list'},
     'forbidden (403): pods is forbidden: User "viewer" cannot list'),
    (0, {"message": "unreachable: connection refused"}, "unreachable: connection refused"),
    (503, {}, "HTTP 503: no message"),
])
def test_answers_are_one_line(status: int, doc: dict[str, str], line: str) -> None:
    assert answer(status, doc) == line


def test_untrusted_text_becomes_one_printable_line() -> None:
    raw = "\x1b[31merror:\x1b[0m SSO\n  session\texpired\x1b]0;title\x07\r\n\x07"
    assert one_line(raw) == "error: SSO session expired"
    assert one_line("x" * 500, 10) == "x" * 9 + "…"
