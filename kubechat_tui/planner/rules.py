"""The offline rule planner: deterministic, no model; never guesses a mutation."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import ParamValue, Verb
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES, resolve_resource
from kubechat_tui.kube.lookup import ClusterView
from kubechat_tui.planner.changes import ChangeDrafter
from kubechat_tui.planner.clauses import has_pronoun
from kubechat_tui.planner.compound import compound_drafts
from kubechat_tui.planner.drafts import (
    IMAGES_COLUMNS,
    RESTART_SORT,
    TEMPLATE_IMAGES_COLUMNS,
    Draft,
    NoTarget,
    NotPlanned,
    target_diagnostics,
)
from kubechat_tui.planner.intents import Change, Intent, Read, Symptom
from kubechat_tui.planner.refusals import refuse_unsafe, unclear_change
from kubechat_tui.planner.request_intent import RequestIntent
from kubechat_tui.planner.scope import ResolvedScope, namespace_for
from kubechat_tui.planner.targets import POD_NAME, Target, find_target, named_objects

_STATUS_FILTERS = {
    Symptom.CRASHLOOP: "CrashLoopBackOff",
    Symptom.OOM: "OOMKilled",
    Symptom.IMAGE_PULL: "ImagePullBackOff,ErrImagePull",
    Symptom.NOT_READY: "NotReady",
}
_EVENT_REASONS = {
    Symptom.CRASHLOOP: "BackOff",
    Symptom.PENDING: "FailedScheduling",
    Symptom.IMAGE_PULL: "Failed",
    Symptom.NOT_READY: "Unhealthy",
}


class RuleDrafter:
    """Turns one cleaned request into drafts (diagnostics first, then one change).

    What the request asks for is read once by `request_intent.read_request` (the LLM
    planner checks a model's steps against the same reading): a question asks no change.

    A compound request ("describe pod x and delete pod y", two lines) is planned clause by
    clause only when its one change stands on its own: the change clause names its own
    target, and no two clauses name different scopes. "delete it" after "logs of web" is
    refused with a suggestion: the target of a change is never guessed.
    """

    def __init__(self, settings: Settings, view: ClusterView | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.view = view
        self.changes = ChangeDrafter(view, clock, settings.kube.drain_timeout_seconds)

    def drafts(self, text: str, scope: ResolvedScope, request: RequestIntent) -> list[Draft]:
        """The drafts for `text`, read as `request` (`read_request`); raises NotPlanned with
        the reason."""
        low = text.lower()
        intent = request.intent
        refuse_unsafe(low, intent)
        if len(intent.changes) > 1:
            names = " and ".join(c.value for c in intent.changes)
            raise NotPlanned(f"this asks for several changes ({names}); ask for one change "
                             "at a time")
        clauses = request.clauses
        if len(clauses) == 1:
            try:
                drafts = self._clause(text, intent, scope, compound=False)
            except NoTarget:
                if not has_pronoun(text):
                    raise
                raise unclear_change(text, []) from None
        else:
            drafts = compound_drafts(clauses, scope, self.settings, self.view, self._clause)
        if not drafts:
            raise NotPlanned("I did not understand what to look at or change")
        grep_targets = {(d.resource, d.name) for d in drafts
                        if d.verb is Verb.LOGS and "grep" in d.params}
        drafts = [d for d in drafts if not (d.verb is Verb.LOGS and "grep" not in d.params
                                            and (d.resource, d.name) in grep_targets)]
        unique: dict[tuple[object, ...], Draft] = {}
        for draft in drafts:
            unique.setdefault(draft.key(scope.namespace), draft)
        return list(unique.values())

    def _clause(self, text: str, intent: Intent, scope: ResolvedScope,
                compound: bool) -> list[Draft]:
        """The drafts of one clause (a whole simple request, or a part of a compound one)."""
        low = text.lower()
        if intent.empty and _noun_only(low):
            intent.reads.append(Read.LIST)
        target = find_target(text, low, scope.scope_words)
        if target.qualifier and self.view is not None and scope.namespace is None \
                and not scope.all_namespaces and not compound:
            namespace = namespace_for(target.qualifier, scope.clusters, self.view)
            if namespace:  # "payment pods" in a fleet with a `payments` namespace
                scope.namespace, target.qualifier = namespace, None
        if intent.changes:
            several = named_objects(text, scope.scope_words)
            if len(several) > 1:
                raise NotPlanned(f"this names {len(several)} objects to {intent.changes[0].value} "
                                 f"({', '.join(several)}); kubechat plans one change on one "
                                 "object (or one label selector) at a time")
        drafts = self._diagnostics(intent, target, low)
        if intent.changes:
            drafts.extend(self.changes.drafts(intent.changes[0], target, text, low, scope))
        return drafts

    # -- diagnostics -------------------------------------------------------------------
    def _diagnostics(self, intent: Intent, target: Target, low: str) -> list[Draft]:
        drafts: list[Draft] = []
        previous = any(s in intent.symptoms for s in (Symptom.CRASHLOOP, Symptom.OOM,
                                                      Symptom.RESTARTS))
        named = target.name is not None
        if named and (intent.symptoms or intent.changes or intent.question
                      or Read.DESCRIBE in intent.reads):
            resource = target.resource or _default_resource(intent, low)
            if resource != "secrets":  # never read a Secret, not even to describe it
                drafts += target_diagnostics(resource, target.name or "", previous)
        for symptom in intent.symptoms:
            drafts += self._symptom(symptom, target, named)
        for read in intent.reads:
            drafts += self._read(read, intent, target, low)
        return drafts

    def _symptom(self, symptom: Symptom, target: Target, named: bool) -> list[Draft]:
        if symptom is Symptom.LOG_ERRORS and (named or target.selector):
            resource = target.resource or "deployments"
            return [Draft(Verb.LOGS, resource if named else "pods", target.name,
                          target.selector, {"tail_lines": 500, "grep": "error"},
                          "recent log lines, errors highlighted")]
        if named:
            return []
        params: dict[str, ParamValue] = {}
        if target.qualifier:
            params["name_contains"] = target.qualifier
        if symptom is Symptom.NOT_READY and target.noun == "nodes":
            return [Draft(Verb.GET, "nodes", reason="node conditions"),
                    Draft(Verb.DESCRIBE, "nodes", reason="conditions and pressure per node")]
        if symptom is Symptom.PENDING:
            get = Draft(Verb.GET, "pods", selector=target.selector,
                        params={**params, "field_selector": "status.phase=Pending"},
                        reason="pods waiting to be scheduled")
        elif symptom is Symptom.RESTARTS:
            get = Draft(Verb.GET, "pods", selector=target.selector,
                        params={**params, "sort_by": RESTART_SORT},
                        reason="pods ordered by restart count")
        elif symptom in _STATUS_FILTERS:
            get = Draft(Verb.GET, "pods", selector=target.selector,
                        params={**params, "status_filter": _STATUS_FILTERS[symptom]},
                        reason=f"pods in {_STATUS_FILTERS[symptom]}")
        else:
            get = Draft(Verb.GET, "pods", selector=target.selector, params=params,
                        reason="pods in scope")
        events_params: dict[str, ParamValue] = {"types": "Warning"}
        if symptom in _EVENT_REASONS:
            events_params["reason_filter"] = _EVENT_REASONS[symptom]
        drafts = [get, Draft(Verb.EVENTS, "events", params=events_params,
                             reason=f"warning events ({symptom.value})")]
        if symptom is Symptom.PENDING:
            drafts.append(Draft(Verb.GET, "nodes", reason="node capacity and conditions"))
        if symptom is Symptom.OOM:
            drafts.append(Draft(Verb.TOP, "pods", reason="current memory use"))
        if symptom is Symptom.IMAGE_PULL:
            drafts.append(Draft(Verb.GET, "pods", params={"output": IMAGES_COLUMNS},
                                reason="images referenced by pods"))
        return drafts

    def _read(self, read: Read, intent: Intent, target: Target, low: str) -> list[Draft]:
        name, sel = target.name, target.selector
        if read is Read.LOGS:
            if not (name or sel):
                if intent.symptoms:
                    return []
                raise NotPlanned("whose logs? name a pod or deployment, e.g. "
                                 "'logs of deployment payments-api'")
            params: dict[str, ParamValue] = {"tail_lines": _tail(low)}
            container = re.search(r"(?:container|-c)\s+['\"]?([a-z0-9][-a-z0-9]*)", low)
            if container:
                params["container"] = container.group(1)
            if re.search(r"\bprevious\b|\bbefore (it|the) crash|\b(last|the) crash", low):
                params["previous"] = True
            resource = (target.resource or _bare_name_resource(name)) if name else "pods"
            return [Draft(Verb.LOGS, resource, name, sel, params, "log lines")]
        if read is Read.EVENTS:
            params = {}
            if name:
                kind = target.resource or _bare_name_resource(name)
                params = {"for_kind": kind.removesuffix("s"), "for_name": name}
            if "warning" in low:
                params["types"] = "Warning"
            return [Draft(Verb.EVENTS, "events", params=params, reason="recent events")]
        if read is Read.DESCRIBE:
            if name or intent.symptoms:
                return []  # covered by the target / symptom diagnostics
            return [Draft(Verb.DESCRIBE, target.noun or "pods", selector=sel,
                          reason="state and conditions")]
        if read is Read.IMAGES:
            resource = (target.resource or _bare_name_resource(name)) if name else "pods"
            columns = IMAGES_COLUMNS if resource == "pods" else TEMPLATE_IMAGES_COLUMNS
            return [Draft(Verb.GET, resource, name, sel, params={"output": columns},
                          reason="container images in use")]
        if read is Read.TOP:
            kind = "nodes" if target.noun == "nodes" or target.resource == "nodes" else "pods"
            return [Draft(Verb.TOP, kind, name if target.resource == kind else None, sel,
                          reason="current CPU and memory use")]
        if read in (Read.HISTORY, Read.STATUS):
            if not name:
                raise NotPlanned("which deployment? e.g. 'rollout history of deployment web'")
            verb = Verb.ROLLOUT_HISTORY if read is Read.HISTORY else Verb.ROLLOUT_STATUS
            workload = target.resource if target.resource in WORKLOAD_RESOURCES else \
                "deployments"
            return [Draft(verb, workload, name, reason=read.value)]
        if intent.symptoms or intent.changes or len(intent.reads) > 1:
            return []
        if name and target.resource == "nodes" and target.noun == "pods":
            return [Draft(Verb.GET, "pods", params={"field_selector": f"spec.nodeName={name}"},
                          reason=f"pods running on node {name}")]
        named_resource = target.resource
        if name and named_resource is None and target.noun is None:
            named_resource = _bare_name_resource(name)  # a bare name: a pod or a deployment
        resource = named_resource if name and named_resource else (target.noun or "pods")
        params = {"output": _output(low)}
        if target.qualifier:
            params["name_contains"] = target.qualifier
        return [Draft(Verb.GET, resource, name if named_resource == resource else None, sel,
                      params, f"list {resource}")]


def _noun_only(low: str) -> bool:
    """True when the request is just a resource noun and scope ("pods in payments")."""
    first = re.match(r"\s*([a-z]+)", low)
    return bool(first) and resolve_resource(first.group(1)) is not None  # type: ignore[union-attr]


def _default_resource(intent: Intent, low: str) -> str:
    if intent.changes and intent.changes[0] in (Change.CORDON, Change.UNCORDON, Change.DRAIN):
        return "nodes"
    if intent.changes and intent.changes[0] is not Change.DELETE:
        return "deployments"
    return "pods" if "pod" in low else "deployments"


def _bare_name_resource(name: str | None) -> str:
    """A name with no resource word: pods when it looks like a pod's, else deployments."""
    return "pods" if name and POD_NAME.search(name) else "deployments"


def _output(low: str) -> str:
    m = re.search(r"(?:-o|--output|as|in) ?=?\s*(yaml|json|wide|name)\b", low)
    return m.group(1) if m else "wide"


def _tail(low: str) -> int:
    m = re.search(r"(?:last|tail|latest|recent)\s+(\d+)", low)
    return max(1, min(int(m.group(1)), 10000)) if m else 200
