"""Property: whatever steps a model sends, every kubectl line kubechat renders from the
steps it accepts has exactly the argv shape of its verb. No model value (name, namespace,
selector, container, image, parameter) becomes an option or an extra argument
(`--all=nginx:1.25` as a container or image is refused, never rendered)."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubechat_tui.domain import Step, Verb
from kubechat_tui.domain.verbs import MUTATING_VERBS, PLAN_VERBS
from kubechat_tui.planner.drafts import Draft
from kubechat_tui.planner.llm_reply import ReplyRejected, draft_from_spec, parse_reply
from kubechat_tui.planner.render import UNNAMED_CONTAINER, build_step
from kubechat_tui.planner.scope import ResolvedScope

SCOPE = ResolvedScope(("staging", "prod-eu"), None, None, False)
HOSTILE = ["--all", "--all=nginx:1.25", "-l", "-n", "--", "-", "-A", "a=b", "x --all",
           "--context=prod", "-o=yaml", "nginx:1.25 --all", "'--all'", "$(id)", "a;b",
           "-rf", "web\n--all", "app=web --all", "=", "--dry-run=none", "a b", "-1"]
HOSTILE_VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30),
                           st.integers(-5, 2000), st.booleans())
# Per verb: resources it applies to, and valid parameter values (a model may send others).
RESOURCES_OF: dict[Verb, list[str]] = {
    Verb.GET: ["pods", "deployments", "nodes", "services", "namespaces"],
    Verb.DESCRIBE: ["pods", "deployments", "nodes", "services"],
    Verb.EVENTS: ["events"], Verb.LOGS: ["pods", "deployments", "statefulsets"],
    Verb.TOP: ["pods", "nodes"], Verb.SCALE: ["deployments", "statefulsets"],
    Verb.CORDON: ["nodes"], Verb.UNCORDON: ["nodes"], Verb.DRAIN: ["nodes"],
    Verb.DELETE: ["pods", "deployments", "namespaces"], Verb.PATCH: ["deployments", "services"],
    Verb.APPLY: ["deployments", "configmaps"],
}
WORKLOADS = ["deployments", "statefulsets", "daemonsets"]
PARAMS_OF: dict[Verb, dict[str, list[Any]]] = {
    Verb.GET: {"field_selector": ["status.phase=Failed"], "status_filter": ["Pending"],
               "name_contains": ["web"], "sort_by": [".metadata.name"]},
    Verb.EVENTS: {"for_kind": ["Pod"], "for_name": ["web"], "types": ["Warning"],
                  "reason_filter": ["BackOff"]},
    Verb.LOGS: {"tail_lines": [100], "container": ["api"], "previous": [True],
                "grep": ["error"]},
    Verb.SCALE: {"replicas": [0, 3]}, Verb.ROLLOUT_UNDO: {"to_revision": [2]},
    Verb.SET_IMAGE: {"image": ["nginx:1.25", "registry.example/app@sha256:abc"],
                     "container": ["api", "sidecar-1"]},
    Verb.DRAIN: {"timeout_seconds": [60]}, Verb.PATCH: {"patch": ['{"spec": {"x": "--all"}}']},
    Verb.APPLY: {"manifest": ["kind: ConfigMap"]},
}
REQUIRED = {Verb.SCALE: "replicas", Verb.SET_IMAGE: "image", Verb.PATCH: "patch"}


def sometimes_hostile(draw: st.DrawFn, good: list[Any], none: bool = True) -> Any:
    """A valid value most of the time; else nothing, or a hostile or random one."""
    choice = draw(st.integers(0, 9))
    if choice < 8:
        return draw(st.sampled_from(good))
    if choice < 9 and none:
        return None
    return draw(HOSTILE_VALUES)


@st.composite
def model_steps(draw: st.DrawFn) -> dict[str, Any]:
    """A step as a model might send it: mostly plausible, with hostile values mixed in."""
    verb = draw(st.sampled_from(list(PLAN_VERBS)))
    params = {}
    for key, good in PARAMS_OF.get(verb, {}).items():
        if key == REQUIRED.get(verb) or draw(st.booleans()):
            params[key] = sometimes_hostile(draw, good, none=False)
    return {
        "verb": verb.value,
        "resource": draw(st.sampled_from(RESOURCES_OF.get(verb, WORKLOADS))),
        "name": sometimes_hostile(draw, ["web", "payments-api", "ip-10-0-3-7", "a.b"]),
        "namespace": sometimes_hostile(draw, ["payments", "kube-system"]),
        "selector": draw(st.none()) if draw(st.booleans()) else sometimes_hostile(
            draw, ["app=web", "app=web,tier!=db", "!canary", "env in (a, b)",
                   "app.kubernetes.io/name=web"]),
        "clusters": draw(st.lists(st.sampled_from(["staging", "prod-eu"]), max_size=2)),
        "params": params,
    }


VALUE_FLAGS = {"-n", "-l", "-o", "-c", "--field-selector", "--sort-by", "--type", "-p", "-f",
               "--context"}
FLAGS: dict[Verb, set[str]] = {
    Verb.GET: {"-n", "-A", "-l", "--field-selector", "--sort-by", "-o"},
    Verb.DESCRIBE: {"-n", "-A", "-l"},
    Verb.EVENTS: {"-n", "-A", "--for=", "--types="},
    Verb.LOGS: {"-n", "-l", "-c", "--all-containers", "--previous", "--tail="},
    Verb.TOP: {"-n", "-A"},
    Verb.ROLLOUT_STATUS: {"-n"}, Verb.ROLLOUT_HISTORY: {"-n"}, Verb.ROLLOUT_RESTART: {"-n"},
    Verb.ROLLOUT_UNDO: {"-n", "--to-revision="},
    Verb.SCALE: {"-n", "--replicas="},
    Verb.SET_IMAGE: {"-n"},
    Verb.CORDON: set(), Verb.UNCORDON: set(),
    Verb.DRAIN: {"--ignore-daemonsets", "--delete-emptydir-data", "--timeout="},
    Verb.DELETE: {"-n", "-l", "--field-selector", "--all"},
    Verb.PATCH: {"-n", "--type", "-p"},
    Verb.APPLY: {"-n", "--server-side", "--field-manager=", "-f"},
}


def expected_words(step: Step) -> list[str]:
    """The positional words of the step's kubectl line, from the step's own fields."""
    res, name, params = step.resource, step.name, step.params
    target = f"{res}/{name}" if name else res
    verb = step.verb
    if verb is Verb.GET:
        return ["get", target]
    if verb is Verb.DESCRIBE:
        return ["describe", res, *([name] if name else [])]
    if verb is Verb.EVENTS:
        return ["events"]
    if verb is Verb.LOGS:
        return ["logs", *([name if res == "pods" else target] if name else [])]
    if verb is Verb.TOP:
        return ["top", "nodes" if res == "nodes" else "pods", *([name] if name else [])]
    if verb in (Verb.ROLLOUT_STATUS, Verb.ROLLOUT_HISTORY, Verb.ROLLOUT_RESTART,
                Verb.ROLLOUT_UNDO):
        return [*verb.value.split(), target]
    if verb is Verb.SCALE:
        return ["scale", target]
    if verb is Verb.SET_IMAGE:
        container = params.get("container") or UNNAMED_CONTAINER  # named once the engine reads
        return ["set", "image", target, f"{container}={params['image']}"]
    if verb in (Verb.CORDON, Verb.UNCORDON, Verb.DRAIN):
        return [verb.value, str(name)]
    if verb in (Verb.DELETE, Verb.PATCH):
        return [verb.value, res, *([name] if name else [])]
    return ["apply"]


def argv_shape(line: str) -> tuple[list[str], list[str], dict[str, str]]:
    """(positional words, option tokens, value of each value-taking option)."""
    argv = shlex.split(line)
    assert argv[0] == "kubectl"
    words: list[str] = []
    options: list[str] = []
    given_values: dict[str, str] = {}
    rest = iter(argv[1:])
    for token in rest:
        if token.startswith("-") and token != "-":
            options.append(token)
            if token in VALUE_FLAGS:
                given_values[token] = next(rest)
        else:
            words.append(token)
    return words, options, given_values


def allowed(option: str, verb: Verb) -> bool:
    return any(option == flag or (flag.endswith("=") and option.startswith(flag))
               for flag in FLAGS[verb] | {"--context"})


def accepted(raw: dict[str, Any]) -> Draft | None:
    """The step as the model path reads it (reply schema, then the step's checks); None
    when refused."""
    try:
        _, steps = parse_reply(json.dumps({"steps": [raw]}))
        return draft_from_spec(steps[0], set(MUTATING_VERBS), SCOPE)
    except ReplyRejected:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_steps())
def test_every_accepted_model_step_renders_the_expected_argv(raw: dict[str, Any]) -> None:
    draft = accepted(raw)
    if draft is None:
        return
    step = build_step("s1", draft.verb, draft.resource, namespace=draft.namespace,
                      name=draft.name, selector=draft.selector,
                      clusters=draft.clusters or SCOPE.clusters, params=draft.params)
    for line in [step.kubectl, *step.kubectl_lines()]:
        words, options, given_values = argv_shape(line)
        assert words == expected_words(step), line
        assert all(allowed(o, step.verb) for o in options), line
        assert given_values.get("-n", step.namespace) == step.namespace, line
        assert given_values.get("-l", step.selector) == step.selector, line
        if "-c" in given_values:
            assert given_values["-c"] == step.params["container"], line
        assert given_values.get("--context", "staging") in SCOPE.clusters, line


def test_the_property_is_not_vacuous() -> None:
    """A valid step of every verb is accepted and checked, and most drawn steps are."""
    for verb in PLAN_VERBS:
        raw = {"verb": verb.value, "resource": RESOURCES_OF.get(verb, WORKLOADS)[0],
               "name": "web", "params": {k: v[0] for k, v in PARAMS_OF.get(verb, {}).items()}}
        assert accepted(raw) is not None, raw
        test_every_accepted_model_step_renders_the_expected_argv.hypothesis.inner_test(raw)
    seen: Counter[bool] = Counter()

    @settings(max_examples=200, deadline=None, database=None, derandomize=True)
    @given(model_steps())
    def tally(raw: dict[str, Any]) -> None:
        seen[accepted(raw) is not None] += 1

    tally()
    assert seen[True] > seen[False], seen
