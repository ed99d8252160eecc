package cmd

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/pkg/kubeconfig"
)

type kubeconfigOptions struct {
	*clusterOptions
	private bool
	name    string
	switch_ bool
}

func newKubeconfigCommand(streams genericiooptions.IOStreams) *cobra.Command {
	o := &kubeconfigOptions{clusterOptions: newClusterOptions(streams)}
	c := &cobra.Command{
		Use:   "kubeconfig",
		Short: "Add a kubeconfig context that reaches the cluster through its public (or intranet) endpoint",
		Long: `Add, or update, a context named <context>-public (or <context>-private with
--private, or --name) whose cluster entry has the cluster's public endpoint (or
intranet endpoint) as server and the same CA, and whose user is the current
context's. The cluster entry is named after the new context, so it never
overwrites another cluster's entry (ACK kubeconfigs all call theirs "kubernetes").

It edits only the kubeconfig file that holds the current context, under
kubectl's lock (<file>.lock), atomically, through symlinks, keeping comments,
every other entry and the file's mode. It never overwrites a context that
reaches another cluster, nor the context it copies from (exit 4). Running it
again, even on the context it made, changes nothing. A cluster without a public
endpoint is a conflict (exit 4): associate an EIP first.`,
		Example: `  # Add <context>-public, pointing at the public endpoint
  kubectl ack-expose kubeconfig

  # ... and switch to it
  kubectl ack-expose kubeconfig --switch

  # A context through the intranet endpoint, for use from inside the VPC
  kubectl ack-expose kubeconfig --private --name prod-vpc`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.toOptions(); err != nil {
				return flagError(err)
			}
			if c.Flags().Changed("name") {
				if err := kubeconfig.CheckContextName(o.name); err != nil {
					return flagError(err)
				}
			}
			if err := o.complete(c.Context()); err != nil {
				return err
			}
			return o.run(c)
		},
	}
	o.addFlags(c)
	c.Flags().BoolVar(&o.private, "private", false, "Use the intranet endpoint (reachable from inside the cluster's VPC)")
	c.Flags().StringVar(&o.name, "name", "", "Name of the context to add (default <context>-public, or <context>-private)")
	c.Flags().BoolVar(&o.switch_, "switch", false, "Make the new context the current one")
	return c
}

func (o *kubeconfigOptions) run(c *cobra.Command) error {
	p, err := o.service().PlanContext(c.Context(), o.target, o.private)
	if err != nil {
		return err
	}
	suffix := "-public"
	if o.private {
		suffix = "-private"
	}
	res, err := o.source.AddContext(kubeconfig.ContextSpec{From: p.From, Name: o.name, Suffix: suffix, Server: p.Server,
		Endpoints: p.Endpoints, Switch: o.switch_})
	if err != nil {
		return err
	}
	cl := p.Cluster
	out := &kubeconfigResult{TypeMeta: expose.TypeMeta{APIVersion: expose.APIVersion, Kind: "KubeconfigContext"},
		File: res.File, Context: res.Context, Cluster: res.Cluster, Server: res.Server, Changed: res.Changed, Switched: res.Switched}
	return printObject(o.streams.Out, o.printer, out, func(w io.Writer) error {
		switch {
		case res.Changed:
			fmt.Fprintf(w, "Context %q now reaches cluster %s at %s (in %s).\n", res.Context, cl.Name, res.Server, res.File)
		default:
			fmt.Fprintf(w, "nothing to do: context %q already reaches cluster %s at %s (in %s).\n", res.Context, cl.Name, res.Server, res.File)
		}
		if res.Switched {
			fmt.Fprintf(w, "Switched to context %q.\n", res.Context)
		} else if !o.switch_ {
			fmt.Fprintf(w, "Use it with: kubectl --context %s ...\n", res.Context)
		}
		return nil
	})
}

// kubeconfigResult is the printable result of the kubeconfig command.
type kubeconfigResult struct {
	expose.TypeMeta
	File     string `json:"file"`
	Context  string `json:"context"`
	Cluster  string `json:"cluster"`
	Server   string `json:"server"`
	Changed  bool   `json:"changed"`
	Switched bool   `json:"switched"`
}
