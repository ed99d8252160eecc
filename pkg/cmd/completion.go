package cmd

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/aliyun"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// Shell completion. The completion scripts (`completion bash|zsh|fish|
// powershell`, cobra's) complete the executable, kubectl-ack_expose, run
// directly. `kubectl ack-expose <TAB>` is completed by kubectl's own completion
// (kubectl 1.26 and later): it runs kubectl_complete-ack_expose, found on
// PATH, which asks the plugin (`kubectl ack-expose __complete ...`).

const completionHelp = `Generate the completion script of kubectl-ack_expose for a shell.

The scripts complete the executable kubectl-ack_expose run directly. To
complete "kubectl ack-expose ...", kubectl's own completion (kubectl 1.26 and
later, "kubectl completion bash|zsh|fish|powershell") runs the executable
kubectl_complete-ack_expose from PATH. The release archives ship it (with
Krew: ln -sf "${KREW_ROOT:-$HOME/.krew}/store/ack-expose/VERSION/kubectl_complete-ack_expose"
"${KREW_ROOT:-$HOME/.krew}/bin/"); after go install, write it with:

  printf '%s\n' '#!/usr/bin/env sh' 'exec kubectl ack-expose __complete "$@"' > "$(go env GOPATH)/bin/kubectl_complete-ack_expose" && chmod +x "$(go env GOPATH)/bin/kubectl_complete-ack_expose"

Dynamic completions: --context (the kubeconfig's contexts), --cluster-id (the
account's clusters, one cloud call) and --eip (the Available EIPs of the
cluster's region: one cloud call with --region, else the cluster's lookup
first); they give up silently after 3 seconds or on any error.
`

// completionTimeout bounds the cloud calls of a dynamic completion.
const completionTimeout = 3 * time.Second

// setUpCompletionCommand creates cobra's completion command now, to say how
// `kubectl ack-expose` gets completed.
func setUpCompletionCommand(root *cobra.Command) {
	root.CompletionOptions.HiddenDefaultCmd = false
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Long = completionHelp
			c.Example = `  # bash, for this session: kubectl-ack_expose <TAB>
  source <(kubectl ack-expose completion bash)`
			// A shell cobra has no script for (tcsh, ksh...) is an error
			// (exit 2), as in kubectl, not the help with exit 0: runnable,
			// the command has its arguments checked.
			c.Args = cobra.NoArgs
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		}
	}
}

// registerClusterCompletions completes --context and --cluster-id.
func (o *clusterOptions) registerClusterCompletions(c *cobra.Command) {
	_ = c.RegisterFlagCompletionFunc("context", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := o.source.Load()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for n := range cfg.Contexts {
			names = append(names, n)
		}
		sort.Strings(names)
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	_ = c.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, _ := aliyun.LoadCLIConfig()
		return cfg.Names(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = c.RegisterFlagCompletionFunc("cluster-id", func(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return o.completeWith(c, func(ctx context.Context, be backend.Backend) ([]string, error) {
			clusters, err := be.ListClusters(ctx, o.region)
			if err != nil {
				return nil, err
			}
			var out []string
			for _, cl := range clusters {
				out = append(out, cobra.CompletionWithDesc(cl.ID, fmt.Sprintf("%s (%s, %s)", cl.Name, kindName(expose.ClusterInfo{ClusterType: cl.ClusterType, Profile: cl.Profile, ClusterSpec: cl.ClusterSpec}), cl.RegionID)))
			}
			return out, nil
		})
	})
}

// registerEIPCompletion completes --eip with the Available EIPs of the
// cluster's region: their allocation IDs, or their addresses once a digit is typed.
func (o *clusterOptions) registerEIPCompletion(c *cobra.Command) {
	_ = c.RegisterFlagCompletionFunc("eip", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return o.completeWith(c, func(ctx context.Context, be backend.Backend) ([]string, error) {
			region := o.region
			if region == "" {
				kc, err := o.source.Current()
				if err != nil {
					return nil, err
				}
				t, err := expose.Resolve(ctx, be, o.clusterID, kc)
				if err != nil {
					return nil, err
				}
				cl, err := be.DescribeCluster(ctx, t.ClusterID)
				if err != nil {
					return nil, err
				}
				region = cl.RegionID
			}
			eips, err := be.DescribeEIPs(ctx, region, backend.EIPQuery{})
			if err != nil {
				return nil, err
			}
			byAddress := toComplete != "" && toComplete[0] >= '0' && toComplete[0] <= '9'
			var out []string
			for _, e := range eips {
				if e.Status != backend.EIPAvailable {
					continue
				}
				value, desc := e.AllocationID, e.IPAddress
				if byAddress {
					value, desc = e.IPAddress, e.AllocationID
				}
				out = append(out, cobra.CompletionWithDesc(value, fmt.Sprintf("%s, %s Mbps, %s", desc, e.Bandwidth, e.InternetChargeType)))
			}
			return out, nil
		})
	})
}

// completeWith runs a dynamic completion against the backend: bounded in
// time, no retries, no log, and silent on any error (no completions).
func (o *clusterOptions) completeWith(c *cobra.Command, list func(context.Context, backend.Backend) ([]string, error)) ([]string, cobra.ShellCompDirective) {
	ctx := c.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	o.verbosity = 0
	be, err := o.newBackend()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out, err := list(ctx, be)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}
