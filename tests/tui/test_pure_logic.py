"""Unit tests of the console's pure parts: commands, scope navigation, filter, sort, ages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kubechat_tui.tui.ages import age, human_duration
from kubechat_tui.tui.commands import Command, CommandError, parse_command
from kubechat_tui.tui.row_filter import parse_filter, refines
from kubechat_tui.tui.scope import ScopeError, ScopeNavigator, ViewScope
from kubechat_tui.tui.table_model import TableModel
from kubechat_tui.tui.themes import BUNDLED_THEMES, load_themes

COLUMNS = ("CLUSTER", "NAMESPACE", "NAME", "STATUS", "RESTARTS", "AGE")
ROWS = [
    ("b", "payments", "api-1", "Running", "10", "2026-01-01T00:00:00Z"),
    ("a", "checkout", "web-1", "CrashLoopBackOff", "9", "2026-01-01T00:30:00Z"),
    ("c", "payments", "worker-1", "OOMKilled", "2", "2025-12-31T00:00:00Z"),
]


@pytest.mark.parametrize(("line", "expected"), [
    (":pods", Command("kind", "pods")),
    ("po", Command("kind", "pods")),
    (":nodes", Command("kind", "nodes")),
    (":events", Command("kind", "events")),
    (":deploy", Command("kind", "deployments")),
    (":ctx prod-eu", Command("ctx", "prod-eu")),
    (":ctx", Command("ctx", "")),
    (":ns payments", Command("ns", "payments")),
    (":label app=web", Command("label", "app=web")),
    (":q", Command("quit")),
])
def test_parse_command(line: str, expected: Command) -> None:
    assert parse_command(line) == expected


@pytest.mark.parametrize("line", [":", ":bogus", ":pods extra", ":set", ":ns a b"])
def test_bad_commands_are_one_line_errors(line: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_command(line)
    assert "\n" not in str(info.value)


def test_navigator_cycles_and_jumps_sets() -> None:
    nav = ScopeNavigator(["p1", "p2", "s1"], {"prod": ["p1", "p2"], "ghost": ["x"], "stg": ["s1"]})
    scope = ViewScope(clusters=("p1", "p2", "s1"), cluster_set="all")
    assert nav.cycle_set(scope).cluster_set == "prod"
    # "ghost" has no known cluster and is skipped
    assert nav.cycle_set(nav.use_set(scope, "prod")).cluster_set == "stg"
    assert nav.cycle_set(scope, -1).cluster_set == "stg"
    assert nav.jump_set(scope, 3).clusters == ("s1",)
    assert nav.jump_set(scope, 0).clusters == ("p1", "p2", "s1")
    with pytest.raises(ScopeError):
        nav.jump_set(scope, 2)
    with pytest.raises(ScopeError, match="unknown cluster 'nope'"):
        nav.use_contexts(scope, "p1,nope")
    assert nav.use_contexts(scope, "p2,s1").clusters == ("p2", "s1")


def test_ctx_takes_the_context_serving_a_cluster_too() -> None:
    nav = ScopeNavigator(["prod", "stg"], {}, {"prod": "sre@prod", "stg": "stg"})
    scope = ViewScope(clusters=("prod", "stg"), cluster_set="all")
    assert nav.use_contexts(scope, "sre@prod").clusters == ("prod",)
    with pytest.raises(ScopeError, match="needs a new session"):
        nav.use_contexts(scope, "viewer@prod")


def test_filter_terms_and_refinement() -> None:
    model = TableModel(COLUMNS, frozenset({"AGE"}))
    model.set_rows(list(ROWS))
    model.set_filter("ns:pay")
    assert [r[2] for r in model.view] == ["api-1", "worker-1"]
    model.set_filter("ns:pay oom")
    assert [r[2] for r in model.view] == ["worker-1"]
    model.set_filter("status:crash")
    assert [r[2] for r in model.view] == ["web-1"]
    model.set_filter("cluster:a")
    assert len(model.view) == 1
    model.set_filter("")
    assert len(model.view) == 3
    assert refines(parse_filter("ns:pa"), parse_filter("ns:pay x"))
    assert not refines(parse_filter("ns"), parse_filter("ns:"))


def test_sort_numeric_and_by_age() -> None:
    model = TableModel(COLUMNS, frozenset({"AGE"}))
    model.set_rows(list(ROWS))
    model.sort_by_name("restarts")
    assert [r[4] for r in model.view] == ["2", "9", "10"]
    model.sort_by_name("RESTARTS")
    assert [r[4] for r in model.view] == ["10", "9", "2"]
    model.sort_by_name("age")  # youngest first
    assert [r[2] for r in model.view] == ["web-1", "api-1", "worker-1"]
    model.cycle_sort()
    assert model.sort_column is None
    with pytest.raises(ValueError, match="no column"):
        model.sort_by_name("bogus")


def test_ages_match_kubectl() -> None:
    now = datetime(2026, 1, 2, tzinfo=UTC)
    assert age("2026-01-01T00:00:00Z", now) == "24h"
    assert human_duration(59) == "59s"
    assert human_duration(125) == "2m5s"
    assert human_duration(3 * 3600 + 60) == "3h1m"
    assert human_duration(9 * 86400) == "9d"
    assert age("", now) == "<none>"


def test_bundled_themes_load_and_bad_theme_files_are_one_line(tmp_path: Path) -> None:
    themes, problems = load_themes([BUNDLED_THEMES])
    assert {"kubechat-dark", "kubechat-light"} <= {t.name for t in themes}
    assert problems == []
    (tmp_path / "bad.yaml").write_text("name: x\nprimary: '#000'\nsparkle: true\n")
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    (tmp_path / "nameless.yml").write_text("primary: '#000'\n")
    themes, problems = load_themes([tmp_path])
    assert themes == []
    assert len(problems) == 3 and all("\n" not in p for p in problems)
    assert any("sparkle: unknown theme field" in p for p in problems)
    assert any("name: required string" in p for p in problems)
