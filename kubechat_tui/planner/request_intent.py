"""What a request asks to change, read from the request's own words once for both planners.

The rule planner drafts from it, and a model's steps are checked against it
(`llm_vetting`): a model proposes, the request decides what may change. The change is the
one change family the request asks for outside its questions (`intents.detect`), in the one
clause that asks for it (`clauses`), on the kind, object names and label selector that
clause states (`targets`). There is no change to make when the request is a question, asks
for several changes, names several objects to change, or refers back ("delete it").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Verb
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES
from kubechat_tui.kube.lookup import ClusterView
from kubechat_tui.planner.changes import deleted_namespace
from kubechat_tui.planner.clauses import has_pronoun, split_clauses
from kubechat_tui.planner.compound import one_scope
from kubechat_tui.planner.drafts import NotPlanned
from kubechat_tui.planner.intents import Change, Intent, detect
from kubechat_tui.planner.scope import ResolvedScope
from kubechat_tui.planner.targets import find_target, named_objects

# The verbs of each change family (a pod "restarts" by being deleted; drain cordons itself).
CHANGE_VERBS: dict[Change, frozenset[Verb]] = {
    Change.SCALE: frozenset({Verb.SCALE}),
    Change.RESTART: frozenset({Verb.ROLLOUT_RESTART, Verb.DELETE}),
    Change.UNDO: frozenset({Verb.ROLLOUT_UNDO}),
    Change.SET_IMAGE: frozenset({Verb.SET_IMAGE}),
    Change.CORDON: frozenset({Verb.CORDON}),
    Change.UNCORDON: frozenset({Verb.UNCORDON}),
    Change.DRAIN: frozenset({Verb.DRAIN}),
    Change.DELETE: frozenset({Verb.DELETE}),
    Change.PATCH: frozenset({Verb.PATCH}),
    Change.APPLY: frozenset({Verb.APPLY}),
}
_NODES = frozenset({"nodes"})
# The kinds a change applies to when the request states none; a delete needs a stated kind.
UNSTATED_KINDS: dict[Change, frozenset[str]] = {
    Change.SCALE: frozenset({"deployments", "statefulsets", "replicasets"}),
    Change.RESTART: WORKLOAD_RESOURCES,
    Change.UNDO: WORKLOAD_RESOURCES,
    Change.SET_IMAGE: WORKLOAD_RESOURCES,
    Change.CORDON: _NODES,
    Change.UNCORDON: _NODES,
    Change.DRAIN: _NODES,
    Change.DELETE: frozenset(),
    Change.PATCH: WORKLOAD_RESOURCES,
    Change.APPLY: WORKLOAD_RESOURCES,
}


@dataclass(frozen=True)
class Objects:
    """What a request (or its change clause) names: the kinds it states (plural resources;
    empty when it states none), the object names, and the label selector it writes."""

    kinds: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    selector: str | None = None
    text: str = ""  # the words they were read from, lower case

    def names_object(self, name: str) -> bool:
        """True when `name` is one of `names`, or a hyphenated name the text spells with
        spaces ("the payments api" -> payments-api)."""
        if name in self.names:
            return True
        spoken = name.replace("-", " ")
        return spoken != name and re.search(
            rf"(?<![-\w]){re.escape(spoken)}(?![-\w])", self.text) is not None


@dataclass
class RequestIntent:
    """The request's symptoms/reads/changes, its clauses, and the one change it asks for
    (None, with `no_change` saying why, when it asks for none that can be made)."""

    intent: Intent
    clauses: list[str]
    change: Change | None
    objects: Objects  # of the change clause; of the whole request when there is no change
    no_change: str = ""

    @property
    def question(self) -> bool:
        """True when the request asks about something and for no change."""
        return self.intent.question and not self.intent.changes

    def notes(self) -> tuple[str, ...]:
        """What the plan should say about how the request was read: a change asked with a
        question mark ("restart web?") is a question, and changes nothing."""
        if self.intent.changes or not self.intent.hedged:
            return ()
        return (f"read as a question (it ends with '?'), so nothing is changed; to "
                f"{self.intent.hedged[0].value}, ask for it without the question mark",)


def read_request(text: str, scope: ResolvedScope, settings: Settings,
                 view: ClusterView | None) -> RequestIntent:
    """The intent of the cleaned request `text` in its resolved `scope`."""
    intent = detect(text.lower())
    if not intent.changes:
        why = "the request is a question, not a request for a change" if intent.question \
            else "the request asks for no change"
        return RequestIntent(intent, [text], None, objects_in(text, None, scope), why)
    clauses = split_clauses(text)
    if len(intent.changes) > 1:
        names = " and ".join(c.value for c in intent.changes)
        return RequestIntent(intent, clauses, None, objects_in(text, None, scope),
                             f"the request asks for several changes ({names}); one at a time")
    change = intent.changes[0]
    changing = [c for c in clauses if detect(c.lower()).changes]
    if len(changing) != 1:
        return RequestIntent(intent, clauses, None, objects_in(text, None, scope),
                             "could not tell which part of the request is the change")
    clause = changing[0]
    objects = objects_in(clause, change, scope)
    why = ""
    if len(clauses) > 1:
        try:
            one_scope(clauses, settings, view)
        except NotPlanned as exc:
            why = exc.reason
    if len(named_objects(clause, scope.scope_words)) > 1:
        why = f"the request names several objects to {change.value}; one at a time"
    elif not (objects.names or objects.selector) and has_pronoun(clause):
        why = (f"{clause!r} does not say which object to {change.value} ('it' and the like "
               "are never resolved to an object to change)")
    if why:
        return RequestIntent(intent, clauses, None, objects, why)
    return RequestIntent(intent, clauses, change, objects)


def objects_in(text: str, change: Change | None, scope: ResolvedScope) -> Objects:
    """The kinds, names and selector `text` states; scope words (clusters, the namespace
    the request is in) are never object names."""
    low = text.lower()
    if change is Change.DELETE:
        namespace = deleted_namespace(low, scope)
        if namespace:
            return Objects(frozenset({"namespaces"}), frozenset({namespace}))
    target = find_target(text, low, scope.scope_words)
    names = set(named_objects(text, scope.scope_words))
    if target.name:
        names.add(target.name)
        stated = target.resource if target.kind_stated else None
    else:
        stated = target.noun  # "delete the failed pods", "delete pods -l app=web"
    kinds = frozenset({stated}) if stated else frozenset()
    return Objects(kinds, frozenset(names), target.selector, low)
