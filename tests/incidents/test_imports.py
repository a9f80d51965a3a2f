"""Alertmanager and Argo CD imports against their stand-ins over real HTTP: import,
re-import without duplicates, label mapping, auth failure, a source that is down, an
answer that is not JSON, an alert with no labels; Kubernetes rollouts from the fleet."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.incident_imports import Importer
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim.standins import (
    AlertmanagerStandIn,
    ArgoCdStandIn,
    alertmanager_standin,
    argocd_standin,
    gettable_alert,
)
from kubechat_tui.store.opener import Store
from kubechat_tui.store.timeline import Timeline

STARTED = time.time()


@pytest.fixture
def am() -> Iterator[AlertmanagerStandIn]:
    with alertmanager_standin(STARTED, token="am-token") as server:
        assert isinstance(server, AlertmanagerStandIn)
        yield server


@pytest.fixture
def argo() -> Iterator[ArgoCdStandIn]:
    with argocd_standin(STARTED) as server:
        assert isinstance(server, ArgoCdStandIn)
        yield server


def _settings(monkeypatch: pytest.MonkeyPatch, am_url: str = "", argo_url: str = "",
              **extra: object) -> Settings:
    monkeypatch.setenv("AM_TOKEN", "am-token")
    incidents = {"alertmanager_token_env": "AM_TOKEN", **extra}
    if am_url:
        incidents["alertmanager_url"] = am_url
    if argo_url:
        incidents["argocd_url"] = argo_url
    return Settings.model_validate({"incidents": incidents})


def test_alerts_import_once_with_their_labels_mapped(
        store: Store, am: AlertmanagerStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    timeline = Timeline(store.db)
    importer = Importer(_settings(monkeypatch, am.url), timeline)
    first = importer.run()
    assert first.lines() == ["alertmanager: 5 new, 0 already imported"]
    again = importer.run()
    assert again.lines() == ["alertmanager: 0 new, 5 already imported"]
    entries = {e.title.split(" ")[0]: e for e in timeline.recent()}
    assert len(timeline.recent()) == 5
    crash = entries["KubePodCrashLooping"]
    assert crash.cluster == "prod-eu" and crash.kind == "alert"
    assert crash.title == "KubePodCrashLooping firing critical on payments/payments-api"
    assert entries["PaymentsLatencyHigh"].payload["state"] == "resolved"
    # the alert resolves: one new entry, the firing one stays
    am.alerts[0] = {**am.alerts[0], "endsAt": am.alerts[0]["startsAt"]}
    assert importer.run().lines() == ["alertmanager: 1 new, 4 already imported"]


def test_configurable_label_names(store: Store, am: AlertmanagerStandIn,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    am.alerts[:] = [gettable_alert("Down", {"k8s_cluster": "staging", "ns": "orders",
                                            "app": "orders-api"}, STARTED)]
    settings = _settings(monkeypatch, am.url, cluster_label="k8s_cluster",
                         namespace_label="ns", workload_labels=["app"])
    timeline = Timeline(store.db)
    Importer(settings, timeline).run()
    (entry,) = timeline.recent()
    assert entry.cluster == "staging"
    assert (entry.payload["namespace"], entry.payload["workload"]) == ("orders", "orders-api")


def test_an_alert_with_no_labels_still_imports(store: Store, am: AlertmanagerStandIn,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    bare = gettable_alert("x", {}, STARTED, fingerprint="00aa")
    bare["labels"] = {}
    am.alerts[:] = [bare, {"not": "an alert"}, "nonsense"]
    timeline = Timeline(store.db)
    report = Importer(_settings(monkeypatch, am.url), timeline).run()
    assert report.lines() == ["alertmanager: 1 new, 0 already imported, "
                              "2 not understood (skipped)"]
    (entry,) = timeline.recent()
    assert entry.cluster is None and entry.title == "alert 00aa firing"


@pytest.mark.parametrize(("mode", "message"), [
    ("not_json", "alertmanager: the answer is not JSON"),
    ("down_500", "alertmanager: HTTP 500 from http://127.0.0.1"),
])
def test_bad_answers_are_one_line_and_write_nothing(
        store: Store, am: AlertmanagerStandIn, monkeypatch: pytest.MonkeyPatch,
        mode: str, message: str) -> None:
    am.mode = mode  # type: ignore[assignment]
    timeline = Timeline(store.db)
    report = Importer(_settings(monkeypatch, am.url), timeline).run()
    assert report.failed and report.lines()[0].startswith(f"alertmanager: FAILED: {message}")
    assert timeline.recent() == []


def test_auth_failure_and_a_source_that_is_down(store: Store, am: AlertmanagerStandIn,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    timeline = Timeline(store.db)
    monkeypatch.setenv("AM_TOKEN", "wrong")
    settings = Settings.model_validate({"incidents": {
        "alertmanager_url": am.url, "alertmanager_token_env": "AM_TOKEN"}})
    (line,) = Importer(settings, timeline).run().lines()
    assert line == ("alertmanager: FAILED: alertmanager: HTTP 401: authentication refused "
                    "(check the bearer token)")
    am.stop()
    (line,) = Importer(settings, timeline).run().lines()
    assert "unreachable at http://127.0.0.1" in line
    assert timeline.recent() == []


def test_argo_cd_syncs_import_once_mapped_to_clusters(
        store: Store, argo: ArgoCdStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    timeline = Timeline(store.db)
    importer = Importer(_settings(monkeypatch, argo_url=argo.url,
                                  argocd_destinations={"canary": "canary-eu"}), timeline)
    assert importer.run().lines() == ["argocd: 5 new, 0 already imported"]
    assert importer.run().lines() == ["argocd: 0 new, 5 already imported"]
    deploys = timeline.recent()
    latest = next(e for e in deploys if e.payload.get("history_id") == 3)
    assert latest.cluster == "prod-eu" and latest.author == "dana"
    assert latest.payload["revision"] == "4821e0c9b7a35f12d8e6"
    assert latest.payload["result"] == "Succeeded"
    failed = next(e for e in deploys if e.payload["result"] == "Failed")
    assert failed.cluster == "canary-eu" and failed.author == "argocd (automated)"
    assert "image pull back-off" in failed.body


def test_rollouts_come_from_replicaset_revisions(store: Store, sim_fleet: Fleet) -> None:
    timeline = Timeline(store.db)
    importer = Importer(Settings(), timeline, sim_fleet)
    (line,) = importer.run(("rollouts",)).lines()
    assert line.startswith("rollouts: ") and " 0 already" in line
    assert importer.run(("rollouts",)).lines()[0].startswith("rollouts: 0 new")
    payments = [e for e in timeline.recent(500) if e.cluster == "prod-eu"
                and e.payload["deployment"] == "payments-api"]
    assert {e.payload["revision"] for e in payments} == {"1", "2", "3"}
    newest = max(payments, key=lambda e: int(e.payload["revision"]))
    assert "payments-api:1.5.0" in newest.title and "#4821" in newest.body
