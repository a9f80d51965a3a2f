"""Who reaches which cluster: the kubeconfig modelled as kubectl models it.

A *cluster* is an API server (its `server` URL); a *user* holds credentials; a *context*
joins a cluster, a user and an optional namespace. Two cluster entries with the same server
are one cluster (named after the first entry, the others are its aliases), so `prod` and
`prod-view` reach one cluster and its rows appear once. A server the config names
(`clusters.NAME.server`, `pinned`) is called NAME whatever the kubeconfig calls it, so a
renamed copy of a production entry is still production. Nothing is ever inferred from a
context's name.

Each cluster of a session is served by exactly one context (`serving_contexts`):

- with `--context` (repeatable), the contexts asked for; two for one cluster is an error;
- otherwise every cluster, each through `clusters.NAME.context` from the config, else the
  current context when it reaches that cluster, else the first context (file order) that does.

`--as USER` picks, per cluster, the context whose user entry is USER (or, as the demo
kubeconfig spells it, `USER@<cluster>`), or whose name starts with `USER@`; the cluster's
own SelfSubjectReview then says who that really is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.kube.kubeconfig import Kubeconfig

DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True)
class ContextEntry:
    """One kubeconfig context, resolved to the cluster it reaches."""

    name: str
    cluster: str  # the cluster's name (first cluster entry with this server)
    user: str | None
    namespace: str | None


@dataclass(frozen=True)
class ClusterEntry:
    """One API server and every kubeconfig cluster entry that names it."""

    name: str
    server: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The name and every alias (what config patterns are matched against)."""
        return (self.name, *self.aliases)


def server_key(url: str) -> str:
    """A server URL in one spelling: lower-case scheme and host, explicit port, no '/'."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "https").lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        return url.strip()
    return f"{scheme}://{host}:{port}{parts.path.rstrip('/')}"


class Topology:
    """The clusters and contexts of a merged kubeconfig (see the module doc)."""

    def __init__(self, kubeconfig: Kubeconfig, pinned: Mapping[str, str] | None = None) -> None:
        self.kubeconfig = kubeconfig
        document = kubeconfig.document
        named = {server_key(url): name for url, name in (pinned or {}).items()}
        by_server: dict[str, ClusterEntry] = {}
        canonical: dict[str, str] = {}  # cluster entry name -> cluster name
        for entry in document.get("clusters", []):
            server = str((entry.get("cluster") or {}).get("server") or "")
            if not server:
                continue
            key = server_key(server)
            found = by_server.get(key)
            if found is None and key in named and named[key] != entry["name"]:
                by_server[key] = ClusterEntry(named[key], server, (entry["name"],))
                canonical[entry["name"]] = named[key]
            elif found is None:
                by_server[key] = ClusterEntry(entry["name"], server)
                canonical[entry["name"]] = entry["name"]
            else:
                by_server[key] = ClusterEntry(found.name, found.server,
                                              (*found.aliases, entry["name"]))
                canonical[entry["name"]] = found.name
        self.contexts: dict[str, ContextEntry] = {}
        self.broken: dict[str, str] = {}  # context -> why it cannot be used
        for entry in document.get("contexts", []):
            name = entry["name"]
            try:
                kubeconfig.check_context(name)
            except KubeconfigError as exc:
                self.broken[name] = str(exc)
                continue
            body = entry.get("context") or {}
            namespace = body.get("namespace")
            self.contexts[name] = ContextEntry(
                name, canonical[str(body["cluster"])],
                str(body["user"]) if body.get("user") else None,
                str(namespace) if isinstance(namespace, str) and namespace else None)
        reached = {c.cluster for c in self.contexts.values()}
        self.clusters: dict[str, ClusterEntry] = {
            c.name: c for c in by_server.values() if c.name in reached}

    def context(self, name: str) -> ContextEntry:
        """A usable context; KubeconfigError (one line) for an unknown or broken one."""
        if name in self.contexts:
            return self.contexts[name]
        if name in self.broken:
            raise KubeconfigError(self.broken[name])
        self.kubeconfig.check_context(name)  # raises with the list of known contexts
        raise KubeconfigError(f"context {name!r} cannot be used")  # pragma: no cover

    def contexts_of(self, cluster: str) -> list[ContextEntry]:
        """Every usable context reaching a cluster, kubeconfig order."""
        return [c for c in self.contexts.values() if c.cluster == cluster]

    def serving_contexts(self, asked: Sequence[str] = (),
                         preferred: Mapping[str, str] | None = None) -> dict[str, str]:
        """cluster -> the context serving it (see the module doc); KubeconfigError when two
        asked contexts reach one cluster or a preferred context does not reach its cluster."""
        if asked:
            chosen: dict[str, str] = {}
            for name in dict.fromkeys(asked):
                cluster = self.context(name).cluster
                if cluster in chosen:
                    raise KubeconfigError(
                        f"--context {chosen[cluster]} and --context {name} both reach cluster "
                        f"{cluster!r}: a cluster is served by one context, choose one")
                chosen[cluster] = name
            return chosen
        current = self.kubeconfig.current_context
        if current is not None and current not in self.contexts:
            self.context(current)  # a broken current context is an error, as for kubectl
        served: dict[str, str] = {}
        for cluster in self.clusters:
            choice = self._preferred(cluster, preferred or {})
            if choice is None and current is not None and \
                    self.contexts[current].cluster == cluster:
                choice = current
            served[cluster] = choice or self.contexts_of(cluster)[0].name
        return served

    def _preferred(self, cluster: str, preferred: Mapping[str, str]) -> str | None:
        entry = self.clusters[cluster]
        for name in entry.names:
            wanted = preferred.get(name)
            if wanted is None:
                continue
            try:
                reached = self.context(wanted).cluster
            except KubeconfigError as exc:
                text = str(exc).rsplit(": context ", 1)[-1]
                raise KubeconfigError(f"clusters.{name}.context: context {text}") from None
            if reached != cluster:
                raise KubeconfigError(f"clusters.{name}.context: context {wanted!r} reaches "
                                      f"cluster {reached!r}, not {cluster!r}")
            return wanted
        return None

    def contexts_for_user(self, user: str, clusters: Sequence[str]) -> dict[str, str]:
        """cluster -> the context acting as `user` there (`--as USER`); KubeconfigError
        naming the first cluster with none or with several."""
        chosen: dict[str, str] = {}
        for cluster in clusters:
            found = [c.name for c in self.contexts_of(cluster)
                     if c.user in (user, f"{user}@{cluster}")
                     or (c.name.split("@", 1)[0] == user and "@" in c.name)]
            if not found:
                raise KubeconfigError(
                    f"--as {user}: no context reaches cluster {cluster!r} as {user} (a context "
                    f"whose user is {user!r} or whose name starts with '{user}@'); --as needs "
                    "one for every cluster involved, so that the cluster itself "
                    "authenticates that user")
            if len(found) > 1:
                raise KubeconfigError(f"--as {user}: several contexts reach cluster "
                                      f"{cluster!r} as {user} ({', '.join(found)}): use "
                                      "--context to choose")
            chosen[cluster] = found[0]
        return chosen

    def cluster_named(self, name: str) -> str | None:
        """The cluster a cluster entry name (or alias) stands for, else None."""
        for cluster in self.clusters.values():
            if name in cluster.names:
                return cluster.name
        return None
