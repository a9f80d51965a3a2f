"""Who acts: the real OS user, each cluster's identity through the context in use, `--as`."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from kubechat_tui.engine.identity import (
    Actor,
    conflict,
    operator_for,
    real_os_user,
    same_person,
)
from kubechat_tui.kube.errors import KubeconfigError
from kubechat_tui.store.audit_model import Operator
from tests.guard.fleets import sim_fleet

STATUS = "/apis/apps/v1/namespaces/payments/deployments/payments-api"


def test_the_os_user_comes_from_the_uid_not_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = real_os_user()
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    assert real_os_user() == before
    assert getpass.getuser() == "mallory"  # what the environment alone would claim


def test_as_picks_the_contexts_acting_as_the_user(sim_kubeconfig: Path) -> None:
    with sim_fleet(sim_kubeconfig) as fleet:
        chosen = fleet.topology.contexts_for_user("lead", ["prod-eu", "staging"])
        assert chosen == {"prod-eu": "lead@prod-eu", "staging": "lead@staging"}
        actor = operator_for(fleet.via(chosen), ["prod-eu", "staging"], "lead")
        assert actor == Actor(real_os_user(), "sre-lead", "lead")
        assert dict(actor.identities) == {"prod-eu": "sre-lead", "staging": "sre-lead"}
        plain = operator_for(fleet, ["prod-eu"])
        assert plain == Actor(real_os_user(), "admin", None)


def test_as_without_a_context_is_refused(sim_kubeconfig: Path) -> None:
    with sim_fleet(sim_kubeconfig) as fleet, pytest.raises(
            KubeconfigError, match="no context reaches cluster 'prod-eu' as mallory"):
        fleet.topology.contexts_for_user("mallory", ["prod-eu"])


def test_a_router_never_falls_back_to_another_context(sim_kubeconfig: Path) -> None:
    with sim_fleet(sim_kubeconfig) as fleet:
        viewer = fleet.via({"prod-eu": "viewer@prod-eu"})
        status, doc = viewer.request_json("staging", "GET", STATUS)
        assert status == 0 and "not in this session" in doc["message"]
        with pytest.raises(KubeconfigError, match="reaches cluster 'staging', not 'prod-eu'"):
            fleet.via({"prod-eu": "viewer@staging"})


def test_a_context_name_is_not_a_cluster(sim_kubeconfig: Path) -> None:
    with sim_fleet(sim_kubeconfig) as fleet:
        assert "lead@prod-eu" not in fleet.cluster_names()
        status, doc = fleet.request_json("lead@prod-eu", "GET", STATUS)
        assert status == 0 and "not in this session" in doc["message"]


@pytest.mark.parametrize("approver, other, demo, why", [
    (Operator("bob", "bob"), Operator("alice", "alice"), False, None),
    (Operator("alice", "sre-lead"), Operator("alice", "admin"), False, "same OS user"),
    (Operator("alice", "sre-lead"), Operator("alice", "admin"), True, None),
    (Operator("carol", "admin"), Operator("alice", "admin"), False, "same Kubernetes"),
    (Operator("carol", "admin"), Operator("alice", "admin"), True, "same Kubernetes"),
    (Operator("alice", None), Operator("alice", "admin"), True, "no Kubernetes identity"),
    (Operator("bob", None), Operator("alice", None), False, None),
])
def test_conflict_rules(approver: Operator, other: Operator, demo: bool,
                        why: str | None) -> None:
    found = conflict(approver, other, demo=demo)
    assert (found is None) == (why is None) and (why is None or why in str(found))


def test_one_identity_on_any_shared_cluster_is_one_person() -> None:
    approver, requester = Operator("bob", "sre-lead"), Operator("alice", "admin")
    found = conflict(approver, requester, demo=False,
                     approver_ids={"prod-eu": "sre-lead", "prod-us": "admin"},
                     other_ids={"prod-eu": "admin", "prod-us": "admin"})
    assert found == "the same Kubernetes identity (admin on prod-us)"


def test_only_the_same_pair_is_the_same_person() -> None:
    assert same_person(Actor("alice", "admin", "x"), Operator("alice", "admin"))
    assert not same_person(Operator("alice", "sre-lead"), Operator("alice", "admin"))
    assert not same_person(Operator("bob", "admin"), Operator("alice", "admin"))
