"""The read path's pure parts: which pods a status filter keeps, field paths, error lines,
quantities, kubectl's rollout status words, the per-cluster deadline, policy for reads and
the plain-text rendering."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.diagnostics.fanout import fan_out
from kubechat_tui.engine.diagnostics.guardrails import policy_refusals
from kubechat_tui.engine.diagnostics.readers import pod_state
from kubechat_tui.engine.diagnostics.readers.fields import custom_columns, field_text
from kubechat_tui.engine.diagnostics.readers.logs import error_lines
from kubechat_tui.engine.diagnostics.readers.rollout import rollout_status
from kubechat_tui.engine.diagnostics.readers.top import quantity
from kubechat_tui.engine.diagnostics.results import (
    LogExcerpt,
    LogsOutput,
    StepResult,
    TableOutput,
)
from kubechat_tui.engine.diagnostics.text import result_text
from kubechat_tui.guard.policy import PolicyContext, load_configured_policy, load_policy
from kubechat_tui.kube.recorder import Request
from kubechat_tui.planner.render import build_step

EXAMPLE = Path(__file__).parents[2] / "docs" / "policy-example.yaml"
OOM_POD = {"status": {"containerStatuses": [
    {"state": {"waiting": {"reason": "CrashLoopBackOff"}},
     "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}}


@pytest.mark.parametrize(("status_filter", "status", "ready", "pod", "kept"), [
    ("CrashLoopBackOff", "CrashLoopBackOff", "0/1", {}, True),
    ("CrashLoopBackOff", "Running", "1/1", {}, False),
    ("ImagePullBackOff,ErrImagePull", "ErrImagePull", "0/1", {}, True),
    ("OOMKilled", "CrashLoopBackOff", "0/1", OOM_POD, True),  # the last state says why
    ("OOMKilled", "CrashLoopBackOff", "0/1", {}, False),
    ("NotReady", "Running", "1/2", {}, True),
    ("NotReady", "Completed", "0/1", {}, False),
])
def test_status_filters_keep_the_pods_asked_about(status_filter: str, status: str, ready: str,
                                                  pod: dict, kept: bool) -> None:
    assert pod_state.matches(pod_state.wanted(status_filter), status, ready, pod) is kept


def test_only_container_state_filters_read_whole_pods() -> None:
    assert pod_state.needs_containers("OOMKilled")
    assert not pod_state.needs_containers("CrashLoopBackOff")
    assert pod_state.needs_attention("Pending", "0/1") and not pod_state.needs_attention(
        "Running", "2/2")


def test_field_paths_read_like_kubectl() -> None:
    pod = {"metadata": {"name": "a"}, "spec": {"containers": [{"image": "x:1"},
                                                              {"image": "y:2"}]},
           "status": {"containerStatuses": [{"restartCount": 7}]}}
    assert field_text(pod, ".spec.containers[*].image") == "x:1,y:2"
    assert field_text(pod, "{.status.containerStatuses[0].restartCount}") == "7"
    assert field_text(pod, ".spec.nodeName") == "<none>"
    assert custom_columns("custom-columns=NAME:.metadata.name,IMG:.spec.containers[*].image") \
        == [("NAME", ".metadata.name"), ("IMG", ".spec.containers[*].image")]
    with pytest.raises(ValueError, match="unsupported field path"):
        field_text(pod, ".spec..x")
    with pytest.raises(ValueError, match=r"HEADER:\.path"):
        custom_columns("custom-columns=NAME")


def test_error_lines_are_found_by_level_word_or_exception() -> None:
    lines = ('{"level":"info","msg":"no errors so far"}', '{"level":"error","msg":"x"}',
             "level=warn msg=retrying", "ERROR connection refused",
             "payments.ledger.LedgerUnavailable: boom", "ValueError: bad", "Traceback (most",
             '{"severity":"CRITICAL"}', "all good")
    assert error_lines(lines) == (1, 3, 5, 6, 7)


def test_quantities() -> None:
    assert quantity("10523502n") == Decimal("0.010523502")
    assert quantity("156983Ki") == 156983 * 1024
    assert quantity("250m") * 1000 == 250 and quantity("2") == 2 and quantity("x") == 0


@pytest.mark.parametrize(("resource", "obj", "line"), [
    ("deployments", {"metadata": {"name": "web", "generation": 2},
                     "status": {"observedGeneration": 1}},
     "Waiting for deployment spec update to be observed..."),
    ("deployments", {"metadata": {"name": "web"}, "spec": {"replicas": 3},
                     "status": {"updatedReplicas": 1, "replicas": 3}},
     'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been '
     "updated..."),
    ("deployments", {"metadata": {"name": "web"}, "spec": {"replicas": 3},
                     "status": {"updatedReplicas": 3, "replicas": 4}},
     'Waiting for deployment "web" rollout to finish: 1 old replicas are pending '
     "termination..."),
    ("deployments", {"metadata": {"name": "web"}, "spec": {"replicas": 3},
                     "status": {"updatedReplicas": 3, "replicas": 3, "availableReplicas": 2}},
     'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are '
     "available..."),
    ("daemonsets", {"metadata": {"name": "agent"},
                    "status": {"desiredNumberScheduled": 4, "updatedNumberScheduled": 4,
                               "numberAvailable": 4}},
     'daemon set "agent" successfully rolled out'),
    ("statefulsets", {"metadata": {"name": "db"}, "spec": {"replicas": 3},
                      "status": {"readyReplicas": 1}}, "Waiting for 2 pods to be ready..."),
])
def test_rollout_status_words(resource: str, obj: dict, line: str) -> None:
    assert rollout_status(resource, obj) == line


def test_fan_out_hands_over_results_as_they_come_and_late_ones_at_the_deadline() -> None:
    release = threading.Event()

    def work(task: str) -> str:
        if task == "stuck":
            release.wait(5)
        return f"{task}:done"

    seen: list[str] = []
    started = time.monotonic()
    fan_out(["a", "stuck", "b"], work, time.monotonic() + 0.3, seen.append,
            lambda task: f"{task}:late")
    release.set()
    assert sorted(seen[:2]) == ["a:done", "b:done"] and seen[2] == "stuck:late"
    assert time.monotonic() - started < 2.0


def read_plan(*steps: object) -> Plan:
    return Plan(input="x", planner="rules", scope=Scope(clusters=("prod-eu",)),
                steps=tuple(steps))


def test_the_example_policy_forbids_reading_secrets_and_nothing_else() -> None:
    plan = read_plan(build_step("s1", Verb.GET, "secrets", namespace="payments",
                                clusters=("prod-eu",)),
                     build_step("s2", Verb.GET, "pods", namespace="payments",
                                clusters=("prod-eu",)))
    _, refusals = policy_refusals(load_policy(EXAMPLE), plan, PolicyContext())
    assert list(refusals) == [("s1", "prod-eu")]
    assert refusals[("s1", "prod-eu")].reason.startswith("policy: READ-001: step s1")
    assert "vault" in refusals[("s1", "prod-eu")].remediation


def test_the_default_policy_lets_every_read_through() -> None:
    plan = read_plan(*(build_step(f"s{i}", verb, "pods", namespace="kube-system",
                                  clusters=("prod-eu",))
                       for i, verb in enumerate((Verb.GET, Verb.DESCRIBE, Verb.TOP), 1)))
    decision, refusals = policy_refusals(load_configured_policy(Settings()), plan,
                                         PolicyContext())
    assert decision.allowed and not refusals


def test_results_as_text_mark_what_needs_attention() -> None:
    table = StepResult("s1", "get", "prod-eu", "kubectl --context prod-eu get pods", "ok",
                       "table", TableOutput(("NAME", "STATUS"), (("a", "CrashLoopBackOff"),
                                                                 ("b", "Running")),
                                            marked=(0,), note="1 of 2"), duration=0.004,
                       requests=tuple(Request("prod-eu", "GET", f"/api/v1/pods/{n}")
                                      for n in "abcd"))
    assert result_text(table).splitlines() == [
        "[s1] prod-eu  ok  4 ms", "   kubectl --context prod-eu get pods",
        "     GET /api/v1/pods/a", "     GET /api/v1/pods/b", "     GET /api/v1/pods/c",
        "     (+1 more requests)",
        "   NAME   STATUS", " ! a      CrashLoopBackOff", "   b      Running", "   (1 of 2)"]
    logs = StepResult("s2", "logs", "prod-eu", "kubectl logs x", "ok", "logs", LogsOutput(
        (LogExcerpt("x", "api", True, ("ok", "boom error"), (1,)),)))
    assert result_text(logs).splitlines()[2:] == [
        "   --- pod/x container api (previous instance)", "     ok", "   ! boom error"]
    denied = StepResult("s3", "get", "prod-us", "kubectl get secrets", "denied", "denied",
                        error="policy: READ-001", remediation="Use the vault.")
    assert result_text(denied).splitlines() == [
        "[s3] prod-us  DENIED", "   kubectl get secrets", "   policy: READ-001",
        "   Use the vault."]
