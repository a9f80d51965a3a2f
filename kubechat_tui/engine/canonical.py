"""Validate a plan's values and re-render its steps from their intent before running it.

A plan file is user input: its kubectl lines and API calls could have been edited to say
something other than what the verb and parameters mean, and its names could have been
edited to walk out of the API path (`../../kube-system/pods/x`) or carry shell text. So
every name, namespace, selector, cluster and image is checked first, with the same
validators the planners use on a model's reply (`planner.text`) and the config uses for
namespaces: object names are RFC 1123 DNS subdomains (DNS labels for namespaces and
services), namespaces and container names DNS labels.
Then the engine re-renders the display and RBAC fields from the intent; a plan edited
that way gets a different digest, which also voids any approval given to the original.

`parse_plan` reads a plan file's JSON: anything that is not a plan, or holds a value that
canonical JSON (RFC 8785: the digest, the audit chain) cannot carry, such as an integer
beyond 2^53, is one PlanInputError line, before anything is hashed, audited or sent.
"""

from __future__ import annotations

import re

import rfc8785
from pydantic import ValidationError

from kubechat_tui.domain import Plan, Step
from kubechat_tui.domain.plan import MAX_ASK_APPROVAL
from kubechat_tui.domain.verbs import PLAN_VERBS
from kubechat_tui.planner.render import build_step
from kubechat_tui.planner.text import is_image, is_label, is_name, is_selector, printable

# Resources whose object names are DNS labels (63 characters, no dots), not subdomains.
LABEL_NAMED = frozenset({"namespaces", "services"})
# A kubeconfig context name (clusters are contexts): no spaces, quotes or control
# characters; EKS ARNs, GKE `gke_project_zone_name` and kubeadm `user@cluster` fit.
_CONTEXT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:@/+~-]{0,252}$")


class PlanInputError(ValueError):
    """A plan value that is not valid (bad name, unknown resource, bad replicas...)."""


def parse_plan(raw: bytes | str) -> Plan:
    """The Plan in JSON text; PlanInputError (one line) when it is none or cannot be
    canonicalized (RFC 8785)."""
    try:
        plan = Plan.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "file"
        raise PlanInputError(_one_line(f"not a kubechat plan ({where}: {first.get('msg')}; "
                                       f"{exc.error_count()} problem(s))")) from None
    try:
        rfc8785.dumps(plan.model_dump(mode="json"))
    except (rfc8785.CanonicalizationError, UnicodeError, ValueError, RecursionError) as exc:
        raise PlanInputError(_one_line(f"not a kubechat plan (a value canonical JSON cannot "
                                       f"hold: {exc})")[:300]) from None
    return plan


def canonical(plan: Plan) -> Plan:
    """The plan validated (PlanInputError, one line) with every step re-rendered."""
    check_plan(plan)
    return plan.model_copy(update={"steps": tuple(_render(s) for s in plan.steps)})


def check_plan(plan: Plan) -> None:
    """Raise PlanInputError for the first invalid name, namespace, selector, cluster or
    image in the plan's scope or steps."""
    _check_clusters("scope", plan.scope.clusters)
    if plan.scope.namespace is not None:
        _check_label("scope", "namespace", plan.scope.namespace)
    for step in plan.steps:
        where = f"step {' '.join(printable(step.id).split())[:40]}"
        if step.verb not in PLAN_VERBS:
            raise PlanInputError(f"{where}: {step.verb.value} is not a plan step (run "
                                 "`kubechat exec`)")
        _check_clusters(where, step.clusters)
        if step.namespace is not None:
            _check_label(where, "namespace", step.namespace)
        if step.name is not None:
            if step.resource in LABEL_NAMED:
                _check_label(where, "name", step.name)
            elif not is_name(step.name):
                raise PlanInputError(f"{where}: name {_show(step.name)} is not a valid "
                                     "Kubernetes name (RFC 1123 DNS subdomain)")
        if step.selector is not None and not is_selector(step.selector):
            raise PlanInputError(f"{where}: selector {_show(step.selector)} is not a label "
                                 "selector")
        _check_params(where, step)
        ask = step.ask_approval
        if len(ask) > MAX_ASK_APPROVAL or ask != printable(ask):
            raise PlanInputError(f"{where}: ask_approval must be printable text of at most "
                                 f"{MAX_ASK_APPROVAL} characters")
    for cluster, context in plan.scope.contexts.items():
        _check_clusters("scope contexts", (cluster, context))


def is_context_name(word: str | None) -> bool:
    """True for a plausible kubeconfig context (cluster) name."""
    return bool(word) and bool(_CONTEXT.match(word or ""))


def _check_label(where: str, label: str, value: str) -> None:
    if not is_label(value):
        raise PlanInputError(f"{where}: {label} {_show(value)} is not a valid Kubernetes "
                             "name (RFC 1123 DNS label)")


def _check_clusters(where: str, clusters: tuple[str, ...]) -> None:
    for cluster in clusters:
        if not is_context_name(cluster):
            raise PlanInputError(f"{where}: cluster {_show(cluster)} is not a kubeconfig "
                                 "context name")


def _check_params(where: str, step: Step) -> None:
    image = step.params.get("image")
    if image is not None and not is_image(str(image)):
        raise PlanInputError(f"{where}: image {_show(image)} is not an image reference")
    container = step.params.get("container")
    if container is not None and not is_label(str(container)):
        raise PlanInputError(f"{where}: container {_show(container)} is not a valid "
                             "container name (RFC 1123 DNS label)")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _show(value: object) -> str:
    """The value quoted for a one-line message, cut at 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _render(step: Step) -> Step:
    try:
        fresh = build_step(step.id, step.verb, step.resource, namespace=step.namespace,
                           name=step.name, selector=step.selector, clusters=step.clusters,
                           params=dict(step.params), reason=step.reason,
                           accepted=step.accepted, ask_approval=step.ask_approval)
    except KeyError as exc:
        raise PlanInputError(f"step {step.id}: unknown resource or missing parameter "
                             f"{exc}") from None
    except (TypeError, ValueError) as exc:
        raise PlanInputError(f"step {step.id}: bad parameters ({exc})".splitlines()[0]) from None
    return fresh
