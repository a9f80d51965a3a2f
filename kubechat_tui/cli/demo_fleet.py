"""The simulated fleet of a `--demo` session: the recorded one once proven, else its own.

    demo = start_demo(settings)   # DemoFleet: .kubeconfig to load, .owned, .started()
    ...
    settings = demo.serve_integrations(settings)  # Alertmanager and Argo CD stand-ins
    demo.close()                  # stop our simulator and drop its record, or our kubeconfig

A DemoFleet is only ever a simulator this process started or one `cli.demo_proof` proved
(trust model: `cli.demo_server`), so a session holding one may use the demo's weaker
approval rule. A record that does not prove out is not attached to: one line on stderr
says why, the attempt is appended to the demo audit chain (`demo.attach_refused`), and the
command starts its own simulator.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from kubechat_tui.cli.common import UsageError
from kubechat_tui.cli.demo_proof import prove
from kubechat_tui.cli.demo_server import (
    RECORD,
    DemoServer,
    NotTheSimulator,
    clear_record,
    new_record,
    parse_record,
    read_document,
    shown_fields,
    write_record,
)
from kubechat_tui.config import paths
from kubechat_tui.config.settings import Settings

if TYPE_CHECKING:
    from kubechat_tui.sim import SimServer
    from kubechat_tui.sim.standins import StandIn

DEMO_SCENARIO = "incident"
OWN_KUBECONFIG = "kubeconfig"
ATTACH_REFUSED = "demo.attach_refused"


@dataclass
class DemoFleet:
    """A demo simulator proven to be one: started here (`server`) or attached to."""

    record: DemoServer
    kubeconfig: Path  # ours: the owner's file, or a private copy of the proven one
    folder: Path
    server: SimServer | None = None
    stand_ins: list[StandIn] = field(default_factory=list)

    @property
    def owned(self) -> bool:
        """True when this process started the simulator (it stops when we close)."""
        return self.server is not None

    def started(self) -> datetime:
        """When the simulated fleet started (its state is no older than that)."""
        return self.record.started()

    def serve_integrations(self, settings: Settings) -> Settings:
        """Start loopback Alertmanager and Argo CD stand-ins whose alerts and syncs match
        this fleet's incident (the same in every demo process: they are timed from the
        fleet's start) and return the settings pointing the imports at them."""
        from kubechat_tui.sim.standins import alertmanager_standin, argocd_standin

        started = self.started().timestamp()
        self.stand_ins = [alertmanager_standin(started).start(),
                          argocd_standin(started).start()]
        incidents = settings.incidents.model_copy(update={
            "alertmanager_url": self.stand_ins[0].url, "argocd_url": self.stand_ins[1].url,
            "alertmanager_token_env": None, "argocd_token_env": None})
        return settings.model_copy(update={"incidents": incidents})

    def close(self) -> None:
        """Stop the stand-ins, and the simulator we own and remove its record, or drop
        our copy of the attached fleet's kubeconfig."""
        for stand_in in self.stand_ins:
            stand_in.stop()
        self.stand_ins = []
        if self.server is not None:
            clear_record(self.folder, self.record)
            self.server.stop()
        else:
            with contextlib.suppress(OSError):
                self.kubeconfig.unlink()


def start_demo(settings: Settings) -> DemoFleet:
    """The recorded demo fleet when it proves to be one, else a simulator started here,
    its kubeconfig under the demo data dir, recorded for the `--demo` commands that follow
    while it runs. `settings` are the session's (demo) settings, for the audit chain."""
    folder = paths.data_dir(demo=True)
    attached = _attach(folder, settings)
    return attached if attached is not None else _start_own(folder)


def _attach(folder: Path, settings: Settings) -> DemoFleet | None:
    doc: dict[str, Any] | None = None
    try:
        doc = read_document(folder)
        if doc is None:
            return None
        record = parse_record(doc)
        document = prove(record)
    except NotTheSimulator as exc:
        _refused(folder, settings, doc, str(exc))
        return None
    return DemoFleet(record, _private_kubeconfig(folder, document), folder)


def _private_kubeconfig(folder: Path, document: dict[str, Any]) -> Path:
    """The proven kubeconfig in a new owner-only file of this process's own."""
    descriptor, name = tempfile.mkstemp(prefix="attached-", suffix=".kubeconfig",
                                        dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(orjson.dumps(document))
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise UsageError(f"{folder}: cannot write the demo kubeconfig: "
                         f"{exc.strerror or exc}") from None
    return Path(name)


def _start_own(folder: Path) -> DemoFleet:
    from kubechat_tui.sim import SimServer

    server = SimServer(DEMO_SCENARIO).start()
    try:
        kubeconfig = server.write_kubeconfig(folder / OWN_KUBECONFIG,
                                             current=server.clusters[0])
        record = new_record(server.key, server.control_url)
        write_record(folder, record)
    except OSError as exc:
        server.stop()
        raise UsageError(f"{folder}: cannot write the demo kubeconfig: "
                         f"{exc.strerror or exc}") from None
    return DemoFleet(record, kubeconfig, folder, server)


def _refused(folder: Path, settings: Settings, doc: dict[str, Any] | None,
             reason: str) -> None:
    """Say why the record is ignored (one line) and audit the attempt. When the audit
    chain cannot be written, nothing starts (UsageError): no refusal goes unrecorded."""
    from kubechat_tui.kube.failures import one_line
    from kubechat_tui.store.errors import StoreError

    print(f"kubechat: note: ignoring {RECORD}: {one_line(reason)}; starting a new demo "
          "fleet", file=sys.stderr)
    try:
        _audit_refusal(folder, settings, doc, reason)
    except StoreError as exc:
        raise UsageError(f"cannot record the ignored {RECORD} in the demo audit log: "
                         f"{one_line(str(exc))}") from None


def _audit_refusal(folder: Path, settings: Settings, doc: dict[str, Any] | None,
                   reason: str) -> None:
    from kubechat_tui.engine.identity import real_os_user
    from kubechat_tui.store.audit_model import AuditEvent, Operator
    from kubechat_tui.store.opener import open_store

    store = open_store(settings, folder)
    try:
        store.audit.append(AuditEvent(ATTACH_REFUSED, Operator(real_os_user()), payload={
            "record_file": str(folder / RECORD), "record": shown_fields(doc),
            "reason": reason}, outcome="refused"))
    finally:
        store.close()
