package cmd

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

// The sans commands change the extra names of the API server's certificate
// through the same plan, guard, wait and output as associate and change
// (mutate.go): only their kinds are written here.

const sansNote = `Names are DNS names (api.example.com, *.example.com) or IP addresses, checked
before any call. ACK takes them on ACK standard, ACK Pro and ACK Serverless
clusters (ModifyCluster api_server_custom_cert_sans); dedicated, registered,
Edge and Lingjun clusters are refused (exit 3). The change restarts the API
server: every client is interrupted until the rollout is done, so the command
asks first (--yes to skip the question; without a terminal it is refused,
exit 7). It waits until the cluster is running again (--wait=false to return
at once), then checks the endpoint from this machine. See
docs/certificate-names.md for when to use a name, tls-server-name, or neither.`

var (
	mutateSANsAdd = mutateKind{
		action: expose.SANsAdd,
		use:    "add NAME...",
		short:  "Add names to the API server's certificate (restarts the API server)",
		long: `Add DNS names or IP addresses to the extra names (SANs) of the API server's
certificate, so that kubectl accepts the API server when it reaches it by one
of them: a DNS name in front of the public endpoint survives an EIP change.
Names the certificate already holds are left alone; if it holds them all,
nothing is done.

` + sansNote,
		example: `  # Reach the API server as api.example.com (its DNS record points at the EIP)
  kubectl ack-expose sans add api.example.com --yes
  kubectl ack-expose kubeconfig --server-name api.example.com

  # See what would change, without changing anything
  kubectl ack-expose sans add api.example.com 203.0.113.7 --dry-run`,
	}
	mutateSANsRemove = mutateKind{
		action: expose.SANsRemove,
		use:    "remove NAME...",
		short:  "Remove names from the API server's certificate (restarts the API server)",
		long: `Remove names from the extra names (SANs) of the API server's certificate. A
context that reaches the API server by a removed name stops working: the
question says so. Removing names the certificate does not hold does nothing.

` + sansNote,
		example: `  kubectl ack-expose sans remove old-api.example.com --yes`,
	}
	mutateSANsSet = mutateKind{
		action: expose.SANsSet,
		use:    "set NAME...",
		short:  "Replace the API server certificate's extra names (restarts the API server)",
		long: `Make the given names the whole list of extra names (SANs) of the API server's
certificate. Setting the names it already holds does nothing.

` + sansNote,
		example: `  kubectl ack-expose sans set api.example.com api.internal.example.com --yes`,
	}
)

func newSANsCommand(streams genericiooptions.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "sans",
		Short: "Manage the extra names of the API server's certificate: add, remove, set",
		Long: `Manage the extra names (subject alternative names) of the API server's
certificate, so that clients can reach the API server by a DNS name of your
own. The current names are shown by ` + "`kubectl ack-expose status`" + ` (CERTIFICATE NAMES).

` + sansNote,
		Example: `  kubectl ack-expose status                       # CERTIFICATE NAMES: ...
  kubectl ack-expose sans add api.example.com --yes
  kubectl ack-expose sans remove api.example.com --yes
  kubectl ack-expose sans set api.example.com --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(
		newMutateCommand(streams, mutateSANsAdd),
		newMutateCommand(streams, mutateSANsRemove),
		newMutateCommand(streams, mutateSANsSet),
	)
	return c
}
