#!/usr/bin/env bash
# pip-audit of the runtime dependencies as a fresh install resolves them (network: PyPI
# and the OSV database). Exit non-zero on a known vulnerability.
set -euo pipefail
cd "$(dirname "$0")/.."
env="$(mktemp -d)"
trap 'rm -rf "$env"' EXIT
python3 -m venv "$env/venv"
"$env/venv/bin/pip" install -q . pip-audit
"$env/venv/bin/pip" freeze --exclude-editable | grep -v '^kubechat-tui' > "$env/requirements.txt"
"$env/venv/bin/pip-audit" --strict --requirement "$env/requirements.txt"
