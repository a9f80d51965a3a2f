"""Build a Pipeline from settings, a fleet and a data dir (the CLI and the console share it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kubechat_tui.config.settings import Settings
from kubechat_tui.engine.approvals import ApprovalWorkflow, webhook_notifier
from kubechat_tui.engine.pipeline import Pipeline
from kubechat_tui.engine.summary import SummaryWriter
from kubechat_tui.guard.policy import Policy, load_configured_policy
from kubechat_tui.kube.lookup import ClusterView
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
        self.audit.close()
        self.db.close()


def database_path(settings: Settings, data_dir: Path) -> Path:
    """The SQLite file: storage.path from config, else <data dir>/kubechat.db."""
    return settings.storage.path or data_dir / DB_FILE


def open_engine(settings: Settings, fleet: ApiRequester, data_dir: Path, operator: Operator,
                *, policy: Policy | None = None, summary_writer: SummaryWriter | None = None,
                summary_model: str = "", view: ClusterView | None = None) -> EngineHandle:
    """Open the store, load the policy (PolicyError when broken) and build the pipeline."""
    chosen = policy or load_configured_policy(settings)
    db = open_database(database_path(settings, data_dir))
    try:
        audit = AuditLog(db, load_signer(data_dir),
                         checkpoint_every=settings.audit.checkpoint_every)
    except BaseException:
        db.close()
        raise
    approvals = ApprovalWorkflow(ApprovalStore(db), audit,
                                 notifier=webhook_notifier(settings.approvals.webhook_url))
    pipeline = Pipeline(fleet=fleet, settings=settings, audit=audit, policy=chosen,
                        approvals=approvals, timeline=Timeline(db), operator=operator,
                        summary_writer=summary_writer, summary_model=summary_model,
                        view=view)
    return EngineHandle(pipeline, db, audit)
