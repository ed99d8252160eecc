package cmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/pkg/kubeconfig"
	"github.com/ack-expose/ack-expose/simulator"
)

// Environment variables (contract: docs/output.md, "Environment").
const (
	EnvBackend        = "ACK_EXPOSE_BACKEND"
	EnvSimulatorState = "ACK_EXPOSE_SIMULATOR_STATE"
)

// clusterOptions are the flags of every command that acts on a cluster.
type clusterOptions struct {
	streams      genericiooptions.IOStreams
	source       *kubeconfig.Source
	clusterID    string
	region       string
	profile      string
	backend      string
	simState     string
	output       string
	allowMissing bool // --allow-missing-template-keys
	verbosity    int

	printer printer
	be      backend.Backend
	target  expose.Target
	who     *backend.Caller
	whoErr  error
	// signAs: the simulator backend picks the account of --profile's
	// AccessKey ID even without ACK_EXPOSE_SIMULATOR_ACCOUNTS (--profiles).
	signAs bool
	// mutates makes complete check the context's account first (account.go).
	mutates bool
	net     *probe.Network
}

func newClusterOptions(streams genericiooptions.IOStreams) *clusterOptions {
	return &clusterOptions{streams: streams, source: kubeconfig.NewSource()}
}

func (o *clusterOptions) addFlags(c *cobra.Command) {
	f := c.Flags()
	addKubectlFlags(f, o.source)
	f.StringVar(&o.clusterID, "cluster-id", "", "ACK cluster ID (c + 32 hex); skips resolving the cluster from the kubeconfig context")
	f.StringVar(&o.region, "region", "", "Region of the cluster for cloud API calls (default: ALIBABA_CLOUD_REGION_ID, then the aliyun CLI profile)")
	f.StringVar(&o.profile, "profile", "", "aliyun CLI profile (or credentials file profile) to sign cloud calls with, in any mode the aliyun CLI writes (default: ALIBABA_CLOUD_PROFILE, else the credential chain; see docs/credentials.md)")
	f.StringVar(&o.backend, "backend", "", "Backend: aliyun (the real cloud) or simulator (offline; default from "+EnvBackend+", else aliyun)")
	f.StringVar(&o.simState, "simulator-state", "", "Simulator state file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	addOutputFlag(c, &o.output, &o.allowMissing)
	f.IntVarP(&o.verbosity, "v", "v", 0, "Debug log on stderr: 1 or more logs each API call with its duration and outcome, and for the cloud its endpoint, HTTP status and request ID; credentials are never logged")
	_ = c.RegisterFlagCompletionFunc("backend", cobra.FixedCompletions([]string{"aliyun", "simulator"}, cobra.ShellCompDirectiveNoFileComp))
	o.registerClusterCompletions(c)
}

// addKubectlFlags binds kubectl's kubeconfig flags with client-go's own
// binding, so that --kubeconfig, --context, --cluster, --user, --server and
// the rest mean exactly what they mean to kubectl. The credential and TLS
// flags, and --namespace, change nothing the plugin does (it talks to the
// cloud, not to the API server, about cluster-wide things), so they are
// accepted but hidden from the help.
func addKubectlFlags(f *pflag.FlagSet, src *kubeconfig.Source) {
	f.StringVar(&src.Rules.ExplicitPath, clientcmd.RecommendedConfigPathFlag, "", "Path to the kubeconfig file to use")
	names := clientcmd.RecommendedConfigOverrideFlags("")
	names.ClusterOverrideFlags.APIServer.ShortName = "s" // as kubectl has it
	clientcmd.BindOverrideFlags(src.Overrides, f, names)
	for _, fi := range []clientcmd.FlagInfo{names.AuthOverrideFlags.ClientCertificate, names.AuthOverrideFlags.ClientKey,
		names.AuthOverrideFlags.Token, names.AuthOverrideFlags.Impersonate, names.AuthOverrideFlags.ImpersonateUID,
		names.AuthOverrideFlags.ImpersonateGroups, names.AuthOverrideFlags.Username, names.AuthOverrideFlags.Password,
		names.ClusterOverrideFlags.CertificateAuthority, names.ClusterOverrideFlags.InsecureSkipTLSVerify,
		names.ClusterOverrideFlags.TLSServerName, names.ClusterOverrideFlags.ProxyURL, names.ClusterOverrideFlags.DisableCompression,
		names.Timeout, names.ContextOverrideFlags.Namespace} {
		_ = f.MarkHidden(fi.LongName)
	}
	_ = f.MarkHidden("as-user-extra")
}

// toOptions builds the printer from -o and checks the flags, before any I/O
// (kubectl's ToOptions).
func (o *clusterOptions) toOptions() error {
	p, err := newPrinter(o.output, o.allowMissing)
	if err != nil {
		return err
	}
	o.printer = p
	if o.clusterID != "" {
		if err := expose.ValidClusterID(o.clusterID); err != nil {
			return err
		}
	}
	if o.verbosity < 0 {
		return usageError("-v must be 0 or more, got %d", o.verbosity)
	}
	return nil
}

// connect builds the backend, with retries and the debug log; at -v 1 it
// logs whose credentials sign the calls.
func (o *clusterOptions) connect(ctx context.Context) error {
	be, err := o.newBackend()
	if err != nil {
		return err
	}
	o.be = backend.Wrap(be, backend.DefaultRetry, o.logf())
	if o.verbosity >= 1 {
		if _, err := o.caller(ctx); err != nil {
			o.logf()("caller: unknown: %v", errdefs.FirstLine(err))
		}
	}
	return nil
}

// complete builds the backend and resolves the cluster.
func (o *clusterOptions) complete(ctx context.Context) error {
	if err := o.connect(ctx); err != nil {
		return err
	}
	kc, err := o.source.Current()
	if err != nil {
		return err
	}
	if o.mutates {
		if err := o.checkAccount(ctx, kc.Name); err != nil {
			return err
		}
	}
	if err := o.reach(ctx, []*kubeconfig.Context{&kc}); err != nil {
		return err
	}
	o.target, err = expose.Resolve(ctx, o.be, o.clusterID, kc)
	if err != nil {
		return err
	}
	if log := o.logf(); log != nil {
		log("cluster %s (from %s), context %q, server %q", o.target.ClusterID, o.target.How, o.target.Context, o.target.Server)
	}
	return nil
}

// network is how this machine reaches API servers: the resolver (with
// ACK_EXPOSE_HOSTS) and the tunnels of ACK_EXPOSE_CONNECT_TO, read once.
// A bad value is a usage error (exit 2), before any call.
func (o *clusterOptions) network() (*probe.Network, error) {
	if o.net != nil {
		return o.net, nil
	}
	ct, err := probe.ParseConnectTo(os.Getenv(probe.EnvConnectTo))
	if err != nil {
		return nil, usageError("%v", err)
	}
	res, err := probe.NewResolver()
	if err != nil {
		return nil, usageError("%v", err)
	}
	if o.backendName() == "simulator" {
		// The simulated world's DNS records are this machine's DNS for its
		// endpoints, as the simulated check already takes them (read only
		// when a server is a name).
		res.Records = o.simulatedDNS
	}
	o.net = &probe.Network{Resolver: res, ConnectTo: ct}
	return o.net, nil
}

// reachParallel bounds the name lookups of an audit running at once.
const reachParallel = 32

// reach fills in where each context's server leads from this machine (a
// name resolved, a tunnel followed), so that the cluster a context reaches
// is known however its server is written.
func (o *clusterOptions) reach(ctx context.Context, contexts []*kubeconfig.Context) error {
	n, err := o.network()
	if err != nil {
		return err
	}
	sem := make(chan struct{}, reachParallel)
	var wg sync.WaitGroup
	for _, kc := range contexts {
		if kc.Server == "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			kc.Reach = n.Reach(ctx, kc.Server)
		}()
	}
	wg.Wait()
	if log := o.logf(); log != nil {
		for _, kc := range contexts {
			if r := kc.Reach; r.Note != "" || r.Err != "" {
				log("context %q: server %s: %s", kc.Name, kc.Server, cmp.Or(r.Err, r.Note))
			}
		}
	}
	return nil
}

func (o *clusterOptions) logf() backend.Logf {
	if o.verbosity < 1 {
		return nil
	}
	w := o.streams.ErrOut
	return func(format string, args ...any) { fmt.Fprintf(w, "debug: "+format+"\n", args...) }
}

func (o *clusterOptions) backendName() string {
	name := o.backend
	if name == "" {
		name = os.Getenv(EnvBackend)
	}
	if name == "" {
		name = "aliyun"
	}
	return name
}

func (o *clusterOptions) newBackend() (backend.Backend, error) {
	switch name := o.backendName(); name {
	case "simulator":
		path, err := simulatorStatePath(o.simState)
		if err != nil {
			return nil, err
		}
		return o.simulatedBackend(path)
	case "aliyun":
		return o.newAliyunBackend()
	default:
		return nil, usageError("unknown backend %q (from --backend or %s): use aliyun or simulator", name, EnvBackend)
	}
}

// newAliyunBackend builds the real cloud's backend: the region from --region,
// ALIBABA_CLOUD_REGION_ID or the aliyun CLI profile (its source logged at -v 1),
// the endpoints from the ACK_EXPOSE_*_ENDPOINT overrides.
func (o *clusterOptions) newAliyunBackend() (backend.Backend, error) {
	region, source := aliyun.ResolveRegion(o.region, o.profile)
	if log := o.logf(); log != nil && region != "" {
		log("region %s from %s", region, source)
	}
	return aliyun.New(aliyun.Options{
		Region:      region,
		CSEndpoint:  os.Getenv(aliyun.EnvCSEndpoint),
		VPCEndpoint: os.Getenv(aliyun.EnvVPCEndpoint),
		SLBEndpoint: os.Getenv(aliyun.EnvSLBEndpoint),
		Profile:     o.profile,
		Log:         o.logf(),
	})
}

// simulatorStatePath is the flag, else ACK_EXPOSE_SIMULATOR_STATE, else ~/.ack-expose/simulator.json.
// simulatedDNS reads the simulated world's DNS records: none when the state
// file cannot be read (the command's own reads of it say why).
func (o *clusterOptions) simulatedDNS() map[string][]string {
	path, err := simulatorStatePath(o.simState)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	records := map[string][]string{}
	_ = simulator.New(path).View(func(s *simulator.State) error {
		for name, addr := range s.DNS {
			records[name] = []string{addr}
		}
		return nil
	})
	return records
}

func simulatorStatePath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if p := os.Getenv(EnvSimulatorState); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", usageError("cannot find the home directory for the simulator state (%v); pass --simulator-state FILE", err)
	}
	return filepath.Join(home, ".ack-expose", "simulator.json"), nil
}

func (o *clusterOptions) service() *expose.Service {
	svc := &expose.Service{Backend: o.be, Progress: newProgress(o.streams.ErrOut), Poll: expose.DefaultPoll, Log: o.logf(), Kubeconfig: o.source}
	if j := openJournal(); j != nil {
		svc.Journal = j
	}
	// The journal's records carry the account (and profile) of the
	// credentials, so that cleanup with another account's leaves them alone.
	svc.Account = func(ctx context.Context) (string, error) {
		c, err := o.caller(ctx)
		if err != nil {
			return "", err
		}
		return c.AccountID, nil
	}
	svc.Profile = o.namedProfile()
	svc.ProfilesFor = aliyun.ProfilesForAccount
	return svc
}
