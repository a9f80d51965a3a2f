"""Pilot tests of the audit screen over a real SQLite audit log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.database import Database, open_database
from kubechat_tui.store.signing import Signer
from kubechat_tui.tui.screens import audit_screen
from kubechat_tui.tui.screens.audit_screen import AuditScreen, build_filter
from tests.store.helpers import attacker, sample_event


class Host(App[None]):
    def __init__(self, log: AuditLog) -> None:
        super().__init__()
        self.audit_log = log

    def on_mount(self) -> None:
        self.push_screen(AuditScreen(self.audit_log))


@pytest.fixture
def audit(tmp_path: Path, signer: Signer) -> Iterator[tuple[AuditLog, Database]]:
    db = open_database(tmp_path / "kubechat.db", synchronous="NORMAL")
    log = AuditLog(db, signer, checkpoint_every=5)
    for i in range(12):
        log.append(sample_event(i))
    log.close()
    yield log, db
    db.close()


async def _settle(app: Host, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def _text(app: Host, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def _seqs(app: Host) -> list[int]:
    table = app.screen.query_one(DataTable)
    return [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)]


async def test_shows_records_status_and_tails_new_ones(audit, monkeypatch) -> None:
    monkeypatch.setattr(audit_screen, "POLL_SECONDS", 0.05)
    log, _ = audit
    app = Host(log)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(app, pilot)
        assert _seqs(app) == list(range(1, 13))
        assert "chain intact: 12 records" in _text(app, "#audit-status")
        assert '"seq": 12' in _text(app, "#audit-record")  # cursor follows the newest record
        log.append(sample_event(12))
        for _ in range(200):  # up to 10 s on a busy machine; usually 1-2 polls
            await pilot.pause(0.05)
            if _seqs(app)[-1:] == [13]:
                break
        assert _seqs(app)[-1] == 13


async def test_filters_apply_on_enter(audit) -> None:
    log, _ = audit
    app = Host(log)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(app, pilot)
        await pilot.press("f")
        assert isinstance(app.focused, Input)
        await pilot.press(*"staging", "enter")
        await _settle(app, pilot)
        assert _seqs(app) == [3, 6, 9, 12]  # sample_event puts every third record on staging


async def test_bad_time_filter_is_one_red_line(audit) -> None:
    log, _ = audit
    app = Host(log)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(app, pilot)
        app.screen.query_one("#audit-filter-since", Input).focus()
        await pilot.press(*"soon", "enter")
        await pilot.pause()
        assert "bad time 'soon'" in _text(app, "#audit-status")
        assert len(_seqs(app)) == 12


async def test_tampering_shows_in_the_status_line(audit) -> None:
    log, db = audit
    attacker(db.path).execute("DELETE FROM audit WHERE seq = 4")
    app = Host(log)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(app, pilot)
        assert "TAMPERED  seq 4: missing" in _text(app, "#audit-status")


async def _until(pilot: Pilot[None], check, what: str) -> None:
    for _ in range(200):  # up to 10 s on a busy machine; usually a few polls
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_tampering_while_open_turns_the_status_red(audit, monkeypatch) -> None:
    monkeypatch.setattr(audit_screen, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(audit_screen, "VERIFY_SECONDS", 0.1)
    log, db = audit
    app = Host(log)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(app, pilot)
        assert "chain intact: 12 records" in _text(app, "#audit-status")
        assert "UTC" in _text(app, "#audit-status")  # when it was checked
        attacker(db.path).execute("DELETE FROM audit WHERE seq = 4")
        await _until(pilot, lambda: "TAMPERED  seq 4: missing" in _text(app, "#audit-status"),
                     "the periodic verification")
        log.append(sample_event(12))  # the live tail keeps going, the status stays red
        await _until(pilot, lambda: _seqs(app)[-1:] == [13], "the tail")
        await _settle(app, pilot)
        assert "TAMPERED  seq 4: missing" in _text(app, "#audit-status")


async def test_new_records_trigger_a_verification(audit, monkeypatch) -> None:
    monkeypatch.setattr(audit_screen, "POLL_SECONDS", 0.05)
    log, db = audit
    app = Host(log)
    async with app.run_test(size=(160, 40)) as pilot:
        await _settle(app, pilot)
        attacker(db.path).execute("DELETE FROM audit WHERE seq = 9")
        log.append(sample_event(12))
        await _until(pilot, lambda: "TAMPERED  seq 9: missing" in _text(app, "#audit-status"),
                     "the verification after new records")
        await pilot.press("v")  # and on demand
        await _settle(app, pilot)
        assert "TAMPERED  seq 9: missing" in _text(app, "#audit-status")


def test_build_filter_splits_lists() -> None:
    f = build_filter({"cluster": "prod-eu, staging", "user": "alice", "action": "", "since": ""})
    assert (f.clusters, f.users, f.actions) == (("prod-eu", "staging"), ("alice",), ())
    assert f.since is None
