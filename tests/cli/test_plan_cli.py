"""`kubechat plan`: the headless contract, exit codes 0/3/2, --save, bad input."""

from __future__ import annotations

import io
import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kubechat_tui.cli.main import main
from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import RESOURCES, Plan, Verb

SETS = {"prod": ["prod-eu", "prod-us"], "staging": ["staging"], "canary": ["canary"]}


class NoApiFleet:
    """A fleet whose clusters answer 404 to everything (affected counts stay unknown)."""

    def cluster_names(self) -> list[str]:
        return ["prod-eu", "prod-us", "staging", "canary"]

    def routes(self) -> dict[str, str]:
        return {c: c for c in self.cluster_names()}

    def request_json(self, cluster: str, method: str, path: str, **_: Any) -> tuple[int, dict]:
        return 404, {"kind": "Status", "code": 404}


@dataclass
class FakeScope:
    clusters: list[str]
    namespace: str | None = None
    cluster_set: str | None = None
    label_selector: str | None = None


@dataclass
class FakeSession:
    """The contract of cli.session.Session that `kubechat plan` uses."""

    settings: Settings
    scope: FakeScope
    fleet: NoApiFleet = field(default_factory=NoApiFleet)
    closed: bool = False

    def close(self) -> None:
        self.closed = True


def install_sessions(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[FakeSession]:
    """Install a session module whose open_session honours --context/--cluster-set/-n."""
    opened: list[FakeSession] = []

    def open_session(args: Any) -> FakeSession:
        sets = settings.cluster_sets
        clusters = list(args.context) or sets.get(args.cluster_set or "", ["prod-eu"])
        session = FakeSession(settings, FakeScope(clusters, args.namespace, args.cluster_set))
        opened.append(session)
        return session

    module = types.ModuleType("kubechat_tui.cli.session")
    module.open_session = open_session  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kubechat_tui.cli.session", module)
    return opened


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[FakeSession]:
    """Sessions on a config with the demo cluster sets and AI off."""
    return install_sessions(monkeypatch, Settings(cluster_sets=SETS, ai=AISettings(enabled=False)))


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


FALLBACK = ("kubechat: llm provider ollama/llama3.1 unreachable (127.0.0.1:9 refused the "
            "connection): planned with rules")


@pytest.mark.parametrize("planner", ["auto", "llm"])
def test_a_failed_provider_is_said_on_stderr(demo_env: Path, capsys: pytest.CaptureFixture[str],
                                             planner: str) -> None:
    config = demo_env / "config.yaml"
    config.write_text("ai:\n  enabled: true\n  provider: ollama\n"
                      "  api_base: http://127.0.0.1:9\n")
    code, out, err = run(capsys, "--demo", "show pods in payments", "--json", "--planner",
                         planner)
    assert code == 0 and json.loads(out)["planner"] == "rules"
    assert err.splitlines() == [FALLBACK]
    code, out, err = run(capsys, "--demo", "show pods in payments", "--planner", planner)
    assert code == 0 and out.startswith("planner: rules\n") and "unreachable" not in out
    assert err.splitlines() == [FALLBACK]


def test_llm_asked_for_with_ai_disabled_is_said(demo_env: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--demo", "show pods in payments", "--planner", "llm",
                         "--json")
    assert code == 0 and json.loads(out)["planner"] == "rules"
    assert "ai.enabled is false: planned with rules" in err


def test_rules_only_says_nothing_on_stderr(demo_env: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--demo", "show pods in payments", "--planner", "rules")
    assert code == 0 and err == ""


# -- the JSON contract, field by field ------------------------------------------------------
TOP_KEYS = ["input", "planner", "blocked", "reason", "steps"]
STEP_KEYS = ["verb", "resource", "namespace", "name", "selector", "clusters", "mutating", "risk",
             "requires_approval", "affected", "warnings", "kubectl"]
RISKS = ("low", "medium", "high", "critical")


def check_contract(doc: dict[str, Any], code: int) -> None:
    """Exactly the issue-5 contract: keys (null, never missing), types, enums, exit code."""
    assert list(doc) == TOP_KEYS
    assert isinstance(doc["input"], str) and isinstance(doc["blocked"], bool)
    assert doc["planner"] == "rules" or doc["planner"].startswith("llm:")
    assert isinstance(doc["steps"], list)
    if doc["blocked"]:
        assert code == 3 and isinstance(doc["reason"], str) and doc["reason"]
        assert doc["steps"] == []
        return
    assert code == 0 and doc["reason"] is None and doc["steps"]
    for step in doc["steps"]:
        assert list(step) == STEP_KEYS
        verb = Verb(step["verb"])
        assert step["kubectl"].startswith(f"kubectl {verb.value} ")
        assert step["resource"] in RESOURCES  # the plural API resource
        for key in ("namespace", "name", "selector"):
            assert step[key] is None or (isinstance(step[key], str) and step[key])
        assert isinstance(step["clusters"], list)
        assert all(isinstance(c, str) for c in step["clusters"])
        assert step["mutating"] is verb.mutating
        assert step["risk"] in RISKS and isinstance(step["requires_approval"], bool)
        assert step["affected"] is None or type(step["affected"]) is int
        assert isinstance(step["warnings"], list)
        assert all(isinstance(w, str) for w in step["warnings"])
        if not step["mutating"]:
            assert step["risk"] == "low" and step["affected"] is None
        elif step["risk"] in ("high", "critical"):
            assert step["requires_approval"] is True


@pytest.mark.parametrize("text", [
    "crashlooping payment pods in prod", "why are pods pending in payments", "top pods in x",
    "logs of deployment payments-api in prod-eu", "rollout history of deployment web-app",
    "rollout status of deployment web-app in canary", "describe node ip-10-0-3-7",
    "show pods -l app=web in checkout", "events in payments", "get nodes",
    "scale deployment payments-api to 3 in staging", "restart deployment payments-api",
    "roll back deployment payments-api in canary", "cordon node ip-10-0-3-7",
    "uncordon node ip-10-0-3-7", "drain node ip-10-0-3-7 in staging",
    "set image of deployment web-app to nginx:1.27 in staging",
    "delete pods -l app=payments-api in payments in prod-eu", "delete namespace payments",
    "delete deployment payments-api in payments in all clusters",
    "describe pod x and delete namespace prod", "logs of payments-api\nplease delete it",
    "show me the secret db-password", "",
])
def test_json_contract_field_by_field(sessions: list[FakeSession],
                                      capsys: pytest.CaptureFixture[str], text: str) -> None:
    code, out, _ = run(capsys, text, "--json")
    check_contract(json.loads(out), code)


def test_rollout_and_set_image_verbs_are_written_as_in_the_kubectl_line(
        sessions: list[FakeSession], capsys: pytest.CaptureFixture[str]) -> None:
    for text, verb in (("restart deployment web-app in staging", "rollout restart"),
                       ("roll back deployment web-app in staging", "rollout undo"),
                       ("set image of deployment web-app to nginx:1.27 in staging",
                        "set image"),
                       ("rollout history of deployment web-app", "rollout history")):
        _, out, _ = run(capsys, text, "--json")
        steps = json.loads(out)["steps"]
        assert verb in [s["verb"] for s in steps], text


def test_an_unconfigured_cluster_set_names_the_config_key(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    install_sessions(monkeypatch, Settings(ai=AISettings(enabled=False)))
    code, out, _ = run(capsys, "show pods in prod", "--json")
    assert code == 3
    reason = json.loads(out)["reason"]
    assert "cluster_sets.prod is not configured (known sets: none)" in reason


# -- odd text never breaks an output path ---------------------------------------------------
@pytest.mark.parametrize(("text", "code"), [
    ("pods \udcff\udcfe in payments", 3),  # argv bytes 0xff 0xfe (surrogate escapes)
    ("pods \udcff in payments", 0),  # one bad byte: replaced, the rest is planned
    ("show pods \ud800 in payments", 0),  # a lone surrogate that is no escaped byte
])
def test_undecodable_argv_never_raises(sessions: list[FakeSession], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str], text: str,
                                       code: int) -> None:
    got, out, err = run(capsys, text, "--json", "--save", str(tmp_path / "p.json"))
    assert got == code and "Traceback" not in err
    doc = json.loads(out)
    assert "\ufffd" in doc["input"]
    check_contract(doc, got)
    got, out, err = run(capsys, text)
    assert got == code and out.encode("utf-8") and "Traceback" not in err
    if code == 0:
        assert "\ufffd" in Plan.model_validate_json((tmp_path / "p.json").read_text()).input


def test_a_terminal_that_cannot_show_the_text_gets_replacements(
        sessions: list[FakeSession], monkeypatch: pytest.MonkeyPatch) -> None:
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["plan", "show pods in namespace caf\u00e9/../etc"]) == 3  # echoed back
    stdout.flush()
    printed = stdout.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    assert "planner: rules" in printed and "'caf?/../etc' is not a valid namespace" in printed


ODD = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                            exclude_categories=()), max_size=60)  # surrogates too
WORDS = st.lists(st.sampled_from([
    "show", "delete", "pods", "deployment", "payments-api", "in", "payments", "prod",
    "\udcff", "\ud800", "\x1b[2J", "\n", "\x00", "\u2028", "\ufffd", "caf\u00e9", "-l",
    "app=web", "and", "it", "all clusters", "$(id)", "'", "\"", "namespace", "scale", "to", "3",
]), max_size=10).map(" ".join)


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.one_of(ODD, WORDS))
def test_any_text_gives_an_exit_code_and_valid_json(sessions: list[FakeSession],
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    text: str) -> None:
    for extra in (["--json"], [], ["--json", "--save", str(tmp_path / "p.json")]):
        try:
            code = main(["plan", text, *extra])
        except SystemExit as exc:  # argparse: TEXT that looks like an option
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        assert code in (0, 2, 3), (text, err)
        assert "Traceback" not in err
        if "--json" in extra and code != 2:
            check_contract(json.loads(out), code)
