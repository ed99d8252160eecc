package cmd

import (
	"io"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

type statusOptions struct {
	*clusterOptions
	allContexts bool
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
  kubectl ack-expose status -o jsonpath='{.publicEndpoint}'

  # Audit every context of the kubeconfig: which clusters are exposed?
  kubectl ack-expose status --all-contexts`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			if o.allContexts {
				ov := o.source.Overrides
				if o.clusterID != "" || ov.CurrentContext != "" || ov.Context.Cluster != "" || ov.ClusterInfo.Server != "" {
					return usageError("--all-contexts audits every context: it cannot be combined with --cluster-id, --context, --cluster or --server")
				}
				return o.runAudit(c)
			}
			if err := o.complete(c.Context()); err != nil {
				return err
			}
			return o.run(c)
		},
	}
	o.addFlags(c)
	c.Flags().BoolVar(&o.allContexts, "all-contexts", false, "Audit every context of the kubeconfig: one row per context, in a handful of API calls")
	return c
}

func (o *statusOptions) runAudit(c *cobra.Command) error {
	if err := o.connect(); err != nil {
		return err
	}
	contexts, err := o.source.All()
	if err != nil {
		return err
	}
	list, failed, err := o.service().Audit(c.Context(), contexts)
	if err != nil {
		return err
	}
	if err := printObject(o.streams.Out, o.printer, list, func(w io.Writer) error { return auditTable(w, list) }); err != nil {
		return err
	}
	if failed > 0 {
		return errdefs.Errorf(errdefs.KindInternal, "%d of %d contexts could not be audited because of cloud errors (see their rows)", failed, len(list.Items))
	}
	return nil
}

func (o *statusOptions) run(c *cobra.Command) error {
	x, err := o.service().Status(c.Context(), o.target)
	if err != nil {
		return err
	}
	return printObject(o.streams.Out, o.printer, x, func(w io.Writer) error { return exposureTable(w, x) })
}
