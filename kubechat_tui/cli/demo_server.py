"""One simulated fleet shared by every `--demo` command while one is running.

The first `--demo` process (the console, say) starts the simulator and records it in
`<demo data dir>/demo-server.json` (pid, port, kubeconfig, start time). Later `--demo`
processes attach to it when its process is alive and its API answers `/version` through
the recorded kubeconfig (whose CA only that simulator holds); otherwise they start their
own and record that. The owner removes the record when it stops. So an `apply --demo`
and a later `rollback --demo` see the same objects while a console runs.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

RECORD = "demo-server.json"
PROBE_TIMEOUT = 2.0  # seconds for the /version probe of a recorded simulator


@dataclass(frozen=True)
class DemoServer:
    """A running demo simulator as recorded by the process that owns it."""

    pid: int
    port: int
    kubeconfig: str
    started_at: str  # UTC ISO 8601

    def started(self) -> datetime:
        """When the simulated fleet started (its state is no older than that)."""
        return datetime.fromisoformat(self.started_at)


def new_record(port: int, kubeconfig: str) -> DemoServer:
    """The record of a simulator this process just started."""
    return DemoServer(os.getpid(), port, kubeconfig,
                      datetime.now(UTC).isoformat(timespec="milliseconds"))


def read_record(folder: Path) -> DemoServer | None:
    """The recorded simulator, or None when there is no readable record."""
    try:
        doc = orjson.loads((folder / RECORD).read_bytes())
        return DemoServer(int(doc["pid"]), int(doc["port"]), str(doc["kubeconfig"]),
                          str(doc["started_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(folder: Path, record: DemoServer) -> None:
    """Record the simulator (atomically, owner-only: other users cannot redirect us)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{RECORD}.{os.getpid()}"
    temporary.write_bytes(orjson.dumps(asdict(record)))
    temporary.chmod(0o600)
    temporary.replace(folder / RECORD)


def clear_record(folder: Path, record: DemoServer) -> None:
    """Remove the record if it still names this simulator (another may have replaced it)."""
    if read_record(folder) == record:
        with contextlib.suppress(OSError):
            (folder / RECORD).unlink()


def live_record(folder: Path) -> DemoServer | None:
    """The recorded simulator when it is alive and answering, else None."""
    record = read_record(folder)
    if record is None or not _pid_alive(record.pid) or not Path(record.kubeconfig).is_file():
        return None
    return record if _answers(record.kubeconfig) else None


def _pid_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate it there: the probe decides alone
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except OSError:  # gone, or another user's (PermissionError): do not attach
        return False
    return True


def _answers(kubeconfig: str) -> bool:
    """True when the kubeconfig's first cluster answers GET /version (TLS with its CA)."""
    from kubechat_tui.config.settings import Settings
    from kubechat_tui.kube.errors import KubeconfigError
    from kubechat_tui.kube.fleet import Fleet

    try:
        fleet = Fleet.from_kubeconfig(Settings(), kubeconfig)
    except KubeconfigError:
        return False
    try:
        names = fleet.cluster_names()
        if not names:
            return False
        status, _ = fleet.request_json(names[0], "GET", "/version", timeout=PROBE_TIMEOUT)
        return status == 200
    finally:
        fleet.close()
