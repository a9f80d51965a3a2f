"""Tokens, token files, client certificates and TLS through the real client code path
against the simulated fleet: what works, and the one line when it does not."""

from __future__ import annotations

import base64
import resource
from pathlib import Path

import pytest

from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.types import Health
from kubechat_tui.sim import SimServer
from tests.kube.credential_kit import kubeconfig_with, open_fleet, whoami

USER = "admin@prod-eu"


def test_token_file_with_a_trailing_newline_works(sim_server: SimServer,
                                                  tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(sim_server.token("prod-eu", "viewer") + "\n")
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: {"tokenFile": str(token_file)}})
    fleet = open_fleet(path, "prod-eu")
    try:
        status, doc = whoami(fleet)
        assert status == 201
        assert doc["status"]["userInfo"]["username"] == "viewer"
    finally:
        fleet.close()


def test_a_rotated_token_file_is_used_without_a_new_client(sim_server: SimServer,
                                                           tmp_path: Path) -> None:
    old = sim_server.issue_token("prod-eu", "viewer")
    token_file = tmp_path / "token"
    token_file.write_text(old)
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: {"tokenFile": str(token_file)}})
    fleet = open_fleet(path, "prod-eu")
    try:
        client = fleet.client("prod-eu")
        assert whoami(fleet)[0] == 201
        new = sim_server.issue_token("prod-eu", "operator")
        token_file.write_text(f"{new}\n")
        sim_server.revoke_token(old)
        status, doc = whoami(fleet)
        assert status == 201 and doc["status"]["userInfo"]["username"] == "operator"
        assert fleet.client("prod-eu") is client
        assert whoami(fleet)[0] == 201
    finally:
        fleet.close()


def test_dev_zero_as_token_file_is_one_line_and_bounded(sim_server: SimServer,
                                                        tmp_path: Path) -> None:
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: {"tokenFile": "/dev/zero"}})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(KubeconfigError) as caught:
        open_fleet(path, "prod-eu")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert str(caught.value) == (f"user {USER}: token file /dev/zero: larger than 64 KiB")
    assert grown_kib < 32 * 1024


@pytest.mark.parametrize(("content", "problem"), [
    pytest.param("x" * (70 * 1024), "larger than 64 KiB", id="too-large"),
    pytest.param("\n  \n", "the token is empty", id="empty"),
    pytest.param("abc def", "the token holds spaces or control characters", id="spaces"),
    pytest.param(None, "no such file or directory", id="missing"),
])
def test_unusable_token_files_are_one_line(sim_server: SimServer, tmp_path: Path,
                                           content: str | None, problem: str) -> None:
    token_file = tmp_path / "token"
    if content is not None:
        token_file.write_text(content)
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: {"tokenFile": str(token_file)}})
    fleet = open_fleet(path)
    try:
        status, doc = whoami(fleet)
        assert status == 0
        assert doc["message"] == f"user {USER}: token file {token_file}: {problem}"
    finally:
        fleet.close()


def test_client_certificate_user(sim_server: SimServer, tmp_path: Path) -> None:
    cert, key = sim_server.client_certificate("viewer", ("viewers",))
    (tmp_path / "tls.key").write_bytes(key)
    user = {"client-certificate-data": base64.b64encode(cert).decode(),
            "client-key": str(tmp_path / "tls.key")}
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: user})
    fleet = open_fleet(path, "prod-eu")
    try:
        status, doc = whoami(fleet)
        assert status == 201
        assert doc["status"]["userInfo"]["username"] == "viewer"
        assert doc["status"]["userInfo"]["groups"] == ["viewers", "system:authenticated"]
    finally:
        fleet.close()


def test_expired_token_is_one_401_line_in_the_banner(sim_server: SimServer,
                                                     tmp_path: Path) -> None:
    token = sim_server.issue_token("prod-eu", "admin")
    sim_server.revoke_token(token)
    path = kubeconfig_with(sim_server, tmp_path / "kc", {USER: {"token": token}})
    fleet = open_fleet(path, "prod-eu")
    try:
        status = fleet.check("prod-eu")
        assert status.health is Health.FORBIDDEN
        assert status.error == (f"credentials rejected (401 Unauthorized) for user {USER} — "
                                "the kubeconfig token was refused: get a new one")
    finally:
        fleet.close()


def test_a_certificate_authority_that_does_not_match_is_one_tls_line(
        sim_server: SimServer, tmp_path: Path) -> None:
    with SimServer("incident") as other:
        wrong_ca = base64.b64encode(other.ca_pem).decode()
    path = kubeconfig_with(sim_server, tmp_path / "kc", {},
                           {"prod-eu": {"certificate-authority-data": wrong_ca}})
    fleet = open_fleet(path, "prod-eu")
    try:
        status = fleet.check("prod-eu")
        assert status.health is Health.UNREACHABLE
        assert status.error == (
            "TLS verification failed: the server's certificate is not signed by the "
            "cluster's certificate-authority (certificate signature failure)")
        assert whoami(fleet)[1]["message"] == status.error
    finally:
        fleet.close()


def test_a_server_name_the_certificate_does_not_cover_is_one_tls_line(
        sim_server: SimServer, tmp_path: Path) -> None:
    path = kubeconfig_with(sim_server, tmp_path / "kc", {},
                           {"prod-eu": {"tls-server-name": "api.prod.example"}})
    fleet = open_fleet(path, "prod-eu")
    try:
        message = whoami(fleet)[1]["message"]
        assert message.startswith("TLS verification failed: the server's certificate is "
                                  "not valid for the server's address (Hostname mismatch")
    finally:
        fleet.close()


def test_refused_and_timed_out_are_unreachable_lines(own_sim: SimServer,
                                                     tmp_path: Path) -> None:
    path = own_sim.write_kubeconfig(tmp_path / "kc")
    own_sim.faults("canary").set(unreachable=True)
    own_sim.faults("staging").set(blackhole=True)
    fleet = open_fleet(path, connect_timeout_seconds=0.5)
    try:
        refused, timed_out = fleet.check("canary"), fleet.check("staging")
        assert (refused.health, refused.error) == (Health.UNREACHABLE,
                                                   "unreachable: connection refused")
        assert (timed_out.health, timed_out.error) == (Health.UNREACHABLE,
                                                       "unreachable: timed out")
    finally:
        fleet.close()
        own_sim.faults("canary").clear()
        own_sim.faults("staging").clear()
