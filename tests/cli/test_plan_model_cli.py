"""`kubechat --demo plan ... --planner llm` with the scripted model: a model's change the
request did not ask for is dropped and said (issue 11.17, 20.6), a model slower than the
planning budget is not waited for (issue 12.5), and the Ollama path never imports litellm,
on the simulated fleet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kubechat_tui.cli.main import main
from tests.planner.llm_stub import LLMStub, Scripted


@pytest.fixture
def model_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub: LLMStub) -> LLMStub:
    """The real --demo session with a config whose model is the stub."""
    config = tmp_path / "config.yaml"
    config.write_text(f"ai:\n  enabled: true\n  provider: ollama\n  model: llama3.1\n"
                      f"  api_base: {stub.base_url}\n  timeout_seconds: 10\n"
                      "  planning_budget_seconds: 1\n")
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECHAT_CONFIG", str(config))
    return stub


def plan(capsys: pytest.CaptureFixture[str], text: str) -> tuple[int, dict, list[str]]:
    code = main(["plan", "--demo", "-n", "payments", text, "--planner", "llm", "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err.splitlines()


def test_a_question_plans_no_change(model_env: LLMStub,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    model_env.script(Scripted(json.dumps({"steps": [
        {"verb": "describe", "resource": "deployments", "name": "payments-api"},
        {"verb": "delete", "resource": "deployments", "name": "payments-api"}]})))
    code, doc, err = plan(capsys, "why did traffic drop for payments-api?")
    assert code == 0 and doc["planner"] == "llm:ollama/llama3.1"
    assert [s["kubectl"] for s in doc["steps"]] == [
        "kubectl describe deployments payments-api -n payments"]
    assert err == ["note: dropped: delete deployments payments-api: the request is a question, "
                   "not a request for a change; to make this change, ask for it: "
                   "'delete deployment payments-api in namespace payments'"]


def test_an_invented_selector_is_dropped_and_the_rules_plan_the_delete(
        model_env: LLMStub, capsys: pytest.CaptureFixture[str]) -> None:
    model_env.script(Scripted(json.dumps({"steps": [
        {"verb": "get", "resource": "pods", "params": {"field_selector": "status.phase=Failed"}},
        {"verb": "delete", "resource": "pods", "selector": "!delete"}]})))
    code, doc, err = plan(capsys, "delete the failed pods")
    assert code == 0 and doc["planner"] == "rules"
    changes = [s for s in doc["steps"] if s["mutating"]]
    assert [s["kubectl"] for s in changes] == [
        "kubectl delete pods -n payments --field-selector status.phase=Failed"]
    assert all(s["selector"] is None for s in doc["steps"])
    assert err[-1].startswith("kubechat: llm provider ollama/llama3.1 planned no change "
                              "(dropped: delete pods -l '!delete': the request states no "
                              "selector, not the selector '!delete')")


def test_a_model_slower_than_the_budget_is_not_waited_for(
        model_env: LLMStub, capsys: pytest.CaptureFixture[str]) -> None:
    model_env.script(Scripted(json.dumps({"steps": []}), delay=30))
    code, doc, err = plan(capsys, "describe deployment payments-api")
    assert code == 0 and doc["planner"] == "rules"
    assert doc["steps"][0]["kubectl"] == "kubectl describe deployments payments-api -n payments"
    assert err == ["kubechat: llm provider ollama/llama3.1 did not answer within 1 s: "
                   "planned with rules"]


def test_planning_with_ollama_never_imports_litellm(model_env: LLMStub,
                                                    tmp_path: Path) -> None:
    model_env.script(Scripted(json.dumps({"steps": [
        {"verb": "describe", "resource": "deployments", "name": "payments-api"}]})))
    code = ("import sys; from kubechat_tui.cli.main import main; "
            "status = main(['plan', '--demo', '-n', 'payments', "
            "'describe deployment payments-api', '--planner', 'llm', '--json']); "
            "print('litellm' in sys.modules, file=sys.stderr); sys.exit(status)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["planner"] == "llm:ollama/llama3.1"
    assert done.stderr.splitlines()[-1] == "False"
