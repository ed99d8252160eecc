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
printf '\n# Restrict first, then expose: the allow list is on before the EIP is associated.\n'
run associate --eip 47.96.1.10 --allow 203.0.113.0/24 --dry-run
run associate --eip 47.96.1.10 --allow 203.0.113.0/24 --yes
run associate --eip 47.96.1.10
printf '\n# Who may connect: a temporary entry, then the list as it is.\n'
run allow 198.51.100.7 --for 2h --comment contractor
run revoke 198.51.100.7 || echo "(exit $?: revoking could cut off this machine; --yes goes ahead)"
run revoke 198.51.100.7 --yes
run revoke 100.104.0.0/16 --yes || echo "(exit $?: a required entry)"
printf '\n# A list shared with another listener is a conflict (exit 4):\n'
run allow 198.51.100.7 --cluster-id c222e1df9bdf9c642497b06cc359b5041 || echo "(exit $?)"
run kubeconfig
run change --allocate --bandwidth 10 --release --update-kubeconfig
run disassociate --release --update-kubeconfig
run status -o json
run status --all-contexts
printf '\n# Cutting off the context in use is refused without --yes (exit 7):\n'
run disassociate --context 1234567890123456-cceb0fe4eaa272d7f9b2fef31b0dafdde || echo "(exit $?)"
printf '\n# Clusters that cannot change their EIP say why (exit 3):\n'
run associate --allocate --cluster-id cc9fa2768e40e75cb7a06216e4d8931fd || echo "(exit $?)"
run simulator show
