"""The log tail's reading side: linear-time patterns, anomaly heuristics on synthetic
streams, the bounded buffer, severity and JSON lines level-first."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from kubechat_tui.domain.log_records import LogLine, LogNote, StreamKey
from kubechat_tui.engine.logtail.anomaly import BUCKET_SECONDS
from kubechat_tui.engine.logtail.buffer import TailBuffer
from kubechat_tui.engine.logtail.patterns import LineFilter, PatternError, compile_pattern
from kubechat_tui.engine.logtail.pin import pin_log_range
from kubechat_tui.engine.logtail.severity import level_first, severity, template
from kubechat_tui.store.database import open_database
from kubechat_tui.store.timeline import Timeline

KEY = StreamKey("prod-eu", "payments", "payments-api-1", "api")
NS = 1_000_000_000
T0 = 1_800_000_000 * NS


def line(at: float, text: str, key: StreamKey = KEY) -> LogLine:
    return LogLine(key, T0 + int(at * NS), "", text)


def test_a_pathological_pattern_runs_in_linear_time() -> None:
    evil = compile_pattern("(a+)+$")
    text = "a" * 200_000 + "!"
    started = time.perf_counter()
    for _ in range(20):
        assert evil.search(text) is None
    assert time.perf_counter() - started < 2.0  # backtracking would take ages


@pytest.mark.parametrize(("pattern", "reason"), [
    ("(unclosed", r"missing \)"), (r"(a)\1", "invalid escape"), ("(?=ahead)", "perl operator"),
    ("x" * 1001, "longer than 1000")])
def test_bad_patterns_are_one_line_errors(pattern: str, reason: str) -> None:
    with pytest.raises(PatternError, match=reason) as caught:
        compile_pattern(pattern)
    assert "\n" not in str(caught.value) and str(caught.value).startswith("--grep:")


def test_filters_include_exclude_and_container() -> None:
    chosen = LineFilter(include="error|warn", exclude="healthz", container="api").compiled()
    assert chosen.matches("error on /v1/pay", "api")
    assert not chosen.matches("error on /healthz", "api")
    assert not chosen.matches("all good", "api")
    assert not chosen.matches("error on /v1/pay", "sidecar")


def steady_noise(buffer: TailBuffer, seconds: int, rng: random.Random) -> None:
    """About one error per 10 s among info lines: a noisy but normal stream."""
    for second in range(seconds):
        buffer.add(line(second, f'{{"level":"info","msg":"request","id":{rng.randint(1, 9)}}}'))
        if rng.random() < 0.1:
            buffer.add(line(second + 0.5, "error: upstream timeout after 31ms"))


def test_an_error_burst_marks_the_stream_and_raises_a_card() -> None:
    buffer = TailBuffer(1000)
    steady_noise(buffer, 120, random.Random(1))
    assert not buffer.cards and not buffer.marked
    for i in range(30):  # a burst of a known error
        buffer.add(line(121 + i * 0.1, "error: upstream timeout after 31ms"))
    rate = [c for c in buffer.cards if c.kind == "rate"]
    assert len(rate) == 1 and KEY in buffer.marked
    assert rate[0].text.startswith("error rate ") and "baseline" in rate[0].text
    assert any(e.flag for e in buffer.entries())


def test_steady_noise_raises_nothing() -> None:
    buffer = TailBuffer(1000)
    steady_noise(buffer, 20 * BUCKET_SECONDS * 3, random.Random(2))
    assert not buffer.cards and not buffer.marked


def test_a_new_error_signature_is_flagged_once() -> None:
    buffer = TailBuffer(1000)
    steady_noise(buffer, 90, random.Random(3))
    buffer.add(line(95, 'FATAL ledger postgres://10.0.0.7:5432 unreachable after 3 attempts'))
    buffer.add(line(96, 'FATAL ledger postgres://10.0.0.9:5432 unreachable after 4 attempts'))
    signatures = [c for c in buffer.cards if c.kind == "signature"]
    assert len(signatures) == 1 and "new error signature" in signatures[0].text
    assert not buffer.marked  # two lines are not a burst


def test_the_buffer_is_a_ring() -> None:
    buffer = TailBuffer(100)
    for i in range(10_000):
        buffer.add(line(i * 0.001, f"line {i}"))
    buffer.add(LogNote(None, "info", "done"))
    entries = buffer.entries()
    assert len(entries) == 100 and entries[0].text == "line 9901"
    assert buffer.last_seq == 10_001 and buffer.lines_seen == 10_000
    assert [e.text for e in buffer.since(9_998)] == ["line 9998", "line 9999", "info: done"]
    assert len(buffer.since(0)) == 100


def test_severity_templates_and_level_first() -> None:
    assert severity('{"level":"error","msg":"x"}') == "error"
    assert severity("panic: runtime error") == "fatal"
    assert severity('time="..." level=warning msg="memory high"') == "warn"
    assert severity('"GET /healthz HTTP/1.1" 200 - 0') is None
    assert template("took 31ms for id 4f2a9c81d2e3ab, peer 10.0.0.7:443") == \
        template("took 900ms for id 9e9e9e9e9e9e9e9e, peer 10.2.3.4:80")
    shown = level_first('{"ts":"t","level":"error","msg":"ledger down","attempt":3}')
    assert shown == 'ERROR ledger down {"ts":"t","attempt":3}'
    assert level_first("plain text") == "plain text"


def test_a_pinned_range_lands_on_the_timeline_redacted(tmp_path: Path) -> None:
    db = open_database(tmp_path / "kubechat.db")
    timeline = Timeline(db)
    other = StreamKey("prod-us", "payments", "payments-api-2", "sidecar")
    lines = [line(1, "connecting"), line(2, "password=hunter2hunter2 rejected", other)]
    entry = pin_log_range(timeline, "alice", lines)
    stored = timeline.recent(1)[0]
    assert stored.id == entry.id and stored.kind == "log_range"
    assert stored.payload["streams"] == [KEY.ids(), other.ids()]
    assert stored.payload["lines"] == 2 and stored.title == "2 log lines from 2 streams"
    assert "hunter2hunter2" not in stored.body and "prod-us/payments-api-2/sidecar" in stored.body
    with pytest.raises(ValueError, match="no log lines"):
        pin_log_range(timeline, "alice", [])
