"""Pre-change state of each target, and the rollback that restores it.

A snapshot keeps the object minus status plus the fields a reviewer looks at (replicas,
images, pod template). A rollback restores the previous state, per verb:

- scale: the previous replicas; set image: that container's previous image;
- rollout restart: the pod template's restartedAt annotation as it was (or removed); that
  rolls every pod again, which the note says, so the user decides in the preview;
- rollout undo: the pod template as it was before the undo;
- cordon / uncordon: the previous flag; drain: uncordon only (the evicted pods are not
  brought back, which the note says);
- patch / apply: the previous values of every field they changed; apply that created
  the object: delete it;
- delete: a standalone object is recreated from the snapshot without server-set fields;
  an object a controller owns has no rollback (the controller recreates it; recreating
  it by hand would leave an orphan), nor has a namespace (its contents are gone).

The rollback step is an ordinary plan step rendered by the planner's renderer, so it runs
through the same pipeline as any action. It carries the `metadata.generation` the forward
step left behind (it moves on spec changes only, not on status updates), so a target whose
spec someone else changed after the execution fails the rollback instead of being
clobbered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import rfc8785
import yaml

from kubechat_tui.domain import Step, Verb
from kubechat_tui.engine.diff import clean, without_status
from kubechat_tui.kube.mutations import RESTARTED_AT, MutationError, Mutator, Target, merge_patch
from kubechat_tui.planner.render import build_step

EXPECT_GENERATION = "expect_generation"  # step param: the generation a rollback expects
_META_DROP = ("resourceVersion", "uid", "generation", "creationTimestamp", "managedFields",
              "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences")
_NOT_FIELDS = ("apiVersion", "kind", "metadata", "status")  # what a restore patch leaves alone
REVISION = "deployment.kubernetes.io/revision"  # the controller's, never restored


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


Build = Callable[[Verb, dict[str, Any]], Step]  # a rollback step on the change's target


@dataclass(frozen=True)
class Undo:
    """The rollback of one change: the step (None: none), and what it cannot restore."""

    step: Step | None
    note: str = ""


def plan_undo(step: Step, before: Snapshot, after: Mapping[str, Any] | None,
              index: int) -> Undo:
    """The rollback restoring `before`, given the state `after` the forward step."""
    t = before.target
    generation = ((after or {}).get("metadata") or {}).get("generation")
    params: dict[str, Any] = {EXPECT_GENERATION: generation} if generation else {}
    reason = f"undo {step.id} ({step.verb.value}) on {t.label()}"

    def build(verb: Verb, extra: dict[str, Any]) -> Step:
        return build_step(f"rb{index}", verb, t.info.plural, namespace=t.namespace,
                          name=t.name, clusters=(t.cluster,), params={**params, **extra},
                          reason=reason)

    if before.object is None:  # the forward step created it
        return Undo(build(Verb.DELETE, {}) if after is not None else None)
    if after is None:
        return _undo_delete(before, build)
    obj = before.object
    if step.verb is Verb.SCALE:
        same = before.replicas is None or before.replicas == (after.get("spec") or {}).get(
            "replicas")
        return Undo(None if same else build(Verb.SCALE, {"replicas": before.replicas}))
    if step.verb in (Verb.CORDON, Verb.UNCORDON, Verb.DRAIN):
        return _undo_cordon(step, obj, after, build)
    if step.verb is Verb.SET_IMAGE and step.params.get("container"):
        name = str(step.params["container"])
        now = of_object(t, after).images.get(name)
        old = before.images.get(name)
        return Undo(None if old is None or old == now else
                    build(Verb.SET_IMAGE, {"container": name, "image": old}))
    if step.verb is Verb.ROLLOUT_RESTART:
        return _undo_restart(before, after, build)
    if step.verb is Verb.ROLLOUT_UNDO:
        patch = merge_patch(_template(after), before.template or {})
        return Undo(build(Verb.PATCH, {"patch": _json({"spec": {"template": patch}})})
                    if patch else None,
                    "the pod template goes back to what it was before the undo (a rollout)")
    patch = _restore_patch(obj, after)
    return Undo(build(Verb.PATCH, {"patch": _json(patch)}) if patch else None)


def _undo_delete(before: Snapshot, build: Build) -> Undo:
    """Recreate a deleted standalone object; nothing for a controller's or a namespace."""
    obj = before.object or {}
    owner = next((o for o in (obj.get("metadata") or {}).get("ownerReferences") or []
                  if o.get("controller")), None)
    if owner is not None:
        return Undo(None, f"no rollback: its controller ({owner.get('kind')} "
                          f"{owner.get('name')}) recreates it; recreating it here would "
                          "leave an orphan outside the controller")
    if before.target.info.plural == "namespaces":
        return Undo(None, "no rollback: deleting a namespace deleted everything in it, "
                          "which kubechat cannot restore")
    manifest = yaml.safe_dump(_recreatable(obj), sort_keys=True)
    return Undo(build(Verb.APPLY, {"manifest": manifest}),
                "recreated from the snapshot, without the fields the server sets")


def _undo_cordon(step: Step, obj: Mapping[str, Any], after: Mapping[str, Any],
                 build: Build) -> Undo:
    was = bool((obj.get("spec") or {}).get("unschedulable"))
    now = bool((after.get("spec") or {}).get("unschedulable"))
    lost = ("the evicted pods are not brought back (their controllers started them "
            "elsewhere; a pod without one is gone)") if step.verb is Verb.DRAIN else ""
    if was == now:
        return Undo(None, f"no rollback: {lost}" if lost else "")
    return Undo(build(Verb.CORDON if was else Verb.UNCORDON, {}),
                f"uncordon only: {lost}" if lost else "")


def _undo_restart(before: Snapshot, after: Mapping[str, Any], build: Build) -> Undo:
    """restartedAt as it was before the restart (or removed)."""
    old = ((before.template or {}).get("metadata") or {}).get("annotations") or {}
    now = (_template(after).get("metadata") or {}).get("annotations") or {}
    if old.get(RESTARTED_AT) == now.get(RESTARTED_AT):
        return Undo(None)
    patch = {"spec": {"template": {"metadata": {"annotations": {
        RESTARTED_AT: old.get(RESTARTED_AT)}}}}}
    shown = f"back to {old[RESTARTED_AT]}" if old.get(RESTARTED_AT) else "removed"
    return Undo(build(Verb.PATCH, {"patch": _json(patch)}),
                f"restores the pod template as before the restart (restartedAt {shown}); "
                "this rolls every pod again: the pods the restart replaced cannot come back")


def _template(obj: Mapping[str, Any]) -> dict[str, Any]:
    template = (obj.get("spec") or {}).get("template")
    return dict(template) if isinstance(template, Mapping) else {}


def _json(patch: Mapping[str, Any]) -> str:
    return json.dumps(patch, sort_keys=True)


def _restore_patch(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """A merge patch restoring every field of `before` (labels and annotations too) over
    `after`; status and server bookkeeping are left alone."""
    patch = merge_patch({k: v for k, v in after.items() if k not in _NOT_FIELDS},
                        {k: v for k, v in before.items() if k not in _NOT_FIELDS})
    meta: dict[str, Any] = {}
    for key in ("labels", "annotations"):
        old = (before.get("metadata") or {}).get(key) or {}
        new = (after.get("metadata") or {}).get(key) or {}
        changed = merge_patch(new, old)
        changed.pop(REVISION, None)
        if changed:
            meta[key] = changed
    if meta:
        patch["metadata"] = meta
    return patch
