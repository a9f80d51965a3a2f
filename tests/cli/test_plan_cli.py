"""`kubechat plan`: the headless contract, exit codes 0/3/2, --save, bad input."""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.cli.main import main
from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan

SETS = {"prod": ["prod-eu", "prod-us"], "staging": ["staging"], "canary": ["canary"]}


class NoApiFleet:
    """A fleet whose clusters answer 404 to everything (affected counts stay unknown)."""

    def cluster_names(self) -> list[str]:
        return ["prod-eu", "prod-us", "staging", "canary"]

    def request_json(self, cluster: str, method: str, path: str, **_: Any) -> tuple[int, dict]:
        return 404, {"kind": "Status", "code": 404}


@dataclass
class FakeScope:
    clusters: list[str]
    namespace: str | None = None
    cluster_set: str | None = None


@dataclass
class FakeSession:
    """The contract of cli.session.Session that `kubechat plan` uses."""

    settings: Settings
    scope: FakeScope
    fleet: NoApiFleet = field(default_factory=NoApiFleet)
    closed: bool = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[FakeSession]:
    """Install a session module whose open_session honours --context/--cluster-set/-n."""
    opened: list[FakeSession] = []
    settings = Settings(cluster_sets=SETS, ai=AISettings(enabled=False))

    def open_session(args: Any) -> FakeSession:
        clusters = list(args.context) or SETS.get(args.cluster_set or "", ["prod-eu"])
        session = FakeSession(settings, FakeScope(clusters, args.namespace, args.cluster_set))
        opened.append(session)
        return session

    module = types.ModuleType("kubechat_tui.cli.session")
    module.open_session = open_session  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kubechat_tui.cli.session", module)
    return opened


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["plan", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract_for_a_plan(sessions: list[FakeSession],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scale payments-api in prod-eu to 5", "-n", "payments", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["planner"] == "rules" and doc["blocked"] is False and doc["reason"] is None
    change = doc["steps"][-1]
    assert change == {
        "verb": "scale", "resource": "deployments", "namespace": "payments",
        "name": "payments-api", "selector": None, "clusters": ["prod-eu"], "mutating": True,
        "risk": "high", "requires_approval": True, "affected": None,
        "warnings": ["touches production: prod-eu",
                     "prod-eu: could not resolve the affected objects"],
        "kubectl": "kubectl scale deployments/payments-api -n payments --replicas=5"}
    assert all(not s["mutating"] for s in doc["steps"][:-1])
    assert sessions[0].closed


def test_context_and_cluster_set_options_set_the_scope(
        sessions: list[FakeSession], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show pods", "--cluster-set", "prod", "--json")
    assert code == 0 and json.loads(out)["steps"][0]["clusters"] == ["prod-eu", "prod-us"]
    code, out, _ = run(capsys, "show pods", "--context", "canary", "--json")
    assert json.loads(out)["steps"][0]["clusters"] == ["canary"]


@pytest.mark.parametrize(("text", "reason"), [
    ("show me the secret db-password", "never reveals"),
    ("show pods; kubectl delete --all", "shell syntax"),
    ("list services $(rm -rf /)", "shell syntax"),
    ("", "empty"),
    ("x" * 100_000, "characters long"),
    ("\x01\x02\x03\x04 junk \x05\x06", "binary"),
    ("make it better", "not understood"),
    ("pods in the sandbox cluster set", "unknown cluster set"),
])
def test_blocked_requests_exit_3_with_a_reason(sessions: list[FakeSession],
                                               capsys: pytest.CaptureFixture[str],
                                               text: str, reason: str) -> None:
    code, out, err = run(capsys, text, "--json")
    assert code == 3
    doc = json.loads(out)
    assert doc["blocked"] is True and reason in doc["reason"] and doc["steps"] == []
    assert "Traceback" not in out + err


def test_text_output_for_humans(sessions: list[FakeSession],
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "drain node ip-10-0-3-7 in prod")
    assert code == 0
    assert "[CRITICAL] change" in out and "kubectl drain ip-10-0-3-7" in out
    code, out, _ = run(capsys, "make it better")
    assert code == 3 and "blocked: not understood" in out and "try:" in out


def test_save_writes_the_plan_atomically(sessions: list[FakeSession], tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "plan.json"
    code, _, err = run(capsys, "restart deployment payments-api in staging", "--save",
                       str(target))
    assert code == 0 and "saved to" in err
    plan = Plan.model_validate_json(target.read_text())
    assert plan.steps[-1].verb.value == "rollout restart"
    assert plan.digest()[:12] in err
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_save_is_skipped_when_blocked(sessions: list[FakeSession], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "plan.json"
    code, _, _ = run(capsys, "reveal secrets", "--save", str(target))
    assert code == 3 and not target.exists()


def test_unwritable_save_path_exits_2(sessions: list[FakeSession],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "show pods", "--save", "/nonexistent-dir/plan.json")
    assert code == 2 and err.startswith("kubechat: error: ") and len(err.splitlines()) == 1
    assert not sessions  # checked before connecting to anything


def test_stdin_text(sessions: list[FakeSession], capsys: pytest.CaptureFixture[str],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfeshow pods\x00")))
    code, out, _ = run(capsys, "-", "--json")
    assert code == 3 and "binary" in json.loads(out)["reason"]


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real session with --demo, its data and an AI-less config under tmp_path."""
    config = tmp_path / "config.yaml"
    config.write_text("ai:\n  enabled: false\n")
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KUBECHAT_CONFIG", str(config))
    return tmp_path


def test_demo_plan_resolves_live_counts(demo_env: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    target = demo_env / "plan.json"
    code, out, _ = run(capsys, "--demo", "scale payments-api in prod-eu to 5", "--json",
                       "--save", str(target))
    assert code == 0
    change = json.loads(out)["steps"][-1]
    assert change["namespace"] == "payments" and change["affected"] == 2
    assert change["clusters"] == ["prod-eu"] and change["requires_approval"] is True
    assert Plan.model_validate_json(target.read_text()).steps[-1].params["replicas"] == 5


def test_demo_cluster_set_option(demo_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--demo", "--cluster-set", "prod", "restart payments-api",
                       "--json")
    assert code == 0
    change = json.loads(out)["steps"][-1]
    assert change["clusters"] == ["prod-eu", "prod-us"] and change["affected"] >= 3
    code, _, err = run(capsys, "--demo", "--cluster-set", "nope", "show pods")
    assert code == 2 and "unknown cluster set 'nope'" in err


def test_json_mode_puts_notes_on_stderr(demo_env: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = demo_env / "config.yaml"
    config.write_text("ai:\n  enabled: true\n  provider: ollama\n"
                      "  api_base: http://127.0.0.1:9\n")
    code, out, err = run(capsys, "--demo", "show pods in payments", "--json")
    assert code == 0 and json.loads(out)["planner"] == "rules"
    assert "note: AI provider unavailable" in err and "used the rule planner" in err
