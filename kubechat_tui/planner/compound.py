"""Compound requests with a change: "describe pod x and delete pod y", two lines.

Planned clause by clause only when the one change stands on its own: exactly one clause
asks for it, that clause names its own target, and no two clauses name different scopes.
Otherwise the request is refused with what to ask instead; "delete it" after "logs of
web" is never resolved to an object to change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Scope
from kubechat_tui.kube.lookup import ClusterView
from kubechat_tui.planner.drafts import Draft, NoTarget, NotPlanned
from kubechat_tui.planner.intents import Intent, detect
from kubechat_tui.planner.refusals import refuse_unsafe, unclear_change
from kubechat_tui.planner.scope import ResolvedScope, ScopeError, resolve_scope

# RuleDrafter._clause: (clause text, its intent, the request's scope, compound) -> drafts.
ClauseDrafts = Callable[[str, Intent, ResolvedScope, bool], list[Draft]]


def compound_drafts(clauses: Sequence[str], scope: ResolvedScope, settings: Settings,
                    view: ClusterView | None, clause_drafts: ClauseDrafts) -> list[Draft]:
    """Reads of every clause, then the one change; raises NotPlanned saying why not."""
    parts = [(clause, detect(clause.lower())) for clause in clauses]
    changing = [clause for clause, intent in parts if intent.changes]
    if len(changing) != 1:
        where = "; ".join(repr(c) for c in changing) or "no single part"
        raise NotPlanned(f"could not tell which part of the request is the change ({where}); "
                         "ask for one change at a time, on its own")
    one_scope(clauses, settings, view)
    drafts: list[Draft] = []
    for clause, intent in parts:
        if not intent.changes:
            refuse_unsafe(clause.lower(), intent)  # "delete secret x and show secrets"
            drafts += clause_drafts(clause, intent, scope, True)
    change = changing[0]
    try:
        drafts += clause_drafts(change, detect(change.lower()), scope, True)
    except NoTarget:
        raise unclear_change(change, drafts) from None
    return drafts


def one_scope(clauses: Sequence[str], settings: Settings, view: ClusterView | None) -> None:
    """Refuse clauses that name different clusters or different namespaces."""
    known = view.cluster_names() if view is not None else ()
    clusters: set[tuple[str, ...]] = set()
    namespaces: set[str] = set()
    for clause in clauses:
        try:
            own = resolve_scope(clause, settings, Scope(), known)
        except ScopeError:  # the whole request resolved; a part alone may not
            continue
        if own.from_text:
            clusters.add(own.clusters)
        if own.namespace or own.all_namespaces:
            namespaces.add(own.namespace or "(all namespaces)")
    if len(clusters) > 1 or len(namespaces) > 1:
        named = sorted(", ".join(c) for c in clusters) if len(clusters) > 1 \
            else sorted(namespaces)
        raise NotPlanned(f"the parts of this request name different scopes "
                         f"({' / '.join(named)}); ask for the change on its own, with its "
                         "scope")
