package cmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// --dry-run takes kubectl's values (k8s.io/kubectl/pkg/cmd/util AddDryRunFlag
// and GetDryRunStrategy): "none" (the default) changes things, "client" (and
// a bare --dry-run, through pflag's NoOptDefVal) plans without changing
// anything, "server" is refused: no cloud API ack-expose changes things with
// has a server-side dry run. As in kubectl, the old boolean values are still
// accepted, with a warning: true means client, false means none.

const (
	dryRunNone   = "none"
	dryRunClient = "client"
	dryRunServer = "server"
)

// dryRunValue is the pflag.Value of --dry-run. It sets *on for "client".
type dryRunValue struct {
	strategy   string
	on         *bool
	deprecated string // the boolean value given, warned about once parsed
}

func (d *dryRunValue) String() string { return d.strategy }
func (d *dryRunValue) Type() string   { return "string" }

func (d *dryRunValue) Set(s string) error {
	strategy := s
	d.deprecated = ""
	switch s {
	case dryRunNone, dryRunClient:
	case dryRunServer:
		return fmt.Errorf(`--dry-run=server is not supported: the cloud APIs ack-expose changes things with (CS ModifyCluster, VPC and SLB) have no server-side dry run; use --dry-run=client, which plans without changing anything`)
	default:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf(`must be "none", "client" or "server" (a bare --dry-run means client)`)
		}
		d.deprecated = s
		strategy = dryRunNone
		if b {
			strategy = dryRunClient
		}
	}
	d.strategy = strategy
	*d.on = strategy == dryRunClient
	return nil
}

// addDryRunFlag adds --dry-run to c; what says what a dry run prints.
func addDryRunFlag(c *cobra.Command, on *bool, what string) {
	*on = false
	v := &dryRunValue{strategy: dryRunNone, on: on}
	f := c.Flags()
	f.Var(v, "dry-run", `Must be "none", "client" or "server". With "client" (or a bare --dry-run), `+what+`, changing nothing. "server" is refused: the cloud has no server-side dry run`)
	f.Lookup("dry-run").NoOptDefVal = dryRunClient
	_ = c.RegisterFlagCompletionFunc("dry-run", cobra.FixedCompletions([]string{dryRunNone, dryRunClient}, cobra.ShellCompDirectiveNoFileComp))
}

// dryRunWarning is the warning for a boolean --dry-run value, or "".
func dryRunWarning(f *pflag.FlagSet) string {
	fl := f.Lookup("dry-run")
	if fl == nil {
		return ""
	}
	v, ok := fl.Value.(*dryRunValue)
	if !ok || v.deprecated == "" {
		return ""
	}
	return fmt.Sprintf("--dry-run=%s is deprecated (boolean value) and can be replaced with --dry-run=%s", v.deprecated, v.strategy)
}
