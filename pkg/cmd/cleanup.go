package cmd

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

type cleanupOptions struct {
	*clusterOptions
	dryRun  bool
	timeout time.Duration
}

func newCleanupCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &cleanupOptions{clusterOptions: newClusterOptions(streams)}
	o.mutates = true
	c := &cobra.Command{
		Use:   "cleanup",
		Short: "Release the EIPs that ack-expose allocated and never used, or was asked to release",
		Long: `Finish what an interrupted, timed-out or failed operation left behind, in the
region of the cluster: release the EIPs that ack-expose allocated and never
associated, or was asked to release (--release), once they are Available.

ack-expose records such EIPs in ~/.ack-expose/journal.json (and marks every EIP
it allocates with the description "allocated by ack-expose for cluster ...").
cleanup waits while an EIP is still Associating or Unassociating (an operation
in flight), never releases an EIP that is associated with anything, nor one
whose description no longer says what its record says (it forgets them
instead), releases only pay-as-you-go (PostPaid) EIPs, and skips the records
of another ack-expose still running (same PID and, on Linux, same process
start time; elsewhere, records younger than 24h). It lists each
EIP and what it did, or says "nothing to clean up".`,
		Example: `  # What would be released, without releasing anything
  kubectl ack-expose cleanup --dry-run

  # Release them, for the cluster of another context
  kubectl ack-expose cleanup --context prod-hangzhou

  # As JSON, for scripts
  kubectl ack-expose cleanup -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			defer catchInterrupts(c)()
			if err := o.toOptions(); err != nil {
				return flagError(err)
			}
			if o.timeout <= 0 {
				return usageError("--timeout must be positive, as in --timeout 2m; got %s", o.timeout)
			}
			if err := o.complete(c.Context()); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(c)
	addDryRunFlag(c, &o.dryRun, "list what would be released")
	c.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "How long to wait for EIPs still Associating or Unassociating")
	return c
}

func (o *cleanupOptions) run(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := o.service().Cleanup(wctx, o.target, o.dryRun)
	if res != nil {
		if perr := printObject(o.streams.Out, o.printer, res, func(w io.Writer) error { return cleanupTable(w, res) }); perr != nil {
			return perr
		}
	}
	if err != nil && ctx.Err() != nil {
		return errdefs.Errorf(errdefs.KindInterrupted, "interrupted; what is not released stays recorded: run `kubectl ack-expose cleanup` again")
	}
	if err != nil && wctx.Err() != nil {
		return errdefs.Errorf(errdefs.KindTimeout, "timed out after %s waiting for EIPs to settle; what is not released stays recorded: run `kubectl ack-expose cleanup` again", o.timeout)
	}
	return err
}

func cleanupTable(w io.Writer, r *expose.CleanupResult) error {
	if len(r.Items) == 0 {
		fmt.Fprintf(w, "nothing to clean up in %s\n", r.RegionID)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EIP\tADDRESS\tCLUSTER\tREASON\tSTATUS\tACTION\tNOTE")
	for _, it := range r.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.AllocationID, cmp.Or(it.IPAddress, "-"), it.ClusterID, it.Reason, cmp.Or(it.Status, "-"), it.Action, cmp.Or(it.Note, "-"))
	}
	return tw.Flush()
}
