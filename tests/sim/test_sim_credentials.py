"""How the simulator authenticates: tokens issued and revoked while it runs, client
certificates (user from CN, groups from O), and the real server's 401."""

from __future__ import annotations

import ssl
from pathlib import Path

import orjson
import pytest
import urllib3

from kubechat_tui.sim import SimServer
from tests.sim.wire import load

SSR = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
SSR_BODY = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}


def _get(server: SimServer, path: str, token: str | None = None,
         cert: tuple[Path, Path] | None = None, method: str = "GET",
         body: object = None) -> urllib3.BaseHTTPResponse:
    pool = urllib3.PoolManager(ca_certs=str(server.ca_file), retries=False,
                               cert_file=str(cert[0]) if cert else None,
                               key_file=str(cert[1]) if cert else None)
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return pool.request(method, server.cluster_url("prod-eu") + path, headers=headers,
                        body=orjson.dumps(body) if body is not None else None)


def test_unknown_token_gets_the_real_servers_401(server: SimServer) -> None:
    sample = load(31)
    answer = _get(server, "/api/v1/namespaces/payments/pods?limit=1", "no-such-token")
    assert answer.status == sample.status == 401
    assert answer.headers["Content-Type"] == sample.headers["content-type"]
    assert answer.data.decode() == orjson.dumps(sample.json()).decode()


def test_issued_tokens_work_until_revoked(server: SimServer) -> None:
    token = server.issue_token("prod-eu", "viewer")
    first = _get(server, SSR, token, method="POST", body=SSR_BODY)
    assert first.status == 201
    assert orjson.loads(first.data)["status"]["userInfo"]["username"] == "viewer"
    server.revoke_token(token)
    assert _get(server, SSR, token, method="POST", body=SSR_BODY).status == 401
    assert _get(server, "/version", server.token("prod-eu", "viewer")).status == 200


def test_client_certificate_names_the_user_and_groups(server: SimServer,
                                                      tmp_path: Path) -> None:
    cert, key = server.client_certificate("dev", ("devs", "oncall"))
    files = (tmp_path / "dev.crt", tmp_path / "dev.key")
    files[0].write_bytes(cert)
    files[1].write_bytes(key)
    answer = _get(server, SSR, cert=files, method="POST", body=SSR_BODY)
    sample = load(29).json()
    assert answer.status == 201
    doc = orjson.loads(answer.data)
    assert list(doc) == list(sample)
    assert doc["status"]["userInfo"]["username"] == "dev"
    assert doc["status"]["userInfo"]["groups"] == ["devs", "oncall", "system:authenticated"]


def test_client_certificate_of_a_known_user_gets_its_permissions(server: SimServer,
                                                                 tmp_path: Path) -> None:
    cert, key = server.client_certificate("viewer", ("viewers",))
    files = (tmp_path / "v.crt", tmp_path / "v.key")
    files[0].write_bytes(cert)
    files[1].write_bytes(key)
    assert _get(server, "/api/v1/namespaces/payments/pods", cert=files).status == 200
    assert _get(server, "/api/v1/namespaces/payments/secrets", cert=files).status == 403


def test_a_certificate_from_another_ca_fails_the_handshake(server: SimServer,
                                                           tmp_path: Path) -> None:
    with SimServer("incident") as other:
        cert, key = other.client_certificate("admin", ("system:masters",))
    files = (tmp_path / "x.crt", tmp_path / "x.key")
    files[0].write_bytes(cert)
    files[1].write_bytes(key)
    with pytest.raises((urllib3.exceptions.SSLError, urllib3.exceptions.MaxRetryError,
                        urllib3.exceptions.ProtocolError, ssl.SSLError)):
        _get(server, "/version", cert=files)
