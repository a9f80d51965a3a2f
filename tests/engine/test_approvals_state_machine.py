"""Property test: a random sequence of requests, approvals, rejections, edits, drift and
execution attempts never releases a plan without the required distinct approvals on the
current digest and resourceVersions, and the audit chain verifies after every step.

People are an OS user plus who each cluster says they are, including the awkward ones: one
OS user acting as several identities (`--as`), one identity used from several OS users,
clusters that do not say who someone is, someone holding another's credentials on one
cluster only, and someone the clusters say may not make the change. The machine runs
either as a real deployment or as the demo (where only the identities must differ).
Executions are attempted by anyone; only the requester's own run may be released, and
only the very plan the approvers were shown. Decision rows forged straight into the
database (unsigned, signed by a stranger's key, or carrying a copied signature) never
count, and two runs racing for one approval consume it once. Edits touch replicas,
namespace, name, image, clusters, the request text, the context and the requester's own
ask for approval.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from kubechat_tui.domain import Plan, Verb
from kubechat_tui.engine.approval_signatures import sign
from kubechat_tui.engine.approvals import (
    ApprovalError,
    SelfApprovalError,
    UnauthorizedApproverError,
)
from kubechat_tui.guard.policy import PolicyDecision
from kubechat_tui.store.approvals import Decision
from kubechat_tui.store.audit_model import Operator
from kubechat_tui.store.signing import Signer
from tests.guard.helpers import ClustersSaying, approval_env, checks_for, plan_of, scale_step, step

CLUSTERS = ("prod-eu", "prod-us")


@dataclass(frozen=True)
class Person:
    """An OS user and who each cluster says they are (a cluster missing: no answer)."""

    os_user: str
    ids: tuple[tuple[str, str], ...]
    allowed: bool = True  # may make the change themselves (their access reviews pass)

    def identities(self, clusters: tuple[str, ...]) -> dict[str, str]:
        said = dict(self.ids)
        return {c: said[c] for c in clusters if c in said}

    def operator(self, clusters: tuple[str, ...]) -> Operator:
        said = self.identities(clusters)
        return Operator(self.os_user, next((said[c] for c in clusters if c in said), None))

    def clusters_api(self) -> ClustersSaying:
        return ClustersSaying(dict(self.ids), self.allowed)


def everywhere(identity: str) -> tuple[tuple[str, str], ...]:
    return tuple((c, identity) for c in CLUSTERS)


PEOPLE = (
    Person("alice", everywhere("alice")), Person("alice", everywhere("sre-lead")),  # --as lead
    Person("bob", everywhere("bob")), Person("bob", ()),  # bob where the clusters are silent
    Person("carol", everywhere("alice")),  # carol holding alice's credentials
    Person("root", everywhere("operator")), Person("root", everywhere("sre-lead")),
    Person("dave", (("prod-eu", "dave"), ("prod-us", "alice"))),  # alice's creds on prod-us
    Person("victor", everywhere("viewer"), allowed=False),  # may not make the change
)
KEY = "prod-eu/deployments/payments/payments-api"
EDITS = {
    "replicas": st.integers(0, 50),
    "namespace": st.sampled_from(["payments", "checkout", "kube-system"]),
    "name": st.sampled_from(["payments-api", "checkout-web"]),
    "image": st.sampled_from(["registry.local/payments:v1", "registry.local/payments:v2"]),
    "clusters": st.sampled_from([("prod-eu",), ("prod-us",), ("prod-eu", "prod-us")]),
    "input": st.sampled_from(["scale payments-api to 5", "scale it back"]),
    "context": st.sampled_from(["admin@prod-eu", "viewer@prod-eu"]),
    "ask_approval": st.sampled_from(["", "new image, please look"]),
}


def clash(a: Person, b: Person, clusters: tuple[str, ...], demo: bool) -> bool:
    """The spec: one person when any cluster of the plan says they are one identity, or
    the headline identities match, or the OS users match (outside the demo always; in the
    demo when an identity is unknown)."""
    ids_a, ids_b = a.identities(clusters), b.identities(clusters)
    if any(ids_a[c] == ids_b[c] for c in set(ids_a) & set(ids_b)):
        return True
    head_a, head_b = a.operator(clusters).kube_identity, b.operator(clusters).kube_identity
    if head_a is not None and head_a == head_b:
        return True
    return a.os_user == b.os_user and (not demo or head_a is None or head_b is None)


@dataclass
class Model:
    """What the test believes about one request."""

    id: str
    requester: Person
    required: int
    plan: Plan
    current: Plan
    bound_rv: str
    current_rv: str
    approvers: list[Person] = field(default_factory=list)
    rejected: bool = False
    executed: bool = False
    break_glass: bool = False

    def releasable(self) -> bool:
        return (not self.rejected and not self.executed
                and self.current.digest() == self.plan.digest()
                and self.current_rv == self.bound_rv
                and (self.break_glass or len(self.approvers) >= self.required))


def _decision(required: int) -> PolicyDecision:
    return PolicyDecision(allowed=True, required_approvals=required, rule_ids=("T-1",),
                          reasons=(), remediation=(), policy_hash="0" * 64, policy_path="t")


def _edit(plan: Plan, what: str, value: object) -> Plan:
    first = plan.steps[0]
    if what == "input":
        return plan.model_copy(update={"input": value})
    if what == "context":
        contexts = {**plan.scope.contexts, "prod-eu": str(value)}
        return plan.model_copy(update={"scope": plan.scope.model_copy(
            update={"contexts": contexts})})
    if what in ("replicas", "image"):
        update: dict[str, object] = {"params": {**first.params, what: value}}
    else:
        update = {what: value}
    return plan.model_copy(update={"steps": (first.model_copy(update=update),)})


class ApprovalMachine(RuleBasedStateMachine):
    requests = Bundle("requests")

    @initialize(demo=st.booleans())
    def open_store(self, demo: bool) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kc-approvals-"))
        self.flow, self.audit, self.db = approval_env(self.dir, checkpoint_every=4)
        self.flow.demo = demo
        self.demo = demo
        self.models: dict[str, Model] = {}
        self.counter = 0

    def teardown(self) -> None:
        if hasattr(self, "db"):
            self.db.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    @precondition(lambda self: len(self.models) < 3)  # a few requests, worked on longer
    @rule(target=requests, requester=st.sampled_from(PEOPLE),
          verb=st.sampled_from([Verb.SCALE, Verb.DELETE, Verb.SET_IMAGE]),
          required=st.integers(1, 2))
    def request(self, requester: Person, verb: Verb, required: int) -> str:
        self.counter += 1
        mutation = (scale_step(self.counter) if verb is Verb.SCALE else
                    step(verb, image="registry.local/payments:v1") if verb is Verb.SET_IMAGE
                    else step(verb))
        plan = plan_of(mutation, text=f"change {self.counter}")
        rv = str(100 + self.counter)
        clusters = plan.clusters()
        req = self.flow.request(plan, _decision(required), {KEY: rv},
                                requester.operator(clusters),
                                identities=requester.identities(clusters),
                                checks=checks_for(plan))
        self.models[req.id] = Model(req.id, requester, required, plan, plan, rv, rv)
        return req.id

    @rule(request_id=requests, person=st.sampled_from(PEOPLE))
    def approve(self, request_id: str, person: Person) -> None:
        model = self.models[request_id]
        clusters = model.plan.clusters()
        closed = model.rejected or model.executed
        own = not closed and clash(person, model.requester, clusters, self.demo)
        unseen = len(person.identities(clusters)) < len(clusters)
        should_refuse = (own or closed or unseen or not person.allowed
                         or any(clash(person, a, clusters, self.demo)
                                for a in model.approvers))
        try:
            self.flow.approve(request_id, person.operator(clusters), comment="ok",
                              api=person.clusters_api())
        except SelfApprovalError:
            assert own, (person, model.requester)
            return
        except UnauthorizedApproverError:
            assert (unseen or not person.allowed) and not own
            return
        except ApprovalError:
            assert should_refuse and not own
            return
        assert not should_refuse, (person, model)
        model.approvers.append(person)

    @rule(request_id=requests, person=st.sampled_from(PEOPLE))
    def reject(self, request_id: str, person: Person) -> None:
        model = self.models[request_id]
        try:
            self.flow.reject(request_id, person.operator(model.plan.clusters()), comment="no")
        except ApprovalError:
            assert model.rejected or model.executed
            return
        model.rejected = True

    @rule(request_id=requests)
    def break_glass(self, request_id: str) -> None:
        model = self.models[request_id]
        try:
            self.flow.break_glass(request_id, model.requester.operator(model.plan.clusters()),
                                  "sev-1 outage INC-1, lead unreachable")
        except ApprovalError:
            assert model.rejected or model.executed
            return
        model.break_glass = True

    @rule(request_id=requests, data=st.data(), what=st.sampled_from(sorted(EDITS)))
    def edit_plan(self, request_id: str, data: st.DataObject, what: str) -> None:
        model = self.models[request_id]
        model.current = _edit(model.current, what, data.draw(EDITS[what], label=what))

    @rule(request_id=requests)
    def drift(self, request_id: str) -> None:
        model = self.models[request_id]
        model.current_rv = str(int(model.current_rv) + 1000)

    @rule(request_id=requests)
    def restore(self, request_id: str) -> None:
        """The plan edited back and the target as it was: the binding matches again."""
        model = self.models[request_id]
        model.current, model.current_rv = model.plan, model.bound_rv

    @rule(request_id=requests, person=st.sampled_from(PEOPLE),
          kind=st.sampled_from(["approve", "break_glass"]),
          how=st.sampled_from(["unsigned", "stranger's key", "copied signature"]))
    def forge(self, request_id: str, person: Person, kind: str, how: str) -> None:
        """Someone with write access to the database adds a decision row by hand: it never
        counts (the model does not change), whoever it names."""
        model = self.models[request_id]
        clusters = model.plan.clusters()
        forged = Decision(request_id, kind, person.operator(clusters),  # type: ignore[arg-type]
                          model.plan.digest(), {KEY: model.bound_rv}, "forged",
                          identities=person.identities(clusters))
        if how == "stranger's key":
            forged = sign(forged, Signer.generate())
        elif how == "copied signature":
            real = [d for d in self.flow.store.decisions(request_id) if d.signature]
            forged = replace(forged, signature=real[0].signature if real else "AAAA")
        self.flow.store.add_decision(forged)

    @rule(request_id=requests)
    def race_appliers(self, request_id: str) -> None:
        """Two runs of the requester consume one approval at once: at most one is released."""
        model = self.models[request_id]
        clusters = model.plan.clusters()
        requester = model.requester.operator(clusters)
        status = self.flow.gate(model.current, {KEY: model.current_rv}, requester,
                                request_id=request_id)
        if not status.satisfied:
            return
        start = threading.Barrier(2)

        def consume(n: int) -> bool:
            start.wait()
            try:
                self.flow.mark_executed(request_id, requester, f"race-{request_id}-{n}")
            except ApprovalError:
                return False
            return True

        with ThreadPoolExecutor(2) as pool:
            won = list(pool.map(consume, (1, 2)))
        assert won.count(True) == 1, won
        model.executed = True

    @rule(request_id=requests, executor=st.sampled_from(PEOPLE))
    def try_execute(self, request_id: str, executor: Person) -> None:
        self._execute(request_id, executor)

    @rule(request_id=requests)
    def execute_as_requester(self, request_id: str) -> None:
        self._execute(request_id, self.models[request_id].requester)

    def _execute(self, request_id: str, executor: Person) -> None:
        model = self.models[request_id]
        clusters = model.plan.clusters()
        operator = executor.operator(clusters)
        status = self.flow.gate(model.current, {KEY: model.current_rv}, operator,
                                request_id=request_id)
        own = operator == model.requester.operator(clusters)
        assert status.satisfied == (model.releasable() and own), (status, model, executor)
        if status.satisfied:
            assert status.request is not None  # what approvers were shown is what runs
            shown = Plan.model_validate_json(status.request.plan_json)
            assert shown == model.current and shown.digest() == model.current.digest()
            if not status.break_glass:
                people = [model.requester, *model.approvers]
                assert len(status.approvers) >= model.required
                assert len({a.os_user for a in status.approvers}) == len(status.approvers) \
                    or self.demo
                assert not any(clash(a, b, clusters, self.demo) for i, a in enumerate(people)
                               for b in people[i + 1:])
            self.flow.mark_executed(request_id, operator, f"exec-{request_id}")
            model.executed = True

    @invariant()
    def audit_chain_verifies(self) -> None:
        if hasattr(self, "audit"):
            result = self.audit.verify()
            assert result.ok, result

    @invariant()
    def no_release_without_approvals(self) -> None:
        for model in getattr(self, "models", {}).values():
            status = self.flow.status(model.current.digest(), {KEY: model.current_rv},
                                      request_id=model.id)
            assert status.satisfied == model.releasable()


ApprovalMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestApprovalWorkflow = ApprovalMachine.TestCase
