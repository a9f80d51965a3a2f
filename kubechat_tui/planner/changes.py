"""The one change a request may ask for, as drafts: scale, restart, roll back, set image,
cordon/uncordon/drain, delete. Never guessed: a change needs an explicit target."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from kubechat_tui.domain import ParamValue, Verb
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES
from kubechat_tui.kube.lookup import ClusterView, map_clusters
from kubechat_tui.planner.drafts import Draft, NoTarget, NotPlanned, target_diagnostics
from kubechat_tui.planner.intents import Change
from kubechat_tui.planner.scaling import ScaleError, replica_target
from kubechat_tui.planner.scope import ResolvedScope
from kubechat_tui.planner.targets import STOP, Target, find_image


class ChangeDrafter:
    """Drafts for one change (with the diagnostics that belong to it)."""

    def __init__(self, view: ClusterView | None, clock: Callable[[], datetime],
                 drain_timeout: int) -> None:
        self.view = view
        self.clock = clock
        self.drain_timeout = drain_timeout  # kube.drain_timeout_seconds

    def drafts(self, change: Change, target: Target, text: str, low: str,
                scope: ResolvedScope) -> list[Draft]:
        """The change's drafts; raises NotPlanned when its target or amount is missing."""
        if change in (Change.PATCH, Change.APPLY):
            raise NotPlanned(f"the rule planner does not write {change.value}es or manifests; "
                             "describe the change as scale/restart/roll back/set image, or "
                             "enable an AI provider")
        if change in (Change.CORDON, Change.UNCORDON, Change.DRAIN):
            node = target.name if target.resource in (None, "nodes") else None
            if not node:
                raise NoTarget(f"which node? e.g. '{change.value} node ip-10-0-3-7'")
            verb = {Change.CORDON: Verb.CORDON, Change.UNCORDON: Verb.UNCORDON,
                    Change.DRAIN: Verb.DRAIN}[change]
            if change is not Change.DRAIN:
                return [Draft(verb, "nodes", node, reason=f"{change.value} node {node}")]
            return [*target_diagnostics("nodes", node, False),
                    Draft(verb, "nodes", node, params={"timeout_seconds": self.drain_timeout},
                          reason=f"drain node {node}")]
        if target.selector_unread:
            raise NotPlanned("could not read the label selector; write it as '-l key=value' "
                             "(e.g. 'delete pods -l app=web in payments')")
        if change is Change.DELETE:
            return self._delete(target, low, scope)
        if target.resource == "pods" and target.name and change is Change.RESTART \
                and target.kind_stated:
            return [Draft(Verb.DELETE, "pods", target.name,
                          reason="a pod restarts by being deleted and recreated by its "
                                 "controller (a pod without one is gone for good)")]
        name = target.name
        if not name:
            raise NoTarget(f"which workload should I {change.value}? name it, e.g. "
                             f"'{change.value} deployment payments-api'")
        workload = _workload(change, target)
        if change is Change.SCALE:
            return [self._scale(workload, name, low, scope)]
        if change is Change.RESTART:
            stamp = self.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
            return [Draft(Verb.ROLLOUT_RESTART, workload, name, params={"restarted_at": stamp},
                          reason="replace every pod with a fresh one, one batch at a time")]
        if change is Change.UNDO:
            m = re.search(r"revision\s+(\d+)", low)
            params: dict[str, ParamValue] = {"to_revision": int(m.group(1))} if m else {}
            return [Draft(Verb.ROLLOUT_UNDO, workload, name, params=params,
                          reason="return to the previous pod template")]
        container, image = find_image(text)
        if not image:
            raise NotPlanned("which image? e.g. 'set image of deployment web to nginx:1.27'")
        params = {"image": image}
        container = self._container_for(workload, name, image, container, scope)
        if container:
            params["container"] = container
        return [Draft(Verb.SET_IMAGE, workload, name, params=params,
                      reason=f"roll out image {image}")]

    def _scale(self, workload: str, name: str, low: str, scope: ResolvedScope) -> Draft:
        try:
            target = replica_target(low, lambda: self._current_replicas(workload, name, scope))
        except ScaleError as exc:
            raise NotPlanned(str(exc)) from None
        since = "" if target.current is None else f" from {target.current}"
        return Draft(Verb.SCALE, workload, name, params={"replicas": target.replicas},
                     reason=f"change the replica count{since} to {target.replicas}")

    def _container_for(self, workload: str, name: str, image: str, named: str | None,
                       scope: ResolvedScope) -> str | None:
        """The container whose image changes: the one named (if the workload has it),
        else the only one; NotPlanned when there are several. None when the live
        workload cannot be read here (the engine settles it when it reads the target)."""
        view = self.view
        if view is None:
            return named
        infos = map_clusters(scope.clusters,
                             lambda c: view.workload(c, workload, scope.namespace, name))
        names = next((tuple(c for c, _ in i.containers) for i in infos if i is not None), ())
        if not names:
            return named
        kind = workload.removesuffix("s")
        asks = tuple(f"set image of container {c} of {kind} {name} to {image}" for c in names)
        if named is not None and named not in names:
            raise NotPlanned(f"{name} has no container {named}; it has {', '.join(names)}",
                             blocked=True, suggestions=asks)
        if named is None and len(names) > 1:
            raise NotPlanned(which_container(name, names, image), blocked=True,
                             suggestions=asks)
        return named or names[0]

    def _current_replicas(self, workload: str, name: str, scope: ResolvedScope) -> int:
        counts: set[int] = set()
        view = self.view
        if view is not None:
            infos = map_clusters(scope.clusters,
                                 lambda c: view.workload(c, workload, scope.namespace, name))
            counts = {info.replicas for info in infos if info is not None}
        if len(counts) != 1:
            detail = "differs between clusters" if counts else "is unknown here"
            raise ScaleError(f"a relative change needs the current replica count, which "
                             f"{detail}; say 'scale {name} to N'")
        return counts.pop()

    def _delete(self, target: Target, low: str, scope: ResolvedScope) -> list[Draft]:
        ns_name = deleted_namespace(low, scope)
        if ns_name or target.resource == "namespaces":
            name = target.name if target.resource == "namespaces" else ns_name
            return [Draft(Verb.GET, "pods", namespace=name, reason=f"what lives in {name}"),
                    Draft(Verb.DELETE, "namespaces", name,
                          reason=f"delete namespace {name} and everything in it")]
        if target.name:
            return self._delete_named(target)
        kind = target.noun if target.noun != "namespaces" else None
        if kind is None and (target.selector or re.search(r"\ball\b", low)):
            raise NotPlanned("delete which kind of object? say it, e.g. 'delete pods -l "
                             "app=web in payments'")
        resource = kind or "pods"
        if target.selector:
            return [Draft(Verb.GET, resource, selector=target.selector,
                          reason="the objects the selector matches"),
                    Draft(Verb.DELETE, resource, selector=target.selector,
                          reason=f"delete {resource} matching {target.selector}")]
        phase = re.search(r"\b(failed|evicted|completed|succeeded)\b", low)
        if phase and resource == "pods" and kind:
            field = "status.phase=" + ("Succeeded" if phase.group(1) in ("completed", "succeeded")
                                       else "Failed")
            return [Draft(Verb.GET, "pods", params={"field_selector": field},
                          reason=f"pods with {field}"),
                    Draft(Verb.DELETE, "pods", params={"field_selector": field},
                          reason=f"clean up pods with {field}")]
        if re.search(r"\ball\b", low) and scope.namespace and kind:
            return [Draft(Verb.GET, resource, reason=f"every {resource} in {scope.namespace}"),
                    Draft(Verb.DELETE, resource,
                          reason=f"delete every {resource} in {scope.namespace}")]
        scoped = re.search(r"\bnamespaces?\s+['\"]?([a-z0-9][-a-z0-9]*)", low)
        if scoped and scoped.group(1) in scope.scope_words - {scope.namespace}:
            raise NotPlanned(f"{scoped.group(1)!r} names clusters here, not a namespace: say "
                             "which namespace to delete and where, e.g. 'delete namespace "
                             "NAME in prod-eu'")
        raise NoTarget("what should be deleted? name the object, e.g. 'delete pod "
                         "calc-app-pod in payments' (a selector or 'all pods in NS' also work)")

    def _delete_named(self, target: Target) -> list[Draft]:
        """Delete one object whose kind the user wrote; a guessed kind is refused."""
        name = target.name or ""
        if not target.kind_stated or target.resource is None:
            raise NotPlanned(f"delete which {name}? say its kind, e.g. 'delete deployment "
                             f"{name}' or 'delete pod {name}': kubechat never guesses what "
                             "to delete", suggestions=(f"delete deployment {name}",
                                                       f"delete pod {name}"))
        resource = target.resource
        if resource == "secrets":
            diagnostics = []  # never read a Secret, not even to describe it
        elif resource in ("pods", "nodes", *WORKLOAD_RESOURCES):
            diagnostics = target_diagnostics(resource, name, False)
        else:
            diagnostics = [Draft(Verb.DESCRIBE, resource, name, reason="what is being deleted")]
        return [*diagnostics, Draft(Verb.DELETE, resource, name,
                                    reason=f"delete {resource}/{name}")]


def _workload(change: Change, target: Target) -> str:
    """The workload resource a scale/restart/undo/set image applies to; NotPlanned when the
    named object is not a workload (a pod-like name, a service, a node)."""
    if target.resource in WORKLOAD_RESOURCES:
        return target.resource
    if target.resource is None:
        return "deployments"  # a bare name: scale/restart/... only apply to workloads
    name = target.name
    if target.resource == "pods" and not target.kind_stated:
        hint = f"'restart pod {name}' deletes it so its controller recreates it, " \
            if change is Change.RESTART else ""
        raise NotPlanned(f"{name} looks like a pod name and {change.value} applies to "
                         f"deployments, statefulsets and daemonsets: {hint}or name the "
                         f"workload, e.g. '{change.value} deployment NAME'")
    raise NotPlanned(f"{change.value} applies to deployments, statefulsets and daemonsets, "
                     f"not to {target.resource}; name the workload, e.g. "
                     f"'{change.value} deployment NAME'")


_DELETE_VERB = (r"\b(?:delete|deleting|remove|removing|kill|destroy|nuke|wipe|purge|terminate"
                r"|erase|drop|clean ?up)\s+(?:the\s+)?")


def deleted_namespace(low: str, scope: ResolvedScope) -> str | None:
    """The namespace that is itself the object of the delete ("delete namespace x",
    "delete the x namespace"); "delete pods in namespace x" deletes pods, not x. A cluster
    or cluster-set word is never read as a namespace to delete."""
    clusters = scope.scope_words - {scope.namespace}
    for pattern in (_DELETE_VERB + r"(?:namespaces?\s+|namespaces?/|ns/)['\"]?([a-z0-9][-a-z0-9]*)",
                    _DELETE_VERB + r"['\"]?([a-z0-9][-a-z0-9]*)['\"]?\s+namespace\b"):
        for name in re.findall(pattern, low):
            if name not in STOP and name not in clusters:
                return str(name)
    return None


def which_container(workload: str, containers: Sequence[str], image: str) -> str:
    """The question for a set image that names no container of a multi-container workload."""
    return (f"{workload} has containers {', '.join(containers)}: say which, e.g. 'set image "
            f"of container {containers[0]} to {image}'")
