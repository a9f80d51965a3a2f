"""Pre-change state of each target, and the rollback step generated from it.

A snapshot keeps the object minus status plus the fields a reviewer looks at (replicas,
images, pod template). The rollback step is an ordinary plan step (scale, patch, apply,
cordon/uncordon) rendered by the planner's renderer, so it runs through the same pipeline
as any action. It carries the `metadata.generation` the forward step left behind (it moves
on spec changes only, not on status updates), so a target whose spec someone else changed
after the execution fails the rollback instead of being clobbered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import rfc8785
import yaml

from kubechat_tui.domain import Step, Verb
from kubechat_tui.engine.diff import clean, without_status
from kubechat_tui.kube.mutations import MutationError, Mutator, Target, merge_patch
from kubechat_tui.planner.render import build_step

EXPECT_GENERATION = "expect_generation"  # step param: the generation a rollback expects
_META_DROP = ("resourceVersion", "uid", "generation", "creationTimestamp", "managedFields",
              "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences")


@dataclass(frozen=True)
class Snapshot:
    """One target's state before a change (`object` is None when it does not exist)."""

    target: Target
    object: dict[str, Any] | None
    resource_version: str | None = None
    replicas: int | None = None
    images: dict[str, str] = field(default_factory=dict)
    template: dict[str, Any] | None = None

    @property
    def state_version(self) -> str:
        """A version of what a person can change: `g<generation>-<hash>` of the object
        minus status and server bookkeeping. Unlike resourceVersion it does not move on
        status updates (a rolling deployment, node heartbeats), only on real edits."""
        if self.object is None:
            return "absent"
        digest = hashlib.sha256(rfc8785.dumps(clean(self.object))).hexdigest()[:16]
        generation = (self.object.get("metadata") or {}).get("generation")
        return f"g{generation}-{digest}" if generation is not None else digest

    def summary(self) -> str:
        """`replicas=3 images=api=registry/x:1.4.2` for tables and the audit."""
        if self.object is None:
            return "absent"
        parts = []
        if self.replicas is not None:
            parts.append(f"replicas={self.replicas}")
        if self.images:
            parts.append("images=" + ",".join(f"{k}={v}" for k, v in self.images.items()))
        unschedulable = (self.object.get("spec") or {}).get("unschedulable")
        if self.target.info.plural == "nodes":
            parts.append(f"unschedulable={bool(unschedulable)}")
        return " ".join(parts) or f"resourceVersion={self.resource_version}"

    def to_json(self) -> dict[str, Any]:
        """The audit/timeline form."""
        return {"target": self.target.label(), "resource_version": self.resource_version,
                "state_version": self.state_version,
                "replicas": self.replicas, "images": self.images, "object": self.object}


def of_object(target: Target, obj: Mapping[str, Any] | None) -> Snapshot:
    """A snapshot of an object as read from the cluster (None: absent)."""
    if obj is None:
        return Snapshot(target, None)
    kept = without_status(obj)
    spec = kept.get("spec") or {}
    template = spec.get("template")
    containers = ((template or {}).get("spec") or {}).get("containers") or []
    replicas = spec.get("replicas")
    return Snapshot(
        target=target, object=kept,
        resource_version=(kept.get("metadata") or {}).get("resourceVersion"),
        replicas=replicas if isinstance(replicas, int) else None,
        images={str(c.get("name")): str(c.get("image")) for c in containers},
        template=template if isinstance(template, dict) else None,
    )


def capture(mutator: Mutator, target: Target, absent_ok: bool = False) -> Snapshot:
    """Read the target now; a 404 is an error unless `absent_ok` (apply may create)."""
    try:
        return of_object(target, mutator.get(target))
    except MutationError as exc:
        if absent_ok and exc.status == 404:
            return Snapshot(target, None)
        raise


def _recreatable(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = without_status(obj)
    meta = dict(out.get("metadata") or {})
    for key in _META_DROP:
        meta.pop(key, None)
    out["metadata"] = meta
    return out


def rollback_step(step: Step, before: Snapshot, after: Mapping[str, Any] | None,
                  index: int) -> Step | None:
    """The step that puts `before` back, given the state `after` the forward step.

    None when the change cannot be undone by kubechat (an eviction; nothing changed).
    """
    t = before.target
    ns, name, clusters = t.namespace, t.name, (t.cluster,)
    generation = ((after or {}).get("metadata") or {}).get("generation")
    params: dict[str, Any] = {EXPECT_GENERATION: generation} if generation else {}
    step_id = f"rb{index}"
    reason = f"undo {step.id} ({step.verb.value}) on {t.label()}"

    def build(verb: Verb, extra: dict[str, Any]) -> Step:
        return build_step(step_id, verb, t.info.plural, namespace=ns, name=name,
                          clusters=clusters, params={**params, **extra}, reason=reason)

    if before.object is None:  # the forward step created it
        return build(Verb.DELETE, {}) if after is not None else None
    if after is None:  # deleted: recreate from the snapshot
        manifest = yaml.safe_dump(_recreatable(before.object), sort_keys=True)
        return build_step(step_id, Verb.APPLY, t.info.plural, namespace=ns, name=name,
                          clusters=clusters, params={"manifest": manifest}, reason=reason)
    if step.verb is Verb.SCALE:
        if before.replicas is None:
            return None
        return build(Verb.SCALE, {"replicas": before.replicas})
    if step.verb in (Verb.CORDON, Verb.UNCORDON, Verb.DRAIN):
        was = bool((before.object.get("spec") or {}).get("unschedulable"))
        now = bool((after.get("spec") or {}).get("unschedulable"))
        if was == now:
            return None
        return build(Verb.CORDON if was else Verb.UNCORDON, {})
    patch = _restore_patch(before.object, after)
    if not patch:
        return None
    return build(Verb.PATCH, {"patch": json.dumps(patch, sort_keys=True)})


def _restore_patch(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """A merge patch restoring spec, labels and annotations of `before` over `after`."""
    patch: dict[str, Any] = {}
    spec = merge_patch(after.get("spec") or {}, before.get("spec") or {})
    if spec:
        patch["spec"] = spec
    meta: dict[str, Any] = {}
    for key in ("labels", "annotations"):
        old = (before.get("metadata") or {}).get(key) or {}
        new = (after.get("metadata") or {}).get(key) or {}
        changed = merge_patch(new, old)
        changed.pop("deployment.kubernetes.io/revision", None)
        if changed:
            meta[key] = changed
    if meta:
        patch["metadata"] = meta
    return patch
