"""AuditLog behaviour: round trips, filters, checkpoints, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import (
    AuditEvent,
    AuditFilter,
    AuditLinks,
    AuditScope,
    Operator,
    parse_time,
)
from kubechat_tui.store.database import Database, open_database
from kubechat_tui.store.errors import SigningKeyError
from kubechat_tui.store.signing import Signer
from tests.store.helpers import sample_event


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "kubechat.db", synchronous="NORMAL")
    yield database
    database.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
names = st.text(min_size=1, max_size=12)
events = st.builds(
    AuditEvent,
    action=st.sampled_from(["plan.submitted", "execution.step", "approval.granted"]),
    operator=st.builds(Operator, names, st.none() | names),
    payload=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    scope=st.builds(AuditScope, st.tuples(names), st.tuples(names), st.tuples(names)),
    outcome=names,
    justification=st.text(max_size=40),
    links=st.builds(AuditLinks, st.none() | names, st.none() | names),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(events, min_size=1, max_size=8))
def test_any_events_round_trip_and_verify_clean(db: Database, signer: Signer, batch) -> None:
    log = AuditLog(db, signer, checkpoint_every=3)
    start = log.head()[0]
    appended = [log.append(event) for event in batch]
    read = list(log.records(AuditFilter(after_seq=start)))
    assert [r.seq for r in read] == [r.seq for r in appended]
    for record, event in zip(read, batch, strict=True):
        assert record.event.action == event.action and record.event.operator == event.operator
        assert record.event.scope == event.scope and record.event.links == event.links
        assert record.ts.tzinfo is not None
    result = log.verify()
    assert result.ok, result.problem


def test_filters_by_cluster_user_action_and_time(db: Database, signer: Signer) -> None:
    log = AuditLog(db, signer)
    for i in range(9):
        log.append(sample_event(i))

    def seqs(**kw: Any) -> list[int]:
        return [r.seq for r in log.records(AuditFilter(**kw))]

    assert seqs(clusters=("staging",)) == [3, 6, 9]
    assert seqs(clusters=("staging", "prod-us")) == [2, 3, 5, 6, 8, 9]
    assert seqs(users=("bob",)) == [2, 4, 6, 8]
    assert seqs(users=("admin",)) == [1, 3, 5, 7, 9]  # kube identity matches too
    assert seqs(actions=("execution.succeeded",), users=("alice",)) == [3, 9]
    now = datetime.now(UTC)
    assert seqs(since=now - timedelta(minutes=5)) == list(range(1, 10))
    assert seqs(until=now - timedelta(minutes=5)) == []
    assert [r.seq for r in log.latest(AuditFilter(clusters=("prod-eu",)), 2)] == [4, 7]
    assert log.actions() == ["dryrun.completed", "execution.succeeded", "plan.submitted"]


def test_records_reads_past_one_batch(db: Database, signer: Signer) -> None:
    log = AuditLog(db, signer, checkpoint_every=1000)
    for i in range(1203):
        log.append(sample_event(i))
    assert [r.seq for r in log.records()] == list(range(1, 1204))


def test_checkpoints_every_n_and_at_session_end_only_if_moved(db: Database, signer: Signer) -> None:
    log = AuditLog(db, signer, checkpoint_every=4)
    for i in range(10):
        log.append(sample_event(i))
    assert log.verify().checkpoints == 2  # at 4 and 8
    log.close()
    log.close()
    result = log.verify()
    assert (result.checkpoints, result.last_signed_seq, result.unsigned_tail) == (3, 10, 0)


def test_non_json_payload_is_refused_and_nothing_is_appended(db: Database, signer: Signer) -> None:
    log = AuditLog(db, signer)
    with pytest.raises(ValueError, match="not canonical JSON"):
        log.append(AuditEvent("x", Operator("a"), payload={"big": 2**60}))
    assert log.head() == (0, "")


def test_appending_without_a_key_is_refused(db: Database) -> None:
    with pytest.raises(SigningKeyError):
        AuditLog(db, None).append(sample_event(0))


def test_verify_without_a_key_uses_the_recorded_key_with_a_warning(
    db: Database, signer: Signer
) -> None:
    log = AuditLog(db, signer, checkpoint_every=2)
    for i in range(4):
        log.append(sample_event(i))
    result = AuditLog(db, None).verify()
    assert result.ok and result.key_source == "recorded in the database"
    assert any("could replace" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T10:00:00Z", datetime(2026, 11, 25, 10, tzinfo=UTC)),
        ("2026-11-25T12:00:00+02:00", datetime(2026, 11, 25, 10, tzinfo=UTC)),
        ("2026-11-25", datetime(2026, 11, 25, tzinfo=UTC)),
        ("90m", datetime(2026, 1, 1, 10, 30, tzinfo=UTC)),
        ("2d", datetime(2025, 12, 30, 12, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text, now=datetime(2026, 1, 1, 12, tzinfo=UTC)) == expected


@pytest.mark.parametrize("text", ["yesterday", "5 minutes", "2026-13-01", "-5m", ""])
def test_parse_time_rejects_with_one_line(text: str) -> None:
    with pytest.raises(ValueError, match="bad time") as caught:
        parse_time(text)
    assert "\n" not in str(caught.value)


def test_every_action_the_engine_writes_is_in_the_vocabulary() -> None:
    """`--action` filters are checked against ACTION_TYPES; the engine must not drift."""
    import re

    from kubechat_tui.store.audit_model import ACTION_TYPES

    engine = Path(__file__).resolve().parents[2] / "kubechat_tui" / "engine"
    dotted = re.compile(r'"([a-z]+\.[a-z_]+)"')
    written = {name for path in engine.glob("*.py")
               for name in dotted.findall(path.read_text(encoding="utf-8"))
               if not name.endswith((".db", ".json", ".yaml", ".py"))
               and not name.startswith("kubechat.")}  # telemetry span and attribute names
    assert {"plan.submitted", "approval.break_glass", "policy.loaded"} <= written
    assert written <= ACTION_TYPES, f"add to ACTION_TYPES: {sorted(written - ACTION_TYPES)}"
