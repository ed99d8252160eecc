// Package kubeconfig is what client-go's clientcmd does not do for the
// plugin. Reading is clientcmd's: kubectl's loading rules (--kubeconfig, else
// KUBECONFIG, else ~/.kube/config, merged first-wins) and kubectl's override
// flags (--context, --cluster, --user, --server, ...), so the context and
// server are the ones kubectl would use. This package adds: finding the file
// that holds an entry (LocationOfOrigin), and editing that file as YAML nodes
// under kubectl's lock (<file>.lock), keeping comments, order, mode and
// symlinks, with the result checked by clientcmd before it is written.
//
// A Go program imports it to find the context and server kubectl would use
// (NewSource, Source.Current) and to add a context or repoint clusters in a
// user's kubeconfig without damaging it (Source.AddContext, Source.Repoint).
package kubeconfig

import (
	"os"
	"sort"
	"strings"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Source is where the kubeconfig comes from: kubectl's loading rules and
// override flags (bound with clientcmd.BindOverrideFlags in the command layer).
type Source struct {
	Rules     *clientcmd.ClientConfigLoadingRules
	Overrides *clientcmd.ConfigOverrides
	// LockWait is how long an edit waits for kubectl's lock (<file>.lock)
	// before giving up.
	LockWait time.Duration
}

// Context is a kubeconfig context as kubectl would use it: see
// Source.Current. It is the one name of the type the lifecycle (pkg/expose)
// takes as a context (Target.Kube, Service.Audit...): pass it as it is.
type Context = kubeserver.Context

// DefaultLockWait is how long edits wait for another kubectl or ack-expose to
// finish editing the kubeconfig (NewSource reads it). A variable for the
// story harness only, which shortens it for stories that sit through a held
// lock; the plugin never changes it.
var DefaultLockWait = 5 * time.Second

// NewSource returns kubectl's default loading rules with no overrides.
func NewSource() *Source {
	return &Source{Rules: clientcmd.NewDefaultClientConfigLoadingRules(), Overrides: &clientcmd.ConfigOverrides{}, LockWait: DefaultLockWait}
}

// files lists the kubeconfig files in kubectl's precedence: --kubeconfig
// alone, else each file of KUBECONFIG, else ~/.kube/config.
func (s *Source) files() []string {
	if s.Rules.ExplicitPath != "" {
		return []string{s.Rules.ExplicitPath}
	}
	return s.Rules.GetLoadingPrecedence()
}

// Load reads and merges the kubeconfig files with clientcmd. Every entry
// keeps the file it came from in LocationOfOrigin. Errors are KindInvalid.
func (s *Source) Load() (*clientcmdapi.Config, error) {
	cfg, err := s.Rules.Load()
	if err != nil {
		return nil, &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "reading kubeconfig", Err: err,
			Hint: "Fix the file, or point --kubeconfig / KUBECONFIG at a valid one."}
	}
	return cfg, nil
}

// Current returns the context in use, after kubectl's overrides, with the
// server kubectl would reach and the files its entries come from. A missing
// kubeconfig or current context is not an error here: it is reported in
// Context.Err, so that --cluster-id works without any kubeconfig. A
// --context or --cluster naming nothing is an error (exit 5).
func (s *Source) Current() (Context, error) {
	cfg, err := s.Load()
	if err != nil {
		return Context{}, err
	}
	o := s.Overrides
	cc := clientcmd.NewNonInteractiveClientConfig(*cfg, o.CurrentContext, o, s.Rules)
	// ClientConfig checks, in kubectl's order, that the entries the flags
	// name exist, then that the context is usable.
	_, err = cc.ClientConfig()
	name := o.CurrentContext
	if name == "" {
		name = cfg.CurrentContext
	}
	if err != nil {
		return s.currentError(cfg, name, err)
	}
	merged, err := cc.MergedRawConfig()
	if err != nil {
		return s.currentError(cfg, name, err)
	}
	kc := Context{Name: merged.CurrentContext}
	mctx := merged.Contexts[merged.CurrentContext]
	if mctx != nil {
		kc.Cluster, kc.User, kc.Namespace = mctx.Cluster, mctx.AuthInfo, mctx.Namespace
	}
	if c := merged.Clusters[kc.Cluster]; c != nil {
		kc.Server, kc.CA = c.Server, caPEM(c)
		kc.TLSServerName, kc.ProxyURL, kc.Insecure = c.TLSServerName, c.ProxyURL, c.InsecureSkipTLSVerify
	}
	if c := cfg.Clusters[kc.Cluster]; c != nil && o.ClusterInfo.Server == "" {
		kc.ClusterFile = c.LocationOfOrigin
	}
	if c := cfg.Contexts[kc.Name]; c != nil {
		kc.ContextFile = c.LocationOfOrigin
	}
	kc.ServerFromFlag = o.ClusterInfo.Server != ""
	return kc, nil
}

func (s *Source) currentError(cfg *clientcmdapi.Config, name string, err error) (Context, error) {
	o := s.Overrides
	where := strings.Join(s.files(), string(os.PathListSeparator))
	switch {
	case o.CurrentContext != "" && cfg.Contexts[o.CurrentContext] == nil:
		return Context{}, errdefs.Errorf(errdefs.KindNotFound, "context %q not found in the kubeconfig (%s)", o.CurrentContext, where).
			WithHint("List contexts with `kubectl config get-contexts`.")
	case o.Context.Cluster != "" && cfg.Clusters[o.Context.Cluster] == nil:
		return Context{}, errdefs.Errorf(errdefs.KindNotFound, "--cluster %q: no such cluster entry in the kubeconfig (%s)", o.Context.Cluster, where).
			WithHint("List them with `kubectl config get-clusters`.")
	case o.Context.AuthInfo != "" && cfg.AuthInfos[o.Context.AuthInfo] == nil:
		return Context{}, errdefs.Errorf(errdefs.KindNotFound, "--user %q: no such user in the kubeconfig (%s)", o.Context.AuthInfo, where).
			WithHint("List them with `kubectl config get-users`.")
	case name == "" && (clientcmd.IsEmptyConfig(err) || len(cfg.Contexts) == 0):
		if len(cfg.Contexts) == 0 {
			return Context{Err: errdefs.Errorf(errdefs.KindNotFound, "no kubeconfig contexts in %s and no --cluster-id given", where).
				WithHint("Pass --cluster-id c..., or --kubeconfig FILE with an ACK context.")}, nil
		}
		fallthrough
	case name == "":
		return Context{Err: errdefs.Errorf(errdefs.KindNotFound, "no current context in %s and no --cluster-id given", where).
			WithHint("Pick one with --context NAME (see `kubectl config get-contexts`), or pass --cluster-id c....")}, nil
	case cfg.Contexts[name] == nil:
		return Context{Name: name, Err: errdefs.Errorf(errdefs.KindNotFound, "context %q not found in the kubeconfig", name).
			WithHint("List contexts with `kubectl config get-contexts`.")}, nil
	}
	var invalid error = &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "kubeconfig context " + quote(name) + " is not usable", Err: err,
		Hint: "Fix it (kubectl would fail the same way), pick another with --context, or pass --cluster-id c...."}
	return Context{Name: name, Err: invalid}, nil
}

func quote(s string) string { return `"` + s + `"` }

// All returns every context of the merged kubeconfig, by name, with the
// server its cluster entry gives it after the merge.
func (s *Source) All() ([]Context, error) {
	cfg, err := s.Load()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cfg.Contexts))
	for n := range cfg.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Context, 0, len(names))
	for _, n := range names {
		c := cfg.Contexts[n]
		kc := Context{Name: n, Cluster: c.Cluster, User: c.AuthInfo, Namespace: c.Namespace, ContextFile: c.LocationOfOrigin}
		if cl := cfg.Clusters[c.Cluster]; cl != nil {
			kc.Server, kc.ClusterFile, kc.CA = cl.Server, cl.LocationOfOrigin, caPEM(cl)
			kc.TLSServerName, kc.ProxyURL, kc.Insecure = cl.TLSServerName, cl.ProxyURL, cl.InsecureSkipTLSVerify
		}
		out = append(out, kc)
	}
	return out, nil
}

// invalidFile is the error for a kubeconfig file that cannot be read or edited.
func invalidFile(path string, err error) error {
	return &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "reading kubeconfig " + path, Err: err,
		Hint: "Fix the file (kubectl rejects it too), or point --kubeconfig / KUBECONFIG at a valid one."}
}
