"""Plain types the console and engine read from the fleet and the inventory."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Health(StrEnum):
    """How a cluster is doing, as shown by its banner badge."""

    CONNECTING = "connecting"
    OK = "ok"
    DEGRADED = "degraded"  # answering slowly, 429s or 5xx
    UNREACHABLE = "unreachable"  # refused / timed out; retried with backoff
    FORBIDDEN = "forbidden"  # credentials rejected (401/403 on discovery)


@dataclass(frozen=True)
class ClusterStatus:
    """One cluster's health and who we are there (from SelfSubjectReview)."""

    name: str
    health: Health
    production: bool = False
    identity: str | None = None
    groups: tuple[str, ...] = ()
    error: str | None = None  # one line, for the badge tooltip / status bar
    retry_in: float | None = None  # seconds until the next reconnect attempt
    context: str | None = None  # the kubeconfig context serving the cluster


@dataclass(frozen=True)
class ResourceKind:
    """A table the console can show: `:pods`, `:nodes`, `:events`, `:deploy`.

    Rows are plain tuples aligned with `columns`; column 0 is always CLUSTER.
    Columns named in `age_columns` hold RFC 3339 timestamps; the view renders ages.
    `key_columns` are the indexes of (cluster, namespace, name) in a row.
    """

    name: str
    api_path: str  # e.g. "/api/v1/pods" (cluster-wide) with "{ns}" support via namespaced
    namespaced: bool
    columns: tuple[str, ...]
    age_columns: frozenset[str] = frozenset({"AGE"})
    key_columns: tuple[int, int, int] = (0, 1, 2)
    aliases: tuple[str, ...] = ()


@dataclass
class LoadProgress:
    """Per-cluster load state of one inventory: rows so far, done, last error."""

    cluster: str
    rows: int = 0
    done: bool = False
    error: str | None = None
    pages: int = field(default=0)
    relists: int = 0  # full re-lists after a watch expired (410 Gone)
