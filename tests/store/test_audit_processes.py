"""Real processes: two writers at once keep one chain; a killed writer leaves it verifiable."""

from __future__ import annotations

import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_verify import VerifyResult
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import load_signer
from tests.store.helpers import sample_event

ROOT = Path(__file__).resolve().parents[2]


def _writer(data_dir: Path, tag: str, count: int, every: int,
            wait: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store.writer_proc", str(data_dir), tag, str(count),
         str(every), *(["--wait"] if wait else [])],
        cwd=ROOT, stdin=subprocess.PIPE if wait else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _race(data_dir: Path, count: int) -> list[str]:
    """Two writers released by one barrier; returns who wrote each record, in seq order."""
    writers = [_writer(data_dir, tag, count, 7, wait=True) for tag in ("alice", "bob")]
    for proc in writers:  # both have the log open and stand at the barrier
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in writers:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in writers:
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
    conn = sqlite3.connect(data_dir / "kubechat.db")
    try:
        return [str(r[0]) for r in conn.execute("SELECT os_user FROM audit ORDER BY seq")]
    finally:
        conn.close()


def _switches(order: list[str]) -> int:
    return sum(1 for a, b in itertools.pairwise(order) if a != b)


def _count(db_path: Path) -> int:
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        conn.close()


def _verify(data_dir: Path) -> VerifyResult:
    """Verify with the writers' key file."""
    db = open_database(data_dir / "kubechat.db")
    try:
        return AuditLog(db, load_signer(data_dir, backend="file", create=False)).verify()
    finally:
        db.close()


def test_two_concurrent_writers_form_one_linear_chain(tmp_path: Path) -> None:
    for attempt in range(3):  # the OS may still run them one after the other: try again
        data_dir = tmp_path / f"attempt{attempt}"
        order = _race(data_dir, 150)
        if _switches(order) >= 3:
            break
    assert _switches(order) >= 3, f"the writers never interleaved: {order}"
    db = open_database(data_dir / "kubechat.db")
    try:
        log = AuditLog(db, load_signer(data_dir, backend="file", create=False))
        result = log.verify()
        records = list(log.records())
    finally:
        db.close()
    assert result.ok, result.problem
    assert [r.seq for r in records] == list(range(1, 301))
    by_writer = {tag: [r.event.payload["i"] for r in records if r.event.operator.os_user == tag]
                 for tag in ("alice", "bob")}
    assert by_writer == {"alice": list(range(150)), "bob": list(range(150))}
    assert result.last_signed_seq == 300  # each writer's session-end checkpoint


def test_writer_killed_mid_append_leaves_a_verifiable_chain(tmp_path: Path) -> None:
    rng = random.Random(4)
    db_path = tmp_path / "kubechat.db"
    for _ in range(5):
        before = _count(db_path)
        proc = _writer(tmp_path, "victim", 0, 3)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while _count(db_path) < before + 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
        result = _verify(tmp_path)
        assert result.ok, result.problem
        assert result.records > before
    # the chain keeps growing normally after the crashes
    db = open_database(db_path)
    try:
        log = AuditLog(db, load_signer(tmp_path, backend="file", create=False), checkpoint_every=3)
        for i in range(4):
            log.append(sample_event(i))
        log.close()
        result = log.verify()
    finally:
        db.close()
    assert result.ok, result.problem
    assert result.unsigned_tail == 0
