"""Services with no ready endpoint: a selector no pod matches (with the pods it probably
meant, when labels nearly match), or pods that match but none of which is ready. Services
without a selector (endpoints managed by hand) and ExternalName services say nothing."""

from __future__ import annotations

from kubechat_tui.engine.insights.cards import Confidence, InsightCard, NextStep
from kubechat_tui.engine.insights.snapshot import SERVICE_NAME, ClusterSnapshot, Obj, meta

NAME = "service-no-endpoints"


def analyze(snap: ClusterSnapshot) -> list[InsightCard]:
    """A card per selecting Service whose EndpointSlices hold no ready endpoint."""
    cards = []
    for service in snap.services:
        spec = service.get("spec") or {}
        selector = spec.get("selector") or {}
        slices = [s for s in snap.endpoint_slices if meta(s, "namespace") == meta(
            service, "namespace") and ((s.get("metadata") or {}).get("labels") or {}).get(
            SERVICE_NAME) == meta(service, "name")]
        if not selector or spec.get("type") == "ExternalName" or not slices or any(
                (e.get("conditions") or {}).get("ready") for s in slices
                for e in s.get("endpoints") or ()):
            continue
        pods = [p for p in snap.pods if meta(p, "namespace") == meta(service, "namespace")]
        matching = [p for p in pods if _labels(p).items() >= selector.items()]
        cards.append(_card(snap, service, selector, matching, pods))
    return cards


def _labels(obj: Obj) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def _near(selector: dict[str, str], pods: list[Obj]) -> list[Obj]:
    """Pods whose labels have the selector's keys with values that contain its values (a
    selector `app=orders` and pods `app=orders-api`), or that miss only one pair."""
    near = []
    for pod in pods:
        labels = _labels(pod)
        same_keys = all(k in labels and v in labels[k] for k, v in selector.items())
        one_off = len(selector) > 1 and sum(labels.get(k) == v
                                            for k, v in selector.items()) == len(selector) - 1
        if same_keys or one_off:
            near.append(pod)
    return near


def _card(snap: ClusterSnapshot, service: Obj, selector: dict[str, str], matching: list[Obj],
          pods: list[Obj]) -> InsightCard:
    ns, name = meta(service, "namespace"), meta(service, "name")
    wanted = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    evidence = [snap.object_evidence(service, f"selector {wanted}, no ready endpoint")]
    confidence: Confidence = "medium"
    if matching:
        claim = (f"service {name} has no ready endpoint: all {len(matching)} pod(s) its "
                 f"selector {wanted} matches are not ready.")
        evidence += [snap.object_evidence(p, "not ready") for p in matching[:3]]
        title = "Service has no ready endpoints"
    else:
        near = _near(selector, pods)
        title = "Service selector matches no pods"
        if near:
            confidence = "high"
            shown = sorted({",".join(f"{k}={_labels(p).get(k, '<none>')}" for k in selector)
                            for p in near})
            claim = (f"service {name} selects {wanted}, which no pod carries; "
                     f"{len(near)} pod(s) are labelled {'; '.join(shown[:2])}.")
            evidence += [snap.object_evidence(p, "labels " + ",".join(
                f"{k}={v}" for k, v in sorted(_labels(p).items()))) for p in near[:2]]
        else:
            claim = f"service {name} selects {wanted}, which no pod in {ns} carries."
    return InsightCard(NAME, snap.cluster, f"{ns}/service/{name}", title, claim, confidence,
                       tuple(evidence),
                       NextStep("plan", f"describe service {name} in {ns} on {snap.cluster}"))
