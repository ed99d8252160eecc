package cmd

import (
	"net/netip"

	"github.com/ack-expose/ack-expose/internal/certsan"

	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ack-expose/ack-expose/internal/atomicfile"
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ack-expose/ack-expose/pkg/kubeconfig"
	"github.com/ack-expose/ack-expose/simulator"
)

func newSimulatorCommand(streams genericiooptions.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "simulator",
		Short: "Offline simulator of ACK clusters and EIPs, for dry runs and tests",
		Long: `The simulator models ACK clusters of every kind and EIPs in every state in one
JSON file, and runs the same lifecycle as the real cloud against it: tasks
take time, clusters are updating meanwhile, faults can be injected, and every
API call is counted. Use it with --backend simulator (or ACK_EXPOSE_BACKEND=simulator),
or serve it as the cloud's OpenAPI to the aliyun backend (simulator serve).

Faults, with simulator fault add|list|clear:

` + faultsHelp,
		Example: `  kubectl ack-expose simulator init
  export ACK_EXPOSE_BACKEND=simulator KUBECONFIG=~/.ack-expose/kubeconfig
  kubectl ack-expose status
  kubectl ack-expose simulator fault add ModifyCluster --code Throttling.User --count 2
  kubectl ack-expose simulator show`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(newSimulatorInitCommand(streams), newSimulatorShowCommand(streams), newSimulatorServeCommand(streams),
		newSimulatorFaultCommand(streams), newSimulatorDNSCommand(streams))
	return c
}

type simulatorInitOptions struct {
	streams             genericiooptions.IOStreams
	state, kubeconfig   string
	force               bool
	accountID           string
	modifyCluster, eipT time.Duration
	latency, eipLag     time.Duration
}

func newSimulatorInitCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &simulatorInitOptions{streams: streams}
	c := &cobra.Command{
		Use:   "init",
		Short: "Write the demo world and an ACK-style kubeconfig for it",
		Long: `Write the demo world: clusters of every kind (demo-basic: ACK standard without
EIP; demo-pro: ACK Pro exposed through an EIP; demo-serverless; demo-dedicated;
demo-registered; demo-edge; demo-busy: updating), Available EIPs in cn-hangzhou,
one in use by an ECS instance and one in another region; and a kubeconfig with
one ACK-style context (<account-uid>-<clusterId>) per cluster, demo-basic's current.

Existing files are kept unless --force. The kubeconfig is written next to the
state file unless --kubeconfig says otherwise; your own kubeconfig is never touched.`,
		Example: `  kubectl ack-expose simulator init
  kubectl ack-expose simulator init --state /tmp/sim.json --kubeconfig /tmp/sim.kubeconfig --force
  kubectl ack-expose simulator init --modify-cluster-time 0s   # instant operations
  kubectl ack-expose simulator init --eip-lag 5s   # EIPs that lag behind ModifyCluster`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return flagError(err)
			}
			return o.run()
		},
	}
	f := c.Flags()
	f.StringVar(&o.state, "state", "", "State file to write (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "Kubeconfig file to write (default: \"kubeconfig\" beside the state file)")
	f.BoolVar(&o.force, "force", false, "Overwrite existing files")
	f.StringVar(&o.accountID, "account-id", simulator.DemoAccountID, "Account UID of the world (its contexts are named <account-uid>-<clusterId>): another account for simulator serve --account")
	f.DurationVar(&o.modifyCluster, "modify-cluster-time", 2*time.Second, "How long a ModifyCluster task runs")
	f.DurationVar(&o.eipT, "eip-transition-time", time.Second, "How long an EIP takes to be released")
	f.DurationVar(&o.latency, "api-latency", 0, "Delay added to every simulated API call")
	f.DurationVar(&o.eipLag, "eip-lag", 0, "How long after ModifyCluster the EIPs' statuses start to change (the new EIP still reads Available, the old one InUse, while the cluster is updating)")
	return c
}

func (o *simulatorInitOptions) validate() error {
	for name, d := range map[string]time.Duration{"--modify-cluster-time": o.modifyCluster, "--eip-transition-time": o.eipT, "--api-latency": o.latency, "--eip-lag": o.eipLag} {
		if d < 0 {
			return usageError("%s must not be negative, got %s", name, d)
		}
	}
	state, err := simulatorStatePath(o.state)
	if err != nil {
		return err
	}
	o.state = state
	if o.kubeconfig == "" {
		o.kubeconfig = filepath.Join(filepath.Dir(state), "kubeconfig")
	}
	return nil
}

// initMarker opens every kubeconfig `simulator init` writes, and the
// kubeconfig extension initExtension (which, unlike a comment, survives
// `kubectl config` edits) marks it: --force overwrites only such files.
const (
	initMarker    = "# Written by `kubectl ack-expose simulator init`"
	initExtension = "ack-expose.kubectl.io/simulator-init"
)

// madeByInit tells whether an existing file is one `simulator init` wrote: a
// kubeconfig with its marker, or a simulator state (a JSON object with a
// "version"). Anything else, such as a real kubeconfig, is never overwritten.
func madeByInit(path string, state bool) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	if state {
		if len(bytes.TrimSpace(b)) == 0 {
			return true
		}
		// The shape of a simulator state: a version, an account and clusters
		// (a package.json or another tool's JSON has not all three).
		var doc struct {
			Version   int             `json:"version"`
			AccountID string          `json:"accountId"`
			Clusters  json.RawMessage `json:"clusters"`
		}
		return json.Unmarshal(b, &doc) == nil && doc.Version > 0 && doc.AccountID != "" && len(doc.Clusters) > 0
	}
	if bytes.HasPrefix(b, []byte(initMarker)) {
		return true
	}
	cfg, err := clientcmd.Load(b)
	return err == nil && cfg.Extensions[initExtension] != nil
}

// samePath tells whether two paths name one file, through symlinks.
func samePath(a, b string) bool {
	resolve := func(p string) string {
		if r, err := kubeconfig.ResolveLinks(p); err == nil {
			p = r
		}
		abs, _ := filepath.Abs(p)
		return abs
	}
	return resolve(a) == resolve(b)
}

func (o *simulatorInitOptions) run() error {
	if samePath(o.state, o.kubeconfig) {
		return usageError("--state and --kubeconfig are both %s: the state file and the kubeconfig need a file each", o.state)
	}
	for _, f := range []struct {
		path  string
		state bool
	}{{o.state, true}, {o.kubeconfig, false}} {
		if _, err := os.Stat(f.path); err != nil {
			continue
		}
		if !o.force {
			return usageError("%s already exists; pass --force to overwrite it", f.path)
		}
		if !madeByInit(f.path, f.state) {
			return usageError("%s exists and was not written by `simulator init`, so --force does not overwrite it; remove it yourself, or pick another path with --%s", f.path, map[bool]string{true: "state", false: "kubeconfig"}[f.state])
		}
	}
	world := simulator.DemoWorld()
	if o.accountID == "" || strings.Trim(o.accountID, "0123456789") != "" {
		return usageError("--account-id %q: an account UID is digits, as in 1234567890123456", o.accountID)
	}
	world.AccountID = o.accountID
	world.Timing = simulator.Timing{ModifyCluster: simulator.Duration(o.modifyCluster),
		EIPTransition: simulator.Duration(o.eipT), APILatency: simulator.Duration(o.latency), EIPLag: simulator.Duration(o.eipLag)}
	kc, err := simulator.DemoKubeconfig(world)
	if err != nil {
		return err
	}
	kc = append([]byte(initMarker+" for the simulated world in "+o.state+";\n# `simulator init --force` may overwrite it.\n"), kc...)
	kc = fmt.Appendf(kc, "extensions:\n- extension:\n    state: %s\n  name: %s\n", strconv.Quote(o.state), initExtension)
	if err := os.MkdirAll(filepath.Dir(o.kubeconfig), 0o700); err != nil {
		return err
	}
	if err := simulator.New(o.state).Write(world, o.force); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return usageError("%s already exists; pass --force to overwrite it", o.state)
		}
		return err
	}
	if err := atomicfile.WriteFile(o.kubeconfig, kc, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(o.streams.Out, "Wrote the simulated world to %s\nWrote its kubeconfig to %s (current context: demo-basic)\n\n", o.state, o.kubeconfig)
	fmt.Fprintf(o.streams.Out, "Use it:\n  export ACK_EXPOSE_BACKEND=simulator ACK_EXPOSE_SIMULATOR_STATE=%s KUBECONFIG=%s\n  kubectl ack-expose status\n", shellQuote(o.state), shellQuote(o.kubeconfig))
	return nil
}

func shellQuote(s string) string {
	if strings.ContainsAny(s, " \t'\"$`\\") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

type simulatorShowOptions struct {
	streams      genericiooptions.IOStreams
	state        string
	output       string
	allowMissing bool
}

func newSimulatorShowCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &simulatorShowOptions{streams: streams}
	c := &cobra.Command{
		Use:   "show",
		Short: "Print the simulated world: clusters, EIPs, tasks, faults and API call counts",
		Example: `  kubectl ack-expose simulator show
  kubectl ack-expose simulator show -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, err := newPrinter(o.output, o.allowMissing)
			if err != nil {
				return err
			}
			path, err := simulatorStatePath(o.state)
			if err != nil {
				return err
			}
			return simulator.New(path).View(func(s *simulator.State) error {
				if s.CA != nil { // the simulator CA's key signs nothing real, but a key is never printed
					ca := *s.CA
					ca.Key = "(redacted)"
					s.CA = &ca
				}
				return printObject(o.streams.Out, p, s, func(w io.Writer) error { return simulatorTable(w, s) })
			})
		},
	}
	c.Flags().StringVar(&o.state, "state", "", "State file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	addOutputFlag(c, &o.output, &o.allowMissing)
	return c
}

// newSimulatorDNSCommand sets the simulated world's DNS records: a team's
// name for the API server's EIP, which status --check resolves.
func newSimulatorDNSCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var state string
	c := &cobra.Command{
		Use:   "dns NAME [ADDRESS]",
		Short: "Point a DNS name at an address in the simulated world (no ADDRESS: remove the record)",
		Long: `Set a DNS record of the simulated world: NAME resolves to ADDRESS (an EIP,
say) when the simulator backend checks an endpoint by name (status --check of
a context made with kubeconfig --server-name). Without ADDRESS the record is
removed. With the aliyun backend against simulator serve, map the name with
ACK_EXPOSE_CONNECT_TO instead (NAME:6443=the address serve printed for the EIP).`,
		Example: `  kubectl ack-expose simulator dns api.demo.example 47.96.1.20
  kubectl ack-expose simulator dns api.demo.example`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(_ *cobra.Command, args []string) error {
			name, err := certsan.Canonical(args[0])
			if err != nil || certsan.IsIP(name) || strings.HasPrefix(name, "*.") {
				return usageError("%q is not a DNS name: give one such as api.demo.example", args[0])
			}
			addr := ""
			if len(args) == 2 {
				ip, err := netip.ParseAddr(args[1])
				if err != nil {
					return usageError("%q is not an IP address: give the address the name resolves to, such as the EIP's", args[1])
				}
				addr = ip.String()
			}
			path, err := simulatorStatePath(state)
			if err != nil {
				return err
			}
			err = simulator.New(path).Update(func(s *simulator.State) error {
				if addr == "" {
					delete(s.DNS, name)
					return nil
				}
				if s.DNS == nil {
					s.DNS = map[string]string{}
				}
				s.DNS[name] = addr
				return nil
			})
			if err != nil {
				return err
			}
			if addr == "" {
				fmt.Fprintf(streams.Out, "%s has no DNS record now\n", name)
			} else {
				fmt.Fprintf(streams.Out, "%s resolves to %s\n", name, addr)
			}
			return nil
		},
	}
	c.Flags().StringVar(&state, "state", "", "State file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	return c
}

func simulatorTable(w io.Writer, s *simulator.State) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CLUSTER\tID\tTYPE\tPROFILE\tSPEC\tSTATE\tEIP\n")
	for _, c := range s.Clusters {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.ID, c.ClusterType, c.Profile, cmp.Or(c.ClusterSpec, "-"), c.State, cmp.Or(c.EIPAllocationID, "-"))
	}
	fmt.Fprintf(tw, "\nEIP\tADDRESS\tREGION\tSTATUS\tINSTANCE\tBANDWIDTH\tCHARGE\n")
	for _, e := range s.EIPs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.AllocationID, e.IPAddress, e.RegionID, e.Status, cmp.Or(strings.Trim(e.InstanceType+" "+e.InstanceID, " "), "-"), e.Bandwidth, e.InternetChargeType)
	}
	if len(s.Tasks) > 0 {
		fmt.Fprintf(tw, "\nTASK\tCLUSTER\tSTATE\tCREATED\n")
		for _, t := range s.Tasks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.ID, t.ClusterID, t.State, t.Created.Format(time.RFC3339))
		}
	}
	if len(s.Faults) > 0 {
		fmt.Fprintf(tw, "\nFAULT\tCODE\tSTATUS\tREMAINING\n")
		for _, f := range s.Faults {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", f.Action, f.Code, f.HTTPStatus, f.Remaining)
		}
	}
	if s.ClientAddress != "" {
		fmt.Fprintf(tw, "\nCLIENT ADDRESS\t%s\n", s.ClientAddress)
	}
	printCalls(tw, s.Calls)
	return tw.Flush()
}

func printCalls(w io.Writer, calls map[string]int) {
	names := make([]string, 0, len(calls))
	for n := range calls {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "\nAPI CALL\tCOUNT\n")
	for _, n := range names {
		fmt.Fprintf(w, "%s\t%d\n", n, calls[n])
	}
}
