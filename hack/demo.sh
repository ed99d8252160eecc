#!/usr/bin/env bash
# The real lifecycle against a fresh simulator world in a temp dir: status,
# associate, change, disassociate, cleanup, with the progress a user sees. It touches
# nothing of yours: its own HOME, KUBECONFIG and state file, removed at the end.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export HOME=$dir KUBECONFIG=$dir/kubeconfig ACK_EXPOSE_BACKEND=simulator ACK_EXPOSE_SIMULATOR_STATE=$dir/simulator.json
export PATH=$(dirname "$bin"):$PATH
if command -v kubectl >/dev/null 2>&1; then kae=(kubectl ack-expose); else kae=("$bin"); fi

run() { printf '\n\033[1m$ kubectl ack-expose %s\033[0m\n' "$*"; "${kae[@]}" "$@"; }

pro=1234567890123456-cceb0fe4eaa272d7f9b2fef31b0dafdde  # demo-pro's context: exposed from the start
edge=cba64f16032949ecdf6c50e9bd3fd09da                  # demo-edge
dedicated=cc9fa2768e40e75cb7a06216e4d8931fd             # demo-dedicated
serverless=c222e1df9bdf9c642497b06cc359b5041            # demo-serverless (its list is shared)

printf '\n# A fresh simulated world; the current context is demo-basic, not exposed.\n'
run simulator init --state "$ACK_EXPOSE_SIMULATOR_STATE" --kubeconfig "$KUBECONFIG" --modify-cluster-time 3s
run status

printf '\n# Restrict first, then expose: the allow list is on before the EIP is associated,\n# and the new endpoint is checked from here once the rollout is done.\n'
run associate --eip 47.96.1.10 --allow 203.0.113.0/24 --dry-run=client
run associate --eip 47.96.1.10 --allow 203.0.113.0/24 --yes
run associate --eip 47.96.1.10
run status --check

printf '\n# Who may connect: a temporary entry, guarded removals, entries ACK needs.\n'
run allow 198.51.100.7 --for 2h --comment contractor
run revoke 198.51.100.7 || echo "(exit $?: revoking could cut off this machine; --yes goes ahead)"
run revoke 198.51.100.7 --yes --confirm-timeout 5s
printf '\n# Commit confirmed: this machine connects from 203.0.113.10. Revoking its block cuts it off:\n# the endpoint its context uses is checked after the change, and the revoke reverted (exit 7).\n'
run revoke 203.0.113.0/24 --yes --confirm-timeout 5s || echo "(exit $?: reverted, the list is as it was)"
run revoke 100.104.0.0/16 --yes || echo "(exit $?: a required entry)"
printf '\n# A list shared with another listener is a conflict (exit 4):\n'
run allow 198.51.100.7 --cluster-id $serverless || echo "(exit $?)"

printf '\n# A context that reaches the cluster publicly, never overwriting another cluster'"'"'s (exit 4):\n'
run kubeconfig
run kubeconfig --name $pro || echo "(exit $?)"

printf '\n# Change the EIP (the kubeconfig follows), through a cloud that throttles the change\n# twice and fails on its side (HTTP 500) once: retried (the allocation with its client\n# token, so no second EIP), and the faults are used up. Then remove public access.\n'
run simulator fault add ModifyCluster --code Throttling.User --count 2
run simulator fault add AllocateEipAddress --code InternalError --status 500 --count 1
run change --allocate --bandwidth 10 --release --update-kubeconfig
run simulator fault list
run disassociate --release --update-kubeconfig
run status -o json

printf '\n# Every context at once, each endpoint checked from here:\n'
run status --all-contexts --check

printf '\n# The same check over the network: simulator serve plays the cloud APIs and the API\n# servers on loopback (the aliyun backend talks to it through the SDK), reached\n# through the ACK_EXPOSE_CONNECT_TO it prints:\n'
"$bin" simulator serve --state "$ACK_EXPOSE_SIMULATOR_STATE" >"$dir/serve.out" 2>/dev/null &
serve=$!
trap 'kill $serve 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do [ "$(wc -l <"$dir/serve.out")" -ge 2 ] && break; sleep 0.05; done
url=$(sed -n 1p "$dir/serve.out")
eval "$(sed -n 2p "$dir/serve.out")"
ACK_EXPOSE_BACKEND=aliyun ACK_EXPOSE_CS_ENDPOINT=$url ACK_EXPOSE_VPC_ENDPOINT=$url ACK_EXPOSE_SLB_ENDPOINT=$url \
  ALIBABA_CLOUD_ACCESS_KEY_ID=demo ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
  run status --check --context $pro

printf '\n# Any aliyun CLI mode signs (here CredentialsURI, served by simulator serve; the CLI\n# config is never written), and -v 1 says whose credentials they are (docs/credentials.md):\n'
printf '{"current":"sim","profiles":[{"name":"sim","mode":"CredentialsURI","credentials_uri":"%s/simulator/credentials","region_id":"cn-hangzhou"}]}\n' "$url" >"$dir/aliyun.json"
ACK_EXPOSE_BACKEND=aliyun ACK_EXPOSE_CS_ENDPOINT=$url ACK_EXPOSE_VPC_ENDPOINT=$url ACK_EXPOSE_SLB_ENDPOINT=$url \
  ACK_EXPOSE_STS_ENDPOINT=$url ALIBABA_CLOUD_CONFIG_FILE=$dir/aliyun.json ALIBABA_CLOUD_ECS_METADATA_DISABLED=true \
  run status --profile sim -v 1 --context $pro 2>&1 | grep -E '^debug: (credentials|caller)|^CLUSTER|^PUBLIC'
kill $serve
unset ACK_EXPOSE_CONNECT_TO

printf '\n# A DNS name in front of the EIP: put it in the certificate (the API server restarts,\n# so it asks first), point the name at the EIP, and a context by name passes the check:\n'
run sans add api.demo.example --context $pro || echo "(exit $?: restarting the API server needs --yes)"
run sans add api.demo.example --context $pro --yes
run simulator dns api.demo.example 47.96.1.20
run kubeconfig --context $pro --server-name api.demo.example
run status --check --context $pro-api.demo.example

printf '\n# Cutting off the context in use is refused without --yes (exit 7):\n'
run disassociate --context $pro || echo "(exit $?)"

printf '\n# A server named by DNS reaches the endpoint its name resolves to: status says so, and the\n# lockout guard covers it (ACK_EXPOSE_HOSTS stands in for DNS here):\n'
echo "47.96.1.20 api.pro.example" >"$dir/hosts"
export ACK_EXPOSE_HOSTS=$dir/hosts
run status --context $pro --server https://api.pro.example:6443
run disassociate --context $pro --server https://api.pro.example:6443 || echo "(exit $?)"
unset ACK_EXPOSE_HOSTS

printf '\n# ACK Edge clusters can change their EIP too (ACK docs, 2026-02); --wait=false returns\n# once the cloud accepted the change:\n'
run associate --eip 47.96.1.11 --allow 203.0.113.0/24 --yes --cluster-id $edge --wait=false

printf '\n# Clusters that cannot change their EIP say why (exit 3):\n'
run associate --allocate --cluster-id $dedicated || echo "(exit $?)"

printf '\n# A --release that cannot finish in time is recorded, and cleanup finishes it (exit 6 first):\n'
run associate --eip 47.96.1.12
run disassociate --release --timeout 1s || echo "(exit $?)"
run status
run cleanup --dry-run
run cleanup
run status --all-contexts -o wide

printf '\n# Every cluster of the account, context or not, as a gate for cron or CI: exit 8\n# when a cluster admits every address, each violation named:\n'
run status --all-clusters --fail-if open,expired || echo "(exit $?)"

printf '\n# The account-wide sweep: EIPs ack-expose marked in the cloud, whatever machine\n# allocated them, deleted clusters included, in every region:\n'
run cleanup --all-regions --dry-run

printf '\n# Several accounts in one audit: each aliyun CLI profile read as the account STS says\n# it is (here a second simulated account, its AccessKey ID mapped to its own state file):\n'
"$bin" simulator init --state "$dir/b.json" --kubeconfig "$dir/b.kubeconfig" --account-id 2222222222222222 >/dev/null
printf '{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"LTAIdemoA","access_key_secret":"demo"},{"name":"b","mode":"AK","access_key_id":"LTAIdemoB","access_key_secret":"demo"}]}\n' >"$dir/accounts.json"
ALIBABA_CLOUD_CONFIG_FILE=$dir/accounts.json ACK_EXPOSE_SIMULATOR_ACCOUNTS=LTAIdemoB=$dir/b.json KUBECONFIG=$KUBECONFIG:$dir/b.kubeconfig \
  run status --all-contexts --profiles all
run simulator show
