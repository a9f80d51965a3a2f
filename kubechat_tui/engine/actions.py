"""One mutating step on one target: the same code for the request plan, the dry run and
the real run.

`perform` dispatches on the verb to `kube.mutations.Mutator` (which adds `dryRun=All`
when it is a dry-run mutator, and only records writes over a `RequestRecorder`) and
returns the object as it is (or would be) afterwards, plus a one-line expected outcome.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import yaml

from kubechat_tui.domain import Step, Verb
from kubechat_tui.engine import drain
from kubechat_tui.engine.snapshot import EXPECT_GENERATION, Snapshot
from kubechat_tui.kube.mutations import MutationError, Mutator, Target
from kubechat_tui.planner.changes import which_container

Report = Callable[[str], None]  # a progress line while a step runs (a drain waiting)


class StepInputError(ValueError):
    """A step's parameters cannot be turned into a request (bad replicas, bad JSON...)."""


@dataclass(frozen=True)
class ActionResult:
    """The object after the step (None when deleted) and what the step does, in one line."""

    after: dict[str, Any] | None
    outcome: str


def check_expected(step: Step, before: Snapshot) -> None:
    """A rollback step refuses a target whose spec changed since the execution it undoes."""
    expected = step.params.get(EXPECT_GENERATION)
    if not expected or before.object is None:
        return
    now = (before.object.get("metadata") or {}).get("generation")
    if str(now) != str(expected):
        raise MutationError(before.target.cluster, 409, f"{before.target.label()} changed since "
                            f"the execution this undoes (generation {expected} → {now}); "
                            "not overwritten", "Conflict")


def perform(mutator: Mutator, step: Step, before: Snapshot,
            report: Report | None = None) -> ActionResult:
    """Run (or dry-run, or record) the step against the snapshot's target."""
    handler = _HANDLERS.get(step.verb)
    if handler is None:
        raise StepInputError(f"step {step.id}: {step.verb.value} does not change anything")
    if before.object is None and step.verb is not Verb.APPLY:
        raise MutationError(before.target.cluster, 404, f"{before.target.label()} not found")
    check_expected(step, before)
    return handler(mutator, step, before, report or _quiet)


def _quiet(line: str) -> None:
    """No one is listening to progress."""


def container_to_set(step: Step, obj: dict[str, Any] | None) -> str:
    """The container a set image changes: the one the step names, else the workload's
    only container; StepInputError when it has several (the user must say which)."""
    named = step.params.get("container")
    if named:
        return str(named)
    spec = (((obj or {}).get("spec") or {}).get("template") or {}).get("spec") or {}
    names = [str(c.get("name")) for c in spec.get("containers") or []]
    if len(names) == 1:
        return names[0]
    if not names:
        raise StepInputError(f"step {step.id}: {step.name} has no containers to set")
    raise StepInputError(which_container(str(step.name), names, str(step.params.get("image"))))


def _int_param(step: Step, key: str) -> int:
    value = step.params.get(key)
    if isinstance(value, bool) or value is None:
        raise StepInputError(f"step {step.id}: parameter {key} is missing")
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StepInputError(f"step {step.id}: {key} must be a whole number, "
                             f"not {value!r}") from None
    if number < 0:
        raise StepInputError(f"step {step.id}: {key} must not be negative")
    return number


def _obj(before: Snapshot) -> dict[str, Any]:
    return before.object or {}


def _scale(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    replicas = _int_param(step, "replicas")
    response = m.scale(before.target, replicas, before.resource_version)
    after = copy.deepcopy(_obj(before))
    new = (response.get("spec") or {}).get("replicas", replicas)
    after.setdefault("spec", {})["replicas"] = new
    after.setdefault("metadata", {})["resourceVersion"] = (
        (response.get("metadata") or {}).get("resourceVersion"))
    return ActionResult(after, f"replicas {before.replicas} → {new}")


def _restart(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    # always now, like kubectl: a plan's own timestamp would restart nothing the second time
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = m.restart(before.target, at, before.resource_version)
    return ActionResult(after, f"rolling restart of every pod (restartedAt={at})")


def _set_image(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    image = step.params.get("image")
    if not image or not isinstance(image, str):
        raise StepInputError(f"step {step.id}: parameter image is missing")
    container = container_to_set(step, before.object)
    after = m.set_image(before.target, _obj(before), {container: image},
                        before.resource_version)
    old = before.images.get(container)
    return ActionResult(after, f"image of {container}: " + (
        f"{old} → {image}" if old != image else "unchanged"))


def _undo(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    to_revision = _int_param(step, "to_revision") if step.params.get("to_revision") else None
    revision, template = m.previous_revision(before.target, _obj(before), to_revision)
    after = m.replace_template(before.target, _obj(before), template, before.resource_version)
    return ActionResult(after, f"pod template back to revision {revision}")


def _cordon(unschedulable: bool) -> Callable[[Mutator, Step, Snapshot, Report], ActionResult]:
    def run(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
        after = m.cordon(before.target, unschedulable, before.resource_version)
        state = "unschedulable" if unschedulable else "schedulable"
        return ActionResult(after, f"node {before.target.name} marked {state}")
    return run


def _drain(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    timeout = _int_param(step, "timeout_seconds")
    evicted = [p.label() for p in drain.drain(m, before.target, before.resource_version,
                                              timeout, report)]
    after = copy.deepcopy(_obj(before))
    after.setdefault("spec", {})["unschedulable"] = True
    if not evicted:
        return ActionResult(after, "cordoned; no pod to evict")
    done = "evicted and gone" if m.effective else "to evict"
    return ActionResult(after, f"cordoned; {len(evicted)} pod(s) {done}: "
                        f"{drain.shown(evicted)}")


def _delete(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    propagation = str(step.params.get("propagation") or "Background")
    if propagation not in ("Background", "Foreground", "Orphan"):
        raise StepInputError(f"step {step.id}: propagation must be Background, Foreground "
                             f"or Orphan, not {propagation!r}")
    m.delete(before.target, before.resource_version, propagation)
    return ActionResult(None, f"{before.target.label()} deleted (propagation {propagation})")


def _json_param(step: Step, key: str, loader: Callable[[str], Any]) -> dict[str, Any]:
    raw = step.params.get(key)
    if not isinstance(raw, str) or not raw.strip():
        raise StepInputError(f"step {step.id}: parameter {key} is missing")
    try:
        value = loader(raw)
    except (ValueError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0]
        raise StepInputError(f"step {step.id}: {key} is not valid: {first}") from None
    if not isinstance(value, Mapping):
        raise StepInputError(f"step {step.id}: {key} must be an object")
    return dict(value)


def _patch(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    patch = _json_param(step, "patch", json.loads)
    after = m.patch(before.target, patch, before.resource_version)
    return ActionResult(after, f"merge patch of {', '.join(sorted(patch)) or 'nothing'}")


def _apply(m: Mutator, step: Step, before: Snapshot, report: Report) -> ActionResult:
    manifest = _json_param(step, "manifest", yaml.safe_load)
    t: Target = before.target
    if before.object is None:
        return ActionResult(m.create(t, manifest), f"{t.label()} created")
    return ActionResult(m.apply(t, manifest, before.resource_version),
                        f"{t.label()} applied (server-side)")


_HANDLERS: dict[Verb, Callable[[Mutator, Step, Snapshot, Report], ActionResult]] = {
    Verb.SCALE: _scale,
    Verb.ROLLOUT_RESTART: _restart,
    Verb.SET_IMAGE: _set_image,
    Verb.ROLLOUT_UNDO: _undo,
    Verb.CORDON: _cordon(True),
    Verb.UNCORDON: _cordon(False),
    Verb.DRAIN: _drain,
    Verb.DELETE: _delete,
    Verb.PATCH: _patch,
    Verb.APPLY: _apply,
}
