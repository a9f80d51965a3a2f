"""Approvals nobody can forge: each approve or break-glass decision is signed by its
decider's own key, over everything it binds (request, digest, target state, who).

    decision = sign(decision, signer)        # in `approvals approve`, as the approver
    verified(decision, keys)                 # in every status and gate: True or False

A decision row written into the database by anyone else (a requester with write access
to the store, say) has no valid signature under the key registered for the person it
names (`store.approver_keys`), so it never counts.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace

import rfc8785

from kubechat_tui.store.approvals import Decision
from kubechat_tui.store.approver_keys import ApproverKeys
from kubechat_tui.store.signing import Signer

SIGNED_KINDS = frozenset({"approve", "break_glass"})  # the kinds that release a run
PAYLOAD_VERSION = 1


def signed_payload(decision: Decision) -> bytes:
    """The canonical bytes a decision's signature covers."""
    return rfc8785.dumps({
        "v": PAYLOAD_VERSION, "request_id": decision.request_id, "kind": decision.kind,
        "os_user": decision.actor.os_user, "kube_identity": decision.actor.kube_identity,
        "identities": dict(sorted(decision.identities.items())),
        "plan_digest": decision.plan_digest,
        "resource_versions": dict(sorted(decision.resource_versions.items())),
        "comment": decision.comment, "at": decision.at,
    })


def sign(decision: Decision, signer: Signer) -> Decision:
    """The decision with its decider's signature and key fingerprint."""
    signature = base64.b64encode(signer.sign(signed_payload(decision))).decode()
    return replace(decision, signature=signature, key_fingerprint=signer.fingerprint)


def verified(decision: Decision, keys: ApproverKeys) -> bool:
    """True when the decision is signed by the key registered for the person it names."""
    if not decision.signature:
        return False
    key = keys.trusted(decision.actor.os_user)
    if key is None:
        return False
    try:
        signature = base64.b64decode(decision.signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    return key.verify(signed_payload(decision), signature)
