"""A step before rendering and scoring, and the diagnostics recommended for a target."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubechat_tui.domain import ParamValue, Verb
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES

IMAGES_COLUMNS = ("custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,"
                  "IMAGES:.spec.containers[*].image")
TEMPLATE_IMAGES_COLUMNS = ("custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,"
                           "IMAGES:.spec.template.spec.containers[*].image")
RESTART_SORT = ".status.containerStatuses[0].restartCount"


class NotPlanned(Exception):
    """The rule planner refuses (`blocked=True`) or does not understand the request."""

    def __init__(self, reason: str, blocked: bool = False,
                 suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.blocked = blocked
        self.suggestions = suggestions  # phrasings for this case (else the general ones)


class NoTarget(NotPlanned):
    """A change that names no object to change ("delete it", "restart")."""


class Unplannable(ValueError):
    """The live fleet rules the request out as asked (ambiguous or missing target, nothing
    left to run)."""


@dataclass
class Draft:
    """What a planner wants: verb + target + params; rendered by `render.build_step`."""

    verb: Verb
    resource: str
    name: str | None = None
    selector: str | None = None
    params: dict[str, ParamValue] = field(default_factory=dict)
    reason: str = ""
    namespace: str | None = None  # None: the plan's namespace
    clusters: tuple[str, ...] = ()  # empty: every cluster of the plan's scope

    def key(self, namespace: str | None = None) -> tuple[object, ...]:
        """Identity for de-duplication (`namespace`: the plan's, for drafts without one)."""
        return (self.verb, self.resource, self.name, self.selector, self.namespace or namespace,
                tuple(sorted((k, str(v)) for k, v in self.params.items()
                             if (k, v) != ("output", "wide"))))  # wide: get's default


def target_diagnostics(resource: str, name: str, previous_logs: bool) -> list[Draft]:
    """describe, events, rollout history and logs for one named object."""
    kind = resource.removesuffix("s")
    drafts = [
        Draft(Verb.DESCRIBE, resource, name, reason=f"current state and conditions of {name}"),
        Draft(Verb.EVENTS, "events", params={"for_kind": kind, "for_name": name},
              reason=f"recent events of {kind}/{name}"),
    ]
    if resource == "nodes":
        drafts.append(Draft(Verb.GET, "pods", params={"field_selector": f"spec.nodeName={name}"},
                            reason=f"pods running on node {name}"))
        return drafts
    if resource == "deployments":
        drafts.append(Draft(Verb.ROLLOUT_HISTORY, resource, name,
                            reason="revisions available to roll back to"))
    if resource in WORKLOAD_RESOURCES or resource == "pods":
        params: dict[str, ParamValue] = {"tail_lines": 200}
        if previous_logs:
            params["previous"] = True
        drafts.append(Draft(Verb.LOGS, resource, name, params=params,
                            reason="last log lines" + (" of the crashed container"
                                                       if previous_logs else "")))
    return drafts
