"""ImagePullBackOff / ErrImagePull right after the image changed: the deployment's current
revision set an image its pods cannot pull, while the revision before ran another one.
Pull failures without an image change (registry credentials, an outage) say nothing."""

from __future__ import annotations

from kubechat_tui.engine.insights.cards import Evidence, InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import (
    REVISION,
    ClusterSnapshot,
    Obj,
    meta,
    minutes,
    statuses,
    template_images,
    waiting_reason,
)

NAME = "image-pull-after-change"
PULL_FAILURES = frozenset({"ImagePullBackOff", "ErrImagePull"})


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per deployment whose new image does not pull."""
    cards = []
    for deployment in snap.deployments:
        failing = [(p, s) for p in snap.pods_of(deployment) for s in statuses(p)
                   if waiting_reason(s) in PULL_FAILURES]
        if not failing:
            continue
        revisions = snap.revisions(deployment)
        current = ((deployment.get("metadata") or {}).get("annotations") or {}).get(REVISION)
        index = next((i for i, rs in enumerate(revisions)
                      if (rs["metadata"].get("annotations") or {}).get(REVISION) == current), 0)
        if index == 0:
            continue
        before, after = template_images(revisions[index - 1]), template_images(revisions[index])
        container = str(failing[0][1].get("name"))
        if before.get(container) in (None, after.get(container)):
            continue
        cards.append(_card(snap, deployment, revisions[index], failing, container,
                           before[container], after.get(container, "")))
    return cards



def _card(snap: ClusterSnapshot, deployment: Obj, rs: Obj, failing: list[tuple[Obj, Obj]],
          container: str, old: str, new: str) -> InsightCard:
    ns, name = meta(deployment, "namespace"), meta(deployment, "name")
    ago = snap.age(meta(rs, "creationTimestamp")) or 0
    claim = (f"{len(failing)} pod(s) of deployment {name} cannot pull {new}, the image set "
             f"{minutes(ago)} ago in place of {old}.")
    evidence = [Evidence("object", snap.cluster, f"{ns}/replicaset/{meta(rs, 'name')}: "
                         f"{container}: {old} -> {new}", meta(rs, "creationTimestamp"))]
    for pod, status in failing[:2]:
        evidence.append(snap.object_evidence(pod, f"{container} {waiting_reason(status)}"))
    pod = failing[0][0]
    evidence += [snap.event_evidence(e) for e in snap.events_about(pod)
                 if e.get("reason") == "Failed"][:1]
    return InsightCard(NAME, snap.cluster, f"{ns}/deployment/{name}",
                       "Image pull fails after an image change", claim, "high",
                       tuple(evidence), NextStep("recipe", "rollback-deployment", (
                           ("namespace", ns), ("deployment", name))))
