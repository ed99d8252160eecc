package cmd

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/internal/certsan"
	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/pkg/kubeconfig"
)

type kubeconfigOptions struct {
	*clusterOptions
	private       bool
	name          string
	switch_       bool
	serverName    string
	tlsServerName string
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
endpoint is a conflict (exit 4): associate an EIP first.

--server-name NAME makes the server https://NAME:6443 (the endpoint's port), for
a DNS name whose record points at the EIP: an EIP change then only needs the
record changed. kubectl accepts the API server by that name only when its
certificate names it: if it does not, the command says which
` + "`kubectl ack-expose sans add`" + ` makes it valid, or --tls-server-name kubernetes (kubectl's
flag, written into the new context) checks the certificate against a name it
already holds, with no API server restart. See docs/certificate-names.md.`,
		Example: `  # Add <context>-public, pointing at the public endpoint
  kubectl ack-expose kubeconfig

  # ... and switch to it
  kubectl ack-expose kubeconfig --switch

  # A context through the intranet endpoint, for use from inside the VPC
  kubectl ack-expose kubeconfig --private --name prod-vpc

  # A context that reaches the API server as api.example.com (a DNS record
  # pointing at the EIP), once the certificate names it
  kubectl ack-expose sans add api.example.com --yes
  kubectl ack-expose kubeconfig --server-name api.example.com

  # The same without changing the certificate (no API server restart):
  # kubectl checks the certificate against "kubernetes", a name it holds
  kubectl ack-expose kubeconfig --server-name api.example.com --tls-server-name kubernetes`,
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
			if err := o.checkNames(c); err != nil {
				return flagError(err)
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
	c.Flags().StringVar(&o.serverName, "server-name", "", "Reach the API server by this DNS name (its record points at the endpoint): the server is https://NAME:<the endpoint's port>; default context name <context>-NAME")
	// --tls-server-name is kubectl's connection flag (clientcmd's override,
	// hidden on other commands): here it is also what the new context's
	// cluster entry gets, so it is shown.
	if f := c.Flags().Lookup("tls-server-name"); f != nil {
		f.Hidden = false
		f.Usage = "Name kubectl checks the API server's certificate against, written into the new context (tls-server-name); with --server-name, one the certificate already holds (kubernetes) avoids an API server restart"
	}
	return c
}

// inClusterName is the in-cluster name of the API server, which every ACK
// API server certificate holds: a tls-server-name that survives EIP changes.
const inClusterName = "kubernetes"

// checkNames checks --server-name and --tls-server-name before any call.
func (o *kubeconfigOptions) checkNames(c *cobra.Command) error {
	if c.Flags().Changed("server-name") {
		n, err := certsan.Canonical(o.serverName)
		switch {
		case err != nil:
			return usageError("--server-name: %v", err)
		case certsan.IsIP(n):
			return usageError("--server-name %s is an IP address: --server-name is for a DNS name in front of the endpoint (the context reaches the endpoint's own address without it)", n)
		case strings.HasPrefix(n, "*."):
			return usageError("--server-name %s is a wildcard: give the one name kubectl should connect to", n)
		}
		o.serverName = n
	}
	if c.Flags().Changed("tls-server-name") {
		o.tlsServerName = o.source.Overrides.ClusterInfo.TLSServerName
		n, err := certsan.Canonical(o.tlsServerName)
		if err != nil || strings.HasPrefix(n, "*.") {
			return usageError("--tls-server-name %q: give a name the API server's certificate holds, such as %s", o.tlsServerName, inClusterName)
		}
		o.tlsServerName = n
	}
	return nil
}

// nameNotes says, before the context is written, whether kubectl will accept
// the certificate through it, and what makes it valid when it will not.
func (o *kubeconfigOptions) nameNotes(cl *backend.Cluster, server string) {
	w := o.streams.ErrOut
	holds := append([]string{kubeserver.EndpointHost(cl.IntranetEndpoint), kubeserver.EndpointHost(cl.PublicEndpoint),
		inClusterName, inClusterName + ".default", inClusterName + ".default.svc"}, cl.ExtraSANs...)
	switch {
	case o.tlsServerName != "":
		if !certsan.Covers(holds, o.tlsServerName) {
			fmt.Fprintf(w, "Warning: %s is not among the names ack-expose knows the API server's certificate holds (%s): kubectl will refuse it unless it does; `kubectl ack-expose status --check --context CONTEXT` tells\n",
				o.tlsServerName, strings.Join(slices.DeleteFunc(holds, func(s string) bool { return s == "" }), ", "))
		}
	case o.serverName != "" && !certsan.Covers(cl.ExtraSANs, o.serverName):
		fmt.Fprintf(w, "Warning: %s is not in the API server's certificate (its extra names: %s), so kubectl will refuse the API server at %s.\n"+
			"  Make it valid with `kubectl ack-expose sans add %s --cluster-id %s` (it restarts the API server),\n"+
			"  or, without a restart, run again with --tls-server-name %s: kubectl then checks the certificate against a name it holds.\n",
			o.serverName, cmp.Or(strings.Join(cl.ExtraSANs, ", "), "none"), server, o.serverName, cl.ID, inClusterName)
	}
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
	server := p.Server
	if o.serverName != "" {
		server = kubeserver.WithHost(p.Server, o.serverName)
		suffix = "-" + o.serverName
	}
	o.nameNotes(p.Cluster, server)
	res, err := o.source.AddContext(kubeconfig.ContextSpec{From: p.From, Name: o.name, Suffix: suffix, Server: server,
		Endpoints: append(p.Endpoints, server), Switch: o.switch_, TLSServerName: o.tlsServerName})
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
