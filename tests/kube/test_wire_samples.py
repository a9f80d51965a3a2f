"""The row readers on bodies captured from a real kube-apiserver (the reference shapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from kubechat_tui.domain.ages import restarts_shown
from kubechat_tui.kube.kinds import KINDS, TableReader, reader_for, resource_version

SAMPLES = Path(__file__).resolve().parents[1] / "sim" / "wire_samples"  # captured copies


def body(name: str) -> dict[str, Any]:
    """The JSON body of a captured response."""
    text = (SAMPLES / name).read_text()
    start = text.index("\n{", text.index("RESPONSE:"))
    doc: dict[str, Any] = orjson.loads(text[start:])
    return doc


def stream(name: str) -> list[dict[str, Any]]:
    """The watch events of a captured stream."""
    text = (SAMPLES / name).read_text()
    lines = text[text.index("RESPONSE:"):].splitlines()
    return [orjson.loads(line) for line in lines if line.startswith("{")]


pytestmark = pytest.mark.skipif(not SAMPLES.exists(), reason="wire samples not on this machine")


def test_pod_table_with_metadata() -> None:
    reader = reader_for(KINDS["pods"])
    assert isinstance(reader, TableReader)
    (key, row), *_ = reader.rows("real", body("05-podlist-table-metadata.txt"))
    assert key == ("payments", "payments-api-7788fcd8fc-6gf77")
    assert row[:5] + row[6:] == ("real", "payments", "payments-api-7788fcd8fc-6gf77", "1/2",
                                 "CrashLoopBackOff", "2026-11-25T20:00:05Z", "ip-10-0-3-7")
    # "17 (35s ago)" is read as the time of the last restart, shown as an age at any time
    assert restarts_shown(row[5], datetime.now(UTC)) in ("17 (35s ago)", "17 (36s ago)")


def test_node_and_deployment_tables() -> None:
    (key, node), = reader_for(KINDS["nodes"]).rows("real", body("09-nodes-table.txt"))
    assert key == ("", "ip-10-0-3-7")
    assert node[:4] == ("real", "ip-10-0-3-7", "Unknown", "worker")
    rows = reader_for(KINDS["deployments"]).rows("real", body("11-deployments-table.txt"))
    assert rows[0][1] == ("real", "payments", "payments-api", "2/3", "3", "2",
                          "2026-11-25T20:00:05Z")


def test_watch_bookmark_and_expiry_shapes() -> None:
    events = stream("23-watch-with-bookmarks.txt")
    bookmark = next(e for e in events if e["type"] == "BOOKMARK")
    assert resource_version(bookmark["object"]) == "734"
    (expired,) = stream("25-watch-too-old.txt")
    assert expired["type"] == "ERROR" and expired["object"]["code"] == 410
