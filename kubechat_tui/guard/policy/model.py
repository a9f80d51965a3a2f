"""The policy file's schema: rules with IDs, a match block, an effect and remediation text."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kubechat_tui.domain import Risk, Verb
from kubechat_tui.guard.policy.selectors import parse_selector
from kubechat_tui.guard.policy.windows import TimeWindow, check_timezone

_RULE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")
Effect = Literal["deny", "require_approval"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(_Spec):
    """Which (step, cluster) pairs a rule looks at; every given field must match.

    `cluster_set` names a set from the policy file, from settings.cluster_sets, or
    `production` (settings.production_clusters). `clusters` and `namespaces` are globs.
    """

    clusters: list[str] = Field(default_factory=list)
    cluster_set: str | None = None
    namespaces: list[str] = Field(default_factory=list)
    verbs: list[Verb] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    min_risk: Risk | None = None
    requires_approval: bool | None = None  # the planner's risk flag on the step
    mutating_only: bool = True


class _Rule(_Spec):
    id: str
    description: str = ""
    match: Match = Field(default_factory=Match)
    effect: Effect = "deny"
    approvals: int = Field(default=0, ge=0, le=10)
    remediation: str = ""
    absolute: bool = False  # a denial that break-glass never overrides

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _RULE_ID.match(value):
            raise ValueError("rule id must be a letter then letters, digits, '.', '_' or '-'")
        return value

    @model_validator(mode="after")
    def _check_effect(self) -> _Rule:
        if self.effect == "require_approval" and self.approvals < 1:
            raise ValueError("effect require_approval needs approvals >= 1")
        if self.absolute and self.effect != "deny":
            raise ValueError("only a deny rule can be absolute")
        return self


class ProtectedNamespaces(_Rule):
    """Mutations in these namespaces (globs) hit the rule."""

    kind: Literal["protected_namespaces"]
    namespaces: list[str]


class AllowedNamespaces(_Rule):
    """Mutations outside these namespaces (globs) hit the rule; cluster-scoped steps too."""

    kind: Literal["allowed_namespaces"]
    namespaces: list[str]
    allow_cluster_scoped: bool = False


class LabelRule(_Rule):
    """Targets whose labels match (forbidden) or fail to match (required) the selector."""

    kind: Literal["forbidden_labels", "required_labels"]
    selector: str

    @field_validator("selector")
    @classmethod
    def _check_selector(cls, value: str) -> str:
        parse_selector(value)
        return value


class ChangeFreeze(_Rule):
    """Mutations while any window is open hit the rule."""

    kind: Literal["change_freeze"]
    timezone: str = "UTC"
    windows: list[TimeWindow]

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        check_timezone(value)
        return value


class BlastRadius(_Rule):
    """A step touching more objects or clusters than allowed hits the rule."""

    kind: Literal["max_blast_radius"]
    max_objects: int | None = Field(default=None, ge=0)
    max_clusters: int | None = Field(default=None, ge=1)


class ApprovalRule(_Rule):
    """Every matching step needs `approvals` distinct approvers."""

    kind: Literal["approvals"]
    effect: Effect = "require_approval"


class CelRule(_Rule):
    """A CEL expression over `step`, `cluster`, `production`, `plan`, `labels`, `requester`, `now`.

    True hits the rule; an evaluation error or a non-bool result denies (fail closed).
    """

    kind: Literal["cel"]
    expression: str


class ExecDeniedCommands(_Rule):
    """A one-shot exec whose command line matches one of these globs (`rm -rf *`) hits the
    rule; an interactive shell does not (its commands are only known as they are typed)."""

    kind: Literal["exec_denied_commands"]
    commands: list[str]


class ExecAllowedRequesters(_Rule):
    """An exec by a requester (the identity the cluster reports) matching none of these
    globs hits the rule."""

    kind: Literal["exec_allowed_requesters"]
    requesters: list[str]


Rule = Annotated[
    ProtectedNamespaces | AllowedNamespaces | LabelRule | ChangeFreeze | BlastRadius
    | ApprovalRule | CelRule | ExecDeniedCommands | ExecAllowedRequesters,
    Field(discriminator="kind"),
]


class PolicyChanges(_Spec):
    """Who must approve a change of the policy itself (`kubechat policy apply|rollback`).

    `approvals` distinct people other than the author; `approvers` (OS users or Kubernetes
    identities) limits who counts (empty: anyone but the author)."""

    approvals: int = Field(default=0, ge=0, le=10)
    approvers: list[str] = Field(default_factory=list)


class PolicySpec(_Spec):
    """The whole file: version 1, extra cluster sets (globs) and the ordered rules."""

    version: Literal[1]
    description: str = ""
    rbac_contact: str | None = None  # who to ask for missing permissions
    cluster_sets: dict[str, list[str]] = Field(default_factory=dict)
    policy_changes: PolicyChanges = Field(default_factory=PolicyChanges)
    rules: list[Rule]

    @model_validator(mode="after")
    def _unique_ids(self) -> PolicySpec:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id}")
            seen.add(rule.id)
        return self
