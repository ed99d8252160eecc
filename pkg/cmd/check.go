package cmd

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// checkOptions are the flags of the endpoint check (status --check, and
// associate and change after waiting).
type checkOptions struct {
	check          bool
	private        bool
	connectTimeout time.Duration
	tlsTimeout     time.Duration
	httpTimeout    time.Duration
	parallel       int

	connectTo probe.ConnectTo
}

// defaultCheckParallel bounds the checks of an audit running at once.
const defaultCheckParallel = 32

func (c *checkOptions) addFlags(f *pflag.FlagSet, status bool) {
	if status {
		f.BoolVar(&c.check, "check", false, "Check the public endpoint from this machine: TCP, TLS against the context's CA (address in the certificate), GET /version; no credentials are sent")
		f.BoolVar(&c.private, "private", false, "With --check: check the intranet endpoint instead of the public one")
		f.IntVar(&c.parallel, "check-parallel", defaultCheckParallel, "With --check --all-contexts: how many endpoints to check at once")
	} else {
		c.parallel = 1
		f.BoolVar(&c.check, "check", true, "After waiting, check the new public endpoint from this machine (a failed check is a warning); --check=false skips it")
	}
	f.DurationVar(&c.connectTimeout, "check-connect-timeout", probe.DefaultConnectTimeout, "Check: how long the TCP connect may take")
	f.DurationVar(&c.tlsTimeout, "check-tls-timeout", probe.DefaultTLSTimeout, "Check: how long the TLS handshake may take")
	f.DurationVar(&c.httpTimeout, "check-http-timeout", probe.DefaultHTTPTimeout, "Check: how long GET /version may take")
}

// toOptions checks the flags and reads ACK_EXPOSE_CONNECT_TO, before any I/O.
func (c *checkOptions) toOptions() error {
	if c.private && !c.check {
		return usageError("--private chooses the endpoint that --check checks: add --check")
	}
	if !c.check {
		return nil
	}
	for name, d := range map[string]time.Duration{"check-connect-timeout": c.connectTimeout, "check-tls-timeout": c.tlsTimeout, "check-http-timeout": c.httpTimeout} {
		if d <= 0 {
			return usageError("--%s must be positive, as in --%s 3s; got %s", name, name, d)
		}
	}
	if c.parallel < 1 {
		return usageError("--check-parallel must be 1 or more, got %d", c.parallel)
	}
	ct, err := probe.ParseConnectTo(os.Getenv(probe.EnvConnectTo))
	if err != nil {
		return usageError("%v", err)
	}
	c.connectTo = ct
	return nil
}

// checker is the simulator's network for the simulator backend, else the
// network probe from this machine.
func (c *checkOptions) checker(o *clusterOptions) (expose.Checker, error) {
	n, err := o.network()
	if err != nil {
		return nil, err
	}
	opts := c.probeOptions()
	// ACK_EXPOSE_HOSTS is the check's resolver too: the name is followed
	// where status says it leads, on either backend.
	opts.Hosts = n.Resolver.Hosts
	if o.backendName() == "simulator" {
		path, err := simulatorStatePath(o.simState)
		if err != nil {
			return nil, err
		}
		b := simulated.New(path)
		b.Net = opts
		b.Lookup = n.Resolver.Lookup
		return b, nil
	}
	return networkChecker{opts}, nil
}

func (c *checkOptions) probeOptions() probe.Options {
	return probe.Options{ConnectTimeout: c.connectTimeout, TLSTimeout: c.tlsTimeout, HTTPTimeout: c.httpTimeout, ConnectTo: c.connectTo}
}

type networkChecker struct{ opts probe.Options }

func (n networkChecker) CheckEndpoint(ctx context.Context, endpoint string, path probe.Path) backend.CheckResult {
	return probe.Probe(ctx, endpoint, path, n.opts)
}

func auditChecked(l *expose.ExposureList) bool {
	for _, it := range l.Items {
		if it.Check != nil {
			return true
		}
	}
	return false
}

// auditCheckCell is a check in one audit cell: "ok, 38 ms", or the failed
// step ("no endpoint", "unreachable", "TLS", "SAN"). The JSON has the words.
func auditCheckCell(r *backend.CheckResult) string {
	// What the check dialed, when not the endpoint (a proxy, a tunnel), as
	// the CHECK line of status says it.
	c := auditCheckVerdict(r)
	if r != nil && r.Via != "" && r.Step != backend.CheckStepEndpoint {
		return c + " (via " + r.Via + ")"
	}
	return c
}

func auditCheckVerdict(r *backend.CheckResult) string {
	switch {
	case r == nil:
		return "-"
	case r.OK():
		return fmt.Sprintf("ok, %d ms", r.LatencyMs)
	case r.Step == backend.CheckStepEndpoint:
		return "no endpoint"
	case r.Step == backend.CheckStepSAN:
		return "fails: address not in certificate"
	case r.Step == backend.CheckStepTLS && r.Reachable:
		return "fails: certificate not trusted"
	}
	return "fails: unreachable"
}
