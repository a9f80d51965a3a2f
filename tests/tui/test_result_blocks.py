"""Result blocks in the chat: a snapshot of every kind of block (table, events, logs, text,
denied with remediation, failed, skipped in two clusters), and untrusted text in them
shown as text, never as markup or control sequences."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from kubechat_tui.engine.diagnostics.results import (
    SKIPPED,
    LogExcerpt,
    LogsOutput,
    StepResult,
    TableOutput,
    TextOutput,
)
from kubechat_tui.kube.recorder import Request
from kubechat_tui.tui.result_render import CHAT_ROWS, result_renderable
from kubechat_tui.tui.widgets.result_block import ResultBlock
from tests.tui.helpers import rich_text

PODS = TableOutput(
    ("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
    (("payments-api-4flvpcchrw-mltrm", "1/2", "CrashLoopBackOff", "6 (89s ago)", "11m"),
     ("payments-worker-sxrjc728kb-m4r78", "0/1", "CrashLoopBackOff", "511 (3m24s ago)", "47h")),
    marked=(0, 1), note="2 of 5 pods in CrashLoopBackOff")
EVENTS = TableOutput(
    ("LAST SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"),
    (("5s", "Warning", "BackOff", "pod/payments-api-4flvpcchrw-mltrm", "24",
      "Back-off restarting failed container api"),
     ("11m", "Normal", "Pulled", "pod/payments-api-4flvpcchrw-mltrm", "1",
      "Container image already present on machine")),
    marked=(0,), note="2 events, 1 warning(s); BackOff first")
LOGS = LogsOutput((
    LogExcerpt("payments-api-4flvpcchrw-mltrm", "api", False,
               ('{"level":"info","msg":"starting"}',
                '{"level":"error","msg":"ledger connect failed"}',
                "payments.ledger.LedgerUnavailable: ledger unreachable after 3 attempts"),
               (1,)),
    LogExcerpt("payments-api-4flvpcchrw-mltrm", "sidecar", True,
               note="no previous instance: the container has not restarted")))


def result(step: str, cluster: str, status: str = "ok", kind: str = "table",
           output: Any = None, **extra: Any) -> StepResult:
    kubectl = f"kubectl --context {cluster} get pods -n payments -o wide"
    return StepResult(step, "get", cluster, kubectl, status, kind,  # type: ignore[arg-type]
                      output, duration=0.012, **extra)


BLOCKS = [
    result("s1", "prod-eu", output=PODS, requests=(
        Request("prod-eu", "GET", "/api/v1/namespaces/payments/pods",
                {"includeObject": "Metadata", "limit": "500"}),)),
    result("s2", "prod-eu", kind="events", output=EVENTS),
    result("s3", "prod-eu", kind="logs", output=LOGS),
    result("s4", "staging", kind="text",
           output=TextOutput('error: deployment "payments-api" exceeded its progress deadline')),
    result("s5", "prod-us", "denied", "denied",
           error="RBAC denied: dev@prod-us cannot list events (cluster-wide)",
           remediation="dev@prod-us is not allowed to:\n  - list events (cluster-wide)\n"
                       "Ask a cluster administrator to grant it on cluster prod-us"),
    result("s6", "prod-us", "failed", "error", error="prod-us: timed out: no answer within 6s"),
]


class BlocksApp(App[None]):
    """The blocks of a run in a thread, as the chat pane mounts them."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for item in BLOCKS:
                yield ResultBlock(item, production=frozenset({"prod-eu", "prod-us"}))
            skipped = ResultBlock(result("s7", "prod-eu", "skipped", "skipped", error=SKIPPED))
            skipped.absorb(result("s7", "staging", "skipped", "skipped", error=SKIPPED))
            yield skipped


def test_result_blocks_snapshot(snap_compare: Any) -> None:
    assert snap_compare(BlocksApp(), terminal_size=(110, 64))


def test_a_skipped_step_gathers_its_clusters_and_nothing_else() -> None:
    block = ResultBlock(result("s7", "prod-eu", "skipped", "skipped", error=SKIPPED))
    assert block.absorb(result("s7", "staging", "skipped", "skipped", error=SKIPPED))
    assert not block.absorb(result("s8", "staging", "skipped", "skipped", error=SKIPPED))
    assert not block.absorb(result("s7", "canary", output=PODS))
    assert [r.cluster for r in block.results] == ["prod-eu", "staging"]


def test_untrusted_text_in_results_is_shown_as_text() -> None:
    hostile = "[bold red]x[/] \x1b[2J\x1b]0;owned\x07 \u202e[@click=app.quit]"
    output = TableOutput(("MESSAGE",), ((hostile,),), note=hostile)
    logs = LogsOutput((LogExcerpt("p", "c", False, (hostile,), (0,)),))
    for item in (result("s1", "prod-eu", output=output),
                 result("s2", "prod-eu", kind="logs", output=logs),
                 result("s3", "prod-eu", "failed", "error", error=hostile)):
        text = rich_text(result_renderable([item]), width=200)
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
        assert "[bold red]x[/]" in text and "[@click=app.quit]" in text
        assert "\\u001b[2J" in text and "\\u202e" in text


def test_long_tables_show_their_first_rows_and_say_how_many_more() -> None:
    rows = tuple((f"pod-{i}",) for i in range(CHAT_ROWS + 7))
    text = rich_text(result_renderable([result("s1", "prod-eu",
                                               output=TableOutput(("NAME",), rows))]))
    assert f"pod-{CHAT_ROWS - 1}" in text and f"pod-{CHAT_ROWS}" not in text
    assert "… 7 more rows" in text
