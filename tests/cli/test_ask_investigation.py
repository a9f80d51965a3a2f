"""`kubechat ask` with a scripted model over real loopback HTTP, on the simulated fleet: the
model calls read-only tools through the read path; calls for another cluster, for Secret
data and for a change are refused, shown and audited; tool output reaches the model quoted
(redacted for a non-local provider); the answer cites its evidence; the bounds hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import load_signer
from tests.cli.runner import Cli
from tests.planner.llm_stub import LLMStub, Scripted

QUESTION = "why are the payments-api pods crashing?"
ASK = ("ask", QUESTION, "-n", "payments", "--context", "prod-eu")
PLANNED = Scripted(json.dumps({"steps": [
    {"verb": "get", "resource": "pods", "params": {"status_filter": "CrashLoopBackOff"}}]}))
LOGS = {"tool": "logs", "resource": "deployments", "name": "payments-api",
        "params": {"previous": True}, "reason": "what the crashed instance said"}
OUT_OF_SCOPE = {"tool": "events", "resource": "pods", "clusters": ["prod-us"]}
SECRET = {"tool": "get", "resource": "secrets", "name": "payments-db-credentials"}
MUTATION = {"tool": "delete", "resource": "pods", "selector": "app=payments-api"}


def calls(*items: dict[str, Any]) -> Scripted:
    """The model's tool calls, through the API's tool calling."""
    return Scripted(tool_calls=[(c["tool"], {k: v for k, v in c.items() if k != "tool"})
                                for c in items])


def answer(text: str, *cited: str) -> Scripted:
    """The model's answer, as the `answer` function."""
    return Scripted(tool_calls=[("answer", {"answer": text, "citations": list(cited)})])


def json_calls(*items: dict[str, Any]) -> Scripted:
    """The model's tool calls as a strict JSON reply (no tool calling)."""
    return Scripted(json.dumps({"calls": list(items)}))



def with_model(cli: Cli, stub: LLMStub, provider: str = "ollama", extra: str = "") -> None:
    """The cli's config file, pointing at the scripted model."""
    base = stub.base_url + ("/v1" if provider == "openai" else "")
    model = "llama3.1" if provider == "ollama" else "gpt-4o-mini"
    (cli.data.parent / "config.yaml").write_text(
        f"ai:\n  enabled: true\n  provider: {provider}\n  model: {model}\n"
        f"  api_base: {base}\n  timeout_seconds: 10\n{extra}")


def audited(cli: Cli) -> list[tuple[str, str, dict[str, Any]]]:
    db = open_database(cli.data / DB_FILE)
    try:
        return [(r.event.action, r.event.outcome, dict(r.event.payload))
                for r in AuditLog(db, load_signer(cli.data)).records()]
    finally:
        db.close()


def prompts(stub: LLMStub) -> list[str]:
    """Every message content sent to the model, one string per request."""
    return ["\n".join(m.get("content") or "" for m in r["body"]["messages"])
            for r in stub.requests]


def test_the_model_investigates_and_every_out_of_bounds_call_is_refused(
        cli: Cli, stub: LLMStub) -> None:
    with_model(cli, stub)
    stub.script(PLANNED, calls(LOGS, OUT_OF_SCOPE, SECRET, MUTATION),
                answer("The new image 1.5.0 cannot reach ledger-db-v2 and exits.",
                       "c1@prod-eu", "s1", "c9"))
    code, doc = cli.json(*ASK)
    assert code == 0
    found = doc["investigation"]
    assert list(found) == ["id", "model", "calls", "answer", "citations", "stopped", "notes"]
    assert [(c["id"], c["status"], c["refusal"]) for c in found["calls"]] == [
        ("c1", "ran", None), ("c2", "refused", "scope"), ("c3", "refused", "secret"),
        ("c4", "refused", "mutation")]
    logs = found["calls"][0]
    assert logs["kubectl"] == ("kubectl logs deployments/payments-api -n payments "
                               "--all-containers --previous --tail=200")
    assert [(r["cluster"], r["kind"]) for r in logs["results"]] == [("prod-eu", "logs")]
    assert "'prod-us' is outside this question's scope (prod-eu)" in found["calls"][1]["refused"]
    assert found["calls"][2]["refused"] == "Secret data is never read, nor shown to a model"
    assert found["calls"][3]["refused"].startswith("'delete' changes the cluster")
    assert found["answer"].startswith("The new image 1.5.0")
    assert [c["id"] for c in found["citations"]] == ["c1@prod-eu", "s1@prod-eu"]
    assert found["citations"][0]["kubectl"].startswith("kubectl --context prod-eu logs ")
    assert found["notes"] == ["cited 'c9': no such evidence; dropped"]
    # what the model was told: the results quoted as untrusted data, the refusals' reasons
    told = prompts(stub)[2]
    assert "<untrusted-cluster-data>" in told and '"call": "c1"' in told
    assert "Secret data is never read" in told and "changes the cluster" in told
    assert not any("pR0d-Ledger" in p for p in prompts(stub))
    # nothing but GETs, no Secret read, nothing sent to the cluster outside the scope
    sent = cli.sim.requests("prod-eu")
    assert all(r.method == "GET" for r in sent if "selfsubject" not in r.path)
    # the model's Secret read never went out (the insight cards list Secrets' metadata only)
    assert not any(r.path.endswith("/secrets/payments-db-credentials") for r in sent)
    assert not any("/events" in r.path or "/pods" in r.path for r in cli.sim.requests("prod-us"))
    # audited: each run call on the read path, each refusal, the answer
    records = audited(cli)
    refused = [p for a, _, p in records if a == "investigation.refused"]
    assert [(p["call"], p["kind"]) for p in refused] == [
        ("c2", "scope"), ("c3", "secret"), ("c4", "mutation")]
    assert [p["step"] for a, _, p in records if a == "read.step"] == ["s1", "c1"]
    end = [(o, p) for a, o, p in records if a == "investigation.answered"]
    assert len(end) == 1 and end[0][0] == "answered"
    assert end[0][1]["citations"] == ["c1@prod-eu", "s1@prod-eu"]
    assert cli.audit_ok()


def test_ask_shows_calls_refusals_and_the_cited_answer(cli: Cli, stub: LLMStub) -> None:
    with_model(cli, stub)
    stub.script(PLANNED, calls(LOGS, MUTATION), answer("Crash on start.", "c1@prod-eu"))
    code, out, err = cli.run(*ASK)
    assert code == 0, err
    assert "summary (model-worded" not in out  # the investigation's answer covers the cards
    assert "investigating with ollama/llama3.1 (read-only tools, at most 8 calls, 60 s)" in out
    assert ("[c1] model asks: logs deployments/payments-api previous=True  (what the crashed "
            "instance said)") in out
    assert "[c1] prod-eu  ok" in out
    assert "[c2] REFUSED: delete pods -l app=payments-api" in out
    assert out.index(": 1 result(s): 1 answered") < out.index("investigating with")
    tail = out[out.index("answer:"):]
    assert tail.splitlines()[:4] == [
        "answer:", "   Crash on start.", "evidence:",
        "   c1@prod-eu  kubectl --context prod-eu logs deployments/payments-api -n payments "
        "--all-containers --previous --tail=200"]


def test_the_call_budget_holds_and_a_model_asking_for_more_is_stopped(
        cli: Cli, stub: LLMStub) -> None:
    with_model(cli, stub, extra="  investigate_max_calls: 2\n")
    stub.script(PLANNED, calls(LOGS, LOGS, LOGS), calls(LOGS))
    code, doc = cli.json(*ASK)
    assert code == 0
    found = doc["investigation"]
    assert [(c["status"], c["refusal"]) for c in found["calls"]] == [
        ("ran", None), ("ran", None), ("refused", "budget")]
    assert found["answer"] is None
    assert found["stopped"] == "the model asked for more than 2 tool calls"
    assert "No tool calls left: answer now" in prompts(stub)[-1]
    assert len(stub.requests) == 3


def test_a_model_that_stops_answering_leaves_the_diagnostics_standing(
        cli: Cli, stub: LLMStub) -> None:
    with_model(cli, stub, extra="  investigate_seconds: 1\n")
    stub.script(PLANNED, Scripted(json.dumps({"calls": [LOGS]}), delay=5))
    code, doc = cli.json(*ASK)
    assert code == 0 and doc["results"][0]["ok"]
    found = doc["investigation"]
    assert found["calls"] == [] and found["answer"] is None
    assert found["stopped"] == "the model did not answer within the investigation's 1 s"


def test_a_call_whose_arguments_are_not_the_tools_is_refused(cli: Cli, stub: LLMStub) -> None:
    with_model(cli, stub)
    stub.script(PLANNED, Scripted(tool_calls=[("get", {"command": "kubectl delete pods --all"}),
                                              ("logs", "rm -rf /")]),
                answer("Nothing read.", "c1"))
    code, doc = cli.json(*ASK)
    assert code == 0
    said = [(c["status"], c["refusal"], c["refused"]) for c in doc["investigation"]["calls"]]
    assert said == [
        ("refused", "invalid", "the call's arguments do not match the tool (command: Extra "
         "inputs are not permitted)"),
        ("refused", "invalid", "the call's arguments are not a JSON object")]
    assert doc["investigation"]["notes"] == ["cited 'c1': no such evidence; dropped"]
    assert all(r.method == "GET" for r in cli.sim.requests("prod-eu")
               if "selfsubject" not in r.path)


NO_TOOLS = Scripted(status=400, message="registry.ollama.ai/library/llama3.1 does not "
                    "support tools")


def test_a_model_without_tool_calling_investigates_in_strict_json(cli: Cli,
                                                                  stub: LLMStub) -> None:
    with_model(cli, stub)
    stub.script(PLANNED, NO_TOOLS, json_calls(LOGS, MUTATION),
                Scripted(json.dumps({"answer": "It exits at start.", "citations": ["c1"]})))
    code, doc = cli.json(*ASK)
    assert code == 0
    found = doc["investigation"]
    assert [(c["status"], c["refusal"]) for c in found["calls"]] == [
        ("ran", None), ("refused", "mutation")]
    assert found["answer"] == "It exits at start."
    assert [c["id"] for c in found["citations"]] == ["c1@prod-eu"]
    assert found["notes"] == [f"no tool calling (127.0.0.1:{stub.port} answered HTTP 400: "
                              "registry.ollama.ai/library/llama3.1 does not support tools); "
                              "asked for JSON replies"]
    assert "tools" in stub.requests[1]["body"] and "tools" not in stub.requests[2]["body"]
    assert stub.requests[2]["body"]["format"]["properties"]["calls"]


def test_a_json_reply_outside_the_schema_ends_the_investigation(cli: Cli,
                                                                stub: LLMStub) -> None:
    with_model(cli, stub)
    stub.script(PLANNED, NO_TOOLS, Scripted('{"run": "kubectl delete pods --all"}'))
    code, doc = cli.json(*ASK)
    assert code == 0
    assert doc["investigation"]["stopped"].startswith(
        "the model failed: the model's JSON does not match the tool-call schema (run:")
    assert all(r.method == "GET" for r in cli.sim.requests("prod-eu")
               if "selfsubject" not in r.path)


def test_a_plain_text_answer_cites_the_ids_it_names(cli: Cli, stub: LLMStub) -> None:
    with_model(cli, stub, "openai")
    stub.script(PLANNED, calls(LOGS),
                Scripted("The pods exit at start (c1@prod-eu; see also s1@prod-eu)."))
    code, doc = cli.json(*ASK)
    assert code == 0
    found = doc["investigation"]
    assert found["answer"] == "The pods exit at start (c1@prod-eu; see also s1@prod-eu)."
    assert [c["id"] for c in found["citations"]] == ["c1@prod-eu", "s1@prod-eu"]
    results = [m for m in stub.requests[2]["body"]["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in results] == ["call_0"]
    assert results[0]["content"].startswith("<untrusted-cluster-data>\n")


@pytest.mark.parametrize(("provider", "redacted"), [("openai", True), ("ollama", False)])
def test_tool_output_is_redacted_for_a_non_local_model_only(
        cli: Cli, stub: LLMStub, provider: str, redacted: bool) -> None:
    with_model(cli, stub, provider, extra='  redact_patterns: ["ledger-db-v2"]\n')
    stub.script(PLANNED, calls(LOGS), answer("done", "c1"))
    code, doc = cli.json(*ASK)
    assert code == 0 and doc["investigation"]["calls"][0]["status"] == "ran"
    told = prompts(stub)[2]
    assert '"call": "c1"' in told
    assert ("ledger-db-v2" in told) is not redacted
    assert ("[REDACTED]" in told) is redacted


def test_without_a_model_ask_does_not_investigate(cli: Cli, tmp_path: Path) -> None:
    code, doc = cli.json(*ASK)
    assert code == 0 and "investigation" not in doc


def test_a_call_policy_forbids_is_denied_on_the_read_path_with_its_remediation(
        cli: Cli, stub: LLMStub, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nrules:\n  - id: NO-PROD-LOGS\n    kind: cel\n"
                      "    match: {mutating_only: false, verbs: [logs], clusters: ['prod-*']}\n"
                      "    expression: 'true'\n    remediation: 'Ask in #prod-access.'\n")
    with_model(cli, stub, extra=f"policy_file: {policy}\n")
    stub.script(PLANNED, calls(LOGS), answer("Cannot tell: the logs were denied.", "c1"))
    code, doc = cli.json(*ASK)
    assert code == 0
    (denied,) = doc["investigation"]["calls"][0]["results"]
    assert denied["kind"] == "denied" and denied["error"].startswith("policy: NO-PROD-LOGS")
    assert denied["output"] == {"remediation": "Ask in #prod-access."}
    assert "policy: NO-PROD-LOGS" in prompts(stub)[2]
    assert not any("/log" in r.path for r in cli.sim.requests("prod-eu"))
