"""`kubechat --demo`: Alertmanager and Argo CD stand-ins start with the demo fleet, and the
first console run opens the demo incident with its timeline populated (alerts, the sync,
the rollouts); importing again on the same fleet adds nothing, and a later run opens no
second incident."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kubechat_tui.cli import console_cmd
from kubechat_tui.cli.incident_start import seed_demo_incident
from kubechat_tui.cli.main import build_parser
from kubechat_tui.engine.incident_view import incident_view
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import open_database
from kubechat_tui.store.incidents import Incidents
from kubechat_tui.store.opener import DB_FILE
from kubechat_tui.store.signing import load_signer
from kubechat_tui.store.timeline import Timeline


def _entries(folder: Path) -> int:
    db = open_database(folder / DB_FILE)
    try:
        return len(Timeline(db).recent(10_000))
    finally:
        db.close()


def _console(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_run_app(session: Any, engine: Any = None) -> int:
        seen["incidents"] = session.settings.incidents
        seen["banner"] = session.incident
        before = _entries(session.data_dir)
        seen["again"] = seed_demo_incident(session)  # importing again on the same fleet
        seen["added"] = _entries(session.data_dir) - before
        return 0

    monkeypatch.setattr("kubechat_tui.tui.app.run_app", fake_run_app)
    assert console_cmd.run_console(build_parser().parse_args(["--demo"])) == 0
    return seen


def test_the_first_demo_run_has_a_populated_incident_timeline(
        demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _console(monkeypatch)
    assert seen["incidents"].alertmanager_url.startswith("http://127.0.0.1:")
    assert seen["again"] == [] and seen["added"] == 0
    assert seen["banner"].endswith(" SEV2 payments-api crashlooping after the 1.5.0 rollout")
    db = open_database(demo_dir / DB_FILE)
    try:
        incidents, timeline = Incidents(db), Timeline(db)
        incident = incidents.active()
        assert incident is not None and incident.clusters == ("prod-eu", "prod-us")
        view = incident_view(incident, AuditLog(db, load_signer(demo_dir, create=False)),
                             incidents, timeline, timedelta(hours=2))
    finally:
        db.close()
    titles = [i.title for i in view.items]
    assert any(t.startswith("KubePodCrashLooping firing") for t in titles)
    assert any("payments-api-prod-eu to 4821e0c9b7a3" in t for t in titles)
    assert any(t.startswith("rollout payments/payments-api revision 3") for t in titles)
    assert not any(i.kind == "alert" and "canary" in i.clusters for i in view.items)
    _console(monkeypatch)
    db = open_database(demo_dir / DB_FILE)
    try:
        assert len(Incidents(db).recent()) == 1
    finally:
        db.close()
