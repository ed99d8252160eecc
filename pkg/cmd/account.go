package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// caller asks STS GetCallerIdentity once per run, and only when something
// needs it (-v 1, status -o json|yaml, the account guard).
func (o *clusterOptions) caller(ctx context.Context) (*backend.Caller, error) {
	if o.who != nil || o.whoErr != nil {
		return o.who, o.whoErr
	}
	// Once, and briefly: where STS cannot be reached, -v 1 and the guard
	// go on without it.
	cctx, cancel := context.WithTimeout(backend.Once(ctx), 10*time.Second)
	defer cancel()
	c, err := o.be.CallerIdentity(cctx)
	if err != nil {
		o.whoErr = err
		return nil, err
	}
	o.who = c
	if log := o.logf(); log != nil {
		log("caller: account %s, %s %s, credentials from %s", c.AccountID, c.IdentityType, c.Arn, c.Provider)
	}
	return c, nil
}

// checkAccount refuses (exit 4), before any change and before the cluster
// is even looked up, a command that changes things on a context whose name
// carries an account UID other than the caller's: with another account's
// credentials the cluster would be "not found", or worse, a namesake.
func (o *clusterOptions) checkAccount(ctx context.Context, contextName string) error {
	uid, ok := expose.ContextAccount(contextName)
	if !ok || o.clusterID != "" {
		return nil
	}
	c, err := o.caller(ctx)
	if err != nil {
		// The guard cannot decide: the cloud will answer "not found" if the
		// account is the wrong one. Say so rather than block the command.
		fmt.Fprintf(o.streams.ErrOut, "Warning: the account of context %q (%s) is not checked: whose credentials these are is unknown (GetCallerIdentity: %s)\n",
			contextName, uid, errdefs.FirstLine(err))
		return nil
	}
	if c.AccountID == "" || c.AccountID == uid {
		return nil
	}
	e := errdefs.Errorf(errdefs.KindConflict, "context %q is in account %s, but the credentials (%s) are of account %s: nothing was changed",
		contextName, uid, c.Provider, c.AccountID)
	if names := aliyun.ProfilesForAccount(uid); len(names) > 0 {
		return e.WithHint("Use the credentials of account %s: --profile %s.", uid, strings.Join(names, " or --profile "))
	}
	return e.WithHint("Use the credentials of account %s: --profile NAME with a profile of that account (see docs/credentials.md).", uid)
}
