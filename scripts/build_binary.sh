#!/usr/bin/env bash
# Build the single-file linux executable `dist/kubechat` with PyInstaller (the `release`
# extra). Usage: scripts/build_binary.sh [OUT_DIR] (default dist/). The release workflow
# and tests/release/test_binary.py call this script; it prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-dist}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python="${PYTHON:-.venv/bin/python}"
"$python" -m PyInstaller --onefile --noconfirm --log-level WARN \
    --name kubechat --distpath "$out" --workpath "$work" --specpath "$work" \
    --collect-submodules kubechat_tui --collect-data kubechat_tui \
    --collect-data textual --collect-submodules textual.widgets \
    --collect-submodules celpy --collect-data celpy \
    --add-data "$PWD/recipes":kubechat_tui/recipes \
    --add-data "$PWD/themes":kubechat_tui/themes \
    --copy-metadata kubechat-tui \
    --exclude-module litellm --exclude-module boto3 --exclude-module pytest \
    --exclude-module hypothesis --exclude-module moto --exclude-module mypy \
    --exclude-module kubernetes_validate --exclude-module check_jsonschema \
    "$PWD/kubechat_tui/__main__.py" >&2
echo "$out/kubechat"
