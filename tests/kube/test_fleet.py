"""The fleet on the simulator: identity, health on faults, raw requests, backoff."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubechat_tui.config.settings import Settings
from kubechat_tui.kube import fleet as fleet_module
from kubechat_tui.kube import health
from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.types import ClusterStatus, Health
from kubechat_tui.sim import SimServer
from tests.kube.conftest import wait_for


def test_identity_comes_from_self_subject_review(fleet: Fleet) -> None:
    admin = fleet.check("prod-eu")
    assert admin.health is Health.OK and admin.identity == "admin"
    assert "system:authenticated" in admin.groups
    assert admin.production and not fleet.check("staging").production


def test_each_cluster_once_served_by_its_first_context(fleet: Fleet,
                                                       sim_server: SimServer) -> None:
    assert fleet.cluster_names() == sim_server.clusters  # not every context: every cluster
    assert "operator@prod-eu" in fleet.context_names()
    assert fleet.routes()["staging"] == "staging"
    assert fleet.current_context == "prod-eu"


def test_selected_contexts_only(sim_kubeconfig: Path) -> None:
    chosen = Fleet.from_kubeconfig(Settings(), str(sim_kubeconfig), ["staging", "canary"])
    assert chosen.cluster_names() == ["staging", "canary"]
    assert [s.health for s in chosen.statuses()] == [Health.CONNECTING] * 2
    chosen.close()


def test_unknown_context_is_a_kubeconfig_error(sim_kubeconfig: Path) -> None:
    with pytest.raises(KubeconfigError, match="context 'nope' not found"):
        Fleet.from_kubeconfig(Settings(), str(sim_kubeconfig), ["nope"])


def test_request_json_reads_through_the_cluster_client(fleet: Fleet) -> None:
    status, doc = fleet.request_json("prod-eu", "GET", "/api/v1/namespaces/payments/pods",
                                     query={"limit": 2, "labelSelector": "app=payments-api"})
    assert status == 200 and len(doc["items"]) == 2
    assert all(i["metadata"]["labels"]["app"] == "payments-api" for i in doc["items"])
    status, doc = fleet.via({"prod-eu": "viewer@prod-eu"}).request_json(
        "prod-eu", "GET", "/api/v1/namespaces/payments/secrets")
    assert status == 403 and doc["reason"] == "Forbidden"
    assert fleet.api_client("prod-eu").configuration.host.startswith("https://127.0.0.1:")


def test_unreachable_cluster_is_a_status_and_others_still_answer(own_fleet: Fleet,
                                                                 own_sim: SimServer) -> None:
    own_sim.faults("canary").set(unreachable=True)
    seen: list[ClusterStatus] = []
    own_fleet.on_status(seen.append)
    started = time.monotonic()
    own_fleet.start()
    assert time.monotonic() - started < 0.5  # never blocks the caller
    wait_for(lambda: all(s.health is not Health.CONNECTING for s in own_fleet.statuses()))
    by_name = {s.name: s for s in own_fleet.statuses()}
    assert by_name["canary"].health is Health.UNREACHABLE
    assert by_name["canary"].retry_in == 1.0 and "\n" not in (by_name["canary"].error or "")
    assert all(by_name[c].health is Health.OK for c in ("prod-eu", "prod-us", "staging"))
    assert {s.name for s in seen} == set(own_sim.clusters)
    status, doc = own_fleet.request_json("canary", "GET", "/version")
    assert status == 0 and doc["message"].startswith("unreachable")


def test_recovers_after_backoff(own_fleet: Fleet, own_sim: SimServer) -> None:
    own_sim.faults("staging").set(unreachable=True)
    own_fleet.start()
    wait_for(lambda: own_fleet.status("staging").health is Health.UNREACHABLE)
    own_sim.faults("staging").clear()
    wait_for(lambda: own_fleet.status("staging").health is Health.OK, timeout=5)
    assert own_fleet.status("staging").identity == "admin"


def test_server_errors_are_degraded(own_fleet: Fleet, own_sim: SimServer) -> None:
    own_sim.faults("prod-us").set(error_rate=1.0, error_status=503)
    status = own_fleet.check("prod-us")
    assert status.health is Health.DEGRADED and "HTTP 503" in (status.error or "")


def test_rejected_credentials_are_forbidden(own_sim: SimServer, tmp_path: Path) -> None:
    path = own_sim.write_kubeconfig(tmp_path / "kc")
    doc = yaml.safe_load(path.read_text())
    for user in doc["users"]:
        if user["name"] == "admin@staging":
            user["user"]["token"] = "not-a-valid-token"
    path.write_text(yaml.safe_dump(doc))
    fleet = Fleet.from_kubeconfig(Settings(), str(path))
    try:
        assert fleet.check("staging").health is Health.FORBIDDEN
        assert fleet.check("prod-eu").health is Health.OK
    finally:
        fleet.close()


def test_broken_context_is_reported_not_raised(own_sim: SimServer, tmp_path: Path) -> None:
    path = own_sim.write_kubeconfig(tmp_path / "kc")
    doc = yaml.safe_load(path.read_text())
    doc["clusters"][0]["cluster"]["certificate-authority-data"] = "bm90IGEgY2VydA=="
    doc["clusters"][0]["cluster"]["certificate-authority"] = str(tmp_path / "missing.pem")
    path.write_text(yaml.safe_dump(doc))
    fleet = Fleet.from_kubeconfig(Settings(), str(path))
    try:
        status = fleet.check("prod-eu")
        assert status.health is Health.UNREACHABLE and status.error
        assert fleet.check("staging").health is Health.OK
    finally:
        fleet.close()


def test_backoff_doubles_and_caps() -> None:
    assert [health.backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert health.backoff(30) == health.MAX_BACKOFF


def test_health_checks_run_in_a_small_pool(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    """Clusters are probed by a few workers, never all at once, and each one is probed."""
    monkeypatch.setattr(fleet_module, "HEALTH_WORKERS", 2)
    lock, in_flight, peak, probed = threading.Lock(), [0], [0], []
    real_probe = health.probe

    def probe(client: Any, production: bool) -> ClusterStatus:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
            probed.append(client.name)
        try:
            time.sleep(0.03)
            return real_probe(client, production)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(health, "probe", probe)
    fleet.start()
    wait_for(lambda: all(s.health is Health.OK for s in fleet.statuses()))
    assert peak[0] <= 2
    assert sorted(probed[:4]) == sorted(fleet.cluster_names())  # each once, none skipped
    fleet.close()
    wait_for(lambda: not [t for t in threading.enumerate()
                          if t.name.startswith("kubechat-health")])
