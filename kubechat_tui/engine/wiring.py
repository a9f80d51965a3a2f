"""Build a Pipeline from settings, a fleet and a data dir (the CLI and the console share it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approvals import ApprovalWorkflow, webhook_alerter, webhook_notifier
from kubechat_tui.engine.identity import operator_for
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.summary import SummaryWriter
from kubechat_tui.engine.summary_llm import model_summary_writer
from kubechat_tui.engine.trail import policy_load_failed
from kubechat_tui.guard.policy import DEFAULT_POLICY, Policy, PolicyError, load_configured_policy
from kubechat_tui.kube.fleet import Fleet
from kubechat_tui.kube.lookup import ClusterView, FleetView
from kubechat_tui.kube.mutations import ApiRequester
from kubechat_tui.store.approvals import ApprovalStore
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.database import Database, open_database
from kubechat_tui.store.signing import load_signer
from kubechat_tui.store.timeline import Timeline

DB_FILE = "kubechat.db"


@dataclass
class EngineHandle:
    """A pipeline and the store objects it holds open; `close()` signs the audit head."""

    pipeline: Pipeline
    db: Database
    audit: AuditLog

    def close(self) -> None:
        """Checkpoint the audit chain (session end) and close the database."""
        self.close_store(self.db, self.audit)

    @staticmethod
    def close_store(db: Database, audit: AuditLog) -> None:
        """Checkpoint the audit chain, then close the database (even when that fails)."""
        try:
            audit.close()
        finally:
            db.close()


def database_path(settings: Settings, data_dir: Path) -> Path:
    """The SQLite file: storage.path from config, else <data dir>/kubechat.db."""
    return settings.storage.path or data_dir / DB_FILE


def open_engine(settings: Settings, fleet: ApiRequester, data_dir: Path, operator: Operator,
                *, policy: Policy | None = None, summary_writer: SummaryWriter | None = None,
                summary_model: str = "", view: ClusterView | None = None) -> EngineHandle:
    """Open the store, load the policy and build the pipeline. A broken policy raises
    PolicyError after an audited `policy.load_failed` record (the engine fails closed)."""
    db = open_database(database_path(settings, data_dir))
    try:
        audit = AuditLog(db, load_signer(data_dir),
                         checkpoint_every=settings.audit.checkpoint_every,
                         anchor_path=settings.audit.anchor_path)
    except BaseException:
        db.close()
        raise
    try:
        chosen = policy or load_configured_policy(settings)
    except PolicyError as exc:
        try:
            policy_load_failed(audit, operator, str(settings.policy_file or DEFAULT_POLICY),
                               str(exc))
        finally:
            EngineHandle.close_store(db, audit)
        raise
    alerts = settings.approvals.alert_webhook_url or settings.approvals.webhook_url
    approvals = ApprovalWorkflow(ApprovalStore(db), audit,
                                 notifier=webhook_notifier(settings.approvals.webhook_url),
                                 alerter=webhook_alerter(alerts),
                                 reference=settings.approvals.break_glass_reference)
    pipeline = Pipeline(fleet=fleet, settings=settings, audit=audit, policy=chosen,
                        approvals=approvals, timeline=Timeline(db), operator=operator,
                        summary_writer=summary_writer, summary_model=summary_model,
                        view=view)
    return EngineHandle(pipeline, db, audit)


def open_fleet_engine(settings: Settings, fleet: Fleet, data_dir: Path,
                      clusters: Sequence[str]) -> EngineHandle:
    """`open_engine` the way a session uses it: requests through each cluster's serving
    context, the operator named by the clusters' SelfSubjectReviews, model-written
    summaries when AI is on, live counts for risk. Blocking (network)."""
    operator = operator_for(fleet, list(clusters))
    writer, model = model_summary_writer(settings)
    return open_engine(settings, fleet, data_dir, operator, summary_writer=writer,
                       summary_model=model, view=FleetView(fleet))
