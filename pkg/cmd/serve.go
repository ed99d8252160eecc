package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

type simulatorServeOptions struct {
	streams genericiooptions.IOStreams
	state   string
	listen  string
	verbose bool
}

func newSimulatorServeCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &simulatorServeOptions{streams: streams}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the simulator as the CS, VPC and SLB OpenAPI over HTTP on loopback",
		Long: `Serve the simulated world as Alibaba Cloud's CS (ROA), VPC and SLB (RPC) OpenAPI,
in their wire formats, on a loopback address. The first line of stdout is the URL.
Point the real backend at it to exercise the whole cloud code path offline:

  ACK_EXPOSE_CS_ENDPOINT=URL ACK_EXPOSE_VPC_ENDPOINT=URL ACK_EXPOSE_SLB_ENDPOINT=URL ACK_EXPOSE_BACKEND=aliyun

Requests must be signed (any AccessKey will do: the simulator has no accounts).
It runs until interrupted.`,
		Example: `  kubectl ack-expose simulator serve --listen 127.0.0.1:8080
  ALIBABA_CLOUD_ACCESS_KEY_ID=sim ALIBABA_CLOUD_ACCESS_KEY_SECRET=sim \
    ACK_EXPOSE_CS_ENDPOINT=http://127.0.0.1:8080 ACK_EXPOSE_VPC_ENDPOINT=http://127.0.0.1:8080 \
    ACK_EXPOSE_SLB_ENDPOINT=http://127.0.0.1:8080 kubectl ack-expose status --backend aliyun`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			defer catchInterrupts(c)()
			path, err := simulatorStatePath(o.state)
			if err != nil {
				return err
			}
			return o.run(c.Context(), path)
		},
	}
	c.Flags().StringVar(&o.state, "state", "", "State file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	c.Flags().StringVar(&o.listen, "listen", "127.0.0.1:0", "Loopback address to listen on (port 0 picks a free one)")
	c.Flags().BoolVarP(&o.verbose, "verbose", "v", false, "Log each request on stderr")
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
	if err := engine.View(func(*simulator.State) error { return nil }); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.listen, err)
	}
	srv := openapi.New(engine)
	if o.verbose {
		srv.Logf = func(format string, args ...any) { fmt.Fprintf(o.streams.ErrOut, format+"\n", args...) }
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(o.streams.Out, "http://%s\n", ln.Addr())
	if f, ok := o.streams.Out.(*os.File); ok {
		_ = f.Sync()
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
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

func newAliyunBackend(o *clusterOptions) (backend.Backend, error) {
	region, _ := aliyun.ResolveRegion(o.region)
	return aliyun.New(aliyun.Options{
		Region:      region,
		CSEndpoint:  os.Getenv(aliyun.EnvCSEndpoint),
		VPCEndpoint: os.Getenv(aliyun.EnvVPCEndpoint),
		SLBEndpoint: os.Getenv(aliyun.EnvSLBEndpoint),
		Log:         o.logf(),
	})
}
