"""The validated configuration model: YAML file < KUBECHAT_* env < command-line flags."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorageSettings(_Section):
    """Where the audit chain, approvals, timeline and policies live."""

    backend: Literal["sqlite", "postgres"] = "sqlite"
    path: Path | None = None  # SQLite file; default <data dir>/kubechat.db
    postgres_dsn: str | None = None


class AISettings(_Section):
    """The planner's model provider (litellm model string); rules planner when disabled."""

    enabled: bool = True
    provider: Literal["ollama", "openai", "anthropic", "gemini", "litellm"] = "ollama"
    model: str = "ollama/llama3.1"
    api_base: str | None = None
    api_key_env: str | None = None  # env var holding the key; else keyring service "kubechat"
    timeout_seconds: float = 30.0
    redact_patterns: list[str] = Field(default_factory=list)  # extra regexes to redact


class AuditSettings(_Section):
    """Audit chain checkpoints and evidence export targets."""

    checkpoint_every: int = Field(default=100, ge=1)
    s3_endpoint: str | None = None
    s3_region: str | None = None
    s3_access_key_env: str | None = None
    s3_secret_key_env: str | None = None


class ApprovalSettings(_Section):
    """Two-person approval: webhook announcing new requests."""

    webhook_url: str | None = None


class Settings(_Section):
    """Everything kubechat reads from config; see docs/configuration.md."""

    cluster_sets: dict[str, list[str]] = Field(default_factory=dict)
    production_clusters: list[str] = Field(default_factory=lambda: ["prod*", "*-prod", "*prod-*"])
    default_namespace: str | None = None
    theme: str = "kubechat-dark"
    keymap: dict[str, str] = Field(default_factory=dict)  # binding id -> key(s)
    policy_file: Path | None = None
    storage: StorageSettings = Field(default_factory=StorageSettings)
    ai: AISettings = Field(default_factory=AISettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)

    def is_production(self, cluster: str) -> bool:
        """True when the cluster matches a production pattern."""
        return any(fnmatch(cluster, pattern) for pattern in self.production_clusters)
