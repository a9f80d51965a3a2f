"""Summaries (template, model, fallback) and the append-only incident timeline."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.domain import Plan, Scope, Verb
from kubechat_tui.engine.changes import Change
from kubechat_tui.engine.execute import ExecutionReport
from kubechat_tui.engine.snapshot import of_object
from kubechat_tui.engine.summary import summary_prompt, write_summary
from kubechat_tui.engine.summary_llm import model_summary_writer
from kubechat_tui.kube.mutations import target
from kubechat_tui.planner.render import build_step
from kubechat_tui.store.database import open_database
from kubechat_tui.store.errors import StoreError
from kubechat_tui.store.timeline import Timeline, TimelineEntry
from tests.engine.fakes import deployment
from tests.planner.llm_stub import LLMStub, Scripted


def report(failed: bool = False) -> tuple[Plan, ExecutionReport]:
    steps = tuple(build_step(f"s{i}", Verb.SCALE, "deployments", namespace="payments",
                             name="payments-api", clusters=(c,), params={"replicas": 5})
                  for i, c in enumerate(("prod-eu", "prod-us"), start=1))
    plan = Plan(input="scale payments-api to 5", planner="rules",
                scope=Scope(clusters=("prod-eu", "prod-us")), steps=steps)
    changes = []
    for step in steps:
        t = target(step.clusters[0], "deployments", "payments", "payments-api")
        changes.append(Change(step, t, before=of_object(t, deployment(3)),
                              outcome="replicas 3 → 5", state="done",
                              rollback=step))
    if failed:
        changes[1].state, changes[1].error = "failed", "prod-us: unreachable: refused"
    return plan, ExecutionReport("ex-1", changes,
                                 failure="s2@prod-us: unreachable" if failed else None)


def test_template_lists_before_after_failures_and_follow_ups() -> None:
    plan, rep = report(failed=True)
    summary = write_summary(plan, rep, "admin", ["sre-lead"])
    assert summary.author == "template"
    text = summary.text
    assert "FAILED (1/2 change(s) applied)" in text
    assert "✓ s1 scale prod-eu/payments/deployments/payments-api: replicas=3" in text
    assert "→ replicas 3 → 5" in text
    assert "✗ s2" in text and "unreachable" in text
    assert "approved by sre-lead" in text
    assert "kubechat rollback ex-1" in text
    assert "rollout status deployment/payments-api" in text


def test_model_summary_keeps_the_facts_and_falls_back_offline() -> None:
    plan, rep = report()
    prompts: list[str] = []

    def model(prompt: str) -> str:
        prompts.append(prompt)
        return "Scaled payments-api to 5 in both prod clusters."

    written = write_summary(plan, rep, "admin", [], model, "ollama/llama3.1")
    assert written.author == "llm:ollama/llama3.1"
    assert written.text.startswith("Scaled payments-api")
    assert "--- facts ---" in written.text
    assert "<facts>" in prompts[0] and "data, not instructions" in prompts[0]

    def down(prompt: str) -> str:
        raise ConnectionRefusedError("ollama is not running")

    fallback = write_summary(plan, rep, "admin", [], down, "ollama/llama3.1")
    assert fallback.author == "template"
    assert "ollama is not running" in fallback.note


def test_no_model_writer_when_ai_is_disabled() -> None:
    assert model_summary_writer(Settings(ai=AISettings(enabled=False))) == (None, "")


def test_unreachable_provider_fails_fast_to_the_template() -> None:
    settings = Settings(ai=AISettings(api_base="http://127.0.0.1:9"))
    writer, model = model_summary_writer(settings)
    assert writer is not None and model == "ollama/llama3.1"
    plan, rep = report()
    summary = write_summary(plan, rep, "admin", [], writer, model)
    assert summary.author == "template" and "unreachable" in summary.note


def test_prompt_quotes_facts() -> None:
    assert summary_prompt("x").endswith("<facts>\nx\n</facts>")


def test_timeline_is_append_only(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.db")
    try:
        timeline = Timeline(db)
        entry = timeline.add(TimelineEntry(kind="execution", author="admin", title="t",
                                           execution_id="ex-1", payload={"a": 1}))
        timeline.add(TimelineEntry(kind="summary", author="admin", title="s", body="b",
                                   execution_id="ex-1"))
        assert [e.kind for e in timeline.for_execution("ex-1")] == ["summary", "execution"]
        assert timeline.for_execution("ex-1", "execution")[0].payload == {"a": 1}
        assert timeline.recent(1)[0].kind == "summary"
        with pytest.raises((StoreError, sqlite3.DatabaseError)), db.write() as conn:
            conn.execute("UPDATE timeline SET body = 'x' WHERE id = ?", (entry.id,))
    finally:
        db.close()


def test_model_summary_through_litellm_against_a_loopback_ollama() -> None:
    stub = LLMStub()
    stub.start()
    try:
        stub.script(Scripted("payments-api now runs 5 replicas in prod-eu and prod-us."))
        writer, model = model_summary_writer(Settings(ai=AISettings(
            provider="ollama", model="llama3.1", api_base=stub.base_url, timeout_seconds=5)))
        plan, rep = report()
        summary = write_summary(plan, rep, "admin", ["sre-lead"], writer, model)
    finally:
        stub.stop()
    assert summary.author == "llm:ollama/llama3.1", summary.note
    assert summary.text.startswith("payments-api now runs 5 replicas")
    sent = str(stub.requests[-1]["body"])
    assert "<facts>" in sent and "replicas 3 → 5" in sent
