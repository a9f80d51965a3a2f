"""A summary links to the diagnostics it was written from: the read runs of the same
submitted plan (their result blocks, by run id) are named in its audit record."""

from __future__ import annotations

import re

from tests.cli.runner import Cli

REQUEST = "scale payments-api in staging to 2"


def test_the_summary_names_the_read_runs_of_its_plan(cli: Cli) -> None:
    code, out, err = cli.run("ask", REQUEST)
    assert code == 0, err
    run_id = re.search(r"^(rd-[0-9a-f]{10}): ", out, re.M)
    assert run_id, out
    code, out, err = cli.run("apply", str(cli.save_plan(REQUEST)), "--yes")
    assert code == 0, err
    summary = next(e for e in cli.records() if e.action == "summary.written")
    assert summary.payload["evidence"] == [run_id.group(1)]


def test_a_plan_never_asked_about_has_no_evidence(cli: Cli) -> None:
    code, _, err = cli.run("apply", str(cli.save_plan(REQUEST)), "--yes")
    assert code == 0, err
    summary = next(e for e in cli.records() if e.action == "summary.written")
    assert summary.payload["evidence"] == []
