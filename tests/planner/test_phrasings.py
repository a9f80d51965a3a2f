"""The rule planner over a broad table of phrasings, with safety invariants on every plan."""

from __future__ import annotations

import shlex

import pytest

from kubechat_tui.domain import PlanResult, Risk, Scope, Verb
from kubechat_tui.planner.service import PlannerService
from tests.planner.phrasings import COMPOUND, TABLE

SHELL_OPERATORS = {";", "&", "&&", "|", "||", ">", ">>", "<", "<<", "(", ")", "`", "$("}
DESTRUCTIVE = {Verb.DELETE, Verb.DRAIN, Verb.PATCH, Verb.APPLY}
CURRENT = Scope(clusters=("prod-eu",), namespace=None)


def test_the_table_is_broad() -> None:
    assert len(TABLE) >= 150
    kinds = {expected for _, expected in TABLE}
    assert {"read", "blocked", "unknown", "destructive", "delete", "drain", "scale"} <= kinds


def assert_kubectl_safe(line: str) -> None:
    """No unquoted shell operator, and the line survives a shlex round trip."""
    assert line.startswith("kubectl ")
    assert shlex.join(shlex.split(line)) == line
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    assert not SHELL_OPERATORS & set(lexer), line
    assert "\n" not in line


def assert_safe(result: PlanResult) -> None:
    if result.plan is None:
        return
    mutations = [s for s in result.plan.steps if s.mutating]
    assert len(mutations) <= 1, "at most one change per request"
    seen_change = False
    for step in result.plan.steps:
        assert_kubectl_safe(step.kubectl)
        for line in step.kubectl_lines():
            assert_kubectl_safe(line)
        if step.mutating:
            seen_change = True
            assert step.risk >= Risk.MEDIUM
            if step.verb in DESTRUCTIVE or step.params.get("replicas") == 0:
                assert step.risk >= Risk.HIGH and step.requires_approval, step
            if step.namespace == "kube-system" or step.name == "kube-system":
                assert step.risk is Risk.CRITICAL
            if step.verb is Verb.DELETE and step.resource in (
                    "namespaces", "nodes", "clusterrolebindings", "roles",
                    "customresourcedefinitions", "persistentvolumes"):
                assert step.risk is Risk.CRITICAL
        else:
            assert not seen_change, "diagnostics come before the change"
            assert step.resource != "secrets"


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[t[:40] for t, _ in TABLE])
def test_phrasing(rules: PlannerService, text: str, expected: str) -> None:
    result = rules.plan(text, CURRENT)
    assert_safe(result)
    if expected == "blocked":
        assert result.blocked and result.plan is None
        assert result.reason and not result.suggestions, result.reason
    elif expected == "unknown":
        assert result.blocked and result.plan is None
        assert result.reason
    else:
        assert not result.blocked, result.reason
        assert result.plan is not None
        changes = [s for s in result.plan.steps if s.mutating]
        if expected == "read":
            assert not changes
        elif expected == "destructive":
            assert changes and changes[0].risk >= Risk.HIGH and changes[0].requires_approval
        else:
            assert [s.verb.value for s in changes] == [expected]
            assert not result.plan.steps[0].mutating or len(result.plan.steps) == 1 \
                or changes[0].verb is Verb.CORDON


@pytest.mark.parametrize(("text", "kind", "expected"), COMPOUND,
                         ids=[t[:40] for t, _, _ in COMPOUND])
def test_compound_and_ambiguous_requests(rules: PlannerService, text: str, kind: str,
                                         expected: tuple[str, ...] | str) -> None:
    """Exactly the expected plan (every kubectl line, per cluster), or refused saying why."""
    result = rules.plan(text, CURRENT)
    assert_safe(result)
    if isinstance(expected, str):
        assert result.blocked and result.plan is None
        assert expected in (result.reason or ""), result.reason
        return
    assert not result.blocked and result.plan is not None, result.reason
    assert [line for s in result.plan.steps for line in s.kubectl_lines()] == list(expected)


def test_a_change_is_never_aimed_at_a_verb_or_a_cluster_set(rules: PlannerService) -> None:
    """Regression: "describe pod x and delete namespace prod" planned `delete pods x -n delete`."""
    for text in [t for t, _, _ in COMPOUND] + [t for t, _ in TABLE if "delete" in t]:
        plan = rules.plan(text, CURRENT).plan
        for step in plan.steps if plan else ():
            assert step.namespace not in ("delete", "remove", "kill", "and", "please")
            if step.verb is Verb.DELETE and step.resource == "namespaces":
                assert step.name not in ("prod", "staging", "canary"), text


def test_an_unclear_change_suggests_the_kind_and_name(rules: PlannerService) -> None:
    result = rules.plan("logs of payments-api\nplease delete it", CURRENT)
    assert result.blocked and result.suggestions[0] == "delete deployment payments-api"
    result = rules.plan("delete payments-api in payments", CURRENT)
    assert result.suggestions == ("delete deployment payments-api", "delete pod payments-api")


def test_a_selector_is_never_read_as_an_object_name(rules: PlannerService) -> None:
    for text in ("delete pods -l app=payments-api in payments in prod-eu",
                 "delete pods with label app=payments-api in payments",
                 "delete pods --selector=app=payments-api,tier!=db in payments"):
        plan = rules.plan(text, CURRENT).plan
        assert plan is not None, text
        change = plan.steps[-1]
        assert change.verb is Verb.DELETE and change.name is None, text
        assert change.selector and change.selector.startswith("app=payments-api"), text
        assert "-l " in change.kubectl, text


def test_secret_exposure_is_refused_with_a_reason(rules: PlannerService) -> None:
    result = rules.plan("show me the secret db-password in payments", CURRENT)
    assert result.blocked and "Secret" in (result.reason or "")


def test_unknown_requests_get_suggestions(rules: PlannerService) -> None:
    result = rules.plan("make it better", CURRENT)
    assert result.blocked and result.reason and result.reason.startswith("not understood")
    assert len(result.suggestions) >= 3
