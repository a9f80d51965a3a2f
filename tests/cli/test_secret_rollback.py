"""The rollback of a Secret's delete needs its old values, kept outside the audit chain:
after `audit.kept_value_retention_days` they are deleted and the rollback is refused,
saying why, through the real CLI."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli.canaries import approved, execution_id, plant
from tests.cli.runner import Cli


def kept(cli: Cli) -> int:
    conn = sqlite3.connect(cli.data / "kubechat.db")
    try:
        return int(conn.execute("SELECT count(*) FROM kept_value").fetchone()[0])
    finally:
        conn.close()


def age_kept_values(cli: Cli, days: int) -> None:
    conn = sqlite3.connect(cli.data / "kubechat.db")
    try:
        old = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="microseconds")
        with conn:
            conn.execute("UPDATE kept_value SET kept_at = ?", (old,))
    finally:
        conn.close()


def test_after_the_retention_a_secret_delete_has_no_rollback(cli: Cli, tmp_path: Path) -> None:
    plant(cli.sim, "staging")
    plan = str(tmp_path / "delete.json")
    code, _, err = cli.run("plan", "delete secret canary-creds in namespace payments in staging",
                           "--save", plan)
    assert code == 0, err
    code, out, err = approved(cli, "apply", plan, "-y")
    assert code == 0, out + err
    assert kept(cli) > 0  # the Secret's values, encrypted, for its rollback
    age_kept_values(cli, 31)  # the default retention is 30 days
    code, out, err = cli.run("rollback", execution_id(out), "-y")
    assert code == 2 and err.count("\n") == 1, out + err
    assert "its old value is no longer kept" in err
    assert "audit.kept_value_retention_days" in err and "has no rollback" in err
    code, _, err = cli.run("apply", plan, "--dry-run")  # any writer deletes expired values
    assert kept(cli) == 0
