"""A model's tool calls: the read tools as a strict JSON reply schema (`REPLY_SCHEMA`) and
as function definitions for a provider's tool calling (`TOOLS`), and each call checked into
one read step, or refused with the reason.

A call is refused, never run, when its tool is not one of the read-only tools (a change
such as `delete` or `scale`, or anything else), when it reads Secrets, when it names a
cluster or namespace outside the question's scope, or when a value is not valid (the
model's steps are checked as a planner's are: `planner.llm_reply.draft_from_spec`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kubechat_tui.domain import RESOURCES, ParamValue, Scope, Step, Verb
from kubechat_tui.domain.resources import resolve_resource
from kubechat_tui.domain.verbs import MUTATING_VERBS
from kubechat_tui.planner.llm_reply import (
    TARGET_PROPERTIES,
    ReplyRejected,
    StepSpec,
    draft_from_spec,
    reply_json,
)
from kubechat_tui.planner.render import build_step
from kubechat_tui.planner.scope import ResolvedScope
from kubechat_tui.planner.text import printable

MAX_CALLS_PER_REPLY = 8
READ_TOOLS: dict[str, Verb] = {"list": Verb.GET, "get": Verb.GET, "describe": Verb.DESCRIBE,
                               "events": Verb.EVENTS, "logs": Verb.LOGS, "top": Verb.TOP}
# Tool names that would change something: the planner's changes (`rollout restart`), and
# a first word kubectl (or anyone) writes with.
CHANGES = frozenset(v.value for v in MUTATING_VERBS)
CHANGE_WORDS = frozenset({*(v.value for v in MUTATING_VERBS if " " not in v.value), "set",
                          "create", "edit", "exec", "label", "annotate", "replace", "run",
                          "expose", "cp", "port-forward", "restart", "taint", "autoscale",
                          "attach", "debug", "evict", "update", "write", "kill", "undo"})
RefusalKind = Literal["mutation", "secret", "scope", "invalid", "budget"]

REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "calls": {"type": "array", "maxItems": MAX_CALLS_PER_REPLY, "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "string", "enum": list(READ_TOOLS)},
                **TARGET_PROPERTIES,
            }}},
        "answer": {"type": ["string", "null"]},
        "citations": {"type": "array", "items": {"type": "string"}},
    },
}


_CALL_ARGUMENTS = {k: v for k, v in REPLY_SCHEMA["properties"]["calls"]["items"]["properties"]
                   .items() if k != "tool"}
_TOOL_DESCRIPTIONS = {
    "list": "List a resource's objects (params: field_selector, status_filter).",
    "get": "Get one object by name.",
    "describe": "Describe an object (kubectl describe), with its events.",
    "events": "Events, warnings first (params: for_kind, for_name, types, reason_filter).",
    "logs": "The last log lines of a pod or workload (params: tail_lines, container, "
            "previous, grep).",
    "top": "CPU and memory of pods or nodes (metrics.k8s.io).",
}
ANSWER_TOOL = "answer"
# The same calls as function definitions, for a provider's tool calling; the answer is a
# function too, so its citations come as data.
TOOLS: list[dict[str, Any]] = [
    *({"type": "function", "function": {
        "name": name, "description": _TOOL_DESCRIPTIONS[name],
        "parameters": {"type": "object", "properties": _CALL_ARGUMENTS,
                       "required": ["resource"]}}} for name in READ_TOOLS),
    {"type": "function", "function": {
        "name": ANSWER_TOOL, "description": "The final answer, citing the ids of the results "
        "it rests on (c1@prod-eu, s1@prod-eu).",
        "parameters": {"type": "object", "required": ["answer", "citations"], "properties": {
            "answer": {"type": "string"},
            "citations": {"type": "array", "items": {"type": "string"}}}}}},
]


class ToolCall(BaseModel):
    """One tool call as the model writes it (checked by `checked`)."""

    model_config = ConfigDict(extra="forbid")
    tool: str
    resource: str = "pods"
    namespace: str | None = None
    name: str | None = None
    selector: str | None = None
    clusters: list[str] = Field(default_factory=list)
    params: dict[str, ParamValue] = Field(default_factory=dict)
    reason: str = ""

    def shown(self) -> str:
        """The call as people read it: `logs pods/web-1 -n shop on prod-eu`."""
        words = [_flat(self.tool, 40), _flat(self.resource, 60)
                 + (f"/{_flat(self.name, 100)}" if self.name else "")]
        if self.namespace:
            words += ["-n", _flat(self.namespace, 80)]
        if self.selector:
            words += ["-l", _flat(self.selector, 100)]
        words += [f"{k}={_flat(str(v), 60)}" for k, v in list(self.params.items())[:6]]
        if self.clusters:
            words += ["on", ", ".join(_flat(c, 60) for c in self.clusters[:5])]
        return " ".join(words)


class Reply(BaseModel):
    """The model's turn: tool calls, or the answer and the evidence it cites."""

    model_config = ConfigDict(extra="forbid")
    calls: list[ToolCall] = Field(default_factory=list, max_length=MAX_CALLS_PER_REPLY)
    answer: str | None = None
    citations: list[str] = Field(default_factory=list, max_length=50)


@dataclass(frozen=True)
class CallRefused:
    """Why a call is not run."""

    kind: RefusalKind
    reason: str


def parse_reply(content: str | None) -> Reply:
    """The model's reply; ReplyRejected (one line) when it is not JSON of the schema or
    neither calls a tool nor answers."""
    try:
        reply = Reply.model_validate(reply_json(content))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReplyRejected(f"the model's JSON does not match the tool-call schema ({where}: "
                            f"{first['msg']})") from None
    if not reply.calls and not (reply.answer or "").strip():
        raise ReplyRejected("the model neither called a tool nor answered")
    return reply


def tool_call(name: str, arguments: Any) -> tuple[ToolCall, str]:
    """A provider's function call as a ToolCall, and "" or why its arguments are refused."""
    tool = ToolCall(tool=name[:80])
    if not isinstance(arguments, dict):
        return tool, "the call's arguments are not a JSON object"
    try:
        return ToolCall.model_validate({**arguments, "tool": name[:80]}), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return tool, f"the call's arguments do not match the tool ({where}: {first['msg']})"


def checked(call: ToolCall, call_id: str, scope: Scope) -> Step | CallRefused:
    """The call as a read step with id `call_id` in `scope`, or why it is refused."""
    tool = " ".join(call.tool.lower().split())
    verb = READ_TOOLS.get(tool)
    if verb is None:
        if tool in CHANGES or tool.split(" ")[0] in CHANGE_WORDS:
            return CallRefused("mutation", f"{_flat(tool, 40)!r} changes the cluster; an "
                               "investigation only reads (list, get, describe, events, logs, "
                               "top)")
        return CallRefused("invalid", f"{_flat(tool, 40)!r} is not a tool (list, get, describe, "
                           "events, logs, top)")
    info = resolve_resource(call.resource)
    if info is None:
        return CallRefused("invalid", f"{_flat(call.resource, 60)!r} is not a known resource")
    if info.plural == "secrets":
        return CallRefused("secret", "Secret data is never read, nor shown to a model")
    outside = [c for c in call.clusters if c not in scope.clusters]
    if outside:
        return CallRefused("scope", f"cluster {_flat(outside[0], 60)!r} is outside this "
                           f"question's scope ({', '.join(scope.clusters)})")
    if scope.namespace and call.namespace and call.namespace != scope.namespace:
        return CallRefused("scope", f"namespace {_flat(call.namespace, 80)!r} is outside this "
                           f"question's namespace {scope.namespace!r}")
    spec = _spec(verb, info.plural, call)
    resolved = ResolvedScope(scope.clusters, scope.namespace, scope.cluster_set,
                             all_namespaces=scope.namespace is None)
    try:
        draft = draft_from_spec(spec, set(), resolved)
    except ReplyRejected as exc:
        return CallRefused("invalid", str(exc))
    return build_step(call_id, draft.verb, draft.resource,
                      namespace=draft.namespace or scope.namespace, name=draft.name,
                      selector=draft.selector, clusters=draft.clusters or scope.clusters,
                      params=draft.params, reason=draft.reason)


def _spec(verb: Verb, resource: str, call: ToolCall) -> StepSpec:
    """The call as a planner step; `events` of an object reads its events."""
    params = dict(call.params)
    name = call.name
    if verb is Verb.EVENTS and resource != "events":
        params.setdefault("for_kind", RESOURCES[resource].kind)
        if name:
            params.setdefault("for_name", name)
        resource, name = "events", None
    return StepSpec(verb=verb.value, resource=resource, namespace=call.namespace, name=name,
                    selector=call.selector, clusters=list(call.clusters), params=params,
                    reason=call.reason)


def _flat(text: str, limit: int) -> str:
    line = " ".join(printable(text).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"
