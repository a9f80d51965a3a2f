"""Policy decisions: approvals, protected namespaces, freezes, blast radius, labels, CEL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Verb
from kubechat_tui.guard.policy import ERROR_RULE, PolicyContext, load_configured_policy, load_policy
from tests.guard.helpers import get_step, plan_of, scale_step, step, write_policy

EXAMPLE = Path(__file__).parents[2] / "docs" / "policy-example.yaml"
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
LABELS = {("s1", "prod-eu"): [{"team": "payments"}]}


def example(now: datetime = WEDNESDAY, labels: object = LABELS) -> tuple:
    return load_policy(EXAMPLE), PolicyContext(now=now, labels=labels)  # type: ignore[arg-type]


def test_prod_mutation_requires_one_approval_and_names_rule_and_hash() -> None:
    policy = load_configured_policy(Settings())
    decision = policy.evaluate(plan_of(scale_step()), PolicyContext(now=WEDNESDAY))
    assert decision.allowed
    assert decision.required_approvals == 1
    assert decision.rule_ids == ("KC-APPROVE-001",)
    assert decision.policy_hash == policy.hash and len(policy.hash) == 64
    assert decision.to_dict()["rule_ids"] == ["KC-APPROVE-001"]


def test_delete_or_drain_in_prod_needs_two_and_staging_needs_none() -> None:
    policy = load_configured_policy(Settings())
    ctx = PolicyContext(now=WEDNESDAY)
    assert policy.evaluate(plan_of(step(Verb.DELETE)), ctx).required_approvals == 2
    drain = step(Verb.DRAIN, resource="nodes", namespace=None, name="ip-10-0-3-7")
    assert policy.evaluate(plan_of(drain), ctx).required_approvals == 2
    staging = policy.evaluate(plan_of(scale_step(cluster="staging")), ctx)
    assert staging.allowed and staging.required_approvals == 0 and staging.rule_ids == ()


def test_read_only_and_skipped_steps_are_not_policed() -> None:
    policy = load_configured_policy(Settings())
    skipped = scale_step().model_copy(update={"accepted": False})
    decision = policy.evaluate(plan_of(get_step(namespace="kube-system"), skipped),
                               PolicyContext(now=WEDNESDAY))
    assert decision.allowed and decision.required_approvals == 0


def test_protected_namespace_denies_with_rule_id_and_remediation() -> None:
    policy = load_configured_policy(Settings())
    decision = policy.evaluate(plan_of(scale_step(namespace="kube-system")),
                               PolicyContext(now=WEDNESDAY))
    assert not decision.allowed
    assert "KC-NS-001" in decision.rule_ids
    assert any("kube-system is protected" in r for r in decision.reasons)
    assert any("GitOps" in r for r in decision.remediation)


def test_change_freeze_blocks_with_rule_id() -> None:
    policy, ctx = example(now=datetime(2026, 12, 24, 12, tzinfo=UTC))
    decision = policy.evaluate(plan_of(scale_step()), ctx)
    assert not decision.allowed
    assert "FREEZE-001" in decision.rule_ids
    assert any("change freeze" in r and "Europe/Berlin" in r for r in decision.reasons)
    assert any("break-glass" in r for r in decision.remediation)


@pytest.mark.parametrize(("moment", "frozen"), [
    (datetime(2026, 11, 27, 14, 59, tzinfo=UTC), False),  # Fri 15:59 Berlin
    (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), True),    # Fri 16:00 Berlin
    (datetime(2026, 11, 28, 22, 59, tzinfo=UTC), True),   # Sat 23:59 Berlin
    (datetime(2026, 11, 29, 23, 0, tzinfo=UTC), False),   # Mon 00:00 Berlin
    (datetime(2027, 1, 3, 22, 59, tzinfo=UTC), True),     # last minute of year-end freeze
])
def test_weekly_freeze_windows_follow_the_rule_timezone(moment: datetime, frozen: bool) -> None:
    policy, ctx = example(now=moment)
    decision = policy.evaluate(plan_of(scale_step()), ctx)
    assert ("FREEZE-001" in decision.rule_ids) is frozen


def test_freeze_does_not_apply_outside_its_cluster_set() -> None:
    policy, _ = example()
    ctx = PolicyContext(now=datetime(2026, 12, 24, 12, tzinfo=UTC),
                        labels={("s1", "staging"): [{"team": "x"}]})
    assert policy.evaluate(plan_of(scale_step(cluster="staging")), ctx).allowed


def test_blast_radius_limits_objects_and_clusters() -> None:
    policy, _ = example()
    big = scale_step().model_copy(update={"affected": 900})
    labels = {("s1", "prod-eu"): [{"team": "payments"}]}
    decision = policy.evaluate(plan_of(big), PolicyContext(now=WEDNESDAY, labels=labels))
    assert not decision.allowed and "BLAST-001" in decision.rule_ids
    wide = scale_step(cluster="a").model_copy(update={"clusters": ("a", "b", "c", "d")})
    decision = policy.evaluate(plan_of(wide), PolicyContext(
        now=WEDNESDAY, labels={("s1", c): [{}] for c in "abcd"}))
    assert decision.allowed and decision.required_approvals == 2
    assert "BLAST-002" in decision.rule_ids


def test_unbounded_selector_step_counts_as_over_the_limit() -> None:
    policy = load_configured_policy(Settings())
    unbounded = step(Verb.DELETE, resource="pods", name=None, cluster="staging")
    unbounded = unbounded.model_copy(update={"selector": "app=web"})
    decision = policy.evaluate(plan_of(unbounded), PolicyContext(now=WEDNESDAY))
    assert "KC-BLAST-001" in decision.rule_ids and decision.required_approvals == 2


def test_forbidden_and_required_labels() -> None:
    policy, _ = example()
    protected = {("s1", "prod-eu"): [{"team": "p", "kubechat.io/protected": "true"}]}
    decision = policy.evaluate(plan_of(scale_step()), PolicyContext(now=WEDNESDAY,
                                                                    labels=protected))
    assert not decision.allowed and "LABEL-001" in decision.rule_ids
    ownerless = {("s1", "prod-eu"): [{"app": "payments-api"}]}
    decision = policy.evaluate(plan_of(scale_step()), PolicyContext(now=WEDNESDAY,
                                                                    labels=ownerless))
    assert decision.allowed and decision.required_approvals == 2
    assert "LABEL-002" in decision.rule_ids


def test_unknown_labels_fail_closed_with_the_rule_id() -> None:
    policy, ctx = example(labels={})
    decision = policy.evaluate(plan_of(scale_step()), ctx)
    assert not decision.allowed
    assert {"LABEL-001", "LABEL-002"} <= set(decision.rule_ids)
    assert any("labels are unknown" in r for r in decision.reasons)


def test_cel_conditions_fire_on_params() -> None:
    policy, ctx = example()
    zero = policy.evaluate(plan_of(scale_step(0)), ctx)
    assert zero.allowed and zero.required_approvals == 2 and "CEL-001" in zero.rule_ids
    latest = step(Verb.SET_IMAGE, image="payments:latest", container="api")
    decision = policy.evaluate(plan_of(latest), ctx)
    assert not decision.allowed and "CEL-002" in decision.rule_ids
    assert "Pin the image" in decision.remediation[0]


def test_cel_runtime_error_and_non_bool_deny(tmp_path: Path) -> None:
    path = write_policy(tmp_path, """version: 1
rules:
  - id: CEL-ERR
    kind: cel
    expression: 'step.params.missing == 3'
    effect: require_approval
    approvals: 1
  - id: CEL-INT
    kind: cel
    expression: '1 + 1'
""")
    decision = load_policy(path).evaluate(plan_of(scale_step()), PolicyContext(now=WEDNESDAY))
    assert not decision.allowed
    assert decision.rule_ids == ("CEL-ERR", "CEL-INT")
    assert all("fails closed" in r for r in decision.reasons)


def test_unknown_cluster_set_fails_closed(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "version: 1\nrules:\n  - id: A-1\n    kind: approvals\n"
                                  "    approvals: 1\n    match: {cluster_set: nowhere}\n")
    decision = load_policy(path).evaluate(plan_of(scale_step()), PolicyContext(now=WEDNESDAY))
    assert not decision.allowed and decision.rule_ids == ("A-1",)
    assert "unknown cluster set 'nowhere'" in decision.reasons[0]


def test_settings_cluster_sets_are_honoured(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "version: 1\nrules:\n  - id: A-1\n    kind: approvals\n"
                                  "    approvals: 2\n    match: {cluster_set: core}\n")
    settings = Settings(cluster_sets={"core": ["staging"]})
    decision = load_policy(path).evaluate(plan_of(scale_step(cluster="staging")),
                                          PolicyContext(settings=settings, now=WEDNESDAY))
    assert decision.required_approvals == 2


def test_unexpected_evaluation_failure_denies() -> None:
    policy = load_configured_policy(Settings())
    broken = plan_of(scale_step())
    object.__setattr__(broken, "steps", None)  # a corrupt in-memory plan
    decision = policy.evaluate(broken, PolicyContext(now=WEDNESDAY))
    assert not decision.allowed and decision.rule_ids == (ERROR_RULE,)
