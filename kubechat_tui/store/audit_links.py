"""Recompute the hash links of the audit chain, in this process or across the machine's cores.

Per record ``hash = sha256(prev || sha256(body))`` and ``prev`` must equal the previous
record's hash (32 zero bytes before seq 1).

``link_up(conn, after, prev, upto)`` is the hot loop behind every verification: it streams
``(prev, body, hash)`` of records ``after+1..upto`` in seq order and does nothing per
record but two sha256 digests (from copies of a ready hashlib context, which skips OpenSSL
3's per-call digest lookup) and two comparisons. Contiguity is one comparison at the end:
``seq`` is the rowid, so ``upto - after`` rows in that range means none is missing.

``chain_head(conn)`` checks the whole chain. A long one (``PARALLEL_FROM`` records or
more, on a machine with several cores) is cut into one segment per core: this process
recomputes the first (longer by what it checks while children start) while a child
process (``python -m kubechat_tui.store.audit_links DB AFTER UPTO PREV``) recomputes
each of the others from the hash stored just before it. The
stored hash at each cut is itself recomputed by the segment ending there, so the segments
together prove what one pass proves. Rows are never rewritten (the table refuses UPDATE),
so children reading after the parent's snapshot began see the same records; someone with
write access who rewrites rows and restores them while a verify runs could show the
children different bytes than the parent, which is no stronger than rewriting the file. A child that
cannot give a verdict (no interpreter, killed, timed out, unreadable file) is not a
verdict: its segment is then recomputed here. This module imports only the standard
library, so a child starts in tens of milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from urllib.parse import quote

GENESIS = bytes(32)
PARALLEL_FROM = 60_000  # below this a child's start-up (~60 ms) costs more than it saves
MAX_SEGMENTS = 4
CHILD_START_RECORDS = 20_000  # records this process checks while a child starts (~60 ms)
CHILD_TIMEOUT_S = 600.0  # for all children together; then their segments are checked here
CHILD_MMAP_BYTES = 1 << 30  # as the parent's snapshot (database.SNAPSHOT_MMAP_BYTES)
_SOUND, _BROKEN = "sound", "broken"


def link_up(
    conn: sqlite3.Connection, after: int = 0, prev: bytes = GENESIS, upto: int | None = None
) -> int | None:
    """``upto`` (default: the highest seq) when records ``after+1..upto`` are all present and
    link up from ``prev``.

    None at the first irregularity (broken link, hash mismatch, gap, column of the wrong
    type, unreadable page); the caller then runs the diagnostic walk.
    """
    fresh = hashlib.sha256().copy  # copying a ready context skips OpenSSL's digest lookup
    count = 0
    try:
        if upto is None:
            upto = max(conn.execute("SELECT max(seq) FROM audit").fetchone()[0] or 0, after)
        rows = conn.execute(
            "SELECT prev, body, hash FROM audit WHERE seq > ? AND seq <= ? ORDER BY seq",
            (after, upto),
        )
        for count, (link, body, digest) in enumerate(rows, 1):  # noqa: B007 - read below
            if link != prev:
                return None
            inner = fresh()
            inner.update(body)
            outer = fresh()
            outer.update(link)
            outer.update(inner.digest())
            if outer.digest() != digest:
                return None
            prev = digest
    except (TypeError, sqlite3.DatabaseError):
        return None
    return upto if count == upto - after else None


def chain_head(conn: sqlite3.Connection) -> int | None:
    """The head seq when the whole chain (seq 1 to the head) links up from the genesis
    hash, else None; never raises."""
    try:
        head = conn.execute("SELECT max(seq) FROM audit").fetchone()[0] or 0
        first = conn.execute("SELECT min(seq) FROM audit").fetchone()[0]
        if head and first != 1:
            return None  # a record inserted before seq 1
        path = _database_file(conn)
        count = min(os.cpu_count() or 1, MAX_SEGMENTS)
        if head < PARALLEL_FROM or count < 2 or not path or not sys.executable:
            return link_up(conn, 0, GENESIS, head)
        return _parallel(conn, path, head, count)
    except (TypeError, sqlite3.DatabaseError):
        return None


def _parallel(conn: sqlite3.Connection, path: str, head: int, count: int) -> int | None:
    cuts = _cuts(head, count)
    starts: list[bytes] = []
    for cut in cuts[1:-1]:
        row = conn.execute("SELECT hash FROM audit WHERE seq = ?", (cut,)).fetchone()
        if row is None or not isinstance(row[0], bytes):
            return None  # a record at a cut is missing or rewritten
        starts.append(row[0])
    segments = list(zip(cuts[1:-1], cuts[2:], starts, strict=True))
    children: list[subprocess.Popen[str] | None] = []
    try:
        children += [_start_child(path, *segment) for segment in segments]
        if link_up(conn, 0, GENESIS, cuts[1]) != cuts[1]:
            return None
        deadline = time.monotonic() + CHILD_TIMEOUT_S
        for child, (after, upto, prev) in zip(children, segments, strict=True):
            verdict = _verdict(child, deadline)
            if verdict is None:  # no answer from the child: recompute its segment here
                verdict = link_up(conn, after, prev, upto) == upto
            if not verdict:
                return None
        return head
    finally:
        for child in children:
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()


def _cuts(head: int, count: int) -> list[int]:
    """Segment ends: the first is longer by what this process checks while children start."""
    first = (head + (count - 1) * CHILD_START_RECORDS) // count
    return [0] + [first + (head - first) * i // (count - 1) for i in range(count)]


def _database_file(conn: sqlite3.Connection) -> str:
    """The main database's file name ('' for an in-memory or temporary database)."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file or "")
    return ""


def _start_child(path: str, after: int, upto: int, prev: bytes) -> subprocess.Popen[str] | None:
    command = [sys.executable, "-P", "-m", __name__, path, str(after), str(upto), prev.hex()]
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
    except OSError:
        return None


def _verdict(child: subprocess.Popen[str] | None, deadline: float) -> bool | None:
    """True/False from a child that finished its segment by `deadline` (monotonic); None
    when it could not."""
    if child is None:
        return None
    try:
        out, _ = child.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return None
    answer = out.strip()
    if child.returncode != 0 or answer not in (_SOUND, _BROKEN):
        return None
    return answer == _SOUND


def _check_segment(path: str, after: int, upto: int, prev: bytes) -> str:
    """The child's side: open ``path`` read-only and recompute records ``after+1..upto``."""
    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    try:
        conn.execute(f"PRAGMA mmap_size={CHILD_MMAP_BYTES}")
        conn.execute("BEGIN")
        conn.execute("SELECT 1 FROM audit LIMIT 1").fetchall()  # unreadable file: no verdict
        return _SOUND if link_up(conn, after, prev, upto) == upto else _BROKEN
    finally:
        conn.close()


if __name__ == "__main__":
    _path, _after, _upto, _prev = sys.argv[1:5]
    print(_check_segment(_path, int(_after), int(_upto), bytes.fromhex(_prev)))
