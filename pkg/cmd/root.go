// Package cmd is the command layer of kubectl ack-expose: each cobra command
// turns its flags into a request (toOptions, kubectl's ToOptions), resolves
// the cluster (complete), makes one call to the lifecycle (pkg/expose) and
// prints what comes back (run). It is the only package that knows cobra, and
// exitCode (exit.go) is the only place errors become exit codes.
//
// A Go program imports it to embed the whole plugin (NewRootCommand with its
// streams, exitCode for the process status), as cmd/kubectl-ack_expose does;
// for the logic without the command line, import pkg/expose.
package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// Set at build time with -ldflags "-X github.com/ack-expose/ack-expose/pkg/cmd.version=...".
var (
	version = "dev"
	commit  = ""
)

// Execute runs the plugin with args and returns the process exit code.
func Execute(streams genericiooptions.IOStreams, args []string) int {
	root, started := newRootCommand(streams, args)
	root.SetArgs(args)
	c, err := root.ExecuteContextC(context.Background())
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if !*started && code == exitError {
		// cobra failed before any command ran: unknown command, bad flag, bad args.
		code = exitUsage
	}
	// Each line escaped: an error may carry text from outside (a cloud
	// message, a file's content) that must not drive the terminal.
	lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = errdefs.Printable(l)
	}
	msg := strings.Join(lines, "\n")
	fmt.Fprintf(streams.ErrOut, "error: %s\n", msg)
	if code == exitUsage && (!*started || isUsageError(err)) {
		// As kubectl does: point at the help of the command that was misused.
		fmt.Fprintf(streams.ErrOut, "See '%s --help' for usage.\n", c.CommandPath())
	}
	return code
}

// catchInterrupts makes Ctrl-C (or SIGTERM) cancel the command's context
// instead of killing the process, so that a command that changes things can
// roll back or say what is still in flight (exit 130). A second signal exits
// at once, as users expect, with one line saying what this process may leave
// (its records in the journal: cleanup finds them). The other commands do not
// call it: Ctrl-C stops them on the spot (their file writes are atomic), and
// they start faster without the signal machinery.
func catchInterrupts(c *cobra.Command) (stop func()) {
	ctx, cancel := context.WithCancel(c.Context())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	w := c.ErrOrStderr()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			fmt.Fprintln(w, leftBehind())
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	c.SetContext(ctx)
	return func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// leftBehind is the line a second Ctrl-C prints: what this process recorded
// in the journal as possibly unfinished, and the commands that finish it.
func leftBehind() string {
	var left []string
	if j := openJournal(); j != nil {
		recs, _ := j.List()
		for _, r := range recs {
			if r.PID != os.Getpid() {
				continue
			}
			switch {
			case r.Kind == expose.RecordOperation && r.TaskID != "":
				left = append(left, fmt.Sprintf("task %s on cluster %s", r.TaskID, r.ClusterID))
			case r.Kind == expose.RecordOperation:
				left = append(left, fmt.Sprintf("a change of cluster %s", r.ClusterID))
			case r.AllocationID == "":
				left = append(left, fmt.Sprintf("an EIP allocated with client token %s", r.ClientToken))
			case r.Kind == expose.RecordRelease:
				left = append(left, fmt.Sprintf("EIP %s to release", r.AllocationID))
			default:
				left = append(left, fmt.Sprintf("EIP %s allocated by this operation", r.AllocationID))
			}
		}
	}
	if len(left) == 0 {
		return "interrupted again: exiting now; `kubectl ack-expose status` shows where things stand"
	}
	return "interrupted again: exiting now; may be left: " + strings.Join(left, ", ") +
		"; `kubectl ack-expose status` shows where things stand and `kubectl ack-expose cleanup` releases what is left"
}

type subcommand struct {
	name  string
	build func(genericiooptions.IOStreams) *cobra.Command
}

// subcommands are the root's commands, by name (cobra lists them sorted).
var subcommands = []subcommand{
	{"status", newStatusCommand},
	{"associate", func(s genericiooptions.IOStreams) *cobra.Command { return newMutateCommand(s, mutateAssociate) }},
	{"change", func(s genericiooptions.IOStreams) *cobra.Command { return newMutateCommand(s, mutateChange) }},
	{"disassociate", func(s genericiooptions.IOStreams) *cobra.Command { return newMutateCommand(s, mutateDisassociate) }},
	{"sans", newSANsCommand},
	{"allow", newAllowCommand},
	{"revoke", newRevokeCommand},
	{"cleanup", newCleanupCommand},
	{"kubeconfig", newKubeconfigCommand},
	{"simulator", newSimulatorCommand},
	{"version", newVersionCommand},
}

// NewRootCommand builds the command tree. started reports whether a command
// got past flag and argument parsing.
func NewRootCommand(streams genericiooptions.IOStreams) (*cobra.Command, *bool) {
	return newRootCommand(streams, nil)
}

// newRootCommand builds the tree that running args needs: when args name
// a command first (the root has no flags of its own), that command alone;
// else (help, completion, a typo to suggest a fix for, no command) every
// command. Building every command's flags costs more than a third of a
// short command's own work, on every run.
func newRootCommand(streams genericiooptions.IOStreams, args []string) (*cobra.Command, *bool) {
	started := new(bool)
	root := &cobra.Command{
		// The executable's name: the completion scripts complete it (completion.go).
		Use:   "kubectl-ack_expose",
		Short: "Control public access to the API server of an Alibaba Cloud ACK cluster",
		Long: `Control public access to the API server of an Alibaba Cloud ACK cluster.

ACK serves the API server through an internal CLB; public access means an elastic
IP (EIP) associated with it. ack-expose shows that exposure, and associates,
changes or disassociates the EIP, for ACK standard, ACK Pro, ACK Serverless and
ACK Edge clusters, waiting until the change is done.

The cluster is the one behind the current kubeconfig context (ACK contexts are
named <account-uid>-<clusterId>), or --cluster-id.`,
		Example: `  # See whether the current cluster is reachable from the Internet
  kubectl ack-expose status

  # Expose it through a new pay-as-you-go EIP, then add a public context
  kubectl ack-expose associate --allocate

  # Try everything offline first
  kubectl ack-expose simulator init
  export ACK_EXPOSE_BACKEND=simulator KUBECONFIG=~/.ack-expose/kubeconfig
  kubectl ack-expose associate --eip 47.96.1.10`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl ack-expose"},
		PersistentPreRun: func(c *cobra.Command, _ []string) {
			*started = true
			if w := dryRunWarning(c.Flags()); w != "" {
				fmt.Fprintf(streams.ErrOut, "Warning: %s\n", w)
			}
		},
		// Without a RunE, an unknown subcommand would print help and exit 0.
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	pick := subcommands
	if len(args) > 0 {
		if i := slices.IndexFunc(subcommands, func(sc subcommand) bool { return sc.name == args[0] }); i >= 0 {
			pick = subcommands[i : i+1]
		}
	}
	for _, sc := range pick {
		root.AddCommand(sc.build(streams))
	}
	if len(pick) > 1 {
		setUpCompletionCommand(root)
	} else {
		// The line names a command: cobra need not build its completion
		// command (and that help's text) only to leave it unused.
		root.CompletionOptions.DisableDefaultCmd = true
	}
	return root, started
}

func newVersionCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var output string
	var allowMissing bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the plugin version",
		Example: `  kubectl ack-expose version
  kubectl ack-expose version -o json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := newPrinter(output, allowMissing)
			if err != nil {
				return err
			}
			v := buildVersion()
			return printObject(streams.Out, p, v, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "kubectl-ack_expose %s\n", Version())
				return err
			})
		},
	}
	addOutputFlag(c, &output, &allowMissing)
	return c
}

// versionInfo is what `version -o json|yaml` prints.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

func buildVersion() versionInfo {
	v := versionInfo{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok && version == "dev" {
		// go install ...@v0.1.0 stamps the module version and the commit.
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && v.Commit == "" && len(s.Value) >= 7 {
				v.Commit = s.Value[:7]
			}
		}
	}
	return v
}

// Version is the build's version text.
func Version() string {
	v := buildVersion()
	// A development build's version already names its commit (v0.1.0-3-gSHA).
	if v.Commit != "" && !strings.HasSuffix(strings.TrimSuffix(v.Version, "-dirty"), "-g"+v.Commit) {
		return v.Version + " (" + v.Commit + ")"
	}
	return v.Version
}
