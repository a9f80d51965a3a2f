"""The validated configuration model: YAML file < KUBECHAT_* env < command-line flags."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from kubechat_tui.config.fields import HttpUrl, TimeoutSeconds, UsablePath
from kubechat_tui.config.guard_source import GuardSource
from kubechat_tui.config.incident_settings import IncidentSettings

NAMESPACE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def check_namespace(name: str) -> str:
    """The name if it is a valid namespace (an RFC 1123 label); ValueError otherwise."""
    if not NAMESPACE_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid namespace name (lowercase letters, digits "
                         "and '-', at most 63 characters)")
    return name


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorageSettings(_Section):
    """Where the audit chain, approvals, timeline and policies live."""

    backend: Literal["sqlite", "postgres"] = "sqlite"
    path: UsablePath | None = None  # SQLite file (`~` expanded); default <data dir>/kubechat.db
    postgres_dsn: str | None = None

    @field_validator("backend")
    @classmethod
    def _available(cls, value: str) -> str:
        """Postgres is refused until the team-scale storage lands (it would write SQLite)."""
        if value == "postgres":
            raise ValueError("the postgres backend is not available yet (it comes with "
                             "team-scale storage); use sqlite")
        return value


class AISettings(_Section):
    """The planner's model provider; the rule planner answers when it is disabled, fails or
    does not answer within the planning budget."""

    enabled: bool = True
    provider: Literal["ollama", "openai", "anthropic", "gemini", "litellm"] = "ollama"
    model: str = "ollama/llama3.1"
    api_base: HttpUrl | None = None
    api_key_env: str | None = None  # env var holding the key; else keyring service "kubechat"
    timeout_seconds: TimeoutSeconds = 30.0  # one model request (summaries too)
    planning_budget_seconds: TimeoutSeconds = 5.0  # all of a plan's model time, then rules
    redact_patterns: list[str] = Field(default_factory=list)  # extra regexes to redact
    # `ask` with a model: the read-only tools it may call per question (0: none), and the
    # whole investigation's time (model turns and reads), both within the bounds
    investigate_max_calls: int = Field(default=8, ge=0, le=8)
    investigate_seconds: float = Field(default=60.0, gt=0, le=60)


class AuditSettings(_Section):
    """Audit chain checkpoints, where their anchor file lives, and evidence export targets."""

    checkpoint_every: int = Field(default=100, ge=1)
    anchor_path: UsablePath | None = None  # absolute; default <database>.anchor.jsonl beside it
    kept_value_retention_days: int = Field(default=30, ge=0)  # old Secret values for rollback
    s3_endpoint: str | None = None
    s3_region: str | None = None
    s3_access_key_env: str | None = None
    s3_secret_key_env: str | None = None

    @field_validator("anchor_path")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if not value.is_absolute():
            raise ValueError(f"{value}: the anchor file needs an absolute path")
        return value


# What a break-glass justification must name: a ticket or incident key (INC-4711, OPS-12,
# INC4711), an issue number (#4711) or a link to one.
BREAK_GLASS_REFERENCE = r"\b[A-Z][A-Z0-9]+-?[0-9]+\b|#[0-9]+\b|https?://\S+"


class ApprovalSettings(_Section):
    """Two-person approval: webhook announcing new requests; break-glass rules."""

    webhook_url: HttpUrl | None = None
    webhook_timeout_seconds: TimeoutSeconds = 10.0  # waited for deliveries, at most, in all
    alert_webhook_url: HttpUrl | None = None  # break-glass alerts; default: webhook_url
    break_glass_reference: str = BREAK_GLASS_REFERENCE  # regex a justification must match
    violation_webhook_url: HttpUrl | None = None  # violation alerts, Slack-compatible
    violation_json_url: HttpUrl | None = None  # violation alerts, plain JSON
    violation_alert_interval_seconds: int = Field(default=300, ge=0, le=86_400)  # per kind+rule

    @field_validator("break_glass_reference")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class KubeSettings(_Section):
    """How the fleet talks to clusters: timeouts, list page size, memory cap, drain wait,
    and how a throttled write is retried (`kube.retry`)."""

    connect_timeout_seconds: TimeoutSeconds = 5.0
    request_timeout_seconds: TimeoutSeconds = 30.0
    page_size: int = Field(default=1000, ge=10, le=10000)
    list_workers: int = Field(default=4, ge=1, le=64)  # clusters listed/parsed at once
    max_rows_per_cluster: int = Field(default=100_000, ge=100)
    exec_timeout_seconds: float = Field(default=10.0, gt=0)  # a credential plugin's run
    drain_timeout_seconds: int = Field(default=300, ge=1, le=86_400)  # evictions must finish
    retry_attempts: int = Field(default=3, ge=1, le=10)  # tries of a 429 with Retry-After
    retry_wait_seconds: float = Field(default=30.0, ge=0, le=300)  # waited for them, in all
    read_deadline_seconds: TimeoutSeconds = 6.0  # each cluster answers a read within this
    log_ring_lines: int = Field(default=20_000, ge=100, le=1_000_000)  # a log tail's memory


class ExecSettings(_Section):
    """Exec sessions (`kubechat exec`, the console's exec pane): when an idle session is
    warned and ended, and the longest any session may run."""

    idle_timeout_seconds: TimeoutSeconds = 900.0  # no input for this long ends the session
    idle_notice_seconds: float = Field(default=60.0, ge=0, le=3600)  # warned this long before
    max_session_seconds: float = Field(default=3600.0, gt=0, le=86_400)  # then it ends


class ClusterSettings(_Section):
    """One cluster (a kubeconfig cluster name): the context serving it and its tags."""

    context: str | None = None  # default: the current context, else the first reaching it
    tags: list[str] = Field(default_factory=list)  # `production` marks it production
    server: str | None = None  # the API server this name means, whatever a kubeconfig calls it


PRODUCTION_TAG = "production"


class Settings(_Section):
    """Everything kubechat reads from config; see docs/configuration.md."""

    _guard: GuardSource = PrivateAttr(default_factory=GuardSource)

    cluster_sets: dict[str, list[str]] = Field(default_factory=dict)
    clusters: dict[str, ClusterSettings] = Field(default_factory=dict)
    production_clusters: list[str] = Field(default_factory=lambda: ["prod*", "*-prod", "*prod-*"])
    default_namespace: str | None = None
    theme: str = "kubechat-dark"
    keymap: dict[str, str] = Field(default_factory=dict)  # binding id -> key(s)
    policy_file: UsablePath | None = None
    # An AuditPolicy custom resource, CONTEXT/NAMESPACE/NAME: replaces policy_file
    policy_from_cluster: str | None = None
    storage: StorageSettings = Field(default_factory=StorageSettings)
    ai: AISettings = Field(default_factory=AISettings)
    ai_from_cluster: str | None = None  # an AIProvider resource, CONTEXT/NAMESPACE/NAME
    audit: AuditSettings = Field(default_factory=AuditSettings)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    kube: KubeSettings = Field(default_factory=KubeSettings)
    exec: ExecSettings = Field(default_factory=ExecSettings)
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)

    @field_validator("default_namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return None if value is None else check_namespace(value)

    def is_production(self, cluster: str) -> bool:
        """True when the cluster name matches a production pattern or has the tag."""
        tagged = self.clusters.get(cluster)
        return (tagged is not None and PRODUCTION_TAG in tagged.tags) or any(
            fnmatch(cluster, pattern) for pattern in self.production_clusters)

    def with_guard(self, source: GuardSource) -> Settings:
        """These settings, remembering where their guard settings came from."""
        self._guard = source
        return self

    @property
    def guard(self) -> GuardSource:
        """Where the guard settings came from (defaults: no system config)."""
        return self._guard

    def pinned_servers(self) -> dict[str, str]:
        """server URL -> the cluster name the config gives it (`clusters.NAME.server`)."""
        return {c.server: name for name, c in self.clusters.items() if c.server}

    def cluster_contexts(self) -> dict[str, str]:
        """cluster -> the context configured to serve it."""
        return {name: c.context for name, c in self.clusters.items() if c.context}
