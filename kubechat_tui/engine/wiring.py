"""Build a Pipeline from settings, a fleet and a data dir (the CLI and the console share it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approval_notify import ApprovalAnnouncer
from kubechat_tui.engine.approvals import Alerter, ApprovalWorkflow
from kubechat_tui.engine.identity import operator_for
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.summary import SummaryWriter
from kubechat_tui.engine.summary_llm import model_summary_writer
from kubechat_tui.engine.trail import policy_load_failed
from kubechat_tui.engine.violations import ViolationAlerter, break_glass, load_failure
from kubechat_tui.guard.policy import DEFAULT_POLICY, Policy, PolicyError, load_configured_policy
from kubechat_tui.guard.policy.active import active_policy
from kubechat_tui.guard.policy.cluster import cluster_policy_source
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.lookup import ClusterView, FleetView
from kubechat_tui.kube.mutations import ApiRequester
from kubechat_tui.store.approvals import ApprovalRequest, ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.database import Database
from kubechat_tui.store.opener import Store, open_store
from kubechat_tui.store.policy_history import PolicyHistory
from kubechat_tui.store.signing import APPROVER_PURPOSE, load_signer
from kubechat_tui.store.timeline import Timeline


@dataclass
class EngineHandle:
    """A pipeline, the store it holds open and the webhook deliveries it may have started."""

    pipeline: Pipeline
    store: Store
    announcer: ApprovalAnnouncer | None = None
    violations: ViolationAlerter | None = None

    @property
    def db(self) -> Database:
        """The open database."""
        return self.store.db

    @property
    def audit(self) -> AuditLog:
        """The audit log."""
        return self.store.audit

    def close(self) -> list[str]:
        """Wait (bounded) for approval announcements and violation alerts still on their
        way, checkpoint the audit chain (session end) and close the database. Returns one
        line per approval request or alert that was not delivered (already audited)."""
        try:
            lost = self.announcer.finish() if self.announcer is not None else []
            return lost + (self.violations.finish() if self.violations is not None else [])
        finally:
            self.store.close()


def open_engine(settings: Settings, fleet: ApiRequester, data_dir: Path, operator: Operator,
                *, policy: Policy | None = None, summary_writer: SummaryWriter | None = None,
                summary_model: str = "", view: ClusterView | None = None,
                policy_source: Callable[[], Policy] | None = None) -> EngineHandle:
    """Open the store, load the policy (a cluster's AuditPolicy when `policy_source` is
    given, read now and again before each plan; else the store's active version:
    `guard.policy.active`) and build the pipeline. A broken policy raises PolicyError after
    an audited `policy.load_failed` record (the engine fails closed)."""
    store = open_store(settings, data_dir)
    try:
        chosen = policy or (policy_source() if policy_source is not None
                            else active_policy(settings, load_configured_policy(settings),
                                               PolicyHistory(store.db)))
    except PolicyError as exc:
        path = str(settings.policy_from_cluster or settings.policy_file or DEFAULT_POLICY)
        try:
            policy_load_failed(store.audit, operator, path, str(exc))
            alerter = ViolationAlerter.from_settings(settings.approvals, store.audit)
            if alerter is not None:
                alerter.raise_alert(load_failure(path, str(exc), operator), operator)
                alerter.finish()
        finally:
            store.close()
        raise
    announcer = ApprovalAnnouncer.from_settings(settings.approvals, store.audit)
    violations = ViolationAlerter.from_settings(settings.approvals, store.audit)
    approvals = ApprovalWorkflow(ApprovalStore(store.db), store.audit, notifier=announcer,
                                 alerter=_break_glass_alerts(announcer, violations),
                                 reference=settings.approvals.break_glass_reference,
                                 signer=load_signer(data_dir, purpose=APPROVER_PURPOSE))
    pipeline = Pipeline(fleet=fleet, settings=settings, audit=store.audit, policy=chosen,
                        approvals=approvals, timeline=Timeline(store.db), operator=operator,
                        summary_writer=summary_writer, summary_model=summary_model,
                        view=view, violations=violations,
                        policy_source=policy_source)
    return EngineHandle(pipeline, store, announcer, violations)


def _break_glass_alerts(announcer: ApprovalAnnouncer | None,
                        violations: ViolationAlerter | None) -> Alerter | None:
    """The break-glass alert (`approvals.alert_webhook_url`) and the violation alert."""
    if announcer is None and violations is None:
        return None

    def alert(request: ApprovalRequest, actor: Operator, justification: str) -> None:
        if announcer is not None:
            announcer.alert(request, actor, justification)
        if violations is not None:
            violations.raise_alert(break_glass(request, actor, justification), actor)
    return alert


def open_fleet_engine(settings: Settings, fleet: Fleet, data_dir: Path,
                      clusters: Sequence[str]) -> EngineHandle:
    """`open_engine` the way a session uses it: requests through each cluster's serving
    context, the operator named by the clusters' SelfSubjectReviews, model-written
    summaries when AI is on, live counts for risk. Blocking (network)."""
    operator = operator_for(fleet, list(clusters))
    writer, model = model_summary_writer(settings)
    return open_engine(settings, fleet, data_dir, operator, summary_writer=writer,
                       summary_model=model, view=FleetView(fleet),
                       policy_source=configured_policy_source(settings, fleet))


def configured_policy_source(settings: Settings, fleet: Fleet) -> Callable[[], Policy] | None:
    """The AuditPolicy reader `policy_from_cluster` names (None: the policy file)."""
    if not settings.policy_from_cluster:
        return None
    return cluster_policy_source(fleet, settings.policy_from_cluster)
