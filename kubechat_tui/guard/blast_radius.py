"""Blast radius: how many objects a mutating step touches, and what depends on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubechat_tui.domain import Step, Verb
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES
from kubechat_tui.kube.lookup import ClusterView, Workload, map_clusters, selector_matches

_DISRUPTIVE = {Verb.ROLLOUT_RESTART, Verb.ROLLOUT_UNDO, Verb.SET_IMAGE, Verb.DRAIN,
               Verb.DELETE, Verb.SCALE}


@dataclass
class Blast:
    """Affected objects across clusters (None = unknown), dependencies, warnings."""

    affected: int | None = None
    dependencies: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def blast_radius(step: Step, view: ClusterView | None) -> Blast:
    """Resolve a mutating step against the live view; reads and no-view give affected=None."""
    if view is None or not step.mutating or not step.clusters:
        return Blast()

    def one(cluster: str) -> tuple[int | None, Blast]:
        local = Blast()
        count = _count_one(step, cluster, view, local)
        if count is None:
            why = view.failure(cluster)
            local.warnings.append(f"{cluster}: could not resolve the affected objects"
                                  + (f" ({why})" if why else ""))
        return count, local

    blast, counts = Blast(), []
    for count, local in map_clusters(step.clusters, one):
        counts.append(count)
        blast.dependencies += local.dependencies
        blast.warnings += local.warnings
    blast.affected = None if None in counts else sum(c for c in counts if c is not None)
    return blast


def _count_one(step: Step, cluster: str, view: ClusterView, blast: Blast) -> int | None:
    if step.resource in WORKLOAD_RESOURCES and step.name:
        workload = view.workload(cluster, step.resource, step.namespace, step.name)
        if workload is None:  # missing, or the cluster did not answer: tell them apart
            found = view.count(cluster, step.resource, step.namespace,
                               field_selector=f"metadata.name={step.name}")
            if found == 0:
                blast.warnings.append(f"{cluster}: {step.resource}/{step.name} not found")
            return None if found is None else 0
        return _workload_pods(step, workload, view, blast)
    if step.resource == "nodes" and step.name:
        if step.verb is Verb.DRAIN:
            pods = view.count(cluster, "pods", None,
                              field_selector=f"spec.nodeName={step.name}")
            if pods is not None:
                blast.dependencies.append(f"{cluster}: {pods} pods on node {step.name} "
                                          "will be evicted")
            return pods
        return 1
    if step.resource == "namespaces" and step.name:
        pods = view.count(cluster, "pods", step.name)
        deployments = view.count(cluster, "deployments", step.name)
        if pods is not None and deployments is not None:
            blast.dependencies.append(f"{cluster}: namespace {step.name} holds {deployments} "
                                      f"deployments and {pods} pods")
            return pods + deployments + 1
        return None
    if step.name:
        found = view.count(cluster, step.resource, step.namespace,
                           field_selector=f"metadata.name={step.name}")
        if found == 0:
            blast.warnings.append(f"{cluster}: {step.resource}/{step.name} not found")
        return found
    field = step.params.get("field_selector")
    return view.count(cluster, step.resource, step.namespace, label_selector=step.selector,
                      field_selector=str(field) if field else None)


def _workload_pods(step: Step, workload: Workload, view: ClusterView, blast: Blast) -> int | None:
    cluster, ns = workload.cluster, workload.namespace
    pods = view.count(cluster, "pods", ns, label_selector=workload.selector or None)
    if pods is None:
        return None
    blast.dependencies.append(f"{cluster}: {step.resource}/{workload.name} in {ns} -> "
                              f"{pods} pods ({workload.ready}/{workload.replicas} ready)")
    replicas = step.params.get("replicas")
    for pdb in view.pdbs(cluster, ns) or []:
        if selector_matches(pdb.selector, workload.template_labels):
            blast.dependencies.append(f"{cluster}: PDB {pdb.name} allows "
                                      f"{pdb.disruptions_allowed} disruptions")
            if pdb.disruptions_allowed == 0 and step.verb in _DISRUPTIVE:
                blast.warnings.append(f"{cluster}: PDB {pdb.name} allows no disruptions now")
    for svc in view.services(cluster, ns) or []:
        if all(workload.template_labels.get(k) == v for k, v in svc.selector.items()):
            ready = "?" if svc.ready_endpoints is None else svc.ready_endpoints
            blast.dependencies.append(f"{cluster}: Service {svc.name} ({ready} ready "
                                      "endpoints)")
            if replicas == 0 or (step.verb is Verb.DELETE):
                blast.warnings.append(f"{cluster}: Service {svc.name} will lose every endpoint")
    if step.verb is Verb.SCALE and isinstance(replicas, int):
        return abs(replicas - workload.replicas) or pods
    return pods
