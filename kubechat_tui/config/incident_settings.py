"""The `incidents` config section: where alerts and deploys are imported from (and how an
alert's labels name its cluster, namespace and workload), how far before an incident its
timeline reaches, and the ticketing webhook an incident report is attached through."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kubechat_tui.config.fields import HttpUrl, TimeoutSeconds

DEFAULT_WORKLOAD_LABELS = ["deployment", "statefulset", "daemonset", "job_name", "workload"]


class IncidentSettings(BaseModel):
    """Incident timeline imports and hand-off."""

    model_config = ConfigDict(extra="forbid")

    lookback_minutes: int = Field(default=120, ge=0, le=10_080)  # imports shown before opening
    alertmanager_url: HttpUrl | None = None  # base URL; GET <url>/api/v2/alerts
    alertmanager_token_env: str | None = None  # bearer token; else keyring kubechat/alertmanager
    cluster_label: str = "cluster"
    namespace_label: str = "namespace"
    workload_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_WORKLOAD_LABELS))
    argocd_url: HttpUrl | None = None  # base URL; GET <url>/api/v1/applications
    argocd_token_env: str | None = None  # bearer token; else keyring kubechat/argocd
    argocd_destinations: dict[str, str] = Field(default_factory=dict)  # server/name -> cluster
    poll_seconds: int = Field(default=60, ge=5, le=3600)  # console re-import interval
    import_timeout_seconds: TimeoutSeconds = 10.0
    webhook_url: HttpUrl | None = None  # ticketing: incident reports are posted here
    webhook_format: Literal["generic", "jira"] = "generic"
    webhook_token_env: str | None = None  # bearer token; else keyring kubechat/incident-webhook
    jira_project: str = "OPS"
    webhook_attempts: int = Field(default=3, ge=1, le=10)
    webhook_timeout_seconds: TimeoutSeconds = 10.0  # the most a process waits at exit, in all
