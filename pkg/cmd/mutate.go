package cmd

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/internal/eipspec"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

type mutateKind struct {
	action           expose.Action
	short, long, use string
	example          string
}

// eip says whether the action takes an EIP (--eip, --allocate).
func (k mutateKind) eip() bool { return k.action == expose.Associate || k.action == expose.Change }

var (
	mutateAssociate = mutateKind{
		action: expose.Associate,
		use:    "associate (--eip ID|IP | --allocate)",
		short:  "Associate an EIP with the cluster's API server, giving it a public endpoint",
		long: `Associate an elastic IP (EIP) with the API server of the cluster, so it can be
reached over the Internet. Give an Available EIP of the cluster's region with
--eip (allocation ID or address), or let --allocate create a pay-as-you-go EIP;
if anything fails after the allocation, that EIP is released again.

Only ACK standard, ACK Pro, ACK Serverless and ACK Edge clusters can associate
an EIP after creation. ACK rolls the API server out again: the command waits until the
change is done (--wait=false to return at once) and prints the result, then
checks the new public endpoint from this machine (as status --check does; a
failed check is a warning; --check=false skips it).
Associating the EIP that is already associated does nothing and succeeds.`,
		example: `  # Associate an existing EIP, by allocation ID or by address
  kubectl ack-expose associate --eip eip-bp1abcdefghijklmnopqr
  kubectl ack-expose associate --eip 47.96.1.10

  # Allocate a new 10 Mbps EIP billed by traffic and associate it
  kubectl ack-expose associate --allocate --bandwidth 10 --internet-charge-type PayByTraffic

  # See what would happen, without changing anything
  kubectl ack-expose associate --eip 47.96.1.10 --dry-run`,
	}
	mutateChange = mutateKind{
		action: expose.Change,
		use:    "change (--eip ID|IP | --allocate)",
		short:  "Replace the EIP associated with the cluster's API server",
		long: `Replace the EIP associated with the API server of the cluster by another one
(--eip) or a newly allocated one (--allocate). The public endpoint's address
changes: contexts that use the old address stop working, so if the context in
use reaches the cluster through it, the command asks first (or needs --yes).
--release releases the old EIP once it is free. Once done, the new endpoint is
checked from this machine (a failed check is a warning; --check=false skips it).

Changing to the EIP that is already associated does nothing and succeeds.`,
		example: `  # Move the API server to another EIP
  kubectl ack-expose change --eip eip-bp1abcdefghijklmnopqr

  # Move it to a new EIP and release the old one
  kubectl ack-expose change --allocate --release --yes`,
	}
	mutateDisassociate = mutateKind{
		action: expose.Disassociate,
		use:    "disassociate",
		short:  "Remove public access: disassociate the EIP from the cluster's API server",
		long: `Disassociate the EIP from the API server of the cluster: the public endpoint
goes away and the cluster is reachable only from inside its VPC. If the context
in use reaches the cluster through the public endpoint, the command asks first
(or needs --yes), and says how to reach the cluster afterwards.
--release also releases the EIP once it is free (pay-as-you-go EIPs only).

Disassociating when no EIP is associated does nothing and succeeds.`,
		example: `  # Remove public access, keeping the EIP
  kubectl ack-expose disassociate

  # Remove public access and release the EIP, without a prompt
  kubectl ack-expose disassociate --release --yes`,
	}
)

type mutateOptions struct {
	*clusterOptions
	kind mutateKind

	eip        string
	allocate   bool
	bandwidth  int
	chargeType string
	isp        string
	release    bool
	dryRun     bool
	wait       bool
	timeout    time.Duration
	yes        bool
	updateKube bool
	names      []string // the certificate names of a sans action
	prompt     prompt   // the lockout guard's question (prompt.go)
	request    expose.Request
	chk        checkOptions
	// allow is associate --allow: the sources are allowed before the EIP is
	// associated, so the API server is never open to the world; the list it
	// turns on is confirmed (allowConfirm).
	allow        []string
	allowConfirm confirmFlags
}

func newMutateCommand(streams genericiooptions.IOStreams, k mutateKind) *cobra.Command {
	o := &mutateOptions{clusterOptions: newClusterOptions(streams), kind: k}
	o.mutates = true
	c := &cobra.Command{
		Use:     k.use,
		Short:   k.short,
		Long:    k.long,
		Example: k.example,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			defer catchInterrupts(c)()
			o.names = args
			if err := o.toOptions(c); err != nil {
				return flagError(err)
			}
			if err := o.complete(c.Context()); err != nil {
				if c.Context().Err() != nil {
					return errdefs.Errorf(errdefs.KindInterrupted, "interrupted before any change was made: nothing was changed")
				}
				return err
			}
			o.prompt.ctx = c.Context()
			return afterPrompt(&o.prompt, o.run(c))
		},
	}
	if k.action.IsSANs() {
		c.Args = cobra.MinimumNArgs(1)
	}
	o.addFlags(c)
	f := c.Flags()
	if k.eip() {
		f.StringVar(&o.eip, "eip", "", "EIP to associate: its allocation ID (eip-...) or its IP address")
		f.BoolVar(&o.allocate, "allocate", false, "Allocate a new pay-as-you-go EIP in the cluster's region and associate it")
		f.IntVar(&o.bandwidth, "bandwidth", 5, "With --allocate: peak bandwidth in Mbps (1-200 for PayByTraffic, 1-500 for PayByBandwidth)")
		f.StringVar(&o.chargeType, "internet-charge-type", "PayByTraffic", "With --allocate: PayByTraffic or PayByBandwidth")
		f.StringVar(&o.isp, "isp", "BGP", "With --allocate: line type, BGP or BGP_PRO (BGP_PRO only in "+eipspec.BGPProRegionList()+")")
		_ = c.RegisterFlagCompletionFunc("internet-charge-type", cobra.FixedCompletions([]string{"PayByTraffic", "PayByBandwidth"}, cobra.ShellCompDirectiveNoFileComp))
		_ = c.RegisterFlagCompletionFunc("isp", cobra.FixedCompletions([]string{"BGP", "BGP_PRO"}, cobra.ShellCompDirectiveNoFileComp))
		o.registerEIPCompletion(c)
	}
	if k.action != expose.Disassociate {
		o.chk.addFlags(f, false)
	}
	if k.action == expose.Associate {
		f.StringSliceVar(&o.allow, "allow", nil, "Sources allowed to reach the API server (addresses or CIDR blocks, comma-separated or repeated); the allow list is on before the EIP is associated")
		o.allowConfirm.addFlags(f)
	}
	if k.action == expose.Change || k.action == expose.Disassociate {
		f.BoolVar(&o.release, "release", false, "Release the EIP that is removed, once it is free (pay-as-you-go EIPs only)")
	}
	addDryRunFlag(c, &o.dryRun, "print the plan")
	f.BoolVar(&o.wait, "wait", true, "Wait until the change is done; --wait=false returns once the cloud accepted it")
	f.DurationVar(&o.timeout, "timeout", 10*time.Minute, "How long to wait for the whole operation, requests and rollout, before giving up (an accepted change continues; exit 6)")
	// Only the flags that mean something for the action: associate has no old
	// endpoint to repoint, and asks only when --allow turns a list on.
	switch k.action {
	case expose.Associate:
		f.BoolVarP(&o.yes, "yes", "y", false, "With --allow: do not ask before turning on the allow list cuts off the context in use")
	case expose.SANsAdd, expose.SANsRemove, expose.SANsSet:
		f.BoolVarP(&o.yes, "yes", "y", false, "Do not ask before restarting the API server (and cutting off a context that uses a removed name)")
	case expose.Disassociate:
		f.BoolVarP(&o.yes, "yes", "y", false, "Do not ask before cutting off the context in use")
		f.BoolVar(&o.updateKube, "update-kubeconfig", false, "Report the kubeconfig cluster entries that pointed at the removed public endpoint")
	default:
		f.BoolVarP(&o.yes, "yes", "y", false, "Do not ask before cutting off the context in use")
		f.BoolVar(&o.updateKube, "update-kubeconfig", false, "Repoint the kubeconfig cluster entries that pointed at the old public endpoint to the new one (their files and kubectl's locks are checked before any change)")
	}
	return c
}

// toOptions turns the flags into the request (kubectl's ToOptions), refusing
// bad input before any call.
func (o *mutateOptions) toOptions(c *cobra.Command) error {
	if err := o.clusterOptions.toOptions(); err != nil {
		return err
	}
	if err := o.chk.toOptions(); err != nil {
		return err
	}
	r := expose.Request{Action: o.kind.action, Release: o.release, UpdateKubeconfig: o.updateKube}
	if o.kind.action.IsSANs() {
		names, err := expose.ParseSANs(o.names)
		if err != nil {
			return err
		}
		r.SANs = names
	}
	if o.kind.eip() {
		switch {
		case o.eip != "" && o.allocate:
			return usageError("--eip and --allocate cannot be used together: give an EIP, or allocate a new one")
		case o.eip == "" && !o.allocate:
			return usageError("%s needs --eip ID|IP (an existing EIP) or --allocate (a new one)", o.kind.action)
		case o.eip != "":
			ref, err := expose.ParseEIPRef(o.eip)
			if err != nil {
				return err
			}
			r.EIP = &ref
			for _, name := range []string{"bandwidth", "internet-charge-type", "isp"} {
				if c.Flags().Changed(name) {
					return usageError("--%s applies only to --allocate", name)
				}
			}
		default:
			spec, err := allocateSpec(o.bandwidth, o.chargeType, o.isp)
			if err != nil {
				return err
			}
			r.Allocate = spec
		}
	}
	if len(o.allow) == 0 && (o.allowConfirm.flags != nil && (o.allowConfirm.flags.Changed("confirm-timeout") || o.allowConfirm.noConfirm)) {
		return usageError("--confirm-timeout and --no-confirm are about the allow list that --allow turns on: add --allow")
	}
	if len(o.allow) > 0 {
		if err := o.allowConfirm.toOptions(); err != nil {
			return err
		}
		sources, err := expose.ParseSources(o.allow)
		if err != nil {
			return err
		}
		r.Allow = sources
	}
	if o.timeout <= 0 {
		return usageError("--timeout must be positive, as in --timeout 10m; got %s", o.timeout)
	}
	if o.release && !o.wait && !o.dryRun {
		return usageError("--release must wait for the EIP to be free: drop --wait=false, or release the EIP later")
	}
	o.request = r
	return nil
}

// allocateSpec checks the --allocate flags against the VPC API's limits.
func allocateSpec(bandwidth int, chargeType, isp string) (*backend.AllocateSpec, error) {
	switch strings.ToLower(chargeType) {
	case "paybytraffic":
		chargeType = "PayByTraffic"
	case "paybybandwidth":
		chargeType = "PayByBandwidth"
	default:
		return nil, usageError("invalid --internet-charge-type %q: use PayByTraffic (billed per GB) or PayByBandwidth (billed per Mbps)", chargeType)
	}
	limit := eipspec.MaxBandwidth(chargeType)
	if bandwidth < 1 || bandwidth > limit {
		return nil, usageError("invalid --bandwidth %d: a %s EIP takes 1 to %d Mbps", bandwidth, chargeType, limit)
	}
	switch strings.ToUpper(isp) {
	case "BGP", "BGP_PRO":
		isp = strings.ToUpper(isp)
	default:
		return nil, usageError("invalid --isp %q: use BGP (multi-line) or BGP_PRO (premium, only in %s)", isp, eipspec.BGPProRegionList())
	}
	return &backend.AllocateSpec{Bandwidth: bandwidth, InternetChargeType: chargeType, ISP: isp}, nil
}

func (o *mutateOptions) run(c *cobra.Command) error {
	opts := expose.ApplyOptions{DryRun: o.dryRun, Wait: o.wait, Timeout: o.timeout,
		Confirm: o.confirm}
	if o.chk.check && o.wait && !o.dryRun {
		chk, err := o.chk.checker(o.clusterOptions)
		if err != nil {
			return err
		}
		opts.Check = chk
	}
	if len(o.request.Allow) > 0 {
		commit, err := o.allowConfirm.commit(o.clusterOptions, o.dryRun)
		if err != nil {
			return err
		}
		opts.Commit = commit
		// The --allow step takes the lock allow and revoke take, so it
		// plans from the list a concurrent allow left; the rollout after it
		// does not hold it.
		opts.LockAccess = func(ctx context.Context, clusterID string) (func(), error) {
			return lockAccess(ctx, o.clusterOptions, clusterID)
		}
	}
	x, err := o.service().Run(c.Context(), o.target, o.request, opts)
	if err != nil && x == nil {
		return err
	}
	// An accepted change that failed later, or one that failed in the
	// cloud, still says where things stand.
	perr := printObject(o.streams.Out, o.printer, x, func(w io.Writer) error {
		if err := operationTable(w, x); err != nil {
			return err
		}
		return accessTable(w, x.AccessControl) // who may connect, as status shows it (unknown included)
	})
	if err == nil {
		return printedAfter(o.streams.ErrOut, perr, changeMade(x))
	}
	return err
}
