"""Credentials already in an audit chain (written before redaction, or by another tool).

    for leak in credential_leaks(log.records()): leak.seq, leak.action, leak.rules, leak.line()

A record is append-only and hashed into the chain: nothing can take a leaked value out of
it. `kubechat audit verify` lists where they are (the rules that match, never the value)
so an operator can rotate what leaked; the chain's integrity is not affected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson

from kubechat_tui.domain.redaction import DEFAULT
from kubechat_tui.store.audit_model import AuditRecord

_CHAIN_FIELDS = ("prev_hash", "hash", "seq", "ts", "v")  # the chain's own, never a secret


@dataclass(frozen=True)
class Leak:
    """A record holding a credential shape: where, and which rules match."""

    seq: int
    action: str
    rules: tuple[str, ...]

    def line(self) -> str:
        """One warning line (no value)."""
        return (f"record {self.seq} ({self.action}) holds a credential shape "
                f"({', '.join(self.rules)}): rotate it; the chain keeps the record as written")

    def to_json(self) -> dict[str, object]:
        """The JSON form."""
        return {"seq": self.seq, "action": self.action, "rules": list(self.rules)}


def credential_leaks(records: Iterable[AuditRecord]) -> Iterator[Leak]:
    """The records holding a value the redaction rules would mask, in seq order."""
    for record in records:
        doc = orjson.loads(record.body)
        for name in _CHAIN_FIELDS:
            doc.pop(name, None)
        rules = DEFAULT.redact_data(doc).rules
        if rules:
            yield Leak(record.seq, record.event.action, tuple(sorted(rules)))
