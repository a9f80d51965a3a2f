"""What the console knows of incidents when it starts: the active incident for the context
banner, and the demo's incident, so the timeline is populated on the first
`kubechat --demo`: the first demo console opens it (payments-api crash-looping since the
1.5.0 rollout, on the production clusters) and every demo console imports the stand-ins'
alerts and syncs and the fleet's rollouts (stored once however often)."""

from __future__ import annotations

from typing import Any

DEMO_TITLE = "payments-api crashlooping after the 1.5.0 rollout"
DEMO_CLUSTERS = ("prod-eu", "prod-us")


def seed_demo_incident(session: Any) -> list[str]:
    """Open the demo incident on a demo store that never had one, then import; returns
    one line per problem (the console starts either way)."""
    from kubechat_tui.engine.identity import real_os_user
    from kubechat_tui.engine.incident_desk import IncidentDesk
    from kubechat_tui.engine.incident_imports import Importer
    from kubechat_tui.store.audit_model import Operator
    from kubechat_tui.store.errors import StoreError
    from kubechat_tui.store.opener import open_store

    try:
        store = open_store(session.settings, session.data_dir)
    except StoreError as exc:
        return [f"demo incident not opened: {exc}"]
    try:
        desk = IncidentDesk.on(store, Operator(real_os_user()))
        if not desk.incidents.recent(1):
            desk.open(DEMO_TITLE, "SEV2", DEMO_CLUSTERS, commander=desk.who)
        report = Importer(session.settings, desk.timeline, session.fleet).run()
        return [line for line in report.lines() if ": FAILED: " in line]
    except StoreError as exc:
        return [f"demo incident not opened: {exc}"]
    finally:
        store.close()


def active_incident_label(session: Any) -> str:
    """The banner label of the active incident ("" when none, or no database yet)."""
    from kubechat_tui.engine.incident_console import banner_label
    from kubechat_tui.store.errors import StoreError
    from kubechat_tui.store.incidents import Incidents
    from kubechat_tui.store.opener import open_store

    try:
        store = open_store(session.settings, session.data_dir, writer=False, create=False)
    except StoreError:  # MissingDatabaseError included: nothing to show yet
        return ""
    try:
        active = Incidents(store.db).active()
    except StoreError:
        return ""
    finally:
        store.close()
    return "" if active is None else banner_label(active)
