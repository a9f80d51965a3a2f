"""Plans, policies and identities shared by the guard and approval tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kubechat_tui.domain import RESOURCES, Plan, Risk, Scope, Step, Verb
from kubechat_tui.kube.recorder import Request


def scale_step(replicas: int = 5, *, cluster: str = "prod-eu", namespace: str = "payments",
               name: str = "payments-api", step_id: str = "s1") -> Step:
    """A rendered `kubectl scale deployment` step."""
    return Step(
        id=step_id, verb=Verb.SCALE, resource="deployments", namespace=namespace, name=name,
        clusters=(cluster,), params={"replicas": replicas}, mutating=True, risk=Risk.MEDIUM,
        kubectl=f"kubectl scale deployment {name} -n {namespace} --replicas={replicas}",
    )


def scale_request(cluster: str = "prod-eu", namespace: str = "payments",
                  name: str = "payments-api", step_id: str = "s1") -> tuple[str, Request]:
    """(step id, the request `kubectl scale deployment` sends), as the request plan has it."""
    return step_id, Request(cluster, "PATCH", f"/apis/apps/v1/namespaces/{namespace}/"
                            f"deployments/{name}/scale", {"fieldManager": "kubechat"},
                            {"spec": {"replicas": 5}}, "application/merge-patch+json")


def get_step(*, cluster: str = "prod-eu", namespace: str = "payments",
             resource: str = "pods", step_id: str = "d1") -> Step:
    """A read-only list step."""
    return Step(id=step_id, verb=Verb.GET, resource=resource, namespace=namespace,
                clusters=(cluster,), kubectl=f"kubectl get {resource} -n {namespace}")


def step(verb: Verb, *, resource: str = "deployments", namespace: str | None = "payments",
         name: str | None = "payments-api", cluster: str = "prod-eu", step_id: str = "s1",
         **params: str | int) -> Step:
    """A mutating step of any verb (policy tests only)."""
    return Step(id=step_id, verb=verb, resource=resource, namespace=namespace, name=name,
                clusters=(cluster,), params=dict(params), mutating=True)


def plan_of(*steps: Step, text: str = "scale payments-api in prod-eu to 5") -> Plan:
    """A plan over the steps' clusters."""
    clusters = tuple(dict.fromkeys(c for s in steps for c in s.clusters))
    namespace = next((s.namespace for s in steps if s.namespace), None)
    return Plan(input=text, planner="rules", scope=Scope(clusters=clusters, namespace=namespace),
                steps=steps)


def write_policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    """Write a policy file and return its path."""
    path = tmp_path / name
    path.write_text(text)
    return path


def approval_env(tmp_path: Path, checkpoint_every: int = 100) -> tuple:
    """(ApprovalWorkflow, AuditLog, Database) on a fresh SQLite file with an in-memory key."""
    from kubechat_tui.engine.approvals import ApprovalWorkflow
    from kubechat_tui.store.approvals import ApprovalStore
    from kubechat_tui.store.audit import AuditLog
    from kubechat_tui.store.database import open_database
    from kubechat_tui.store.signing import Signer

    db = open_database(tmp_path / "kubechat.db", synchronous="NORMAL")
    audit = AuditLog(db, Signer.generate(), checkpoint_every=checkpoint_every)
    return ApprovalWorkflow(ApprovalStore(db), audit, signer=Signer.generate()), audit, db


class ClustersSaying:
    """An approver's clusters, scripted: every SelfSubjectReview answers `identity` (one
    name for every cluster, or cluster -> name; None or a missing cluster: no answer) and
    every SelfSubjectAccessReview `allowed`."""

    def __init__(self, identity: str | Mapping[str, str] | None,
                 allowed: bool = True) -> None:
        self.identity = identity
        self.allowed = allowed
        self.reviews: list[tuple[str, object]] = []  # (cluster, access review body)

    def said(self, cluster: str) -> str | None:
        """Who `cluster` says the caller is."""
        if isinstance(self.identity, Mapping):
            return self.identity.get(cluster)
        return self.identity

    def request_json(self, cluster: str, method: str, path: str, *,
                     query: dict[str, object] | None = None, body: object | None = None,
                     content_type: str | None = None,
                     timeout: float | None = None) -> tuple[int, dict[str, object]]:
        if path.endswith("/selfsubjectreviews"):
            who = self.said(cluster)
            if who is None:
                return 0, {"message": "unreachable: connection refused"}
            return 201, {"status": {"userInfo": {"username": who}}}
        if path.endswith("/selfsubjectaccessreviews"):
            self.reviews.append((cluster, body))
            return 201, {"status": {"allowed": self.allowed}}
        return 404, {"message": "not found"}


def seen_as(operator: object, allowed: bool = True) -> ClustersSaying:
    """Clusters that say the operator is its Kubernetes identity."""
    return ClustersSaying(getattr(operator, "kube_identity", None), allowed)


def checks_for(plan: Plan) -> list[dict[str, object]]:
    """The access reviews a requester passed for a plan's changes, as an approval request
    stores them (a patch of each target: what the approver is reviewed against)."""
    return [{"cluster": cluster, "attributes": {
        "verb": "patch", "group": RESOURCES[s.resource].group, "resource": s.resource,
        **({"namespace": s.namespace} if s.namespace else {}),
        **({"name": s.name} if s.name else {})}}
        for s in plan.steps if s.accepted and s.mutating for cluster in s.clusters]
