#!/usr/bin/env bash
# The real lifecycle against a fresh simulator world in a temp dir: status,
# associate, change, disassociate, with the progress a user sees. It touches
# nothing of yours: its own HOME, KUBECONFIG and state file, removed at the end.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export HOME=$dir KUBECONFIG=$dir/kubeconfig ACK_EXPOSE_BACKEND=simulator ACK_EXPOSE_SIMULATOR_STATE=$dir/simulator.json
export PATH=$(dirname "$bin"):$PATH
if command -v kubectl >/dev/null 2>&1; then kae=(kubectl ack-expose); else kae=("$bin"); fi

run() { printf '\n\033[1m$ kubectl ack-expose %s\033[0m\n' "$*"; "${kae[@]}" "$@"; }

run simulator init --state "$ACK_EXPOSE_SIMULATOR_STATE" --kubeconfig "$KUBECONFIG" --modify-cluster-time 3s
run status
run associate --eip 47.96.1.10 --dry-run
run associate --eip 47.96.1.10
run associate --eip 47.96.1.10
run kubeconfig
printf '\n# It never overwrites a context that reaches another cluster (exit 4):\n'
run kubeconfig --name 1234567890123456-cceb0fe4eaa272d7f9b2fef31b0dafdde || echo "(exit $?)"
run change --allocate --bandwidth 10 --release --update-kubeconfig
run disassociate --release --update-kubeconfig
run status -o json
run status --all-contexts
printf '\n# Cutting off the context in use is refused without --yes (exit 7):\n'
run disassociate --context 1234567890123456-cceb0fe4eaa272d7f9b2fef31b0dafdde || echo "(exit $?)"
printf '\n# Clusters that cannot change their EIP say why (exit 3):\n'
run associate --allocate --cluster-id cc9fa2768e40e75cb7a06216e4d8931fd || echo "(exit $?)"
run simulator show
