"""The policy from an AuditPolicy custom resource (charts/kubechat/crds): its `spec.policy`
is the policy file's content, converted to the same model and checks as a file.

Only settings name the resource (`policy_from_cluster`, a guard key): with a system config
it is the administrator's choice, and a requester's flag or env naming another is refused,
like `policy_file`. The resource is read again before each plan's policy check, so a change
to it decides the next plan; a resource that cannot be read or does not validate fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from kubechat_tui.guard.policy.errors import PolicyError
from kubechat_tui.guard.policy.evaluator import Policy
from kubechat_tui.guard.policy.loader import parse_spec, sha256_hex
from kubechat_tui.kube.custom_objects import CustomObjectRef, get_custom_object
from kubechat_tui.kube.errors import ApiError, KubeconfigError
from kubechat_tui.kube.fleet import Fleet

GROUP, VERSION, PLURAL = "kubechat.io", "v1alpha1", "auditpolicies"


def audit_policy_ref(text: str) -> CustomObjectRef:
    """`CONTEXT/NAMESPACE/NAME` of an AuditPolicy; PolicyError when it is not one."""
    parts = text.split("/")
    if len(parts) != 3 or not all(parts):
        raise PolicyError(f"policy_from_cluster: {text!r} is not CONTEXT/NAMESPACE/NAME")
    return CustomObjectRef(parts[0], GROUP, VERSION, PLURAL, parts[1], parts[2])


def policy_from_resource(resource: dict[str, object], source: str) -> Policy:
    """The Policy in an AuditPolicy's spec.policy (PolicyError naming source when invalid)."""
    spec = resource.get("spec")
    body = spec.get("policy") if isinstance(spec, dict) else None
    if not isinstance(body, dict):
        raise PolicyError(f"{source}: spec.policy is missing")
    raw = yaml.safe_dump(body, sort_keys=False).encode()
    parsed, conditions = parse_spec(raw, source)
    return Policy(
        spec=parsed, path=Path(source), raw=raw, hash=sha256_hex(raw), conditions=conditions
    )


def cluster_policy_source(fleet: Fleet, text: str) -> Callable[[], Policy]:
    """A function reading the named AuditPolicy now, as a Policy (PolicyError when not)."""
    ref = audit_policy_ref(text)

    def read() -> Policy:
        try:
            resource = get_custom_object(fleet, ref)
        except (ApiError, KubeconfigError) as exc:
            raise PolicyError(f"cluster policy: {exc}") from None
        return policy_from_resource(resource, f"cluster:{ref}")

    return read
