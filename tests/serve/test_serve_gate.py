"""`kubechat serve`'s gate over real HTTP: a token on every path but /healthz, the token
exchanged for a cookie once, cross-origin WebSockets refused; and the flags it refuses."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websocket

from tests.serve.conftest import Served, running_serve, serve_env


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def status(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_health_answers_without_a_token(served: Served) -> None:
    assert status(f"{served.base}/healthz")[0] == 200


@pytest.mark.parametrize("path", ["/", "/ws", "/static/js/textual.js", "/download/x"])
def test_no_token_is_refused_on_every_path(served: Served, path: str) -> None:
    assert status(served.base + path)[0] == 401


def test_a_wrong_token_is_refused(served: Served) -> None:
    wrong = "x" * len(served.token)
    assert status(f"{served.base}/?token={wrong}")[0] == 403
    assert status(f"{served.base}/", {"Cookie": f"kubechat_serve_token={wrong}"})[0] == 403
    assert status(f"{served.base}/", {"Authorization": f"Bearer {wrong}"})[0] == 403


def test_the_token_becomes_a_cookie_and_leaves_the_url(served: Served) -> None:
    code, headers = status(f"{served.url}&fontsize=14")
    assert code == 303 and headers["Location"] == "/?fontsize=14"
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = urllib.request.Request(
        f"{served.base}/", headers={"Cookie": f"kubechat_serve_token={served.token}"}
    )
    with urllib.request.urlopen(page, timeout=10) as response:
        html = response.read().decode()
    assert f"ws://127.0.0.1:{served.base.rsplit(':', 1)[1]}/ws" in html
    assert status(f"{served.base}/", {"Authorization": f"Bearer {served.token}"})[0] == 200


def test_a_cross_origin_websocket_is_refused(served: Served) -> None:
    code, _ = status(
        f"{served.base}/ws",
        {
            "Cookie": f"kubechat_serve_token={served.token}",
            "Origin": "http://evil.example",
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert code == 403


def run_serve(tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = serve_env(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "kubechat_tui", "serve", "--demo", *flags],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.internal"])
def test_a_non_loopback_host_without_a_given_token_is_refused(tmp_path: Path, host: str) -> None:
    result = run_serve(tmp_path, "--host", host, "--port", "0")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"kubechat: error: --host {host} is not loopback")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--token", "short"), "the token must have at least 16 characters"),
        (("--port", "70000"), "--port must be between 0 and 65535, not 70000"),
    ],
)
def test_bad_flags_are_one_line_exit_2(
    tmp_path: Path, flags: tuple[str, ...], message: str
) -> None:
    result = run_serve(tmp_path, *flags)
    assert (result.returncode, result.stderr) == (2, f"kubechat: error: {message}\n")


def test_a_busy_port_is_one_line_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve(tmp_path, "--port", str(port))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"kubechat: error: cannot listen on 127.0.0.1:{port}: ")


def test_a_given_token_is_used_and_not_printed(tmp_path: Path) -> None:
    token = "given-token-0123456789"
    with running_serve(tmp_path, token=token) as running:
        assert running.url.endswith("/?token=<token>")
        assert status(f"{running.base}/", {"Authorization": f"Bearer {token}"})[0] == 200
        assert status(f"{running.base}/?token={token}")[0] == 303


def test_sigterm_with_an_open_tab_stops_in_seconds(tmp_path: Path) -> None:
    with running_serve(tmp_path) as running:  # exit: SIGTERM, code 0 within 20 s
        tab = websocket.create_connection(
            running.base.replace("http://", "ws://") + "/ws?width=120&height=40",
            cookie=f"kubechat_serve_token={running.token}",
            timeout=30,
        )
        assert tab.recv()  # the tab's console is up and drawing
    tab.close()
