#!/usr/bin/env bash
# CycloneDX SBOM (JSON) of kubechat's runtime environment: OUT [PYTHON]. Without PYTHON a
# fresh venv gets the wheel built from this checkout (network: PyPI). The result is
# validated against the CycloneDX schema before the script succeeds.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:?usage: sbom.sh OUT [PYTHON]}")"
python="${2:-}"
tool=".venv/bin/python"
[ -x "$tool" ] || tool="python3"
if [ -z "$python" ]; then
    env="$(mktemp -d)"
    trap 'rm -rf "$env"' EXIT
    python3 -m venv "$env/venv"
    "$env/venv/bin/pip" install -q .
    python="$env/venv/bin/python"
fi
mkdir -p "$(dirname "$out")"
"$tool" -m cyclonedx_py environment --output-format JSON --output-file "$out" "$python"
"$tool" scripts/sbom_validate.py "$out"
