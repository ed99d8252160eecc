package cmd

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/pkg/probe"
)

// confirmFlags are the flags of commit confirmed, on allow, revoke and
// associate --allow: a change of the allow list that could cut off the
// context in use is checked from this machine, and reverted if the endpoint
// that context uses stopped answering.
type confirmFlags struct {
	timeout   time.Duration
	noConfirm bool
	chk       checkOptions
	flags     *pflag.FlagSet
}

func (c *confirmFlags) addFlags(f *pflag.FlagSet) {
	c.flags = f
	f.DurationVar(&c.timeout, "confirm-timeout", expose.DefaultConfirmTimeout, "Commit confirmed: how long the endpoint the context uses may take to answer after a change of the allow list that could cut it off, before the change is reverted")
	f.BoolVar(&c.noConfirm, "no-confirm", false, "Do not check the endpoint after a change of the allow list, nor revert it if this machine is cut off (warns what it risks)")
}

// validate checks --confirm-timeout, --no-confirm and, when changes are
// confirmed, ACK_EXPOSE_CONNECT_TO: before any call.
func (c *confirmFlags) validate() error {
	if c.noConfirm && c.flags.Changed("confirm-timeout") {
		return usageError("--confirm-timeout says how long to confirm a change, and --no-confirm skips confirming it: give one of them")
	}
	if c.noConfirm {
		return nil
	}
	if c.timeout <= 0 {
		return usageError("--confirm-timeout must be positive, as in --confirm-timeout 30s; got %s", c.timeout)
	}
	// The check of commit confirmed is status --check's, with its default step timeouts.
	c.chk = checkOptions{check: true, parallel: 1, connectTimeout: probe.DefaultConnectTimeout,
		tlsTimeout: probe.DefaultTLSTimeout, httpTimeout: probe.DefaultHTTPTimeout}
	return c.chk.validate()
}

// commitOptions are the options of commit confirmed for plan. With
// --no-confirm, a warning says what a change that could cut off the context
// in use risks; on a dry run, a note says the change would be confirmed.
func (c *confirmFlags) commitOptions(o *clusterOptions, plan *expose.AccessPlan, dryRun bool) (expose.CommitOptions, error) {
	endpoint := plan.GuardedEndpoint()
	w := o.streams.ErrOut
	switch {
	case endpoint == "":
		return expose.CommitOptions{}, nil
	case c.noConfirm:
		if !dryRun {
			fmt.Fprintf(w, "Warning: --no-confirm: the %s is not checked from this machine, nor reverted if it cuts this machine off; if the list no longer admits the address this machine connects from, context %q (%s) stops working, and only the cloud API can let it back in (`kubectl ack-expose allow <your address>`, from here or elsewhere).\n",
				plan.Request.Action(), o.target.Context, endpoint)
		}
		return expose.CommitOptions{}, nil
	case dryRun:
		dryRunNote(w, endpoint, o.target.Context, c.timeout)
		return expose.CommitOptions{}, nil
	}
	chk, err := c.chk.checker(o)
	if err != nil {
		return expose.CommitOptions{}, err
	}
	return expose.CommitOptions{Checker: chk, Timeout: c.timeout}, nil
}

func dryRunNote(w io.Writer, endpoint, context string, timeout time.Duration) {
	fmt.Fprintf(w, "After the change, %s (context %q) would be checked from this machine, and the change reverted if it stopped answering within %s (commit confirmed; --no-confirm skips it).\n",
		endpoint, context, timeout)
}
