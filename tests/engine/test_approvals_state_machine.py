"""Property test: a random sequence of requests, approvals, rejections, edits, drift and
execution attempts never releases a plan without the required distinct approvals on the
current digest and resourceVersions, and the audit chain verifies after every step.

People are (OS user, Kubernetes identity) pairs, including the awkward ones: one OS user
acting as several identities (`--as`), one identity used from several OS users, and an
identity the cluster did not report. The machine runs either as a real deployment or as
the demo (where only the identities must differ). Executions are attempted by anyone;
only the requester's own run may be released. Edits touch replicas, namespace, name,
image and clusters.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
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
from kubechat_tui.engine.approvals import ApprovalError, SelfApprovalError
from kubechat_tui.guard.policy import PolicyDecision
from kubechat_tui.store.audit_model import Operator
from tests.guard.helpers import approval_env, plan_of, scale_step, step

PEOPLE = (
    Operator("alice", "alice"), Operator("alice", "sre-lead"),  # alice, alice --as lead
    Operator("bob", "bob"), Operator("bob", None),  # bob, bob where the cluster is silent
    Operator("carol", "alice"),  # carol holding alice's credentials
    Operator("root", "operator"), Operator("root", "sre-lead"),  # one OS user, two --as
)
KEY = "prod-eu/deployments/payments/payments-api"
EDITS = {
    "replicas": st.integers(0, 50),
    "namespace": st.sampled_from(["payments", "checkout", "kube-system"]),
    "name": st.sampled_from(["payments-api", "checkout-web"]),
    "image": st.sampled_from(["registry.local/payments:v1", "registry.local/payments:v2"]),
    "clusters": st.sampled_from([("prod-eu",), ("prod-us",), ("prod-eu", "prod-us")]),
}


def clash(a: Operator, b: Operator, demo: bool) -> bool:
    """The spec: one person when the identities match, or the OS users match (outside
    the demo always; in the demo when an identity is unknown)."""
    if a.kube_identity is not None and a.kube_identity == b.kube_identity:
        return True
    return a.os_user == b.os_user and (not demo or a.kube_identity is None
                                       or b.kube_identity is None)


@dataclass
class Model:
    """What the test believes about one request."""

    id: str
    requester: Operator
    required: int
    plan: Plan
    current: Plan
    bound_rv: str
    current_rv: str
    approvers: list[Operator] = field(default_factory=list)
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
    def request(self, requester: Operator, verb: Verb, required: int) -> str:
        self.counter += 1
        mutation = (scale_step(self.counter) if verb is Verb.SCALE else
                    step(verb, image="registry.local/payments:v1") if verb is Verb.SET_IMAGE
                    else step(verb))
        plan = plan_of(mutation, text=f"change {self.counter}")
        rv = str(100 + self.counter)
        req = self.flow.request(plan, _decision(required), {KEY: rv}, requester)
        self.models[req.id] = Model(req.id, requester, required, plan, plan, rv, rv)
        return req.id

    @rule(request_id=requests, person=st.sampled_from(PEOPLE))
    def approve(self, request_id: str, person: Operator) -> None:
        model = self.models[request_id]
        own = clash(person, model.requester, self.demo)
        should_refuse = (own or model.rejected or model.executed
                         or any(clash(person, a, self.demo) for a in model.approvers))
        try:
            self.flow.approve(request_id, person, comment="ok")
        except SelfApprovalError:
            assert own, (person, model.requester)
            return
        except ApprovalError:
            assert should_refuse and not own
            return
        assert not should_refuse, (person, model)
        model.approvers.append(person)

    @rule(request_id=requests, person=st.sampled_from(PEOPLE))
    def reject(self, request_id: str, person: Operator) -> None:
        model = self.models[request_id]
        try:
            self.flow.reject(request_id, person, comment="no")
        except ApprovalError:
            assert model.rejected or model.executed
            return
        model.rejected = True

    @rule(request_id=requests)
    def break_glass(self, request_id: str) -> None:
        model = self.models[request_id]
        try:
            self.flow.break_glass(request_id, model.requester,
                                  "sev-1 outage, lead unreachable")
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

    @rule(request_id=requests, executor=st.sampled_from(PEOPLE))
    def try_execute(self, request_id: str, executor: Operator) -> None:
        self._execute(request_id, executor)

    @rule(request_id=requests)
    def execute_as_requester(self, request_id: str) -> None:
        self._execute(request_id, self.models[request_id].requester)

    def _execute(self, request_id: str, executor: Operator) -> None:
        model = self.models[request_id]
        status = self.flow.gate(model.current, {KEY: model.current_rv}, executor,
                                request_id=request_id)
        own = executor == model.requester
        assert status.satisfied == (model.releasable() and own), (status, model, executor)
        if status.satisfied:
            if not status.break_glass:
                people = [model.requester, *status.approvers]
                assert len(status.approvers) >= model.required
                assert not any(clash(a, b, self.demo) for i, a in enumerate(people)
                               for b in people[i + 1:])
            self.flow.mark_executed(request_id, executor, f"exec-{request_id}")
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
