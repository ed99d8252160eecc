#!/usr/bin/env bash
# The build's version, as `git describe` would give it if the commit that last
# changed VERSION were tagged with it: v0.1.0 on that commit, v0.1.0-N-gSHA
# N commits later, with -dirty for uncommitted changes. Release archives use
# VERSION alone (.goreleaser.yaml). Without git history it is VERSION-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$(tr -d '[:space:]' < VERSION)
since=$(git log -1 --format=%H -- VERSION 2>/dev/null) || since=
if [ -z "$since" ]; then echo "$base-dev"; exit 0; fi
n=$(git rev-list --count "$since..HEAD")
v=$base
[ "$n" -gt 0 ] && v="$base-$n-g$(git rev-parse --short HEAD)"
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && v="$v-dirty"
echo "$v"
