"""Fuzzing the plan-file loader: structure-preserving mutations of a valid saved plan (huge,
negative and float numbers, wrong types, deep nesting, unicode, nulls, extra and missing
keys) are a plan or one PlanInputError line, and `kubechat apply` answers exit 2 with one
line and nothing written beyond the documented audit of a rejected plan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Plan, Scope
from kubechat_tui.engine.canonical import PlanInputError, canonical, parse_plan
from kubechat_tui.planner.rule_planner import RulePlanner
from kubechat_tui.store.audit_model import AuditEvent, Operator, encode_body
from kubechat_tui.store.opener import open_store
from tests.fuzzing import FUZZ, FUZZ_CLI, assert_refusal_is_one_line, mutate, mutations, run_cli


def _saved_plan() -> dict[str, Any]:
    result = RulePlanner(Settings()).plan("scale payments-api in prod-eu to 5",
                                          Scope(clusters=("prod-eu",), namespace="payments"))
    assert result.plan is not None
    return orjson.loads(result.plan.to_json())


SAVED = _saved_plan()


def _raw(document: Any) -> bytes:
    return json.dumps(document, allow_nan=True, ensure_ascii=False).encode()


def _one_line(error: Exception) -> None:
    assert str(error) and "\n" not in str(error)


def check_plan_file(raw: bytes) -> Plan | None:
    """What `apply` does with a plan file before touching a cluster: parse it, check and
    re-render it, hash it and encode its audit record (raw when rejected)."""
    try:
        plan = parse_plan(raw)
    except PlanInputError as exc:
        _one_line(exc)
        return None
    try:
        checked = canonical(plan)
    except PlanInputError as exc:
        _one_line(exc)
        checked = plan  # audited as rejected, as it came
    checked.digest()
    encode_body(1, datetime.now(UTC), AuditEvent(
        "plan.submitted", Operator("fuzz"), payload={"plan": checked.model_dump(mode="json")}))
    return checked


@FUZZ
@given(mutations(SAVED))
def test_any_mutation_of_a_saved_plan_is_a_plan_or_one_error(edits: list) -> None:
    check_plan_file(_raw(mutate(SAVED, edits)))


@pytest.mark.parametrize(("where", "value"), [
    (("steps", 0, "params", "replicas"), 2**63),
    (("steps", 0, "params", "replicas"), -(10**30)),
    (("steps", 0, "affected"), 10**30),
])
def test_numbers_canonical_json_cannot_hold_are_one_line(where: tuple, value: int) -> None:
    document = json.loads(json.dumps(SAVED))
    step = next(i for i, s in enumerate(document["steps"]) if s["params"].get("replicas"))
    where = (where[0], step, *where[2:])
    mutate_at = mutate(document, [("set", where, value, "")])
    with pytest.raises(PlanInputError, match="a value canonical JSON cannot hold") as caught:
        parse_plan(_raw(mutate_at))
    _one_line(caught.value)


def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("KUBECHAT_DATA_DIR", str(data))
    monkeypatch.setenv("KUBECHAT_AUDIT_KEY_BACKEND", "file")
    monkeypatch.setenv("KUBECHAT_CONFIG", str(tmp_path / "absent.yaml"))
    monkeypatch.setenv("KUBECHAT_AI__ENABLED", "false")
    return data


def test_apply_refuses_a_huge_replica_count_in_one_line(
        sim_kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _isolate(tmp_path, monkeypatch)
    document = json.loads(json.dumps(SAVED))
    for step in document["steps"]:
        if "replicas" in step["params"]:
            step["params"]["replicas"] = 10**30  # IntegerDomainError in the digest, once
    plan_file = tmp_path / "plan.json"
    plan_file.write_bytes(_raw(document))
    code, _, err = run_cli(["apply", str(plan_file), "-y", "--kubeconfig", str(sim_kubeconfig)])
    assert code == 2 and err.count("\n") == 1
    assert "a value canonical JSON cannot hold" in err and _records(data) == []


def _records(data: Path) -> list[AuditEvent]:
    if not (data / "kubechat.db").exists():
        return []
    store = open_store(Settings(), data, writer=False, create=False)
    try:
        return [r.event for r in store.audit.records()]
    finally:
        store.close()


@pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")
@FUZZ_CLI
@given(mutations(SAVED))
def test_apply_answers_a_bad_plan_file_with_exit_2_and_one_line(
        sim_kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        edits: list) -> None:
    data = _isolate(tmp_path, monkeypatch)
    plan_file = tmp_path / "plan.json"
    plan_file.write_bytes(_raw(mutate(SAVED, edits)))
    before = len(_records(data))
    code, _, err = run_cli(["apply", str(plan_file), "--dry-run",
                            "--kubeconfig", str(sim_kubeconfig)])
    assert_refusal_is_one_line(code, err, {0, 1, 2, 4, 5})
    if code == 2:
        added = _records(data)[before:]
        assert [(e.action, e.outcome) for e in added] in ([], [("plan.submitted", "rejected")])
