// Package kubeconfig reads the kubeconfig the way kubectl does (KUBECONFIG,
// --kubeconfig, --context and the other override flags) and tells the
// lifecycle which context is in use and which server it reaches.
package kubeconfig

import (
	"os"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/expose"
)

// Source is where the kubeconfig comes from: kubectl's loading rules and overrides.
type Source struct {
	Rules     *clientcmd.ClientConfigLoadingRules
	Overrides *clientcmd.ConfigOverrides
}

// NewSource returns kubectl's default loading rules with empty overrides.
func NewSource() *Source {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.DefaultClientConfig = &clientcmd.DefaultClientConfig
	return &Source{Rules: rules, Overrides: &clientcmd.ConfigOverrides{}}
}

// Load reads the merged kubeconfig. A file that does not parse is KindInvalid.
func (s *Source) Load() (*clientcmdapi.Config, error) {
	cfg, err := s.Rules.Load()
	if err != nil {
		return nil, &backend.Error{Kind: backend.KindInvalid, Msg: "reading kubeconfig", Err: err,
			Hint: "Fix the file, or point --kubeconfig / KUBECONFIG at a valid one."}
	}
	return cfg, nil
}

// Current returns the context in use and its server. A missing kubeconfig or
// current context is not an error here: it is reported in KubeContext.Err so
// that --cluster-id still works without any kubeconfig.
func (s *Source) Current() (expose.KubeContext, error) {
	cfg, err := s.Load()
	if err != nil {
		return expose.KubeContext{}, err
	}
	name := cfg.CurrentContext
	if s.Overrides.CurrentContext != "" {
		name = s.Overrides.CurrentContext
	}
	if name == "" {
		where := strings.Join(s.Files(), string(os.PathListSeparator))
		if len(cfg.Contexts) == 0 {
			return expose.KubeContext{Err: backend.Errorf(backend.KindNotFound, "no kubeconfig contexts in %s and no --cluster-id given", where).
				WithHint("Pass --cluster-id c..., or --kubeconfig FILE with an ACK context.")}, nil
		}
		return expose.KubeContext{Err: backend.Errorf(backend.KindNotFound, "no current context in %s and no --cluster-id given", where).
			WithHint("Pick one with --context NAME (see `kubectl config get-contexts`), or pass --cluster-id c....")}, nil
	}
	kctx, ok := cfg.Contexts[name]
	if !ok {
		err := backend.Errorf(backend.KindNotFound, "context %q not found in the kubeconfig", name).
			WithHint("List contexts with `kubectl config get-contexts`.")
		if s.Overrides.CurrentContext != "" {
			return expose.KubeContext{}, err
		}
		return expose.KubeContext{Name: name, Err: err}, nil
	}
	clusterName := kctx.Cluster
	if s.Overrides.Context.Cluster != "" {
		clusterName = s.Overrides.Context.Cluster
	}
	server := ""
	if c, ok := cfg.Clusters[clusterName]; ok {
		server = c.Server
	}
	if s.Overrides.ClusterInfo.Server != "" {
		server = s.Overrides.ClusterInfo.Server
	}
	return expose.KubeContext{Name: name, Server: server}, nil
}
