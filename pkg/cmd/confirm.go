package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/pkg/probe"
)

// validateConfirm checks --confirm-timeout, --no-confirm and, when changes
// are confirmed, ACK_EXPOSE_CONNECT_TO: before any call.
func (o *accessOptions) validateConfirm(c *cobra.Command) error {
	if o.noConfirm && c.Flags().Changed("confirm-timeout") {
		return usageError("--confirm-timeout says how long to confirm a change, and --no-confirm skips confirming it: give one of them")
	}
	if o.noConfirm {
		return nil
	}
	if o.confirmTimeout <= 0 {
		return usageError("--confirm-timeout must be positive, as in --confirm-timeout 30s; got %s", o.confirmTimeout)
	}
	// The check of commit confirmed is status --check's, with its default step timeouts.
	o.chk = checkOptions{check: true, parallel: 1, connectTimeout: probe.DefaultConnectTimeout,
		tlsTimeout: probe.DefaultTLSTimeout, httpTimeout: probe.DefaultHTTPTimeout}
	return o.chk.validate()
}

// commitOptions are the options of commit confirmed for plan; with
// --no-confirm, a warning says what a change that could cut off the context
// in use risks.
func (o *accessOptions) commitOptions(plan *expose.AccessPlan) (expose.CommitOptions, error) {
	endpoint := plan.GuardedEndpoint()
	if o.noConfirm {
		if endpoint != "" && !o.dryRun {
			fmt.Fprintf(o.streams.ErrOut, "Warning: --no-confirm: the %s is not checked from this machine, nor reverted if it cuts this machine off; if the list no longer admits the address this machine connects from, context %q (%s) stops working, and only the cloud API can let it back in (`kubectl ack-expose allow <your address>`, from here or elsewhere).\n",
				plan.Request.Action(), o.target.Context, endpoint)
		}
		return expose.CommitOptions{}, nil
	}
	if endpoint == "" {
		return expose.CommitOptions{}, nil
	}
	if o.dryRun {
		fmt.Fprintf(o.streams.ErrOut, "After the change, %s (context %q) would be checked from this machine, and the change reverted if it stopped answering within %s (commit confirmed; --no-confirm skips it).\n",
			endpoint, o.target.Context, o.confirmTimeout)
		return expose.CommitOptions{}, nil
	}
	chk, err := o.chk.checker(o.clusterOptions)
	if err != nil {
		return expose.CommitOptions{}, err
	}
	return expose.CommitOptions{Checker: chk, Timeout: o.confirmTimeout}, nil
}
