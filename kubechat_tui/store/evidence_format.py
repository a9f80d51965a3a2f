"""The evidence package layout shared by the exporter and the offline verifier.

A package directory holds:

- ``records.json`` or ``records.csv``: the selected records, each with its canonical body
  (the hashed bytes), readable columns derived from it, ``prev_hash`` and ``hash``
- ``chain.jsonl``: ``{seq, prev, digest, hash}`` for every record of the chain range, so the
  selected records can be tied to the signed head without revealing the others
- ``checkpoint.json``: the signed checkpoint of the range's last record and the public key
- ``transcript-<session id>.jsonl``: the redacted transcript of each exec session whose
  ``exec.ended`` record is selected (that record holds its sha256 too); one missing or
  changed since is left out and named in the manifest's ``transcript_problems``
- ``manifest.json``: sha256 of every file, chain range, head hash, the checkpoint, the
  public-key fingerprint, the filters used, and an Ed25519 signature over the rest
"""

from __future__ import annotations

from typing import Any

import orjson

FORMAT = "kubechat-audit-evidence/1"
MANIFEST = "manifest.json"
CHAIN = "chain.jsonl"
CHECKPOINT = "checkpoint.json"
CSV_COLUMNS = (
    "seq", "ts", "os_user", "kube_identity", "action", "clusters", "namespaces", "objects",
    "outcome", "justification", "execution_id", "plan_hash", "prev_hash", "hash", "body",
)


def records_file(fmt: str) -> str:
    """The records file name for ``fmt`` (csv or json)."""
    return f"records.{fmt}"


def csv_row(body: bytes, prev_hash: str, digest: str) -> dict[str, str]:
    """One CSV row: readable columns derived from the canonical ``body``, plus the hashes."""
    doc: dict[str, Any] = orjson.loads(body)
    operator, scope, links = doc["operator"], doc["scope"], doc["links"]
    return {
        "seq": str(doc["seq"]),
        "ts": doc["ts"],
        "os_user": operator["os_user"] or "",
        "kube_identity": operator["kube_identity"] or "",
        "action": doc["action"],
        "clusters": " ".join(scope["clusters"]),
        "namespaces": " ".join(scope["namespaces"]),
        "objects": " ".join(scope["objects"]),
        "outcome": doc["outcome"],
        "justification": doc["justification"],
        "execution_id": links["execution_id"] or "",
        "plan_hash": links["plan_hash"] or "",
        "prev_hash": prev_hash,
        "hash": digest,
        "body": body.decode(),
    }


def json_item(body: bytes, prev_hash: str, digest: str) -> dict[str, Any]:
    """One JSON records entry: the canonical body text, the parsed record and the hashes."""
    doc = orjson.loads(body)
    return {"seq": doc["seq"], "record": doc, "body": body.decode(), "prev_hash": prev_hash,
            "hash": digest}
