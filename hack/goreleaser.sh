#!/usr/bin/env bash
# Runs the pinned GoReleaser (.cache/bin, installed by the Makefile) with the
# pinned cyclonedx-gomod on PATH. In a clone without a remote (a local mirror,
# or a worktree of one), git gives GoReleaser no URL and it falls back to
# made-up commit data: no commit, no commit date, so the archives would carry
# the files' own times and not be reproducible. The project's URL is then
# given through git's environment config, which changes no file.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z $(git remote 2>/dev/null) ]]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/ack-expose/ack-expose.git
fi
PATH=$PWD/.cache/bin:$PATH exec "$PWD/.cache/bin/goreleaser" "$@"
