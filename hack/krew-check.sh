#!/usr/bin/env bash
# Proves the Krew path end to end, as a user would take it: build the host
# platform's release archive and its manifest, validate the manifest with
# Krew's own validator, install the archive with the real `kubectl krew
# install` into a temp KREW_ROOT, and run the plugin through the real kubectl.
# Also validates the committed plugins/ack-expose.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$PWD/.cache/bin
mkdir -p "$tools"
if [[ ! -x $tools/krew || ! -x $tools/validate-krew-manifest ]]; then
  GOBIN=$tools go install sigs.k8s.io/krew/cmd/krew@v0.4.3 sigs.k8s.io/krew/cmd/validate-krew-manifest@v0.4.3
fi
ln -sf "$tools/krew" "$tools/kubectl-krew"
if ! command -v kubectl >/dev/null; then
  echo "krew-check: kubectl is not installed; install it (e.g. apt-get install kubernetes-client)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(cat VERSION)
go run ./hack/dist -platforms host -out "$tmp/dist" -manifest "$tmp/plugins/ack-expose.yaml" >/dev/null
archive=$(ls "$tmp"/dist/ack-expose_*)

echo "== validate-krew-manifest (host build, and the committed manifest)"
"$tools/validate-krew-manifest" -manifest "$tmp/plugins/ack-expose.yaml" -skip-install
"$tools/validate-krew-manifest" -manifest plugins/ack-expose.yaml -skip-install

echo "== kubectl krew install --manifest --archive $(basename "$archive")"
export KREW_ROOT=$tmp/krew HOME=$tmp/home KUBECONFIG=$tmp/home/kubeconfig
mkdir -p "$HOME"
export PATH=$KREW_ROOT/bin:$tools:$PATH
kubectl krew install --manifest="$tmp/plugins/ack-expose.yaml" --archive="$archive"

echo "== kubectl ack-expose version"
out=$(kubectl ack-expose version)
echo "$out"
[[ $out == "kubectl-ack_expose $version"* ]] || { echo "krew-check: want version $version" >&2; exit 1; }

echo "== kubectl plugin list"
kubectl plugin list 2>/dev/null | grep -F "$KREW_ROOT/bin/kubectl-ack_expose"

echo "== the installed plugin works: simulator lifecycle through kubectl"
kubectl ack-expose simulator init --modify-cluster-time 0s >/dev/null
export ACK_EXPOSE_BACKEND=simulator KUBECONFIG=$HOME/.ack-expose/kubeconfig
kubectl ack-expose associate --eip 47.96.1.10 -o 'jsonpath={.publicEndpoint}' 2>/dev/null | grep -Fx "https://47.96.1.10:6443"

echo "== shell completion through kubectl's plugin completion"
ln -sf "$KREW_ROOT/store/ack-expose/$version/kubectl_complete-ack_expose" "$KREW_ROOT/bin/"
minor=$(kubectl version --client -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -1)
if [[ ${minor:-0} -ge 26 ]]; then
  kubectl __complete ack-expose status --output '' 2>/dev/null | grep -Fx json
else
  echo "kubectl 1.$minor predates plugin completion (1.26); checking the shim directly"
  kubectl_complete-ack_expose status --output '' | grep -Fx json
fi
echo "krew-check: ok"
