"""Issue 20.8: a two-cluster restart whose second cluster answers 500 is rolled back on the
first cluster only (the rollback undoes exactly what was applied), through the real CLI;
a write throttled with 429 + Retry-After is retried within `kube.retry_*`, visibly."""

from __future__ import annotations

import pytest

from kubechat_tui.engine import trail as stage
from tests.cli.runner import Cli

RESTART = "restart orders-api in staging and canary"
ORDERS = "/apis/apps/v1/namespaces/orders/deployments/orders-api"


def template_annotations(cli: Cli, cluster: str) -> dict[str, str]:
    template = cli.get(cluster, ORDERS)["spec"]["template"]
    return dict(template["metadata"].get("annotations") or {})


def committing_writes(cli: Cli, cluster: str) -> list[str]:
    return [f"{r.method} {r.path}" for r in cli.sim.requests(cluster)
            if r.method != "GET" and not r.dry_run and not r.path.endswith("reviews")]


def test_a_500_half_way_is_rolled_back_on_the_first_cluster_only(cli: Cli) -> None:
    before = {c: template_annotations(cli, c) for c in ("staging", "canary")}
    plan = str(cli.save_plan(RESTART))
    cli.sim.faults("canary").set(error_rate=1.0, error_status=500, error_writes=True)
    code, out, err = cli.run("apply", plan, "--yes")
    assert code == 1, out + err
    assert "[1/2] ✓" in out and "[2/2] ✗" in out and "etcdserver: request timed out" in out
    assert "1/2 change(s) applied" in out
    execution_id = out.split("kubechat rollback ")[-1].split()[0]
    assert template_annotations(cli, "staging") != before["staging"]  # restarted
    assert template_annotations(cli, "canary") == before["canary"]  # the 500: unchanged

    failed = [e for e in cli.records() if e.action == stage.FAILED]
    [undo] = failed[-1].payload["rollback_plan"]["steps"]
    assert undo["clusters"] == ["staging"]  # exactly what was applied
    [canary] = [c for c in failed[-1].payload["changes"] if c["cluster"] == "canary"]
    assert canary["rollback"] is None and "unchanged (same state as before)" in canary["notes"]

    cli.sim.clear_requests()
    code, doc = cli.json("rollback", execution_id, "--dry-run")
    assert code == 0, doc["message"]
    assert [c["cluster"] for c in doc["changes"]] == ["staging"]
    code, out, err = cli.run("rollback", execution_id, "--yes")  # canary still failing
    assert code == 0, out + err
    assert "[1/1] ✓" in out and "canary" not in out.split("Plan ")[1].split("\n")[0]
    assert template_annotations(cli, "staging") == before["staging"]
    assert template_annotations(cli, "canary") == before["canary"]
    assert committing_writes(cli, "canary") == []  # the rollback never wrote to canary
    assert cli.audit_ok()


@pytest.fixture
def two_tries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECHAT_KUBE__RETRY_ATTEMPTS", "2")
    monkeypatch.setenv("KUBECHAT_KUBE__RETRY_WAIT_SECONDS", "5")


def test_a_write_throttled_past_the_bound_fails_after_visible_retries(
        cli: Cli, two_tries: None) -> None:
    plan = str(cli.save_plan("scale payments-api in staging to 2"))
    cli.sim.faults("staging").set(error_rate=1.0, error_status=429, retry_after=1,
                                  error_writes=True)
    code, out, err = cli.run("apply", plan, "--yes")
    assert code == 1, out + err
    assert ("staging answered 429 (Too many requests, please try again later.): "
            "retrying in 1s (try 2 of 2)") in out
    assert "still throttled after 2 tries (1s waited)" in out
    assert cli.replicas("staging") == 1
    scale = [r for r in cli.sim.requests("staging") if r.method == "PATCH" and not r.dry_run]
    assert [r.status for r in scale] == [429, 429]  # two tries, no more
    retried = [e for e in cli.records() if e.action == stage.RETRIED]
    assert [(e.payload["during"], e.payload["attempt"], e.payload["wait_seconds"])
            for e in retried] == [("execution", 1, 1.0)]
    assert retried[0].payload["request"].startswith("PATCH /apis/apps/v1/namespaces/payments/")
