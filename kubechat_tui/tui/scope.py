"""What the console is looking at: clusters (maybe a named set), namespace, resource kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

ALL_CLUSTERS = "all"
LIST_CLUSTERS_UP_TO = 6  # the banner names at most this many clusters


class ScopeError(ValueError):
    """A scope change that cannot be made; the message is one line for the status bar."""


@dataclass(frozen=True)
class ViewScope:
    """The clusters, namespace, kind and label selector the table shows."""

    clusters: tuple[str, ...]
    namespace: str | None = None
    cluster_set: str | None = None  # name of the saved set, ALL_CLUSTERS, or None (ad hoc)
    kind: str = "pods"
    label_selector: str | None = None

    def describe_clusters(self) -> str:
        """The cluster part of the banner: `set (a, b)`, the list, or a count when long."""
        if len(self.clusters) > LIST_CLUSTERS_UP_TO:
            names = f"{len(self.clusters)} clusters"
        else:
            names = ", ".join(self.clusters) or "no clusters"
        if self.cluster_set and self.cluster_set != ALL_CLUSTERS:
            return f"{self.cluster_set} ({names})"
        if self.cluster_set == ALL_CLUSTERS:
            return f"all ({names})"
        return names


class ScopeNavigator:
    """Cluster-set cycling and selection against the fleet's known clusters."""

    def __init__(self, known: Sequence[str], cluster_sets: Mapping[str, Sequence[str]],
                 routes: Mapping[str, str] | None = None) -> None:
        self.known = list(known)
        self.cluster_sets = {name: list(members) for name, members in cluster_sets.items()}
        # the context serving each cluster, so `:ctx CONTEXT` finds its cluster
        self.cluster_of = {context: cluster for cluster, context in (routes or {}).items()}

    def set_names(self) -> list[str]:
        """`all` first, then the saved sets in config order."""
        return [ALL_CLUSTERS, *self.cluster_sets]

    def members(self, set_name: str) -> tuple[str, ...]:
        """The known clusters of a set; raises ScopeError for unknown or empty sets."""
        if set_name == ALL_CLUSTERS:
            return tuple(self.known)
        if set_name not in self.cluster_sets:
            have = ", ".join(self.set_names())
            raise ScopeError(f"unknown cluster set {set_name!r} (have: {have})")
        present = tuple(c for c in self.cluster_sets[set_name] if c in self.known)
        if not present:
            raise ScopeError(f"cluster set {set_name!r} has no cluster in the kubeconfig")
        return present

    def use_set(self, scope: ViewScope, set_name: str) -> ViewScope:
        """The scope switched to a saved set (or `all`)."""
        return replace(scope, clusters=self.members(set_name), cluster_set=set_name)

    def cycle_set(self, scope: ViewScope, step: int = 1) -> ViewScope:
        """The next (or previous) set after the current one, skipping sets with no cluster."""
        names = self.set_names()
        start = names.index(scope.cluster_set) if scope.cluster_set in names else -1
        for offset in range(1, len(names) + 1):
            candidate = names[(start + step * offset) % len(names)]
            try:
                return self.use_set(scope, candidate)
            except ScopeError:
                continue
        raise ScopeError("no cluster set has a cluster in the kubeconfig")

    def jump_set(self, scope: ViewScope, number: int) -> ViewScope:
        """Set number N (1-based, config order); 0 means all clusters."""
        if number == 0:
            return self.use_set(scope, ALL_CLUSTERS)
        saved = list(self.cluster_sets)
        if not 1 <= number <= len(saved):
            raise ScopeError(f"no cluster set {number} (have {len(saved)})")
        return self.use_set(scope, saved[number - 1])

    def use_contexts(self, scope: ViewScope, spec: str) -> ViewScope:
        """`:ctx a,b` — ad hoc clusters, by cluster name or by the context serving it; a
        set name also works; empty means all."""
        spec = spec.strip()
        if not spec:
            return self.use_set(scope, ALL_CLUSTERS)
        if spec in self.cluster_sets or spec == ALL_CLUSTERS:
            return self.use_set(scope, spec)
        names = [part.strip() for part in spec.split(",") if part.strip()]
        clusters = [n if n in self.known else self.cluster_of.get(n, n) for n in names]
        unknown = [n for n, c in zip(names, clusters, strict=True) if c not in self.known]
        if unknown:
            raise ScopeError(f"unknown cluster {unknown[0]!r} (have: {', '.join(self.known)}; "
                             "a context other than the one serving a cluster needs a new "
                             "session: kubechat --context NAME)")
        return replace(scope, clusters=tuple(dict.fromkeys(clusters)), cluster_set=None)
