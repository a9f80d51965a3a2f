"""One object the console talks about (a selected row, a result's target): how a question
about it is put to the planner, and which follow-up actions it can be promoted to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubechat_tui.domain.resources import resolve_resource

# Changes a target can be promoted to (the planner plans them; the preview guards them).
FOLLOW_UPS: dict[str, tuple[tuple[str, str], ...]] = {
    "pods": (("delete pod {name}", "delete pod {name} (its controller recreates it)"),),
    "deployments": (("restart deployment {name}", "restart deployment {name}"),
                    ("roll back deployment {name}", "roll back deployment {name}")),
    "statefulsets": (("restart statefulset {name}", "restart statefulset {name}"),),
    "daemonsets": (("restart daemonset {name}", "restart daemonset {name}"),),
    "nodes": (("cordon node {name}", "cordon node {name}"),
              ("drain node {name}", "drain node {name}")),
}
RECIPES = ("recipe", "a recipe… (lists the runbook recipes in the chat)")


@dataclass(frozen=True)
class RowSubject:
    """A named object in one cluster: `kind` is the plural resource (`pods`,
    `certificates.cert-manager.io`), `namespace` None when cluster-scoped."""

    cluster: str
    kind: str
    namespace: str | None
    name: str

    @property
    def singular(self) -> str:
        """`pod`, `deployment`, `certificate`: the word a request names the kind with."""
        plural = self.kind.split(".", 1)[0]
        info = resolve_resource(plural)
        return info.kind.lower() if info else plural.removesuffix("s")

    def label(self) -> str:
        """`pod/payments-api-x on prod-eu/payments`."""
        where = f"{self.cluster}/{self.namespace}" if self.namespace else self.cluster
        return f"{self.singular}/{self.name} on {where}"

    def question(self, text: str) -> str:
        """The request planned for a question about this object: the object named in it,
        so "why is this crashing?" plans for this pod only."""
        return f"{text.rstrip()} ({self.singular} {self.name})"

    def follow_ups(self) -> list[tuple[str, str]]:
        """(request, label) of the changes this object can be promoted to, then recipes."""
        found = [(request.format(name=self.name), label.format(name=self.name))
                 for request, label in FOLLOW_UPS.get(self.kind, ())]
        return [*found, RECIPES]


def step_subject(cluster: str, step: Any) -> RowSubject | None:
    """The one object a plan step reads in `cluster` (its name, or the object its events
    are for), or None when it reads a collection."""
    if step is None:
        return None
    namespace = step.namespace or None
    if step.name:
        return RowSubject(cluster, step.resource, namespace, step.name)
    kind, name = step.params.get("for_kind"), step.params.get("for_name")
    info = resolve_resource(str(kind)) if kind else None
    if info is None or not name:
        return None
    return RowSubject(cluster, info.plural, namespace if info.namespaced else None, str(name))
