"""Rule planner behaviour: scope resolution, ordering, live-view resolution, determinism."""

from __future__ import annotations

from kubechat_tui.config.settings import Settings
from kubechat_tui.domain import Risk, Scope, Verb
from kubechat_tui.planner.service import PlannerService
from tests.planner.conftest import FIXED_NOW
from tests.planner.fakes import FakeView


def live(settings: Settings, view: FakeView | None = None) -> PlannerService:
    return PlannerService(settings, view or FakeView(), mode="rules", clock=lambda: FIXED_NOW)


def test_prod_resolves_to_the_cluster_set(rules: PlannerService) -> None:
    plan = rules.plan("crashlooping payment pods in prod", Scope(clusters=("staging",))).plan
    assert plan is not None
    assert plan.scope.clusters == ("prod-eu", "prod-us") and plan.scope.cluster_set == "prod"
    get = plan.steps[0]
    assert get.verb is Verb.GET and get.resource == "pods"
    assert get.params["status_filter"] == "CrashLoopBackOff"
    assert get.params["name_contains"] == "payment"
    assert all(s.clusters == ("prod-eu", "prod-us") for s in plan.steps)


def test_current_scope_is_used_when_the_text_names_none(rules: PlannerService) -> None:
    plan = rules.plan("show pods", Scope(clusters=("canary",), namespace="checkout")).plan
    assert plan is not None
    assert plan.steps[0].clusters == ("canary",) and plan.steps[0].namespace == "checkout"
    assert "-n checkout" in plan.steps[0].kubectl


def test_namespace_and_quoted_name_come_from_the_text(rules: PlannerService) -> None:
    plan = rules.plan("restart deployment 'web-app' in the payments namespace on staging").plan
    assert plan is not None
    change = plan.steps[-1]
    assert (change.verb, change.resource, change.name, change.namespace, change.clusters) == (
        Verb.ROLLOUT_RESTART, "deployments", "web-app", "payments", ("staging",))
    assert change.params["restarted_at"] == "2026-11-25T20:00:00Z"


def test_diagnostics_come_before_the_change(rules: PlannerService) -> None:
    plan = rules.plan("roll back payments-api in prod").plan
    assert plan is not None
    verbs = [s.verb for s in plan.steps]
    assert verbs[:-1] == [Verb.DESCRIBE, Verb.EVENTS, Verb.ROLLOUT_HISTORY, Verb.LOGS]
    assert verbs[-1] is Verb.ROLLOUT_UNDO
    assert plan.steps[-1].requires_approval and plan.steps[-1].risk is Risk.HIGH
    assert "touches production: prod-eu, prod-us" in plan.steps[-1].warnings
    assert "spans 2 clusters" in plan.steps[-1].warnings


def test_scale_kubectl_line(rules: PlannerService) -> None:
    plan = rules.plan("scale deployment payments-api in payments on prod-eu to 5").plan
    assert plan is not None
    assert plan.steps[-1].params == {"replicas": 5}
    assert plan.steps[-1].kubectl == ("kubectl scale deployments/payments-api -n payments "
                                      "--replicas=5")


def test_scale_by_percent_uses_live_replicas(settings: Settings) -> None:
    plan = live(settings).plan("scale deployment payments-api in prod up by 50%").plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.params["replicas"] == 6 and change.namespace == "payments"
    assert change.affected == 4  # 2 new pods per cluster


def test_scale_by_percent_refuses_when_clusters_differ(settings: Settings) -> None:
    view = FakeView(replicas={"prod-eu": 4, "prod-us": 6})
    result = live(settings, view).plan("scale deployment payments-api in prod by 50%")
    assert result.blocked and "differs between clusters" in (result.reason or "")


def test_named_target_namespace_is_located_live(settings: Settings) -> None:
    plan = live(settings).plan("restart payments-api in prod-eu").plan
    assert plan is not None
    assert plan.scope.namespace == "payments"
    assert all(s.namespace == "payments" for s in plan.steps)


def test_ambiguous_target_is_refused(settings: Settings) -> None:
    result = live(settings).plan("restart deployment web in prod-eu")
    assert result.blocked and "checkout, payments" in (result.reason or "")


def test_blast_radius_counts_pods_pdbs_and_services(settings: Settings) -> None:
    plan = live(settings, FakeView(pdb_allowed=0)).plan("restart payments-api in prod").plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.affected == 8
    assert any("PDB payments-api-pdb allows 0" in d for d in change.dependencies)
    assert any("Service payments-api (3 ready endpoints)" in d for d in change.dependencies)
    assert any("allows no disruptions" in w for w in change.warnings)
    assert not any("Service other" in d for d in change.dependencies)


def test_without_a_view_affected_is_unknown(rules: PlannerService) -> None:
    plan = rules.plan("restart payments-api in prod").plan
    assert plan is not None and plan.steps[-1].affected is None


def test_drain_counts_pods_on_the_node(settings: Settings) -> None:
    plan = live(settings).plan("drain node ip-10-0-3-7 in prod-eu").plan
    assert plan is not None
    assert plan.steps[-1].affected == 12
    assert plan.steps[-1].params == {"timeout_seconds": 300}  # kube.drain_timeout_seconds
    assert plan.steps[-1].kubectl.endswith("--delete-emptydir-data --timeout=300s")


def test_set_image_without_a_view_leaves_the_container_to_the_engine(
        rules: PlannerService) -> None:
    plan = rules.plan("set image of deployment web-app to nginx:1.27 in canary").plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.params == {"image": "nginx:1.27"}
    assert "'{container}=nginx:1.27'" in change.kubectl and "*=" not in change.kubectl
    assert any("only container is used" in w for w in change.warnings)


def test_the_rule_planner_is_deterministic(rules: PlannerService) -> None:
    texts = ["crashlooping payment pods in prod", "drain node ip-10-0-3-7 in prod",
             "delete pods -l app=web in checkout"]
    first = [rules.plan(t).model_dump_json() for t in texts]
    assert first == [rules.plan(t).model_dump_json() for t in texts]


def test_long_input_gets_a_clear_message(rules: PlannerService) -> None:
    result = rules.plan("show pods " * 10_000)
    assert result.blocked and "characters long" in (result.reason or "")
    assert len(result.input) < 300


def test_terminal_escapes_are_never_echoed(rules: PlannerService) -> None:
    for text in ("show pods \x1b[2J\x1b]0;pwned\x07 in payments", "\x1b[31m" + "x" * 3000):
        result = rules.plan(text)
        assert "\x1b" not in result.input and "\x07" not in result.input
        assert "\x1b" not in (result.reason or "")


def test_add_replicas_is_relative_to_the_live_count(settings: Settings) -> None:
    plan = live(settings).plan("add 2 replicas to payments-api in prod").plan
    assert plan is not None
    assert plan.steps[-1].params["replicas"] == 6
    assert plan.steps[-1].reason == "change the replica count from 4 to 6"


def test_top_runs_only_where_metrics_exist(settings: Settings) -> None:
    plan = live(settings).plan("top pods in payments on prod-eu and canary").plan
    assert plan is not None
    assert [s.clusters for s in plan.steps if s.verb is Verb.TOP] == [("prod-eu",)]
    assert "kubectl top skipped on canary: no metrics API" in plan.notes
    result = live(settings).plan("top pods in payments on canary")
    assert result.blocked and "no metrics API" in (result.reason or "")


def test_one_silent_cluster_makes_affected_unknown_but_keeps_the_rest(
        settings: Settings) -> None:
    view = FakeView(clusters=["prod-eu", "unreachable"])
    plan = live(settings, view).plan("restart deployment payments-api in payments on prod-eu "
                                     "and unreachable").plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.clusters == ("prod-eu", "unreachable") and change.affected is None
    assert "unreachable: could not resolve the affected objects" in change.warnings
    assert any(d.startswith("prod-eu: deployments/payments-api") for d in change.dependencies)


def test_a_qualifier_naming_a_live_namespace_scopes_the_plan(settings: Settings) -> None:
    plan = live(settings).plan("crashlooping payment pods in prod").plan
    assert plan is not None
    assert plan.scope.namespace == "payments"
    assert plan.steps[0].kubectl == "kubectl get pods -n payments -o wide"
    assert "name_contains" not in plan.steps[0].params


def test_set_image_of_a_multi_container_workload_asks_which(settings: Settings) -> None:
    """Issue 11.10: never every container; with several and none named, ask."""
    result = live(settings).plan("set image of deployment payments-api in prod-eu to "
                                 "registry.example/payments-api:1.4.3")
    assert result.blocked and result.plan is None
    assert result.reason == ("payments-api has containers api, sidecar: say which, e.g. "
                             "'set image of container api to registry.example/payments-api:1.4.3'")
    assert result.suggestions[0] == ("set image of container api of deployment payments-api "
                                     "to registry.example/payments-api:1.4.3")


def test_set_image_changes_the_named_container_only(settings: Settings) -> None:
    plan = live(settings).plan("set image of container api of deployment payments-api in "
                               "prod-eu to registry.example/payments-api:1.4.3").plan
    assert plan is not None
    change = plan.steps[-1]
    assert change.params == {"image": "registry.example/payments-api:1.4.3", "container": "api"}
    assert change.kubectl == ("kubectl set image deployments/payments-api "
                              "api=registry.example/payments-api:1.4.3 -n payments")
    unknown = live(settings).plan("set image of container web of deployment payments-api in "
                                  "prod-eu to registry.example/payments-api:1.4.3")
    assert unknown.blocked and unknown.reason == (
        "payments-api has no container web; it has api, sidecar")


def test_delete_by_phase_counts_only_matching_pods(settings: Settings) -> None:
    plan = live(settings).plan("delete failed pods in payments on prod-eu").plan
    assert plan is not None
    assert plan.steps[-1].affected == 2  # only the Failed pods, not every pod (7)


class KindView(FakeView):
    """payments-api is a deployment (and a service) in payments: no pod of that name."""

    def count(self, cluster: str, resource: str, namespace: str | None,
              label_selector: str | None = None, field_selector: str | None = None) -> int | None:
        if cluster == "unreachable":
            return None
        if field_selector == "metadata.name=payments-api":
            return 1 if resource in ("deployments", "services") else 0
        return super().count(cluster, resource, namespace, label_selector, field_selector)


def test_a_change_on_an_object_that_does_not_resolve_is_refused(settings: Settings) -> None:
    result = live(settings, KindView()).plan("delete pod payments-api in payments on prod-eu")
    assert result.blocked and result.plan is None
    reason = result.reason or ""
    assert "pods/payments-api does not exist in namespace payments on prod-eu" in reason
    assert "payments-api is a deployment and a service there" in reason
    assert "'delete deployment payments-api'" in reason
    plan = live(settings, KindView()).plan("delete deployment payments-api in payments on "
                                           "prod-eu").plan
    assert plan is not None and plan.steps[-1].resource == "deployments"


def test_a_silent_cluster_never_blocks_a_change_as_missing(settings: Settings) -> None:
    view = KindView(clusters=["prod-eu", "unreachable"])
    plan = live(settings, view).plan("delete pod payments-api in payments on unreachable").plan
    assert plan is not None and plan.steps[-1].affected is None


def test_destructive_changes_on_several_clusters_are_critical(rules: PlannerService) -> None:
    one = rules.plan("scale deployment web-app to 0 in canary").plan
    two = rules.plan("scale deployment web-app to 0 in canary and staging").plan
    assert one is not None and two is not None
    assert one.steps[-1].risk is Risk.HIGH
    change = two.steps[-1]
    assert change.clusters == ("canary", "staging") and change.risk is Risk.CRITICAL
    assert change.requires_approval and "destructive on 2 clusters at once" in change.warnings
    restart = rules.plan("restart deployment web-app in canary and staging").plan
    assert restart is not None and restart.steps[-1].risk is Risk.MEDIUM  # not destructive


def test_delete_in_all_clusters_is_planned_critical_with_approval(
        rules: PlannerService) -> None:
    result = rules.plan("delete deployment payments-api in payments in all clusters")
    assert not result.blocked and result.plan is not None, result.reason
    change = result.plan.steps[-1]
    assert (change.verb, change.resource, change.name) == (Verb.DELETE, "deployments",
                                                           "payments-api")
    assert change.clusters == ("prod-eu", "prod-us", "staging", "canary")
    assert change.risk is Risk.CRITICAL and change.requires_approval
    assert "spans 4 clusters" in change.warnings
    everything = rules.plan("delete everything in all clusters")
    assert everything.blocked and "deleting everything" in (everything.reason or "")


def test_delete_pods_in_a_namespace_never_deletes_the_namespace(rules: PlannerService) -> None:
    for text in ("delete all pods in namespace checkout",
                 "delete failed pods in the checkout namespace",
                 "delete pods -l app=web in namespace checkout"):
        plan = rules.plan(text).plan
        assert plan is not None, text
        change = plan.steps[-1]
        assert change.resource == "pods" and change.namespace == "checkout", text
