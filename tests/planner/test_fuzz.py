"""Property tests: any text gives a PlanResult (never an exception) and every plan is safe."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import PlanResult, Scope
from kubechat_tui.planner.service import PlannerService
from tests.planner.conftest import CLUSTER_SETS
from tests.planner.test_phrasings import assert_safe

SERVICE = PlannerService(Settings(cluster_sets=CLUSTER_SETS, ai=AISettings(enabled=False)),
                         mode="rules")
WORDS = ["scale", "restart", "delete", "drain", "cordon", "roll", "back", "logs", "events",
         "describe", "pods", "deployment", "node", "namespace", "in", "on", "to", "by", "50%",
         "5", "0", "prod", "prod-eu", "staging", "kube-system", "payments", "web-app",
         "ip-10-0-3-7", "'a b'", "\"x;y\"", "-l", "app=web", "$(id)", "`id`", "&", ">",
         "secret", "image", "nginx:1.27", "api=repo/app:2", "all", "revision", "3",
         "'; rm -rf / #", "--all", "-A", "crashlooping", "pending", "why", "show"]


def check(text: str) -> None:
    result = SERVICE.plan(text, Scope(clusters=("prod-eu",)))
    assert isinstance(result, PlanResult)
    assert result.blocked == (result.plan is None)
    if result.blocked:
        assert result.reason
    assert_safe(result)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    check(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
def test_word_salad(words: list[str]) -> None:
    check(" ".join(words))
