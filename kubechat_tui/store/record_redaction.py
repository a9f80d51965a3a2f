"""Redaction at the store boundary: nothing the store writes holds a credential.

API (the audit log, the timeline and the approval store call it on every write)::

    redaction = RecordRedaction(key, vault, redactor)  # the opener builds it (store_redaction)
    redaction.data(payload) -> RedactedData        # markers [REDACTED:rule:digest]; .rules
    redaction.text(text) -> str
    redaction.payload(payload) -> dict             # data(), keeping the values a rollback needs
    redaction.restore_plan(plan, execution_id)     # a stored rollback plan, its values back
    redaction.restore(value)                       # any redacted data, its kept values back

The rules are the one set of `domain.redaction` (the same as for model prompts, with the
user's `ai.redact_patterns`). A record keeps which object and which keys changed; each
value becomes a marker naming the rule and a keyed hash of the value (`HashMarker`), so a
change is provable without the value. The values a rollback needs (the parameters of a
stored rollback plan's steps, the objects of a snapshot) are also kept outside the chain,
encrypted (`store.kept_values`). Without a key (a database opened without the store's
signer) markers carry no hash and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from kubechat_tui.domain.redaction import DEFAULT, RedactedData, Redactor
from kubechat_tui.domain.redaction_markers import HashMarker, Marker, MissingValue, mask, restore

ROLLBACK_PLAN = "rollback_plan"  # a payload's stored rollback plan: its step params are kept
SNAPSHOTS = "snapshots"  # a snapshot record's objects are kept (an interrupted rollback)


class Vault(Protocol):
    """What redaction needs of `store.kept_values.KeptValues`."""

    def keep(self, values: Mapping[str, str]) -> None: ...

    def get(self, digest: str) -> str | None: ...


class KeptValueGone(Exception):
    """A stored rollback needs a value that is no longer kept."""


class RecordRedaction:
    """The store's redaction: keyed markers, and the vault of values rollbacks need."""

    def __init__(self, key: bytes | None = None, vault: Vault | None = None,
                 redactor: Redactor = DEFAULT) -> None:
        self.key = key
        self.vault = vault
        self.redactor = redactor

    def marker(self) -> Marker:
        """A fresh marker: hashed under the key (plain masks without one)."""
        return HashMarker(self.key) if self.key is not None else mask

    def data(self, value: Any) -> RedactedData:
        """A redacted copy of JSON-like data."""
        return self.redactor.redact_data(value, self.marker())

    def text(self, text: str) -> str:
        """Redacted text."""
        return self.redactor.redact(text, self.marker())

    def payload(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A redacted payload; the values of its rollback plan's step params and of its
        snapshots' objects are kept in the vault first."""
        out: dict[str, Any] = {}
        kept: dict[str, str] = {}
        for key, value in payload.items():
            if key == ROLLBACK_PLAN and isinstance(value, Mapping) and isinstance(
                    value.get("steps"), list):
                rest = self.data({k: v for k, v in value.items() if k != "steps"}).value
                out[key] = {**rest, "steps": [self._kept_part(step, "params", kept)
                                              for step in value["steps"]]}
            elif key == SNAPSHOTS and isinstance(value, list):
                out[key] = [self._kept_part(snap, "object", kept) for snap in value]
            else:
                out.update(self.data({key: value}).value)
        if kept and self.vault is not None:
            self.vault.keep(kept)
        return out

    def _kept_part(self, item: Any, field: str, kept: dict[str, str]) -> Any:
        """`item` redacted, with the values of `item[field]` collected for the vault."""
        if not isinstance(item, Mapping) or field not in item:
            return self.data(item).value
        marker = self.marker()
        masked = self.redactor.redact_data(item[field], marker).value
        if isinstance(marker, HashMarker):
            kept.update(marker.originals)
        return {**self.data({k: v for k, v in item.items() if k != field}).value,
                field: masked}

    def restore_plan(self, plan: Mapping[str, Any], execution_id: str) -> dict[str, Any]:
        """A stored rollback plan with the kept values back in its step params; raises
        KeptValueGone (one line) when one is no longer kept."""
        steps = plan.get("steps")
        if not isinstance(steps, list):
            return dict(plan)
        try:
            restored = [{**step, "params": self.restore(step.get("params"))}
                        if isinstance(step, Mapping) else step for step in steps]
        except MissingValue as gone:
            raise KeptValueGone(
                f"execution {execution_id} changed a value kubechat keeps out of the audit "
                f"log ({gone.rule or 'redacted'}); its old value is no longer kept "
                "(deleted after audit.kept_value_retention_days, or never kept), so this "
                "change has no rollback") from None
        return {**plan, "steps": restored}

    def restore(self, value: Any) -> Any:
        """`value` with its hash markers replaced by kept values (MissingValue: gone)."""
        vault = self.vault
        return restore(value, vault.get if vault is not None else lambda _digest: None)
