"""The validated configuration model: YAML file < KUBECHAT_* env < command-line flags."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kubechat_tui.config.fields import HttpUrl, TimeoutSeconds, UsablePath

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
    """The planner's model provider (litellm model string); rules planner when disabled."""

    enabled: bool = True
    provider: Literal["ollama", "openai", "anthropic", "gemini", "litellm"] = "ollama"
    model: str = "ollama/llama3.1"
    api_base: HttpUrl | None = None
    api_key_env: str | None = None  # env var holding the key; else keyring service "kubechat"
    timeout_seconds: TimeoutSeconds = 30.0
    redact_patterns: list[str] = Field(default_factory=list)  # extra regexes to redact


class AuditSettings(_Section):
    """Audit chain checkpoints, where their anchor file lives, and evidence export targets."""

    checkpoint_every: int = Field(default=100, ge=1)
    anchor_path: UsablePath | None = None  # absolute; default <database>.anchor.jsonl beside it
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


class ApprovalSettings(_Section):
    """Two-person approval: webhook announcing new requests."""

    webhook_url: HttpUrl | None = None
    webhook_timeout_seconds: TimeoutSeconds = 10.0  # waited for deliveries, at most, in all


class KubeSettings(_Section):
    """How the fleet talks to clusters: timeouts, list page size, memory cap."""

    connect_timeout_seconds: TimeoutSeconds = 5.0
    request_timeout_seconds: TimeoutSeconds = 30.0
    page_size: int = Field(default=1000, ge=10, le=10000)
    list_workers: int = Field(default=4, ge=1, le=64)  # clusters listed/parsed at once
    max_rows_per_cluster: int = Field(default=100_000, ge=100)


class Settings(_Section):
    """Everything kubechat reads from config; see docs/configuration.md."""

    cluster_sets: dict[str, list[str]] = Field(default_factory=dict)
    production_clusters: list[str] = Field(default_factory=lambda: ["prod*", "*-prod", "*prod-*"])
    default_namespace: str | None = None
    theme: str = "kubechat-dark"
    keymap: dict[str, str] = Field(default_factory=dict)  # binding id -> key(s)
    policy_file: UsablePath | None = None
    storage: StorageSettings = Field(default_factory=StorageSettings)
    ai: AISettings = Field(default_factory=AISettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    kube: KubeSettings = Field(default_factory=KubeSettings)

    @field_validator("default_namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return None if value is None else check_namespace(value)

    def is_production(self, cluster: str) -> bool:
        """True when the cluster matches a production pattern."""
        return any(fnmatch(cluster, pattern) for pattern in self.production_clusters)
