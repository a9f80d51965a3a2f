"""What the rule planner refuses outright, and what it says when a change has no clear
target: the phrasings to try instead."""

from __future__ import annotations

from kubechat_tui.domain import RESOURCES
from kubechat_tui.planner.clauses import has_pronoun
from kubechat_tui.planner.drafts import Draft, NotPlanned
from kubechat_tui.planner.intents import (
    DESTRUCTIVE_ALL,
    SECRET_READ,
    UNSUPPORTED,
    Change,
    Intent,
    detect,
)
from kubechat_tui.planner.targets import noun_in

SUGGESTIONS = (
    "show crashlooping pods in prod",
    "why are pods pending in payments",
    "logs of deployment payments-api in prod-eu",
    "scale deployment payments-api in prod-eu to 5",
    "restart deployment payments-api in staging",
    "roll back deployment payments-api in canary",
    "drain node ip-10-0-3-7",
)
_EXAMPLES = {
    Change.SCALE: "scale {kind} {name} to 3",
    Change.SET_IMAGE: "set image of {kind} {name} to IMAGE:TAG",
    Change.UNDO: "roll back {kind} {name}",
    Change.CORDON: "cordon node NODE",
    Change.UNCORDON: "uncordon node NODE",
    Change.DRAIN: "drain node NODE",
}


def refuse_unsafe(low: str, intent: Intent) -> None:
    """Raise NotPlanned(blocked) for secret exposure, exec/shell and delete-everything."""
    if SECRET_READ.search(low) and intent.changes != [Change.DELETE]:
        raise NotPlanned("refused: kubechat never reveals or exports Secret values or "
                         "credentials; use your secret manager's audited access instead",
                         blocked=True)
    if UNSUPPORTED.search(low):
        raise NotPlanned("refused: exec, shells, port-forwards and proxies are not plan "
                         "steps; kubechat plans get/describe/logs/events and guarded changes "
                         "(for a guarded, recorded shell: :exec on a pod, or `kubechat exec`)",
                         blocked=True)
    if Change.DELETE in intent.changes and DESTRUCTIVE_ALL.search(low):
        raise NotPlanned("refused: deleting everything (all resources, a whole cluster) is "
                         "not something kubechat plans; name the objects to delete",
                         blocked=True)


def unclear_change(clause: str, reads: list[Draft]) -> NotPlanned:
    """Why a change that names no target ("delete it", "restart them") is not planned, with
    what to ask instead: the kind and name the rest of the request (`reads`) points at."""
    change = detect(clause.lower()).changes[0]
    named = next((d for d in reads if d.name), None)
    listed = next((d.resource for d in reads if d.resource != "events"), None)
    resource = named.resource if named else (listed or noun_in(clause.lower()) or "deployments")
    kind = RESOURCES[resource].kind.lower()
    name = named.name if named and named.name else "NAME"
    example = _EXAMPLES.get(change, "{change} {kind} {name}").format(
        change=change.value, kind=kind, name=name)
    refers = " ('it' and the like are never resolved to an object to change)" \
        if has_pronoun(clause) else ""
    return NotPlanned(f"{clause!r} does not say which object to {change.value}{refers}; ask "
                      f"for the change on its own with the object's kind and name, e.g. "
                      f"{example!r}", suggestions=(example, *SUGGESTIONS[:3]))
