"""A model's valid steps checked against what the request asks (`request_intent`).

A read-only step is kept. A change is kept only when the request asks for a change and the
step is that change: a verb of the same family (scale, restart, roll back, ...), the kind
the request states (or, when it states none, a kind that family applies to; a delete needs
the kind stated), and a target the request gives: an object it names or the label selector
it writes, literally. One change per plan. Anything else is dropped and the plan says so
("dropped: ..."). For a question, a change the model proposes on an object the question
names is offered as a request to make (`suggested`), never as a step of the plan.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from kubechat_tui.domain import RESOURCES, Verb
from kubechat_tui.planner.drafts import Draft
from kubechat_tui.planner.intents import Change
from kubechat_tui.planner.request_intent import (
    CHANGE_VERBS,
    UNSTATED_KINDS,
    Objects,
    RequestIntent,
)
from kubechat_tui.planner.scope import ResolvedScope


@dataclass
class Vetted:
    """The steps kept, a note per dropped step, and the requests a question may lead to."""

    drafts: list[Draft] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    suggested: list[str] = field(default_factory=list)


def vet(drafts: list[Draft], request: RequestIntent, scope: ResolvedScope) -> Vetted:
    """Keep the model's drafts the request allows; drop the others, saying why."""
    vetted = Vetted()
    changed = False
    for draft in drafts:
        if not draft.verb.mutating:
            vetted.drafts.append(draft)
            continue
        problem = change_problem(draft, request)
        if problem is None and changed:
            problem = "a second change; kubechat plans one change at a time"
        if problem is None:
            vetted.drafts.append(draft)
            changed = True
            continue
        if request.question and target_problem(draft, request.objects) is None:
            ask = as_request(draft, scope)
            vetted.suggested.append(ask)
            problem += f"; to make this change, ask for it: {ask!r}"
        vetted.dropped.append(f"dropped: {shown(draft)}: {problem}")
    return vetted


def change_problem(draft: Draft, request: RequestIntent) -> str | None:
    """Why the request does not allow this change; None when it does."""
    change = request.change
    if change is None:
        return request.no_change
    if draft.verb not in CHANGE_VERBS[change]:
        return f"{draft.verb.value} is not the change the request asks for ({change.value})"
    kinds = request.objects.kinds
    if draft.verb is Verb.DELETE and change is Change.RESTART:
        allowed = kinds & {"pods"}  # "restart pod x": deleted, recreated by its controller
        if draft.resource not in allowed:
            return "only a pod the request names as 'pod NAME' restarts by being deleted"
    else:
        allowed = kinds or UNSTATED_KINDS[change]
    if draft.resource not in allowed:
        if not allowed:
            return f"the request does not say which kind of object to {change.value}"
        return (f"the request asks to {change.value} {' or '.join(sorted(allowed))}, "
                f"not {draft.resource}")
    return target_problem(draft, request.objects)


def target_problem(draft: Draft, objects: Objects) -> str | None:
    """Why the change's target is not one the request gives; None when it is."""
    if draft.name is None and draft.selector is None:
        return "the change names no object"
    if draft.name is not None and not objects.names_object(draft.name):
        return f"the request does not name {draft.name}"
    if draft.selector is not None and _selector(draft.selector) != _selector(objects.selector):
        stated = f"states {objects.selector!r}" if objects.selector else "states no selector"
        return f"the request {stated}, not the selector {draft.selector!r}"
    return None


def shown(draft: Draft) -> str:
    """The step as the model asked for it: `delete pods -l '!delete'`."""
    words = [draft.verb.value, draft.resource]
    if draft.name:
        words.append(draft.name)
    if draft.selector:
        words += ["-l", shlex.quote(draft.selector)]
    if draft.namespace:
        words += ["-n", draft.namespace]
    return " ".join(words)


def as_request(draft: Draft, scope: ResolvedScope) -> str:
    """The change as a request the user can make ("restart deployment web in payments")."""
    kind = RESOURCES[draft.resource].kind.lower()
    target = f"{kind} {draft.name}" if draft.name else f"{draft.resource} -l {draft.selector}"
    params = draft.params
    if draft.verb is Verb.SCALE:
        text = f"scale {target} to {params.get('replicas')}"
    elif draft.verb is Verb.ROLLOUT_RESTART:
        text = f"restart {target}"
    elif draft.verb is Verb.ROLLOUT_UNDO:
        revision = params.get("to_revision")
        text = f"roll back {target}" + (f" to revision {revision}" if revision else "")
    elif draft.verb is Verb.SET_IMAGE:
        container = f" container {params['container']}" if params.get("container") else ""
        text = f"set image of {target}{container} to {params.get('image')}"
    else:
        text = f"{draft.verb.value} {target}"
    namespace = draft.namespace or scope.namespace
    if namespace and RESOURCES[draft.resource].namespaced:
        text += f" in namespace {namespace}"
    clusters = draft.clusters or (scope.clusters if scope.from_text else ())
    if clusters:
        text += f" on {scope.cluster_set}" if scope.cluster_set and not draft.clusters \
            else " on " + " and ".join(clusters)
    return text


def _selector(selector: str | None) -> str | None:
    """A selector compared as written, whitespace aside."""
    return "".join(selector.split()) if selector is not None else None
