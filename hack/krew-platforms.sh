#!/usr/bin/env bash
# After GoReleaser (`make release-snapshot`): install every archive of dist/
# with Krew under its own platform selector (KREW_OS/KREW_ARCH), from
# GoReleaser's dist/krew/ack-expose.yaml, into a temp KREW_ROOT, and check the
# installed files. Foreign binaries cannot run
# here, so this checks what Krew installed rather than running it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$PWD/.cache/bin
[[ -x $tools/krew ]] || GOBIN=$tools go install sigs.k8s.io/krew/cmd/krew@v0.4.3
ln -sf "$tools/krew" "$tools/kubectl-krew"
version=$(cat VERSION)
for archive in dist/ack-expose_"$version"_*.tar.gz dist/ack-expose_"$version"_*.zip; do
  plat=${archive#dist/ack-expose_${version}_}; plat=${plat%%.*}
  os=${plat%_*} arch=${plat#*_}
  tmp=$(mktemp -d)
  KREW_ROOT=$tmp KREW_OS=$os KREW_ARCH=$arch HOME=$tmp PATH=$tools:$PATH \
    kubectl krew install --manifest=dist/krew/ack-expose.yaml --archive="$archive" >/dev/null 2>&1 ||
    { echo "FAIL $os/$arch: krew install"; KREW_ROOT=$tmp KREW_OS=$os KREW_ARCH=$arch HOME=$tmp PATH=$tools:$PATH kubectl krew install --manifest=dist/krew/ack-expose.yaml --archive="$archive"; exit 1; }
  bin=kubectl-ack_expose; [[ $os == windows ]] && bin=$bin.exe
  store=$tmp/store/ack-expose/$version
  files=("$bin" LICENSE README.md); [[ $os == windows ]] || files+=(kubectl_complete-ack_expose)
  for f in "${files[@]}"; do [[ -f $store/$f ]] || { echo "FAIL $os/$arch: $f missing"; exit 1; }; done
  if command -v file >/dev/null; then file "$store/$bin" | sed "s|$store/||"; else echo "$os/$arch: $bin installed"; fi
  rm -rf "$tmp"
done
echo "krew-platforms: every archive installs under its selector"
