"""Each rule kind's test for one (step, cluster): None when it does not fire, else the reason."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from fnmatch import fnmatch
from typing import Any
from zoneinfo import ZoneInfo

from kubechat_tui.domain import Plan, Step, Verb
from kubechat_tui.guard.policy.cel import CelCondition
from kubechat_tui.guard.policy.decision import PolicyContext
from kubechat_tui.guard.policy.model import (
    AllowedNamespaces,
    ApprovalRule,
    BlastRadius,
    CelRule,
    ChangeFreeze,
    ExecAllowedRequesters,
    ExecDeniedCommands,
    LabelRule,
    ProtectedNamespaces,
)
from kubechat_tui.guard.policy.selectors import parse_selector

DEFAULT_REMEDIATION = {
    "protected_namespaces": "Change this namespace through its owners' reviewed GitOps flow.",
    "allowed_namespaces": "Ask the policy owners to allow the namespace, or target an allowed one.",
    "forbidden_labels": "The target is marked protected; remove the label through its owners.",
    "required_labels": "Label the target as the policy requires, then plan again.",
    "change_freeze": "Wait for the freeze to end, or use the break-glass path with a "
                     "written justification (flagged in the audit).",
    "max_blast_radius": "Narrow the plan (fewer clusters, a tighter selector) and plan again.",
    "approvals": "Request approval; another operator approves with "
                 "`kubechat approvals approve ID`.",
    "cel": "Change the plan so the policy condition no longer holds.",
    "exec_denied_commands": "Run a read-only command instead, or make the change through "
                            "a plan (`kubechat apply`).",
    "exec_allowed_requesters": "Ask someone in an allowed role to run it, or ask the policy "
                               "owners to allow your identity.",
}


def namespace_of(step: Step, plan: Plan) -> str | None:
    """The namespace a step acts in; the object's own name for `namespaces` steps."""
    if step.resource == "namespaces":
        return step.name
    return step.namespace if step.namespace is not None else plan.scope.namespace


def _any_glob(value: str | None, patterns: Sequence[str]) -> bool:
    return value is not None and any(fnmatch(value, p) for p in patterns)


def protected(rule: ProtectedNamespaces, ns: str | None) -> str | None:
    """Fires for a namespace matching the protected list."""
    return f"namespace {ns} is protected" if _any_glob(ns, rule.namespaces) else None


def allowed(rule: AllowedNamespaces, ns: str | None) -> str | None:
    """Fires for a namespace outside the allowed list (and cluster-scoped steps unless allowed)."""
    if ns is None:
        return None if rule.allow_cluster_scoped else "cluster-scoped change is not allowed"
    return None if _any_glob(ns, rule.namespaces) else f"namespace {ns} is not allowed here"


def labels(rule: LabelRule, objects: Sequence[Mapping[str, str]] | None) -> str | None:
    """Fires when targets break the selector rule; unknown labels raise (the rule denies)."""
    if objects is None:
        raise LookupError("target labels are unknown")
    selector = parse_selector(rule.selector)
    if rule.kind == "forbidden_labels":
        bad = [o for o in objects if selector.matches(o)]
        return f"{len(bad)} target(s) match forbidden selector {rule.selector!r}" if bad else None
    bad = [o for o in objects if not selector.matches(o)]
    return f"{len(bad)} target(s) lack required labels {rule.selector!r}" if bad else None


def freeze(rule: ChangeFreeze, context: PolicyContext) -> str | None:
    """Fires while a freeze window is open."""
    zone = ZoneInfo(rule.timezone)
    for window in rule.windows:
        if window.contains(context.now, zone):
            return f"change freeze {window.describe()} ({rule.timezone}) is in effect"
    return None


def blast(rule: BlastRadius, step: Step, clusters: Sequence[str]) -> str | None:
    """Fires past the object or cluster limit; a selector step of unknown size counts as over."""
    if rule.max_clusters is not None and len(clusters) > rule.max_clusters:
        return f"step spans {len(clusters)} clusters (max {rule.max_clusters})"
    if rule.max_objects is None:
        return None
    count = step.affected if step.affected is not None else (
        len(clusters) if step.name is not None else None)
    if count is None:
        return f"step's blast radius is unknown (max {rule.max_objects} objects)"
    if count > rule.max_objects:
        return f"step touches {count} objects (max {rule.max_objects})"
    return None


def exec_command(rule: ExecDeniedCommands, step: Step) -> str | None:
    """Fires for a one-shot exec step whose command line matches a denied glob."""
    if step.verb is not Verb.EXEC or step.params.get("mode") != "one-shot":
        return None
    argv = step.params.get("command")
    line = shlex.join(argv) if isinstance(argv, list) else str(argv or "")
    hit = next((p for p in rule.commands if fnmatch(line, p)), None)
    return f"command {line!r} matches denied pattern {hit!r}" if hit is not None else None


def exec_requester(rule: ExecAllowedRequesters, step: Step,
                   context: PolicyContext) -> str | None:
    """Fires for an exec step by a requester outside the allowed globs."""
    if step.verb is not Verb.EXEC:
        return None
    who = context.requester or ""
    if _any_glob(who, rule.requesters):
        return None
    return f"{who or 'an unknown requester'} is not allowed to exec"


def approval(rule: ApprovalRule) -> str:
    """Always fires when matched."""
    return f"needs {rule.approvals} approval(s)" + (f": {rule.description}"
                                                   if rule.description else "")


def cel_activation(plan: Plan, step: Step, cluster: str, production: bool,
                   context: PolicyContext) -> dict[str, Any]:
    """The variables a CEL condition sees (plain JSON values)."""
    objects = context.labels.get((step.id, cluster))
    return {
        "step": {**step.model_dump(mode="json", exclude={"api_calls", "dependencies"}),
                 "namespace": namespace_of(step, plan) or ""},
        "cluster": cluster,
        "production": production,
        "plan": {"input": plan.input, "planner": plan.planner, "risk": plan.risk.value,
                 "mutating": plan.mutating, "steps": len(plan.steps),
                 "clusters": list(plan.scope.clusters)},
        "labels": [dict(o) for o in objects] if objects is not None else [],
        "requester": context.requester or "",
        "now": context.now.isoformat(),
        "hour_utc": context.now.astimezone(ZoneInfo("UTC")).hour,
    }


def cel(rule: CelRule, condition: CelCondition, activation: dict[str, Any]) -> str | None:
    """Fires when the expression holds; CelError propagates (the caller denies)."""
    return f"condition `{rule.expression}` holds" if condition.holds(activation) else None
