"""The structured reply a model must return, and its validation as data: verbs from the
allow-list, known resources, valid names, images, selectors and parameters (no value can
read as a kubectl option), inside the request's scope. A reply that breaks any of it is
rejected with the reason; whether a valid step is one the request asked for is decided
afterwards, step by step (`llm_vetting`)."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kubechat_tui.domain import RESOURCES, ParamValue, Verb
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES
from kubechat_tui.domain.verbs import MUTATING_VERBS, PLAN_VERBS
from kubechat_tui.planner.drafts import Draft
from kubechat_tui.planner.scope import ResolvedScope
from kubechat_tui.planner.text import is_image, is_label, is_name, is_selector, printable

MAX_STEPS = 12
_VERB_RESOURCES: dict[Verb, frozenset[str] | None] = {
    Verb.LOGS: frozenset({"pods", *WORKLOAD_RESOURCES, "jobs"}),
    Verb.EVENTS: frozenset({"events"}),
    Verb.TOP: frozenset({"pods", "nodes"}),
    Verb.ROLLOUT_STATUS: WORKLOAD_RESOURCES, Verb.ROLLOUT_HISTORY: WORKLOAD_RESOURCES,
    Verb.SCALE: frozenset({"deployments", "statefulsets", "replicasets"}),
    Verb.ROLLOUT_RESTART: WORKLOAD_RESOURCES, Verb.ROLLOUT_UNDO: WORKLOAD_RESOURCES,
    Verb.SET_IMAGE: WORKLOAD_RESOURCES,
    Verb.CORDON: frozenset({"nodes"}), Verb.UNCORDON: frozenset({"nodes"}),
    Verb.DRAIN: frozenset({"nodes"}),
}
_PARAMS: dict[Verb, frozenset[str]] = {
    Verb.GET: frozenset({"field_selector", "status_filter", "name_contains", "sort_by"}),
    Verb.EVENTS: frozenset({"for_kind", "for_name", "types", "reason_filter"}),
    Verb.LOGS: frozenset({"tail_lines", "container", "previous", "grep"}),
    Verb.SCALE: frozenset({"replicas"}),
    Verb.ROLLOUT_UNDO: frozenset({"to_revision"}),
    Verb.SET_IMAGE: frozenset({"image", "container"}),
    Verb.DRAIN: frozenset({"timeout_seconds"}),
    Verb.PATCH: frozenset({"patch"}),
    Verb.APPLY: frozenset({"manifest"}),
}
# Free-text parameters (grep, status_filter, sort_by, ...): never a leading "-".
_PARAM_TEXT = re.compile(r"^(?!-)[A-Za-z0-9_.,=!:/\-\[\]* ]{0,200}$")
_KIND = re.compile(r"^[A-Za-z]{1,63}$")
# What a step (or a model's read-only tool call) names: the JSON schema of its target.
TARGET_PROPERTIES: dict[str, Any] = {
    "resource": {"type": "string", "enum": sorted(RESOURCES)},
    "namespace": {"type": ["string", "null"]},
    "name": {"type": ["string", "null"]},
    "selector": {"type": ["string", "null"]},
    "clusters": {"type": "array", "items": {"type": "string"}},
    "params": {"type": "object"},
    "reason": {"type": "string"},
}
REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "refusal": {"type": ["string", "null"]},
        "steps": {"type": "array", "maxItems": MAX_STEPS, "items": {
            "type": "object",
            "required": ["verb", "resource"],
            "properties": {
                "verb": {"type": "string", "enum": [v.value for v in PLAN_VERBS]},
                **TARGET_PROPERTIES,
            }}},
    },
    "required": ["steps"],
}


class ReplyRejected(ValueError):
    """The model's reply is not an acceptable plan (the message says why)."""


class StepSpec(BaseModel):
    """One step as a model's reply or a recipe writes it (checked by `draft_from_spec`)."""

    model_config = ConfigDict(extra="forbid")
    verb: str
    resource: str
    namespace: str | None = None
    name: str | None = None
    selector: str | None = None
    clusters: list[str] = Field(default_factory=list)
    params: dict[str, ParamValue] = Field(default_factory=dict)
    reason: str = ""


class _Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refusal: str | None = None
    steps: list[StepSpec] = Field(default_factory=list)


def reply_json(content: str | None) -> Any:
    """The JSON the model replied (a ```json fence around it is allowed); ReplyRejected
    when it is not JSON."""
    text = (content or "").strip()
    fenced = re.match(r"^```(?:json)?\s*([\s\S]*?)\s*```$", text)
    if fenced:
        text = fenced.group(1)
    try:
        return json.loads(text)
    except ValueError:
        raise ReplyRejected(f"the model did not return JSON ({_preview(text)})") from None


def parse_reply(content: str | None) -> tuple[str | None, list[StepSpec]]:
    """(refusal, steps) from the model text; raises ReplyRejected on anything malformed."""
    data = reply_json(content)
    try:
        reply = _Reply.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReplyRejected(f"the model's JSON does not match the plan schema ({where}: "
                            f"{first['msg']})") from None
    if len(reply.steps) > MAX_STEPS:
        raise ReplyRejected(f"the model proposed {len(reply.steps)} steps (max {MAX_STEPS})")
    return reply.refusal, reply.steps


def validate_steps(steps: list[StepSpec], scope: ResolvedScope) -> list[Draft]:
    """Drafts from the model's steps, each valid as data and inside `scope`; the first
    invalid step rejects the whole reply. Any verb of the allow-list passes here: which
    changes the request allows is `llm_vetting`'s question."""
    drafts = []
    for index, step in enumerate(steps, start=1):
        try:
            drafts.append(draft_from_spec(step, set(MUTATING_VERBS), scope))
        except ReplyRejected as exc:
            raise ReplyRejected(f"step {index}: {exc}") from None
    if not drafts:
        raise ReplyRejected("the model returned no steps")
    return drafts


def draft_from_spec(step: StepSpec, allowed_changes: set[Verb], scope: ResolvedScope) -> Draft:
    """The step as a Draft: verb, resource, names, selector, params and clusters checked
    against the allow-list and `scope`; a change only when its verb is in `allowed_changes`.
    Raises ReplyRejected naming the problem."""
    try:
        verb = Verb(step.verb)
        if verb not in PLAN_VERBS:
            raise ValueError(verb)
    except ValueError:
        raise ReplyRejected(f"verb {step.verb!r} is not on the allow-list") from None
    if step.resource not in RESOURCES:
        raise ReplyRejected(f"resource {step.resource!r} is not a known API resource")
    if step.resource == "secrets" and verb is not Verb.DELETE:
        raise ReplyRejected("steps may not read Secrets")
    wanted = _VERB_RESOURCES.get(verb)
    if wanted is not None and step.resource not in wanted:
        raise ReplyRejected(f"{verb.value} does not apply to {step.resource}")
    if verb.mutating and verb not in allowed_changes:
        raise ReplyRejected(f"{verb.value} is a change the request did not ask for")
    if step.name is not None and not is_name(step.name):
        raise ReplyRejected(f"name {step.name!r} is not a valid Kubernetes name")
    if step.namespace is not None and not is_label(step.namespace):
        raise ReplyRejected(f"namespace {step.namespace!r} is not a valid Kubernetes name")
    if step.selector is not None and not is_selector(step.selector):
        raise ReplyRejected(f"selector {step.selector!r} is not a label selector")
    if scope.namespace and step.namespace and step.namespace != scope.namespace:
        raise ReplyRejected(f"namespace {step.namespace!r} is outside the requested "
                            f"namespace {scope.namespace!r}")
    outside = [c for c in step.clusters if c not in scope.clusters]
    if outside:
        raise ReplyRejected(f"cluster {outside[0]!r} is outside the requested scope")
    if verb.mutating and verb not in (Verb.DELETE, Verb.APPLY) and not step.name:
        raise ReplyRejected(f"{verb.value} needs a named target")
    if verb is Verb.DELETE and not (step.name or step.selector):
        raise ReplyRejected("delete needs a name or a selector")
    return Draft(verb, step.resource, step.name, step.selector, _params(verb, step.params),
                 " ".join(printable(step.reason[:200]).split()), step.namespace,
                 tuple(dict.fromkeys(step.clusters)))


def _params(verb: Verb, params: dict[str, ParamValue]) -> dict[str, ParamValue]:
    allowed = _PARAMS.get(verb, frozenset())
    out: dict[str, ParamValue] = {}
    for key, value in params.items():
        if key not in allowed:
            raise ReplyRejected(f"parameter {key!r} is not allowed for {verb.value}")
        out[key] = _param(key, value)
    if verb is Verb.SCALE and not isinstance(out.get("replicas"), int):
        raise ReplyRejected("scale needs an integer replicas parameter")
    if verb is Verb.SET_IMAGE and "image" not in out:
        raise ReplyRejected("set image needs an image parameter")
    if verb is Verb.PATCH:
        try:
            if not isinstance(json.loads(str(out.get("patch", ""))), dict):
                raise ValueError
        except ValueError:
            raise ReplyRejected("patch must be a JSON object") from None
    return out


def _param(key: str, value: ParamValue) -> ParamValue:
    limits = {"replicas": 1000, "tail_lines": 10000, "to_revision": 10**6,
              "timeout_seconds": 86400}
    if key in limits:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limits[key]:
            raise ReplyRejected(f"{key} must be an integer between 0 and {limits[key]}")
        return value
    if key == "previous":
        return bool(value)
    if key == "image":
        if not is_image(str(value)):
            raise ReplyRejected(f"image {value!r} is not an image reference")
        return str(value)
    if key in ("patch", "manifest"):
        return str(value)[:20000]
    if key in ("container", "for_name"):  # a container name is a DNS label
        valid = is_label if key == "container" else is_name
        if not isinstance(value, str) or not valid(value):
            raise ReplyRejected(f"{key} {value!r} is not a valid Kubernetes name")
        return value
    if key == "for_kind" and not (isinstance(value, str) and _KIND.match(value)):
        raise ReplyRejected(f"for_kind {value!r} is not a kind")
    if not isinstance(value, str) or not _PARAM_TEXT.match(value):
        raise ReplyRejected(f"parameter {key} has an unexpected value")
    return value


def _preview(text: str) -> str:
    flat = " ".join(printable(text).split())
    return repr(flat[:60] + ("…" if len(flat) > 60 else ""))
