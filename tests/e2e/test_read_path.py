"""The read path on the simulated fleet over real HTTP: a plan's read steps run at once in
every cluster of its scope, guarded (policy, RBAC remediation), bounded per cluster,
audited per step and cluster (a hash of the output, not the output), on the timeline."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from kubechat_tui.config.settings import AISettings, KubeSettings, Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine import trail as stage
from kubechat_tui.engine.diagnostics.path import ReadPath, ReadPlanError
from kubechat_tui.engine.diagnostics.requests import ReadRequests
from kubechat_tui.engine.diagnostics.results import (
    LogsOutput,
    StepResult,
    TableOutput,
    TextOutput,
)
from kubechat_tui.guard.access import attributes_of
from kubechat_tui.guard.rbac_remediation import remediation_text
from kubechat_tui.kube.errors import ApiError
from kubechat_tui.planner.render import build_step
from tests.e2e.conftest import REQUESTER, World

CRASHLOOP = "crashlooping pods in payments in prod-eu and prod-us"
DEV = ("dave", "dev")  # bound to `edit` in payments only: no cluster-wide reads


def reads(world: World, who: tuple[str, str] = REQUESTER, **kube: float) -> ReadPath:
    """The read path beside `who`'s pipeline (kube settings overridden by `kube`)."""
    path = ReadPath.beside(world.pipeline(who))
    if kube:
        path.settings = Settings(ai=AISettings(enabled=False), kube=KubeSettings(**kube))
    return path


def plan_of(*steps: object, clusters: tuple[str, ...] = ("prod-eu", "prod-us"),
            namespace: str | None = "payments") -> Plan:
    """A plan of hand-built steps (what a plan file or a model may hold)."""
    return Plan(input="hand-built", planner="rules",
                scope=Scope(clusters=clusters, namespace=namespace), steps=tuple(steps))


def by(results: list[StepResult], step: str, cluster: str) -> StepResult:
    return next(r for r in results if r.step_id == step and r.cluster == cluster)


def test_a_crashloop_question_shows_only_the_crashlooping_pods_warnings_first(
        world: World) -> None:
    plan = world.plan(CRASHLOOP)
    seen: list[StepResult] = []
    run = reads(world).run(plan, on_result=seen.append)
    assert seen == run.results and run.answered and not run.denied
    pods = by(run.results, "s1", "prod-eu")
    assert pods.ok and pods.kind == "table" and isinstance(pods.output, TableOutput)
    status = pods.output.columns.index("STATUS")
    assert len(pods.output.rows) == 5
    assert {row[status] for row in pods.output.rows} == {"CrashLoopBackOff"}
    assert pods.output.note.startswith("5 of ") and "in CrashLoopBackOff" in pods.output.note
    assert pods.evidence and all(o["metadata"]["namespace"] == "payments"
                                 for o in pods.evidence)  # what analyzers read
    calm = by(run.results, "s1", "prod-us")
    assert calm.ok and calm.output is not None and not calm.output.rows
    assert calm.output.note.startswith("none of ")
    events = by(run.results, "s2", "prod-eu")
    assert events.kind == "events" and isinstance(events.output, TableOutput)
    reasons = [row[events.output.columns.index("REASON")] for row in events.output.rows]
    assert reasons[0] == "BackOff" and "Unhealthy" in reasons
    assert events.output.marked == tuple(range(len(events.output.rows)))  # all warnings
    assert pods.kubectl == "kubectl --context prod-eu get pods -n payments -o wide"
    assert [r.line() for r in pods.requests] == [
        "GET /api/v1/namespaces/payments/pods?includeObject=Metadata&limit=500"]


def test_every_result_is_audited_with_a_hash_of_its_output_not_the_output(
        world: World) -> None:
    plan = world.plan(CRASHLOOP)
    run = reads(world).run(plan)
    records = list(world.audit.records())
    submitted = [r for r in records if r.event.action == stage.READ_SUBMITTED]
    steps = [r for r in records if r.event.action == stage.READ_STEP]
    assert len(submitted) == 1 and submitted[0].event.outcome == "submitted"
    assert len(steps) == len(run.results) == 4
    for record, result in zip(steps, run.results, strict=True):
        payload = record.event.payload
        assert payload["output_sha256"] == result.output_sha256()
        assert record.event.scope.clusters == (result.cluster,)
        assert record.event.outcome == "ok"
        assert record.event.links.execution_id == run.run_id
        assert record.event.links.plan_hash == run.plan.digest()  # bound to contexts
        assert payload["requests"] == [r.line() for r in result.requests]
    body = b"".join(r.body for r in steps)
    assert b"get pods -n payments -o wide" in submitted[0].body  # what runs, not what came
    assert b"CrashLoopBackOff" not in body and b"Back-off restarting" not in body
    entry = world.timeline.for_execution(run.run_id)[0]
    assert entry.kind == "diagnostics" and entry.body == "4 result(s): 4 answered"
    assert {r["output_sha256"] for r in entry.payload["results"]} == {
        r.output_sha256() for r in run.results}
    assert world.audit.verify().ok


def test_a_cluster_that_times_out_shows_its_error_while_the_others_answer(
        world: World) -> None:
    world.sim.faults("prod-us").set(blackhole=True)
    started = time.monotonic()
    run = reads(world, read_deadline_seconds=1.0).run(world.plan(CRASHLOOP))
    took = time.monotonic() - started
    assert took < 3.0, took
    assert all(r.ok for r in run.results if r.cluster == "prod-eu")
    slow = [r for r in run.results if r.cluster == "prod-us"]
    assert len(slow) == 2 and all(r.status == "failed" for r in slow)
    assert all(r.error.startswith("prod-us: ") and "timed out" in r.error for r in slow)
    assert run.answered
    outcomes = [r.event.outcome for r in world.audit.records()
                if r.event.action == stage.READ_STEP]
    assert sorted(outcomes) == ["failed", "failed", "ok", "ok"]


def test_an_unreachable_cluster_is_one_line_and_the_rest_answer(world: World) -> None:
    world.sim.faults("prod-eu").set(unreachable=True)
    run = reads(world).run(world.plan(CRASHLOOP))
    down = [r for r in run.results if r.cluster == "prod-eu"]
    assert {r.status for r in down} == {"failed"}
    assert all(r.error.startswith("prod-eu: unreachable") for r in down), down[0].error
    assert all(r.ok for r in run.results if r.cluster == "prod-us")


def test_policy_can_forbid_reads_of_secrets_with_remediation(world: World,
                                                             tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: READ-SECRETS\n    kind: cel\n"
        "    description: Secrets are not read from the console\n"
        "    match: {mutating_only: false, resources: [secrets]}\n"
        "    expression: 'true'\n"
        "    remediation: Read the value from the vault, where access is audited.\n")
    path = ReadPath.beside(world.pipeline(REQUESTER, policy=world.with_policy_file(policy)))
    world.sim.clear_requests()
    plan = plan_of(build_step("s1", Verb.GET, "secrets", namespace="payments",
                              clusters=("prod-eu",)),
                   build_step("s2", Verb.GET, "configmaps", namespace="payments",
                              clusters=("prod-eu",)), clusters=("prod-eu",))
    run = path.run(plan)
    denied = by(run.results, "s1", "prod-eu")
    assert denied.status == "denied" and denied.kind == "denied" and not denied.requests
    assert denied.error.startswith("policy: READ-SECRETS: step s1 on prod-eu")
    assert denied.remediation == "Read the value from the vault, where access is audited."
    assert denied.to_json()["output"] == {"remediation": denied.remediation}
    assert by(run.results, "s2", "prod-eu").ok  # other reads still run
    assert not any("secrets" in r.path for r in world.sim.requests("prod-eu"))
    assert not run.denied  # something answered


def test_a_read_rbac_refuses_gets_the_remediation_a_change_gets(world: World) -> None:
    plan = plan_of(build_step("s1", Verb.EVENTS, "events", clusters=("prod-eu",),
                              params={"types": "Warning"}),
                   build_step("s2", Verb.GET, "pods", namespace="payments",
                              clusters=("prod-eu",)), clusters=("prod-eu",), namespace=None)
    run = reads(world, DEV).run(plan)
    denied = by(run.results, "s1", "prod-eu")
    assert denied.status == "denied" and denied.error.startswith("RBAC denied: dev@prod-eu")
    refused = denied.requests[-1]
    assert refused.line().startswith("GET /api/v1/events?")
    assert denied.remediation == remediation_text("prod-eu", "dev", "",
                                                  [attributes_of(refused)], None)
    assert "kind: ClusterRole" in denied.remediation
    assert by(run.results, "s2", "prod-eu").ok  # the namespace dev edits is readable
    alone = reads(world, DEV).run(plan_of(plan.steps[0], clusters=("prod-eu",),
                                          namespace=None))
    assert alone.denied and not alone.answered


def test_a_pod_that_vanished_is_one_clear_line(world: World) -> None:
    gone = "payments-api-0000000000-gone0"
    plan = plan_of(build_step("s1", Verb.DESCRIBE, "pods", namespace="payments", name=gone,
                              clusters=("prod-eu",)),
                   build_step("s2", Verb.LOGS, "pods", namespace="payments", name=gone,
                              clusters=("prod-eu",), params={"previous": True}),
                   clusters=("prod-eu",))
    run = reads(world).run(plan)
    for result in run.results:
        assert result.status == "failed" and "\n" not in result.error
        assert result.error == (f'prod-eu: pods "{gone}" not found (gone? it may have been '
                                "deleted or replaced since the plan was made)")


def test_an_unknown_kind_is_refused_before_anything_is_sent(world: World) -> None:
    step = build_step("s1", Verb.GET, "pods", clusters=("prod-eu",)).model_copy(
        update={"resource": "frobnicators"})
    world.sim.clear_requests()
    with pytest.raises(ReadPlanError, match="unknown resource"):
        reads(world).run(plan_of(step, clusters=("prod-eu",)))
    assert not world.sim.requests("prod-eu")
    rejected = [r for r in world.audit.records() if r.event.action == stage.READ_SUBMITTED]
    assert [r.event.outcome for r in rejected] == ["rejected"]


def test_a_kind_the_cluster_does_not_serve_is_one_line(world: World) -> None:
    plan = plan_of(build_step("s1", Verb.GET, "networkpolicies", namespace="payments",
                              clusters=("prod-eu",)), clusters=("prod-eu",))
    result = reads(world).run(plan).results[0]
    assert result.status == "failed"
    # the group is served (ingresses), this resource of it is not: the server's own 404
    assert result.error == "prod-eu: HTTP 404: the server could not find the requested resource"


def test_metrics_show_where_served_and_say_where_not(world: World) -> None:
    plan = plan_of(build_step("s1", Verb.TOP, "pods", namespace="payments",
                              clusters=("prod-eu", "prod-us")))
    run = reads(world).run(plan)
    absent = by(run.results, "s1", "prod-eu")
    assert absent.status == "failed" and absent.error == "metrics API not available on prod-eu"
    served = by(run.results, "s1", "prod-us")
    assert served.ok and served.kind == "metrics" and isinstance(served.output, TableOutput)
    assert served.output.columns == ("NAME", "CPU(cores)", "MEMORY(bytes)")
    memory = [int(row[2].removesuffix("Mi")) for row in served.output.rows]
    assert memory == sorted(memory, reverse=True) and len(memory) == 5
    assert all(row[1].endswith("m") for row in served.output.rows)


def test_crash_loop_logs_show_the_current_and_previous_instance_errors_marked(
        world: World) -> None:
    plan = plan_of(build_step("s1", Verb.LOGS, "deployments", namespace="payments",
                              name="payments-api", clusters=("prod-eu",),
                              params={"previous": True, "container": "api",
                                      "tail_lines": 200}), clusters=("prod-eu",))
    result = reads(world).run(plan).results[0]
    assert result.ok and isinstance(result.output, LogsOutput)
    excerpts = result.output.excerpts
    assert [e.previous for e in excerpts] == [False, True] * 3
    for excerpt in excerpts:
        assert excerpt.container == "api" and excerpt.lines
        errors = [excerpt.lines[i] for i in excerpt.errors]
        assert any('"level":"error"' in line for line in errors)
        assert not any('"level":"info"' in line for line in errors)
    calm = plan_of(build_step("s1", Verb.LOGS, "deployments", namespace="payments",
                              name="payments-api", clusters=("prod-eu",),
                              params={"previous": True, "container": "sidecar"}),
                   clusters=("prod-eu",))
    sidecar = reads(world).run(calm).results[0]
    assert isinstance(sidecar.output, LogsOutput)
    previous = [e for e in sidecar.output.excerpts if e.previous]
    assert previous and all(e.note == "no previous instance: the container has not "
                            "restarted" and not e.lines for e in previous)


def test_a_mixed_plan_reads_and_changes_nothing_here(world: World) -> None:
    plan = world.plan("restart payments-api in prod-eu")
    assert plan.mutating
    world.sim.clear_requests()
    skipped = plan.model_copy(update={"steps": tuple(
        s.model_copy(update={"accepted": False}) if s.id == "s1" else s for s in plan.steps)})
    run = reads(world).run(skipped)
    assert {r.step_id for r in run.results} == {s.id for s in plan.steps if not s.mutating}
    assert by(run.results, "s1", "prod-eu").status == "skipped"
    assert by(run.results, "s1", "prod-eu").error == "skipped by the user"
    assert {r.method for r in world.sim.requests("prod-eu")} == {"GET"}
    assert world.replicas() == 3
    history = next(r for r in run.results if r.verb == "rollout history")
    assert isinstance(history.output, TableOutput)
    assert [row[0] for row in history.output.rows] == ["1", "2", "3"]
    assert history.output.marked == (2,) and "1.5.0 (ledger v2)" in history.output.rows[2][1]


def test_rollout_status_reads_like_kubectl(world: World) -> None:
    plan = plan_of(build_step("s1", Verb.ROLLOUT_STATUS, "deployments", namespace="payments",
                              name="payments-api"))
    run = reads(world).run(plan)
    stuck, fine = by(run.results, "s1", "prod-eu"), by(run.results, "s1", "prod-us")
    assert isinstance(stuck.output, TextOutput) and isinstance(fine.output, TextOutput)
    assert stuck.output.text == 'error: deployment "payments-api" exceeded its progress deadline'
    assert fine.output.text == 'deployment "payments-api" successfully rolled out'


def test_secret_values_never_show(world: World) -> None:
    plan = plan_of(build_step("s1", Verb.GET, "secrets", namespace="payments",
                              name="payments-db-credentials", clusters=("prod-eu",),
                              params={"output": "yaml"}),
                   build_step("s2", Verb.DESCRIBE, "secrets", namespace="payments",
                              name="payments-db-credentials", clusters=("prod-eu",)),
                   clusters=("prod-eu",))
    run = reads(world).run(plan)
    shown = orjson.dumps([r.to_json() for r in run.results]).decode()
    assert all(r.ok for r in run.results) and "password" in shown
    assert "pR0d-Ledger" not in shown and "cFIwZC1MZWRnZXIh" not in shown  # nor base64


def test_the_read_path_sends_nothing_but_gets(world: World) -> None:
    sent = ReadRequests(world.fleet, time.monotonic() + 5, 5)
    with pytest.raises(ApiError, match="GET only"):
        sent.request("prod-eu", "DELETE", "/api/v1/namespaces/payments/pods/x")
    with pytest.raises(ApiError, match="timed out"):
        ReadRequests(world.fleet, time.monotonic() - 1, 2).request("prod-eu", "GET", "/api/v1")
    assert not sent.sent
