"""A refused override of a guard setting leaves an audit record before the command stops.

The record goes to the store the system config names (its settings alone are trusted), so
a requester who tried `KUBECHAT_POLICY_FILE=/tmp/empty.yaml` is on the record even though
nothing ran.
"""

from __future__ import annotations

from pathlib import Path

from kubechat_tui.config.guard_source import GuardOverrideError
from kubechat_tui.config.loader import read_system_config
from kubechat_tui.config.settings import Settings

OVERRIDE_REFUSED = "settings.override_refused"


def record_refused_override(exc: GuardOverrideError, data_dir: Path) -> str | None:
    """Append the refusal to the audit chain; a line to show when that failed, else None."""
    from kubechat_tui.engine.identity import real_os_user
    from kubechat_tui.store.audit_model import AuditEvent, Operator
    from kubechat_tui.store.errors import StoreError
    from kubechat_tui.store.opener import open_store

    try:
        settings = Settings.model_validate(read_system_config(exc.system) or {})
        store = open_store(settings, data_dir)
    except Exception as failure:  # the refusal stands whatever happens to its record
        return f"the refused override could not be audited: {failure}".splitlines()[0]
    try:
        store.audit.append(AuditEvent(
            OVERRIDE_REFUSED, Operator(real_os_user()), outcome="refused",
            payload={"key": exc.key, "source": exc.source,
                     "system_config": str(exc.system)}))
    except StoreError as failure:
        return f"the refused override could not be audited: {failure}"
    finally:
        store.close()
    return None
