#!/usr/bin/env bash
# Run the end-to-end suites against the simulator speaking Kubernetes MINOR (1.33..1.36)
# with whatever kubectl is on PATH, and write the outcome as JSON to OUT for
# scripts/compat_matrix.py. Usage: scripts/compat_run.sh 1.34 compat-1.34.json
set -euo pipefail
cd "$(dirname "$0")/.."
minor="${1:?usage: compat_run.sh MINOR OUT}"
out="$(realpath -m "${2:?usage: compat_run.sh MINOR OUT}")"
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'; }
junit="$(mktemp --suffix=.xml)"
trap 'rm -f "$junit"' EXIT
status=0
KUBECHAT_SIM_KUBERNETES="$minor" .venv/bin/python -m pytest -q -p no:cacheprovider \
    --junitxml="$junit" tests/e2e tests/sim tests/kube tests/cli/test_real_kubeconfigs.py \
    || status=$?
kubectl_version="$(kubectl version --client -o json 2>/dev/null \
    | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])' \
    || echo none)"
.venv/bin/python scripts/compat_matrix.py --record "$junit" "$minor" "$kubectl_version" > "$out"
exit "$status"
