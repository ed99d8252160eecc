package cmd

import (
	"sync"

	"github.com/spf13/pflag"

	"github.com/ack-expose/ack-expose/pkg/kubeconfig"
)

// addKubectlFlags adds kubectl's kubeconfig flags, with kubectl's names, types
// and help. --kubeconfig, --context, --cluster and --server choose the
// context and server the cluster is resolved from. kubectl's other connection
// flags (user, credentials, impersonation, TLS, timeout, namespace) are accepted, so
// kubectl-style invocations work, but they cannot change what this plugin
// does: they are hidden from the help and their values are ignored.
func addKubectlFlags(f *pflag.FlagSet, src *kubeconfig.Source) {
	f.StringVar(&src.ExplicitPath, "kubeconfig", "", "Path to the kubeconfig file to use")
	f.StringVar(&src.Overrides.CurrentContext, "context", "", "The name of the kubeconfig context to use")
	f.StringVar(&src.Overrides.ClusterName, "cluster", "", "The name of the kubeconfig cluster to use")
	f.StringVar(&src.Overrides.Server, "server", "", "The address and port of the Kubernetes API server")

	f.AddFlagSet(ignoredKubectlFlags())
}

// ignoredKubectlFlags is built once and shared by every command: its values
// are never read, and building the flags once keeps start-up short.
var ignoredKubectlFlags = sync.OnceValue(func() *pflag.FlagSet {
	f := pflag.NewFlagSet("kubectl", pflag.ContinueOnError)
	var ignored string
	var ignoredBool bool
	var ignoredList []string
	for _, h := range []struct{ name, short, def, usage string }{
		{"user", "", "", "The name of the kubeconfig user to use"},
		{"client-certificate", "", "", "Path to a client certificate file for TLS"},
		{"client-key", "", "", "Path to a client key file for TLS"},
		{"token", "", "", "Bearer token for authentication to the API server"},
		{"as", "", "", "Username to impersonate for the operation"},
		{"as-uid", "", "", "UID to impersonate for the operation"},
		{"username", "", "", "Username for basic authentication to the API server"},
		{"password", "", "", "Password for basic authentication to the API server"},
		{"certificate-authority", "", "", "Path to a cert file for the certificate authority"},
		{"tls-server-name", "", "", "Server name to use for server certificate validation"},
		{"proxy-url", "", "", "URL of the proxy to connect through"},
		{"namespace", "n", "", "If present, the namespace scope for this CLI request"},
		{"request-timeout", "", "0", "The length of time to wait before giving up on a single server request"},
	} {
		f.StringVarP(&ignored, h.name, h.short, h.def, h.usage)
		_ = f.MarkHidden(h.name)
	}
	for _, h := range []struct{ name, usage string }{
		{"insecure-skip-tls-verify", "If true, the server's certificate will not be checked for validity"},
		{"disable-compression", "If true, opt-out of response compression for all requests to the server"},
	} {
		f.BoolVar(&ignoredBool, h.name, false, h.usage)
		_ = f.MarkHidden(h.name)
	}
	f.StringArrayVar(&ignoredList, "as-group", nil, "Group to impersonate for the operation, this flag can be repeated to specify multiple groups.")
	_ = f.MarkHidden("as-group")
	return f
})
