package cmd

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/simulator"
)

const faultsHelp = `A fault makes simulated API calls of one action (through either front: the
simulator backend and ` + "`simulator serve`" + `) fail with a cloud error, answer late
(--delay), or lose their answer after the call was carried out (--drop); the
pseudo action ModifyClusterTask makes the tasks of ModifyCluster end in
"failed" (leaving the cluster in --cluster-state). Each fault fires on the
next --count calls of its action, after letting --after calls pass, and is
then gone; --count 0 fires on every call until ` + "`simulator fault clear`" + `.`

func newSimulatorFaultCommand(streams genericiooptions.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "fault",
		Short: "Add, list or clear the faults the simulated cloud injects",
		Long:  faultsHelp,
		Example: `  kubectl ack-expose simulator fault add ModifyCluster --code Throttling.User --status 400 --count 2
  kubectl ack-expose simulator fault add DescribeTaskInfo --code ServiceUnavailable --status 503 --count 0
  kubectl ack-expose simulator fault add ModifyCluster --drop
  kubectl ack-expose simulator fault add ModifyClusterTask --code TaskFailed --cluster-state updating_failed
  kubectl ack-expose simulator fault list
  kubectl ack-expose simulator fault clear`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	c.AddCommand(newSimulatorFaultAddCommand(streams), newSimulatorFaultListCommand(streams), newSimulatorFaultClearCommand(streams))
	return c
}

type simulatorFaultAddOptions struct {
	streams genericiooptions.IOStreams
	state   string
	fault   simulator.Fault
	delay   time.Duration
}

func newSimulatorFaultAddCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &simulatorFaultAddOptions{streams: streams}
	c := &cobra.Command{
		Use:   "add ACTION",
		Short: "Make the next calls of an API action fail, stall or lose their answer",
		Long:  faultsHelp + "\n\nACTION is one of: " + strings.Join(simulator.Actions, ", "),
		Example: `  kubectl ack-expose simulator fault add ModifyCluster --code Throttling.User --status 400 --count 2
  kubectl ack-expose simulator fault add AllocateEipAddress --code InternalError --status 500
  kubectl ack-expose simulator fault add DescribeClusterDetail --delay 30s`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return simulator.Actions, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			f := o.fault
			f.Action, f.Delay = args[0], simulator.Duration(o.delay)
			if f.Code != "" && f.HTTPStatus == 0 {
				f.HTTPStatus = 400
			}
			if f.Code != "" && f.Message == "" {
				f.Message = "simulated " + f.Code
			}
			if err := f.Check(); err != nil {
				return usageError("fault %s: %v", f.Action, err)
			}
			path, err := simulatorStatePath(o.state)
			if err != nil {
				return err
			}
			if err := simulator.New(path).Update(func(s *simulator.State) error {
				s.Faults = append(s.Faults, f)
				return nil
			}); err != nil {
				return err
			}
			fmt.Fprintf(o.streams.Out, "fault added: %s\n", describeFault(f))
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&o.state, "state", "", "State file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	fl.StringVar(&o.fault.Code, "code", "", "The cloud error code to answer (Throttling.User, ServiceUnavailable, InternalError, ...)")
	fl.IntVar(&o.fault.HTTPStatus, "status", 0, "The HTTP status of that error, 400-599 (default 400 with --code)")
	fl.StringVar(&o.fault.Message, "message", "", "The error message (default \"simulated CODE\")")
	fl.IntVar(&o.fault.Remaining, "count", 1, "How many calls it fires on; 0: every call until simulator fault clear")
	fl.IntVar(&o.fault.After, "after", 0, "Let this many calls of the action pass first")
	fl.DurationVar(&o.delay, "delay", 0, "Hold the answer back this long (a stalled server)")
	fl.BoolVar(&o.fault.Drop, "drop", false, "Carry the call out, then close the connection without an answer")
	fl.StringVar(&o.fault.ClusterState, "cluster-state", "", "With ModifyClusterTask: the state the cluster is left in (e.g. updating_failed)")
	return c
}

func newSimulatorFaultListCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var state, output string
	var allowMissing bool
	c := &cobra.Command{
		Use:     "list",
		Short:   "List the faults still to fire",
		Example: "  kubectl ack-expose simulator fault list -o json",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := newPrinter(output, allowMissing)
			if err != nil {
				return err
			}
			path, err := simulatorStatePath(state)
			if err != nil {
				return err
			}
			return simulator.New(path).View(func(s *simulator.State) error {
				list := &faultList{Kind: "SimulatorFaultList", Items: append([]simulator.Fault{}, s.Faults...)}
				return printObject(streams.Out, p, list, func(w io.Writer) error { return faultTable(w, list.Items) })
			})
		},
	}
	c.Flags().StringVar(&state, "state", "", "State file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	addOutputFlag(c, &output, &allowMissing)
	return c
}

// faultList is what `simulator fault list -o json|yaml` prints.
type faultList struct {
	Kind  string            `json:"kind"`
	Items []simulator.Fault `json:"items"`
}

func newSimulatorFaultClearCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var state string
	c := &cobra.Command{
		Use:     "clear [ACTION]",
		Short:   "Remove every fault, or those of one action",
		Example: "  kubectl ack-expose simulator fault clear\n  kubectl ack-expose simulator fault clear ModifyCluster",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := simulatorStatePath(state)
			if err != nil {
				return err
			}
			action := ""
			if len(args) == 1 {
				action = args[0]
			}
			n, err := simulator.New(path).ClearFaults(action)
			if err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "%s cleared\n", plural.N(n, "fault", "faults"))
			return nil
		},
	}
	c.Flags().StringVar(&state, "state", "", "State file (default from "+EnvSimulatorState+", else ~/.ack-expose/simulator.json)")
	return c
}

func faultTable(w io.Writer, faults []simulator.Fault) error {
	if len(faults) == 0 {
		_, err := fmt.Fprintln(w, "No faults.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tFAULT\tFIRES")
	for _, f := range faults {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Action, faultEffect(f), faultFires(f))
	}
	return tw.Flush()
}

func describeFault(f simulator.Fault) string {
	return fmt.Sprintf("%s %s, %s", f.Action, faultEffect(f), faultFires(f))
}

// faultEffect says what a fault does to a call.
func faultEffect(f simulator.Fault) string {
	var s string
	switch {
	case f.Code != "" && f.Action == simulator.FaultTaskFailure:
		s = "task fails with " + f.Code
		if f.ClusterState != "" {
			s += ", cluster " + f.ClusterState
		}
	case f.Code != "":
		s = fmt.Sprintf("%s (HTTP %d)", f.Code, f.HTTPStatus)
	case f.Drop:
		s = "answer dropped"
	case f.Action == simulator.FaultTaskFailure:
		s = "task fails"
	}
	if f.Delay > 0 {
		if s != "" {
			s += ", "
		}
		s += "answer " + time.Duration(f.Delay).String() + " late"
	}
	return s
}

func faultFires(f simulator.Fault) string {
	s := "next " + plural.N(f.Remaining, "call", "calls")
	if f.Remaining == 0 {
		s = "every call until cleared"
	}
	if f.After > 0 {
		s += fmt.Sprintf(" after %d more", f.After)
	}
	return s
}
