"""Pilot tests of the incident timeline screen, its annotate dialog and the notes editor
over a real store; a snapshot of the screen on a fixed timeline."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import null
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from kubechat_tui.config.settings import AISettings, Settings
from kubechat_tui.engine.incident_console import IncidentConsole
from kubechat_tui.engine.incident_desk import IncidentDesk
from kubechat_tui.engine.incident_view import IncidentView, TimelineItem
from kubechat_tui.store.audit_model import AuditEvent, AuditScope, Operator
from kubechat_tui.store.incidents import Incident
from kubechat_tui.store.opener import Store, open_store
from kubechat_tui.store.timeline import TimelineEntry
from kubechat_tui.tui.screens.notes_screen import NotesScreen
from kubechat_tui.tui.screens.timeline_screen import TimelineScreen


class Host(App[None]):
    def __init__(self, screen: TimelineScreen) -> None:
        super().__init__()
        self.timeline_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.timeline_screen)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    opened = open_store(Settings(), tmp_path / "data")
    yield opened
    opened.close()
    keyring.set_keyring(previous)


@pytest.fixture
def console(store: Store) -> IncidentConsole:
    desk = IncidentDesk.on(store, Operator("ana", "admin"))
    desk.open("payments-api crashlooping", "SEV2", ("prod-eu", "prod-us"))
    time.sleep(0.002)  # the timeline keeps milliseconds: each entry strictly after the last
    desk.timeline.add(TimelineEntry(kind="alert", author="alertmanager", cluster="prod-eu",
                                    title="KubePodCrashLooping firing critical",
                                    source_key="am:1"))
    time.sleep(0.002)
    store.audit.append(AuditEvent(action="plan.submitted", operator=Operator("ana"),
                                  scope=AuditScope(clusters=("prod-us",)),
                                  payload={"plan": {"input": "restart payments-api"}}))
    time.sleep(0.002)
    desk.timeline.add(TimelineEntry(kind="insight", author="ana", cluster="prod-us",
                                    title="payments-api: OOMKilled at 256Mi"))
    return IncidentConsole(desk, store.audit, Settings(ai=AISettings(enabled=False)), None)


async def _until(pilot: Pilot[None], check: Callable[[], bool], what: str) -> None:
    for _ in range(200):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _refs(app: App[None]) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def _static(app: App[None], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_the_timeline_merges_filters_and_annotates(console: IncidentConsole) -> None:
    app = Host(TimelineScreen(console, poll=False))
    async with app.run_test(size=(160, 40)) as pilot:
        await _until(pilot, lambda: len(_refs(app)) == 4, "the timeline")
        kinds = [str(app.screen.query_one(DataTable).get_row_at(i)[2]) for i in range(4)]
        assert kinds == ["incident", "alert", "plan", "insight"]
        assert "payments-api crashlooping" in _static(app, "#timeline-title")

        await pilot.press("f")
        assert isinstance(app.focused, Input)
        await pilot.press(*"alert", "enter")
        assert [str(app.screen.query_one(DataTable).get_row_at(0)[2])] == ["alert"]
        assert app.screen.query_one(DataTable).row_count == 1
        alert_ref = _refs(app)[0]

        await pilot.press("a")
        await pilot.press(*"ticket OPS-7 https://jira.example/OPS-7", "enter")
        app.screen.query_one("#timeline-filter-kind", Input).value = ""
        await pilot.press("f", "enter")
        await _until(pilot, lambda: len(_refs(app)) == 5, "the annotation")
        table = app.screen.query_one(DataTable)
        last = [str(cell) for cell in table.get_row_at(4)]
        assert last[2] == "annotation" and f"(on {alert_ref})" in last[5]
        assert "ticket OPS-7 https://jira.example/OPS-7" in last[5]

        await pilot.press("a")
        await pilot.press(*"ticket OPS-8 not-a-url", "enter")
        await _until(pilot, lambda: "not annotated" in _static(app, "#timeline-status"),
                     "the refusal")
        assert "http(s) URL" in _static(app, "#timeline-status")
        assert len(_refs(app)) == 5


async def test_the_notes_editor_drafts_saves_versions_and_shows_owners(
        console: IncidentConsole) -> None:
    app = Host(TimelineScreen(console, poll=False))
    async with app.run_test(size=(160, 40)) as pilot:
        await _until(pilot, lambda: len(_refs(app)) == 4, "the timeline")
        await pilot.press("n")
        assert isinstance(app.screen, NotesScreen)
        editor = app.screen.query_one(TextArea)
        await _until(pilot, lambda: "# Incident notes" in editor.text, "the draft")
        assert "payments-api: OOMKilled at 256Mi" in editor.text  # the insight
        assert "a draft from the timeline" in _static(app, "#notes-status")
        editor.move_cursor(editor.document.end)
        await pilot.press(*"- [ ] @bob raise the memory limit due 2026-12-11")
        await _until(pilot, lambda: "@bob" in _static(app, "#notes-items"), "the owner")
        assert "due 2026-12-11" in _static(app, "#notes-items")
        await pilot.press("ctrl+l")  # no model configured: the text stays
        await _until(pilot, lambda: "no model configured" in _static(app, "#notes-status"),
                     "the polish answer")
        assert "@bob raise the memory limit" in editor.text
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: "saved version 1" in _static(app, "#notes-status"),
                     "the save")
        await pilot.press("ctrl+s")
        await _until(pilot, lambda: "saved version 2" in _static(app, "#notes-status"),
                     "a second version")
        incident = console.incident()
        assert incident is not None
        versions = console.notes(incident)
        assert [v.version for v in versions] == [1, 2]
        assert "@bob raise the memory limit due 2026-12-11" in versions[-1].body
        await pilot.press("escape")
        assert isinstance(app.screen, TimelineScreen)


async def test_no_incident_says_how_to_open_one(store: Store) -> None:
    console = IncidentConsole(IncidentDesk.on(store, Operator("ana")), store.audit,
                              Settings(), None)
    app = Host(TimelineScreen(console, poll=False))
    async with app.run_test(size=(120, 30)) as pilot:
        await _until(pilot, lambda: "no incident yet" in _static(app, "#timeline-title"),
                     "the hint")
        await pilot.press("n")
        assert isinstance(app.screen, TimelineScreen)


AT = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
FIXED = Incident(id="inc-5a1e0c7f", opened_at="2026-12-08T09:31:00.000+00:00",
                 title="payments-api crashlooping after the 1.5.0 rollout", severity="SEV2",
                 clusters=("prod-eu", "prod-us"), commander="carol", opened_by="ana")


def _item(ref: str, minute: int, kind: str, clusters: tuple[str, ...], author: str,
          title: str, **extra: Any) -> TimelineItem:
    return TimelineItem(ref=ref, ts=AT.replace(minute=minute), kind=kind, clusters=clusters,
                        author=author, title=title, **extra)


class FixedConsole(IncidentConsole):
    """A console whose incident and timeline never change (for the snapshot)."""

    def incident(self, incident_id: str = "") -> Incident | None:
        return FIXED

    def view(self, incident: Incident) -> IncidentView:
        return IncidentView(FIXED, [
            _item("t3", 18, "deploy", ("prod-eu",), "dana",
                  "argo cd synced payments-api-prod-eu to 4821e0c9b7a3 (Succeeded)"),
            _item("t1", 20, "alert", ("prod-eu",), "alertmanager",
                  "PaymentsHighErrorRate firing critical on payments/payments-api"),
            _item("t2", 21, "alert", ("prod-eu",), "alertmanager",
                  "KubePodCrashLooping firing critical on payments/payments-api"),
            _item("a1", 31, "incident", ("prod-eu", "prod-us"), "ana",
                  "incident opened payments-api crashlooping", seq=1, outcome="opened"),
            _item("a4", 33, "diagnostic", ("prod-us",), "ana",
                  "read: kubectl --context prod-us get pods -n payments", seq=4),
            _item("a9", 35, "approval", ("prod-eu",), "bob", "approval approved (as lead)",
                  seq=9),
            _item("a14", 36, "rollback", ("prod-eu",), "ana", "rolled back: 1 change(s)",
                  seq=14, outcome="succeeded"),
            _item("t7", 37, "annotation", (), "carol", "ticket OPS-12 https://jira/OPS-12",
                  annotates="a14"),
        ])


def test_timeline_screen_snapshot(snap_compare: Any, store: Store) -> None:
    console = FixedConsole(IncidentDesk.on(store, Operator("ana")), store.audit, Settings(),
                           None)
    assert snap_compare(Host(TimelineScreen(console, poll=False)), terminal_size=(140, 30))


async def test_a_long_timeline_shows_its_newest_entries(console: IncidentConsole,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from kubechat_tui.tui.screens import timeline_screen

    monkeypatch.setattr(timeline_screen, "MAX_ROWS", 2)
    app = Host(TimelineScreen(console, poll=False))
    async with app.run_test(size=(160, 40)) as pilot:
        await _until(pilot, lambda: len(_refs(app)) == 2, "the timeline")
        assert [str(app.screen.query_one(DataTable).get_row_at(i)[2]) for i in range(2)] == [
            "plan", "insight"]
        assert "showing the newest 2 of 4 entries" in _static(app, "#timeline-status")
