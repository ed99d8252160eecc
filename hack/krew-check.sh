#!/usr/bin/env bash
# Proves the release path end to end, as a user would take it: GoReleaser's
# snapshot release (the six archives, checksums.txt, the Krew manifest) into
# dist/; .krew.yaml rendered for VERSION as krew-release-bot would and compared
# with GoReleaser's manifest; both manifests (and the committed
# plugins/ack-expose.yaml) validated with Krew's own validator; the host's
# archive installed with the real `kubectl krew install` into a temp KREW_ROOT
# and run through the real kubectl, with completion set up as the caveats say.
# SBOMs and the signature are left to `make release-snapshot` and CI.
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
version=$(tr -d '[:space:]' < VERSION)

echo "== goreleaser release --snapshot (dist/)"
log=$(mktemp)
if ! bash hack/goreleaser.sh release --snapshot --clean --skip=sign,sbom >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
manifest=dist/krew/ack-expose.yaml
ls dist/*.tar.gz dist/*.zip dist/checksums.txt "$manifest" >/dev/null
(cd dist && sha256sum -c --quiet checksums.txt)

echo "== .krew.yaml rendered for $version is GoReleaser's manifest"
go run ./hack/krewcompare -template .krew.yaml -tag "$version" -checksums dist/checksums.txt -manifest "$manifest"

echo "== validate-krew-manifest (GoReleaser's, and the committed plugins/ack-expose.yaml)"
"$tools/validate-krew-manifest" -manifest "$manifest" -skip-install
"$tools/validate-krew-manifest" -manifest plugins/ack-expose.yaml -skip-install

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
archive=$(ls dist/ack-expose_"$version"_"$(go env GOOS)"_"$(go env GOARCH)".*)
echo "== kubectl krew install --manifest --archive $(basename "$archive")"
export KREW_ROOT=$tmp/krew HOME=$tmp/home KUBECONFIG=$tmp/home/kubeconfig
mkdir -p "$HOME"
export PATH=$KREW_ROOT/bin:$tools:$PATH
kubectl krew install --manifest="$manifest" --archive="$archive"

echo "== kubectl ack-expose version"
out=$(kubectl ack-expose version)
echo "$out"
[[ $out == "kubectl-ack_expose $version"* ]] || { echo "krew-check: want version $version" >&2; exit 1; }

echo "== kubectl plugin list"
kubectl plugin list 2>/dev/null | grep -F "$KREW_ROOT/bin/kubectl-ack_expose"

echo "== the installed plugin works: simulator lifecycle through kubectl"
kubectl ack-expose simulator init --modify-cluster-time 0s >/dev/null
(
  export ACK_EXPOSE_BACKEND=simulator KUBECONFIG=$HOME/.ack-expose/kubeconfig
  kubectl ack-expose associate --eip 47.96.1.10 -o 'jsonpath={.publicEndpoint}' 2>/dev/null | grep -Fx "https://47.96.1.10:6443"
)

echo "== shell completion, set up with the caveats' one line"
shim=$(sed -n 's/^ *\(printf .*kubectl_complete-ack_expose"\)$/\1/p' "$manifest")
[[ -n $shim ]] || { echo "krew-check: the manifest's caveats have no completion line" >&2; exit 1; }
sh -c "$shim"
minor=$(kubectl version --client -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -1)
if [[ ${minor:-0} -ge 26 ]]; then
  kubectl __complete ack-expose status --output '' 2>/dev/null | grep -Fx json
else
  echo "kubectl 1.$minor predates plugin completion (1.26); checking the shim directly"
  kubectl_complete-ack_expose status --output '' | grep -Fx json
fi
echo "krew-check: ok"
