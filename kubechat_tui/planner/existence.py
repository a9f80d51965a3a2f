"""A change on a named object must find that object: never a mutation whose kind or name
does not resolve ("delete pod payments-api" when payments-api is a deployment).

Checked against the live view when there is one; a cluster that does not answer leaves the
question open (the step then shows affected=None and a warning), it never blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from kubechat_tui.domain import RESOURCES
from kubechat_tui.kube.lookup import ClusterView, map_clusters
from kubechat_tui.planner.drafts import Draft, Unplannable

# Kinds searched for a name that is missing as written, to say what it is instead.
_OTHER_KINDS = ("deployments", "statefulsets", "daemonsets", "pods", "services", "jobs",
                "nodes", "namespaces")


def check_changed_objects(drafts: Sequence[Draft], namespace: str | None,
                          clusters: Sequence[str], view: ClusterView | None) -> None:
    """Raise Unplannable when a named change's object exists in none of its clusters."""
    if view is None:
        return
    for draft in drafts:
        if not draft.verb.mutating or not draft.name:
            continue
        where = tuple(draft.clusters or clusters)
        ns = (draft.namespace or namespace) if RESOURCES[draft.resource].namespaced else None
        counts = map_clusters(where, partial(_count, view, draft=draft, namespace=ns))
        if not where or any(count is None or count > 0 for count in counts):
            continue  # found somewhere, or a cluster did not answer
        raise Unplannable(_missing(view, draft, ns, where))


def _count(view: ClusterView, cluster: str, *, draft: Draft,
           namespace: str | None) -> int | None:
    return view.count(cluster, draft.resource, namespace,
                      field_selector=f"metadata.name={draft.name}")


def _missing(view: ClusterView, draft: Draft, namespace: str | None,
             clusters: Sequence[str]) -> str:
    place = f" in namespace {namespace}" if namespace else ""
    reason = (f"{draft.resource}/{draft.name} does not exist{place} on "
              f"{', '.join(clusters)}; kubechat plans no change on an object it cannot find")
    others = []
    for kind in _OTHER_KINDS:
        if kind == draft.resource:
            continue
        ns = namespace if RESOURCES[kind].namespaced else None
        found = view.count(clusters[0], kind, ns, field_selector=f"metadata.name={draft.name}")
        if found:
            others.append(RESOURCES[kind].kind.lower())
    if others:
        reason += (f" ({draft.name} is a {' and a '.join(others)} there: say e.g. "
                   f"'{draft.verb.value} {others[0]} {draft.name}')")
    return reason
