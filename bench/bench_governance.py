"""Governance benchmark: recipe ranking per request, recipe stats over a large audit, and
the violation alert's rate-limit lookup.

Run: .venv/bin/python bench/bench_governance.py [--records 50000] [--recipes 200]

- ranking: BM25 over a catalog of `--recipes` recipes (the bundled ones plus copies with
  other names), per request, on an index built once per catalog; it runs on every plan.
  Goal: < 5 ms for 200 recipes.
- stats: `kubechat recipes stats` decodes the submissions and outcomes of the whole audit;
  `--records` audit records, a third of them recipe runs. Goal: < 5 s for 50k records (a
  command run by hand, not on every plan).
- alert lookup: one rate-limit decision reads the newest 500 alert records; it runs once
  per violation. Goal: < 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kubechat_tui.engine.violations import ViolationAlerter
from kubechat_tui.integrations.alerts import Violation, json_alert
from kubechat_tui.planner.recipe_match import RecipeIndex
from kubechat_tui.planner.recipes import load_catalog
from kubechat_tui.store.audit import AuditLog
from kubechat_tui.store.audit_model import AuditEvent, AuditLinks, Operator
from kubechat_tui.store.database import open_database
from kubechat_tui.store.recipe_stats import recipe_stats
from kubechat_tui.store.signing import Signer

REQUESTS = ("why are the payment pods crashlooping", "pods stuck in pending in payments",
            "restart payments-api", "scale payments-api to 5 replicas",
            "node ip-10-0-1-5 is NotReady", "undo the last rollout of web")


def bench_ranking(size: int) -> float:
    base, _ = load_catalog()
    catalog = dict(base)
    while len(catalog) < size:
        for name, recipe in base.items():
            copy = recipe.model_copy(update={"name": f"{name}-{len(catalog)}"})
            catalog[copy.name] = copy
    index = RecipeIndex(catalog)  # built once per catalog (RecipeBook keeps it)
    runs = []
    for _ in range(20):
        start = time.perf_counter()
        for text in REQUESTS:
            index.rank(text)
        runs.append((time.perf_counter() - start) / len(REQUESTS))
    return statistics.median(runs) * 1000


def fill_audit(log: AuditLog, records: int) -> None:
    who = Operator("alice", "admin")
    plan = {"planner": "recipe:scale-deployment", "steps": [{"mutating": True}]}
    for i in range(records // 3):
        run = f"ex-{i:010x}"
        log.append(AuditEvent("plan.submitted", who, {"plan": plan}, outcome="submitted",
                              links=AuditLinks(execution_id=run)))
        log.append(AuditEvent("rbac.checked", who, {}, outcome="allowed",
                              links=AuditLinks(execution_id=run)))
        final = "execution.succeeded" if i % 5 else "execution.failed"
        log.append(AuditEvent(final, who, {}, outcome="done",
                              links=AuditLinks(execution_id=run)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--recipes", type=int, default=200)
    args = parser.parse_args()
    print(f"ranking: {bench_ranking(args.recipes):.2f} ms per request over "
          f"{args.recipes} recipes")
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "k.db", synchronous="NORMAL")
        log = AuditLog(db, Signer.generate(), checkpoint_every=10_000)
        fill_audit(log, args.records)
        start = time.perf_counter()
        stats = recipe_stats(log)
        took = time.perf_counter() - start
        runs = stats["scale-deployment"].runs
        print(f"stats: {took:.2f} s over {args.records:,} records ({runs:,} runs)")
        alerter = ViolationAlerter([("http://127.0.0.1:9/", json_alert)], log, 300, 1.0)
        for i in range(200):
            log.append(AuditEvent("violation.suppressed", Operator("alice"),
                                  {"key": f"denial:R-{i % 7}"}, outcome="rate_limited"))
        violation = Violation("denial", ("R-3",), "alice", "x", "y", (), "")
        start = time.perf_counter()
        for _ in range(50):
            alerter._history(violation.key, log.latest(None, 1)[0].ts)
        print(f"alert rate-limit lookup: {(time.perf_counter() - start) / 50 * 1000:.2f} ms")
        db.close()


if __name__ == "__main__":
    main()
