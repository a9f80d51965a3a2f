#!/usr/bin/env bash
# Scan the tracked files for credentials with detect-secrets, against the audited baseline
# `.secrets.baseline` (the simulator's demo data and the redaction rules' own examples are
# fake on purpose). tests/ is left out: its fixtures plant fake credentials (canaries) to
# prove they never reach the audit trail. `scripts/secret_scan.sh --update` rewrites the
# baseline after a review.
set -euo pipefail
cd "$(dirname "$0")/.."
env="$(mktemp -d)"
trap 'rm -rf "$env"' EXIT
python3 -m venv "$env/venv"
"$env/venv/bin/pip" install -q 'detect-secrets>=1.5,<2'
py="$env/venv/bin/python"
if [ "${1:-}" = "--update" ]; then
    git ls-files -z -- . ':!:tests/**' | xargs -0 "$py" -m detect_secrets scan > .secrets.baseline
    exit 0
fi
git ls-files -z -- . ':!:tests/**' ':!:.secrets.baseline' \
    | xargs -0 "$py" -m detect_secrets.pre_commit_hook --baseline .secrets.baseline
