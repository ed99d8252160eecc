package cmd

import (
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

type statusOptions struct {
	*clusterOptions
}

func newStatusCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &statusOptions{clusterOptions: newClusterOptions(streams)}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the exposure of the cluster's API server: endpoints, EIP, whether it can change",
		Long: `Show the exposure of the cluster's API server: its intranet and public
endpoints, the EIP behind the public endpoint, and whether this cluster can
associate, change or disassociate an EIP (ACK standard, ACK Pro and ACK
Serverless clusters can, when running). Makes at most two API calls.`,
		Example: `  # The cluster of the current context
  kubectl ack-expose status

  # Another context, as JSON
  kubectl ack-expose status --context 1234567890123456-c0123456789abcdef0123456789abcdef -o json

  # Just the public endpoint, for scripts
  kubectl ack-expose status -o jsonpath='{.publicEndpoint}'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if err := o.complete(c.Context()); err != nil {
				return err
			}
			return o.run(c)
		},
	}
	o.addFlags(c)
	return c
}

func (o *statusOptions) run(c *cobra.Command) error {
	x, err := o.service().Status(c.Context(), o.target)
	if err != nil {
		return err
	}
	return printObject(o.streams.Out, o.printer, x, func(w io.Writer) error { return exposureTable(w, x) })
}
