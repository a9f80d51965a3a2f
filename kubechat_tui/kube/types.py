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
    `sources` say where each column after CLUSTER comes from in the server's Table: a cell
    by its column name (`("cell", "Ready")`) or a metadata field (`("meta", "namespace")`).
    """

    name: str
    api_path: str  # e.g. "/api/v1/pods" (cluster-wide) with "{ns}" support via namespaced
    namespaced: bool
    columns: tuple[str, ...]
    age_columns: frozenset[str] = frozenset({"AGE"})
    key_columns: tuple[int, int, int] = (0, 1, 2)
    aliases: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()


class DataState(StrEnum):
    """Whether one cluster's rows of an inventory are kept current (see kube/freshness.py)."""

    LOADING = "loading"  # the first list is under way
    CURRENT = "current"  # listed, and the watch is open (or opening)
    RECONNECTING = "reconnecting"  # the watch ended a moment ago and is resuming
    STALE = "stale"  # rows shown, but not kept current (watch or re-list failing)
    FAILED = "failed"  # the first list failed: no rows yet, retried


@dataclass
class LoadProgress:
    """Per-cluster state of one inventory: rows so far, whether they are current, why not."""

    cluster: str
    rows: int = 0
    done: bool = False  # the first list completed
    error: str | None = None  # why the rows are not current (one line), else None
    pages: int = field(default=0)
    relists: int = 0  # full re-lists after a watch expired (410 Gone)
    state: DataState = DataState.LOADING
    since: float = 0.0  # time.monotonic() when `state` began (STALE: when updates stopped)
    note: str | None = None  # not an error: e.g. the rows were capped

    @property
    def loaded(self) -> bool:
        """Listed and kept current (a watch resuming within its grace counts)."""
        return self.state in (DataState.CURRENT, DataState.RECONNECTING)
