"""Issue 20.7: `kubechat apply -y` killed (SIGKILL) after its change reached the cluster and
before its outcome was recorded: the audit chain holds the intent, `audit verify` names
the interrupted execution, and `rollback ID -y` reads the target again and restores it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from kubechat_tui.cli.main import main
from kubechat_tui.engine import trail as stage
from tests.cli.canaries import GH_ENV, plant
from tests.cli.runner import Cli

STAGING = "scale payments-api in staging to 2"
HOLD_MS = 60_000  # the simulator holds the write's answer: the kill always comes first


def _kill_once_applied(cli: Cli, plan: str) -> subprocess.CompletedProcess[str]:
    """`apply PLAN -y` in its own process, SIGKILLed once the simulator has applied the
    write (its answer is held, so nothing after the request has run)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubechat_tui", "apply", plan, "--yes",
         "--kubeconfig", cli.kubeconfig],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 60
        while not _written(cli):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the write never reached the simulator"
            time.sleep(0.05)
        proc.kill()
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def verify(cli: Cli) -> tuple[int, str]:
    """`kubechat audit verify` on the cli's data dir."""
    code = main(["audit", "verify"])
    return code, cli.capsys.readouterr().out


def _written(cli: Cli) -> bool:
    return any(r.method == "PATCH" and not r.dry_run and r.status == 200
               for r in cli.sim.requests("staging"))


def test_a_killed_apply_is_named_by_verify_and_rolled_back_from_its_intent(cli: Cli) -> None:
    plan = str(cli.save_plan(STAGING))
    cli.sim.faults("staging").set(hold_writes_ms=HOLD_MS)
    killed = _kill_once_applied(cli, plan)
    cli.sim.faults("staging").clear()
    assert killed.returncode == -9
    assert "[1/1] …" in killed.stdout and "✓" not in killed.stdout  # died mid-request
    assert cli.replicas("staging") == 2  # the change is on the cluster

    records = cli.records()  # the chain is intact
    [intent] = [e for e in records if e.action == stage.INTENT]
    execution_id = intent.links.execution_id
    assert execution_id is not None
    mine = [e.action for e in records if e.links.execution_id == execution_id]
    assert stage.STEP not in mine and stage.SUCCEEDED not in mine  # no outcome, no end
    assert mine.index(stage.SNAPSHOT) < mine.index(stage.INTENT)
    assert intent.payload["target"]["label"] == "staging/payments/deployments/payments-api"
    assert intent.payload["requests"] == [
        "PATCH /apis/apps/v1/namespaces/payments/deployments/payments-api/scale"
        "?fieldManager=kubechat"]
    assert intent.payload["rollback"] == \
        "kubectl scale deployments/payments-api -n payments --replicas=1"
    assert intent.payload["snapshot"]["state_version"]

    code, out = verify(cli)
    assert code == 0, out  # a warning, not a broken chain
    assert f"warning: interrupted execution {execution_id}" in out
    assert "1 of 1 change(s) sent with no recorded outcome " \
           "(staging/payments/deployments/payments-api)" in out
    assert "OK: chain intact" in out

    code, out, err = cli.run("rollback", execution_id, "--yes")
    assert code == 0, out + err
    assert f"execution {execution_id} was interrupted before its outcome was recorded" in err
    assert f"Note: execution {execution_id} was interrupted" in out
    assert "replicas=2" in out and "rb1 restores it" in out
    assert "[1/1] ✓" in out and "replicas 2 → 1" in out
    assert cli.replicas("staging") == 1

    code, out = verify(cli)
    assert code == 0 and f"interrupted execution {execution_id}" in out
    assert "rolled back by ex-" in out
    submitted = [e for e in cli.records() if e.action == stage.PLAN
                 and e.payload.get("rollback_of") == execution_id]
    assert len(submitted) == 1  # the rollback says what it undoes


def test_a_rollback_of_an_interrupted_change_that_never_landed_says_so(cli: Cli) -> None:
    plan = str(cli.save_plan(STAGING))
    cli.sim.faults("staging").set(hold_writes_ms=HOLD_MS)
    _kill_once_applied(cli, plan)
    cli.sim.faults("staging").clear()
    [intent] = [e for e in cli.records() if e.action == stage.INTENT]
    code, _, err = cli.run("rollback", "ex-0000000000")  # nothing of it: one line, exit 2
    assert code == 2 and "unknown execution id 'ex-0000000000'" in err
    cli.run("apply", str(cli.save_plan("scale payments-api in staging to 1")), "--yes")
    assert cli.replicas("staging") == 1  # someone put it back by hand

    code, out, err = cli.run("rollback", str(intent.links.execution_id), "--yes")
    assert code == 2 and out == "", out
    assert "was interrupted; nothing of what it announced is left to restore" in err
    assert "staging/payments/deployments/payments-api (no recorded outcome): changed" in err
    assert "; nothing to restore" in err and err.count("\n") == 1
    assert cli.replicas("staging") == 1


def test_an_interrupted_change_to_an_object_holding_credentials_is_still_restored(
        cli: Cli) -> None:
    """The snapshot in the chain holds markers, not the literal env credentials: the
    rollback puts the kept values back before comparing it with the intent's state."""
    plant(cli.sim, "staging")
    plan = str(cli.save_plan(STAGING))
    cli.sim.faults("staging").set(hold_writes_ms=HOLD_MS)
    _kill_once_applied(cli, plan)
    cli.sim.faults("staging").clear()
    [intent] = [e for e in cli.records() if e.action == stage.INTENT]
    snapshot = next(e for e in cli.records() if e.action == stage.SNAPSHOT)
    assert GH_ENV not in str(snapshot.payload) and "[REDACTED:" in str(snapshot.payload)
    code, out, err = cli.run("rollback", str(intent.links.execution_id), "--yes")
    assert code == 0, out + err
    assert "rb1 restores it" in out and cli.replicas("staging") == 1
