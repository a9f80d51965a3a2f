"""Risk scoring: level, approval need and warnings for each step (config-aware).

Rules (a step's base risk, then raised): reads are LOW. Deleting namespaces, nodes, RBAC
objects, CRDs or PersistentVolumes, and any change in a system namespace, is CRITICAL.
Other deletes, drains, patches, applies and scale-to-zero are HIGH; other changes MEDIUM.
Production clusters, large blast radii and a destructive (HIGH) change on more than one
cluster at once raise the level. Every change that is HIGH or above, or touches
production, needs approval.
"""

from __future__ import annotations

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Risk, Step, Verb
from kubechat_tui.domain.resources import RBAC_RESOURCES
from kubechat_tui.guard.blast_radius import blast_radius
from kubechat_tui.kube.lookup import ClusterView

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
CRITICAL_DELETES = RBAC_RESOURCES | {"namespaces", "nodes", "customresourcedefinitions",
                                     "persistentvolumes"}
LARGE_BLAST = 50


def base_risk(step: Step) -> Risk:
    """The risk of the step's verb and target alone."""
    if not step.mutating:
        return Risk.LOW
    if step.namespace in SYSTEM_NAMESPACES or step.name in SYSTEM_NAMESPACES:
        return Risk.CRITICAL
    if step.verb is Verb.DELETE:
        return Risk.CRITICAL if step.resource in CRITICAL_DELETES else Risk.HIGH
    if step.verb in (Verb.DRAIN, Verb.PATCH, Verb.APPLY):
        return Risk.HIGH
    if step.verb is Verb.SCALE and step.params.get("replicas") == 0:
        return Risk.HIGH
    return Risk.MEDIUM


def assess_step(step: Step, settings: Settings, view: ClusterView | None = None) -> Step:
    """The step with risk, requires_approval, affected, dependencies and warnings filled."""
    base = risk = base_risk(step)
    warnings: list[str] = []
    production = [c for c in step.clusters if settings.is_production(c)]
    blast = blast_radius(step, view)
    if step.mutating:
        if production:
            risk = risk.raised()
            warnings.append(f"touches production: {', '.join(production)}")
        if len(step.clusters) > 1:
            warnings.append(f"spans {len(step.clusters)} clusters")
            if base >= Risk.HIGH:
                risk = risk.raised()
                warnings.append(f"destructive on {len(step.clusters)} clusters at once")
        if not step.clusters:
            warnings.append("no cluster selected: runs against the kubeconfig's current context")
        if step.namespace in SYSTEM_NAMESPACES or step.name in SYSTEM_NAMESPACES:
            warnings.append(f"system namespace {step.namespace or step.name}: protected")
        if step.resource in RBAC_RESOURCES:
            warnings.append("changes RBAC: who may do what")
        if blast.affected is not None and blast.affected > LARGE_BLAST:
            risk = risk.raised()
            warnings.append(f"large blast radius: {blast.affected} objects")
        if step.verb is Verb.SET_IMAGE and not step.params.get("container"):
            warnings.append("no container named: the workload's only container is used; "
                            "with several, kubechat asks which")
    warnings += blast.warnings
    approval = step.mutating and (risk >= Risk.HIGH or bool(production))
    return step.model_copy(update={
        "risk": risk, "requires_approval": approval, "affected": blast.affected,
        "dependencies": tuple(blast.dependencies), "warnings": tuple(warnings)})


def assess_plan(plan: Plan, settings: Settings, view: ClusterView | None = None) -> Plan:
    """Every step of the plan assessed."""
    return plan.model_copy(update={
        "steps": tuple(assess_step(s, settings, view) for s in plan.steps)})
