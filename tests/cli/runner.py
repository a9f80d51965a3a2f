"""`kubechat` run in-process against one simulated fleet and one data dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from kubechat_tui.cli.main import main
from kubechat_tui.sim.server import SimServer
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent
from kubechat_tui.store.database import open_database
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import load_signer

SCALE = "scale payments-api in prod-eu to 5"


class Cli:
    """Runs `kubechat` against one simulated fleet and one data dir, as OS user `os_user`."""

    def __init__(self, sim: SimServer, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.sim = sim
        self.kubeconfig = str(sim.write_kubeconfig(tmp / "kubeconfig"))
        self.data = tmp / "data"
        self.capsys = capsys
        self.plan_file = tmp / "plan.json"
        self.os_user = "alice"

    def as_os_user(self, name: str, *argv: str) -> tuple[int, str, str]:
        """Run one command as another OS user (another person on the same bastion)."""
        mine, self.os_user = self.os_user, name
        try:
            return self.run(*argv)
        finally:
            self.os_user = mine

    def run(self, *argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--kubeconfig", self.kubeconfig])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *argv: str) -> tuple[int, dict[str, Any]]:
        code, out, err = self.run(*argv, "--json")
        assert out.strip(), err
        return code, orjson.loads(out)

    def save_plan(self, text: str = SCALE) -> Path:
        code, _, err = self.run("plan", text, "--save", str(self.plan_file))
        assert code == 0, err
        return self.plan_file

    def replicas(self, cluster: str = "prod-eu") -> int:
        return int(self.get(cluster, "/apis/apps/v1/namespaces/payments/deployments/"
                                     "payments-api")["spec"]["replicas"])

    def get(self, cluster: str, path: str) -> dict[str, Any]:
        """An object as the simulator's admin reads it."""
        import json
        import ssl
        import urllib.request

        request = urllib.request.Request(self.sim.cluster_url(cluster) + path, headers={
            "Authorization": f"Bearer {self.sim.token(cluster, 'admin')}"})
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
        with opener.open(request, timeout=10) as response:
            doc: dict[str, Any] = json.loads(response.read())
            return doc

    def audit_ok(self) -> bool:
        db = open_database(self.data / DB_FILE)
        try:
            return AuditLog(db, load_signer(self.data)).verify().ok
        finally:
            db.close()

    def records(self) -> list[AuditEvent]:
        """Every audit record, oldest first (the chain verified)."""
        assert self.audit_ok()
        db = open_database(self.data / DB_FILE)
        try:
            return [r.event for r in AuditLog(db, load_signer(self.data)).records()]
        finally:
            db.close()
