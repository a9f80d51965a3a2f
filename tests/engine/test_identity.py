"""Who acts: the real OS user, the cluster's identity through the context in use, `--as`."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from kubechat_tui.engine.identity import (
    Actor,
    IdentityError,
    IdentityRouter,
    conflict,
    operator_for,
    real_os_user,
    same_person,
)
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


def test_as_uses_the_user_at_cluster_contexts(sim_kubeconfig: Path) -> None:
    with sim_fleet(sim_kubeconfig) as fleet:
        router = IdentityRouter(fleet, "lead", fleet.context_names())
        assert router.check(["prod-eu", "staging"]) == ["lead@prod-eu", "lead@staging"]
        actor = operator_for(router, ["prod-eu"], "lead")
        assert actor == Actor(real_os_user(), "sre-lead", "lead")
        plain = operator_for(IdentityRouter(fleet, None, fleet.context_names()),
                             ["prod-eu"], None)
        assert plain == Actor(real_os_user(), "admin", None)


def test_as_without_a_context_is_refused(sim_kubeconfig: Path) -> None:
    with sim_fleet(sim_kubeconfig) as fleet:
        router = IdentityRouter(fleet, "mallory", fleet.context_names())
        with pytest.raises(IdentityError, match="no context 'mallory@prod-eu'"):
            operator_for(router, ["prod-eu"], "mallory")
        status, doc = router.request_json("prod-eu", "GET", STATUS)
        assert status == 0 and "mallory@prod-eu" in doc["message"]  # never the admin context


def test_an_identity_context_is_not_a_cluster(sim_kubeconfig: Path) -> None:
    with sim_fleet(sim_kubeconfig) as fleet:
        router = IdentityRouter(fleet, None, fleet.context_names())
        assert "lead@prod-eu" not in router.cluster_names()
        status, doc = router.request_json("lead@prod-eu", "GET", STATUS)
        assert status == 0 and "not a cluster of the kubeconfig" in doc["message"]
        viewer = IdentityRouter(fleet, "viewer", fleet.context_names())
        with pytest.raises(IdentityError):
            viewer.context("lead@prod-eu")


def test_kubeadm_style_context_names_are_clusters() -> None:
    router = IdentityRouter(object(), None, ["kubernetes-admin@kubernetes", "kind-dev"])
    assert router.cluster_names() == ["kind-dev", "kubernetes-admin@kubernetes"]
    assert router.context("kubernetes-admin@kubernetes") == "kubernetes-admin@kubernetes"


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


def test_only_the_same_pair_is_the_same_person() -> None:
    assert same_person(Actor("alice", "admin", "x"), Operator("alice", "admin"))
    assert not same_person(Operator("alice", "sre-lead"), Operator("alice", "admin"))
    assert not same_person(Operator("bob", "admin"), Operator("alice", "admin"))
