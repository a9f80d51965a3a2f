"""The rule planner over a broad table of phrasings, with safety invariants on every plan."""

from __future__ import annotations

import shlex

import pytest

from kubechat_tui.domain import PlanResult, Risk, Scope, Verb
from kubechat_tui.planner.service import PlannerService
from tests.planner.phrasings import TABLE

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


def test_secret_exposure_is_refused_with_a_reason(rules: PlannerService) -> None:
    result = rules.plan("show me the secret db-password in payments", CURRENT)
    assert result.blocked and "Secret" in (result.reason or "")


def test_unknown_requests_get_suggestions(rules: PlannerService) -> None:
    result = rules.plan("make it better", CURRENT)
    assert result.blocked and result.reason and result.reason.startswith("not understood")
    assert len(result.suggestions) >= 3
