package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

type cleanupOptions struct {
	*clusterOptions
	dryRun     bool
	timeout    time.Duration
	allRegions bool
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
in flight), never releases an EIP that is associated with anything, nor an
Available one whose cluster is updating (a change may be binding it before its
status shows it: it stays recorded) or serves through it, nor one whose description no longer says what its record says (it forgets them
instead), releases only pay-as-you-go (PostPaid) EIPs, and skips the records
of another ack-expose still running (same PID and, on Linux, same process
start time; elsewhere, records younger than 24h), and those written with
another account's credentials (it names the --profile that wrote them). It lists each
EIP and what it did, or says "nothing to clean up".

It also finds the EIPs ack-expose marked in the cloud (named ack-expose-<cluster>,
described "allocated by ack-expose for cluster ..."), whatever machine or CI runner
allocated them, and releases those Available, pay-as-you-go and not about to be
used by their cluster (not while it is updating). --region R without a context
or --cluster-id cleans up a whole region (one of the account's; with a
cluster, --region must be the cluster's own), and --all-regions every region of the
account: no cluster needed, and the EIPs of deleted clusters are found too.`,
		Example: `  # What would be released, without releasing anything
  kubectl ack-expose cleanup --dry-run

  # Release them, for the cluster of another context
  kubectl ack-expose cleanup --context prod-hangzhou

  # As JSON, for scripts
  kubectl ack-expose cleanup -o json

  # A whole region, whatever cluster (deleted ones included), from any machine
  kubectl ack-expose cleanup --region cn-hangzhou --dry-run

  # Every region of the account
  kubectl ack-expose cleanup --all-regions`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			defer catchInterrupts(c)()
			if err := o.toOptions(); err != nil {
				return flagError(err)
			}
			if o.timeout <= 0 {
				return usageError("--timeout must be positive, as in --timeout 2m; got %s", o.timeout)
			}
			if o.regionWide() {
				return o.runRegions(c.Context())
			}
			if err := o.complete(c.Context()); err != nil {
				return err
			}
			if err := o.checkClusterRegion(c.Context()); err != nil {
				return err
			}
			return o.run(c.Context())
		},
	}
	o.addFlags(c)
	addDryRunFlag(c, &o.dryRun, "list what would be released")
	c.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "How long to wait for EIPs still Associating or Unassociating")
	c.Flags().BoolVar(&o.allRegions, "all-regions", false, "Clean up every region of the account, without a cluster")
	return c
}

func (o *cleanupOptions) run(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := o.service().Cleanup(wctx, o.target, o.dryRun)
	if res != nil {
		perr := printObject(o.streams.Out, o.printer, res, func(w io.Writer) error { return cleanupTable(w, res) })
		if perr = printedAfter(o.streams.ErrOut, perr, cleanupDone(res)); perr != nil {
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

// checkClusterRegion refuses a --region that is not the named cluster's: a
// cluster's cleanup works in the cluster's region, and silently cleaning up
// another one than the user named would surprise.
func (o *cleanupOptions) checkClusterRegion(ctx context.Context) error {
	if o.region == "" {
		return nil
	}
	cl, err := o.be.DescribeCluster(ctx, o.target.ClusterID)
	if err != nil {
		return err
	}
	if cl.RegionID != "" && cl.RegionID != o.region {
		return usageError("--region %s contradicts the cluster: %s is in %s, and cleanup of a cluster works in its region; drop --region, or name no cluster (--region %s alone cleans up that whole region)", o.region, o.target.ClusterID, cl.RegionID, o.region)
	}
	return nil
}

// regionWide: --all-regions, or --region without anything naming a cluster.
func (o *cleanupOptions) regionWide() bool {
	ov := o.source.Overrides
	named := o.clusterID != "" || ov.CurrentContext != "" || ov.Context.Cluster != "" || ov.ClusterInfo.Server != ""
	return o.allRegions || (o.region != "" && !named)
}

// cleanupList is cleanup's result over several regions (--all-regions).
type cleanupList struct {
	expose.TypeMeta
	Items []*expose.CleanupResult `json:"items"`
}

func (o *cleanupOptions) runRegions(ctx context.Context) error {
	if o.allRegions && (o.region != "" || o.clusterID != "" || o.source.Overrides.CurrentContext != "") {
		return usageError("--all-regions cleans up every region: it cannot be combined with --region, --cluster-id or --context")
	}
	if err := o.connect(ctx); err != nil {
		return err
	}
	all, err := o.be.ListRegions(ctx)
	if err != nil {
		return err
	}
	regions := all
	if !o.allRegions {
		if !slices.Contains(all, o.region) {
			return usageError("--region %s is not a region of the account: use one of %s", o.region, strings.Join(all, ", "))
		}
		regions = []string{o.region}
	}
	wctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	svc := o.service()
	list := &cleanupList{TypeMeta: expose.TypeMeta{APIVersion: expose.APIVersion, Kind: "EIPCleanupList"}}
	var errs []error
	for _, r := range regions {
		res, err := svc.CleanupRegion(wctx, r, o.dryRun)
		if res != nil {
			list.Items = append(list.Items, res)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r, err))
		}
	}
	var out any = list
	if !o.allRegions && len(list.Items) == 1 {
		out = list.Items[0]
	}
	perr := printObject(o.streams.Out, o.printer, out, func(w io.Writer) error {
		for _, r := range list.Items {
			if err := cleanupTable(w, r); err != nil {
				return err
			}
		}
		return nil
	})
	if perr = printedAfter(o.streams.ErrOut, perr, cleanupDone(list.Items...)); perr != nil {
		return perr
	}
	if ctx.Err() != nil {
		return errdefs.Errorf(errdefs.KindInterrupted, "interrupted; what is not released stays recorded: run `kubectl ack-expose cleanup` again")
	}
	if wctx.Err() != nil {
		return errdefs.Errorf(errdefs.KindTimeout, "timed out after %s waiting for EIPs to settle: run `kubectl ack-expose cleanup` again", o.timeout)
	}
	return errors.Join(errs...)
}

// cleanupDone is printedAfter's done for cleanups that released EIPs: an
// output that cannot be printed then must not read as "nothing happened"
// (exit 2), so it is a warning and the cleanup's own outcome stands.
func cleanupDone(rs ...*expose.CleanupResult) string {
	n := 0
	for _, r := range rs {
		for _, it := range r.Items {
			if it.Action == expose.CleanupReleased {
				n++
			}
		}
	}
	if n == 0 {
		return ""
	}
	return plural.N(n, "EIP", "EIPs") + " released"
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
