"""The structured reply a model must return, and its validation against the allow-list,
the request's own intent and its scope. Anything else is rejected with the reason."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kubechat_tui.domain import RESOURCES, ParamValue, Verb
from kubechat_tui.domain.resources import WORKLOAD_RESOURCES
from kubechat_tui.planner.drafts import Draft
from kubechat_tui.planner.intents import Change, detect
from kubechat_tui.planner.scope import ResolvedScope
from kubechat_tui.planner.text import is_image, is_name, is_selector, printable

MAX_STEPS = 12
_CHANGE_VERBS = {
    Change.SCALE: {Verb.SCALE}, Change.RESTART: {Verb.ROLLOUT_RESTART, Verb.DELETE},
    Change.UNDO: {Verb.ROLLOUT_UNDO}, Change.SET_IMAGE: {Verb.SET_IMAGE},
    Change.CORDON: {Verb.CORDON}, Change.UNCORDON: {Verb.UNCORDON},
    Change.DRAIN: {Verb.DRAIN, Verb.CORDON}, Change.DELETE: {Verb.DELETE},
    Change.PATCH: {Verb.PATCH}, Change.APPLY: {Verb.APPLY},
}
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
_PARAM_TEXT = re.compile(r"^[A-Za-z0-9_.,=!:/\-\[\]* ]{0,200}$")
REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "refusal": {"type": ["string", "null"]},
        "steps": {"type": "array", "maxItems": MAX_STEPS, "items": {
            "type": "object",
            "required": ["verb", "resource"],
            "properties": {
                "verb": {"type": "string", "enum": [v.value for v in Verb]},
                "resource": {"type": "string", "enum": sorted(RESOURCES)},
                "namespace": {"type": ["string", "null"]},
                "name": {"type": ["string", "null"]},
                "selector": {"type": ["string", "null"]},
                "clusters": {"type": "array", "items": {"type": "string"}},
                "params": {"type": "object"},
                "reason": {"type": "string"},
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


def parse_reply(content: str | None) -> tuple[str | None, list[StepSpec]]:
    """(refusal, steps) from the model text; raises ReplyRejected on anything malformed."""
    text = (content or "").strip()
    fenced = re.match(r"^```(?:json)?\s*([\s\S]*?)\s*```$", text)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except ValueError:
        raise ReplyRejected(f"the model did not return JSON ({_preview(text)})") from None
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


def validate_steps(steps: list[StepSpec], request: str, scope: ResolvedScope) -> list[Draft]:
    """Drafts from the model's steps, each checked against the user's own request (its change
    verbs and the targets it names); the first violation rejects the whole reply."""
    low = request.lower()
    intent = detect(low)
    allowed_changes = set().union(*(_CHANGE_VERBS[c] for c in intent.changes)) \
        if intent.changes else set()
    drafts = []
    for index, step in enumerate(steps, start=1):
        try:
            draft = draft_from_spec(step, allowed_changes, scope)
            if draft.verb.mutating:
                _named_by_user(draft, low)
            drafts.append(draft)
        except ReplyRejected as exc:
            raise ReplyRejected(f"step {index}: {exc}") from None
    if not drafts:
        raise ReplyRejected("the model returned no steps")
    return drafts


def _named_by_user(draft: Draft, low: str) -> None:
    """A change may only target what the user typed: cluster data cannot redirect it."""
    for label, value in (("name", draft.name), ("selector", draft.selector)):
        if value is None:
            continue
        words = re.split(r"[,=!() ]+", value.lower()) if label == "selector" else [value.lower()]
        missing = [w for w in words if w and w not in low and w.replace("-", " ") not in low]
        if missing:
            raise ReplyRejected(f"the change targets {label} {value!r}, which the request "
                                "does not name")


def draft_from_spec(step: StepSpec, allowed_changes: set[Verb], scope: ResolvedScope) -> Draft:
    """The step as a Draft: verb, resource, names, selector, params and clusters checked
    against the allow-list and `scope`; a change only when its verb is in `allowed_changes`.
    Raises ReplyRejected naming the problem."""
    try:
        verb = Verb(step.verb)
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
    for label, value in (("name", step.name), ("namespace", step.namespace)):
        if value is not None and not is_name(value):
            raise ReplyRejected(f"{label} {value!r} is not a valid Kubernetes name")
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
    if not isinstance(value, str) or not _PARAM_TEXT.match(value):
        raise ReplyRejected(f"parameter {key} has an unexpected value")
    return value


def _preview(text: str) -> str:
    flat = " ".join(printable(text).split())
    return repr(flat[:60] + ("…" if len(flat) > 60 else ""))
