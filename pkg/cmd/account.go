package cmd

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/simulator"
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

// EnvSimulatorAccounts gives the simulator backend more accounts, as
// `simulator serve --account` gives the OpenAPI: ACCESSKEYID=STATEFILE,...
// A profile (--profile, --profiles) whose AccessKey ID is listed reads that
// state file's account; STS AssumeRole reaches the account of the role.
const EnvSimulatorAccounts = "ACK_EXPOSE_SIMULATOR_ACCOUNTS"

// simulatorAccounts is the simulated cloud: the state file, and the
// accounts of ACK_EXPOSE_SIMULATOR_ACCOUNTS. A malformed entry is exit 2.
func simulatorAccounts(path string) (*simulator.Accounts, error) {
	a := &simulator.Accounts{Default: simulator.New(path), ByKey: map[string]*simulator.Engine{}}
	for _, e := range strings.Split(os.Getenv(EnvSimulatorAccounts), ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		ak, file, ok := strings.Cut(e, "=")
		if !ok || ak == "" || file == "" {
			return nil, usageError("%s: %q is not ACCESSKEYID=STATEFILE (entries separated by commas)", EnvSimulatorAccounts, e)
		}
		a.ByKey[ak] = simulator.New(file)
	}
	return a, nil
}

// simulatedBackend is the simulator backend over the account --profile
// signs as (when there are accounts to choose from), else the state file's.
func (o *clusterOptions) simulatedBackend(path string) (backend.Backend, error) {
	accts, err := simulatorAccounts(path)
	if err != nil {
		return nil, err
	}
	key := ""
	if len(accts.ByKey) > 0 || o.namedProfile() != "" && o.signAs {
		if key, err = o.simulatorKey(); err != nil {
			return nil, err
		}
	}
	eng := accts.For(key)
	// Decode the world while the kubeconfig is read: the first call then
	// finds it in memory.
	eng.StartPreload()
	return &simulated.Backend{Engine: eng, AccessKeyID: key}, nil
}

// namedProfile is the profile the user named: --profile, else
// ALIBABA_CLOUD_PROFILE (as on the aliyun backend), else none. Resolve it
// with ResolveCredentials(o.profile): its errors say which of the two named it.
func (o *clusterOptions) namedProfile() string {
	return cmp.Or(o.profile, os.Getenv("ALIBABA_CLOUD_PROFILE"))
}

// simulatorKey is the AccessKey ID that picks the simulator's account: the
// named profile's; with none named, that of the credentials the aliyun
// backend would sign with (the CLI's current profile, the environment...),
// and "" (the state file's own account) where there are none.
func (o *clusterOptions) simulatorKey() (string, error) {
	if o.namedProfile() != "" {
		return profileAccessKeyID(o.profile)
	}
	if key, err := profileAccessKeyID(""); err == nil {
		return key, nil
	}
	return "", nil
}

// profileAccessKeyID is the AccessKey ID the profile signs with (the
// simulator's account key), through the same providers as the aliyun
// backend: a profile the cloud would refuse is refused here too.
func profileAccessKeyID(profile string) (string, error) {
	p, src, err := aliyun.ResolveCredentials(profile)
	if err != nil {
		return "", err
	}
	c, err := aliyun.NewSDKProvider(p, src).GetCredentials()
	if err != nil {
		return "", err
	}
	return c.AccessKeyId, nil
}
