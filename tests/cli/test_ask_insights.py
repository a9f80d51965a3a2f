"""`kubechat ask` insight cards: printed after the results, and in `--json` as `insights`
(each card: analyzer, cluster, subject, title, claim, confidence, evidence, next_step)."""

from __future__ import annotations

from tests.cli.runner import Cli

CRASHLOOP = "crashlooping pods in payments"
CARD_KEYS = ["analyzer", "cluster", "subject", "title", "claim", "confidence", "evidence",
             "next_step"]


def test_ask_json_carries_the_insight_cards(cli: Cli) -> None:
    code, doc = cli.json("ask", CRASHLOOP, "--context", "prod-eu", "--context", "prod-us")
    assert code == 0
    cards = doc["insights"]
    assert cards and all(list(c) == CARD_KEYS for c in cards)
    crash = next(c for c in cards if c["analyzer"] == "crash-after-change")
    assert (crash["cluster"], crash["subject"]) == ("prod-eu",
                                                    "payments/deployment/payments-api")
    assert crash["confidence"] == "high" and crash["claim"].endswith(".")
    assert crash["next_step"] == {"kind": "recipe", "text": "rollback-deployment",
                                  "params": {"namespace": "payments",
                                             "deployment": "payments-api"}}
    for evidence in crash["evidence"]:
        assert list(evidence) == ["kind", "cluster", "text", "at"]
        assert evidence["kind"] in ("object", "event", "log")
    node = next(c for c in cards if c["analyzer"] == "node-health")
    assert node["cluster"] == "prod-us" and "ip-10-1-4-21" in node["claim"]


def test_ask_prints_the_cards_after_the_results(cli: Cli) -> None:
    code, out, err = cli.run("ask", CRASHLOOP, "--context", "prod-eu")
    assert code == 0, err
    assert out.index("[s1] prod-eu") < out.index("* Crash loop after a change [prod-eu] "
                                                 "(high confidence)")
    assert "  next: recipe: rollback-deployment namespace=payments deployment=payments-api" \
        in out
    assert out.rstrip().splitlines()[-1].endswith("insight(s)")


def test_a_question_about_a_healthy_cluster_has_no_cards(cli: Cli) -> None:
    code, doc = cli.json("ask", "pods in orders", "--context", "staging")
    assert code == 0 and doc["results"] and doc["insights"] == []
