#!/usr/bin/env bash
# Lint, types and import contracts, as the CI workflow's lint job runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'; }
.venv/bin/ruff check kubechat_tui tests bench scripts
.venv/bin/mypy kubechat_tui
.venv/bin/lint-imports
