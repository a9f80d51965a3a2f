"""The GitHub Actions workflows are valid (SchemaStore's github-workflows schema, as
check-jsonschema vendors it) and every repo script they run exists and is executable, so
the pipeline is not untested YAML."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SCRIPT = re.compile(r"(?<![\w/.-])scripts/[\w.-]+")


def test_the_three_pipelines_exist() -> None:
    assert {p.stem for p in WORKFLOWS} == {"ci", "security", "release"}


def test_workflows_match_the_github_workflow_schema() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_broken_workflow_is_caught(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps: nope\n")
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", str(bad)], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.stem)
def test_every_script_a_workflow_runs_is_in_the_repo(workflow: Path) -> None:
    steps = [step for job in yaml.safe_load(workflow.read_text())["jobs"].values()
             for step in job.get("steps", [])]
    scripts = {m for step in steps for m in SCRIPT.findall(step.get("run", ""))}
    assert scripts, f"{workflow.name} runs no repo script"
    for script in scripts:
        path = ROOT / script
        assert path.is_file(), f"{workflow.name} runs {script}, which does not exist"
        if path.suffix == ".sh":
            assert path.stat().st_mode & 0o111, f"{script} is not executable"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    runs = [step.get("run", "") for step in ci["jobs"]["test"]["steps"]]
    assert ".ci/run" in runs
