"""Insight cards on the simulated fleet over real HTTP: in the `insights` scenario every
analyzer reports its case in cluster `fires` and stays silent on the look-alikes in
`calm`; on the demo incident the crash loop is traced to its rollout and config change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.diagnostics.path import ReadPath
from kubechat_tui.engine.insights.analyzers import ANALYZERS
from kubechat_tui.engine.insights.cards import InsightCard
from kubechat_tui.engine.insights.gather import gather
from kubechat_tui.engine.insights.runner import Insights
from kubechat_tui.guard.policy import load_configured_policy
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.sim.server import SimServer
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import Signer
from kubechat_tui.store.timeline import Timeline
from tests.e2e.conftest import REQUESTER, World

CRASHLOOP = "crashlooping pods in payments in prod-eu and prod-us"


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The insights scenario, served once for this module."""
    tmp = tmp_path_factory.mktemp("insights")
    sim = SimServer("insights").start()
    settings = Settings(ai=AISettings(enabled=False))
    fleet = Fleet.from_kubeconfig(settings, str(sim.write_kubeconfig(tmp / "kubeconfig")))
    db = open_database(tmp / "kubechat.db")
    audit = AuditLog(db, Signer.generate(), checkpoint_every=1000)
    try:
        yield World(sim, fleet, settings, db, audit, Timeline(db),
                    load_configured_policy(settings))
    finally:
        fleet.close()
        db.close()
        sim.stop()


def ask(world: World, text: str) -> list[InsightCard]:
    """Run the question's reads, then its insights, as the requester."""
    pipeline = world.pipeline(REQUESTER)
    run = ReadPath.beside(pipeline).run(world.plan(text))
    assert run.answered
    return Insights.beside(pipeline).analyze(run)


@pytest.fixture(scope="module")
def fired(cases: World) -> dict[str, InsightCard]:
    """The card of each analyzer's case, by analyzer."""
    cards = ask(cases, "pods in fires")
    return {c.analyzer: c for c in cards if c.subject == SUBJECTS[c.analyzer]} | {
        f"{c.analyzer}:{c.subject}": c for c in cards}


@pytest.fixture(scope="module")
def calm(cases: World) -> list[InsightCard]:
    return ask(cases, "pods in calm")


SUBJECTS = {
    "crash-after-change": "payments/deployment/ledger",
    "oom-killed": "platform/deployment/cache",
    "image-pull-after-change": "checkout/deployment/storefront",
    "failed-scheduling": "orders/pod/import-7f9c4",
    "probe-failures": "platform/pod/search-0",
    "node-health": "node/ip-10-50-2-34",
    "pdb-blocks-drain": "platform/poddisruptionbudget/gateway",
    "service-no-endpoints": "orders/service/orders",
    "missing-config": "payments/pod/billing-6c8d7",
}


def test_every_analyzer_has_a_case() -> None:
    assert set(SUBJECTS) == set(ANALYZERS)


@pytest.mark.parametrize("analyzer", sorted(SUBJECTS))
def test_analyzer_fires_on_its_case(fired: dict[str, InsightCard], analyzer: str) -> None:
    card = fired[analyzer]
    assert card.cluster == "fires" and card.subject == SUBJECTS[analyzer]
    assert card.claim.endswith(".") and card.evidence and card.next_step.text
    assert all(e.cluster == "fires" for e in card.evidence)


@pytest.mark.parametrize("analyzer", sorted(SUBJECTS))
def test_analyzer_stays_silent_on_its_look_alike(calm: list[InsightCard],
                                                 analyzer: str) -> None:
    assert [c.subject for c in calm if c.analyzer == analyzer] == []


def test_cards_say_what_they_saw(fired: dict[str, InsightCard]) -> None:
    crash = fired["crash-after-change"]
    assert "revision 2 (deploy #91: ledger 2.0.0)" in crash.claim
    assert "registry.example/ledger:1.9.4 -> registry.example/ledger:2.0.0" in crash.claim
    assert crash.next_step.line() == ("recipe: rollback-deployment namespace=payments "
                                      "deployment=ledger")
    assert "not enough cpu" in fired["failed-scheduling"].claim
    pvc = fired["failed-scheduling:payments/pod/ledger-db-0"]
    assert "PersistentVolumeClaim is not bound" in pvc.claim
    assert "app=orders-api" in fired["service-no-endpoints"].claim
    assert "key STRIPE_KEY of configmap billing-config" in fired["missing-config"].claim
    event = next(e for e in fired["probe-failures"].evidence if e.kind == "event")
    assert event.at and "Readiness probe failed" in event.text and "(x54)" in event.text


def test_the_incident_crash_loop_is_traced_to_its_rollout_and_config_change(
        world: World) -> None:
    cards = ask(world, CRASHLOOP)
    crash = next(c for c in cards if c.analyzer == "crash-after-change")
    assert (crash.cluster, crash.subject) == ("prod-eu", "payments/deployment/payments-api")
    assert crash.confidence == "high"
    assert "configmap payments-api-config changed" in crash.claim
    kinds = {e.kind for e in crash.evidence}
    assert {"object", "event"} <= kinds
    assert not any(c.analyzer == "crash-after-change" and c.cluster == "prod-us"
                   for c in cards)  # prod-us runs the old revision, healthy
    records = [r.event for r in world.audit.records() if r.event.action == stage.INSIGHTS_READ]
    assert sorted(r.scope.clusters[0] for r in records) == ["prod-eu", "prod-us"]
    eu = next(r for r in records if r.scope.clusters == ("prod-eu",))
    assert crash.key in eu.payload["cards"]
    assert all(line.startswith("GET ") for line in eu.payload["requests"])


def test_secrets_are_read_as_metadata_only(world: World) -> None:
    snaps, _ = gather(world.fleet, ["prod-eu"], "payments", datetime.now(UTC), 5.0)
    secrets = snaps["prod-eu"].secrets
    assert {s["metadata"]["name"] for s in secrets} >= {"payments-db-credentials"}
    assert all(set(s) == {"kind", "apiVersion", "metadata"} for s in secrets)


def test_a_run_where_nothing_answered_has_no_cards(world: World) -> None:
    pipeline = world.pipeline(REQUESTER)
    world.sim.faults("prod-eu").set(unreachable=True)
    try:
        run = ReadPath.beside(pipeline).run(world.plan("pods in prod-eu"))
    finally:
        world.sim.faults("prod-eu").clear()
    assert not run.answered
    assert Insights.beside(pipeline).analyze(run) == []


def test_log_lines_the_diagnostics_showed_are_evidence_with_their_times(world: World) -> None:
    cards = ask(world, "why is payments-api crashing in prod-eu")
    crash = next(c for c in cards if c.analyzer == "crash-after-change")
    logs = [e for e in crash.evidence if e.kind == "log"]
    assert logs and all(e.at.startswith("20") and e.at in e.text for e in logs)
    assert all("ledger connect failed" in e.text for e in logs)


def test_a_read_policy_keeps_the_insights_from_what_it_forbids(world: World,
                                                               tmp_path: Path) -> None:
    rules = tmp_path / "policy.yaml"
    rules.write_text("version: 1\nrules:\n  - id: READ-001\n    kind: cel\n"
                     "    match: {mutating_only: false, resources: [secrets]}\n"
                     "    expression: \"true\"\n"
                     "    remediation: Read secrets through the vault.\n")
    pipeline = world.pipeline(REQUESTER, policy=world.with_policy_file(rules))
    run = ReadPath.beside(pipeline).run(world.plan("crashlooping pods in payments in prod-eu"))
    cards = Insights.beside(pipeline).analyze(run)
    assert any(c.analyzer == "crash-after-change" for c in cards)  # the rest still read
    record = next(r.event for r in world.audit.records()
                  if r.event.action == stage.INSIGHTS_READ)
    assert record.payload["refused_by_policy"] == ["secrets"]
    assert not any("/secrets" in line for line in record.payload["requests"])
    assert any("/pods" in line for line in record.payload["requests"])
