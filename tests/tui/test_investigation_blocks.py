"""The investigation's chat blocks: a refused call names the clusters it asked for, the
call and the reason; the answer lists each cited result with its cluster badge and kubectl
line; the model's text is shown literally (markup as typed, controls escaped)."""

from __future__ import annotations

from kubechat_tui.engine.investigation.record import CallRecord, Citation, Investigation
from kubechat_tui.tui.investigation_render import (
    answer_renderable,
    call_line,
    refused_renderable,
)
from tests.tui.helpers import rich_text

SHOUT = "[bold red]rm -rf[/] \x1b[2J"


def test_a_refused_call_shows_where_what_and_why() -> None:
    record = CallRecord("c2", "delete pods -l app=web on prod-eu", reason=SHOUT,
                        clusters=("prod-eu",), refused="'delete' changes the cluster",
                        refusal="mutation")
    shown = rich_text(refused_renderable(record, frozenset({"prod-eu"})), width=200)
    assert shown.splitlines() == [
        " prod-eu  c2  REFUSED   mutation",
        "delete pods -l app=web on prod-eu",
        "asked because: [bold red]rm -rf[/] \\u001b[2J",
        "'delete' changes the cluster"]


def test_the_answer_lists_its_evidence_and_shows_model_text_literally() -> None:
    found = Investigation("iv-1", "ollama/llama3.1", calls=[CallRecord("c1", "logs pods/x")],
                          answer=f"It crashes. {SHOUT}", notes=["cited 'c9': dropped"],
                          citations=[Citation("c1@prod-eu", "prod-eu",
                                              "kubectl --context prod-eu logs pods/x")])
    shown = rich_text(answer_renderable(found, frozenset()), width=200).splitlines()
    assert shown == [
        " answer   ollama/llama3.1: 1 call(s) run, 0 refused  iv-1",
        "It crashes. [bold red]rm -rf[/] \\u001b[2J",
        "evidence:",
        " prod-eu  c1@prod-eu  kubectl --context prod-eu logs pods/x",
        "cited 'c9': dropped"]
    assert call_line(CallRecord("c1", "logs pods/x", reason="why")) == "c1 asks: logs pods/x — why"


def test_no_answer_says_why() -> None:
    found = Investigation("iv-2", "m", stopped="the model did not answer within 10 s")
    assert rich_text(answer_renderable(found, frozenset())).splitlines() == [
        " no answer   m: 0 call(s) run, 0 refused  iv-2", "the model did not answer within 10 s"]
