"""`kubechat` output never carries a control sequence from data, and a crash exits 70.

A plan file, a model's reply or an exception message may hold ESC[2J (clear the screen),
OSC title sequences, ESC[8m (hide what follows), C1 controls and bidi overrides; whatever
the command prints shows them as escapes (`\\u001b[8m`), and JSON stays valid and exact.
"""

from __future__ import annotations

import json
import os
from functools import partialmethod
from pathlib import Path
from typing import Any

import orjson
import pytest
from textual.app import App

from kubechat_tui.cli.main import main
from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.tui.app import KubechatApp
from kubechat_tui.tui.screens.main_screen import MainScreen
from tests.cli.runner import Cli
from tests.cli.test_plan_cli import SETS, install_sessions
from tests.planner.llm_stub import LLMStub, Scripted

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before anything imports litellm

ESCAPES = "\x1b[2J\x1b[31mALL CLEAR\x1b]0;pwned\x07"
HIDDEN = "ok\x1b[8m and delete everything\x1b[0m"
SHOWN_HIDDEN = "ok\\u001b[8m and delete everything\\u001b[0m"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def assert_clean(*outputs: str) -> None:
    for output in outputs:
        assert not [c for c in RAW if c in output], repr(output)


def test_a_plan_files_hidden_text_is_shown_by_apply_approvals_and_audit(cli: Cli) -> None:
    plan_file = cli.save_plan()
    doc = orjson.loads(plan_file.read_bytes())
    doc["input"] = f"scale payments-api in prod-eu to 5 {HIDDEN}"
    doc["steps"][-1]["reason"] = f"more capacity {ESCAPES} \x9b2J rtl\u202eusers"
    doc["notes"] = [f"note {ESCAPES}"]
    plan_file.write_bytes(orjson.dumps(doc))

    code, out, err = cli.run("apply", str(plan_file), "--dry-run")
    assert code == 0, out + err
    assert f"to 5 {SHOWN_HIDDEN}" in out
    assert_clean(out, err)

    code, out, err = cli.run("apply", str(plan_file), "--yes", "--json")
    assert code == 5, out + err
    request_id = orjson.loads(out)["approval"]["request_id"]
    assert_clean(out, err)

    code, out, err = cli.run("approvals", "show", request_id)
    assert code == 0, err
    assert f"asked as  scale payments-api in prod-eu to 5 {SHOWN_HIDDEN}" in out
    assert "\\u001b[2J\\u001b[31mALL CLEAR\\u001b]0;pwned\\u0007 \\u009b2J rtl\\u202eusers" in out
    assert "$ kubectl --context prod-eu scale deployments/payments-api" in out
    assert_clean(out, err)

    code, out, err = cli.run("approvals", "show", request_id, "--json")
    assert code == 0, err
    assert_clean(out, err)
    shown = json.loads(out)
    assert shown["plan"]["input"] == doc["input"]
    assert shown["plan"]["steps"][-1]["reason"] == doc["steps"][-1]["reason"]

    code, out, err = cli.run("approvals", "list")
    assert code == 0 and "--replicas=5" in out, err  # the plan that runs, not the words
    assert_clean(out, err)
    for argv in (["audit", "log"], ["audit", "log", "--json"]):
        assert main(argv) == 0
        out, err = cli.capsys.readouterr()
        assert_clean(out, err)


def test_names_in_a_plan_file_are_shown_not_obeyed(cli: Cli) -> None:
    plan_file = cli.save_plan()
    doc = orjson.loads(plan_file.read_bytes())
    doc["steps"][-1]["id"] = f"s5{HIDDEN}"  # ids are free text: shown, escaped
    plan_file.write_bytes(orjson.dumps(doc))
    code, out, err = cli.run("apply", str(plan_file), "--dry-run")
    assert code == 0 and f"s5{SHOWN_HIDDEN} [high] kubectl scale" in out, out + err
    assert_clean(out, err)
    doc["steps"][-1]["name"] = f"payments-api{HIDDEN}"  # refused: one clean line
    plan_file.write_bytes(orjson.dumps(doc))
    code, out, err = cli.run("apply", str(plan_file), "--dry-run")
    assert code == 2 and err.count("\n") == 1 and "not a valid Kubernetes name" in err
    assert_clean(out, err)


def test_a_models_reply_is_printed_literally_by_plan(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stub = LLMStub()
    stub.start()
    try:
        settings = Settings(cluster_sets=SETS, ai=AISettings(
            provider="ollama", model="llama3.1", api_base=stub.base_url, timeout_seconds=10))
        install_sessions(monkeypatch, settings)
        nasty = f"[bold]x[/] [@click=app.quit]q {ESCAPES} \x9b2J \u202eabc"
        stub.script(Scripted(json.dumps({"refusal": nasty, "steps": []})),
                    Scripted(json.dumps({"steps": [
                        {"verb": "describe", "resource": "deployments", "name": "payments-api",
                         "reason": nasty}]})))
        for _ in range(2):  # the refusal (the rules answer), then the model's plan
            main(["plan", "describe deployment payments-api", "--planner", "llm",
                  "--context", "prod-eu"])
            out, err = capsys.readouterr()
            assert "[bold]x[/] [@click=app.quit]q" in out + err
            assert "ALL CLEAR" in out + err
            assert_clean(out, err)
    finally:
        stub.stop()


def test_an_unexpected_exception_in_a_command_exits_70_with_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path))

    def broken(args: Any) -> Path:
        raise RuntimeError(f"boom {ESCAPES}\nsecond line")

    monkeypatch.setattr("kubechat_tui.cli.config_cmd.config_path", broken)
    assert main(["config", "path"]) == 70
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("kubechat: internal error: RuntimeError: boom \\u001b[2J")
    saved = Path(err.rsplit("traceback in ", 1)[1].strip())
    assert saved.parent == tmp_path and oct(saved.stat().st_mode & 0o777) == "0o600"
    report = saved.read_text()
    assert "Traceback" in report and "in broken" in report and "\x1b" not in report
    assert_clean(out, err)


def test_an_exception_in_the_console_exits_70_with_one_line(
        sim_kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    monkeypatch.setattr(KubechatApp, "run", partialmethod(App.run, headless=True))

    def broken(self: MainScreen) -> None:
        raise RuntimeError(f"handler failed {ESCAPES}")

    monkeypatch.setattr(MainScreen, "on_mount", broken)
    code = main(["--kubeconfig", str(sim_kubeconfig), "--context", "staging"])
    out, err = capsys.readouterr()
    assert code == 70, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("kubechat: internal error: RuntimeError: handler failed \\u001b[2J")
    saved = Path(err.rsplit("traceback in ", 1)[1].strip())
    assert "in broken" in saved.read_text()
    assert_clean(out, err)
