package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

// associate --allow: restrict the sources first, then expose, so the API
// server is never open to the world, not even for a moment.

func (o *mutateOptions) addAllowFlag(c *cobra.Command) {
	c.Flags().StringSliceVar(&o.allow, "allow", nil, "Sources allowed to reach the API server (addresses or CIDR blocks, comma-separated or repeated); the allow list is on before the EIP is associated")
	o.allowConfirm.addFlags(c.Flags())
}

// validateAllow checks --allow before any call.
func (o *mutateOptions) validateAllow() error {
	if len(o.allow) == 0 {
		if f := o.allowConfirm.flags; f != nil && (f.Changed("confirm-timeout") || o.allowConfirm.noConfirm) {
			return usageError("--confirm-timeout and --no-confirm are about the allow list that --allow turns on: add --allow")
		}
		return nil
	}
	if err := o.allowConfirm.validate(); err != nil {
		return err
	}
	sources, err := expose.ParseSources(o.allow)
	if err != nil {
		return err
	}
	o.allowSources = sources
	return nil
}

// restrictFirst applies --allow before the EIP is associated. On a dry run it
// adds the planned list changes to the plan's steps.
func (o *mutateOptions) restrictFirst(ctx context.Context, svc *expose.Service, plan *expose.Plan) (*expose.AccessControl, error) {
	if len(o.allowSources) == 0 {
		return nil, nil
	}
	ap, err := svc.PlanAccessFor(ctx, o.target, plan.Cluster, expose.AccessRequest{Allow: o.allowSources}, time.Now())
	if err != nil {
		return nil, err
	}
	commit, err := o.allowConfirm.commitOptions(o.clusterOptions, ap, o.dryRun)
	if err != nil {
		return nil, err
	}
	if o.dryRun {
		if ap.Lockout != "" {
			fmt.Fprintf(o.streams.ErrOut, "Warning: %s. Without --yes this would be refused.\n", ap.Lockout)
		}
		if !ap.NothingToDo {
			plan.Steps = append(append([]string{}, ap.Steps...), plan.Steps...)
		}
		return ap.After, nil
	}
	// Commit confirmed: the list turned on is checked from this machine (through
	// the endpoint the context uses, the intranet one until the EIP is there)
	// and reverted, before anything is associated, if it cut this machine off.
	if _, err := svc.ApplyAccessConfirmed(ctx, ap, expose.ApplyOptions{Confirm: o.confirm}, commit); err != nil {
		return nil, fmt.Errorf("restricting the sources before associating the EIP (no EIP was associated): %w", err)
	}
	return ap.After, nil
}

// warnOpen says, after an associate without --allow, that a cluster whose
// allow list is off is now reachable from any address.
func (o *mutateOptions) warnOpen(ctx context.Context, svc *expose.Service, x *expose.Exposure) {
	if o.kind.action != expose.Associate || len(o.allowSources) > 0 || x.Operation == nil || (!x.Operation.Changed && !x.Operation.DryRun) {
		return
	}
	cluster := &x.Cluster
	a := svc.AccessStatusOf(ctx, cluster.ID, cluster.RegionID)
	x.AccessControl = a
	if a == nil || a.Error != "" || !a.Anyone() {
		return
	}
	endpoint := x.PublicEndpoint
	if endpoint == "" {
		endpoint = "its public endpoint"
	}
	msg := fmt.Sprintf("the API server of cluster %s is now reachable from any address on the Internet at %s (no source allow list); restrict it with `kubectl ack-expose allow CIDR...`", cluster.Name, endpoint)
	if x.Operation.DryRun {
		msg = fmt.Sprintf("the API server of cluster %s would be reachable from any address on the Internet (no source allow list); restrict it first with `kubectl ack-expose associate ... --allow CIDR...` or `kubectl ack-expose allow CIDR...`", cluster.Name)
	}
	x.Operation.Warnings = append(x.Operation.Warnings, msg)
	if x.Operation.DryRun { // the warnings of a change are printed with the others, once
		fmt.Fprintf(o.streams.ErrOut, "Warning: %s\n", msg)
	}
}
