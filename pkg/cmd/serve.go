package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

type simulatorServeOptions struct {
	streams   genericiooptions.IOStreams
	state     string
	listen    string
	verbosity int
	accounts  []string
}

func newSimulatorServeCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &simulatorServeOptions{streams: streams}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the simulator as the CS, VPC and SLB OpenAPI, and the clusters' API server endpoints, on loopback",
		Long: `Serve the simulated world as Alibaba Cloud's CS (ROA), VPC and SLB (RPC) OpenAPI,
in their wire formats, on a loopback address. The first line of stdout is the URL.
Point the real backend at it to exercise the whole cloud code path offline:

  ACK_EXPOSE_CS_ENDPOINT=URL ACK_EXPOSE_VPC_ENDPOINT=URL ACK_EXPOSE_SLB_ENDPOINT=URL ACK_EXPOSE_BACKEND=aliyun

Requests must be signed; any AccessKey will do, and reads the world of --state.
--account AK=FILE adds an account: requests signed with AccessKey ID AK see the
world of FILE (its own accountId, clusters and EIPs), for the multi-account
audit (status --profiles). It also serves STS GetCallerIdentity, STS AssumeRole
(the roles of each account's state, and their trust; status --assume-role) and,
at /simulator/credentials, a temporary credential for a CredentialsURI profile
(docs/credentials.md). The same port speaks HTTPS too, with a certificate from
the state's CA (role assumption is https only): trust it with SSL_CERT_FILE and
set ACK_EXPOSE_STS_ENDPOINT=https://ADDRESS (docs/simulator.md).

It also plays the network: each EIP and intranet endpoint of the world gets a
loopback port where the API server of the cluster behind it answers (TLS with a
certificate from the simulator CA, which the simulator's kubeconfig carries;
GET /version), as seen from the world's clientAddress. The second line of
stdout is "export ACK_EXPOSE_CONNECT_TO=..." mapping those addresses to the
ports, for status --check and the check after associate and change. An EIP
allocated while it runs gets a port too, and the new map is printed on stderr.
It runs until interrupted.`,
		Example: `  kubectl ack-expose simulator serve --listen 127.0.0.1:8080 -v 1
  ALIBABA_CLOUD_ACCESS_KEY_ID=sim ALIBABA_CLOUD_ACCESS_KEY_SECRET=sim \
    ACK_EXPOSE_CS_ENDPOINT=http://127.0.0.1:8080 ACK_EXPOSE_VPC_ENDPOINT=http://127.0.0.1:8080 \
    ACK_EXPOSE_SLB_ENDPOINT=http://127.0.0.1:8080 kubectl ack-expose status --backend aliyun`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			defer catchInterrupts(c)()
			if o.verbosity < 0 {
				return usageError("-v must be 0 or more, got %d", o.verbosity)
			}
			path, err := simulatorStatePath(o.state)
			if err != nil {
				return err
			}
			return o.run(c.Context(), path)
		},
	}
	c.Flags().StringVar(&o.state, "state", "", "State file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	c.Flags().StringArrayVar(&o.accounts, "account", nil, "Another account: ACCESSKEYID=STATEFILE (repeatable); requests signed with that AccessKey ID see that state")
	c.Flags().StringVar(&o.listen, "listen", "127.0.0.1:0", "Loopback address to listen on (port 0 picks a free one)")
	c.Flags().IntVarP(&o.verbosity, "v", "v", 0, "Log level, as for every command: 1 or more logs each request on stderr (-v takes a number, as in kubectl)")
	return c
}

func (o *simulatorServeOptions) run(ctx context.Context, path string) error {
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return usageError("bad --listen %q: %v (give host:port, as in 127.0.0.1:8080)", o.listen, err)
	}
	if !aliyun.IsLoopback(host) {
		return usageError("--listen %q is not a loopback address: the simulator serves only this machine (use 127.0.0.1)", o.listen)
	}
	engine := simulator.New(path)
	// Fail now, not on the first request, if the state file is unusable.
	hasCA := false
	if err := engine.View(func(s *simulator.State) error { hasCA = s.CA != nil; return nil }); err != nil {
		return err
	}
	if !hasCA { // an older state file: its API servers need a CA
		if err := engine.Update(func(s *simulator.State) error { return s.EnsureCA() }); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.listen, err)
	}
	srv := openapi.New(engine)
	for _, a := range o.accounts {
		ak, file, ok := strings.Cut(a, "=")
		if !ok || ak == "" || file == "" {
			return usageError("--account %q: give ACCESSKEYID=STATEFILE", a)
		}
		if srv.Accounts == nil {
			srv.Accounts = map[string]*simulator.Engine{}
		}
		srv.Accounts[ak] = simulator.New(file)
	}
	if o.verbosity >= 1 {
		srv.Logf = func(format string, args ...any) { fmt.Fprintf(o.streams.ErrOut, format+"\n", args...) }
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	apis := openapi.NewAPIServers(engine)
	defer apis.Close()
	if o.verbosity >= 1 {
		apis.Logf = srv.Logf
	}
	if _, err := apis.Sync(); err != nil {
		return fmt.Errorf("serving the API server endpoints: %w", err)
	}
	if err := apis.ListenFallback(); err != nil {
		return fmt.Errorf("serving the API server endpoints: %w", err)
	}
	fmt.Fprintf(o.streams.Out, "http://%s\n", ln.Addr())
	fmt.Fprintf(o.streams.Out, "export %s=%s\n", probe.EnvConnectTo, apis.ConnectTo())
	if f, ok := o.streams.Out.(*os.File); ok {
		_ = f.Sync()
	}
	go apis.Watch(ctx, 200*time.Millisecond, func(added []string) {
		fmt.Fprintf(o.streams.ErrOut, "serving new API server endpoint %s; the map is now:\nexport %s=%s\n",
			strings.Join(added, ", "), probe.EnvConnectTo, apis.ConnectTo())
	})
	errc := make(chan error, 1)
	go func() { errc <- openapi.Serve(hs, ln, engine) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
