"""Drafts -> a rendered, risk-scored Plan; and re-scoring a plan after edits."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import RESOURCES, ParamValue, Plan, PlanEdits, Step, Verb
from kubechat_tui.domain.plan import MAX_ASK_APPROVAL
from kubechat_tui.guard.risk import assess_plan
from kubechat_tui.kube.lookup import ClusterView, map_clusters
from kubechat_tui.planner.drafts import Draft, Unplannable
from kubechat_tui.planner.existence import check_changed_objects
from kubechat_tui.planner.render import build_step
from kubechat_tui.planner.scope import ResolvedScope
from kubechat_tui.planner.text import is_image, is_name, is_selector, printable

EDITABLE_FIELDS = ("namespace", "name", "selector", "clusters", "accepted", "ask_approval")
_CONTEXT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/@\-]{0,252}$")  # kubeconfig context names


class EditError(ValueError):
    """An edit with a bad value (one-line message)."""


def plan_namespace(drafts: Sequence[Draft], scope: ResolvedScope,
                   view: ClusterView | None) -> str | None:
    """The scope's namespace, else the one namespace holding the first named target."""
    if scope.namespace or scope.all_namespaces or view is None:
        return scope.namespace
    named = next((d for d in drafts if d.name and RESOURCES[d.resource].namespaced), None)
    if named is None or named.name is None:
        return None
    resource, name = named.resource, named.name
    found: set[str] = set()
    for namespaces in map_clusters(scope.clusters, lambda c: view.locate(c, resource, name)):
        found.update(namespaces or [])
    if len(found) > 1:
        raise Unplannable(f"{named.resource}/{named.name} exists in namespaces "
                              f"{', '.join(sorted(found))}; say which (\"in NAMESPACE\")")
    return found.pop() if found else None


def assemble(text: str, planner: str, scope: ResolvedScope, drafts: Sequence[Draft],
             settings: Settings, view: ClusterView | None, notes: Sequence[str] = ()) -> Plan:
    """Render and score the drafts as a Plan (diagnostics first, then changes)."""
    namespace = plan_namespace(drafts, scope, view)
    check_changed_objects(drafts, namespace, scope.clusters, view)
    drafts, skipped = without_metrics(drafts, scope, view)
    notes = (*notes, *skipped)
    steps = [
        build_step(f"s{i}", d.verb, d.resource, namespace=d.namespace or namespace,
                   name=d.name, selector=d.selector, clusters=d.clusters or scope.clusters,
                   params=d.params, reason=d.reason)
        for i, d in enumerate(drafts, start=1)
    ]
    resolved = scope.as_scope().model_copy(update={"namespace": namespace})
    plan = Plan(input=text, planner=planner, scope=resolved, steps=ordered(steps),
                notes=tuple(notes))
    return assess_plan(plan, settings, view)


def without_metrics(drafts: Sequence[Draft], scope: ResolvedScope,
                    view: ClusterView | None) -> tuple[list[Draft], list[str]]:
    """`top` only where the metrics API is served; dropped (with a note) where it is not."""
    if view is None or not any(d.verb is Verb.TOP for d in drafts):
        return list(drafts), []
    missing = [c for c in scope.clusters if view.has_metrics(c) is False]
    if not missing:
        return list(drafts), []
    left = tuple(c for c in scope.clusters if c not in missing)
    note = f"kubectl top skipped on {', '.join(missing)}: no metrics API"
    kept = [d for d in drafts if d.verb is not Verb.TOP]
    if left:
        kept += [Draft(d.verb, d.resource, d.name, d.selector, d.params, d.reason, d.namespace,
                       left) for d in drafts if d.verb is Verb.TOP]
    if not kept:
        raise Unplannable(note)
    return kept, [note]


def ordered(steps: Sequence[Step]) -> tuple[Step, ...]:
    """Accepted diagnostics, then changes, then skipped diagnostics (planner order within)."""
    def key(step: Step) -> tuple[int, int]:
        group = 1 if step.mutating else (0 if step.accepted else 2)
        digits = "".join(ch for ch in step.id if ch.isdigit())
        return group, int(digits) if digits else 0
    return tuple(sorted(steps, key=key))


def rescore(plan: Plan, edits: PlanEdits, settings: Settings,
            view: ClusterView | None) -> Plan:
    """Apply edits (step id or "*" -> field -> value), re-render and re-score every step."""
    ids = {s.id for s in plan.steps}
    known = view.cluster_names() if view is not None else None
    unknown = [k for k in edits if k != "*" and k not in ids]
    if unknown:
        raise EditError(f"no step {unknown[0]!r} in this plan")
    steps = []
    for step in plan.steps:
        changes = {**edits.get("*", {}), **edits.get(step.id, {})}
        steps.append(_edited(step, changes, known) if changes else step)
    update: dict[str, object] = {"steps": ordered(steps)}
    if any("clusters" in change for change in edits.values()):  # the header follows an edit
        moved = tuple(dict.fromkeys(c for s in steps for c in s.clusters))
        update["scope"] = plan.scope.model_copy(update={"clusters": moved or plan.scope.clusters})
    return assess_plan(plan.model_copy(update=update), settings, view)


def _edited(step: Step, changes: dict[str, ParamValue], known: list[str] | None) -> Step:
    fields: dict[str, object] = {
        "namespace": step.namespace, "name": step.name, "selector": step.selector,
        "clusters": step.clusters, "accepted": step.accepted,
        "ask_approval": step.ask_approval}
    params = dict(step.params)
    for key, value in changes.items():
        if key in EDITABLE_FIELDS:
            fields[key] = _check_field(key, value, step, known)
        else:
            params[key] = _check_param(key, value)
    return build_step(
        step.id, step.verb, step.resource, namespace=fields["namespace"],  # type: ignore[arg-type]
        name=fields["name"], selector=fields["selector"],  # type: ignore[arg-type]
        clusters=fields["clusters"], params=params, reason=step.reason,  # type: ignore[arg-type]
        accepted=bool(fields["accepted"]), ask_approval=str(fields["ask_approval"] or ""))


def _check_field(key: str, value: ParamValue, step: Step, known: list[str] | None) -> object:
    if key == "accepted":
        if not isinstance(value, bool):
            raise EditError("accepted must be true or false")
        if step.mutating and not value:
            raise EditError("only diagnostics can be skipped; remove a change by re-planning")
        return value
    if key == "ask_approval":
        text = " ".join(printable(str(value or "")).split())
        if not step.mutating and text:
            raise EditError("only a change can be marked as needing approval")
        if len(text) > MAX_ASK_APPROVAL:
            raise EditError(f"ask_approval is at most {MAX_ASK_APPROVAL} characters")
        return text
    if key == "clusters":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(
                isinstance(c, str) and _CONTEXT.match(c) for c in items):
            raise EditError("clusters must be one or more cluster names")
        unknown = [c for c in items if known is not None and c not in known]
        if unknown:
            raise EditError(f"unknown cluster {unknown[0]!r}")
        return tuple(dict.fromkeys(items))
    if value in (None, ""):
        if key == "name" and step.mutating and not step.selector:
            raise EditError("a change needs a name or a selector")
        return None
    text = str(value)
    valid = is_selector(text) if key == "selector" else is_name(text)
    if not valid:
        raise EditError(f"{text!r} is not a valid {key}")
    return text


_INT_PARAMS = {"replicas": (0, 1000), "tail_lines": (1, 10000), "to_revision": (1, 10**6),
               "timeout_seconds": (1, 86400)}


def _check_param(key: str, value: ParamValue) -> ParamValue:
    if key in _INT_PARAMS:
        low, high = _INT_PARAMS[key]
        try:
            number = int(str(value))
        except ValueError:
            raise EditError(f"{key} must be a whole number") from None
        if not low <= number <= high:
            raise EditError(f"{key} must be between {low} and {high}")
        return number
    if key == "image":
        if not is_image(str(value)):
            raise EditError(f"{value!r} is not an image reference")
        return str(value)
    if key == "container":
        if not is_name(str(value)) and value != "*":
            raise EditError(f"{value!r} is not a container name")
        return str(value)
    if key in ("previous",):
        return bool(value)
    raise EditError(f"{key!r} cannot be edited")
