"""The simulated fleet over real HTTP, a store under tmp_path, and pipelines per identity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan, Scope
from kubechat_tui.engine.approvals import ApprovalWorkflow
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.guard.policy import Policy, load_configured_policy, load_policy
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.lookup import FleetView
from kubechat_tui.planner.service import PlannerService
from kubechat_tui.sim.server import SimServer
from kubechat_tui.store.approvals import ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.database import Database, open_database
from kubechat_tui.store.signing import Signer
from kubechat_tui.store.timeline import Timeline

# The demo identities: (OS user who acts, kubeconfig identity)
REQUESTER = ("alice", "admin")
LEAD = ("bob", "lead")
VIEWER = ("victor", "viewer")


@dataclass
class World:
    """One simulated fleet, one shared database, and a pipeline per person."""

    sim: SimServer
    fleet: Fleet
    settings: Settings
    db: Database
    audit: AuditLog
    timeline: Timeline
    policy: Policy
    approver_key: Signer = field(default_factory=Signer.generate)  # this machine's people

    def workflow(self) -> ApprovalWorkflow:
        """The approval workflow on the shared database."""
        return ApprovalWorkflow(ApprovalStore(self.db), self.audit, signer=self.approver_key)

    def operator(self, who: tuple[str, str]) -> Operator:
        """The Operator of (os user, identity)."""
        return Operator(who[0], who[1])

    def pipeline(self, who: tuple[str, str], policy: Policy | None = None) -> Pipeline:
        """A pipeline acting as `who` (requests go through context IDENTITY@CLUSTER; the
        plain cluster contexts are admin's)."""
        return Pipeline(fleet=self.router(who[1]), settings=self.settings, audit=self.audit,
                        policy=policy or self.policy, approvals=self.workflow(),
                        timeline=self.timeline, operator=self.operator(who))

    def router(self, identity: str) -> object:
        """The fleet (admin) or a router through IDENTITY@CLUSTER for every cluster."""
        if identity == "admin":
            return self.fleet
        return self.fleet.via(self.fleet.topology.contexts_for_user(
            identity, self.fleet.cluster_names()))

    def approve(self, request_id: str, who: tuple[str, str], comment: str = "") -> object:
        """Approve as `who`, through that identity's contexts (the clusters say who)."""
        return self.workflow().approve(request_id, self.operator(who), comment,
                                       api=self.router(who[1]))

    def plan(self, text: str) -> Plan:
        """The rule planner's plan for `text` over the whole fleet."""
        view = FleetView(self.fleet)
        result = PlannerService(self.settings, view, mode="rules").plan(
            text, Scope(clusters=tuple(self.sim.clusters)))
        assert result.plan is not None, result.reason
        return result.plan

    def replicas(self, cluster: str = "prod-eu", name: str = "payments-api") -> int:
        """The simulator's replicas of a payments deployment, read as admin."""
        status, doc = self.fleet.request_json(
            cluster, "GET", f"/apis/apps/v1/namespaces/payments/deployments/{name}")
        assert status == 200, doc
        return int(doc["spec"]["replicas"])

    def actions(self) -> list[str]:
        """Every audit action, oldest first."""
        return [r.event.action for r in self.audit.records()]

    def with_policy_file(self, path: Path) -> Policy:
        """Load a policy file."""
        return load_policy(path)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A fresh simulated fleet and store for each test."""
    sim = SimServer("incident").start()
    kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
    settings = Settings(ai=AISettings(enabled=False))
    fleet = Fleet.from_kubeconfig(settings, str(kubeconfig))
    db = open_database(tmp_path / "kubechat.db")
    audit = AuditLog(db, Signer.generate(), checkpoint_every=1000)
    try:
        yield World(sim, fleet, settings, db, audit, Timeline(db),
                    load_configured_policy(settings))
    finally:
        fleet.close()
        db.close()
        sim.stop()
