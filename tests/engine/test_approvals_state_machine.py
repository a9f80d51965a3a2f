"""Property test: a random sequence of requests, approvals, rejections, edits, drift and
execution attempts never releases a plan without the required distinct approvals on the
current digest and resourceVersions, and the audit chain verifies after every step."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from kubechat_tui.domain import Plan, Verb
from kubechat_tui.engine.approvals import ApprovalError, SelfApprovalError
from kubechat_tui.guard.policy import PolicyDecision
from kubechat_tui.store.audit_model import Operator
from tests.guard.helpers import approval_env, plan_of, scale_step, step

PEOPLE = ("alice", "bob", "carol", "dave")
KEY = "prod-eu/deployments/payments/payments-api"


@dataclass
class Model:
    """What the test believes about one request."""

    id: str
    requester: str
    required: int
    plan: Plan
    current: Plan
    bound_rv: str
    current_rv: str
    approvers: set[str] = field(default_factory=set)
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


class ApprovalMachine(RuleBasedStateMachine):
    requests = Bundle("requests")

    @initialize()
    def open_store(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kc-approvals-"))
        self.flow, self.audit, self.db = approval_env(self.dir, checkpoint_every=4)
        self.models: dict[str, Model] = {}
        self.counter = 0

    def teardown(self) -> None:
        if hasattr(self, "db"):
            self.db.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    @rule(target=requests, requester=st.sampled_from(PEOPLE), delete=st.booleans(),
          required=st.integers(1, 3))
    def request(self, requester: str, delete: bool, required: int) -> str:
        self.counter += 1
        mutation = step(Verb.DELETE) if delete else scale_step(self.counter)
        plan = plan_of(mutation, text=f"change {self.counter}")
        rv = str(100 + self.counter)
        req = self.flow.request(plan, _decision(required), {KEY: rv}, Operator(requester))
        self.models[req.id] = Model(req.id, requester, required, plan, plan, rv, rv)
        return req.id

    @rule(request_id=requests, person=st.sampled_from(PEOPLE))
    def approve(self, request_id: str, person: str) -> None:
        model = self.models[request_id]
        should_refuse = (person == model.requester or model.rejected or model.executed
                         or person in model.approvers)
        try:
            self.flow.approve(request_id, Operator(person), comment="ok")
        except SelfApprovalError:
            assert person == model.requester
            return
        except ApprovalError:
            assert should_refuse
            return
        assert not should_refuse
        model.approvers.add(person)

    @rule(request_id=requests, person=st.sampled_from(PEOPLE))
    def reject(self, request_id: str, person: str) -> None:
        model = self.models[request_id]
        try:
            self.flow.reject(request_id, Operator(person), comment="no")
        except ApprovalError:
            assert model.rejected or model.executed
            return
        model.rejected = True

    @rule(request_id=requests, person=st.sampled_from(PEOPLE))
    def break_glass(self, request_id: str, person: str) -> None:
        model = self.models[request_id]
        try:
            self.flow.break_glass(request_id, Operator(person), "sev-1 outage, lead unreachable")
        except ApprovalError:
            assert model.rejected or model.executed
            return
        model.break_glass = True

    @rule(request_id=requests, replicas=st.integers(0, 50))
    def edit_plan(self, request_id: str, replicas: int) -> None:
        model = self.models[request_id]
        edited = model.current.steps[0].model_copy(update={"params": {"replicas": replicas}})
        model.current = model.current.model_copy(update={"steps": (edited,)})

    @rule(request_id=requests)
    def drift(self, request_id: str) -> None:
        model = self.models[request_id]
        model.current_rv = str(int(model.current_rv) + 1000)

    @rule(request_id=requests)
    def try_execute(self, request_id: str) -> None:
        model = self.models[request_id]
        status = self.flow.gate(model.current, {KEY: model.current_rv}, Operator("alice"),
                                request_id=request_id)
        assert status.satisfied == model.releasable(), (status, model)
        if status.satisfied:
            if not status.break_glass:
                distinct = {a.os_user for a in status.approvers}
                assert len(distinct) >= model.required and model.requester not in distinct
            self.flow.mark_executed(request_id, Operator("alice"), f"exec-{request_id}")
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
    max_examples=25, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestApprovalWorkflow = ApprovalMachine.TestCase
