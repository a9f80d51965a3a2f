"""A separate writer process for the concurrency and crash tests.

Usage: python -m tests.store.writer_proc DATA_DIR TAG COUNT CHECKPOINT_EVERY [--wait]
(COUNT 0 = append until killed). Prints "ready" once the log is open; with ``--wait`` it
then blocks until a line arrives on stdin (the start barrier shared by several writers)
and pauses up to a millisecond between appends, as operators do, so that on a starved
CPU one writer does not finish its whole run inside a single time slice.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent, AuditScope, Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.signing import load_signer


def main(argv: list[str]) -> int:
    data_dir, tag, count, every = Path(argv[0]), argv[1], int(argv[2]), int(argv[3])
    db = open_database(data_dir / "kubechat.db")
    log = AuditLog(db, load_signer(data_dir, backend="file"), checkpoint_every=every)
    print("ready", flush=True)
    pace = "--wait" in argv[4:]
    if pace:
        sys.stdin.readline()
    i = 0
    while count == 0 or i < count:
        log.append(AuditEvent(action="execution.step", operator=Operator(tag, tag),
                              payload={"writer": tag, "i": i, "pad": "x" * (i % 200)},
                              scope=AuditScope(clusters=(tag,))))
        i += 1
        if pace:
            time.sleep(random.uniform(0, 0.001))
    log.close()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
