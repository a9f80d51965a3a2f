"""`kubechat recipes list|show|validate|plan`: the catalog from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubechat_tui.cli.main import main
from tests.cli.test_plan_cli import FakeSession, sessions  # noqa: F401 - the fixture

Capture = pytest.CaptureFixture[str]


def run(capsys: Capture, *argv: str) -> tuple[int, str, str]:
    code = main(["recipes", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_every_recipe_and_what_it_changes(capsys: Capture) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "[read-only]" in lines["crashloop-triage"]
    assert "[changes: scale]" in lines["scale-deployment"]
    assert lines["scale-deployment"].endswith("namespace= deployment= replicas=")


def test_show_prints_parameters_and_step_templates(capsys: Capture) -> None:
    code, out, _ = run(capsys, "show", "rollback-deployment")
    assert code == 0
    assert "revision (integer, default 0)" in out
    assert "2. rollout undo deployments {deployment} -n {namespace} to_revision={revision}" in out
    code, _, err = run(capsys, "show", "nope")
    assert code == 2 and err.strip().endswith("no recipe 'nope' (known: crashloop-triage, "
                                              "image-pull-triage, node-not-ready, pending-pods, "
                                              "restart-deployment, rollback-deployment, "
                                              "scale-deployment)")


def test_validate_files_one_line_per_problem(tmp_path: Path, capsys: Capture) -> None:
    good = tmp_path / "ok.yaml"
    good.write_text("name: ok\ntitle: fine\nsteps: [{verb: get, resource: pods}]\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: t\nsteps: [{verb: exec, resource: pods}]\n")
    assert run(capsys, "validate", str(good))[:2] == (0, "1 recipe(s) valid\n")
    code, _, err = run(capsys, "validate", str(good), str(bad), str(tmp_path / "gone.yaml"))
    assert code == 2
    assert err.count("\n") == 2
    assert "bad.yaml: steps: step 1: verb 'exec' is not on the allow-list" in err
    assert "gone.yaml: not a readable YAML file" in err
    code, out, _ = run(capsys, "validate")
    assert code == 0 and out == "7 recipe(s) valid\n"


def test_plan_prints_the_headless_plan_and_saves_it(
        sessions: list[FakeSession], tmp_path: Path, capsys: Capture) -> None:  # noqa: F811
    saved = tmp_path / "plan.json"
    code, out, err = run(capsys, "plan", "scale-deployment", "namespace=payments",
                         "deployment=payments-api", "replicas=5", "--context", "prod-eu",
                         "--json", "--save", str(saved))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["planner"] == "recipe:scale-deployment" and not doc["blocked"]
    assert doc["steps"][-1]["kubectl"] == \
        "kubectl scale deployments/payments-api -n payments --replicas=5"
    assert doc["steps"][-1]["requires_approval"] is True  # guarded like any plan
    assert json.loads(saved.read_text())["planner"] == "recipe:scale-deployment"
    assert sessions[0].closed


@pytest.mark.parametrize(("argv", "message"), [
    (["scale-deployment", "namespace=payments"], "needs deployment=..."),
    (["scale-deployment", "replicas"], "recipe parameter 'replicas': write KEY=VALUE"),
    (["scale-deployment", "a=1", "a=2"], "recipe parameter 'a' given twice"),
    (["nope"], "no recipe 'nope'"),
])
def test_bad_plan_input_is_exit_2_and_one_line(
        sessions: list[FakeSession], capsys: Capture, argv: list[str],  # noqa: F811
        message: str) -> None:
    code, out, err = run(capsys, "plan", *argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
    assert sessions == []  # refused before any cluster was contacted


def test_a_value_the_checks_refuse_is_exit_3(sessions: list[FakeSession],  # noqa: F811
                                             capsys: Capture) -> None:
    code, out, _ = run(capsys, "plan", "restart-deployment", "namespace=payments",
                       "deployment=../x")
    assert code == 3 and "is not a valid Kubernetes name" in out
