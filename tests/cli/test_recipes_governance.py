"""`kubechat recipes publish|deprecate|restore|stats|feedback`: versions checked against
the active policy, usage from the audit after scripted runs, feedback stored."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import Cli

SCALE = (Path(__file__).resolve().parents[2] / "recipes" / "scale-deployment.yaml").read_text()
REFERENCED = SCALE + "policy_rules: [KC-APPROVE-001]\napprovals: 1\n"


def _file(tmp: Path, text: str, name: str = "scale-deployment.yaml") -> str:
    path = tmp / name
    path.write_text(text)
    return str(path)


def test_publish_checks_rule_ids_and_approvals_against_the_active_policy(
        cli: Cli, tmp_path: Path) -> None:
    unknown = _file(tmp_path, SCALE + "policy_rules: [NO-SUCH-RULE]\n")
    code, _, err = cli.run("recipes", "publish", unknown, "--context", "prod-eu")
    assert code == 2 and "policy_rules: unknown rule id 'NO-SUCH-RULE' in the active " \
        "policy" in err
    fewer = _file(tmp_path, SCALE + "policy_rules: [KC-APPROVE-002]\napprovals: 1\n")
    code, _, err = cli.run("recipes", "publish", fewer, "--context", "prod-eu")
    assert code == 2 and "the rules it names ask for 2" in err
    undeclared = _file(tmp_path, SCALE.replace('name: "{deployment}"', 'name: "{dep}"', 1))
    code, _, err = cli.run("recipes", "publish", undeclared, "--context", "prod-eu")
    assert code == 2 and "{dep} is not a declared parameter" in err
    code, out, err = cli.run("recipes", "publish", _file(tmp_path, REFERENCED), "-m", "v1",
                             "--context", "prod-eu")
    assert code == 0 and out.startswith("published scale-deployment v1 (sha256 "), err
    assert cli.run("recipes", "publish", _file(tmp_path, REFERENCED), "--context",
                   "prod-eu")[0] == 2  # the same content again
    published = [e for e in cli.records() if e.action == "recipe.published"]
    assert [(e.payload["name"], e.payload["version"], e.payload["policy_rules"])
            for e in published] == [("scale-deployment", 1, ["KC-APPROVE-001"])]


def test_deprecate_and_restore(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("recipes", "publish", _file(tmp_path, SCALE), "--context", "prod-eu")[0] == 0
    assert cli.run("recipes", "deprecate", "scale-deployment", "-m", "use HPA")[1] == \
        "scale-deployment v1 deprecated\n"
    code, _, err = cli.run("recipes", "plan", "scale-deployment", "namespace=payments",
                           "deployment=payments-api", "replicas=4", "--context", "prod-eu")
    assert code == 2 and "no recipe 'scale-deployment'" in err
    assert "(deprecated: `kubechat recipes restore scale-deployment`)" in \
        cli.run("recipes", "list")[1]
    assert cli.run("recipes", "deprecate", "scale-deployment")[0] == 2
    assert cli.run("recipes", "restore", "scale-deployment")[0] == 0
    assert cli.run("recipes", "restore", "nope")[1:] == (
        "", "kubechat: error: no published recipe 'nope'\n")


def test_stats_after_scripted_runs_and_feedback(cli: Cli, tmp_path: Path) -> None:
    def run(replicas: int) -> tuple[int, str, str]:
        plan = tmp_path / f"p{replicas}.json"
        code, _, err = cli.run("recipes", "plan", "scale-deployment", "namespace=payments",
                               "deployment=payments-api", f"replicas={replicas}",
                               "--context", "staging", "--save", str(plan))
        assert code == 0, err
        return cli.run("apply", str(plan), "-y")

    code, out, err = run(4)
    assert code == 0, out + err
    done = next(e.links.execution_id for e in cli.records() if e.action ==
                "execution.succeeded")
    assert run(5)[0] == 0
    undone = [e.links.execution_id for e in cli.records()
              if e.action == "execution.succeeded"][-1]
    assert cli.run("rollback", str(undone), "-y", "--context", "staging")[0] == 0
    cli.sim.faults("staging").set(error_rate=1.0, error_status=500, error_writes=True)
    assert run(6)[0] == 1
    code, out, _ = cli.run("recipes", "feedback", "scale-deployment", "4", "--comment",
                           "quick", "--execution", str(done))
    assert code == 0
    assert cli.run("recipes", "feedback", "scale-deployment", "9")[0] == 2
    assert cli.run("recipes", "feedback", "no-such-recipe", "3")[0] == 2
    code, rows = cli.json("recipes", "stats")
    [row] = [r for r in rows if r["name"] == "scale-deployment"]
    assert (row["runs"], row["done"], row["failed"], row["rolled_back"]) == (3, 1, 1, 1)
    assert row["median_seconds"] is not None and row["last_by"].startswith("alice")
    assert (row["rating"], row["ratings"]) == (4.0, 1)
    assert "runs 3, rated 4.0/5 (1)" in cli.run("recipes", "list")[1]
    assert any(e.action == "recipe.feedback" and e.payload["comment"] == "quick"
               for e in cli.records())
