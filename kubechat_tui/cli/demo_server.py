"""The record of the one simulated fleet every `--demo` command shares while one runs.

The first `--demo` process (the console, say) starts the simulator in-process and records
it in `<demo data dir>/demo-server.json` (owner-only): its pid, the loopback URL of its
control endpoint, its random fleet id and secret (`sim.proof.FleetKey`) and its start
time. Later `--demo` processes attach to it only once `cli.demo_proof` has proven it; the
owner removes the record when it stops. So an `apply --demo` and a later `rollback --demo`
see the same objects while a console runs.

Trust model. Demo mode talks only to a simulator this process started or one it has proven
to be the recorded simulator, never to a kubeconfig named by a file: the record holds no
kubeconfig. Proven means: the recorded process is alive; the control endpoint is plain
HTTP on a loopback IP and answers a fresh nonce with the recorded fleet id, pid and start
time and an HMAC keyed by the recorded secret; the kubeconfig it then hands out (for a
token derived from the secret) names only `https://` servers on loopback IPs with an
embedded CA and nothing else (no proxy, no skipped TLS check); and every one of those
servers answers its own fresh nonce with the same HMAC over TLS checked against that CA.
A kube-apiserver (kind, minikube, a port-forward) has no such endpoint, so a record
naming one is refused, which is noted on stderr and audited (`demo.attach_refused`) in the
demo audit chain, and the command starts its own simulator instead. The demo's weaker
approval rule (one OS user plays both roles) applies only to such a proven fleet.
Not proven, and out of scope: a process of the same OS user that can write the record can
also read it and run a program impersonating the simulator protocol with its secret; such
a user can equally run any command as themselves. Other users cannot read or replace the
record (0600), so they cannot answer for its secret.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

RECORD = "demo-server.json"
MAX_RECORD_BYTES = 64 * 1024
FIELDS = ("pid", "control_url", "fleet_id", "secret", "started_at")
SHOWN_FIELDS = ("pid", "control_url", "fleet_id", "started_at", "port", "kubeconfig")
MAX_SHOWN = 300  # characters of one field kept in the audit record of a refused attach


class NotTheSimulator(Exception):
    """Why a recorded simulator is not attached to; `str()` is one line."""


@dataclass(frozen=True)
class DemoServer:
    """A running demo simulator as recorded by the process that owns it."""

    pid: int
    control_url: str  # http://127.0.0.1:PORT
    fleet_id: str
    secret: str = field(repr=False)  # hex; only the record (0600) and the simulator hold it
    started_at: str  # UTC ISO 8601

    def started(self) -> datetime:
        """When the simulated fleet started (its state is no older than that)."""
        return datetime.fromisoformat(self.started_at)

    def secret_bytes(self) -> bytes:
        """The secret (NotTheSimulator when the record's is not hex)."""
        try:
            return bytes.fromhex(self.secret)
        except ValueError:
            raise NotTheSimulator("its secret is not hex") from None


def new_record(key: Any, control_url: str) -> DemoServer:
    """The record of a simulator this process just started (key: its `FleetKey`)."""
    return DemoServer(key.pid, control_url, key.fleet_id, key.secret.hex(), key.started_at)


def read_document(folder: Path) -> dict[str, Any] | None:
    """The record file as JSON (None when there is none); NotTheSimulator when it is
    unreadable, too large or not a JSON object."""
    try:
        with (folder / RECORD).open("rb") as file:
            raw = file.read(MAX_RECORD_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NotTheSimulator(f"cannot read it ({exc.strerror or exc})") from None
    if len(raw) > MAX_RECORD_BYTES:
        raise NotTheSimulator(f"it is larger than {MAX_RECORD_BYTES} bytes")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise NotTheSimulator("it is not JSON") from None
    if not isinstance(doc, dict):
        raise NotTheSimulator("it is not a JSON object")
    return doc


def parse_record(doc: dict[str, Any]) -> DemoServer:
    """The record in `doc`; NotTheSimulator when a field is missing or of the wrong type
    (e.g. a record naming a kubeconfig, as older versions wrote)."""
    missing = [name for name in FIELDS if name not in doc]
    if missing:
        raise NotTheSimulator(f"it names no {', '.join(missing)} (not a record of a "
                              "simulator this kubechat can prove)")
    pid = doc["pid"]
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        raise NotTheSimulator("its pid is not a positive integer")
    texts = [doc[name] for name in FIELDS[1:]]
    if not all(isinstance(value, str) for value in texts):
        raise NotTheSimulator("control_url, fleet_id, secret and started_at must be text")
    record = DemoServer(pid, *texts)
    try:
        record.started()
    except ValueError:
        raise NotTheSimulator("its started_at is not an ISO 8601 time") from None
    return record


def shown_fields(doc: dict[str, Any] | None) -> dict[str, Any]:
    """What an audit record keeps of a refused record: known fields, bounded, never the
    secret."""
    if doc is None:
        return {}
    kept: dict[str, Any] = {}
    for name in SHOWN_FIELDS:
        value = doc.get(name)
        if isinstance(value, bool) or not isinstance(value, int | str):
            continue
        kept[name] = value[:MAX_SHOWN] if isinstance(value, str) else value
    return kept


def read_record(folder: Path) -> DemoServer | None:
    """The recorded simulator, or None when there is no well-formed record."""
    try:
        doc = read_document(folder)
        return parse_record(doc) if doc is not None else None
    except NotTheSimulator:
        return None


def write_record(folder: Path, record: DemoServer) -> None:
    """Record the simulator (atomically, owner-only: it holds the secret)."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{RECORD}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(orjson.dumps(asdict(record)))
    temporary.replace(folder / RECORD)


def clear_record(folder: Path, record: DemoServer) -> None:
    """Remove the record if it still names this simulator (another may have replaced it)."""
    if read_record(folder) == record:
        with contextlib.suppress(OSError):
            (folder / RECORD).unlink()
