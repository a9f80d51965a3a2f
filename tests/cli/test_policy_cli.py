"""`kubechat policy ...`: versions in the store, diff, rollback, approval of changes, audit."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.runner import Cli

STRICT = """version: 1
description: stricter
rules:
  - id: NS-001
    kind: protected_namespaces
    namespaces: [kube-system, payments]
    remediation: Ask the payments leads.
"""
LOOSE = """version: 1
description: loose
rules:
  - id: NS-001
    kind: protected_namespaces
    namespaces: [kube-system]
"""
GATED = """version: 1
policy_changes: {approvals: 1, approvers: [sre-lead]}
rules:
  - id: NS-001
    kind: protected_namespaces
    namespaces: [kube-system]
"""


def _write(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text)
    return str(path)


def test_apply_list_diff_rollback_audited(cli: Cli, tmp_path: Path) -> None:
    loose, strict = _write(tmp_path, "loose.yaml", LOOSE), _write(tmp_path, "s.yaml", STRICT)
    assert cli.run("policy", "list")[1].startswith("no policy versions in the store")
    code, out, err = cli.run("policy", "apply", loose, "-m", "start", "--context", "prod-eu")
    assert (code, out) == (0, "activated v1 active\n"), err
    assert cli.run("policy", "apply", strict, "-m", "protect payments",
                   "--context", "prod-eu")[0] == 0
    code, out, _ = cli.run("policy", "diff", "1", "v2")
    assert code == 0 and "-    namespaces: [kube-system]\n+    namespaces: [kube-system, " \
        "payments]" in out
    code, out, _ = cli.run("policy", "rollback", "1", "-m", "too strict", "--context", "prod-eu")
    assert (code, out) == (0, "activated v3 active\n")
    code, rows = cli.json("policy", "list")
    assert [(r["version"], r["action"], r["parent"], r["restores"], r["active"])
            for r in rows] == [(3, "rollback", 2, 1, True), (2, "apply", 1, None, False),
                               (1, "apply", None, None, False)]
    assert rows[0]["author"] == "alice" and rows[0]["author_identities"] == {"prod-eu": "admin"}
    code, out, _ = cli.run("policy", "show")
    assert code == 0 and "namespaces: [kube-system]\n" in out and "policy v3" in out
    activated = [e for e in cli.records() if e.action == "policy.activated"]
    assert [(e.payload["version"], e.outcome, e.payload["message"]) for e in activated] == [
        (1, "apply", "start"), (2, "apply", "protect payments"), (3, "rollback", "too strict")]
    assert activated[2].payload["policy_hash"] == rows[2]["hash"]
    # `policy test` evaluates a saved plan against a file: payments is protected in one
    plan = cli.save_plan()
    assert cli.run("policy", "test", strict, "--plan", str(plan))[0] == 4
    assert cli.run("policy", "test", loose, "--plan", str(plan))[0] == 0


def test_bad_files_and_unknown_versions_change_nothing(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("policy", "apply", _write(tmp_path, "l.yaml", LOOSE), "-m", "x",
                   "--context", "prod-eu")[0] == 0
    broken = _write(tmp_path, "broken.yaml", "version: 1\nrules:\n  - id: [\n")
    code, _, err = cli.run("policy", "apply", broken, "-m", "x", "--context", "prod-eu")
    assert code == 2 and f"{broken}:4: YAML syntax error" in err
    unknown = _write(tmp_path, "unknown.yaml", LOOSE + "    colour: red\n")
    code, _, err = cli.run("policy", "validate", unknown)
    assert code == 2 and err == (f"kubechat: error: {unknown}:7: rules[0].colour: Extra "
                                 "inputs are not permitted\n")
    assert cli.run("policy", "rollback", "9", "--context", "prod-eu")[1:] == (
        "", "kubechat: error: unknown policy version 9\n")
    assert cli.run("policy", "show", "v7")[0] == 2
    assert cli.run("policy", "diff", "1", "nope")[0] == 2
    assert [r["version"] for r in cli.json("policy", "list")[1]] == [1]


def test_a_policy_change_needs_the_approval_the_active_policy_asks_for(
        cli: Cli, tmp_path: Path) -> None:
    gated, loose = _write(tmp_path, "g.yaml", GATED), _write(tmp_path, "l.yaml", LOOSE)
    assert cli.run("policy", "apply", gated, "-m", "gate", "--context", "prod-eu")[0] == 0
    change = ("policy", "apply", loose, "-m", "drop the gate", "--context", "prod-eu")
    code, out, _ = cli.run(*change)
    assert code == 5 and out.startswith("waiting for approval: request ")
    request = out.split()[4]
    assert cli.run(*change)[0] == 5  # still waiting: the same request, no new one
    code, _, err = cli.run("policy", "approve", request, "--context", "prod-eu")
    assert code == 1 and "cannot approve their own request" in err
    code, _, err = cli.as_os_user("bob", "approvals", "approve", request, "--context",
                                  "prod-eu", "--as", "lead")
    assert code == 1 and f"approve it with `kubechat policy approve {request}`" in err
    code, _, err = cli.as_os_user("bob", "policy", "approve", request, "--context", "prod-eu",
                                  "--as", "operator")
    assert code == 1 and "only sre-lead approve policy changes" in err
    code, out, err = cli.as_os_user("bob", "policy", "approve", request, "--context",
                                    "prod-eu", "--as", "lead")
    assert code == 0 and "approved (bob/sre-lead)" in out, err
    code, out, _ = cli.run(*change)
    assert (code, out) == (0, "activated v2 active\n")
    code, rows = cli.json("policy", "list")
    assert rows[0]["request_id"] == request
    assert cli.run(*change)[1] == "v2 already has this content; nothing activated\n"
    actions = [e.action for e in cli.records()]
    assert actions.count("approval.requested") == 1 and "approval.approved" in actions
    assert actions[-2:] == ["approval.executed", "policy.activated"]


def test_approvals_of_a_plan_cannot_go_through_policy_approve(cli: Cli) -> None:
    cli.run("apply", str(cli.save_plan()), "-y", "--context", "prod-eu")
    code, rows = cli.json("approvals", "list")
    code, _, err = cli.as_os_user("bob", "policy", "approve", rows[0]["id"], "--context",
                                  "prod-eu", "--as", "lead")
    assert code == 1 and "is not a policy change" in err
    assert orjson.loads(cli.run("approvals", "list", "--json")[1])[0]["state"] == "pending"
