"""The typed plan: what would run, where, against what, and how risky it is.

A `Plan` is data only. Planners build it, `guard.risk` scores it, the engine executes its
mutating steps (building their HTTP requests itself), and it round-trips through JSON
(`kubechat plan --save plan.json`).
All models are frozen: change one with `model_copy(update=...)`.

`Plan.digest()` hashes the *intent* of a plan (the request text, the scope with the context
of each cluster and, per step: id, verb, target, params, accepted flag, kubectl line) as
RFC 8785 canonical JSON: everything an approver is shown. The
*assessment* fields (risk, requires_approval, affected, dependencies, warnings) are
derived from live data and config, so they are left out: re-resolving counts never
changes the digest, and whoever trusts a loaded plan re-scores it with `guard.risk`.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Mapping
from typing import Any

import rfc8785
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kubechat_tui.domain.risk import Risk
from kubechat_tui.domain.verbs import Verb

# A parameter value: replicas, image, container, tail_lines, to_revision, ...
ParamValue = str | int | bool | list[str] | None
# Edits for `PlannerService.rescore`: step id (or "*" for every step) -> field -> value.
# Editable: namespace, name, selector, clusters, accepted (diagnostics only) and the params
# replicas, image, container, tail_lines, previous, to_revision, timeout_seconds.
PlanEdits = Mapping[str, Mapping[str, ParamValue]]

MAX_ASK_APPROVAL = 500  # characters of a requester's reason for asking approval
_DIGEST_EXCLUDE = {"risk", "requires_approval", "affected", "dependencies", "warnings"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResourceRef(_Frozen):
    """One named object in one cluster."""

    cluster: str
    resource: str  # plural API resource: "deployments"
    namespace: str | None = None
    name: str


class Scope(_Frozen):
    """Where a plan applies: clusters (resolved), namespace, the set they came from, and
    the kubeconfig context each cluster is reached through (cluster -> context: whose
    credentials run the plan, part of what an approver approves)."""

    clusters: tuple[str, ...] = ()
    namespace: str | None = None
    cluster_set: str | None = None
    contexts: dict[str, str] = Field(default_factory=dict)


class Step(_Frozen):
    """One action of a plan; `kubectl` is rendered by code, never by a model."""

    id: str
    verb: Verb
    resource: str
    namespace: str | None = None
    name: str | None = None
    selector: str | None = None
    clusters: tuple[str, ...] = ()
    params: dict[str, ParamValue] = Field(default_factory=dict)
    mutating: bool = False
    reason: str = ""  # why the planner proposes this step
    risk: Risk = Risk.LOW
    requires_approval: bool = False
    affected: int | None = None  # objects touched across clusters; None when unknown
    dependencies: tuple[str, ...] = ()  # "3 pods via ReplicaSet payments-api-77..", PDBs
    warnings: tuple[str, ...] = ()
    kubectl: str = ""  # without --context (clusters are listed); see kubectl_lines()
    accepted: bool = True  # diagnostics may be skipped by the user
    ask_approval: str = ""  # the requester asks a second person to approve it, and why

    @model_validator(mode="before")
    @classmethod
    def _drop_api_calls(cls, data: Any) -> Any:
        """Plans saved before requests were built by the executor listed `api_calls`;
        nothing read them back, so they are dropped on load."""
        if isinstance(data, dict) and "api_calls" in data:
            return {k: v for k, v in data.items() if k != "api_calls"}
        return data

    def kubectl_lines(self, contexts: Mapping[str, str] | None = None) -> list[str]:
        """The kubectl line once per cluster, shell-quoted, with `--context` naming the
        context that reaches it (`contexts`: cluster -> context; default the cluster)."""
        if not self.clusters:
            return [self.kubectl]
        known = contexts or {}
        return [
            self.kubectl.replace("kubectl ", f"kubectl --context {shlex.quote(known.get(c, c))} ",
                                 1)
            for c in self.clusters
        ]

    def targets(self) -> list[ResourceRef]:
        """The named objects this step touches (empty for selector/collection steps)."""
        if self.name is None:
            return []
        return [ResourceRef(cluster=c, resource=self.resource, namespace=self.namespace,
                            name=self.name) for c in self.clusters]


class Plan(_Frozen):
    """An ordered list of steps: read-only diagnostics first, then mutations."""

    input: str
    planner: str  # "rules" | "llm:<model>"
    scope: Scope
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "LLM provider unreachable; used the rule planner"

    @property
    def risk(self) -> Risk:
        """The highest risk of any accepted step (LOW for an empty plan)."""
        return max((s.risk for s in self.steps if s.accepted), default=Risk.LOW)

    @property
    def mutating(self) -> bool:
        """True when any accepted step changes cluster state."""
        return any(s.mutating for s in self.steps if s.accepted)

    @property
    def requires_approval(self) -> bool:
        """True when any accepted step needs approval."""
        return any(s.requires_approval for s in self.steps if s.accepted)

    def headline(self) -> str:
        """What the plan changes and where, derived from its accepted steps (what approval
        lists, webhooks, summaries and the timeline show: an edit shows at once); the
        request text when it changes nothing."""
        parts = [f"{s.kubectl.removeprefix('kubectl ')} on "
                 f"{','.join(s.clusters or self.scope.clusters) or 'the current context'}"
                 for s in self.steps if s.accepted and s.mutating]
        return "; ".join(parts) or self.input

    def placement(self, step: Step) -> str:
        """`prod-eu, staging via dev@staging`: a step's clusters, each with the context
        reaching it where that is not named like the cluster."""
        shown = [c + (f" via {self.scope.contexts[c]}" if self.scope.contexts.get(c, c) != c
                      else "") for c in (step.clusters or self.scope.clusters)]
        return ", ".join(shown)

    def kubectl_lines(self, step: Step) -> list[str]:
        """A step's kubectl lines with this plan's contexts."""
        return step.kubectl_lines(self.scope.contexts)

    def clusters(self) -> tuple[str, ...]:
        """Every cluster an accepted step runs in (the scope's when a step names none)."""
        found = [c for s in self.steps if s.accepted for c in (s.clusters or self.scope.clusters)]
        return tuple(dict.fromkeys(found))

    def with_contexts(self, routes: Mapping[str, str]) -> Plan:
        """The plan naming in its scope the context (from `routes`: cluster -> context) of
        every cluster its scope and steps name."""
        named = dict.fromkeys([*self.scope.clusters, *(c for s in self.steps for c in s.clusters)])
        chosen = {c: routes[c] for c in named if c in routes}
        if chosen == self.scope.contexts:
            return self
        return self.model_copy(update={"scope": self.scope.model_copy(update={"contexts": chosen})})

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError when absent)."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def digest(self) -> str:
        """sha256 hex of the canonical JSON of the scope and the steps' intent."""
        content: dict[str, Any] = {
            "input": self.input,
            "scope": self.scope.model_dump(mode="json"),
            "steps": [s.model_dump(mode="json", exclude=_DIGEST_EXCLUDE) for s in self.steps],
        }
        return hashlib.sha256(rfc8785.dumps(content)).hexdigest()

    def to_json(self) -> str:
        """Pretty JSON for `--save`; load it back with `Plan.model_validate_json`."""
        return self.model_dump_json(indent=2)


class PlanResult(_Frozen):
    """What a planner returns: a plan, or blocked with the reason and phrasings to try."""

    input: str
    planner: str
    plan: Plan | None = None
    blocked: bool = False
    reason: str | None = None
    suggestions: tuple[str, ...] = ()
    recipes: tuple[str, ...] = ()  # best-matching recipes, best first: `recipe NAME key=`
    notes: tuple[str, ...] = ()
    # Why the LLM planner that was asked for did not answer (the rules did), one line;
    # None when no model was asked. Not part of the headless JSON (`planner` says "rules").
    fallback: str | None = None

    def headless(self) -> dict[str, Any]:
        """The `kubechat plan --json` object (the headless contract of issue 5)."""
        steps = self.plan.steps if self.plan is not None and not self.blocked else ()
        return {
            "input": self.input,
            "planner": self.planner,
            "blocked": self.blocked,
            "reason": self.reason,
            "steps": [
                {
                    "verb": s.verb.value,
                    "resource": s.resource,
                    "namespace": s.namespace,
                    "name": s.name,
                    "selector": s.selector,
                    "clusters": list(s.clusters),
                    "mutating": s.mutating,
                    "risk": s.risk.value,
                    "requires_approval": s.requires_approval,
                    "affected": s.affected,
                    "warnings": list(s.warnings),
                    "kubectl": s.kubectl,
                }
                for s in steps
            ],
        }
