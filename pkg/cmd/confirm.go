package cmd

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/pkg/expose"
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
	f.DurationVar(&c.timeout, "confirm-timeout", expose.DefaultConfirmTimeout, "Commit confirmed: how long the endpoint the context uses may take to answer after a change of the allow list that could cut it off, before the change is reverted (at least 5s)")
	f.BoolVar(&c.noConfirm, "no-confirm", false, "Do not check the endpoint after a change of the allow list, nor revert it if this machine is cut off (warns what it risks)")
}

// toOptions checks --confirm-timeout, --no-confirm and, when changes are
// confirmed, ACK_EXPOSE_CONNECT_TO: before any call.
func (c *confirmFlags) toOptions() error {
	if c.noConfirm && c.flags.Changed("confirm-timeout") {
		return usageError("--confirm-timeout says how long to confirm a change, and --no-confirm skips confirming it: give one of them")
	}
	if c.noConfirm {
		return nil
	}
	if c.timeout < expose.MinConfirmTimeout {
		return usageError("--confirm-timeout must be at least %s (the cloud takes seconds to apply a list change), as in --confirm-timeout 30s; got %s", expose.MinConfirmTimeout, c.timeout)
	}
	// The check of commit confirmed is status --check's, with its default step timeouts.
	c.chk = checkOptions{check: true, parallel: 1, connectTimeout: probe.DefaultConnectTimeout,
		tlsTimeout: probe.DefaultTLSTimeout, httpTimeout: probe.DefaultHTTPTimeout}
	return c.chk.toOptions()
}

// commit turns the flags into the request's commit confirmed; the lifecycle
// decides whether the change is guarded, and warns or notes accordingly.
// The checker is only built for a change that may be confirmed.
func (c *confirmFlags) commit(o *clusterOptions, dryRun bool) (expose.CommitOptions, error) {
	opts := expose.CommitOptions{Skip: c.noConfirm, Timeout: c.timeout}
	if c.noConfirm || dryRun {
		return opts, nil
	}
	chk, err := c.chk.checker(o)
	if err != nil {
		return expose.CommitOptions{}, err
	}
	opts.Checker = chk
	return opts, nil
}
