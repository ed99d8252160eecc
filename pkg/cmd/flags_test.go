package cmd

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// kubectl's flags are client-go's own binding: each lands in the overrides
// clientcmd applies, beside the plugin's own flags.
func TestKubectlFlagsAreClientcmds(t *testing.T) {
	o := newClusterOptions(genericiooptions.NewTestIOStreamsDiscard())
	c := &cobra.Command{Use: "x"}
	o.addFlags(c)
	err := c.Flags().Parse([]string{"--kubeconfig", "f", "--context", "k", "--cluster", "cl", "--user", "u", "-s", "https://s",
		"-n", "ns", "--token", "t", "--cluster-id", "c0123456789abcdef0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	ov := o.source.Overrides
	if o.source.Rules.ExplicitPath != "f" || ov.CurrentContext != "k" || ov.Context.Cluster != "cl" || ov.Context.AuthInfo != "u" ||
		ov.ClusterInfo.Server != "https://s" || ov.Context.Namespace != "ns" || ov.AuthInfo.Token != "t" || o.clusterID != "c0123456789abcdef0123456789abcdef" {
		t.Errorf("rules %+v, overrides %+v, cluster-id %q", o.source.Rules, ov, o.clusterID)
	}
	// Every command builds its flags without a clash (pflag panics on one).
	root, _ := NewRootCommand(genericiooptions.NewTestIOStreamsDiscard())
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			// pflag takes a `quoted` word of the usage as the value's name:
			// "--count simulator fault clear" in --help.
			if strings.Contains(f.Usage, "`") {
				t.Errorf("%s --%s: a backquote in the usage becomes the value's name in --help: %q", c.CommandPath(), f.Name, f.Usage)
			}
		})
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}
