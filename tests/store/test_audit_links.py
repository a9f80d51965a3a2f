"""The multi-core chain check: child processes recompute segments; any doubt falls back here."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kubechat_tui.store import audit_links
from kubechat_tui.store.signing import Signer
from tests.store.helpers import attacker, build_log, copy_log, verify

RECORDS = 60
# three segments: this process 1..24, children 25..42 and 43..60
SEGMENTS = 3
CUTS = (24, 42)


@pytest.fixture(scope="module")
def base_log(tmp_path_factory: pytest.TempPathFactory, signer: Signer) -> Path:
    return build_log(tmp_path_factory.mktemp("links"), signer, RECORDS, 10)


@pytest.fixture
def verdicts(monkeypatch: pytest.MonkeyPatch) -> list[bool | None]:
    """Force the parallel path on a small chain; collect what each child answered."""
    monkeypatch.setattr(audit_links, "PARALLEL_FROM", 10)
    monkeypatch.setattr(audit_links, "CHILD_START_RECORDS", 6)
    monkeypatch.setattr(audit_links, "MAX_SEGMENTS", SEGMENTS)
    monkeypatch.setattr(audit_links.os, "cpu_count", lambda: SEGMENTS)
    answers: list[bool | None] = []
    real = audit_links._verdict

    def spy(child, deadline):  # type: ignore[no-untyped-def]
        answers.append(real(child, deadline))
        return answers[-1]

    monkeypatch.setattr(audit_links, "_verdict", spy)
    return answers


def _head(db: Path) -> int | None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return audit_links.chain_head(conn)
    finally:
        conn.close()


def _tampered(
    base_log: Path, tmp_path: Path, change: Callable[[sqlite3.Connection], object]
) -> Path:
    db = copy_log(base_log, tmp_path / "case")
    conn = attacker(db)
    change(conn)
    conn.close()
    return db


def test_segments_are_cut_so_children_finish_with_this_process() -> None:
    """This process starts at once; each child first spends ~60 ms starting up."""
    assert audit_links._cuts(100_000, 2) == [0, 60_000, 100_000]
    assert audit_links._cuts(100_000, 4) == [0, 40_000, 60_000, 80_000, 100_000]


def test_the_small_chain_here_is_cut_as_the_tests_expect(verdicts: list) -> None:
    assert audit_links._cuts(RECORDS, SEGMENTS) == [0, *CUTS, RECORDS]


def test_children_vouch_for_a_clean_chain(base_log: Path, verdicts: list) -> None:
    assert _head(base_log) == RECORDS
    assert verdicts == [True, True]  # both children answered; nothing recomputed here


@pytest.mark.parametrize("seq", [CUTS[0] + 1, 50, RECORDS])
def test_an_edit_in_a_childs_segment_is_found_by_the_child(
    base_log: Path, tmp_path: Path, signer: Signer, verdicts: list, seq: int
) -> None:
    db = _tampered(base_log, tmp_path, lambda c: c.execute(
        "UPDATE audit SET hash = zeroblob(32) WHERE seq = ?", (seq,)))
    assert _head(db) is None
    assert False in verdicts
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (seq, "edited"), problem


def test_an_edit_at_a_cut_is_found(
    base_log: Path, tmp_path: Path, signer: Signer, verdicts: list
) -> None:
    """The hash stored at a cut starts the next segment; the segment ending there checks it."""
    db = _tampered(base_log, tmp_path, lambda c: c.execute(
        "UPDATE audit SET body = CAST(replace(CAST(body AS TEXT), 'INC-', 'INX-') AS BLOB) "
        "WHERE seq = ?", (CUTS[1],)))
    assert _head(db) is None
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (CUTS[1], "edited"), problem


def test_a_deletion_in_a_childs_segment_is_found(
    base_log: Path, tmp_path: Path, signer: Signer, verdicts: list
) -> None:
    db = _tampered(base_log, tmp_path, lambda c: c.execute("DELETE FROM audit WHERE seq = 30"))
    assert _head(db) is None
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (30, "missing"), problem


@pytest.mark.parametrize("executable", ["/nonexistent/python", "/bin/false"])
def test_a_child_without_a_verdict_is_recomputed_here(
    base_log: Path, tmp_path: Path, verdicts: list, monkeypatch: pytest.MonkeyPatch,
    executable: str
) -> None:
    """A child that cannot start or answers nothing is no verdict either way."""
    monkeypatch.setattr(audit_links.sys, "executable", executable)
    assert _head(base_log) == RECORDS
    assert verdicts == [None, None]
    verdicts.clear()
    db = _tampered(base_log, tmp_path,
                   lambda c: c.execute("UPDATE audit SET prev = zeroblob(32) WHERE seq = 55"))
    assert _head(db) is None


def test_a_child_that_cannot_read_the_file_gives_no_verdict(tmp_path: Path) -> None:
    missing = tmp_path / "gone.db"
    child = audit_links._start_child(str(missing), 0, 10, audit_links.GENESIS)
    assert audit_links._verdict(child, time.monotonic() + 30) is None
    assert not missing.exists()  # opened read-only: nothing created


def test_an_in_memory_database_is_checked_here(verdicts: list) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE audit (seq INTEGER PRIMARY KEY, prev BLOB, body BLOB, hash BLOB)")
    prev = audit_links.GENESIS
    for seq in range(1, RECORDS + 1):
        body = f'{{"seq":{seq}}}'.encode()
        digest = hashlib.sha256(prev + hashlib.sha256(body).digest()).digest()
        conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?)", (seq, prev, body, digest))
        prev = digest
    assert audit_links.chain_head(conn) == RECORDS
    assert verdicts == []


def test_a_hung_child_is_stopped_at_the_deadline_and_its_segment_checked_here(
    base_log: Path, verdicts: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_links, "CHILD_TIMEOUT_S", 0.5)  # for all children together
    real_start = audit_links._start_child

    def hanging(path: str, after: int, upto: int, prev: bytes):  # type: ignore[no-untyped-def]
        if after == CUTS[0]:
            return subprocess.Popen(["sleep", "30"], stdout=subprocess.PIPE, text=True)
        return real_start(path, after, upto, prev)

    monkeypatch.setattr(audit_links, "_start_child", hanging)
    started = time.monotonic()
    assert _head(base_log) == RECORDS
    assert time.monotonic() - started < 10
    assert verdicts[0] is None


def test_a_record_inserted_before_seq_1_breaks_the_chain(
    base_log: Path, tmp_path: Path, signer: Signer
) -> None:
    db = _tampered(base_log, tmp_path, lambda c: c.execute(
        "INSERT INTO audit (seq, prev, body, hash) SELECT 0, prev, body, hash FROM audit "
        "WHERE seq = 1"))
    assert _head(db) is None
    problem = verify(db, signer).problem
    assert problem is not None and (problem.seq, problem.kind) == (1, "edited"), problem
    assert "before seq 1" in problem.detail


def test_an_unreadable_page_at_a_cut_is_a_broken_chain_not_an_error(
    base_log: Path, tmp_path: Path, verdicts: list
) -> None:
    """A damaged page where a segment starts: the check says 'broken' (the diagnostic walk
    then names where reading stopped); it never raises."""
    db = copy_log(base_log, tmp_path / "case")
    conn = sqlite3.connect(db)
    body = conn.execute("SELECT body FROM audit WHERE seq = ?", (CUTS[0],)).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    raw = bytearray(db.read_bytes())
    start = raw.index(body) // page_size * page_size
    raw[start:start + page_size] = b"\xff" * page_size  # the whole page is garbage
    db.write_bytes(bytes(raw))
    assert _head(db) is None
