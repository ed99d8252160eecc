#!/usr/bin/env bash
# What `make test` needs, checked up front: one line naming the first thing
# missing and how to get it, exit 1. (make itself must be there to run this.)
set -uo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
if ! command -v "$go" >/dev/null; then
  echo "make test: Go is not installed or not on PATH: install Go 1.26 or later (https://go.dev/dl), e.g. in /usr/local/go/bin" >&2
  exit 1
fi
want=$(sed -n 's/^go \([0-9.]*\).*/\1/p' go.mod)
have=$("$go" env GOVERSION | sed 's/^go//')
if [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1) != "$want" ]] && ! "$go" env GOTOOLCHAIN | grep -qv '^local$'; then
  echo "make test: Go $have is older than go.mod's $want and GOTOOLCHAIN=local forbids fetching it: install Go $want or later" >&2
  exit 1
fi
if ! command -v kubectl >/dev/null; then
  echo "make test: kubectl is not installed: install it (apt-get install kubernetes-client, brew install kubectl, or https://kubernetes.io/docs/tasks/tools/); the Krew check runs the plugin through it" >&2
  exit 1
fi
# Modules not in the cache come from the module proxy; a warm cache needs no network.
if ! out=$("$go" mod download 2>&1); then
  echo "make test: cannot download the Go modules from the module proxy ($("$go" env GOPROXY)): check the network or GOPROXY (${out%%$'\n'*})" >&2
  exit 1
fi
