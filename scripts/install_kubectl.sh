#!/usr/bin/env bash
# Install kubectl VERSION (e.g. 1.36.0) from dl.k8s.io into /usr/local/bin, checked
# against its published sha256. CI only: these machines already have /usr/bin/kubectl.
set -euo pipefail
version="${1:?usage: install_kubectl.sh VERSION}"
base="https://dl.k8s.io/release/v${version}/bin/linux/amd64"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl -fsSLo "$tmp/kubectl" "$base/kubectl"
echo "$(curl -fsSL "$base/kubectl.sha256")  $tmp/kubectl" | sha256sum --check --quiet
sudo install -m 0755 "$tmp/kubectl" /usr/local/bin/kubectl
kubectl version --client
